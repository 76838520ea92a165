package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestStarved(t *testing.T) {
	for _, c := range []struct {
		name   string
		was    bool
		waited float64
		served int
		want   bool
	}{
		{"served stays served", false, 0.01, 3, false},
		{"waiting half the time starves", false, starvedShare, 0, true},
		{"between the marks stays served", false, 0.3, 0, false},
		{"between the marks stays starved", true, 0.3, 0, true},
		{"a few served samples stay starved", true, 0.01, servedSamples - 1, true},
		{"enough served samples serve", true, 0.01, servedSamples, false},
		{"a starved sample wins over a served count", true, starvedShare, servedSamples, true},
	} {
		if got := starved(c.was, c.waited, c.served); got != c.want {
			t.Errorf("%s: starved(%v, %v, %d) = %v, want %v", c.name, c.was, c.waited, c.served, got, c.want)
		}
	}
}

// threadIDs lists the threads of the process.
func threadIDs(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var tids []string
	for _, e := range entries {
		tids = append(tids, e.Name())
	}
	return tids
}

// slacks reads the timer slack of every thread of the process.
func slacks(t testing.TB) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, tid := range threadIDs(t) {
		if b, err := os.ReadFile(slackFile(tid)); err == nil {
			got[tid] = strings.TrimSpace(string(b))
		}
	}
	return got
}

// TestSlackKeeper: the threads get the slack decided, a thread created
// since the last sample with another slack (as a thread takes its
// creator's) gets it at the next sample, and every thread gets the
// process's back once the agent is served.
func TestSlackKeeper(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setting another thread's timer slack takes CAP_SYS_NICE: run as root")
	}
	k, err := newSlackKeeper(7 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		k.starved = false
		k.apply(threadIDs(t))
	})
	at := time.Now()
	k.sample(at)
	k.starved = true // as a starved sample would decide
	k.apply(threadIDs(t))
	for tid, slack := range slacks(t) {
		if slack != "7000000" {
			t.Errorf("starved: thread %s has a timer slack of %s ns, want 7000000", tid, slack)
		}
	}

	// A thread the keeper has not seen, with another slack (as a thread
	// created since the last sample takes its creator's).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, 9_000_000, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	self := fmt.Sprint(unix.Gettid())
	k.threads[self].Close()
	delete(k.threads, self)
	k.served = servedSamples - 2 // the next served sample keeps it starved
	at = at.Add(time.Second)
	k.sample(at)
	if got := slacks(t)[self]; got != "7000000" {
		t.Errorf("starved: thread %s, not seen before, has a timer slack of %s ns after a sample, want 7000000", self, got)
	}

	at = at.Add(time.Second)
	k.sample(at) // the servedSamples-th served sample
	if k.starved {
		t.Fatal("still starved after servedSamples served samples")
	}
	for tid, slack := range slacks(t) {
		if slack != string(k.own) {
			t.Errorf("served: thread %s has a timer slack of %s ns, want the process's %s", tid, slack, k.own)
		}
	}
}

// TestSlackKeeperSeesStarvation: with more goroutines spinning than the
// machine has cores, each on a processor of its own, the threads wait for a
// CPU most of the time, and the samples find the agent starved.
func TestSlackKeeperSeesStarvation(t *testing.T) {
	k := &slackKeeper{own: []byte("50000"), wide: []byte("50000"), threads: map[string]*os.File{}} // no slack changes: only the decision
	spinners := 4 * runtime.NumCPU()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(spinners + 1))
	var stop atomic.Bool
	defer stop.Store(true)
	for range spinners {
		go func() {
			for !stop.Load() {
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for !k.starved {
		if time.Now().After(deadline) {
			t.Fatalf("not starved after 20 s of %d goroutines spinning on %d cores", spinners, runtime.NumCPU())
		}
		time.Sleep(200 * time.Millisecond)
		k.sample(time.Now())
	}
}
