package client

import (
	"fmt"

	"github.com/supvisors/supvisors-go/fault"
)

// The reply types of the calls whose wire replies are not structs; the
// structs are package api's.

// ConfigChanges is supervisor.reloadConfig's reply: the groups added,
// changed and removed in the configuration file since it was last read
// (the wire's [[added, changed, removed]]). Nothing is applied yet: the
// caller adds and removes groups, as supervisorctl update does.
// A plain value, safe for concurrent use once filled.
type ConfigChanges struct {
	Added, Changed, Removed []string
}

// Tail is the reply of tailProcessStdoutLog and its variants: the bytes
// read, the offset to ask from next time, and whether more than length
// bytes were written since offset (some were skipped).
// A plain value, safe for concurrent use once filled.
type Tail struct {
	Bytes    string
	Offset   int64
	Overflow bool
}

// Call is one call of a system.multicall: a method and its params.
// A plain value, safe for concurrent use once filled.
type Call struct {
	Method string
	Params []any
}

// MulticallResult is the outcome of one call of a system.multicall: its
// Fault, or its Value as an empty interface receives it (string, int, bool,
// float64, time.Time, []byte, []any, map[string]any).
// A plain value, safe for concurrent use once filled.
type MulticallResult struct {
	Value any
	Fault *fault.Fault
}

// String describes the result, for messages.
func (r MulticallResult) String() string {
	if r.Fault != nil {
		return fmt.Sprintf("fault %d %s", int(r.Fault.Code), r.Fault.String)
	}
	return fmt.Sprintf("%v", r.Value)
}
