package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// These tests drive the typed Go client (package client) against real
// agents: every method of the system and supervisor namespaces against one
// agent (over TCP, its unix socket and https through a TLS proxy), and
// every method of the supvisors namespace against a 2-node cluster with a
// rules file. The main clients go through a transparent recording proxy
// that notes each method name on the wire, so that each test can check it
// called every method the agent lists.

// methodRecorder is a reverse proxy to an agent that records the
// <methodName> of every call it forwards.
type methodRecorder struct {
	url string // the proxy's URL, for client.New

	mu   sync.Mutex
	seen map[string]bool
}

var methodNameRE = regexp.MustCompile(`<methodName>([^<]*)</methodName>`)

// newMethodRecorder starts a recording proxy to the agent at target
// (http://host:port), over TLS when tls is set; the test's cleanup stops
// it.
func newMethodRecorder(t testing.TB, target string, tls bool) (*methodRecorder, *httptest.Server) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rec := &methodRecorder{seen: map[string]bool{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if m := methodNameRE.FindSubmatch(body); m != nil {
			rec.mu.Lock()
			rec.seen[string(m[1])] = true
			rec.mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		proxy.ServeHTTP(w, r)
	})
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(handler)
	} else {
		srv = httptest.NewServer(handler)
	}
	t.Cleanup(srv.Close)
	rec.url = srv.URL
	return rec, srv
}

// missing lists the methods of names under prefix the proxy never saw.
func (rec *methodRecorder) missing(names []string, prefixes ...string) []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []string
	for _, n := range names {
		for _, p := range prefixes {
			if strings.HasPrefix(n, p) && !rec.seen[n] {
				out = append(out, n)
			}
		}
	}
	return out
}

// newTestClient makes a client of serverURL with s's credentials.
func newTestClient(t testing.TB, serverURL string, s *server) *client.Client {
	t.Helper()
	c, err := client.New(serverURL, client.Options{Username: s.user, Password: s.password, Timeout: time.Minute})
	if err != nil {
		t.Fatalf("client.New(%q): %v", serverURL, err)
	}
	t.Cleanup(c.Close)
	return c
}

// faultIs checks err is a fault of code, found with errors.As.
func faultIs(t testing.TB, what string, err error, code fault.Code) {
	t.Helper()
	var f *fault.Fault
	switch {
	case !errors.As(err, &f):
		t.Errorf("%s: %v, want fault %s", what, err, code)
	case f.Code != code:
		t.Errorf("%s: fault %d %q, want %s", what, int(f.Code), f.String, code)
	case !strings.HasPrefix(f.String, code.String()):
		t.Errorf("%s: fault string %q does not start with %s", what, f.String, code)
	}
}

// okResults checks every status result succeeded and returns their
// namespecs, sorted.
func okResults(t testing.TB, what string, results []api.StatusResult, err error) []string {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return nil
	}
	var names []string
	for _, r := range results {
		if !r.OK() || r.Description != "OK" || r.Fault() != nil {
			t.Errorf("%s: %s: %d %s", what, r.Namespec(), int(r.Status), r.Description)
		}
		names = append(names, r.Namespec())
	}
	slices.Sort(names)
	return names
}

// wantNames compares namespecs.
func wantNames(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

// replyOf fails the test on err, or returns the reply.
func replyOf[T any](t testing.TB, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// wireToGo is the Go method name of a wire method name: getAPIVersion →
// GetAPIVersion, get_api_version → GetAPIVersion.
func wireToGo(name string) string {
	var b strings.Builder
	for _, w := range strings.Split(name, "_") {
		if w == "api" {
			b.WriteString("API")
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// checkAPIComplete checks that every method the agent lists has its Go
// method in its namespace's type, and that the types have no others.
func checkAPIComplete(t testing.TB, methods []string, namespaces map[string]any) {
	t.Helper()
	counts := map[string]int{}
	for _, m := range methods {
		ns, name, _ := strings.Cut(m, ".")
		v, ok := namespaces[ns]
		if !ok {
			continue
		}
		counts[ns]++
		if _, ok := reflect.TypeOf(v).MethodByName(wireToGo(name)); !ok {
			t.Errorf("%s: no method %T.%s", m, v, wireToGo(name))
		}
	}
	for ns, v := range namespaces {
		if n := reflect.TypeOf(v).NumMethod(); n != counts[ns] {
			t.Errorf("%T has %d methods, the agent lists %d %s.* methods", v, n, counts[ns], ns)
		}
	}
}

// supervisorBody is the agent that the clients' tests of the system and
// supervisor namespaces run against: a running program, a stopped one, one
// that writes to stderr and reads stdin, and a group of two.
const supervisorBody = `
[program:up]
command=/bin/sleep 1000
startsecs=0

[program:down]
command=/bin/sleep 1000
autostart=false
startsecs=0

[program:cat]
command=/bin/sh -c "echo err >&2; exec /bin/cat"
startsecs=0

[group:g]
programs=a,b

[program:a]
command=/bin/sleep 1000
autostart=false
startsecs=0

[program:b]
command=/bin/sleep 1000
autostart=false
startsecs=0
`

// TestClientSupervisor calls every system.* and supervisor.* method of the
// client against one real agent.
func TestClientSupervisor(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", supervisorBody)
	s.waitStable(t)
	rec, _ := newMethodRecorder(t, s.url, false)
	c := newTestClient(t, rec.url, s)
	sup, sys := c.Supervisor(), c.System()
	ctx := t.Context()

	t.Run("status", func(t *testing.T) {
		for _, f := range []struct {
			name string
			call func(context.Context) (string, error)
			want string
		}{
			{"getAPIVersion", sup.GetAPIVersion, "3.0"},
			{"getVersion", sup.GetVersion, "3.0"},
			{"getSupervisorVersion", sup.GetSupervisorVersion, "4.2.5"},
			{"getIdentification", sup.GetIdentification, "it"},
		} {
			if got, err := f.call(ctx); err != nil || got != f.want {
				t.Errorf("%s: %q, %v; want %q", f.name, got, err, f.want)
			}
		}
		st := replyOf[api.SupervisorStateInfo](t, "getState")(sup.GetState(ctx))
		if st.State != enums.SupervisorRunning || st.State.String() != "RUNNING" || st.StateName != "RUNNING" {
			t.Errorf("getState: %+v", st)
		}
		if pid := replyOf[int](t, "getPID")(sup.GetPID(ctx)); pid != s.cmd.Process.Pid {
			t.Errorf("getPID: %d, want %d", pid, s.cmd.Process.Pid)
		}
	})

	t.Run("process info", func(t *testing.T) {
		up := replyOf[api.ProcessInfo](t, "getProcessInfo up")(sup.GetProcessInfo(ctx, "up"))
		if up.Name != "up" || up.Group != "up" || up.Namespec() != "up" || up.State != enums.ProcessRunning ||
			up.State.String() != up.StateName || up.PID <= 0 || up.Start == 0 || !strings.HasPrefix(up.Description, "pid ") {
			t.Errorf("getProcessInfo(up): %+v", up)
		}
		if start := client.Time(up.Start); time.Since(start) > time.Minute || time.Since(start) < 0 || client.Time(up.Now).Before(start) {
			t.Errorf("getProcessInfo(up): start %v, now %v", start, client.Time(up.Now))
		}
		if up.StdoutLogfile == "" || up.Logfile != up.StdoutLogfile {
			t.Errorf("getProcessInfo(up): log files %q %q", up.Logfile, up.StdoutLogfile)
		}
		down := replyOf[api.ProcessInfo](t, "getProcessInfo down")(sup.GetProcessInfo(ctx, "down"))
		if down.State != enums.ProcessStopped || down.StateName != "STOPPED" || down.PID != 0 || down.Start != 0 ||
			!client.Time(down.Start).IsZero() || down.Description != "Not started" || !down.State.IsStopped() {
			t.Errorf("getProcessInfo(down): %+v", down)
		}
		if a := replyOf[api.ProcessInfo](t, "getProcessInfo g:a")(sup.GetProcessInfo(ctx, "g:a")); a.Namespec() != "g:a" {
			t.Errorf("getProcessInfo(g:a): %+v", a)
		}
		_, err := sup.GetProcessInfo(ctx, "nosuch")
		faultIs(t, "getProcessInfo(nosuch)", err, fault.BadName)

		all := replyOf[[]api.ProcessInfo](t, "getAllProcessInfo")(sup.GetAllProcessInfo(ctx))
		var names []string
		for _, p := range all {
			names = append(names, p.Namespec())
			if p.State.String() != p.StateName {
				t.Errorf("getAllProcessInfo: %s: state %d is %s, statename %s", p.Namespec(), int(p.State), p.State, p.StateName)
			}
		}
		wantNames(t, "getAllProcessInfo", names, "cat", "down", "g:a", "g:b", "up")

		configs := replyOf[[]api.ConfigInfo](t, "getAllConfigInfo")(sup.GetAllConfigInfo(ctx))
		names = nil
		for _, ci := range configs {
			names = append(names, ci.Namespec())
			if ci.Name == "down" && (ci.Autostart || ci.Command != "/bin/sleep 1000" || !ci.Inuse || !slices.Equal(ci.Exitcodes, []int{0}) ||
				ci.Stopsignal != int(syscall.SIGTERM) || ci.Directory != "none" || ci.UID != "none" || ci.Startsecs != 0 || ci.Startretries != 3) {
				t.Errorf("getAllConfigInfo: down: %+v", ci)
			}
		}
		wantNames(t, "getAllConfigInfo", names, "g:a", "g:b", "cat", "down", "up")
	})

	t.Run("start and stop", func(t *testing.T) {
		if res, err := sup.StartProcess(ctx, "down", true); err != nil || res != nil {
			t.Errorf("startProcess(down): %v, %v", res, err)
		}
		if p, _ := sup.GetProcessInfo(ctx, "down"); p.State != enums.ProcessRunning {
			t.Errorf("down after startProcess: %s", p.State)
		}
		_, err := sup.StartProcess(ctx, "down", true)
		faultIs(t, "startProcess(down) again", err, fault.AlreadyStarted)
		if res, err := sup.StopProcess(ctx, "down", true); err != nil || res != nil {
			t.Errorf("stopProcess(down): %v, %v", res, err)
		}
		_, err = sup.StopProcess(ctx, "down", true)
		faultIs(t, "stopProcess(down) again", err, fault.NotRunning)
		_, err = sup.StartProcess(ctx, "nosuch", false)
		faultIs(t, "startProcess(nosuch)", err, fault.BadName)

		res, err := sup.StartProcess(ctx, "g:*", true)
		wantNames(t, "startProcess(g:*)", okResults(t, "startProcess(g:*)", res, err), "g:a", "g:b")
		res, err = sup.StopProcess(ctx, "g:*", true)
		wantNames(t, "stopProcess(g:*)", okResults(t, "stopProcess(g:*)", res, err), "g:a", "g:b")
		res, err = sup.StartProcessGroup(ctx, "g", true)
		wantNames(t, "startProcessGroup(g)", okResults(t, "startProcessGroup(g)", res, err), "g:a", "g:b")
		res, err = sup.SignalProcess(ctx, "g:*", "CONT")
		wantNames(t, "signalProcess(g:*)", okResults(t, "signalProcess(g:*)", res, err), "g:a", "g:b")
		res, err = sup.SignalProcessGroup(ctx, "g", "SIGCONT")
		wantNames(t, "signalProcessGroup(g)", okResults(t, "signalProcessGroup(g)", res, err), "g:a", "g:b")
		res, err = sup.StopProcessGroup(ctx, "g", true)
		wantNames(t, "stopProcessGroup(g)", okResults(t, "stopProcessGroup(g)", res, err), "g:a", "g:b")
		_, err = sup.StartProcessGroup(ctx, "nosuch", true)
		faultIs(t, "startProcessGroup(nosuch)", err, fault.BadName)
		_, err = sup.StopProcessGroup(ctx, "nosuch", true)
		faultIs(t, "stopProcessGroup(nosuch)", err, fault.BadName)

		if res, err := sup.SignalProcess(ctx, "up", "CONT"); err != nil || res != nil {
			t.Errorf("signalProcess(up, CONT): %v, %v", res, err)
		}
		_, err = sup.SignalProcess(ctx, "up", "NOSUCHSIG")
		faultIs(t, "signalProcess(up, NOSUCHSIG)", err, fault.BadSignal)
		_, err = sup.SignalProcess(ctx, "down", "HUP")
		faultIs(t, "signalProcess(down, HUP)", err, fault.NotRunning)
		_, err = sup.SignalProcessGroup(ctx, "nosuch", "HUP")
		faultIs(t, "signalProcessGroup(nosuch)", err, fault.BadName)
		res, err = sup.SignalAllProcesses(ctx, "18")
		wantNames(t, "signalAllProcesses", okResults(t, "signalAllProcesses", res, err), "cat", "up")

		res, err = sup.StopAllProcesses(ctx, true)
		wantNames(t, "stopAllProcesses", okResults(t, "stopAllProcesses", res, err), "cat", "up")
		res, err = sup.StartAllProcesses(ctx, true)
		wantNames(t, "startAllProcesses", okResults(t, "startAllProcesses", res, err), "cat", "down", "g:a", "g:b", "up")
		for _, p := range replyOf[[]api.ProcessInfo](t, "getAllProcessInfo")(sup.GetAllProcessInfo(ctx)) {
			if p.State != enums.ProcessRunning || !p.State.IsRunning() {
				t.Errorf("%s after startAllProcesses: %s", p.Namespec(), p.State)
			}
		}
	})

	t.Run("stdin and logs", func(t *testing.T) {
		if ok, err := sup.SendProcessStdin(ctx, "cat", "hello\n"); err != nil || !ok {
			t.Fatalf("sendProcessStdin(cat): %v, %v", ok, err)
		}
		waitFor(t, 10*time.Second, func() (bool, string) {
			out, err := sup.ReadProcessStdoutLog(ctx, "cat", 0, 0)
			return err == nil && out == "hello\n", out
		})
		if out, err := sup.ReadProcessLog(ctx, "cat", -3, 0); err != nil || out != "lo\n" {
			t.Errorf("readProcessLog(cat, -3, 0): %q, %v", out, err)
		}
		// cat wrote "err" to stderr at each of its starts: twice so far.
		stderr, err := sup.ReadProcessStderrLog(ctx, "cat", 0, 0)
		if err != nil || stderr != "err\nerr\n" {
			t.Errorf("readProcessStderrLog(cat): %q, %v", stderr, err)
		}
		_, err = sup.ReadProcessStdoutLog(ctx, "cat", -1, 5)
		faultIs(t, "readProcessStdoutLog(cat, -1, 5)", err, fault.BadArguments)
		_, err = sup.ReadProcessStdoutLog(ctx, "nosuch", 0, 0)
		faultIs(t, "readProcessStdoutLog(nosuch)", err, fault.BadName)

		if tail, err := sup.TailProcessStdoutLog(ctx, "cat", 0, 100); err != nil || tail != (client.Tail{Bytes: "hello\n", Offset: 6}) {
			t.Errorf("tailProcessStdoutLog(cat, 0, 100): %+v, %v", tail, err)
		}
		if tail, err := sup.TailProcessLog(ctx, "cat", 0, 2); err != nil || tail != (client.Tail{Bytes: "o\n", Offset: 6, Overflow: true}) {
			t.Errorf("tailProcessLog(cat, 0, 2): %+v, %v", tail, err)
		}
		if tail, err := sup.TailProcessStderrLog(ctx, "cat", 0, 100); err != nil || tail.Bytes != stderr || tail.Offset != int64(len(stderr)) || tail.Overflow {
			t.Errorf("tailProcessStderrLog(cat): %+v, %v", tail, err)
		}
		_, err = sup.TailProcessStdoutLog(ctx, "nosuch", 0, 100)
		faultIs(t, "tailProcessStdoutLog(nosuch)", err, fault.BadName)
		_, err = sup.SendProcessStdin(ctx, "nosuch", "x")
		faultIs(t, "sendProcessStdin(nosuch)", err, fault.BadName)

		if ok, err := sup.ClearProcessLogs(ctx, "cat"); err != nil || !ok {
			t.Errorf("clearProcessLogs(cat): %v, %v", ok, err)
		}
		if out, err := sup.ReadProcessStdoutLog(ctx, "cat", 0, 0); err != nil || out != "" {
			t.Errorf("cat's stdout after clearProcessLogs: %q, %v", out, err)
		}
		if ok, err := sup.ClearProcessLog(ctx, "cat"); err != nil || !ok {
			t.Errorf("clearProcessLog(cat): %v, %v", ok, err)
		}
		_, err = sup.ClearProcessLogs(ctx, "nosuch")
		faultIs(t, "clearProcessLogs(nosuch)", err, fault.BadName)
		res, err := sup.ClearAllProcessLogs(ctx)
		wantNames(t, "clearAllProcessLogs", okResults(t, "clearAllProcessLogs", res, err), "cat", "down", "g:a", "g:b", "up")

		if out, err := sup.ReadLog(ctx, 0, 0); err != nil || !strings.Contains(out, "spawned: 'up' with pid") {
			t.Errorf("readLog(0, 0): %v\n%s", err, out)
		}
		if out, err := sup.ReadMainLog(ctx, -100, 0); err != nil || len(out) != 100 {
			t.Errorf("readMainLog(-100, 0): %d bytes, %v", len(out), err)
		}
		_, err = sup.ReadLog(ctx, -1, 5)
		faultIs(t, "readLog(-1, 5)", err, fault.BadArguments)
		if ok, err := sup.ClearLog(ctx); err != nil || !ok {
			t.Errorf("clearLog: %v, %v", ok, err)
		}
		if ok, err := sup.SendRemoteCommEvent(ctx, "type", "data"); err != nil || !ok {
			t.Errorf("sendRemoteCommEvent: %v, %v", ok, err)
		}
	})

	t.Run("reload and groups", func(t *testing.T) {
		if ch, err := sup.ReloadConfig(ctx); err != nil || len(ch.Added)+len(ch.Changed)+len(ch.Removed) != 0 {
			t.Errorf("reloadConfig unchanged: %+v, %v", ch, err)
		}
		s.writeConfig(t, supervisorBody+"\n[program:extra]\ncommand=/bin/sleep 1000\nautostart=false\n")
		ch, err := sup.ReloadConfig(ctx)
		if err != nil || !slices.Equal(ch.Added, []string{"extra"}) || len(ch.Changed) != 0 || len(ch.Removed) != 0 {
			t.Errorf("reloadConfig with extra: %+v, %v", ch, err)
		}
		if ok, err := sup.AddProcessGroup(ctx, "extra"); err != nil || !ok {
			t.Errorf("addProcessGroup(extra): %v, %v", ok, err)
		}
		_, err = sup.AddProcessGroup(ctx, "extra")
		faultIs(t, "addProcessGroup(extra) again", err, fault.AlreadyAdded)
		_, err = sup.AddProcessGroup(ctx, "nosuch")
		faultIs(t, "addProcessGroup(nosuch)", err, fault.BadName)
		if p, err := sup.GetProcessInfo(ctx, "extra"); err != nil || p.State != enums.ProcessStopped {
			t.Errorf("getProcessInfo(extra): %+v, %v", p, err)
		}
		_, err = sup.RemoveProcessGroup(ctx, "up")
		faultIs(t, "removeProcessGroup(up)", err, fault.StillRunning)
		if ok, err := sup.RemoveProcessGroup(ctx, "extra"); err != nil || !ok {
			t.Errorf("removeProcessGroup(extra): %v, %v", ok, err)
		}
		_, err = sup.RemoveProcessGroup(ctx, "extra")
		faultIs(t, "removeProcessGroup(extra) again", err, fault.BadName)
	})

	var methods []string
	t.Run("system", func(t *testing.T) {
		methods = replyOf[[]string](t, "listMethods")(sys.ListMethods(ctx))
		if !slices.IsSorted(methods) || len(methods) != 4+37+35 {
			t.Errorf("listMethods: %d methods, want 4 + 37 + 35, sorted: %v", len(methods), methods)
		}
		checkAPIComplete(t, methods, map[string]any{"system": sys, "supervisor": sup, "supvisors": c.Supvisors()})
		if help, err := sys.MethodHelp(ctx, "system.multicall"); err != nil || !strings.Contains(help, "@param array calls") {
			t.Errorf("methodHelp(system.multicall): %q, %v", help, err)
		}
		_, err := sys.MethodHelp(ctx, "nosuch.method")
		faultIs(t, "methodHelp(nosuch.method)", err, fault.SignatureUnsupported)
		if sig, err := sys.MethodSignature(ctx, "supervisor.getProcessInfo"); err != nil || !slices.Equal(sig, []string{"struct", "string"}) {
			t.Errorf("methodSignature(supervisor.getProcessInfo): %v, %v", sig, err)
		}
		_, err = sys.MethodSignature(ctx, "nosuch.method")
		faultIs(t, "methodSignature(nosuch.method)", err, fault.SignatureUnsupported)

		results, err := sys.Multicall(ctx, []client.Call{
			{Method: "supervisor.getAPIVersion"},
			{Method: "supervisor.getProcessInfo", Params: []any{"nosuch"}},
			{Method: "supervisor.getProcessInfo", Params: []any{"up"}},
			{Method: "supervisor.startProcess", Params: []any{"up", true}},
			{Method: "system.multicall", Params: []any{[]any{}}},
			{Method: "nosuch.method"},
			{Method: "supervisor.getPID", Params: []any{"extra"}},
			{Method: "supervisor.readLog", Params: []any{0, 0}},
		})
		if err != nil || len(results) != 8 {
			t.Fatalf("multicall: %v, %v", results, err)
		}
		if results[0].Value != "3.0" || results[0].Fault != nil {
			t.Errorf("multicall getAPIVersion: %s", results[0])
		}
		for i, code := range map[int]fault.Code{1: fault.BadName, 3: fault.AlreadyStarted, 4: fault.IncorrectParameters,
			5: fault.UnknownMethod, 6: fault.IncorrectParameters} {
			if f := results[i].Fault; f == nil || f.Code != code || results[i].Value != nil {
				t.Errorf("multicall result %d: %s, want fault %s", i, results[i], code)
			}
		}
		if info, ok := results[2].Value.(map[string]any); !ok || info["statename"] != "RUNNING" || info["name"] != "up" || results[2].Fault != nil {
			t.Errorf("multicall getProcessInfo(up): %s", results[2])
		}
		if _, ok := results[7].Value.(string); !ok {
			t.Errorf("multicall readLog: %s", results[7])
		}
		if results, err := sys.Multicall(ctx, nil); err != nil || len(results) != 0 {
			t.Errorf("empty multicall: %v, %v", results, err)
		}
	})

	t.Run("transports and errors", func(t *testing.T) {
		// Straight to the agent over TCP, over its unix socket, and over
		// https through a TLS proxy.
		_, tlsProxy := newMethodRecorder(t, s.url, true)
		tlsClient, err := client.New(tlsProxy.URL, client.Options{Username: s.user, Password: s.password,
			TLSConfig: tlsProxy.Client().Transport.(*http.Transport).TLSClientConfig})
		if err != nil {
			t.Fatal(err)
		}
		defer tlsClient.Close()
		for _, cc := range []*client.Client{newTestClient(t, s.url, s), newTestClient(t, "unix://"+s.sock, s), tlsClient} {
			st, err := cc.Supervisor().GetState(ctx)
			if err != nil || st.State != enums.SupervisorRunning {
				t.Errorf("getState over %s: %+v, %v", cc.URL(), st, err)
			}
			if res, err := cc.Supervisor().StopProcess(ctx, "down", true); err != nil || res != nil {
				t.Errorf("stopProcess(down) over %s: %v, %v", cc.URL(), res, err)
			}
			_, err = cc.Supervisor().StopProcess(ctx, "down", true)
			faultIs(t, "stopProcess(down) again over "+cc.URL(), err, fault.NotRunning)
			if res, err := cc.Supervisor().StartProcess(ctx, "down", true); err != nil || res != nil {
				t.Errorf("startProcess(down) over %s: %v, %v", cc.URL(), res, err)
			}
			if all, err := cc.Supervisor().GetAllProcessInfo(ctx); err != nil || len(all) != 5 {
				t.Errorf("getAllProcessInfo over %s: %d, %v", cc.URL(), len(all), err)
			}
			if ms, err := cc.System().ListMethods(ctx); err != nil || !slices.Equal(ms, methods) {
				t.Errorf("listMethods over %s: %v", cc.URL(), err)
			}
		}

		// Refused credentials, over TCP and the unix socket.
		for _, u := range []string{s.url, "unix://" + s.sock} {
			bad, err := client.New(u, client.Options{Username: s.user, Password: "wrong"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = bad.Supervisor().GetState(ctx)
			var h *xmlrpc.HTTPError
			if !errors.Is(err, client.ErrUnauthorized) || !errors.As(err, &h) || h.StatusCode != 401 ||
				!strings.HasPrefix(err.Error(), "call supervisor.getState on "+u+": HTTP 401") {
				t.Errorf("getState with a wrong password over %s: %v, want ErrUnauthorized", u, err)
			}
			if _, ok := client.FaultCode(err); ok {
				t.Errorf("a 401 is a fault: %v", err)
			}
			bad.Close()
		}
		noAuth, _ := client.New(s.url, client.Options{})
		if _, err := noAuth.Supervisor().GetPID(ctx); !errors.Is(err, client.ErrUnauthorized) {
			t.Errorf("getPID without credentials: %v, want ErrUnauthorized", err)
		}

		// Nobody listening; a timeout.
		refused, _ := client.New("http://127.0.0.1:"+strconv.Itoa(freePort(t)), client.Options{})
		if _, err := refused.Supervisor().GetState(ctx); !errors.Is(err, syscall.ECONNREFUSED) || !strings.HasPrefix(err.Error(), "call supervisor.getState on http://127.0.0.1:") {
			t.Errorf("getState of a closed port: %v, want ECONNREFUSED", err)
		}
		gone, _ := client.New("unix://"+s.dir+"/nosuch.sock", client.Options{})
		if _, err := gone.Supervisor().GetState(ctx); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("getState over a missing socket: %v, want ENOENT", err)
		}
		slow, _ := client.New(s.url, client.Options{Username: s.user, Password: s.password, Timeout: time.Nanosecond})
		if _, err := slow.Supervisor().GetState(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("getState with a 1 ns timeout: %v, want DeadlineExceeded", err)
		}

		// NewFromEnv for the local node, as a child of the agent sees it.
		local, err := client.NewFromEnv("", []string{"SUPERVISOR_SERVER_URL=unix://" + s.sock, "SUPERVISOR_USERNAME=" + s.user, "SUPERVISOR_PASSWORD=" + s.password})
		if err != nil {
			t.Fatal(err)
		}
		defer local.Close()
		if pid, err := local.Supervisor().GetPID(ctx); err != nil || pid != s.cmd.Process.Pid {
			t.Errorf("getPID through NewFromEnv(\"\", unix): %d, %v", pid, err)
		}
	})

	t.Run("restart and shutdown", func(t *testing.T) {
		before := replyOf[api.ProcessInfo](t, "getProcessInfo up")(sup.GetProcessInfo(ctx, "up"))
		if ok, err := sup.Restart(ctx); err != nil || !ok {
			t.Fatalf("restart: %v, %v", ok, err)
		}
		waitFor(t, 30*time.Second, func() (bool, string) {
			p, err := sup.GetProcessInfo(ctx, "up")
			if err != nil {
				return false, err.Error()
			}
			return p.State == enums.ProcessRunning && p.PID != before.PID, p.State.String()
		})
		if ok, err := sup.Shutdown(ctx); err != nil || !ok {
			t.Fatalf("shutdown: %v, %v", ok, err)
		}
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			t.Fatal("agent still running 30 s after shutdown")
		}
		if code := s.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("agent exited %d after shutdown", code)
		}
	})

	if missing := rec.missing(methods, "system.", "supervisor."); len(missing) > 0 {
		t.Errorf("methods never called: %v", missing)
	}
}

// waitSupvisorsState waits until c's node reports Supvisors in state want.
func waitSupvisorsState(t testing.TB, c *client.Client, want enums.SupvisorsState) {
	t.Helper()
	waitFor(t, 30*time.Second, func() (bool, string) {
		st, err := c.Supvisors().GetSupvisorsState(t.Context())
		if err != nil {
			return false, err.Error()
		}
		return st.State == want && st.StateName == want.String(), c.URL() + " in " + st.StateName
	})
}

// clusterWhere is where c's node sees namespec run.
func clusterWhere(t testing.TB, c *client.Client, namespec string) []string {
	t.Helper()
	infos, err := c.Supvisors().GetProcessInfo(t.Context(), namespec)
	if err != nil || len(infos) != 1 {
		t.Fatalf("get_process_info(%s): %+v, %v", namespec, infos, err)
	}
	return infos[0].Addresses
}

// clientRules and clientBody are the cluster that the clients' tests of
// the supvisors namespace run against: an application of two phases
// (srv pinned to 127.0.0.2, wrk), one started on demand (man), a program
// outside the rules (conf) and one that echoes its arguments (echo).
const clientRules = `<root>
  <application name="app">
    <start_sequence>1</start_sequence>
    <stop_sequence>2</stop_sequence>
    <starting_failure_strategy>CONTINUE</starting_failure_strategy>
    <running_failure_strategy>RESTART_APPLICATION</running_failure_strategy>
    <program name="srv">
      <addresses>127.0.0.2</addresses>
      <start_sequence>1</start_sequence>
      <required>true</required>
      <loading>20</loading>
    </program>
    <program name="wrk">
      <start_sequence>2</start_sequence>
      <loading>10</loading>
      <running_failure_strategy>RESTART_PROCESS</running_failure_strategy>
    </program>
  </application>
  <application name="man">
    <program name="tool"><loading>5</loading></program>
  </application>
</root>`

var clientBody = "\n[group:app]\nprograms=srv,wrk\n" + sleeper("srv", "") + sleeper("wrk", "") +
	"\n[group:man]\nprograms=tool\n" + sleeper("tool", "") + sleeper("conf", "") + `
[program:echo]
command=/bin/sh -c 'echo "$0 $1"; exec sleep 1000'
autostart=false
autorestart=false
startsecs=0
`

// TestClientSupvisors calls every supvisors.* method of the client against
// a 2-node cluster with a rules file: the node of 127.0.0.1 (the master)
// through the recording proxy, the node of 127.0.0.2 with a client made by
// NewFromEnv from 127.0.0.1's environment.
func TestClientSupvisors(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 2, writeRulesFile(t, clientRules), clientBody)
	t.Cleanup(func() {
		if t.Failed() {
			logsOf(t, nodes)
		}
	})
	rec, _ := newMethodRecorder(t, nodes[0].url, false)
	c1 := newTestClient(t, rec.url, nodes[0])
	// A process of 127.0.0.1 reaching 127.0.0.2 as Supvisors'
	// rpcrequests.getRPCInterface does.
	env := []string{"PATH=/bin", "SUPERVISOR_SERVER_URL=" + nodes[0].url, "SUPERVISOR_USERNAME=" + nodes[0].user, "SUPERVISOR_PASSWORD=" + nodes[0].password}
	c2, err := client.NewFromEnv("127.0.0.2", env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c2.Close)
	if c2.URL() != nodes[1].url {
		t.Errorf("NewFromEnv(127.0.0.2).URL() = %s, want %s", c2.URL(), nodes[1].url)
	}
	sv, sv2 := c1.Supvisors(), c2.Supvisors()
	ctx := t.Context()
	listed := replyOf[[]string](t, "listMethods")(c2.System().ListMethods(ctx))
	for _, c := range []*client.Client{c1, c2} {
		waitSupvisorsState(t, c, enums.SupvisorsOperation)
	}
	if pid, err := c2.Supervisor().GetPID(ctx); err != nil || pid != nodes[1].cmd.Process.Pid {
		t.Errorf("getPID through NewFromEnv(127.0.0.2): %d, %v; want 127.0.0.2's agent %d", pid, err, nodes[1].cmd.Process.Pid)
	}

	t.Run("status", func(t *testing.T) {
		if v, err := sv.GetAPIVersion(ctx); err != nil || v != "0.1" {
			t.Errorf("get_api_version: %q, %v", v, err)
		}
		st := replyOf[api.SupvisorsStateInfo](t, "get_supvisors_state")(sv.GetSupvisorsState(ctx))
		if st.State != enums.SupvisorsOperation || st.State.String() != "OPERATION" || st.StateName != "OPERATION" || !st.Quorum {
			t.Errorf("get_supvisors_state: %+v", st)
		}
		for _, c := range []*client.Client{c1, c2} {
			if m, err := c.Supvisors().GetMasterAddress(ctx); err != nil || m != "127.0.0.1" {
				t.Errorf("get_master_address on %s: %q, %v", c.URL(), m, err)
			}
		}
		strat := replyOf[api.Strategies](t, "get_strategies")(sv.GetStrategies(ctx))
		starting, err1 := strat.StartingStrategy()
		conciliation, err2 := strat.ConciliationStrategy()
		if strat.AutoFencing || strat.Starting != "CONFIG" || strat.Conciliation != "USER" || err1 != nil || err2 != nil ||
			starting != enums.StartConfig || conciliation != enums.ConciliateUser {
			t.Errorf("get_strategies: %+v (%v %v, %v %v)", strat, starting, err1, conciliation, err2)
		}

		// Deployment put app:srv on 127.0.0.2 (its rule) and app:wrk on
		// the first address with room.
		waitFor(t, 10*time.Second, func() (bool, string) {
			a, err := sv.GetAddressInfo(ctx, "127.0.0.2")
			return err == nil && a.Loading == 20, "load of 127.0.0.2"
		})
		a := replyOf[api.AddressInfo](t, "get_address_info")(sv.GetAddressInfo(ctx, "127.0.0.2"))
		if a.AddressName != "127.0.0.2" || a.State != enums.AddressRunning || a.State.String() != "RUNNING" || a.StateName != "RUNNING" ||
			a.Loading != 20 || a.LocalTime == 0 || time.Since(client.Time(a.LocalTime)) > time.Minute {
			t.Errorf("get_address_info(127.0.0.2): %+v", a)
		}
		_, err := sv.GetAddressInfo(ctx, "10.9.9.9")
		faultIs(t, "get_address_info(10.9.9.9)", err, fault.BadAddress)
		var names []string
		for _, a := range replyOf[[]api.AddressInfo](t, "get_all_addresses_info")(sv.GetAllAddressesInfo(ctx)) {
			names = append(names, a.AddressName+" "+a.State.String())
		}
		wantNames(t, "get_all_addresses_info", names, "127.0.0.1 RUNNING", "127.0.0.2 RUNNING")
		_, err = sv.ReadmitAddress(ctx, "127.0.0.2")
		faultIs(t, "readmit_address(127.0.0.2), not fenced", err, fault.BadAddress)
		_, err = sv.ReadmitAddress(ctx, "10.9.9.9")
		faultIs(t, "readmit_address(10.9.9.9)", err, fault.BadAddress)

		app := replyOf[api.ApplicationInfo](t, "get_application_info")(sv.GetApplicationInfo(ctx, "app"))
		if app != (api.ApplicationInfo{ApplicationName: "app", State: enums.ApplicationRunning, StateName: "RUNNING"}) {
			t.Errorf("get_application_info(app): %+v", app)
		}
		_, err = sv.GetApplicationInfo(ctx, "nosuch")
		faultIs(t, "get_application_info(nosuch)", err, fault.BadName)
		names = nil
		for _, a := range replyOf[[]api.ApplicationInfo](t, "get_all_applications_info")(sv.GetAllApplicationsInfo(ctx)) {
			names = append(names, a.ApplicationName+" "+a.State.String())
			if a.State.String() != a.StateName {
				t.Errorf("get_all_applications_info: %+v", a)
			}
		}
		wantNames(t, "get_all_applications_info", names, "app RUNNING", "conf STOPPED", "echo STOPPED", "man STOPPED")

		srv := replyOf[[]api.ClusterProcessInfo](t, "get_process_info")(sv.GetProcessInfo(ctx, "app:srv"))
		if len(srv) != 1 || srv[0].Namespec() != "app:srv" || srv[0].State != enums.ProcessRunning || srv[0].StateName != "RUNNING" ||
			!slices.Equal(srv[0].Addresses, []string{"127.0.0.2"}) || srv[0].Conflict() || srv[0].LastEventTime == 0 {
			t.Errorf("get_process_info(app:srv): %+v", srv)
		}
		names = nil
		for _, p := range replyOf[[]api.ClusterProcessInfo](t, "get_process_info app:*")(sv.GetProcessInfo(ctx, "app:*")) {
			names = append(names, p.Namespec()+" "+strings.Join(p.Addresses, ","))
		}
		wantNames(t, "get_process_info(app:*)", names, "app:srv 127.0.0.2", "app:wrk 127.0.0.1")
		_, err = sv.GetProcessInfo(ctx, "app:nosuch")
		faultIs(t, "get_process_info(app:nosuch)", err, fault.BadName)
		names = nil
		for _, p := range replyOf[[]api.ClusterProcessInfo](t, "get_all_process_info")(sv.GetAllProcessInfo(ctx)) {
			names = append(names, p.Namespec()+" "+p.State.String())
		}
		slices.Sort(names)
		wantNames(t, "get_all_process_info", names, "app:srv RUNNING", "app:wrk RUNNING", "conf STOPPED", "echo STOPPED", "man:tool STOPPED")
		if conflicts, err := sv.GetConflicts(ctx); err != nil || len(conflicts) != 0 {
			t.Errorf("get_conflicts: %+v, %v", conflicts, err)
		}

		ar := replyOf[api.ApplicationRules](t, "get_application_rules")(sv.GetApplicationRules(ctx, "app"))
		sf, err1 := ar.StartingFailure()
		rf, err2 := ar.RunningFailure()
		if ar != (api.ApplicationRules{ApplicationName: "app", StartSequence: 1, StopSequence: 2,
			StartingFailureStrategy: "CONTINUE", RunningFailureStrategy: "RESTART_APPLICATION"}) ||
			sf.String() != "CONTINUE" || rf.String() != "RESTART_APPLICATION" || err1 != nil || err2 != nil {
			t.Errorf("get_application_rules(app): %+v", ar)
		}
		_, err = sv.GetApplicationRules(ctx, "nosuch")
		faultIs(t, "get_application_rules(nosuch)", err, fault.BadName)
		pr := replyOf[[]api.ProcessRules](t, "get_process_rules")(sv.GetProcessRules(ctx, "app:*"))
		if len(pr) != 2 {
			t.Fatalf("get_process_rules(app:*): %+v", pr)
		}
		if r := pr[0]; r.Namespec() != "app:srv" || !slices.Equal(r.Addresses, []string{"127.0.0.2"}) || r.StartSequence != 1 ||
			!r.Required || r.WaitExit || r.Loading != 20 || r.ExpectedLoading != 20 || r.RunningFailureStrategy != "RESTART_APPLICATION" {
			t.Errorf("get_process_rules: app:srv: %+v", r)
		}
		if r := pr[1]; r.Namespec() != "app:wrk" || r.StartSequence != 2 || r.Required || r.Loading != 10 {
			t.Errorf("get_process_rules: app:wrk: %+v", r)
		} else if rf, err := r.RunningFailure(); err != nil || rf.String() != "RESTART_PROCESS" {
			t.Errorf("get_process_rules: app:wrk's running failure: %v, %v", rf, err)
		}
		_, err = sv.GetProcessRules(ctx, "nosuch")
		faultIs(t, "get_process_rules(nosuch)", err, fault.BadName)
	})

	t.Run("statistics", func(t *testing.T) {
		// app:srv runs on 127.0.0.2: 127.0.0.1 asks the node that measured.
		waitFor(t, 30*time.Second, func() (bool, string) {
			ps, err := sv.GetProcessStatistics(ctx, "app:srv", 10)
			return err == nil && len(ps) == 1 && ps[0].AddressName == "127.0.0.2" && ps[0].Namespec == "app:srv" &&
				ps[0].Period == 10 && ps[0].PID > 0 && len(ps[0].History.Time) > 0, fmt.Sprintf("%+v, %v", ps, err)
		})
		h := replyOf[api.HostStatistics](t, "get_host_statistics")(sv.GetHostStatistics(ctx, "127.0.0.2", 10))
		if h.AddressName != "127.0.0.2" || h.Period != 10 || len(h.CPU) < 2 || h.Mem <= 0 {
			t.Errorf("get_host_statistics(127.0.0.2, 10) = %+v", h)
		}
		_, err := sv.GetHostStatistics(ctx, "127.0.0.1", 60)
		faultIs(t, "get_host_statistics(period 60)", err, fault.BadArguments)
		_, err = sv.GetProcessStatistics(ctx, "app:nosuch", 10)
		faultIs(t, "get_process_statistics(app:nosuch)", err, fault.BadName)
	})

	t.Run("process control", func(t *testing.T) {
		_, err := sv.StartProcess(ctx, enums.StartingStrategy(9), "man:tool", "", true)
		faultIs(t, "start_process(9)", err, fault.BadStrategy)
		// Loads 10 and 20: LESS_LOADED picks 127.0.0.1.
		if ok, err := sv.StartProcess(ctx, enums.StartLessLoaded, "man:tool", "", true); err != nil || !ok {
			t.Fatalf("start_process(LESS_LOADED, man:tool): %v, %v", ok, err)
		}
		if got := clusterWhere(t, c1, "man:tool"); !slices.Equal(got, []string{"127.0.0.1"}) {
			t.Errorf("man:tool after start_process(LESS_LOADED) on %v", got)
		}
		_, err = sv.StartProcess(ctx, enums.StartConfig, "man:tool", "", true)
		faultIs(t, "start_process(man:tool) again", err, fault.AlreadyStarted)
		_, err = sv.StartProcess(ctx, enums.StartConfig, "man:nosuch", "", true)
		faultIs(t, "start_process(man:nosuch)", err, fault.BadName)
		// Stopped, then started where MOST_LOADED says: 127.0.0.2 (20 > 10).
		if ok, err := sv.RestartProcess(ctx, enums.StartMostLoaded, "man:tool", true); err != nil || !ok {
			t.Fatalf("restart_process(MOST_LOADED, man:tool): %v, %v", ok, err)
		}
		waitFor(t, 10*time.Second, func() (bool, string) {
			got := clusterWhere(t, c1, "man:tool")
			return slices.Equal(got, []string{"127.0.0.2"}), strings.Join(got, ",")
		})
		_, err = sv.RestartProcess(ctx, enums.StartingStrategy(-1), "man:tool", true)
		faultIs(t, "restart_process(-1)", err, fault.BadStrategy)
		_, err = sv.RestartProcess(ctx, enums.StartConfig, "nosuch", true)
		faultIs(t, "restart_process(nosuch)", err, fault.BadName)
		// From the node that is not the master: forwarded.
		if ok, err := sv2.StopProcess(ctx, "man:tool", true); err != nil || !ok {
			t.Errorf("stop_process(man:tool) on 127.0.0.2: %v, %v", ok, err)
		}
		_, err = sv.StopProcess(ctx, "man:tool", true)
		faultIs(t, "stop_process(man:tool) again", err, fault.NotRunning)
		_, err = sv.StopProcess(ctx, "nosuch:*", true)
		faultIs(t, "stop_process(nosuch:*)", err, fault.BadName)

		// start_args runs on the node asked: 127.0.0.2, with the extra
		// arguments on the command line ($0 and $1 of sh -c).
		if ok, err := sv2.StartArgs(ctx, "echo", "hello world", true); err != nil || !ok {
			t.Fatalf("start_args(echo) on 127.0.0.2: %v, %v", ok, err)
		}
		waitFor(t, 10*time.Second, func() (bool, string) {
			out, err := c2.Supervisor().ReadProcessStdoutLog(ctx, "echo", 0, 0)
			return err == nil && out == "hello world\n", out
		})
		waitFor(t, 10*time.Second, func() (bool, string) {
			got := clusterWhere(t, c1, "echo")
			return slices.Equal(got, []string{"127.0.0.2"}), strings.Join(got, ",")
		})
		_, err = sv.StartArgs(ctx, "app:wrk", "x", true)
		faultIs(t, "start_args(app:wrk, x)", err, fault.BadExtraArguments)
		_, err = sv.StartArgs(ctx, "nosuch", "", true)
		faultIs(t, "start_args(nosuch)", err, fault.BadName)
		if ok, err := sv.StopProcess(ctx, "echo", true); err != nil || !ok {
			t.Errorf("stop_process(echo): %v, %v", ok, err)
		}
	})

	t.Run("application control", func(t *testing.T) {
		_, err := sv.StartApplication(ctx, enums.StartConfig, "app", true)
		faultIs(t, "start_application(app), running", err, fault.AlreadyStarted)
		_, err = sv.StartApplication(ctx, enums.StartingStrategy(9), "man", true)
		faultIs(t, "start_application(9)", err, fault.BadStrategy)
		_, err = sv.StartApplication(ctx, enums.StartConfig, "nosuch", true)
		faultIs(t, "start_application(nosuch)", err, fault.BadName)
		// man:tool has start_sequence 0: nothing to start.
		if ok, err := sv.StartApplication(ctx, enums.StartLessLoaded, "man", true); err != nil || ok {
			t.Errorf("start_application(man): %v, %v; want false", ok, err)
		}
		_, err = sv.StopApplication(ctx, "man", true)
		faultIs(t, "stop_application(man), stopped", err, fault.NotRunning)
		_, err = sv.StopApplication(ctx, "nosuch", true)
		faultIs(t, "stop_application(nosuch)", err, fault.BadName)

		if ok, err := sv.StopApplication(ctx, "app", true); err != nil || !ok {
			t.Fatalf("stop_application(app): %v, %v", ok, err)
		}
		if a, err := sv.GetApplicationInfo(ctx, "app"); err != nil || a.State != enums.ApplicationStopped {
			t.Errorf("app after stop_application on the master: %+v, %v", a, err)
		}
		// 127.0.0.2 learns it a moment later.
		waitFor(t, 10*time.Second, func() (bool, string) {
			a, err := sv2.GetApplicationInfo(ctx, "app")
			return err == nil && a.State == enums.ApplicationStopped, "app on 127.0.0.2: " + a.StateName
		})
		// Forwarded from 127.0.0.2.
		if ok, err := sv2.StartApplication(ctx, enums.StartConfig, "app", true); err != nil || !ok {
			t.Fatalf("start_application(app) on 127.0.0.2: %v, %v", ok, err)
		}
		if a, err := sv.GetApplicationInfo(ctx, "app"); err != nil || a.State != enums.ApplicationRunning {
			t.Errorf("app after start_application: %+v, %v", a, err)
		}
		before := replyOf[api.ProcessInfo](t, "getProcessInfo app:srv")(c2.Supervisor().GetProcessInfo(ctx, "app:srv"))
		if ok, err := sv.RestartApplication(ctx, enums.StartConfig, "app", true); err != nil || !ok {
			t.Fatalf("restart_application(app): %v, %v", ok, err)
		}
		after := replyOf[api.ProcessInfo](t, "getProcessInfo app:srv")(c2.Supervisor().GetProcessInfo(ctx, "app:srv"))
		if after.State != enums.ProcessRunning || after.PID == before.PID {
			t.Errorf("app:srv after restart_application: %s pid %d, before pid %d", after.State, after.PID, before.PID)
		}
		_, err = sv.RestartApplication(ctx, enums.StartingStrategy(6), "app", true)
		faultIs(t, "restart_application(6)", err, fault.BadStrategy)
		_, err = sv.RestartApplication(ctx, enums.StartConfig, "nosuch", true)
		faultIs(t, "restart_application(nosuch)", err, fault.BadName)
	})

	t.Run("placement and local view", func(t *testing.T) {
		// The dry run of man:tool (loading 5) names the less loaded
		// address, and the start then goes there.
		addrs := replyOf[[]api.AddressInfo](t, "get_all_addresses_info")(sv.GetAllAddressesInfo(ctx))
		less := addrs[0].AddressName
		if addrs[1].Loading < addrs[0].Loading {
			less = addrs[1].AddressName
		}
		plan := replyOf[[]api.PlannedStart](t, "test_start_process")(sv.TestStartProcess(ctx, enums.StartLessLoaded, "man:*"))
		if len(plan) != 1 || plan[0].Namespec() != "man:tool" || plan[0].Loading != 5 || plan[0].StartSequence != 0 || plan[0].Address != less {
			t.Errorf("test_start_process(LESS_LOADED, man:*): %+v, want man:tool on %s (loads %+v)", plan, less, addrs)
		}
		// From the node that is not the master: forwarded, same answer.
		if again, err := sv2.TestStartProcess(ctx, enums.StartLessLoaded, "man:tool"); err != nil || !slices.Equal(again, plan) {
			t.Errorf("test_start_process on 127.0.0.2: %+v, %v; want %+v", again, err, plan)
		}
		_, err := sv.TestStartProcess(ctx, enums.StartingStrategy(6), "man:tool")
		faultIs(t, "test_start_process(6)", err, fault.BadStrategy)
		_, err = sv.TestStartProcess(ctx, enums.StartConfig, "man:nosuch")
		faultIs(t, "test_start_process(man:nosuch)", err, fault.BadName)
		_, err = sv.TestStartProcess(ctx, enums.StartConfig, "app:srv")
		faultIs(t, "test_start_process(app:srv), running", err, fault.AlreadyStarted)
		_, err = sv.TestStartApplication(ctx, enums.StartConfig, "app")
		faultIs(t, "test_start_application(app), running", err, fault.AlreadyStarted)
		_, err = sv.TestStartApplication(ctx, enums.StartConfig, "nosuch")
		faultIs(t, "test_start_application(nosuch)", err, fault.BadName)
		// man:tool has start_sequence 0: start_application starts nothing.
		if plan, err := sv.TestStartApplication(ctx, enums.StartLessLoadedNode, "man"); err != nil || len(plan) != 0 {
			t.Errorf("test_start_application(LESS_LOADED_NODE, man): %+v, %v; want nothing", plan, err)
		}

		if got, err := sv.StartAnyProcess(ctx, enums.StartLessLoaded, "^man:", "", true); err != nil || got != "man:tool" {
			t.Fatalf("start_any_process(^man:): %q, %v", got, err)
		}
		if got := clusterWhere(t, c1, "man:tool"); !slices.Equal(got, []string{less}) {
			t.Errorf("man:tool started on %v, the dry run said %s", got, less)
		}
		_, err = sv.StartAnyProcess(ctx, enums.StartConfig, "^man:", "", true)
		faultIs(t, "start_any_process(^man:), all running", err, fault.Failed)
		_, err = sv.StartAnyProcess(ctx, enums.StartConfig, "^nosuch", "", true)
		faultIs(t, "start_any_process(^nosuch)", err, fault.BadName)
		_, err = sv.StartAnyProcess(ctx, enums.StartConfig, "(", "", true)
		faultIs(t, "start_any_process(()", err, fault.BadArguments)
		_, err = sv.StartAnyProcess(ctx, enums.StartingStrategy(-1), "^man:", "", true)
		faultIs(t, "start_any_process(-1)", err, fault.BadStrategy)
		if ok, err := sv.StopProcess(ctx, "man:tool", true); err != nil || !ok {
			t.Errorf("stop_process(man:tool): %v, %v", ok, err)
		}

		// The local view of 127.0.0.2: its own processes only; echo
		// keeps the extra arguments of its last start (start_args).
		for _, c := range []*client.Client{c1, c2} {
			local := replyOf[[]api.LocalProcessInfo](t, "get_all_local_process_info")(c.Supvisors().GetAllLocalProcessInfo(ctx))
			sup := replyOf[[]api.ProcessInfo](t, "getAllProcessInfo")(c.Supervisor().GetAllProcessInfo(ctx))
			if len(local) != len(sup) {
				t.Fatalf("get_all_local_process_info on %s: %d processes, getAllProcessInfo %d", c.URL(), len(local), len(sup))
			}
			for i, p := range local {
				if p.Namespec() != sup[i].Namespec() || p.State != sup[i].State || p.PID != sup[i].PID {
					t.Errorf("local process %d on %s: %+v, getAllProcessInfo %+v", i, c.URL(), p, sup[i])
				}
			}
		}
		srv := replyOf[api.LocalProcessInfo](t, "get_local_process_info")(sv.GetLocalProcessInfo(ctx, "app:srv"))
		if srv.Namespec() != "app:srv" || srv.State != enums.ProcessStopped && srv.State != enums.ProcessRunning {
			t.Errorf("get_local_process_info(app:srv) on 127.0.0.1: %+v", srv)
		}
		srv = replyOf[api.LocalProcessInfo](t, "get_local_process_info")(sv2.GetLocalProcessInfo(ctx, "app:srv"))
		if srv.State != enums.ProcessRunning || srv.PID == 0 || srv.Start == 0 || srv.Now < srv.Start || srv.ExtraArgs != "" {
			t.Errorf("get_local_process_info(app:srv) on 127.0.0.2: %+v", srv)
		}
		if echo, err := sv2.GetLocalProcessInfo(ctx, "echo"); err != nil || echo.ExtraArgs != "hello world" || echo.State != enums.ProcessStopped {
			t.Errorf("get_local_process_info(echo) on 127.0.0.2: %+v, %v", echo, err)
		}
		_, err = sv.GetLocalProcessInfo(ctx, "nosuch")
		faultIs(t, "get_local_process_info(nosuch)", err, fault.BadName)
		// A program without rules weighs nothing (later Supvisors' default).
		if r, err := sv.GetProcessRules(ctx, "conf"); err != nil || len(r) != 1 || r[0].Loading != 0 || r[0].ExpectedLoading != 0 {
			t.Errorf("get_process_rules(conf): %+v, %v; want a loading of 0", r, err)
		}
		_, err = sv.GetLocalProcessInfo(ctx, "app:*")
		faultIs(t, "get_local_process_info(app:*)", err, fault.BadName)
	})
	t.Run("operations", func(t *testing.T) { clientOperations(t, sv, c2.Supervisor()) })

	t.Run("multicall", func(t *testing.T) {
		results, err := c1.System().Multicall(ctx, []client.Call{
			{Method: "supvisors.get_api_version"},
			{Method: "supvisors.get_application_info", Params: []any{"nosuch"}},
			{Method: "supvisors.get_address_info", Params: []any{"127.0.0.1"}},
			{Method: "supvisors.start_application", Params: []any{enums.StartConfig, "app"}},
			{Method: "supvisors.conciliate", Params: []any{enums.ConciliationStrategy(42)}},
		})
		if err != nil || len(results) != 5 {
			t.Fatalf("multicall: %v, %v", results, err)
		}
		if results[0].Value != "0.1" {
			t.Errorf("multicall get_api_version: %s", results[0])
		}
		if a, ok := results[2].Value.(map[string]any); !ok || a["address_name"] != "127.0.0.1" || a["statename"] != "RUNNING" {
			t.Errorf("multicall get_address_info: %s", results[2])
		}
		for i, code := range map[int]fault.Code{1: fault.BadName, 3: fault.AlreadyStarted, 4: fault.BadStrategy} {
			if f := results[i].Fault; f == nil || f.Code != code {
				t.Errorf("multicall result %d: %s, want fault %s", i, results[i], code)
			}
		}
	})

	t.Run("conciliation", func(t *testing.T) {
		// conf started by hand on both nodes: a conflict.
		for _, c := range []*client.Client{c1, c2} {
			if _, err := c.Supervisor().StartProcess(ctx, "conf", true); err != nil {
				t.Fatalf("startProcess(conf) on %s: %v", c.URL(), err)
			}
		}
		for _, c := range []*client.Client{c1, c2} {
			waitSupvisorsState(t, c, enums.SupvisorsConciliation)
		}
		conflicts := replyOf[[]api.ClusterProcessInfo](t, "get_conflicts")(sv2.GetConflicts(ctx))
		if len(conflicts) != 1 || conflicts[0].Namespec() != "conf" || !conflicts[0].Conflict() ||
			!slices.Equal(conflicts[0].Addresses, []string{"127.0.0.1", "127.0.0.2"}) {
			t.Errorf("get_conflicts: %+v", conflicts)
		}
		if conflicts, err := sv.GetConflicts(ctx); err != nil || len(conflicts) != 1 {
			t.Errorf("get_conflicts on the master: %+v, %v", conflicts, err)
		}
		_, err := sv.StartApplication(ctx, enums.StartConfig, "man", true)
		faultIs(t, "start_application in CONCILIATION", err, fault.BadSupvisorsState)
		_, err = sv.Conciliate(ctx, enums.ConciliationStrategy(9))
		faultIs(t, "conciliate(9)", err, fault.BadStrategy)
		if ok, err := sv.Conciliate(ctx, enums.ConciliateUser); err != nil || ok {
			t.Errorf("conciliate(USER): %v, %v; want false", ok, err)
		}
		// From the node that is not the master: forwarded.
		if ok, err := sv2.Conciliate(ctx, enums.ConciliateSenicide); err != nil || !ok {
			t.Fatalf("conciliate(SENICIDE) on 127.0.0.2: %v, %v", ok, err)
		}
		for _, c := range []*client.Client{c1, c2} {
			waitSupvisorsState(t, c, enums.SupvisorsOperation)
		}
		if got := clusterWhere(t, c1, "conf"); len(got) != 1 {
			t.Errorf("conf after conciliate(SENICIDE) on %v", got)
		}
		_, err = sv.Conciliate(ctx, enums.ConciliateStop)
		faultIs(t, "conciliate in OPERATION", err, fault.BadSupvisorsState)
	})

	t.Run("restart and shutdown", func(t *testing.T) {
		before := replyOf[api.ProcessInfo](t, "getProcessInfo app:srv")(c2.Supervisor().GetProcessInfo(ctx, "app:srv"))
		if ok, err := sv.Restart(ctx); err != nil || !ok {
			t.Fatalf("restart: %v, %v", ok, err)
		}
		// The agents restart in their processes and deploy app again.
		waitFor(t, 30*time.Second, func() (bool, string) {
			st, err := sv2.GetSupvisorsState(ctx)
			if err != nil {
				return false, err.Error()
			}
			p, err := c2.Supervisor().GetProcessInfo(ctx, "app:srv")
			if err != nil {
				return false, err.Error()
			}
			return st.State == enums.SupvisorsOperation && p.State == enums.ProcessRunning && p.PID != before.PID,
				st.StateName + ", app:srv " + p.StateName
		})
		waitSupvisorsState(t, c1, enums.SupvisorsOperation)
		if ok, err := sv.Shutdown(ctx); err != nil || !ok {
			t.Fatalf("shutdown: %v, %v", ok, err)
		}
		for _, n := range nodes {
			select {
			case <-n.exited:
			case <-time.After(30 * time.Second):
				t.Fatalf("agent of %s still running 30 s after shutdown", n.host)
			}
			if code := n.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("agent of %s exited %d after shutdown", n.host, code)
			}
		}
	})

	if missing := rec.missing(listed, "supvisors."); len(missing) > 0 {
		t.Errorf("methods never called: %v", missing)
	}
}
