package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/fault"
)

// testService is the namespace "test" the server tests call.
type testService struct {
	mu     sync.Mutex
	events []string
}

func (s *testService) record(event string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, event)
}

func (s *testService) recorded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

type EchoArgs struct {
	Value any
}

// Echo returns its param as decoded.
func (s *testService) Echo(_ *http.Request, args *EchoArgs, reply *any) error {
	*reply = args.Value
	return nil
}

type AddArgs struct {
	A, B int
}

func (s *testService) Add(_ *http.Request, args *AddArgs, reply *int) error {
	*reply = args.A + args.B
	return nil
}

type GreetArgs struct {
	Name  string
	Loud  bool   `xmlrpc:"loud,optional" default:"true"`
	Times int    `xmlrpc:"times,optional" default:"2"`
	Tail  string `xmlrpc:"tail,optional"`
}

// Greet shows which optional params took their defaults.
func (s *testService) Greet(_ *http.Request, args *GreetArgs, reply *string) error {
	*reply = fmt.Sprintf("%s/%v/%d/%q", args.Name, args.Loud, args.Times, args.Tail)
	return nil
}

type FailArgs struct {
	Code int
	Text string
}

// Fail returns the fault Code (wrapped), or a plain error when Code is 0.
func (s *testService) Fail(_ *http.Request, args *FailArgs, reply *bool) error {
	if args.Code == 0 {
		return errors.New(args.Text)
	}
	return fmt.Errorf("context: %w", fault.New(fault.Code(args.Code), args.Text))
}

func (s *testService) Panic(_ *http.Request, _ *NoArgs, reply *bool) error {
	var m map[string]int
	m["boom"]++ // a nil-map write: a runtime panic
	return nil
}

// Control returns text with characters XML 1.0 cannot carry.
func (s *testService) Control(_ *http.Request, _ *NoArgs, reply *string) error {
	*reply = "\x1b[31mred\x1b[0m\x00end\r\n"
	return nil
}

type TypesArgs struct {
	S      string
	I      int
	I32    int32
	B      bool
	F      float64
	Bytes  []byte
	List   []string
	Any    []any
	Map    map[string]any
	Nested Inner
	T      time.Time
}

type Inner struct {
	Name  string `xmlrpc:"name"`
	Count int    `xmlrpc:"count"`
}

// Types returns its params as a struct, so a client sees every type back.
func (s *testService) Types(_ *http.Request, args *TypesArgs, reply *TypesArgs) error {
	*reply = *args
	return nil
}

type StepArgs struct {
	Name  string
	Delay int `xmlrpc:"delay,optional"`
}

// Step records its name when it starts and ends, taking Delay ms between.
func (s *testService) Step(r *http.Request, args *StepArgs, reply *string) error {
	s.record("start " + args.Name)
	select {
	case <-time.After(time.Duration(args.Delay) * time.Millisecond):
	case <-r.Context().Done():
		return r.Context().Err()
	}
	s.record("end " + args.Name)
	*reply = args.Name
	return nil
}

// Info returns a getAllProcessInfo-shaped array of n structs.
func (s *testService) Info(_ *http.Request, args *AddArgs, reply *[]api.ProcessInfo) error {
	*reply = processInfos(args.A)
	return nil
}

// NotPublished has no gorilla shape and must not be listed.
func (s *testService) NotPublished() string { return "" }

func processInfos(n int) []api.ProcessInfo {
	out := make([]api.ProcessInfo, n)
	for i := range out {
		name := fmt.Sprintf("worker_%04d", i)
		out[i] = api.ProcessInfo{
			Name: name, Group: "workers", Start: 1700000000, Now: 1700000100, State: 20,
			StateName: "RUNNING", Logfile: "/var/log/" + name + ".log", StdoutLogfile: "/var/log/" + name + ".log",
			StderrLogfile: "/var/log/" + name + ".err", PID: 10000 + i, Description: "pid 1234, uptime 0:01:40",
		}
	}
	return out
}

// snakeService is a namespace named the Supvisors way.
type snakeService struct{}

func (snakeService) GetAPIVersion(_ *http.Request, _ *NoArgs, reply *string) error {
	*reply = "0.1"
	return nil
}

var testHelp = map[string]string{
	"test.echo": "Return the param.\n@param any value\n@return any value",
	"test.add":  "Add two ints.\n@param int a\n@param int b\n@return int sum",
}

// newTestServer returns a server with the test and snake namespaces and
// the alias test.sum → test.add.
func newTestServer(tb testing.TB, opts Options) (*Server, *testService) {
	tb.Helper()
	svc := &testService{}
	s := NewServer(opts)
	if err := s.RegisterService("test", svc, LowerCamel, testHelp); err != nil {
		tb.Fatal(err)
	}
	if err := s.RegisterService("snake", snakeService{}, SnakeCase, nil); err != nil {
		tb.Fatal(err)
	}
	if err := s.RegisterAlias("test.sum", "test.add"); err != nil {
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

// callXML is a <methodCall> of method with already-encoded param values.
func callXML(method string, values ...string) string {
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>" + method + "</methodName>\n<params>\n")
	for _, v := range values {
		b.WriteString("<param>\n<value>" + v + "</value>\n</param>\n")
	}
	b.WriteString("</params>\n</methodCall>\n")
	return b.String()
}

// newClient returns a client of url, closed when the test ends.
func newClient(tb testing.TB, url string, opts ClientOptions) *Client {
	tb.Helper()
	c, err := NewClient(url, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// wantFault checks that err is the fault code with text.
func wantFault(tb testing.TB, err error, code fault.Code, text string) {
	tb.Helper()
	f, ok := errors.AsType[*fault.Fault](err)
	if !ok {
		tb.Fatalf("got error %v, want fault %d %q", err, code, text)
	}
	if f.Code != code || f.String != text {
		tb.Fatalf("got fault %d %q, want %d %q", f.Code, f.String, code, text)
	}
}
