// Package httpserver is the agent's HTTP server, as supervisord's
// [inet_http_server] and [unix_http_server]: one cross-origin check and one
// basic auth in front of every route, body and connection limits, timeouts
// that drop slow clients but never cut a long call or stream, and TLS. It
// mounts package xmlrpc's Handler at /RPC2 and /; other routes (the log
// tails) are added with Handle.
package httpserver
