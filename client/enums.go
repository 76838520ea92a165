package client

import (
	"github.com/supvisors/supvisors-go/enums"
)

// ProcessState is a Supervisor process state, with its wire code (the
// statecode/state of a reply): package enums' type, whose String is the
// name ("RUNNING"). A plain value, safe for concurrent use.
type ProcessState = enums.ProcessState

// The process states and their wire codes.
const (
	ProcessStopped  = enums.ProcessStopped
	ProcessStarting = enums.ProcessStarting
	ProcessRunning  = enums.ProcessRunning
	ProcessBackoff  = enums.ProcessBackoff
	ProcessStopping = enums.ProcessStopping
	ProcessExited   = enums.ProcessExited
	ProcessFatal    = enums.ProcessFatal
	ProcessUnknown  = enums.ProcessUnknown
)

// SupervisorState is supervisord's own state (getState's statecode),
// package enums' type. A plain value, safe for concurrent use.
type SupervisorState = enums.SupervisorState

// The supervisord states and their wire codes.
const (
	SupervisorFatal      = enums.SupervisorFatal
	SupervisorRunning    = enums.SupervisorRunning
	SupervisorRestarting = enums.SupervisorRestarting
	SupervisorShutdown   = enums.SupervisorShutdown
)

// SupvisorsState is the state of Supvisors on one node
// (get_supvisors_state's statecode), package enums' type. A plain value,
// safe for concurrent use.
type SupvisorsState = enums.SupvisorsState

// The Supvisors states and their wire codes.
const (
	SupvisorsInitialization = enums.SupvisorsInitialization
	SupvisorsDeployment     = enums.SupvisorsDeployment
	SupvisorsOperation      = enums.SupvisorsOperation
	SupvisorsConciliation   = enums.SupvisorsConciliation
	SupvisorsRestarting     = enums.SupvisorsRestarting
	SupvisorsShuttingDown   = enums.SupvisorsShuttingDown
	SupvisorsShutdown       = enums.SupvisorsShutdown
)

// AddressState is the state of an address of address_list as one node sees
// it (get_address_info's statecode), package enums' type. A plain value,
// safe for concurrent use.
type AddressState = enums.AddressState

// The address states and their wire codes.
const (
	AddressUnknown   = enums.AddressUnknown
	AddressChecking  = enums.AddressChecking
	AddressRunning   = enums.AddressRunning
	AddressSilent    = enums.AddressSilent
	AddressIsolating = enums.AddressIsolating
	AddressIsolated  = enums.AddressIsolated
)

// ApplicationState is the state of an application over its processes
// (get_application_info's statecode), package enums' type. A plain value,
// safe for concurrent use.
type ApplicationState = enums.ApplicationState

// The application states and their wire codes (the spec's order).
const (
	ApplicationUnknown  = enums.ApplicationUnknown
	ApplicationStopped  = enums.ApplicationStopped
	ApplicationStarting = enums.ApplicationStarting
	ApplicationStopping = enums.ApplicationStopping
	ApplicationRunning  = enums.ApplicationRunning
)

// StartingStrategy is a starting strategy (how start_application,
// start_process and their restarts choose addresses), package enums'
// type: its String is the name ("LESS_LOADED") and it travels as its
// integer code. A plain value, safe for concurrent use.
type StartingStrategy = enums.StartingStrategy

// The starting strategies and their wire codes.
const (
	StartConfig     StartingStrategy = enums.StartConfig     // 0
	StartLessLoaded StartingStrategy = enums.StartLessLoaded // 1
	StartMostLoaded StartingStrategy = enums.StartMostLoaded // 2
	StartLocal      StartingStrategy = enums.StartLocal      // 3: the node that received the request
)

// ConciliationStrategy is a conciliation strategy (conciliate's argument),
// package enums' type: its String is the name ("SENICIDE") and it
// travels as its integer code. A plain value, safe for concurrent use.
type ConciliationStrategy = enums.ConciliationStrategy

// The conciliation strategies and their wire codes.
const (
	ConciliateSenicide       ConciliationStrategy = enums.ConciliateSenicide       // 0
	ConciliateInfanticide    ConciliationStrategy = enums.ConciliateInfanticide    // 1
	ConciliateUser           ConciliationStrategy = enums.ConciliateUser           // 2
	ConciliateStop           ConciliationStrategy = enums.ConciliateStop           // 3
	ConciliateRestart        ConciliationStrategy = enums.ConciliateRestart        // 4
	ConciliateRunningFailure ConciliationStrategy = enums.ConciliateRunningFailure // 5
)

// StartingFailureStrategy is what happens to an application whose required
// process fails while it starts (a rule, named in get_application_rules).
// A plain value, safe for concurrent use.
type StartingFailureStrategy = enums.StartingFailureStrategy

// RunningFailureStrategy is what happens when a process of a running
// application crashes or its node is lost (a rule, named in
// get_application_rules and get_process_rules). A plain value, safe for
// concurrent use.
type RunningFailureStrategy = enums.RunningFailureStrategy

// ParseStarting reads a starting strategy by name, in any case
// ("less_loaded"). Safe for concurrent use.
func ParseStarting(name string) (StartingStrategy, error) { return enums.ParseStarting(name) }

// ParseConciliation reads a conciliation strategy by name, in any case
// ("senicide"). Safe for concurrent use.
func ParseConciliation(name string) (ConciliationStrategy, error) {
	return enums.ParseConciliation(name)
}

// ParseStartingFailure reads a starting failure strategy by name ("ABORT").
// Safe for concurrent use.
func ParseStartingFailure(name string) (StartingFailureStrategy, error) {
	return enums.ParseStartingFailure(name)
}

// ParseRunningFailure reads a running failure strategy by name
// ("RESTART_PROCESS"). Safe for concurrent use.
func ParseRunningFailure(name string) (RunningFailureStrategy, error) {
	return enums.ParseRunningFailure(name)
}
