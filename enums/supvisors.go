package enums

import "fmt"

// SupvisorsState is the Supvisors state of one node, with the wire codes of
// DESIGN.md. It is a plain value, safe for concurrent use.
type SupvisorsState int

// The Supvisors states.
const (
	SupvisorsInitialization SupvisorsState = iota
	SupvisorsDeployment
	SupvisorsOperation
	SupvisorsConciliation
	SupvisorsRestarting
	SupvisorsShuttingDown
	SupvisorsShutdown
)

var supvisorsStateNames = [...]string{"INITIALIZATION", "DEPLOYMENT", "OPERATION", "CONCILIATION", "RESTARTING", "SHUTTING_DOWN", "SHUTDOWN"}

// String returns the state's name as Supvisors spells it.
func (s SupvisorsState) String() string { return nameOf(supvisorsStateNames[:], int(s), "STATE") }

// AddressState is the state of an address of address_list as one node sees
// it. It is a plain value, safe for concurrent use.
type AddressState int

// The address states.
const (
	AddressUnknown AddressState = iota
	AddressChecking
	AddressRunning
	AddressSilent
	AddressIsolating
	AddressIsolated
)

var addressStateNames = [...]string{"UNKNOWN", "CHECKING", "RUNNING", "SILENT", "ISOLATING", "ISOLATED"}

// String returns the state's name as Supvisors spells it.
func (s AddressState) String() string { return nameOf(addressStateNames[:], int(s), "STATE") }

// ApplicationState is the state of an application over its processes. It
// is a plain value, safe for concurrent use.
type ApplicationState int

// The application states, in the spec's order.
const (
	ApplicationUnknown ApplicationState = iota
	ApplicationStopped
	ApplicationStarting
	ApplicationStopping
	ApplicationRunning
)

var applicationStateNames = [...]string{"UNKNOWN", "STOPPED", "STARTING", "STOPPING", "RUNNING"}

// String returns the state's name as Supvisors spells it.
func (s ApplicationState) String() string { return nameOf(applicationStateNames[:], int(s), "STATE") }

// nameOf is the name of code i in names, or "<unknown>_<i>" outside it.
func nameOf(names []string, i int, unknown string) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s_%d", unknown, i)
}
