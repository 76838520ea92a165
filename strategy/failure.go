package strategy

import (
	"fmt"
	"slices"

	"github.com/supvisors/supvisors-go/enums"
)

// PhaseOutcome is what an application's start does once one of its phases
// is done. It is a plain value, safe for concurrent use.
type PhaseOutcome int

// The outcomes of a phase.
const (
	// NextPhase goes on with the next phase (or ends the start).
	NextPhase PhaseOutcome = iota
	// Abort leaves the rest of the application unstarted (what is already
	// started stays) and fails the start.
	Abort
	// StopAndAbort stops the application, then fails the start.
	StopAndAbort
)

func (o PhaseOutcome) String() string {
	return name([]string{"NEXT_PHASE", "ABORT", "STOP_AND_ABORT"}, int(o))
}

// AfterPhase is the starting failure strategy s applied to a phase in
// which failedRequired required processes failed to start: the failures
// of optional processes never count. It is a pure function, safe for
// concurrent use.
func AfterPhase(s enums.StartingFailureStrategy, failedRequired int) PhaseOutcome {
	switch {
	case failedRequired == 0 || s == enums.FailContinue:
		return NextPhase
	case s == enums.FailStop:
		return StopAndAbort
	}
	return Abort
}

// Failure is a process whose last running copy failed (it crashed, or its
// node was lost), as the master sees it; K identifies the process. It is
// a plain value, safe for concurrent use.
type Failure[K comparable] struct {
	Process     K
	Application string
	Strategy    enums.RunningFailureStrategy
	// Busy is set while the process or its application is being started
	// or stopped: the job in flight reports the failure (a starting
	// failure), so the running failure strategy does not apply.
	Busy bool
}

// Repairs is what the master does about failures, each application and
// process once: stop the applications of StopApplications, restart (stop,
// then start) those of RestartApplications, start again the processes of
// RestartProcesses. Every list is in the order of the failures. A Repairs
// is not modified once made: safe for concurrent reads.
type Repairs[K comparable] struct {
	StopApplications    []string
	RestartApplications []string
	RestartProcesses    []K
}

// Empty reports whether there is nothing to do.
func (r Repairs[K]) Empty() bool {
	return len(r.StopApplications) == 0 && len(r.RestartApplications) == 0 && len(r.RestartProcesses) == 0
}

// RunningFailures decides the repairs of failures with the priority of
// Supvisors' running failure handler, STOP_APPLICATION over
// RESTART_APPLICATION over RESTART_PROCESS over CONTINUE: an application
// that stops is neither restarted nor are its processes, and an
// application that restarts does not also restart its processes one by
// one. Busy failures are left out. It is a pure function, safe for
// concurrent use.
func RunningFailures[K comparable](failures []Failure[K]) Repairs[K] {
	strongest := map[string]enums.RunningFailureStrategy{}
	for _, f := range failures {
		if !f.Busy && priority(f.Strategy) > priority(strongest[f.Application]) {
			strongest[f.Application] = f.Strategy
		}
	}
	var r Repairs[K]
	for _, f := range failures {
		if f.Busy {
			continue
		}
		switch strongest[f.Application] {
		case enums.RunStopApplication:
			if !slices.Contains(r.StopApplications, f.Application) {
				r.StopApplications = append(r.StopApplications, f.Application)
			}
		case enums.RunRestartApplication:
			if !slices.Contains(r.RestartApplications, f.Application) {
				r.RestartApplications = append(r.RestartApplications, f.Application)
			}
		case enums.RunRestartProcess:
			if f.Strategy == enums.RunRestartProcess && !slices.Contains(r.RestartProcesses, f.Process) {
				r.RestartProcesses = append(r.RestartProcesses, f.Process)
			}
		}
	}
	return r
}

// priority ranks the running failure strategies (their codes do not).
func priority(s enums.RunningFailureStrategy) int {
	return slices.Index([]enums.RunningFailureStrategy{enums.RunContinue, enums.RunRestartProcess, enums.RunRestartApplication, enums.RunStopApplication}, s)
}

// StartOutcome is how one attempt to start a process ended. It is a plain
// value, safe for concurrent use.
type StartOutcome int

// The outcomes of a start.
const (
	// Started: the process runs (or exited as expected, with wait_exit).
	Started StartOutcome = iota
	// NoAddress: no address could take it then.
	NoAddress
	// AddressFailed: the address chosen could not be reached, or was lost
	// before the process ran.
	AddressFailed
	// ProcessFailed: the process itself failed (FATAL, an unexpected exit,
	// or not RUNNING in time).
	ProcessFailed
)

func (o StartOutcome) String() string {
	return name([]string{"STARTED", "NO_ADDRESS", "ADDRESS_FAILED", "PROCESS_FAILED"}, int(o))
}

// JobNext is what becomes of a start the master holds as a job (a
// deployment's, a failure strategy's) after one attempt. It is a plain
// value, safe for concurrent use.
type JobNext int

// What becomes of a held start.
const (
	// JobDone: the process runs; the job is over.
	JobDone JobNext = iota
	// JobWait: the job waits for an address that can take the process,
	// and is tried again as soon as one can.
	JobWait
	// JobGiveUp: the job is over without the process running: it failed
	// by itself, or no address may ever take it.
	JobGiveUp
)

func (n JobNext) String() string { return name([]string{"DONE", "WAIT", "GIVE_UP"}, int(n)) }

// AfterStart decides what becomes of a held start after an attempt that
// ended with o. A failure of the address is never the end of the job, only
// the process's own failure is, or there being no address that may ever
// take it (everPlaceable false: its rules allow no address, or its loading
// fills one). It is a pure function, safe for concurrent use.
func AfterStart(o StartOutcome, everPlaceable bool) JobNext {
	switch {
	case o == Started:
		return JobDone
	case o == ProcessFailed || !everPlaceable:
		return JobGiveUp
	}
	return JobWait
}

// name is the name of code i of an enumeration of this package, or
// "STRATEGY_<i>" for a code outside names.
func name(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("STRATEGY_%d", i)
}
