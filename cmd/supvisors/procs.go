package main

import (
	"runtime"
	"syscall"
	"time"
)

// The agent runs on one processor (GOMAXPROCS 1) while it is quiet, and on
// all of them while it is busy. Quiet, its work is timers, packets and
// children, which supervisord does on one thread, and a blocking system
// call (a spawn, a write to a log) still hands the processor to another
// thread; with more than one, the runtime wakes an idle thread to look for
// work at every timer and packet. On 2 cores, 10 idle agents used 0.78 % of
// a core each with 2 processors, 0.60 % with 1, and 100 agents launched at
// once 16-19 s of user CPU in all over a run of make scale, against 16-24 s.
// Busy, one processor is a ceiling: 200 clients at once got 2,800
// requests/s from it, 3,900 from two (BenchmarkLoadAgent200).
const (
	// busyLoad is the share of a core, over a sample, from which the agent
	// takes every processor: an idle agent uses under 1 %.
	busyLoad = 0.25
	// quietLoad is the share below which a sample is quiet, and
	// quietSamples how many quiet samples in a row bring the agent back to
	// one processor: a burst of requests does not make it switch back and
	// forth.
	quietLoad    = 0.05
	quietSamples = 10
)

// procsFor is the GOMAXPROCS of an agent that ran on current processors of
// most, and used load cores over the last sample, the quiet-th quiet one
// in a row.
func procsFor(current, most int, load float64, quiet int) int {
	switch {
	case load >= busyLoad:
		return most
	case quiet >= quietSamples:
		return 1
	}
	return current
}

// procsAdapter sets GOMAXPROCS by procsFor at every sample (selfSample),
// most being the runtime's own choice (the cores, or the cgroup's CPU
// limit). Not safe for concurrent use.
type procsAdapter struct {
	most, current, quiet int
	last                 time.Duration // the process's CPU time at the last sample
	at                   time.Time
}

// newProcsAdapter puts the agent on one processor, and returns what gives
// it most again when it is busy.
func newProcsAdapter(most int) *procsAdapter {
	runtime.GOMAXPROCS(1)
	return &procsAdapter{most: most, current: 1, last: cpuTime(), at: time.Now()}
}

// sample reads the agent's CPU time and adapts GOMAXPROCS.
func (p *procsAdapter) sample(now time.Time) {
	used := cpuTime()
	load := (used - p.last).Seconds() / now.Sub(p.at).Seconds()
	p.last, p.at = used, now
	if load < quietLoad {
		p.quiet++
	} else {
		p.quiet = 0
	}
	if n := procsFor(p.current, p.most, load, p.quiet); n != p.current {
		runtime.GOMAXPROCS(n)
		p.current = n
	}
}

// cpuTime is the CPU time the process has used, user and system, all its
// threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
