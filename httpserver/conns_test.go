package httpserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/internal/testwait"
	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
)

// authServer serves a test server with credentials user/pass, at most
// maxConns connections per listener and the given unauthenticated idle
// timeout; the header timeout is a minute, so that only that one can
// drop an idle connection within settle.
func authServer(t testing.TB, maxConns int, unauthIdle time.Duration) (addr string, conns *openConns) {
	t.Helper()
	s, _ := newTestServer(t, Options{Username: "user", Password: "pass", MaxConns: maxConns})
	s.http.ReadHeaderTimeout, s.unauthIdleTimeout = time.Minute, unauthIdle
	conns = countConns(s)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, s, l), conns
}

// keepAlive is a client connection on which requests are sent one after
// the other.
type keepAlive struct {
	net.Conn
	r *bufio.Reader
}

func dialKeepAlive(t testing.TB, addr string) *keepAlive {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &keepAlive{Conn: c, r: bufio.NewReader(c)}
}

// call posts body to /RPC2 with the credentials user:pass (none when
// user is "") and extra header lines, and returns the reply.
func (k *keepAlive) call(t testing.TB, user, pass, body, extra string) *http.Response {
	t.Helper()
	auth := ""
	if user != "" {
		req, _ := http.NewRequest(http.MethodPost, "/", nil)
		req.SetBasicAuth(user, pass)
		auth = "Authorization: " + req.Header.Get("Authorization") + "\r\n"
	}
	_ = k.SetDeadline(time.Now().Add(settle))
	fmt.Fprintf(k, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n%s%sContent-Length: %d\r\n\r\n%s",
		auth, extra, len(body), body)
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("reply body: %v", err)
	}
	resp.Body.Close()
	return resp
}

// closed waits until the server closes c, whose replies are read
// through r (nil: c), and says why not if it still holds it after settle
// or sends something.
func closed(c net.Conn, r io.Reader, what string) error {
	_ = c.SetReadDeadline(time.Now().Add(settle))
	if r == nil {
		r = c
	}
	n, err := io.Copy(io.Discard, r)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%s: the server still holds the connection after %v", what, settle)
	}
	if n != 0 {
		return fmt.Errorf("%s: %d unexpected bytes before the close", what, n)
	}
	return nil
}

var addCall = testxmlrpc.CallXML("test.add", "<int>1</int>", "<int>2</int>")

// TestRefusalsCloseTheConnection: a 401 and a 400 say Connection: close
// and the server closes the connection after them (finding #7 of issue
// 11: a 401 left it open for the 30-minute idle timeout).
func TestRefusalsCloseTheConnection(t *testing.T) {
	addr, _ := authServer(t, 0, time.Minute)
	for _, c := range []struct {
		name, user, pass, body string
		want                   int
	}{
		{"wrong password", "user", "nope", addCall, http.StatusUnauthorized},
		{"no credentials", "", "", addCall, http.StatusUnauthorized},
		{"malformed xml", "user", "pass", "<methodCall><methodName>", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := dialKeepAlive(t, addr)
			resp := k.call(t, c.user, c.pass, c.body, "")
			if resp.StatusCode != c.want || !resp.Close {
				t.Errorf("HTTP %d, Connection: %q; want %d and close", resp.StatusCode, resp.Header.Get("Connection"), c.want)
			}
			if err := closed(k, k.r, c.name); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestUnauthenticatedIdleConnectionsAreDropped: a connection that sends
// nothing, or that got a 403 without credentials, is closed once the
// unauthenticated idle timeout passes (with credentials configured, the
// header timeout of a minute would have kept it); an authenticated one,
// idle longer than that meanwhile, is kept.
func TestUnauthenticatedIdleConnectionsAreDropped(t *testing.T) {
	addr, _ := authServer(t, 0, 300*time.Millisecond)
	authed := dialKeepAlive(t, addr)
	if resp := authed.call(t, "user", "pass", addCall, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("authenticated call: HTTP %d", resp.StatusCode)
	}

	silent := dialKeepAlive(t, addr)
	forbidden := dialKeepAlive(t, addr)
	if resp := forbidden.call(t, "", "", addCall, "Sec-Fetch-Site: cross-site\r\n"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site call: HTTP %d, want 403", resp.StatusCode)
	}
	if err := closed(silent, nil, "a connection that sends nothing"); err != nil {
		t.Error(err)
	}
	if err := closed(forbidden, forbidden.r, "a connection idle after a 403"); err != nil {
		t.Error(err)
	}

	// The authenticated connection has been idle since before those two
	// were opened: longer than their timeout.
	if resp := authed.call(t, "user", "pass", addCall, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("authenticated connection after the others were dropped: HTTP %d", resp.StatusCode)
	}
}

// TestConnectionsOverTheCapAreClosed: with 4 connections open, the next
// ones are closed at once, while the connections open go on being served;
// once one of them closes, a new one gets in.
func TestConnectionsOverTheCapAreClosed(t *testing.T) {
	const maxConns = 4
	addr, conns := authServer(t, maxConns, time.Minute)
	authed := dialKeepAlive(t, addr)
	if resp := authed.call(t, "user", "pass", addCall, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("authenticated call: HTTP %d", resp.StatusCode)
	}
	var idle []*keepAlive
	for range maxConns - 1 {
		idle = append(idle, dialKeepAlive(t, addr))
	}
	waitFor(t, func() (bool, string) {
		open, _ := conns.counts()
		return open == maxConns, fmt.Sprintf("%d connections open, want %d", open, maxConns)
	})

	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(addCall), addCall)
			if err := closed(c, nil, "a connection over the cap"); err != nil {
				t.Error(err)
			}
		})
	}
	for range 20 {
		if resp := authed.call(t, "user", "pass", addCall, ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("the connection open while others are refused: HTTP %d", resp.StatusCode)
		}
	}
	wg.Wait()
	if open, _ := conns.counts(); open != maxConns {
		t.Errorf("%d connections open, want %d", open, maxConns)
	}

	idle[0].Close()
	waitFor(t, func() (bool, string) {
		open, _ := conns.counts()
		return open == maxConns-1, fmt.Sprintf("%d connections open, want %d", open, maxConns-1)
	})
	if resp := dialKeepAlive(t, addr).call(t, "user", "pass", addCall, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("a new connection below the cap: HTTP %d", resp.StatusCode)
	}
}

// waitFor polls cond until it holds, for settle at most.
func waitFor(t testing.TB, cond func() (bool, string)) {
	t.Helper()
	testwait.For(t, settle, cond)
}
