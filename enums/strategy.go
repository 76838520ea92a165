package enums

import (
	"fmt"
	"slices"
	"strings"
)

// StartingStrategy is a starting strategy: how an address is chosen for a
// process. It is a plain value, safe for concurrent use.
type StartingStrategy int

// The starting strategies, with their wire codes.
const (
	StartConfig StartingStrategy = iota
	StartLessLoaded
	StartMostLoaded
	StartLocal
	// StartLessLoadedNode and StartMostLoadedNode (later Supvisors) weigh
	// the summed load of all the addresses of one host (host_name).
	StartLessLoadedNode
	StartMostLoadedNode
)

// StartingFailureStrategy is what happens to an application whose required
// process fails while it starts.
type StartingFailureStrategy int

// The starting failure strategies, with their wire codes.
const (
	FailAbort StartingFailureStrategy = iota
	FailStop
	FailContinue
)

// RunningFailureStrategy is what happens when a process of a running
// application crashes or its node is lost.
type RunningFailureStrategy int

// The running failure strategies, with their wire codes.
const (
	RunContinue RunningFailureStrategy = iota
	RunRestartProcess
	RunStopApplication
	RunRestartApplication
)

// ConciliationStrategy is a conciliation strategy: how a process running
// on more than one address is brought back to one copy.
type ConciliationStrategy int

// The conciliation strategies, with their wire codes.
const (
	ConciliateSenicide ConciliationStrategy = iota
	ConciliateInfanticide
	ConciliateUser
	ConciliateStop
	ConciliateRestart
	ConciliateRunningFailure
)

var (
	startingNames        = []string{"CONFIG", "LESS_LOADED", "MOST_LOADED", "LOCAL", "LESS_LOADED_NODE", "MOST_LOADED_NODE"}
	startingFailureNames = []string{"ABORT", "STOP", "CONTINUE"}
	runningFailureNames  = []string{"CONTINUE", "RESTART_PROCESS", "STOP_APPLICATION", "RESTART_APPLICATION"}
	conciliationNames    = []string{"SENICIDE", "INFANTICIDE", "USER", "STOP", "RESTART", "RUNNING_FAILURE"}
)

func (s StartingStrategy) String() string { return nameOf(startingNames, int(s), "STRATEGY") }
func (s StartingFailureStrategy) String() string {
	return nameOf(startingFailureNames, int(s), "STRATEGY")
}
func (s RunningFailureStrategy) String() string {
	return nameOf(runningFailureNames, int(s), "STRATEGY")
}
func (s ConciliationStrategy) String() string { return nameOf(conciliationNames, int(s), "STRATEGY") }

// ParseStarting reads a starting strategy by name, in any case.
func ParseStarting(s string) (StartingStrategy, error) {
	i, err := parse(s, startingNames)
	return StartingStrategy(i), err
}

// StartingNames lists the starting strategies' names, in wire-code order.
func StartingNames() []string { return slices.Clone(startingNames) }

// ParseStartingFailure reads a starting failure strategy by name.
func ParseStartingFailure(s string) (StartingFailureStrategy, error) {
	i, err := parse(s, startingFailureNames)
	return StartingFailureStrategy(i), err
}

// ParseRunningFailure reads a running failure strategy by name.
func ParseRunningFailure(s string) (RunningFailureStrategy, error) {
	i, err := parse(s, runningFailureNames)
	return RunningFailureStrategy(i), err
}

// ParseConciliation reads a conciliation strategy by name.
func ParseConciliation(s string) (ConciliationStrategy, error) {
	i, err := parse(s, conciliationNames)
	return ConciliationStrategy(i), err
}

// StartingFromCode is the starting strategy of a wire code.
func StartingFromCode(code int) (StartingStrategy, bool) {
	return StartingStrategy(code), code >= 0 && code < len(startingNames)
}

// ConciliationFromCode is the conciliation strategy of a wire code.
func ConciliationFromCode(code int) (ConciliationStrategy, bool) {
	return ConciliationStrategy(code), code >= 0 && code < len(conciliationNames)
}

func parse(s string, names []string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("invalid value %q: expected one of %s", s, strings.Join(names, ", "))
}
