package process

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
)

// waitTimeout bounds every wait on a condition in these tests.
const waitTimeout = 10 * time.Second

// logBuffer collects main log lines; it is safe for concurrent use.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed and replaced at each write
}

func newLogBuffer() *logBuffer { return &logBuffer{written: make(chan struct{})} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.written)
	b.written = make(chan struct{})
	return b.buf.Write(p)
}

// wait returns the text so far and a channel closed at the next write.
func (b *logBuffer) wait() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String(), b.written
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is a Supervisor under test with its main log and child log dir.
type harness struct {
	*Supervisor
	log   *logBuffer
	dir   string
	clock *FakeClock // nil with the real clock
}

type harnessOption func(*Options)

func withFakeClock(o *Options) { o.Clock = NewFakeClock(time.Unix(1_700_000_000, 0)) }

// newHarness returns a Supervisor whose children are all stopped when the
// test ends.
func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	h := &harness{log: newLogBuffer(), dir: t.TempDir()}
	marker := fmt.Sprintf("PROCESS_TEST_HARNESS=%d-%p", os.Getpid(), h)
	o := Options{
		Logger:      hclog.New(&hclog.LoggerOptions{Output: h.log, Level: hclog.Debug, DisableTime: true}),
		Identifier:  "supervisor",
		Childlogdir: h.dir,
		BaseEnv:     append(os.Environ(), marker),
	}
	for _, opt := range opts {
		opt(&o)
	}
	h.clock, _ = o.Clock.(*FakeClock)
	h.Supervisor = New(o)
	t.Cleanup(func() {
		h.shutdown(t)
		checkNoLeftovers(t, marker)
	})
	return h
}

// checkNoLeftovers fails the test if a process that inherited marker from a
// child (a grandchild) outlives the shutdown, and kills it.
func checkNoLeftovers(t testing.TB, marker string) {
	t.Helper()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(env, []byte(marker+"\x00")) {
			continue
		}
		if !exitsWithin(pid, 2*time.Second) {
			t.Errorf("pid %d outlived its supervisor", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// shutdown stops every child, with SIGKILL after stopwaitsecs even on a
// fake clock.
func (h *harness) shutdown(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.Shutdown(ctx, false) }()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
			return
		case <-time.After(100 * time.Millisecond):
			if h.clock != nil {
				h.clock.Advance(time.Minute)
			}
		}
	}
}

// program is a [program:name] with Supervisor's defaults, logging into the
// harness directory, in a group of its own.
func (h *harness) program(name, command string, mods ...func(*config.Process)) *config.Process {
	c := &config.Process{
		Name: name, Group: name, Program: name, Command: command,
		Priority: 999, Autostart: false, Autorestart: config.AutorestartUnexpected,
		Startsecs: 1, Startretries: 3, Stopsignal: syscall.SIGTERM, Stopwaitsecs: 10,
		Exitcodes: []int{0}, UID: -1,
		Stdout: config.ProcessLog{Logfile: filepath.Join(h.dir, name+".out"), MaxBytes: 50 << 20, Backups: 10},
		Stderr: config.ProcessLog{Logfile: filepath.Join(h.dir, name+".err"), MaxBytes: 50 << 20, Backups: 10},
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func group(name string, priority int, procs ...*config.Process) *config.Group {
	for _, p := range procs {
		p.Group = name
	}
	return &config.Group{Name: name, Priority: priority, Processes: procs}
}

// run configures groups (a program makes a group of its own), starts them
// and returns the processes by name.
func (h *harness) run(t testing.TB, groups ...*config.Group) map[string]*Process {
	t.Helper()
	h.SetConfigs(groups)
	h.Start()
	procs := make(map[string]*Process)
	for _, p := range h.Processes() {
		procs[p.Name()] = p
	}
	return procs
}

// one starts a single program and returns its process.
func (h *harness) one(t testing.TB, cfg *config.Process) *Process {
	t.Helper()
	return h.run(t, group(cfg.Name, 999, cfg))[cfg.Name]
}

// waitFor waits until cond holds, re-checking it at every process state
// change.
func (h *harness) waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		changed := h.stateChanged()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s\nmain log:\n%s", what, h.log)
		}
	}
}

func (h *harness) waitState(t testing.TB, p *Process, want enums.ProcessState) {
	t.Helper()
	h.waitFor(t, fmt.Sprintf("%s to be %v (is %v)", p.Name(), want, p.State()), func() bool { return p.State() == want })
}

// waitLog waits until the log file of channel contains want.
func waitLog(t testing.TB, p *Process, channel, want string) string {
	t.Helper()
	f := p.Log(channel)
	deadline := time.After(waitTimeout)
	for {
		changed := f.Changed()
		data, _ := os.ReadFile(f.Path())
		if strings.Contains(string(data), want) {
			return string(data)
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %q in %s; it has %q", want, f.Path(), data)
		}
	}
}

// waitMainLog waits until the main log contains want.
func (h *harness) waitMainLog(t testing.TB, want string) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		text, written := h.log.wait()
		if strings.Contains(text, want) {
			return
		}
		select {
		case <-written:
		case <-deadline:
			t.Fatalf("timed out waiting for %q in the main log:\n%s", want, text)
		}
	}
}

// waitGone waits until pid has exited (a zombie counts).
func waitGone(t testing.TB, pid int) {
	t.Helper()
	if !exitsWithin(pid, waitTimeout) {
		t.Fatalf("pid %d still alive after %v", pid, waitTimeout)
	}
}

// exitsWithin waits up to d for pid to exit (a zombie counts), on a pidfd.
func exitsWithin(pid int, d time.Duration) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return true // already gone
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, int(d/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0
	}
}

// zombies lists this test process's children that are zombies.
func zombies(t testing.TB) []int {
	t.Helper()
	me := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at the last ')'.
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[0] == "Z" && fields[1] == strconv.Itoa(me) {
			out = append(out, pid)
		}
	}
	return out
}

// childPID reads a pid a child printed on a line of its own.
func childPID(t testing.TB, text string) int {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if pid, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && pid > 0 {
			return pid
		}
	}
	t.Fatalf("no pid in %q", text)
	return 0
}

func ctxTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// eventLog records the state changes subscribers see.
type eventLog struct {
	mu     sync.Mutex
	events []Event
	added  chan struct{} // closed and replaced at each event
}

func (h *harness) record(t testing.TB) *eventLog {
	l := &eventLog{added: make(chan struct{})}
	t.Cleanup(h.Subscribe(func(e Event) {
		if e.Kind != StateChanged {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.events = append(l.events, e)
		close(l.added)
		l.added = make(chan struct{})
	}))
	return l
}

// states waits until n events were seen and returns their target states.
func (l *eventLog) states(t testing.TB, n int) []enums.ProcessState {
	t.Helper()
	var out []enums.ProcessState
	for _, e := range l.until(t, func(events []Event) bool { return len(events) >= n }) {
		out = append(out, e.To)
	}
	return out
}

// until waits until done holds for the events seen so far and returns
// them. Subscribers hear of a change after it is visible in the process's
// state, so a test that waited on a state waits here for its events.
func (l *eventLog) until(t testing.TB, done func([]Event) bool) []Event {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		l.mu.Lock()
		events := slices.Clone(l.events)
		added := l.added
		l.mu.Unlock()
		if done(events) {
			return events
		}
		select {
		case <-added:
		case <-deadline:
			t.Fatalf("gave up waiting, saw %d events: %v", len(events), events)
		}
	}
}
