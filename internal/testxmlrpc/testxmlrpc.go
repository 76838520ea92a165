// Package testxmlrpc holds what the tests of package xmlrpc and of the HTTP
// server share: a namespace to call (Service), its args types, and helpers
// to write calls and check faults. Methods without params take *struct{},
// which xmlrpc.NoArgs is: this package cannot import xmlrpc, whose own
// tests use it.
package testxmlrpc

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/fault"
)

// Service is the namespace "test" the tests call; its zero value is ready.
type Service struct {
	mu     sync.Mutex
	events []string
}

// Record records an event.
func (s *Service) Record(event string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, event)
}

// Recorded returns the events recorded so far.
func (s *Service) Recorded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

// EchoArgs are Echo's params.
type EchoArgs struct {
	Value any
}

// Echo returns its param as decoded.
func (s *Service) Echo(_ *http.Request, args *EchoArgs, reply *any) error {
	*reply = args.Value
	return nil
}

// AddArgs are Add's and Info's params.
type AddArgs struct {
	A, B int
}

// Add returns A+B.
func (s *Service) Add(_ *http.Request, args *AddArgs, reply *int) error {
	*reply = args.A + args.B
	return nil
}

// GreetArgs are Greet's params: a required one, then optional ones with
// and without defaults.
type GreetArgs struct {
	Name  string
	Loud  bool   `xmlrpc:"loud,optional" default:"true"`
	Times int    `xmlrpc:"times,optional" default:"2"`
	Tail  string `xmlrpc:"tail,optional"`
}

// Greet shows which optional params took their defaults.
func (s *Service) Greet(_ *http.Request, args *GreetArgs, reply *string) error {
	*reply = fmt.Sprintf("%s/%v/%d/%q", args.Name, args.Loud, args.Times, args.Tail)
	return nil
}

// FailArgs are Fail's params.
type FailArgs struct {
	Code int
	Text string
}

// Fail returns the fault Code (wrapped), or a plain error when Code is 0.
func (s *Service) Fail(_ *http.Request, args *FailArgs, reply *bool) error {
	if args.Code == 0 {
		return errors.New(args.Text)
	}
	return fmt.Errorf("context: %w", fault.New(fault.Code(args.Code), args.Text))
}

// Panic panics, as a method with a bug would.
func (s *Service) Panic(_ *http.Request, _ *struct{}, reply *bool) error {
	var m map[string]int
	m["boom"]++ // a nil-map write: a runtime panic
	return nil
}

// Control returns text with characters XML 1.0 cannot carry.
func (s *Service) Control(_ *http.Request, _ *struct{}, reply *string) error {
	*reply = "\x1b[31mred\x1b[0m\x00end\r\n"
	return nil
}

// TypesArgs are Types' params: one of each type a param may have.
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

// Inner is a struct param, with tagged member names.
type Inner struct {
	Name  string `xmlrpc:"name"`
	Count int    `xmlrpc:"count"`
}

// Types returns its params as a struct, so a client sees every type back.
func (s *Service) Types(_ *http.Request, args *TypesArgs, reply *TypesArgs) error {
	*reply = *args
	return nil
}

// StepArgs are Step's params.
type StepArgs struct {
	Name  string
	Delay int `xmlrpc:"delay,optional"`
}

// Step records its name when it starts and ends, taking Delay ms between.
func (s *Service) Step(r *http.Request, args *StepArgs, reply *string) error {
	s.Record("start " + args.Name)
	select {
	case <-time.After(time.Duration(args.Delay) * time.Millisecond):
	case <-r.Context().Done():
		return r.Context().Err()
	}
	s.Record("end " + args.Name)
	*reply = args.Name
	return nil
}

// Info returns a getAllProcessInfo-shaped array of n structs.
func (s *Service) Info(_ *http.Request, args *AddArgs, reply *[]api.ProcessInfo) error {
	*reply = ProcessInfos(args.A)
	return nil
}

// NotPublished has no gorilla shape and must not be listed.
func (s *Service) NotPublished() string { return "" }

// ProcessInfos returns a getAllProcessInfo-shaped array of n processes.
func ProcessInfos(n int) []api.ProcessInfo {
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

// SnakeService is a namespace named the Supvisors way.
type SnakeService struct{}

// GetAPIVersion returns "0.1" (get_api_version).
func (SnakeService) GetAPIVersion(_ *http.Request, _ *struct{}, reply *string) error {
	*reply = "0.1"
	return nil
}

// Help is the help text of some of Service's methods.
var Help = map[string]string{
	"test.echo": "Return the param.\n@param any value\n@return any value",
	"test.add":  "Add two ints.\n@param int a\n@param int b\n@return int sum",
}

// CallXML is a <methodCall> of method with already-encoded param values.
func CallXML(method string, values ...string) string {
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>" + method + "</methodName>\n<params>\n")
	for _, v := range values {
		b.WriteString("<param>\n<value>" + v + "</value>\n</param>\n")
	}
	b.WriteString("</params>\n</methodCall>\n")
	return b.String()
}

// WantFault checks that err is the fault code with text.
func WantFault(tb testing.TB, err error, code fault.Code, text string) {
	tb.Helper()
	f, ok := errors.AsType[*fault.Fault](err)
	if !ok {
		tb.Fatalf("got error %v, want fault %d %q", err, code, text)
	}
	if f.Code != code || f.String != text {
		tb.Fatalf("got fault %d %q, want %d %q", f.Code, f.String, code, text)
	}
}

// EncodeUTF16 is s in UTF-16 of that byte order, without a byte order
// mark.
func EncodeUTF16(order unicode.Endianness, s string) string {
	out, err := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return out
}
