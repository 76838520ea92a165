// Package rpc is the agent's XML-RPC server: the HTTP server in front of
// package xmlrpc's Handler (basic auth, body limits, connection limits and
// timeouts, /RPC2, extra routes such as /logtail), and the `supervisor` and
// `supvisors` services.
package rpc
