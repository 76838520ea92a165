// Package api holds the XML-RPC replies as structs: one set of types, which
// the agent's namespaces send and the Go client (package client) receives.
// Their `xmlrpc` tags are the wire's member names and their fields are in
// the order the agent sends them; a client ignores the members a newer
// server adds and leaves missing ones zero. Timestamps are epoch seconds, 0
// for never (client.Time converts one). Enumerations are package enums'
// types and fault codes package fault's.
// The structs the event stream carries (package eventstream) have `json`
// tags too, with the same names.
//
// It imports the standard library and the leaf packages enums and fault
// only.
package api
