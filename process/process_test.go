package process

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

func wantFault(t testing.TB, err error, code fault.Code, text string) {
	t.Helper()
	var f *fault.Fault
	if !errors.As(err, &f) {
		t.Fatalf("got %v, want fault %s", err, code)
	}
	if f.Code != code || (text != "" && f.String != text) {
		t.Fatalf("got fault %q (%d), want %q (%d)", f.String, f.Code, text, code)
	}
}

func TestStartsecsThenStop(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("sleeper", "sleep 1000"))
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	if got := p.State(); got != enums.ProcessStarting {
		t.Fatalf("after Start: %v, want STARTING", got)
	}
	if err := p.WaitStarted(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	info := p.Info()
	if info.State != enums.ProcessRunning || info.PID == 0 {
		t.Fatalf("info %+v", info)
	}
	if want := fmt.Sprintf(`^pid %d, uptime 0:00:0[0-9]$`, info.PID); !regexp.MustCompile(want).MatchString(info.Description) {
		t.Errorf("description %q, want %s", info.Description, want)
	}
	wantFault(t, p.Start(""), fault.AlreadyStarted, "ALREADY_STARTED: sleeper")
	pid := info.PID

	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitStopped(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	info = p.Info()
	if info.State != enums.ProcessStopped || info.PID != 0 || info.ExitStatus != -1 {
		t.Fatalf("info %+v", info)
	}
	if want := info.Stop.Local().Format("Jan 02 03:04 PM"); info.Description != want {
		t.Errorf("description %q, want %q", info.Description, want)
	}
	wantFault(t, p.Stop(), fault.NotRunning, "NOT_RUNNING: sleeper")
	for _, line := range []string{
		fmt.Sprintf("spawned: 'sleeper' with pid %d", pid),
		"success: sleeper entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)",
		"stopped: sleeper (terminated by SIGTERM)",
	} {
		if !strings.Contains(h.log.String(), line) {
			t.Errorf("main log lacks %q:\n%s", line, h.log)
		}
	}
}

// TestBackoffToFatal runs a program that always exits at once through its
// retries on a fake clock: BACKOFF after each try, retries after 1 then 2 s,
// FATAL after startretries.
func TestBackoffToFatal(t *testing.T) {
	h := newHarness(t, withFakeClock)
	p := h.one(t, h.program("quick", "/bin/sh -c 'exit 1'", func(c *config.Process) { c.Startretries = 2 }))
	events := h.record(t)
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	wantFault(t, p.WaitStarted(ctxTimeout(t)), fault.SpawnError, "SPAWN_ERROR: quick")
	events.states(t, 2)
	if info := p.Info(); info.State != enums.ProcessBackoff || info.Description != tooQuicklyText {
		t.Errorf("info %+v", info)
	}
	h.clock.Advance(999 * time.Millisecond)
	if got := p.State(); got != enums.ProcessBackoff {
		t.Fatalf("retried before 1 s: %v", got)
	}
	h.clock.Advance(time.Millisecond)
	events.states(t, 4)
	h.clock.Advance(2 * time.Second)
	want := []enums.ProcessState{enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessFatal}
	if got := events.states(t, len(want)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("states %v, want %v", got, want)
	}
	for _, line := range []string{
		"exited: quick (exit status 1; not expected)",
		"gave up: quick entered FATAL state, too many start retries too quickly",
	} {
		if !strings.Contains(h.log.String(), line) {
			t.Errorf("main log lacks %q:\n%s", line, h.log)
		}
	}
}

// onceThenSleep exits with code the first time it runs, then sleeps.
func onceThenSleep(dir string, code int) string {
	mark := filepath.Join(dir, fmt.Sprintf("mark%d", code))
	return fmt.Sprintf(`/bin/sh -c 'if [ -e %s ]; then exec sleep 1000; fi; touch %s; exit %d'`, mark, mark, code)
}

func TestAutorestart(t *testing.T) {
	tests := []struct {
		name        string
		autorestart config.Autorestart
		exitcodes   []int
		code        int
		restarts    bool
		spawnErr    string
	}{
		{"unexpected, expected code", config.AutorestartUnexpected, []int{0}, 0, false, ""},
		{"unexpected, other code", config.AutorestartUnexpected, []int{0}, 3, true, ""},
		{"unexpected, code in exitcodes", config.AutorestartUnexpected, []int{0, 3}, 3, false, ""},
		{"true, expected code", config.AutorestartTrue, []int{0}, 0, true, ""},
		{"false, other code", config.AutorestartFalse, []int{0}, 3, false, "Bad exit code 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			p := h.one(t, h.program("x", onceThenSleep(h.dir, tt.code), func(c *config.Process) {
				c.Startsecs = 0
				c.Autorestart = tt.autorestart
				c.Exitcodes = tt.exitcodes
			}))
			if err := p.Start(""); err != nil {
				t.Fatal(err)
			}
			if tt.restarts {
				h.waitMainLog(t, "spawned: 'x' with pid")
				h.waitFor(t, "a second spawn", func() bool { return strings.Count(h.log.String(), "spawned: 'x'") == 2 })
				h.waitState(t, p, enums.ProcessRunning)
				return
			}
			h.waitState(t, p, enums.ProcessExited)
			info := p.Info()
			if info.ExitStatus != tt.code || info.SpawnErr != tt.spawnErr || info.Expected != (tt.spawnErr == "") {
				t.Errorf("info %+v", info)
			}
			if want := info.Stop.Local().Format("Jan 02 03:04 PM"); info.Description != want {
				t.Errorf("description %q, want %q", info.Description, want)
			}
		})
	}
}

func TestStopSignal(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("int", `/bin/sh -c 'trap "echo got INT; exit 7" INT; echo ready; while :; do sleep 0.1; done'`,
		func(c *config.Process) {
			c.Startsecs = 0
			c.Stopsignal = syscall.SIGINT
		}))
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "stdout", "ready")
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitStopped(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "stdout", "got INT")
	if info := p.Info(); info.State != enums.ProcessStopped || info.ExitStatus != 7 {
		t.Errorf("info %+v", info)
	}
	if !strings.Contains(h.log.String(), "stopped: int (exit status 7)") {
		t.Errorf("main log:\n%s", h.log)
	}
}

// TestStopwaitsecsKill stops a child that ignores SIGTERM: SIGKILL follows
// after stopwaitsecs (on a fake clock).
func TestStopwaitsecsKill(t *testing.T) {
	h := newHarness(t, withFakeClock)
	p := h.one(t, h.program("stubborn", `/bin/sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'`,
		func(c *config.Process) {
			c.Startsecs = 0
			c.Stopwaitsecs = 5
		}))
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "stdout", "ready")
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- p.WaitStopped(ctxTimeout(t)) }()
	h.waitMainLog(t, "waiting for stubborn to stop")
	h.clock.Advance(4 * time.Second)
	if got := p.State(); got != enums.ProcessStopping {
		t.Fatalf("state %v before stopwaitsecs", got)
	}
	h.clock.Advance(time.Second)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"killing 'stubborn' (", ") with SIGKILL", "stopped: stubborn (terminated by SIGKILL)"} {
		if !strings.Contains(h.log.String(), line) {
			t.Errorf("main log lacks %q:\n%s", line, h.log)
		}
	}
}

// TestStopAsGroup checks that stopasgroup and killasgroup reach the
// grandchildren.
func TestStopAsGroup(t *testing.T) {
	tests := []struct {
		name    string
		command string
		mod     func(*config.Process)
		kill    bool
	}{
		{"stopasgroup", `/bin/sh -c 'sleep 1000 & echo $!; wait'`, func(c *config.Process) { c.Stopasgroup, c.Killasgroup = true, true }, false},
		{"killasgroup", `/bin/sh -c 'trap "" TERM; sleep 1000 & echo $!; wait'`, func(c *config.Process) { c.Killasgroup = true }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withFakeClock)
			p := h.one(t, h.program("tree", tt.command, func(c *config.Process) {
				c.Startsecs = 0
				tt.mod(c)
			}))
			if err := p.Start(""); err != nil {
				t.Fatal(err)
			}
			grandchild := childPID(t, waitLog(t, p, "stdout", "\n"))
			if err := p.Stop(); err != nil {
				t.Fatal(err)
			}
			if tt.kill {
				h.clock.Advance(10 * time.Second)
			}
			if err := p.WaitStopped(ctxTimeout(t)); err != nil {
				t.Fatal(err)
			}
			waitGone(t, grandchild)
		})
	}
}

func TestBackoffStop(t *testing.T) {
	h := newHarness(t, withFakeClock)
	p := h.one(t, h.program("quick", "/bin/sh -c 'exit 1'"))
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	h.waitState(t, p, enums.ProcessBackoff)
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := p.State(); got != enums.ProcessStopped {
		t.Fatalf("BACKOFF + stop: %v, want STOPPED", got)
	}
	if err := p.WaitStopped(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Minute)
	if got := p.State(); got != enums.ProcessStopped {
		t.Fatalf("retried after a stop: %v", got)
	}
	if strings.Contains(h.log.String(), "killing quick") {
		t.Errorf("a signal was sent:\n%s", h.log)
	}
}

func TestSignal(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("hup", `/bin/sh -c 'trap "echo got HUP" HUP; echo ready; while :; do sleep 0.1; done'`,
		func(c *config.Process) { c.Startsecs = 0 }))
	wantFault(t, p.Signal(syscall.SIGHUP), fault.NotRunning, "NOT_RUNNING: hup")
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "stdout", "ready")
	if err := p.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "stdout", "got HUP")
	if got := p.State(); got != enums.ProcessRunning {
		t.Errorf("state %v after a signal", got)
	}
}

func TestStdin(t *testing.T) {
	h := newHarness(t)
	procs := h.run(t,
		group("cat", 1, h.program("cat", "cat", func(c *config.Process) { c.Startsecs = 0 })),
		group("closer", 2, h.program("closer", `/bin/sh -c 'exec 0<&-; echo closed; exec sleep 1000'`,
			func(c *config.Process) { c.Startsecs = 0 })))
	cat, closer := procs["cat"], procs["closer"]
	wantFault(t, cat.WriteStdin([]byte("x")), fault.NotRunning, "NOT_RUNNING: cat")
	for _, p := range []*Process{cat, closer} {
		if err := p.Start(""); err != nil {
			t.Fatal(err)
		}
	}
	if err := cat.WriteStdin([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	waitLog(t, cat, "stdout", "hello\n")
	// More than a pipe holds: the rest goes out as cat reads.
	big := strings.Repeat("0123456789abcde\n", 1<<16)
	if err := cat.WriteStdin([]byte(big)); err != nil {
		t.Fatal(err)
	}
	waitLog(t, cat, "stdout", "hello\n"+big)

	waitLog(t, closer, "stdout", "closed")
	wantFault(t, closer.WriteStdin([]byte("x")), fault.NoFile, "NO_FILE: closer")
	wantFault(t, closer.WriteStdin([]byte("x")), fault.NoFile, "NO_FILE: closer")
}

func TestRedirectStderr(t *testing.T) {
	h := newHarness(t)
	cmd := `/bin/sh -c 'echo out; echo err >&2; exec sleep 1000'`
	procs := h.run(t,
		group("merged", 1, h.program("merged", cmd, func(c *config.Process) {
			c.Startsecs = 0
			c.RedirectStderr = true
			c.Stderr.Logfile = ""
		})),
		group("split", 1, h.program("split", cmd, func(c *config.Process) { c.Startsecs = 0 })))
	for _, p := range procs {
		if err := p.Start(""); err != nil {
			t.Fatal(err)
		}
	}
	out := waitLog(t, procs["merged"], "stdout", "err\n")
	if !strings.Contains(out, "out\n") {
		t.Errorf("merged stdout %q", out)
	}
	if procs["merged"].Log("stderr") != nil {
		t.Error("a redirected stderr has a log file")
	}
	waitLog(t, procs["split"], "stdout", "out\n")
	if got := waitLog(t, procs["split"], "stderr", "err\n"); got != "err\n" {
		t.Errorf("stderr %q", got)
	}
}

func TestLogRotation(t *testing.T) {
	h := newHarness(t)
	line := strings.Repeat("0123456789", 10)
	p := h.one(t, h.program("chatty", `/bin/sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do echo `+line+`; done'`,
		func(c *config.Process) {
			c.Startsecs = 0
			c.Autorestart = config.AutorestartFalse
			c.Stdout.MaxBytes = 100
			c.Stdout.Backups = 2
		}))
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	h.waitState(t, p, enums.ProcessExited) // the output is drained before the exit is processed
	path := p.Log("stdout").Path()
	var kept string
	for _, name := range []string{path + ".2", path + ".1", path} {
		data, _ := os.ReadFile(name)
		kept += string(data)
	}
	if _, err := os.Stat(path + ".1"); err != nil {
		t.Errorf("no backup: %v", err)
	}
	if _, err := os.Stat(path + ".3"); err == nil {
		t.Error("more backups than configured")
	}
	if all := strings.Repeat(line+"\n", 10); kept == "" || !strings.HasSuffix(all, kept) {
		t.Errorf("kept %q, not the end of the output", kept)
	}
}

// TestOutputDrainedAtExit: what a child wrote just before it exited is in
// its log once the exit is known, even when the reaper sees the exit first.
func TestOutputDrainedAtExit(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("burst", `/bin/sh -c 'head -c 60000 /dev/zero | tr "\\0" x; echo END'`, func(c *config.Process) {
		c.Startsecs = 0
		c.Autorestart = config.AutorestartFalse
	}))
	want := strings.Repeat("x", 60000) + "END\n"
	for i := range 20 {
		if err := os.Truncate(p.Log("stdout").Path(), 0); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if err := p.Start(""); err != nil {
			t.Fatal(err)
		}
		h.waitState(t, p, enums.ProcessExited)
		if data, _ := os.ReadFile(p.Log("stdout").Path()); string(data) != want {
			t.Fatalf("run %d: log has %d bytes, want %d", i, len(data), len(want))
		}
	}
}

func TestReopenLogs(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("cat", "cat", func(c *config.Process) { c.Startsecs = 0 }))
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteStdin([]byte("before\n")); err != nil {
		t.Fatal(err)
	}
	path := p.Log("stdout").Path()
	waitLog(t, p, "stdout", "before\n")
	if err := os.Rename(path, path+".old"); err != nil {
		t.Fatal(err)
	}
	h.ReopenLogs()
	if err := p.WriteStdin([]byte("after\n")); err != nil {
		t.Fatal(err)
	}
	if got := waitLog(t, p, "stdout", "after\n"); got != "after\n" {
		t.Errorf("reopened log %q", got)
	}
}

func TestClearLogs(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("echo", `/bin/sh -c 'echo hello; echo world >&2; exec sleep 1000'`, func(c *config.Process) { c.Startsecs = 0 }))
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "stdout", "hello")
	waitLog(t, p, "stderr", "world")
	if err := p.ClearLogs(); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"stdout", "stderr"} {
		if data, err := os.ReadFile(p.Log(ch).Path()); err != nil || len(data) != 0 {
			t.Errorf("%s after clear: %q, %v", ch, data, err)
		}
	}
}

func TestEnvironment(t *testing.T) {
	h := newHarness(t, func(o *Options) {
		o.ServerURL = "unix:///tmp/supervisor.sock"
		o.Environment = []config.EnvVar{{Key: "GLOBAL", Value: "g"}, {Key: "SHARED", Value: "global"}, {Key: "SUPERVISOR_GROUP_NAME", Value: "overridden"}}
		o.BaseEnv = append(os.Environ(), "FROM_AGENT=a", "SHARED=agent")
	})
	procs := h.run(t, group("grp", 1,
		h.program("env", `/bin/sh -c 'env; exec sleep 1000'`, func(c *config.Process) {
			c.Startsecs = 0
			c.Environment = []config.EnvVar{{Key: "SHARED", Value: "program"}, {Key: "OWN", Value: "o"}}
		}),
		h.program("url", `/bin/sh -c 'env; exec sleep 1000'`, func(c *config.Process) {
			c.Startsecs = 0
			c.Serverurl = "http://127.0.0.1:9001"
		})))
	for _, p := range procs {
		if err := p.Start(""); err != nil {
			t.Fatal(err)
		}
	}
	env := waitLog(t, procs["env"], "stdout", "OWN=o")
	for _, want := range []string{
		"SUPERVISOR_ENABLED=1", "SUPERVISOR_SERVER_URL=unix:///tmp/supervisor.sock",
		"SUPERVISOR_PROCESS_NAME=env", "SUPERVISOR_GROUP_NAME=overridden",
		"FROM_AGENT=a", "GLOBAL=g", "SHARED=program",
	} {
		if !strings.Contains(env, "\n"+want+"\n") && !strings.HasPrefix(env, want+"\n") {
			t.Errorf("child environment lacks %s:\n%s", want, env)
		}
	}
	if env := waitLog(t, procs["url"], "stdout", "SUPERVISOR_SERVER_URL="); !strings.Contains(env, "SUPERVISOR_SERVER_URL=http://127.0.0.1:9001\n") {
		t.Errorf("program serverurl not used:\n%s", env)
	}
}

func TestDirectoryAndUmask(t *testing.T) {
	h := newHarness(t)
	work := t.TempDir()
	umask := os.FileMode(0o077)
	p := h.one(t, h.program("files", `/bin/sh -c 'touch made; pwd; exec sleep 1000'`, func(c *config.Process) {
		c.Startsecs = 0
		c.Directory = work
		c.Umask = &umask
	}))
	before := syscall.Umask(0o022)
	syscall.Umask(before)
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "stdout", work+"\n")
	st, err := os.Stat(filepath.Join(work, "made"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file made with mode %v, want 0600", st.Mode().Perm())
	}
	after := syscall.Umask(before)
	if after != before {
		t.Errorf("agent umask %o after spawn, want %o", after, before)
	}
}

func TestCommandErrors(t *testing.T) {
	h := newHarness(t)
	plain := filepath.Join(h.dir, "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	procs := h.run(t,
		group("missing", 1, h.program("missing", "no_such_command_xyz arg")),
		group("plain", 1, h.program("plain", plain)),
		group("dir", 1, h.program("dir", h.dir)),
		group("badquote", 1, h.program("badquote", `sh -c 'oops`)),
		group("empty", 1, h.program("empty", "  ")))
	wantFault(t, procs["missing"].Start(""), fault.NoFile, "NO_FILE: can't find command 'no_such_command_xyz'")
	wantFault(t, procs["plain"].Start(""), fault.NotExecutable, fmt.Sprintf("NOT_EXECUTABLE: command at '%s' is not executable", plain))
	wantFault(t, procs["dir"].Start(""), fault.NotExecutable, fmt.Sprintf("NOT_EXECUTABLE: command at '%s' is a directory", h.dir))
	wantFault(t, procs["badquote"].Start(""), fault.NotExecutable, `NOT_EXECUTABLE: can't parse command "sh -c 'oops": No closing quotation`)
	wantFault(t, procs["empty"].Start(""), fault.NotExecutable, "NOT_EXECUTABLE: command is empty")
	for _, p := range procs {
		if got := p.State(); got != enums.ProcessStopped {
			t.Errorf("%s: %v after a refused start", p.Name(), got)
		}
	}
}

// TestAutostartMissingCommand: an automatic start of a missing command
// records the spawn error, backs off and gives up.
func TestAutostartMissingCommand(t *testing.T) {
	h := newHarness(t, withFakeClock)
	p := h.one(t, h.program("missing", "no_such_command_xyz", func(c *config.Process) {
		c.Autostart = true
		c.Startretries = 1
	}))
	if info := p.Info(); info.State != enums.ProcessBackoff || info.SpawnErr != "can't find command 'no_such_command_xyz'" {
		t.Fatalf("info %+v", info)
	}
	h.clock.Advance(time.Second)
	if info := p.Info(); info.State != enums.ProcessFatal || info.Description != "can't find command 'no_such_command_xyz'" {
		t.Fatalf("info %+v", info)
	}
	if !strings.Contains(h.log.String(), "spawnerr: can't find command 'no_such_command_xyz'") {
		t.Errorf("main log:\n%s", h.log)
	}
}

// TestChildFailures covers what Supervisor's forked child reports before
// exec: the lines land in the stderr log (stdout when redirected) and the
// start ends like a too-quick exit.
func TestChildFailures(t *testing.T) {
	h := newHarness(t)
	noexec := filepath.Join(h.dir, "noexec")
	if err := os.WriteFile(noexec, []byte{0x7f, 'x', 0, 0, 1, 2}, 0o755); err != nil {
		t.Fatal(err)
	}
	procs := h.run(t,
		group("chdir", 1, h.program("chdir", "sleep 1", func(c *config.Process) { c.Directory = "/nonexistent/dir" })),
		group("exec", 1, h.program("exec", noexec, func(c *config.Process) {
			c.RedirectStderr = true
			c.Stderr.Logfile = ""
		})))
	tests := []struct {
		name, channel, want string
	}{
		{"chdir", "stderr", "supervisor: couldn't chdir to /nonexistent/dir: ENOENT\nsupervisor: child process was not spawned\n"},
		{"exec", "stdout", fmt.Sprintf("supervisor: couldn't exec %s: ENOEXEC\nsupervisor: child process was not spawned\n", noexec)},
	}
	for _, tt := range tests {
		p := procs[tt.name]
		wantFault(t, p.Start(""), fault.SpawnError, "SPAWN_ERROR: "+tt.name)
		if info := p.Info(); info.State != enums.ProcessBackoff || info.SpawnErr != tooQuicklyText {
			t.Errorf("%s: info %+v", tt.name, info)
		}
		if data, _ := os.ReadFile(p.Log(tt.channel).Path()); string(data) != tt.want {
			t.Errorf("%s: %s log %q, want %q", tt.name, tt.channel, data, tt.want)
		}
		if !strings.Contains(h.log.String(), fmt.Sprintf("exited: %s (exit status 127; not expected)", tt.name)) {
			t.Errorf("main log:\n%s", h.log)
		}
	}
}

// TestUser runs a child as another user, which needs root.
func TestUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root")
	}
	h := newHarness(t)
	private := t.TempDir()
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	procs := h.run(t,
		group("nobody", 1, h.program("nobody", `/bin/sh -c 'id -u; exec sleep 1000'`, func(c *config.Process) {
			c.Startsecs = 0
			c.User, c.UID = "nobody", 65534
		})),
		group("locked", 1, h.program("locked", "sleep 1", func(c *config.Process) {
			c.User, c.UID = "nobody", 65534
			c.Directory = private
		})))
	if err := procs["nobody"].Start(""); err != nil {
		t.Fatal(err)
	}
	waitLog(t, procs["nobody"], "stdout", "65534\n")
	wantFault(t, procs["locked"].Start(""), fault.SpawnError, "SPAWN_ERROR: locked")
	want := fmt.Sprintf("supervisor: couldn't chdir to %s: EACCES\n", private)
	if data, _ := os.ReadFile(procs["locked"].Log("stderr").Path()); !strings.HasPrefix(string(data), want) {
		t.Errorf("stderr log %q, want %q", data, want)
	}
}

func TestWaitStartedAbnormal(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("slow", "sleep 1000", func(c *config.Process) { c.Startsecs = 60 }))
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	wantFault(t, p.WaitStarted(ctxTimeout(t)), fault.AbnormalTermination, "ABNORMAL_TERMINATION: slow")
}

func TestExtraArgs(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("args", "/bin/sh -c 'echo \"$0 $1\"; exec sleep 1000'", func(c *config.Process) { c.Startsecs = 0 }))
	if err := p.Start("first 'second arg'"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, p, "stdout", "first second arg\n")
}

// TestSubscribeReentrant checks that subscribers see one process's changes
// in order and may call back into the package.
func TestSubscribeReentrant(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("x", "sleep 1000", func(c *config.Process) { c.Startsecs = 0 }))
	var infos sync.Map
	cancel := h.Subscribe(func(e Event) { infos.Store(e.To, e.Process.Info()) }) // re-enters
	events := h.record(t)                                                        // called after the one above
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitStopped(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	want := []enums.ProcessState{enums.ProcessStarting, enums.ProcessRunning, enums.ProcessStopping, enums.ProcessStopped}
	if got := events.states(t, len(want)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("states %v, want %v", got, want)
	}
	if _, ok := infos.Load(enums.ProcessStopped); !ok {
		t.Error("the re-entrant subscriber missed STOPPED")
	}
	cancel()
	infos.Delete(enums.ProcessStarting)
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	events.states(t, len(want)+1)
	if _, ok := infos.Load(enums.ProcessStarting); ok {
		t.Error("a cancelled subscriber was called")
	}
}
