// Package rpcinterface holds the agent's XML-RPC namespaces, as
// Supervisor's and Supvisors' rpcinterface modules do: `supervisor` (every
// method of Supervisor 4.2.5, over package process) and `supvisors` (the
// cluster's, over package cluster), which register on an xmlrpc.Handler,
// and the log tail streams `supervisorctl tail -f` reads.
package rpcinterface
