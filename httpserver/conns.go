package httpserver

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
)

// unauthIdleTimeout is how long a connection that has not yet shown the
// right credentials may stay without a request: from its accept until its
// first request's headers are in, and after each reply. An authenticated
// connection keeps idleTimeout.
const unauthIdleTimeout = 5 * time.Second

// refusedLogEvery spaces the log lines about refused connections.
const refusedLogEvery = 10 * time.Second

// connLimiter is a listener that closes, as soon as it accepts it, any
// connection beyond max open at once, and goes on accepting: the
// connections it keeps are never slowed by the ones it refuses.
type connLimiter struct {
	net.Listener
	max    int64
	logger hclog.Logger

	open    atomic.Int64
	refused atomic.Int64
	lastLog atomic.Int64 // UnixNano of the last log line about refusals
}

// Accept implements net.Listener.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			return &conn{Conn: c, release: func() { l.open.Add(-1) }}, nil
		}
		l.open.Add(-1)
		_ = c.Close()
		l.logRefused(c.RemoteAddr())
	}
}

// logRefused logs the refusals, once per refusedLogEvery at most.
func (l *connLimiter) logRefused(remote net.Addr) {
	l.refused.Add(1)
	now, last := time.Now().UnixNano(), l.lastLog.Load()
	if now-last < int64(refusedLogEvery) || !l.lastLog.CompareAndSwap(last, now) {
		return
	}
	l.logger.Warn("too many connections: new ones are closed at once", "address", l.Addr().String(),
		"max_connections", l.max, "refused", l.refused.Swap(0), "last_remote", remote.String())
}

// conn is a connection a connLimiter let in. It frees its place when it
// is closed, and an unauthenticated one is closed when it stays idle
// longer than its timer allows. Safe for concurrent use.
type conn struct {
	net.Conn
	release   func()
	closeOnce sync.Once

	mu            sync.Mutex
	authenticated bool
	idle          *time.Timer
}

// Close implements net.Conn.
func (c *conn) Close() error {
	c.closeOnce.Do(c.release)
	return c.Conn.Close()
}

// expireIdle closes c once d passes, unless it is authenticated or a
// request starts first (stopIdle).
func (c *conn) expireIdle(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authenticated {
		return
	}
	if c.idle == nil {
		c.idle = time.AfterFunc(d, func() { _ = c.Close() })
		return
	}
	c.idle.Reset(d)
}

func (c *conn) stopIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle != nil {
		c.idle.Stop()
	}
}

// authenticate exempts c from the unauthenticated idle timeout for good.
func (c *conn) authenticate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.authenticated = true
	if c.idle != nil {
		c.idle.Stop()
	}
}

// connOf is the conn under nc, a connection net/http serves (nil for one
// a connLimiter did not accept).
func connOf(nc net.Conn) *conn {
	if t, ok := nc.(*tls.Conn); ok {
		nc = t.NetConn()
	}
	c, _ := nc.(*conn)
	return c
}

type connKey struct{}

// connContext puts the connection in its requests' context, for
// ServeHTTP to mark it authenticated.
func connContext(ctx context.Context, nc net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, connOf(nc))
}

// requestConn is the conn r came on (nil outside Serve).
func requestConn(r *http.Request) *conn {
	c, _ := r.Context().Value(connKey{}).(*conn)
	return c
}

// connState starts the unauthenticated idle timer of a connection that is
// new or idle, and stops it while a request runs. Without credentials to
// check there is nothing to wait for: every connection keeps idleTimeout.
func (s *Server) connState(nc net.Conn, state http.ConnState) {
	c := connOf(nc)
	if c == nil || s.auth == nil {
		return
	}
	switch state {
	case http.StateNew, http.StateIdle:
		c.expireIdle(s.unauthIdleTimeout)
	default:
		c.stopIdle()
	}
}
