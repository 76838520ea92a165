package client

import (
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/strategy"
)

// ProcessState is a Supervisor process state, with its wire code (the
// statecode/state of a reply): package process's type, whose String is the
// name ("RUNNING"). A plain value, safe for concurrent use.
type ProcessState = process.State

// The process states and their wire codes.
const (
	ProcessStopped  = process.Stopped
	ProcessStarting = process.Starting
	ProcessRunning  = process.Running
	ProcessBackoff  = process.Backoff
	ProcessStopping = process.Stopping
	ProcessExited   = process.Exited
	ProcessFatal    = process.Fatal
	ProcessUnknown  = process.Unknown
)

// SupervisorState is supervisord's own state (getState's statecode),
// package process's type. A plain value, safe for concurrent use.
type SupervisorState = process.SupervisorState

// The supervisord states and their wire codes.
const (
	SupervisorFatal      = process.SupervisorFatal
	SupervisorRunning    = process.SupervisorRunning
	SupervisorRestarting = process.SupervisorRestarting
	SupervisorShutdown   = process.SupervisorShutdown
)

// SupvisorsState is the state of Supvisors on one node
// (get_supvisors_state's statecode), package view's type. A plain value,
// safe for concurrent use.
type SupvisorsState = view.State

// The Supvisors states and their wire codes.
const (
	SupvisorsInitialization = view.Initialization
	SupvisorsDeployment     = view.Deployment
	SupvisorsOperation      = view.Operation
	SupvisorsConciliation   = view.Conciliation
	SupvisorsRestarting     = view.Restarting
	SupvisorsShuttingDown   = view.ShuttingDown
	SupvisorsShutdown       = view.Shutdown
)

// AddressState is the state of an address of address_list as one node sees
// it (get_address_info's statecode), package view's type. A plain value,
// safe for concurrent use.
type AddressState = view.AddressState

// The address states and their wire codes.
const (
	AddressUnknown   = view.AddressUnknown
	AddressChecking  = view.AddressChecking
	AddressRunning   = view.AddressRunning
	AddressSilent    = view.AddressSilent
	AddressIsolating = view.AddressIsolating
	AddressIsolated  = view.AddressIsolated
)

// ApplicationState is the state of an application over its processes
// (get_application_info's statecode), package view's type. A plain value,
// safe for concurrent use.
type ApplicationState = view.ApplicationState

// The application states and their wire codes (the spec's order).
const (
	ApplicationUnknown  = view.ApplicationUnknown
	ApplicationStopped  = view.ApplicationStopped
	ApplicationStarting = view.ApplicationStarting
	ApplicationStopping = view.ApplicationStopping
	ApplicationRunning  = view.ApplicationRunning
)

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
