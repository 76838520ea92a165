// Package strategy holds the pure decisions of Supvisors' application
// management: the strategy enumerations, placement of a process on an
// address (starting strategies), the start and stop sequences of
// applications, and what to do when a process fails. Nothing here does
// I/O; the cluster carries the decisions out.
package strategy

import (
	"fmt"
	"strings"
)

// Starting is a starting strategy: how an address is chosen for a
// process. It is a plain value, safe for concurrent use.
type Starting int

// The starting strategies, with their wire codes.
const (
	StartConfig Starting = iota
	StartLessLoaded
	StartMostLoaded
	StartLocal
)

// StartingFailure is what happens to an application whose required
// process fails while it starts.
type StartingFailure int

// The starting failure strategies, with their wire codes.
const (
	FailAbort StartingFailure = iota
	FailStop
	FailContinue
)

// RunningFailure is what happens when a process of a running application
// crashes or its node is lost.
type RunningFailure int

// The running failure strategies, with their wire codes.
const (
	RunContinue RunningFailure = iota
	RunRestartProcess
	RunStopApplication
	RunRestartApplication
)

// Conciliation is a conciliation strategy: how a process running on more
// than one address is brought back to one copy.
type Conciliation int

// The conciliation strategies, with their wire codes.
const (
	Senicide Conciliation = iota
	Infanticide
	User
	Stop
	Restart
	RunningFailureConciliation
)

var (
	startingNames        = []string{"CONFIG", "LESS_LOADED", "MOST_LOADED", "LOCAL"}
	startingFailureNames = []string{"ABORT", "STOP", "CONTINUE"}
	runningFailureNames  = []string{"CONTINUE", "RESTART_PROCESS", "STOP_APPLICATION", "RESTART_APPLICATION"}
	conciliationNames    = []string{"SENICIDE", "INFANTICIDE", "USER", "STOP", "RESTART", "RUNNING_FAILURE"}
)

func (s Starting) String() string        { return name(startingNames, int(s)) }
func (s StartingFailure) String() string { return name(startingFailureNames, int(s)) }
func (s RunningFailure) String() string  { return name(runningFailureNames, int(s)) }
func (s Conciliation) String() string    { return name(conciliationNames, int(s)) }

func name(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("STRATEGY_%d", i)
}

// ParseStarting reads a starting strategy by name, in any case.
func ParseStarting(s string) (Starting, error) {
	i, err := parse(s, startingNames)
	return Starting(i), err
}

// ParseStartingFailure reads a starting failure strategy by name.
func ParseStartingFailure(s string) (StartingFailure, error) {
	i, err := parse(s, startingFailureNames)
	return StartingFailure(i), err
}

// ParseRunningFailure reads a running failure strategy by name.
func ParseRunningFailure(s string) (RunningFailure, error) {
	i, err := parse(s, runningFailureNames)
	return RunningFailure(i), err
}

// ParseConciliation reads a conciliation strategy by name.
func ParseConciliation(s string) (Conciliation, error) {
	i, err := parse(s, conciliationNames)
	return Conciliation(i), err
}

// StartingFromCode is the starting strategy of a wire code.
func StartingFromCode(code int) (Starting, bool) {
	return Starting(code), code >= 0 && code < len(startingNames)
}

// ConciliationFromCode is the conciliation strategy of a wire code.
func ConciliationFromCode(code int) (Conciliation, bool) {
	return Conciliation(code), code >= 0 && code < len(conciliationNames)
}

func parse(s string, names []string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("invalid value %q: expected one of %s", s, strings.Join(names, ", "))
}
