// Package xmlrpc speaks Supervisor's dialect of XML-RPC: the codec (a
// decoder with limits against hostile documents, an encoder that clamps
// and escapes as supervisord does), a Handler that dispatches calls to
// gorilla/rpc-style services and has the `system` namespace (listMethods,
// methodHelp, methodSignature, multicall), and a small Client. It knows
// nothing of the agent: the HTTP server mounts the Handler, and the
// namespaces are registered on it.
//
// Service methods have gorilla's shape:
//
//	func (s *T) GetProcessInfo(r *http.Request, args *NameArgs, reply *api.ProcessInfo) error
//
// Params map positionally onto the exported fields of the args struct, in
// declaration order; trailing fields tagged `xmlrpc:"name,optional"` may be
// missing and then take their `default:"..."` tag value. The value *reply
// points to is the single <param> of the reply. A returned *fault.Fault (or
// an error wrapping one) is sent as that fault; any other error as FAILED.
package xmlrpc
