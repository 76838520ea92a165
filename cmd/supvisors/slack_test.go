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

// slacks reads the timer slack of every thread of the process.
func slacks(t testing.TB) map[string]string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		if b, err := os.ReadFile(slackFile(e.Name())); err == nil {
			got[e.Name()] = strings.TrimSpace(string(b))
		}
	}
	return got
}

// TestSlackKeeper: a starved agent's threads get the wide slack, one
// created with another slack (as a thread takes its creator's) is put at
// it by the next sample, and all get the process's back once served.
func TestSlackKeeper(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setting another thread's timer slack takes CAP_SYS_NICE: run as root")
	}
	k, err := newSlackKeeper(7 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir("/proc/self/task")
	t.Cleanup(func() {
		k.starved = false
		k.apply(entries)
	})
	k.starved = true
	k.apply(entries)
	for tid, slack := range slacks(t) {
		if slack != "7000000" {
			t.Errorf("starved: thread %s has a timer slack of %s ns, want 7000000", tid, slack)
		}
	}

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, 9_000_000, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	k.sample(time.Now())
	if got := slacks(t)[fmt.Sprint(unix.Gettid())]; got != "7000000" {
		t.Errorf("starved: thread %d has a timer slack of %s ns after a sample, want 7000000", unix.Gettid(), got)
	}

	k.starved = false
	entries, _ = os.ReadDir("/proc/self/task")
	k.apply(entries)
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
	k := &slackKeeper{own: []byte("50000"), wide: []byte("50000")} // no slack changes: only the decision
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
