package enums

import "testing"

func TestStateNames(t *testing.T) {
	for s, want := range map[ProcessState]string{ProcessStopped: "STOPPED", ProcessStarting: "STARTING", ProcessRunning: "RUNNING", ProcessBackoff: "BACKOFF",
		ProcessStopping: "STOPPING", ProcessExited: "EXITED", ProcessFatal: "FATAL", ProcessUnknown: "UNKNOWN", 7: "STATE_7"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
	for s, want := range map[SupervisorState]string{SupervisorFatal: "FATAL", SupervisorRunning: "RUNNING",
		SupervisorRestarting: "RESTARTING", SupervisorShutdown: "SHUTDOWN", 9: "STATE_9"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
	groups := map[ProcessState][3]bool{ // running, stopped, signallable
		ProcessStopped: {false, true, false}, ProcessStarting: {true, false, true}, ProcessRunning: {true, false, true}, ProcessBackoff: {true, false, false},
		ProcessStopping: {false, false, true}, ProcessExited: {false, true, false}, ProcessFatal: {false, true, false}, ProcessUnknown: {false, true, false},
	}
	for s, want := range groups {
		if got := [3]bool{s.IsRunning(), s.IsStopped(), s.IsSignallable()}; got != want {
			t.Errorf("%v: running/stopped/signallable %v, want %v", s, got, want)
		}
	}
}
