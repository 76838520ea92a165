package integration

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests drive bin/supvisorsctl against real agents: its supervisorctl
// commands must print what Debian's supervisorctl prints, with the same
// exit codes (the oracle); its Supvisors commands are compared with the
// golden files of testdata/supvisorsctl (go test -run Supvisorsctl
// ./integration/ -update rewrites them).

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/supvisorsctl")

// sigintDefault runs a command with SIGINT back to its default action, so
// that python3 turns it into KeyboardInterrupt even when the test runs with
// SIGINT ignored (a background job).
const sigintDefault = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"

// runClient runs tool (Debian's supervisorctl or supvisorsctl) against s
// with its credentials; it returns stdout, stderr and the exit code. stdin
// feeds its input.
func (s *server) runClient(t testing.TB, tool, stdin string, global []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := s.command(ctx, tool, append(global, args...)...)
	cmd.Dir = s.dir
	cmd.Env = append(cleanEnv(), "HOME="+s.dir)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := exitCode(t, cmd.Run(), tool, args)
	return stdout.String(), stderr.String(), code
}

// cleanEnv is the test's environment without the SUPERVISOR_* variables
// that would change the clients' defaults.
func cleanEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "SUPERVISOR_") {
			env = append(env, e)
		}
	}
	return env
}

func exitCode(t testing.TB, err error, tool string, args []string) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("%s %v: %v", tool, args, err)
	return 0
}

// credentials are the global flags that reach s.
func (s *server) credentials() []string { return []string{"-s", s.url, "-u", s.user, "-p", s.password} }

// interrupted runs tool with args until its stdout shows until (or it exits by
// itself), then sends it SIGINT, as an operator's Ctrl-C ends tail -f.
func (s *server) interrupted(t testing.TB, tool, until string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", append([]string{"-c", sigintDefault, tool}, append(s.credentials(), args...)...)...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "HOME="+s.dir)
	out := &syncBuffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-done:
			return out.String(), exitCode(t, err, tool, args)
		default:
		}
		if (until != "" && strings.Contains(out.String(), until)) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		return out.String(), exitCode(t, err, tool, args)
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%s %v did not stop on SIGINT: %q", tool, args, out.String())
	}
	return "", 0
}

// clientRunner runs the steps of a transcript with tool; only stdout is
// compared, as supervisorctl prints everything there.
func clientRunner(t *testing.T, s *server, tool string) func(step) (string, int) {
	return func(st step) (string, int) {
		if st.follow != "" {
			out, code := s.interrupted(t, tool, strings.TrimPrefix(st.follow, "-"), st.ctl...)
			// supervisorctl prints an empty line on Ctrl-C, but not when
			// the signal lands while Python is busy (a loaded machine):
			// the oracle leaves it out (TestSupvisorsctlSupervisorJSON
			// checks supvisorsctl's).
			if strings.HasSuffix(out, "\n\n") {
				out = out[:len(out)-1]
			}
			return out, code
		}
		out, _, code := s.runClient(t, tool, "", s.credentials(), st.ctl...)
		return out, code
	}
}

func follow(until string, args ...string) step { return step{ctl: args, follow: until} }

// compareClients runs steps with Debian's supervisorctl against one agent
// and with supvisorsctl against another, identical one, and requires the
// same stdout and exit code at every step.
func compareClients(t *testing.T, body string, steps []step) {
	t.Helper()
	var want, got []string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		s := startServer(t, "supvisors", body)
		s.waitStable(t)
		want = transcriptWith(t, s, steps, clientRunner(t, s, "supervisorctl"))
	}()
	go func() {
		defer wg.Done()
		s := startServer(t, "supvisors", body)
		s.waitStable(t)
		got = transcriptWith(t, s, steps, clientRunner(t, s, ctlBinary))
	}()
	wg.Wait()
	if t.Failed() {
		return
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("step %d differs from supervisorctl\n--- supervisorctl:\n%s\n--- supvisorsctl:\n%s", i, want[i], got[i])
		}
	}
}

// TestSupvisorsctlMatchesSupervisorctl is the oracle of the supervisorctl
// commands of supvisorsctl: every command, its usage errors, its faults,
// tail -f, reread/update of a rewritten file, reload and shutdown.
func TestSupvisorsctlMatchesSupervisorctl(t *testing.T) {
	t.Parallel()
	after := strings.Replace(basicPrograms, "[program:sleeper]\ncommand=/bin/sleep 1000", "[program:sleeper]\ncommand=/bin/sleep 999", 1)
	after = strings.Replace(after, "[program:notexec]\ncommand=/etc/passwd\nautostart=false\n", "", 1)
	after += "\n[program:added]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
	compareClients(t, basicPrograms, []step{
		ctl("status"),
		ctl("version"),
		ctl("version", "x"),
		ctl("status", "sleeper", "grp:*", "nosuch", "nosuch:*"),
		ctl("status", "all"),
		// Usage errors.
		ctl("start"),
		ctl("stop"),
		ctl("restart"),
		ctl("signal"),
		ctl("signal", "HUP"),
		ctl("clear"),
		ctl("tail"),
		ctl("tail", "a", "b", "c", "d"),
		ctl("tail", "-x", "echo"),
		ctl("tail", "-f"),
		ctl("tail", "echo", "nochannel"),
		ctl("maintail", "-x"),
		ctl("maintail", "x"),
		ctl("maintail", "-1", "-2"),
		ctl("avail", "x"),
		ctl("reread", "x"),
		ctl("shutdown", "now"),
		ctl("reload", "now"),
		// Start, stop, restart, their faults.
		ctl("start", "sleeper"),
		ctl("stop", "sleeper"),
		ctl("stop", "sleeper"),
		ctl("status", "sleeper"),
		ctl("start", "sleeper"),
		ctl("start", "sleeper"),
		ctl("start", "nosuch"),
		ctl("stop", "nosuch"),
		ctl("start", "nosuch:*"),
		ctl("stop", "nosuch:*"),
		ctl("signal", "HUP", "nosuch:*"),
		ctl("start", "nofile"),
		ctl("start", "notexec"),
		ctl("start", "fail"),
		ctl("status", "fail"),
		ctlAnyOrder("start", "grp:*"),
		ctlAnyOrder("stop", "grp:*"),
		ctl("start", "grp:a", "grp:b"),
		ctl("status", "multi:*"),
		ctl("stop", "multi:multi_01"),
		ctl("restart", "sleeper"),
		ctl("restart", "sleeper", "nosuch"),
		ctl("signal", "USR1", "nosuch"),
		ctl("signal", "NOSUCHSIG", "sleeper"),
		ctl("signal", "HUP", "sleeper"),
		ctlAnyOrder("signal", "HUP", "multi:*"),
		stable(),
		// pid, logs.
		ctl("pid", "sleeper"),
		ctl("pid", "nosuch"),
		ctl("pid", "b"),
		ctl("pid", "grp:b", "sleeper"),
		ctl("pid", "all"),
		ctl("tail", "echo"),
		ctl("tail", "echo", "stderr"),
		ctl("tail", "-3", "echo"),
		ctl("tail", "-0", "echo", "STDERR"),
		ctl("tail", "nosuch"),
		follow("hello\n", "tail", "-f", "echo"),
		follow("err\n", "tail", "-f", "echo", "stderr"),
		follow("-", "tail", "-f", "nosuch"),
		ctl("clear", "echo"),
		ctl("tail", "echo"),
		ctl("clear", "nosuch"),
		ctl("clear", "grp:*"),
		ctl("avail"),
		// Groups.
		ctl("add"),
		ctl("add", "nosuch"),
		ctl("add", "grp"),
		ctl("remove", "nosuch"),
		ctl("remove", "grp"),
		ctlAnyOrder("stop", "grp:*"),
		ctl("remove", "grp"),
		ctl("status", "grp:*"),
		ctl("add", "grp"),
		stable(),
		ctlAnyOrder("stop", "all"),
		ctl("status"),
		ctlAnyOrder("start", "all"),
		stable(),
		ctlAnyOrder("restart", "all"),
		stable(),
		ctl("status"),
		ctlAnyOrder("clear", "all"),
		// The configuration.
		ctl("reread"),
		ctl("update", "nosuch"),
		rewrite(after),
		ctl("reread"),
		ctl("avail"),
		ctl("update", "added"),
		ctl("status", "added"),
		ctl("update"),
		stable(),
		ctl("status"),
		ctl("reread"),
		ctl("update", "all"),
		// The agent itself.
		ctl("reload"),
		{answering: true},
		stable(),
		ctl("status"),
		ctl("shutdown"),
		{gone: true},
		ctl("status"),
		ctl("start", "sleeper"),
		ctl("pid"),
	})
}

// TestSupvisorsctlErrorsMatchSupervisorctl: a server that refuses the
// connection, or the credentials, as supervisorctl reports them.
func TestSupvisorsctlErrorsMatchSupervisorctl(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", "[program:x]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	for _, c := range []struct {
		global []string
		args   []string
		// firstLine compares the first line only: after "Server requires
		// authentication", supervisorctl 4.2.5 runs the command again and
		// prints the Python exception that it raises.
		firstLine bool
	}{
		{global: []string{"-s", "http://127.0.0.1:1"}, args: []string{"status"}},
		{global: []string{"-s", "http://127.0.0.1:1"}, args: []string{"start", "x"}},
		{global: []string{"-s", "http://127.0.0.1:1"}, args: []string{"tail", "-f", "x"}},
		{global: []string{"-s", "http://127.0.0.1:1"}, args: []string{"shutdown"}},
		{global: []string{"-s", "unix://" + s.dir + "/nosuch.sock"}, args: []string{"pid"}},
		{global: []string{"-s", "unix://" + s.sock, "-u", s.user, "-p", s.password}, args: []string{"status"}},
		{global: []string{"-s", s.url, "-u", s.user, "-p", "bad"}, args: []string{"status"}, firstLine: true},
		{global: []string{"-s", s.url, "-u", s.user, "-p", "bad"}, args: []string{"avail"}, firstLine: true},
	} {
		want, _, wantCode := s.runClient(t, "supervisorctl", "", c.global, c.args...)
		got, _, gotCode := s.runClient(t, ctlBinary, "", c.global, c.args...)
		if c.firstLine {
			want, _, _ = strings.Cut(want, "\n")
			got, _, _ = strings.Cut(got, "\n")
		}
		want, got = normalize(want, s.dir), normalize(got, s.dir)
		if want != got || wantCode != gotCode {
			t.Errorf("%v %v: supvisorsctl printed %q and exited %d, supervisorctl %q and %d", c.global, c.args, got, gotCode, want, wantCode)
		}
	}
}

// golden records the transcript of supvisorsctl commands, one golden file
// per name, and compares it with testdata/supvisorsctl/NAME.golden (or
// rewrites them with -update).
type golden struct {
	t       *testing.T
	entries map[string][]string
	dirs    []string
}

func newGolden(t *testing.T) *golden { return &golden{t: t, entries: map[string][]string{}} }

var goldenNormalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`pid \d+, uptime \d+:\d\d:\d\d`), "pid PID, uptime UPTIME"},
	{regexp.MustCompile(`[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M`), "DATE"},
	{regexp.MustCompile(`(127\.0\.0\.\d+):\d+`), "$1:PORT"},
	{regexp.MustCompile(`-(stdout|stderr)---it-\d+\.log`), "-$1---it-N.log"},
	{regexp.MustCompile(`\b\d\d:\d\d:\d\d\b`), "HH:MM:SS"},
	{regexp.MustCompile(`"(remote_time|local_time|last_event_time|start|stop|now|pid)": \d+`), `"$1": N`},
	{regexp.MustCompile(`(?m)^(\s*)\d{3,7}$`), "${1}PID"}, // pid --json
}

func (g *golden) normalize(s string) string {
	for _, d := range g.dirs {
		s = strings.ReplaceAll(s, d, "DIR")
	}
	for _, n := range goldenNormalizers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

// run runs supvisorsctl with args against s, records it under name and
// returns its stdout.
func (g *golden) run(name string, s *server, args ...string) string {
	g.t.Helper()
	return g.runWith(name, s, "", s.credentials(), args...)
}

// runWith is run with input and other global flags.
func (g *golden) runWith(name string, s *server, stdin string, global []string, args ...string) string {
	g.t.Helper()
	if !slices.Contains(g.dirs, s.dir) {
		g.dirs = append(g.dirs, s.dir)
	}
	stdout, stderr, code := s.runClient(g.t, ctlBinary, stdin, global, args...)
	var b strings.Builder
	shown := args
	if len(global) > 0 && global[len(global)-1] != s.password {
		shown = append(append([]string{}, global...), args...)
	}
	fmt.Fprintf(&b, "$ supvisorsctl %s\n", strings.Join(shown, " "))
	if stdin != "" {
		fmt.Fprintf(&b, "[stdin] %q\n", stdin)
	}
	b.WriteString(stdout)
	if stderr != "" {
		b.WriteString("[stderr]\n" + stderr)
	}
	fmt.Fprintf(&b, "[exit %d]\n", code)
	g.entries[name] = append(g.entries[name], g.normalize(b.String()))
	return stdout
}

// check compares every recorded file with its golden file.
func (g *golden) check() {
	g.t.Helper()
	if g.t.Failed() {
		return
	}
	dir := filepath.Join("testdata", "supvisorsctl")
	names := make([]string, 0, len(g.entries))
	for name := range g.entries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		got := strings.Join(g.entries[name], "\n")
		path := filepath.Join(dir, name+".golden")
		if *updateGolden {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				g.t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				g.t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			g.t.Errorf("%v (go test ./integration/ -run %s -update writes it)", err, g.t.Name())
			continue
		}
		if string(want) != got {
			g.t.Errorf("supvisorsctl output differs from %s (-update rewrites it):\n--- want:\n%s\n--- got:\n%s", path, want, got)
		}
	}
}

const ctlRules = `<?xml version="1.0" encoding="UTF-8"?>
<root>
  <application name="web">
    <start_sequence>1</start_sequence>
    <stop_sequence>2</stop_sequence>
    <starting_failure_strategy>CONTINUE</starting_failure_strategy>
    <program name="server">
      <start_sequence>1</start_sequence><required>true</required><loading>20</loading>
      <addresses>127.0.0.2</addresses>
    </program>
    <program name="worker"><start_sequence>2</start_sequence><loading>10</loading></program>
  </application>
  <application name="tools">
    <stop_sequence>1</stop_sequence>
    <running_failure_strategy>CONTINUE</running_failure_strategy>
    <program name="probe"><start_sequence>1</start_sequence><addresses>127.0.0.1,127.0.0.2</addresses><loading>5</loading></program>
    <program name="extra"><addresses>127.0.0.1,127.0.0.2</addresses><loading>3</loading></program>
  </application>
</root>`

const ctlPrograms = `
[group:web]
programs=server,worker

[program:server]
command=/bin/sleep 1000
autostart=false
startsecs=0

[program:worker]
command=/bin/sleep 1000
autostart=false
startsecs=0

[group:tools]
programs=probe,extra

[program:extra]
command=/bin/sleep 1000
autostart=false
autorestart=false
startsecs=0

[program:probe]
command=/bin/sleep 1000
autostart=false
autorestart=false
startsecs=0
`

// TestSupvisorsctlGolden runs every Supvisors command of supvisorsctl, as
// a table and with --json, on a 2-node cluster with a rules file, with
// their faults, the interactive mode and the errors of an unreachable
// node or refused credentials.
func TestSupvisorsctlGolden(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 2, writeRulesFile(t, ctlRules), ctlPrograms)
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
	}
	n1, n2 := nodes[0], nodes[1]
	n1.waitPython(t, "[(i['process_name'], i['statename'], i['addresses']) for i in p.supvisors.get_process_info('web:*')]",
		"[('server', 'RUNNING', ['127.0.0.2']), ('worker', 'RUNNING', ['127.0.0.1'])]")
	g := newGolden(t)

	// Status.
	g.run("sversion", n1, "sversion")
	g.run("sversion", n1, "--json", "sversion")
	g.run("sversion", n1, "sversion", "extra")
	g.run("sstate", n1, "sstate")
	g.run("sstate", n2, "--json", "sstate")
	g.run("master", n2, "master")
	g.run("master", n1, "--json", "master")
	g.run("strategies", n1, "strategies")
	g.run("strategies", n1, "--json", "strategies")
	g.run("address_status", n1, "address_status")
	g.run("address_status", n1, "address_status", "127.0.0.2", "10.9.9.9")
	g.run("address_status", n1, "--json", "address_status", "all")
	g.run("application_info", n1, "application_info")
	g.run("application_info", n1, "application_info", "web", "nosuch")
	g.run("application_info", n1, "--json", "application_info")
	g.run("application_info", n1, "application_info", "--json", "nosuch")
	g.run("application_rules", n1, "application_rules")
	g.run("application_rules", n1, "application_rules", "tools", "nosuch")
	g.run("application_rules", n1, "--json", "application_rules", "web")
	g.run("sstatus", n1, "sstatus")
	g.run("sstatus", n2, "sstatus", "web:*")
	g.run("sstatus", n1, "sstatus", "web:server", "nosuch")
	g.run("sstatus", n1, "--json", "sstatus", "web:*")
	g.run("process_rules", n1, "process_rules")
	g.run("process_rules", n1, "process_rules", "web:worker", "nosuch")
	g.run("process_rules", n1, "--json", "process_rules", "tools:probe")
	g.run("conflicts", n1, "conflicts")
	g.run("conflicts", n1, "--json", "conflicts")

	// Applications.
	g.run("start_application", n1, "start_application", "CONFIG", "tools")
	g.run("start_application", n1, "sstatus", "tools:*")
	g.run("start_application", n1, "start_application", "CONFIG", "tools", "nosuch")
	g.run("start_application", n1, "--json", "start_application", "less_loaded", "web")
	g.run("start_application", n1, "start_application", "BOGUS", "tools")
	g.run("start_application", n1, "start_application")
	g.run("stop_application", n1, "stop_application", "tools")
	g.run("stop_application", n1, "stop_application", "tools")
	g.run("stop_application", n1, "--json", "stop_application", "nosuch")
	g.run("restart_application", n1, "restart_application", "2", "tools")
	g.run("restart_application", n1, "sstatus", "tools:*")
	g.run("restart_application", n1, "--json", "restart_application", "MOST_LOADED", "web")
	g.run("restart_application", n1, "restart_application", "9", "web")
	g.run("restart_application", n1, "stop_application", "tools")

	// Processes.
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
	}
	g.run("start_process", n2, "start_process", "LOCAL", "tools:probe")
	g.run("start_process", n1, "sstatus", "tools:probe")
	g.run("start_process", n1, "start_process", "CONFIG", "tools:extra", "nosuch:x")
	g.run("start_process", n1, "--json", "start_process", "0", "web:*")
	g.run("stop_process", n1, "stop_process", "tools:probe")
	g.run("stop_process", n1, "stop_process", "tools:probe")
	g.run("stop_process", n1, "--json", "stop_process", "tools:*")
	g.run("stop_process", n1, "--json", "stop_process", "tools:*")
	g.run("restart_process", n1, "restart_process", "CONFIG", "web:worker")
	g.run("restart_process", n1, "--json", "restart_process", "LESS_LOADED", "tools:probe", "nosuch")
	g.run("restart_process", n1, "stop_process", "tools:probe")
	g.run("restart_process", n1, "restart_process", "BOGUS", "tools:probe")
	g.run("start_args", n1, "start_args", "tools:extra", "5")
	g.run("start_args", n1, "sstatus", "tools:extra")
	g.run("start_args", n1, "start_args", "tools:probe", "-x")
	g.run("start_args", n1, "start_args", "tools:extra", "6")
	g.run("start_args", n1, "--json", "start_args", "nosuch")
	g.run("start_args", n1, "start_args")
	g.run("start_args", n1, "stop_process", "tools:extra")
	g.run("start_process_args", n1, "start_process_args", "MOST_LOADED", "tools:extra", "7", "8")
	g.run("start_process_args", n1, "sstatus", "tools:extra")
	g.run("start_process_args", n1, "--json", "start_process_args", "CONFIG", "tools:extra", "7")
	g.run("start_process_args", n1, "start_process_args", "CONFIG", "tools:extra")
	g.run("start_process_args", n1, "stop_process", "tools:extra")

	// A conflict: the probe started by hand on both nodes.
	g.run("conciliate", n1, "conciliate", "SENICIDE")
	g.run("conciliate", n1, "start", "tools:probe")
	n1.waitPython(t, "p.supvisors.get_process_info('tools:probe')[0]['addresses']", "['127.0.0.1']")
	// The second copy must be younger by the clock's seconds (start times
	// are whole seconds).
	first := time.Now().Unix()
	waitFor(t, 3*time.Second, func() (bool, string) { return time.Now().Unix() > first, "the clock stands still" })
	g.run("conciliate", n2, "start", "tools:probe")
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "CONCILIATION")
	}
	g.run("conciliate", n1, "sstate")
	g.run("conciliate", n1, "conflicts")
	g.run("conciliate", n2, "--json", "conflicts")
	g.run("conciliate", n1, "conciliate", "NEVER")
	g.run("conciliate", n1, "conciliate", "USER")
	g.run("conciliate", n1, "--json", "conciliate", "senicide")
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
	}
	n1.waitPython(t, "p.supvisors.get_process_info('tools:probe')[0]['addresses']", "['127.0.0.2']")
	// The copy SENICIDE stops may still be STOPPING on 127.0.0.1 (it no
	// longer counts as running): the status below shows it stopped.
	n1.waitPython(t, "p.supervisor.getProcessInfo('tools:probe')['statename']", "STOPPED")
	g.run("conciliate", n1, "sstatus", "tools:probe")
	g.run("conciliate", n1, "stop_process", "tools:probe")

	g.run("readmit", n1, "readmit", "127.0.0.2")
	g.run("readmit", n1, "--json", "readmit", "10.9.9.9")
	g.run("readmit", n1, "readmit")

	// The interactive mode, usage and access errors.
	g.runWith("interactive", n1, "status\nsstate\n\nhelp quit\nbogus\nstart_application\nquit\n", n1.credentials())
	g.runWith("interactive", n1, "sstatus web:worker\n", n1.credentials(), "--json")
	g.run("errors", n1, "nosuch")
	g.run("errors", n1, "sstate", "--bogus")
	g.run("errors", n1, "conflicts", "x")
	g.runWith("errors", n1, "", []string{"-s", "http://127.0.0.1:1"}, "sstate")
	g.runWith("errors", n1, "", []string{"-s", "http://127.0.0.1:1"}, "--json", "sstatus")
	g.runWith("errors", n1, "", []string{"-s", n1.url, "-u", n1.user, "-p", "bad"}, "application_info")
	g.runWith("errors", n1, "", []string{"-s", n1.url}, "--json", "sstate")

	// The whole cluster restarts, then shuts down.
	g.run("sreload", n2, "sreload")
	for _, n := range nodes {
		waitFor(t, 30*time.Second, func() (bool, string) {
			return len(grepLog(t, n, "supvisors: restarting")) > 0, n.host + " logged no restart"
		})
	}
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
	}
	g.run("sreload", n1, "sstate")
	g.run("sshutdown", n1, "sshutdown")
	for _, n := range nodes {
		select {
		case <-n.exited:
		case <-time.After(30 * time.Second):
			t.Fatalf("agent of %s still running 30 s after sshutdown", n.host)
		}
	}
	g.run("sshutdown", n1, "sshutdown")
	g.check()
}

// TestSupvisorsctlStateGate: the commands Supvisors gates on its state,
// on an agent whose peer never comes (INITIALIZATION).
func TestSupvisorsctlStateGate(t *testing.T) {
	t.Parallel()
	s := planCluster(t, 2, "synchro_timeout=1000").startNode(t, 0, ctlPrograms)
	g := newGolden(t)
	g.run("state_gate", s, "sstate")
	g.run("state_gate", s, "master")
	g.run("state_gate", s, "address_status")
	g.run("state_gate", s, "sstatus")
	g.run("state_gate", s, "--json", "sstatus")
	g.run("state_gate", s, "sstatus", "web:server")
	g.run("state_gate", s, "application_info", "web")
	g.run("state_gate", s, "application_rules")
	g.run("state_gate", s, "process_rules", "web:*")
	g.run("state_gate", s, "conflicts")
	g.run("state_gate", s, "start_application", "CONFIG", "web")
	g.run("state_gate", s, "start_application", "CONFIG")
	g.run("state_gate", s, "stop_process", "web:server")
	g.run("state_gate", s, "--json", "restart_process", "CONFIG", "web:server")
	g.run("state_gate", s, "conciliate", "SENICIDE")
	g.run("state_gate", s, "sshutdown")
	g.run("state_gate", s, "start_args", "tools:extra", "5")
	g.run("state_gate", s, "status")
	g.check()
}

// TestSupvisorsctlSupervisorJSON: the documents of the supervisorctl
// commands with --json (their table form is the oracle's), the empty line
// of tail -f on Ctrl-C, and the names that shell completion gets from the
// agent.
func TestSupvisorsctlSupervisorJSON(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", basicPrograms)
	s.waitStable(t)
	waitFor(t, 10*time.Second, func() (bool, string) {
		out, _ := s.ctl(t, "tail", "echo")
		return strings.HasPrefix(out, "hello\n"), "tail echo: " + out
	})
	if out, code := s.interrupted(t, ctlBinary, "hello\n", "tail", "-f", "echo"); out != "==> Press Ctrl-C to exit <==\nhello\n\n" || code != 0 {
		t.Errorf("tail -f echo, then Ctrl-C: exit %d, %q", code, out)
	}
	g := newGolden(t)
	for _, args := range [][]string{
		{"status", "sleeper", "grp:*"},
		{"status", "sleeper", "nosuch"},
		{"version"},
		{"pid"},
		{"pid", "sleeper", "b"},
		{"stop", "sleeper"},
		{"start", "sleeper", "nosuch"},
		{"restart", "grp:a"},
		{"signal", "HUP", "sleeper"},
		{"tail", "echo"},
		{"tail", "-3", "echo", "stderr"},
		{"clear", "echo"},
		{"reread"},
		{"avail"},
	} {
		g.run("supervisor_json", s, append([]string{"--json"}, args...)...)
	}
	for _, args := range [][]string{
		{"__complete", "start", ""},
		{"__complete", "add", ""},
		{"__complete", "start_process", ""},
		{"__complete", "start_process", "CONFIG", ""},
		{"__complete", "conciliate", ""},
	} {
		g.run("completion", s, args...)
	}
	g.check()
}
