// Package client is a typed Go client of a supvisors agent (or of any
// supervisord): one Go method per XML-RPC method of the `system`,
// `supervisor` (Supervisor 4.2.5) and `supvisors` namespaces, with typed
// arguments and replies.
//
// The methods of a namespace hang off a small value got from the client,
// as Python's proxies spell them:
//
//	c, err := client.New("http://127.0.0.1:9001", client.Options{Username: "user", Password: "123"})
//	state, err := c.Supervisor().GetState(ctx)
//	infos, err := c.Supvisors().GetAllProcessInfo(ctx)
//	methods, err := c.System().ListMethods(ctx)
//
// Errors: an XML-RPC fault is returned as a *fault.Fault (package
// github.com/supvisors/supvisors-go/fault), unwrapped, so that
// errors.As(err, &f) or FaultCode(err) tell its code. Anything else (the
// server cannot be reached, it answers an HTTP error, its reply does not
// have the expected shape) is an error that names the method and the server
// and wraps the cause: errors.Is(err, ErrUnauthorized) for refused
// credentials (HTTP 401), errors.Is(err, syscall.ECONNREFUSED) for a server
// that is not listening, errors.Is(err, context.DeadlineExceeded) for a call
// that ran out of time, errors.As(err, new(*xmlrpc.HTTPError)) for any other
// HTTP status.
//
// Timestamps (process start/stop/now, address times, last event times) are
// kept as the wire sends them: int64 epoch seconds, 0 meaning "never"; Time
// converts one to a time.Time. Enumerations sent as integer codes (process,
// supervisor, Supvisors, address and application states, strategies) are
// package enums' types, with String methods; strategy arguments are sent as
// their integer code.
//
// A Client and the namespace values it hands out are safe for concurrent
// use.
package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// Options configures a Client; New reads it once and keeps no reference to
// it (but to TLSConfig).
type Options struct {
	// Username and Password are sent as HTTP basic auth when Username is
	// set; otherwise credentials in the URL (http://user:pass@host), if
	// any, are.
	Username, Password string
	// Timeout bounds each call, on top of the deadline of its context
	// (0: no bound but the context's). Calls that wait for processes to
	// start or stop (wait=true) may need a generous one.
	Timeout time.Duration
	// TLSConfig configures https:// connections (nil: Go's defaults, with
	// the system's roots). It must not be changed once passed to New.
	TLSConfig *tls.Config
}

// Client calls the XML-RPC methods of one agent. Make it with New or
// NewFromEnv. It keeps persistent connections to the server. Safe for
// concurrent use.
type Client struct {
	rpc     *xmlrpc.Client
	url     string // the server URL, without credentials, for messages
	timeout time.Duration
}

// ErrUnauthorized is what errors.Is finds in the error of a call the server
// refused with HTTP 401: missing or wrong credentials.
var ErrUnauthorized = errors.New("authentication refused")

// New returns a client of the agent at serverURL: "http://host:port" or
// "https://host:port" (calls go to /RPC2 unless the URL has a path), or
// "unix:///path/to.sock" (the agent's [unix_http_server]). It does not
// connect: the first call does. Safe for concurrent use.
func New(serverURL string, opts Options) (*Client, error) {
	c, err := xmlrpc.NewClient(serverURL, xmlrpc.ClientOptions{
		Username:  opts.Username,
		Password:  opts.Password,
		TLSConfig: opts.TLSConfig,
	})
	if err != nil {
		return nil, errors.New("client: " + strings.TrimPrefix(err.Error(), "rpc: "))
	}
	return &Client{rpc: c, url: redact(serverURL), timeout: opts.Timeout}, nil
}

// redact removes credentials from a server URL.
func redact(serverURL string) string {
	if strings.HasPrefix(serverURL, "unix://") {
		return serverURL
	}
	u, err := url.Parse(serverURL)
	if err != nil || u.User == nil {
		return serverURL
	}
	u.User = nil
	return u.String()
}

// Environment variables NewFromEnv reads: those Supervisor sets for its
// children (SUPERVISOR_SERVER_URL) and those childutils.getRPCInterface
// reads for credentials.
const (
	EnvServerURL = "SUPERVISOR_SERVER_URL"
	EnvUsername  = "SUPERVISOR_USERNAME"
	EnvPassword  = "SUPERVISOR_PASSWORD"
)

// NewFromEnv is Supvisors' rpcrequests.getRPCInterface(address, env): a
// client of the agent at address, built from the HTTP configuration of the
// local agent found in env (KEY=VALUE strings, as os.Environ returns; the
// last of repeated keys wins). SUPERVISOR_SERVER_URL is required; its
// scheme, port and path are kept and its host replaced by address, which is
// how Supvisors reaches another node: every agent shares the port and the
// credentials (SUPERVISOR_USERNAME, SUPERVISOR_PASSWORD). address "" means
// the local agent, and keeps the URL as it is; a unix:// URL can only reach
// the local agent, so any other address is an error. Safe for concurrent
// use.
func NewFromEnv(address string, env []string) (*Client, error) {
	serverURL, err := ServerURLFor(address, env)
	if err != nil {
		return nil, err
	}
	user, _ := lookupEnv(env, EnvUsername)
	password, _ := lookupEnv(env, EnvPassword)
	return New(serverURL, Options{Username: user, Password: password})
}

// ServerURLFor is the server URL NewFromEnv(address, env) calls: env's
// SUPERVISOR_SERVER_URL with its host replaced by address (unchanged for
// address ""). Safe for concurrent use.
func ServerURLFor(address string, env []string) (string, error) {
	serverURL, ok := lookupEnv(env, EnvServerURL)
	if !ok || serverURL == "" {
		return "", fmt.Errorf("client: %s is not set", EnvServerURL)
	}
	if address == "" {
		return serverURL, nil
	}
	if strings.HasPrefix(serverURL, "unix://") {
		return "", fmt.Errorf("client: %s=%s is a unix socket, which cannot reach address %s", EnvServerURL, serverURL, address)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("client: %s: %w", EnvServerURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("client: %s=%q: want http://host:port, https://host:port or unix:///path", EnvServerURL, serverURL)
	}
	host, err := hostOnly(address)
	if err != nil {
		return "", err
	}
	if port := u.Port(); port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		u.Host = "[" + host + "]"
	} else {
		u.Host = host
	}
	return u.String(), nil
}

// hostOnly checks address is a host name or an IP address (IPv6 with or
// without brackets), without a port.
func hostOnly(address string) (string, error) {
	host := address
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
		if net.ParseIP(host) == nil {
			return "", fmt.Errorf("client: address %q: not an IP address in brackets", address)
		}
		return host, nil
	}
	if net.ParseIP(host) != nil {
		return host, nil
	}
	if host == "" || strings.ContainsAny(host, ":/@?#[] \t") {
		return "", fmt.Errorf("client: address %q: want a host name or an IP address, without a port", address)
	}
	return host, nil
}

// lookupEnv finds key in env, the last of its KEY=VALUE entries.
func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// URL is the server URL the client calls, without credentials. Safe for
// concurrent use.
func (c *Client) URL() string { return c.url }

// Close closes the idle connections to the server; the client stays usable
// (a later call opens a new one). Safe for concurrent use.
func (c *Client) Close() { c.rpc.Close() }

// Call calls any method with params and decodes its reply into reply, a
// non-nil pointer (or nil to discard it): structs by `xmlrpc:"name"` tag,
// maps, slices, scalars or an empty interface. It is what the typed methods
// use, for methods this package does not know. Errors are those of the
// package doc. Safe for concurrent use.
func (c *Client) Call(ctx context.Context, method string, params []any, reply any) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	err := c.rpc.Call(ctx, method, params, reply)
	if err == nil {
		return nil
	}
	if f, ok := errors.AsType[*fault.Fault](err); ok {
		return f
	}
	return &callError{method: method, server: c.url, err: err}
}

// callError is a call that failed without a fault: it names the method and
// the server, and wraps the cause.
type callError struct {
	method, server string
	err            error
}

func (e *callError) Error() string {
	// The xmlrpc client names the method already: say it once.
	cause := strings.TrimPrefix(e.err.Error(), "rpc: call "+e.method+": ")
	return fmt.Sprintf("call %s on %s: %s", e.method, e.server, cause)
}

func (e *callError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrUnauthorized) hold for an HTTP 401.
func (e *callError) Is(target error) bool {
	if target != ErrUnauthorized {
		return false
	}
	h, ok := errors.AsType[*xmlrpc.HTTPError](e.err)
	return ok && h.StatusCode == 401
}

// FaultCode returns the code of the fault err is or wraps, and whether it
// is one. Safe for concurrent use.
func FaultCode(err error) (fault.Code, bool) {
	if f, ok := errors.AsType[*fault.Fault](err); ok {
		return f.Code, true
	}
	return 0, false
}

// Time converts a timestamp of a reply (epoch seconds) to a time.Time in
// the local zone; 0, which the server sends for "never", gives the zero
// time. Safe for concurrent use.
func Time(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}
