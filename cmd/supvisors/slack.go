package main

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// While its threads wait for a CPU (starvedShare), the agent's timers may
// fire up to starvedSlack late: the kernel then ends each sleep with
// another timer's interrupt (timer slack), and the agent wakes less often
// when wake-ups are what its host lacks. On a host whose CPU is full, the
// Go runtime's monitor thread (sysmon) alone wakes every 10 ms, since a
// goroutine of the agent always runs or waits to run: at a launch of 100
// agents on a 2-core virtual machine, where a wake-up costs about 40 µs of
// CPU through the hypervisor, 10,000 wake-ups a second, over half of the
// machine's context switches and a fifth of both cores. Once the agent is
// served again (servedShare, servedSamples), its threads get the process's
// own slack back: on a host with CPU to spare, the latency costs more than
// the wake-ups (with the slack for good, a stop of 50 processes on 3 agents
// took 250 to 450 ms instead of 25 to 35). Children always get the
// process's own (the process package forks with it).
const starvedSlack = 20 * time.Millisecond

const (
	// starvedShare is the time the agent's threads waited for a CPU over a
	// sample, all together, as a share of the sample, from which they get
	// starvedSlack: at a launch of 100 agents on 2 cores, an agent's
	// threads wait most of every second.
	starvedShare = 0.5
	// servedShare is the share below which a sample counts as served, and
	// servedSamples how many served samples in a row give the threads the
	// process's slack back.
	servedShare   = 0.1
	servedSamples = 5
)

// starved tells whether the agent's threads have starvedSlack after a
// sample in which they waited for a CPU a share waited of it, the served-th
// served sample in a row; was tells whether they had it before.
func starved(was bool, waited float64, served int) bool {
	switch {
	case waited >= starvedShare:
		return true
	case served >= servedSamples:
		return false
	}
	return was
}

// slackKeeper gives every thread of the agent its timer slack: starvedSlack
// while the agent is starved, the process's own otherwise. A thread takes
// the slack of the thread that creates it; the keeper sets it on each
// thread it had not seen, and on all of them when the decision changes.
// Not safe for concurrent use.
type slackKeeper struct {
	own, wide []byte // the process's slack (its main thread's) and starvedSlack, as /proc reads them
	starved   bool
	served    int
	waited    time.Duration // the threads' time waiting for a CPU at the last sample, all together
	sampledAt time.Time
	// threads are the schedstat files of the threads seen, kept open: an
	// idle agent reads them every second.
	threads map[string]*os.File
}

// newSlackKeeper reads the process's slack and checks that the threads'
// can be set: setting another thread's timer slack takes CAP_SYS_NICE (root
// has it); without it, the error says so and nothing changes.
func newSlackKeeper(wide time.Duration) (*slackKeeper, error) {
	own, err := os.ReadFile(slackFile(strconv.Itoa(os.Getpid())))
	if err == nil {
		err = writeOtherSlack(own)
	}
	if err != nil {
		return nil, fmt.Errorf("timer slack of the agent's threads: %w", err)
	}
	return &slackKeeper{own: bytes.TrimSpace(own), wide: []byte(strconv.FormatInt(wide.Nanoseconds(), 10)), threads: map[string]*os.File{}}, nil
}

// writeOtherSlack writes slack to a thread other than the caller's, which
// needs the privilege that every later write needs.
func writeOtherSlack(slack []byte) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	self := strconv.Itoa(unix.Gettid())
	for _, e := range entries {
		if e.Name() != self {
			return os.WriteFile(slackFile(e.Name()), slack, 0)
		}
	}
	return errors.New("no thread but the caller's")
}

// slackFile is the timer slack's file of the thread tid.
func slackFile(tid string) string { return "/proc/" + tid + "/timerslack_ns" }

// sample reads how long the agent's threads waited for a CPU since the
// last sample, decides their slack (starved), and sets it on the threads
// not seen before, or on all if the decision changed.
func (k *slackKeeper) sample(now time.Time) {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return
	}
	var waited time.Duration
	var added []string
	alive := make(map[string]bool, len(entries))
	for _, e := range entries {
		tid := e.Name()
		alive[tid] = true
		f := k.threads[tid]
		if f == nil {
			if f, err = os.Open("/proc/self/task/" + tid + "/schedstat"); err != nil {
				continue // the thread exited
			}
			k.threads[tid] = f
			added = append(added, tid)
		}
		waited += runDelay(f)
	}
	for tid, f := range k.threads {
		if !alive[tid] {
			f.Close()
			delete(k.threads, tid)
		}
	}
	was := k.starved
	if !k.sampledAt.IsZero() {
		share := max(0, (waited-k.waited).Seconds()) / now.Sub(k.sampledAt).Seconds()
		if share < servedShare {
			k.served++
		} else {
			k.served = 0
		}
		k.starved = starved(k.starved, share, k.served)
	}
	k.waited, k.sampledAt = waited, now
	if k.starved != was {
		added = slices.Collect(maps.Keys(k.threads))
	}
	k.apply(added)
}

// apply sets the slack decided on the threads tids.
func (k *slackKeeper) apply(tids []string) {
	slack := k.own
	if k.starved {
		slack = k.wide
	}
	for _, tid := range tids {
		_ = os.WriteFile(slackFile(tid), slack, 0) // a thread that exited meanwhile is no error
	}
}

// runDelay is how long a thread has waited for a CPU (the second field of
// its schedstat, f), 0 if unknown.
func runDelay(f *os.File) time.Duration {
	var b [96]byte
	n, err := f.ReadAt(b[:], 0)
	if n == 0 && err != nil {
		return 0 // the thread exited
	}
	fields := strings.Fields(string(b[:n]))
	if len(fields) < 2 {
		return 0
	}
	ns, _ := strconv.ParseInt(fields[1], 10, 64)
	return time.Duration(ns)
}
