package client

import (
	"fmt"

	"github.com/supvisors/supvisors-go/strategy"
)

// ProcessState is a Supervisor process state, with its wire code (the
// statecode/state of a reply). It is a plain value, safe for concurrent use.
type ProcessState int

// The process states and their wire codes.
const (
	ProcessStopped  ProcessState = 0
	ProcessStarting ProcessState = 10
	ProcessRunning  ProcessState = 20
	ProcessBackoff  ProcessState = 30
	ProcessStopping ProcessState = 40
	ProcessExited   ProcessState = 100
	ProcessFatal    ProcessState = 200
	ProcessUnknown  ProcessState = 1000
)

var processStateNames = map[ProcessState]string{
	ProcessStopped: "STOPPED", ProcessStarting: "STARTING", ProcessRunning: "RUNNING", ProcessBackoff: "BACKOFF",
	ProcessStopping: "STOPPING", ProcessExited: "EXITED", ProcessFatal: "FATAL", ProcessUnknown: "UNKNOWN",
}

// String returns the state's name as Supervisor spells it ("RUNNING"), or
// "STATE_<n>" for a code outside the table.
func (s ProcessState) String() string {
	if n, ok := processStateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("STATE_%d", int(s))
}

// IsRunning reports whether s is one of Supervisor's RUNNING_STATES
// (STARTING, RUNNING, BACKOFF).
func (s ProcessState) IsRunning() bool {
	return s == ProcessStarting || s == ProcessRunning || s == ProcessBackoff
}

// IsStopped reports whether s is one of Supervisor's STOPPED_STATES
// (STOPPED, EXITED, FATAL, UNKNOWN), for which supervisorctl status exits 3.
func (s ProcessState) IsStopped() bool {
	return s == ProcessStopped || s == ProcessExited || s == ProcessFatal || s == ProcessUnknown
}

// SupervisorState is supervisord's own state (getState's statecode). It is
// a plain value, safe for concurrent use.
type SupervisorState int

// The supervisord states and their wire codes.
const (
	SupervisorFatal      SupervisorState = 2
	SupervisorRunning    SupervisorState = 1
	SupervisorRestarting SupervisorState = 0
	SupervisorShutdown   SupervisorState = -1
)

// String returns the state's name ("RUNNING"), or "STATE_<n>".
func (s SupervisorState) String() string {
	switch s {
	case SupervisorFatal:
		return "FATAL"
	case SupervisorRunning:
		return "RUNNING"
	case SupervisorRestarting:
		return "RESTARTING"
	case SupervisorShutdown:
		return "SHUTDOWN"
	}
	return fmt.Sprintf("STATE_%d", int(s))
}

// SupvisorsState is the state of Supvisors on one node
// (get_supvisors_state's statecode). It is a plain value, safe for
// concurrent use.
type SupvisorsState int

// The Supvisors states and their wire codes.
const (
	SupvisorsInitialization SupvisorsState = iota
	SupvisorsDeployment
	SupvisorsOperation
	SupvisorsConciliation
	SupvisorsRestarting
	SupvisorsShuttingDown
	SupvisorsShutdown
)

var supvisorsStateNames = []string{"INITIALIZATION", "DEPLOYMENT", "OPERATION", "CONCILIATION", "RESTARTING", "SHUTTING_DOWN", "SHUTDOWN"}

// String returns the state's name as Supvisors spells it ("OPERATION"), or
// "STATE_<n>".
func (s SupvisorsState) String() string { return enumName(supvisorsStateNames, int(s)) }

// AddressState is the state of an address of address_list as one node sees
// it (get_address_info's statecode). It is a plain value, safe for
// concurrent use.
type AddressState int

// The address states and their wire codes.
const (
	AddressUnknown AddressState = iota
	AddressChecking
	AddressRunning
	AddressSilent
	AddressIsolating
	AddressIsolated
)

var addressStateNames = []string{"UNKNOWN", "CHECKING", "RUNNING", "SILENT", "ISOLATING", "ISOLATED"}

// String returns the state's name ("RUNNING"), or "STATE_<n>".
func (s AddressState) String() string { return enumName(addressStateNames, int(s)) }

// ApplicationState is the state of an application over its processes
// (get_application_info's statecode). It is a plain value, safe for
// concurrent use.
type ApplicationState int

// The application states and their wire codes (the spec's order).
const (
	ApplicationUnknown ApplicationState = iota
	ApplicationStopped
	ApplicationStarting
	ApplicationStopping
	ApplicationRunning
)

var applicationStateNames = []string{"UNKNOWN", "STOPPED", "STARTING", "STOPPING", "RUNNING"}

// String returns the state's name ("RUNNING"), or "STATE_<n>".
func (s ApplicationState) String() string { return enumName(applicationStateNames, int(s)) }

func enumName(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("STATE_%d", i)
}

// StartingStrategy is a starting strategy (how start_application,
// start_process and their restarts choose addresses), package strategy's
// type: its String is the name ("LESS_LOADED") and it travels as its
// integer code. A plain value, safe for concurrent use.
type StartingStrategy = strategy.Starting

// The starting strategies and their wire codes.
const (
	StartConfig     StartingStrategy = strategy.StartConfig     // 0
	StartLessLoaded StartingStrategy = strategy.StartLessLoaded // 1
	StartMostLoaded StartingStrategy = strategy.StartMostLoaded // 2
	StartLocal      StartingStrategy = strategy.StartLocal      // 3: the node that received the request
)

// ConciliationStrategy is a conciliation strategy (conciliate's argument),
// package strategy's type: its String is the name ("SENICIDE") and it
// travels as its integer code. A plain value, safe for concurrent use.
type ConciliationStrategy = strategy.Conciliation

// The conciliation strategies and their wire codes.
const (
	ConciliateSenicide       ConciliationStrategy = strategy.Senicide                   // 0
	ConciliateInfanticide    ConciliationStrategy = strategy.Infanticide                // 1
	ConciliateUser           ConciliationStrategy = strategy.User                       // 2
	ConciliateStop           ConciliationStrategy = strategy.Stop                       // 3
	ConciliateRestart        ConciliationStrategy = strategy.Restart                    // 4
	ConciliateRunningFailure ConciliationStrategy = strategy.RunningFailureConciliation // 5
)

// StartingFailureStrategy is what happens to an application whose required
// process fails while it starts (a rule, named in get_application_rules).
// A plain value, safe for concurrent use.
type StartingFailureStrategy = strategy.StartingFailure

// RunningFailureStrategy is what happens when a process of a running
// application crashes or its node is lost (a rule, named in
// get_application_rules and get_process_rules). A plain value, safe for
// concurrent use.
type RunningFailureStrategy = strategy.RunningFailure

// ParseStarting reads a starting strategy by name, in any case
// ("less_loaded"). Safe for concurrent use.
func ParseStarting(name string) (StartingStrategy, error) { return strategy.ParseStarting(name) }

// ParseConciliation reads a conciliation strategy by name, in any case
// ("senicide"). Safe for concurrent use.
func ParseConciliation(name string) (ConciliationStrategy, error) {
	return strategy.ParseConciliation(name)
}

// ParseStartingFailure reads a starting failure strategy by name ("ABORT").
// Safe for concurrent use.
func ParseStartingFailure(name string) (StartingFailureStrategy, error) {
	return strategy.ParseStartingFailure(name)
}

// ParseRunningFailure reads a running failure strategy by name
// ("RESTART_PROCESS"). Safe for concurrent use.
func ParseRunningFailure(name string) (RunningFailureStrategy, error) {
	return strategy.ParseRunningFailure(name)
}
