package xmlrpc

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// DefaultMaxReplyBytes is the reply size limit when ClientOptions leaves it
// 0.
const DefaultMaxReplyBytes = 64 << 20

// ClientOptions configures a Client; NewClient reads it once and keeps no
// reference to it.
type ClientOptions struct {
	// Username and Password are sent as HTTP basic auth when Username is
	// set; otherwise credentials in the URL (http://user:pass@host) are.
	Username, Password string
	// MaxReplyBytes bounds a reply body (0: DefaultMaxReplyBytes).
	MaxReplyBytes int64
	// TLSConfig configures https:// connections (nil: Go's defaults, the
	// system's roots). NewClient keeps it; it must not be changed after.
	TLSConfig *tls.Config
}

// HTTPError is the error Call returns (wrapped) when the server answers
// with an HTTP status other than 200 OK, e.g. 401 for refused credentials.
// It is immutable, safe for concurrent use.
type HTTPError struct {
	StatusCode int    // e.g. 401
	Status     string // e.g. "401 Unauthorized"
}

// Error implements error: "HTTP 401 Unauthorized".
func (e *HTTPError) Error() string { return "HTTP " + e.Status }

// Client is a minimal XML-RPC client speaking to a supervisord-compatible
// server, over HTTP or a unix socket, on persistent connections. Safe for
// concurrent use.
type Client struct {
	endpoint           string
	http               *http.Client
	username, password string
	limits             limits
	maxReply           int64
}

// NewClient returns a client for serverURL: "http://host:port" or
// "https://host:port" (calls go to /RPC2, as with Python's ServerProxy,
// unless the URL has a path) or "unix:///path/to/socket" (Supervisor's
// serverurl form).
func NewClient(serverURL string, opts ClientOptions) (*Client, error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		TLSClientConfig:     opts.TLSConfig,
	}
	c := &Client{
		http:     &http.Client{Transport: transport},
		username: opts.Username,
		password: opts.Password,
		maxReply: opts.MaxReplyBytes,
	}
	if c.maxReply <= 0 {
		c.maxReply = DefaultMaxReplyBytes
	}
	c.limits = limits{maxDepth: requestLimits.maxDepth, maxElements: int(c.maxReply / 8), maxText: int(c.maxReply)}
	if path, ok := strings.CutPrefix(serverURL, "unix://"); ok {
		if path == "" {
			return nil, fmt.Errorf("rpc: server URL %q names no socket", serverURL)
		}
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", path)
		}
		c.endpoint = "http://localhost/RPC2"
		return c, nil
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, fmt.Errorf("rpc: server URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("rpc: server URL %q: want http://host:port, https://host:port or unix:///path", serverURL)
	}
	if u.User != nil && c.username == "" {
		c.username = u.User.Username()
		c.password, _ = u.User.Password()
	}
	u.User = nil
	if u.Path == "" {
		u.Path = "/RPC2"
	}
	c.endpoint = u.String()
	return c, nil
}

// Call calls method with params and decodes the reply into reply, a
// non-nil pointer (or nil to discard it): into structs by `xmlrpc:"name"`
// tag, maps, slices, scalars or an empty interface. A fault comes back as a
// *fault.Fault error; an HTTP status other than 200 as an error wrapping an
// *HTTPError; anything else that goes wrong as another error.
func (c *Client) Call(ctx context.Context, method string, params []any, reply any) error {
	var dst reflect.Value
	if reply != nil {
		dst = reflect.ValueOf(reply)
		if dst.Kind() != reflect.Pointer || dst.IsNil() {
			return fmt.Errorf("rpc: call %s: reply must be a non-nil pointer, not %T", method, reply)
		}
	}
	body, err := appendCall(nil, method, params)
	if err != nil {
		return fmt.Errorf("rpc: call %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("rpc: call %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("Accept", "text/xml")
	if c.username != "" {
		req.SetBasicAuth(c.username, c.password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("rpc: call %s: %w", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("rpc: call %s: %w", method, &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status})
	}
	v, f, err := decodeResponse(http.MaxBytesReader(nil, resp.Body, c.maxReply), c.limits)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return fmt.Errorf("rpc: call %s: reply larger than %d bytes", method, c.maxReply)
		}
		return fmt.Errorf("rpc: call %s: %w", method, err)
	}
	if f != nil {
		return f
	}
	if reply == nil {
		return nil
	}
	if err := assign(dst.Elem(), &v); err != nil {
		return fmt.Errorf("rpc: call %s: reply: %w", method, err)
	}
	return nil
}

// Close closes the idle connections; the client stays usable.
func (c *Client) Close() {
	c.http.CloseIdleConnections()
}
