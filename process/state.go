// Package process supervises local child processes with the semantics of
// Supervisor 4.2.5: its process state machine (fsm.go), spawning with its
// checks, environment and error texts (spawn.go, command.go, environ.go),
// reaping (reaper.go), output capture (capture.go), and process groups with
// the operations supervisord's XML-RPC interface performs on them.
//
// The decisions are a pure state machine table-tested without clocks or
// processes; everything else is a thin shell that feeds it events (spawns,
// exits, timers, requests) and carries out what it asks for.
package process

import "fmt"

// State is a Supervisor process state, with the codes of supervisor/states.py.
// It is a plain value, safe for concurrent use.
type State int

// The process states and their wire codes.
const (
	Stopped  State = 0
	Starting State = 10
	Running  State = 20
	Backoff  State = 30
	Stopping State = 40
	Exited   State = 100
	Fatal    State = 200
	Unknown  State = 1000
)

var stateNames = map[State]string{
	Stopped:  "STOPPED",
	Starting: "STARTING",
	Running:  "RUNNING",
	Backoff:  "BACKOFF",
	Stopping: "STOPPING",
	Exited:   "EXITED",
	Fatal:    "FATAL",
	Unknown:  "UNKNOWN",
}

// String returns the state's name as Supervisor spells it ("RUNNING"), or
// "STATE_<n>" for a code outside the table.
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("STATE_%d", int(s))
}

// IsRunning reports whether s is one of Supervisor's RUNNING_STATES
// (RUNNING, BACKOFF, STARTING).
func (s State) IsRunning() bool {
	return s == Running || s == Backoff || s == Starting
}

// IsStopped reports whether s is one of Supervisor's STOPPED_STATES
// (STOPPED, EXITED, FATAL, UNKNOWN).
func (s State) IsStopped() bool {
	return s == Stopped || s == Exited || s == Fatal || s == Unknown
}

// IsSignallable reports whether s is one of Supervisor's SIGNALLABLE_STATES
// (RUNNING, STARTING, STOPPING).
func (s State) IsSignallable() bool {
	return s == Running || s == Starting || s == Stopping
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
