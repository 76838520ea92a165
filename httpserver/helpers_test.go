package httpserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// newTestServer returns a server with the test and snake namespaces and
// the alias test.sum → test.add.
func newTestServer(tb testing.TB, opts Options) (*Server, *testxmlrpc.Service) {
	tb.Helper()
	svc := &testxmlrpc.Service{}
	s := NewServer(opts)
	if err := s.XMLRPC().RegisterService("test", svc, xmlrpc.LowerCamel, testxmlrpc.Help); err != nil {
		tb.Fatal(err)
	}
	if err := s.XMLRPC().RegisterService("snake", testxmlrpc.SnakeService{}, xmlrpc.SnakeCase, nil); err != nil {
		tb.Fatal(err)
	}
	if err := s.XMLRPC().RegisterAlias("test.sum", "test.add"); err != nil {
		tb.Fatal(err)
	}
	return s, svc
}

// serve runs s on a loopback TCP port until the test ends and returns its
// base URL.
func serve(tb testing.TB, s *Server) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return "http://" + serveOn(tb, s, l)
}

// serveUnix runs s on a unix socket until the test ends and returns its
// path.
func serveUnix(tb testing.TB, s *Server) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "rpc.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		tb.Fatal(err)
	}
	serveOn(tb, s, l)
	return path
}

func serveOn(tb testing.TB, s *Server, l net.Listener) string {
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			tb.Errorf("serve: %v", err)
		}
	})
	return l.Addr().String()
}

// post sends body to url and returns the status and the reply body.
func post(tb testing.TB, url, contentType string, body io.Reader, setup ...func(*http.Request)) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, f := range setup {
		f(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(out)
}

// newClient returns a client of url, closed when the test ends.
func newClient(tb testing.TB, url string, opts xmlrpc.ClientOptions) *xmlrpc.Client {
	tb.Helper()
	c, err := xmlrpc.NewClient(url, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}
