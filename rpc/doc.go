// Package rpc is the agent's XML-RPC layer: a codec for gorilla/rpc v1 that
// speaks Supervisor's dialect of XML-RPC, the HTTP handler in front of it
// (basic auth, body limits, /RPC2, extra routes such as /logtail), the
// `system` namespace (listMethods, methodHelp, methodSignature, multicall),
// the `supervisor` and `supvisors` services, and a small Go client.
//
// Service methods have gorilla's shape:
//
//	func (s *T) GetProcessInfo(r *http.Request, args *NameArgs, reply *ProcessInfo) error
//
// Params map positionally onto the exported fields of the args struct, in
// declaration order; trailing fields tagged `xmlrpc:"name,optional"` may be
// missing and then take their `default:"..."` tag value. The value *reply
// points to is the single <param> of the reply. A returned *fault.Fault (or
// an error wrapping one) is sent as that fault; any other error as FAILED.
package rpc
