package enums

import "fmt"

// ProcessState is a Supervisor process state, with the codes of
// supervisor/states.py. It is a plain value, safe for concurrent use.
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
	ProcessStopped:  "STOPPED",
	ProcessStarting: "STARTING",
	ProcessRunning:  "RUNNING",
	ProcessBackoff:  "BACKOFF",
	ProcessStopping: "STOPPING",
	ProcessExited:   "EXITED",
	ProcessFatal:    "FATAL",
	ProcessUnknown:  "UNKNOWN",
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
// (RUNNING, BACKOFF, STARTING).
func (s ProcessState) IsRunning() bool {
	return s == ProcessRunning || s == ProcessBackoff || s == ProcessStarting
}

// IsStopped reports whether s is one of Supervisor's STOPPED_STATES
// (STOPPED, EXITED, FATAL, UNKNOWN).
func (s ProcessState) IsStopped() bool {
	return s == ProcessStopped || s == ProcessExited || s == ProcessFatal || s == ProcessUnknown
}

// IsSignallable reports whether s is one of Supervisor's SIGNALLABLE_STATES
// (RUNNING, STARTING, STOPPING).
func (s ProcessState) IsSignallable() bool {
	return s == ProcessRunning || s == ProcessStarting || s == ProcessStopping
}

// SupervisorState is supervisord's own state (its "mood", getState). It is a
// plain value, safe for concurrent use.
type SupervisorState int

// The supervisord states and their wire codes.
const (
	SupervisorFatal      SupervisorState = 2
	SupervisorRunning    SupervisorState = 1
	SupervisorRestarting SupervisorState = 0
	SupervisorShutdown   SupervisorState = -1
)

// String returns the state's name as Supervisor spells it ("RUNNING"), or
// "STATE_<n>" for a code outside the table.
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
