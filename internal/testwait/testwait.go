// Package testwait waits, in tests, for a condition with a deadline: the
// tests' way to synchronise with agents, children and clocks they do not
// control, instead of sleeping a fixed time.
package testwait

import (
	"testing"
	"time"
)

// For polls cond until it holds, at most timeout, backing off from 1 ms to
// a hundredth of timeout (10 to 200 ms: a long wait is often on a costly
// check) between polls; past the deadline it fails tb with the last detail
// cond returned. It is safe for concurrent use.
func For(tb testing.TB, timeout time.Duration, cond func() (ok bool, detail string)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	delay, most := time.Millisecond, min(max(timeout/100, 10*time.Millisecond), 200*time.Millisecond)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("condition not met within %v: %s", timeout, detail)
		}
		time.Sleep(delay)
		delay = min(delay*2, most)
	}
}
