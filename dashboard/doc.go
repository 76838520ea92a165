// Package dashboard serves the agent's web pages: the cluster, an address,
// an application and a process, fed live by the event stream (/events) and
// acting through the agent's XML-RPC methods. Everything it needs is
// embedded: templates, one script and one style sheet, no external
// resource. Actions are POST requests that carry a per-session CSRF token
// (and pass the server's cross-origin check); no GET changes anything.
package dashboard
