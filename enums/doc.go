// Package enums holds the enumerations that the agent's layers and its
// clients share, with their wire codes (DESIGN.md's table), as Supervisor's
// states.py and Supvisors' ttypes.py hold theirs: process and supervisord
// states (process.go), Supvisors, address and application states
// (supvisors.go), and the strategies (strategy.go).
//
// It is a leaf: it imports the standard library only, so that the pure
// core (cluster/view, strategy, conciliation) and the clients can name a
// state without linking the packages that act on it.
package enums
