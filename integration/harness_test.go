// Package integration drives the real supvisors binary from outside, with
// Debian's supervisorctl and python3 as clients, and Debian's supervisord as
// the oracle that says what the right answer is.
package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/internal/testnet"
	"github.com/supvisors/supvisors-go/internal/testwait"
)

// agentBinary is the supvisors binary built once for the whole package,
// ctlBinary the supvisorsctl one.
var agentBinary, ctlBinary string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "supvisors-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	agentBinary = filepath.Join(dir, "supvisors")
	ctlBinary = filepath.Join(dir, "supvisorsctl")
	build := exec.Command("go", "build", "-o", dir+"/", "../cmd/supvisors", "../cmd/supvisorsctl")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build supvisors and supvisorsctl:", err)
		return 1
	}
	for _, tool := range []string{"supervisorctl", "supervisord"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(os.Stderr, "%s not found: install Debian's supervisor package (make deps)\n", tool)
			return 1
		}
	}
	return m.Run()
}

// server is a running supervisor: ours or Debian's supervisord.
type server struct {
	name string // "supvisors" or "supervisord"
	dir  string // its scratch directory: config, logs, socket
	conf string // config file path
	host string // the address it listens on (127.0.0.1 unless set)
	port int
	url  string // http://HOST:PORT (https:// with inetTLS)
	sock string // unix socket path
	// inetTLS holds the [inet_http_server] lines that make the port serve
	// HTTPS (certfile, keyfile, cafile); supervisorctl, which cannot speak
	// it, then goes through the unix socket.
	inetTLS  string
	user     string
	password string // what clients send
	// configPassword is what the configuration says, when it differs from
	// password (a {SHA} hash).
	configPassword string
	cmd            *exec.Cmd
	stderr         *bytes.Buffer
	exited         chan struct{}
	// netns is the network namespace the server lives in (netns_test.go);
	// "" for the host's. Its clients run there too.
	netns string
}

// command prepares a client command that reaches the server: run as is, or
// with `ip netns exec` inside the server's network namespace.
func (s *server) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	if s.netns == "" {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", s.netns, name}, args...)...)
}

// serverConfig is the part of a configuration every test shares; body holds
// the test's own sections. {{DIR}} in body stands for the server's directory.
func serverConfig(dir, host string, port int, user, password, inetTLS, body string) string {
	auth := ""
	if user != "" {
		auth = fmt.Sprintf("username=%s\npassword=%s\n", user, password)
	}
	return fmt.Sprintf(`[supervisord]
logfile=%[1]s/supervisord.log
pidfile=%[1]s/supervisord.pid
childlogdir=%[1]s
identifier=it

[inet_http_server]
port=%[4]s:%[2]d
%[3]s%[5]s
[unix_http_server]
file=%[1]s/s.sock
%[3]s
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]

`, dir, port, auth, host, inetTLS) + strings.ReplaceAll(body, "{{DIR}}", dir)
}

// startServer starts ours (kind "supvisors") or the oracle ("supervisord")
// with the test's config body, and waits until it answers.
func startServer(t testing.TB, kind, body string) *server {
	t.Helper()
	return startServerWith(t, kind, body, func(*server) {})
}

// startServerWith is startServer with a chance to change the server's
// settings before its configuration is written.
func startServerWith(t testing.TB, kind, body string, modify func(*server)) *server {
	t.Helper()
	s := newServer(t, kind, body, modify)
	s.launch(t)
	s.waitAnswering(t)
	return s
}

// newServer prepares a server: its directory and configuration, and the
// command that runs it.
func newServer(t testing.TB, kind, body string, modify func(*server)) *server {
	t.Helper()
	dir := t.TempDir()
	s := &server{name: kind, dir: dir, user: "user", password: "123", sock: filepath.Join(dir, "s.sock")}
	s.host = "127.0.0.1"
	modify(s)
	if s.port == 0 {
		s.port = freePort(t)
	}
	scheme := "http"
	if s.inetTLS != "" {
		scheme = "https"
	}
	s.url = fmt.Sprintf("%s://%s:%d", scheme, s.host, s.port)
	s.conf = filepath.Join(dir, "supervisord.conf")
	s.writeConfig(t, body)
	switch kind {
	case "supvisors":
		s.cmd = exec.Command(agentBinary, "-c", s.conf)
	case "supervisord":
		s.cmd = exec.Command("supervisord", "-n", "-c", s.conf)
	default:
		t.Fatalf("unknown server kind %q", kind)
	}
	s.stderr = &bytes.Buffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.stderr, s.stderr
	s.cmd.Dir = dir
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return s
}

// launch starts the server's process; the test's cleanup stops it.
func (s *server) launch(t testing.TB) {
	t.Helper()
	s.start(t)
	t.Cleanup(func() { s.kill(t) })
}

// relaunch starts a server that has exited (killed, shut down) again in
// the same directory, with the same configuration, logs and output, and
// the command line args (args[0] the program, e.g. the server's first
// cmd.Args plus flags). The cleanup launch registered stops it.
func (s *server) relaunch(t testing.TB, args []string) {
	t.Helper()
	old := s.cmd
	select {
	case <-s.exited:
	default:
		t.Fatalf("relaunch %s: it is still running", s.name)
	}
	s.cmd = exec.Command(args[0], args[1:]...)
	s.cmd.Dir, s.cmd.Env, s.cmd.Stdout, s.cmd.Stderr = old.Dir, old.Env, old.Stdout, old.Stderr
	s.cmd.SysProcAttr = old.SysProcAttr
	s.start(t)
}

// start runs the server's command and watches for its end.
func (s *server) start(t testing.TB) {
	t.Helper()
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", s.name, err)
	}
	cmd, exited := s.cmd, make(chan struct{})
	s.exited = exited
	go func() { _ = cmd.Wait(); close(exited) }()
}

// waitAnswering waits until the server answers supervisorctl.
func (s *server) waitAnswering(t testing.TB) {
	t.Helper()
	// Debian's supervisord answers late while it spawns 1,000 processes.
	waitFor(t, 2*time.Minute, func() (bool, string) {
		select {
		case <-s.exited:
			t.Fatalf("%s exited at start-up: %s", s.name, s.stderr.String())
		default:
		}
		out, _ := s.ctl(t, "pid")
		return regexp.MustCompile(`^\d+\n$`).MatchString(out), "server answering: " + out
	})
}

func (s *server) writeConfig(t testing.TB, body string) {
	t.Helper()
	password := s.password
	if s.configPassword != "" {
		password = s.configPassword
	}
	if err := os.WriteFile(s.conf, []byte(serverConfig(s.dir, s.host, s.port, s.user, password, s.inetTLS, body)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// kill stops the server at the end of a test: SIGTERM, then SIGKILL of its
// whole process group if it does not go.
func (s *server) kill(t testing.TB) {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(2 * time.Minute):
		t.Errorf("%s did not exit on SIGTERM", s.name)
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
}

// ctl runs Debian's supervisorctl against the server over TCP (over the
// unix socket when the port serves HTTPS) with its credentials, and
// returns stdout+stderr and the exit code.
func (s *server) ctl(t testing.TB, args ...string) (string, int) {
	t.Helper()
	if s.inetTLS != "" {
		return s.ctlURL(t, "unix://"+s.sock, args...)
	}
	return s.ctlURL(t, s.url, args...)
}

func (s *server) ctlURL(t testing.TB, url string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	full := append([]string{"-s", url, "-u", s.user, "-p", s.password}, args...)
	cmd := s.command(ctx, "supervisorctl", full...)
	// An empty config keeps the machine's /etc/supervisor out of the test.
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "HOME="+s.dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("supervisorctl %v: %v", args, err)
	return "", 0
}

// waitStable waits until no process is STARTING, BACKOFF or STOPPING.
func (s *server) waitStable(t testing.TB) {
	t.Helper()
	waitFor(t, 20*time.Second, func() (bool, string) {
		out, _ := s.ctl(t, "status")
		return !regexp.MustCompile(`STARTING|BACKOFF|STOPPING`).MatchString(out), out
	})
}

// waitFor polls cond until it holds, at most timeout (testwait.For).
var waitFor = testwait.For

// freePort is a port free on 127.0.0.1 (testnet.FreePort).
var freePort = testnet.FreePort

var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`pid \d+, uptime \d+:\d\d:\d\d`), "pid PID, uptime UPTIME"},
	{regexp.MustCompile(`(?m)^\d+$`), "PID"},
	{regexp.MustCompile(`[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M`), "DATE"},
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+`), "URL"},
}

// normalize removes what legitimately differs between two runs: pids,
// uptimes, stop dates, ports, scratch directories.
func normalize(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "DIR")
	for _, n := range normalizers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}
