package integration

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStatusExitCodes checks supervisorctl's exit codes for what it reads
// from our replies: 0 all running, 3 one stopped, and the error cases.
func TestStatusExitCodes(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", `
[program:up]
command=/bin/sleep 1000
startsecs=0
[program:down]
command=/bin/sleep 1000
autostart=false
`)
	s.waitStable(t)
	if _, code := s.ctl(t, "status", "up"); code != 0 {
		t.Errorf("status of a running process: exit %d, want 0", code)
	}
	if out, code := s.ctl(t, "status"); code != 3 || !strings.Contains(out, "down                             STOPPED   Not started") {
		t.Errorf("status with a stopped process: exit %d, want 3\n%s", code, out)
	}
	if out, code := s.ctl(t, "status", "nosuch"); code != 4 || !strings.Contains(out, "nosuch: ERROR (no such process)") {
		t.Errorf("status of an unknown name: exit %d, want 4\n%s", code, out)
	}
}

// TestUnixSocketAndAuth drives the agent over its unix socket, and checks
// that wrong or missing credentials are refused on both servers.
func TestUnixSocketAndAuth(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", "[program:up]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	s.waitStable(t)
	unix := "unix://" + s.sock
	out, code := s.ctlURL(t, unix, "status")
	if code != 0 || !regexp.MustCompile(`up\s+RUNNING\s+pid \d+`).MatchString(out) {
		t.Errorf("status over the unix socket: exit %d\n%s", code, out)
	}
	for _, c := range [][]string{{"stop", "up", "up: stopped"}, {"start", "up", "up: started"}, {"restart", "up", "up: started"}} {
		if out, code := s.ctlURL(t, unix, c[0], c[1]); code != 0 || !strings.Contains(out, c[2]) {
			t.Errorf("%s %s over the unix socket: exit %d\n%s", c[0], c[1], code, out)
		}
	}
	good := s.password
	for _, url := range []string{s.url, "unix://" + s.sock} {
		s.password = "wrong"
		out, code = s.ctlURL(t, url, "status")
		s.password = good
		if code != 1 || !strings.Contains(out, "Server requires authentication") {
			t.Errorf("%s with a wrong password: exit %d\n%s", url, code, out)
		}
	}
}

// TestSHAPassword checks a {SHA} hex password in the configuration.
func TestSHAPassword(t *testing.T) {
	t.Parallel()
	// sha1("123")
	s := startServerWith(t, "supvisors", "[program:up]\ncommand=/bin/sleep 1000\nstartsecs=0\n", func(s *server) {
		s.configPassword = "{SHA}40bd001563085fc35165329ea1ff5c5ecbdbbeef"
	})
	if out, code := s.ctl(t, "status", "up"); code != 0 {
		t.Errorf("status with a {SHA} password: exit %d\n%s", code, out)
	}
}

// TestTailFollow runs `supervisorctl tail -f` and `maintail -f`, which stream
// over GET /logtail and /mainlogtail, and checks that output written after
// the stream started arrives.
func TestTailFollow(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", `
[program:talker]
command=/bin/sh -c "echo first; while read x; do echo out-$x; echo err-$x >&2; done"
startsecs=0
`)
	s.waitStable(t)
	s.follow(t, []string{"tail", "-f", "talker"}, "first", "out-1", func() { s.sendStdin(t, "talker", "1\n") })
	s.follow(t, []string{"tail", "-f", "talker", "stderr"}, "err-1", "err-2", func() { s.sendStdin(t, "talker", "2\n") })
	s.follow(t, []string{"maintail", "-f"}, "spawned: 'talker'", "stopped: talker", func() {
		if out, code := s.ctl(t, "stop", "talker"); code != 0 {
			t.Errorf("stop: %s", out)
		}
	})
}

// follow runs a streaming supervisorctl command, waits for the line holding
// ready, calls act, then waits for a line holding want.
func (s *server) follow(t *testing.T, args []string, ready, want string, act func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "supervisorctl", append([]string{"-s", s.url, "-u", s.user, "-p", s.password}, args...)...)
	cmd.Dir = s.dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	acted := false
	var seen []string
	for sc.Scan() {
		line := sc.Text()
		seen = append(seen, line)
		if !acted && strings.Contains(line, ready) {
			acted = true
			act()
		}
		if acted && strings.Contains(line, want) {
			return
		}
	}
	t.Errorf("supervisorctl %v: never saw %q after %q; output:\n%s", args, want, ready, strings.Join(seen, "\n"))
}

// sendStdin calls supervisor.sendProcessStdin with Python's xmlrpc.client.
func (s *server) sendStdin(t testing.TB, name, chars string) {
	t.Helper()
	s.python(t, fmt.Sprintf("print(p.supervisor.sendProcessStdin(%q, %q))", name, chars))
}

// python runs a snippet with p bound to an xmlrpc.client proxy of the server.
func (s *server) python(t testing.TB, code string) string {
	t.Helper()
	url := strings.Replace(s.url, "http://", "http://"+s.user+":"+s.password+"@", 1) + "/RPC2"
	prog := fmt.Sprintf("import xmlrpc.client\np = xmlrpc.client.ServerProxy(%q)\n%s\n", url, code)
	out, err := s.command(context.Background(), "/usr/bin/python3", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return string(out)
}

// TestChildutilsFromChild runs a Python child that calls
// supervisor.childutils.getRPCInterface(os.environ), as superlance tools do.
func TestChildutilsFromChild(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", `
[program:pychild]
command=/usr/bin/python3 -c "import os, sys; from supervisor.childutils import getRPCInterface; p = getRPCInterface(os.environ); print('state', p.supervisor.getState()['statename']); print('me', p.supervisor.getProcessInfo(os.environ['SUPERVISOR_PROCESS_NAME'])['statename']); print('api', p.supvisors.get_api_version()); sys.stdout.flush()"
startsecs=0
autorestart=false
environment=SUPERVISOR_USERNAME="user",SUPERVISOR_PASSWORD="123"
`)
	waitFor(t, 20*time.Second, func() (bool, string) {
		out, _ := s.ctl(t, "tail", "pychild")
		return strings.Contains(out, "api"), out
	})
	out, _ := s.ctl(t, "tail", "pychild")
	for _, want := range []string{"state RUNNING", "me RUNNING", "api 0.1"} {
		if !strings.Contains(out, want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
	errOut, _ := s.ctl(t, "tail", "pychild", "stderr")
	if strings.Contains(errOut, "Traceback") {
		t.Errorf("child failed:\n%s", errOut)
	}
}

// TestSignalsAndLifecycle checks the pidfile, SIGHUP reload (like update),
// and that SIGTERM stops every child before the agent exits 0.
func TestSignalsAndLifecycle(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", "[program:one]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	s.waitStable(t)
	pidText, err := os.ReadFile(filepath.Join(s.dir, "supervisord.pid"))
	if err != nil || strings.TrimSpace(string(pidText)) != strconv.Itoa(s.cmd.Process.Pid) {
		t.Fatalf("pidfile holds %q (%v), want %d", pidText, err, s.cmd.Process.Pid)
	}
	s.writeConfig(t, "[program:one]\ncommand=/bin/sleep 1000\nstartsecs=0\n[program:two]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, func() (bool, string) {
		out, _ := s.ctl(t, "status", "two")
		return strings.Contains(out, "RUNNING"), out
	})
	children := childPids(t, s.cmd.Process.Pid)
	if len(children) != 2 {
		t.Fatalf("agent has %d children, want 2", len(children))
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		t.Fatal("agent did not exit on SIGTERM")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("agent exited %d after SIGTERM, want 0\n%s", code, s.stderr)
	}
	for _, pid := range children {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("child %d still alive after the agent stopped", pid)
		}
	}
	if _, err := os.Stat(filepath.Join(s.dir, "supervisord.pid")); !os.IsNotExist(err) {
		t.Errorf("pidfile left behind: %v", err)
	}
}

// TestNoOrphansAfterAgentKill kills the agent with SIGKILL and checks its
// children die with it, so a restarted agent never runs a second copy.
func TestNoOrphansAfterAgentKill(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", "[program:one]\ncommand=/bin/sleep 1000\nstartsecs=0\nnumprocs=3\nprocess_name=%(process_num)s\n")
	s.waitStable(t)
	children := childPids(t, s.cmd.Process.Pid)
	if len(children) != 3 {
		t.Fatalf("agent has %d children, want 3", len(children))
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	waitFor(t, 10*time.Second, func() (bool, string) {
		var alive []int
		for _, pid := range children {
			if processAlive(pid) {
				alive = append(alive, pid)
			}
		}
		return len(alive) == 0, fmt.Sprintf("children still alive: %v", alive)
	})
}

// childPids lists the direct children of pid from /proc.
func childPids(t testing.TB, pid int) []int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err == nil {
		var pids []int
		for _, f := range strings.Fields(string(data)) {
			n, _ := strconv.Atoi(f)
			pids = append(pids, n)
		}
		// children lists those of the main thread only; add the others'.
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		for _, task := range tasks {
			if strings.HasSuffix(task, fmt.Sprintf("/task/%d/children", pid)) {
				continue
			}
			more, _ := os.ReadFile(task)
			for _, f := range strings.Fields(string(more)) {
				n, _ := strconv.Atoi(f)
				pids = append(pids, n)
			}
		}
		return pids
	}
	t.Fatalf("read children of %d: %v", pid, err)
	return nil
}

// processAlive is true while pid exists and is not a zombie.
func processAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// TestReloadShutdownAndMaintail checks supervisorctl's maintail, reload (the
// agent restarts its processes in the same process, with a re-read
// configuration) and shutdown (the agent stops everything and exits 0).
func TestReloadShutdownAndMaintail(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", "[program:one]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	s.waitStable(t)
	if out, _ := s.ctl(t, "maintail"); !strings.Contains(out, "spawned: 'one' with pid") {
		t.Errorf("maintail lacks the spawn line:\n%s", out)
	}
	before := childPids(t, s.cmd.Process.Pid)
	s.writeConfig(t, "[program:one]\ncommand=/bin/sleep 1000\nstartsecs=0\n[program:two]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	if out, code := s.ctl(t, "reload"); code != 0 || !strings.Contains(out, "Restarted supervisord") {
		t.Fatalf("reload: exit %d\n%s", code, out)
	}
	waitFor(t, 15*time.Second, func() (bool, string) {
		out, _ := s.ctl(t, "status")
		return regexp.MustCompile(`(?s)one\s+RUNNING.*two\s+RUNNING`).MatchString(out), out
	})
	after := childPids(t, s.cmd.Process.Pid)
	for _, pid := range before {
		if processAlive(pid) {
			t.Errorf("child %d of the first run survived the reload", pid)
		}
	}
	if len(after) != 2 {
		t.Errorf("after reload the agent has children %v, want 2", after)
	}
	if out, code := s.ctl(t, "shutdown"); code != 0 || !strings.Contains(out, "Shut down") {
		t.Fatalf("shutdown: exit %d\n%s", code, out)
	}
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		t.Fatal("agent still running after shutdown")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("agent exited %d after shutdown, want 0", code)
	}
	for _, pid := range after {
		if processAlive(pid) {
			t.Errorf("child %d survived the shutdown", pid)
		}
	}
}
