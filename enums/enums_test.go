package enums

import (
	"fmt"
	"testing"
)

func TestNamesAndWireCodes(t *testing.T) {
	for _, c := range []struct {
		v    fmt.Stringer
		want string
	}{
		{ProcessStopped, "STOPPED"}, {ProcessStarting, "STARTING"}, {ProcessRunning, "RUNNING"}, {ProcessBackoff, "BACKOFF"},
		{ProcessStopping, "STOPPING"}, {ProcessExited, "EXITED"}, {ProcessFatal, "FATAL"}, {ProcessUnknown, "UNKNOWN"},
		{ProcessState(5), "STATE_5"},
		{SupervisorFatal, "FATAL"}, {SupervisorRunning, "RUNNING"}, {SupervisorRestarting, "RESTARTING"}, {SupervisorShutdown, "SHUTDOWN"},
		{SupvisorsInitialization, "INITIALIZATION"}, {SupvisorsDeployment, "DEPLOYMENT"}, {SupvisorsOperation, "OPERATION"},
		{SupvisorsConciliation, "CONCILIATION"}, {SupvisorsRestarting, "RESTARTING"}, {SupvisorsShuttingDown, "SHUTTING_DOWN"},
		{SupvisorsShutdown, "SHUTDOWN"}, {SupvisorsState(7), "STATE_7"},
		{AddressUnknown, "UNKNOWN"}, {AddressChecking, "CHECKING"}, {AddressRunning, "RUNNING"}, {AddressSilent, "SILENT"},
		{AddressIsolating, "ISOLATING"}, {AddressIsolated, "ISOLATED"},
		{ApplicationUnknown, "UNKNOWN"}, {ApplicationStopped, "STOPPED"}, {ApplicationStarting, "STARTING"},
		{ApplicationStopping, "STOPPING"}, {ApplicationRunning, "RUNNING"}, {ApplicationState(-1), "STATE_-1"},
		{StartConfig, "CONFIG"}, {StartLessLoaded, "LESS_LOADED"}, {StartMostLoaded, "MOST_LOADED"}, {StartLocal, "LOCAL"},
		{ConciliateSenicide, "SENICIDE"}, {ConciliateInfanticide, "INFANTICIDE"}, {ConciliateUser, "USER"},
		{ConciliateStop, "STOP"}, {ConciliateRestart, "RESTART"}, {ConciliateRunningFailure, "RUNNING_FAILURE"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.v, got, c.want)
		}
	}
	// The wire codes of DESIGN.md.
	if int(ProcessUnknown) != 1000 || int(SupvisorsShutdown) != 6 || int(AddressIsolated) != 5 || int(ApplicationRunning) != 4 ||
		int(StartLocal) != 3 || int(ConciliateRunningFailure) != 5 {
		t.Error("wire codes differ from DESIGN.md")
	}
	if !ProcessBackoff.IsRunning() || ProcessStopping.IsRunning() || !ProcessExited.IsStopped() || ProcessStopping.IsStopped() {
		t.Error("IsRunning/IsStopped")
	}
	if s, err := ParseStarting("less_loaded"); err != nil || s != StartLessLoaded {
		t.Errorf("ParseStarting(less_loaded) = %v, %v", s, err)
	}
	if s, err := ParseConciliation("Senicide"); err != nil || s != ConciliateSenicide {
		t.Errorf("ParseConciliation(Senicide) = %v, %v", s, err)
	}
	if _, err := ParseStarting("sometimes"); err == nil {
		t.Error("ParseStarting(sometimes) accepted")
	}
	if f, err := ParseStartingFailure("continue"); err != nil || f.String() != "CONTINUE" {
		t.Errorf("ParseStartingFailure(continue) = %v, %v", f, err)
	}
	if r, err := ParseRunningFailure("RESTART_PROCESS"); err != nil || r.String() != "RESTART_PROCESS" {
		t.Errorf("ParseRunningFailure = %v, %v", r, err)
	}
}
