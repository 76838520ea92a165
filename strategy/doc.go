// Package strategy holds the pure decisions of Supvisors' application
// management: placement of a process on an address (starting strategies),
// the start and stop sequences of applications, and what to do when a
// process fails. The strategy enumerations are package enums'. Nothing here
// does I/O; the cluster carries the decisions out.
package strategy
