package enums

import "testing"

func TestEnumCodesAndNames(t *testing.T) {
	states := []struct {
		s    SupvisorsState
		code int
		name string
	}{
		{SupvisorsInitialization, 0, "INITIALIZATION"}, {SupvisorsDeployment, 1, "DEPLOYMENT"}, {SupvisorsOperation, 2, "OPERATION"},
		{SupvisorsConciliation, 3, "CONCILIATION"}, {SupvisorsRestarting, 4, "RESTARTING"}, {SupvisorsShuttingDown, 5, "SHUTTING_DOWN"},
		{SupvisorsShutdown, 6, "SHUTDOWN"}, {SupvisorsState(7), 7, "STATE_7"}, {SupvisorsState(-1), -1, "STATE_-1"},
	}
	for _, tt := range states {
		if int(tt.s) != tt.code || tt.s.String() != tt.name {
			t.Errorf("State %d: code %d name %q, want %d %q", tt.s, int(tt.s), tt.s.String(), tt.code, tt.name)
		}
	}
	addresses := []struct {
		s    AddressState
		code int
		name string
	}{
		{AddressUnknown, 0, "UNKNOWN"}, {AddressChecking, 1, "CHECKING"}, {AddressRunning, 2, "RUNNING"},
		{AddressSilent, 3, "SILENT"}, {AddressIsolating, 4, "ISOLATING"}, {AddressIsolated, 5, "ISOLATED"},
		{AddressState(6), 6, "STATE_6"},
	}
	for _, tt := range addresses {
		if int(tt.s) != tt.code || tt.s.String() != tt.name {
			t.Errorf("AddressState %d: code %d name %q, want %d %q", tt.s, int(tt.s), tt.s.String(), tt.code, tt.name)
		}
	}
	apps := []struct {
		s    ApplicationState
		code int
		name string
	}{
		{ApplicationUnknown, 0, "UNKNOWN"}, {ApplicationStopped, 1, "STOPPED"}, {ApplicationStarting, 2, "STARTING"},
		{ApplicationStopping, 3, "STOPPING"}, {ApplicationRunning, 4, "RUNNING"}, {ApplicationState(5), 5, "STATE_5"},
	}
	for _, tt := range apps {
		if int(tt.s) != tt.code || tt.s.String() != tt.name {
			t.Errorf("ApplicationState %d: code %d name %q, want %d %q", tt.s, int(tt.s), tt.s.String(), tt.code, tt.name)
		}
	}
}
