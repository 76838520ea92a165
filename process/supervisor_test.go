package process

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
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
	"github.com/supvisors/supvisors-go/fault"
)

// miniAgentEnv makes the test binary a tiny agent that supervises one
// `sleep 1000` and prints its pid (see TestChildrenDieWithAgent).
const miniAgentEnv = "PROCESS_TEST_MINI_AGENT"

func TestMain(m *testing.M) {
	// What the agent does at start-up (agent.markInheritedCloseOnExec): no
	// child gets a descriptor this test binary inherited (Linux 5.11 on; an
	// older kernel leaves them, and the tests that list a child's
	// descriptors fail where the binary inherits some).
	_ = unix.CloseRange(3, math.MaxUint, unix.CLOSE_RANGE_CLOEXEC)
	if os.Getenv(miniAgentEnv) != "" {
		runMiniAgent()
		return
	}
	if port := os.Getenv(benchListenerEnv); port != "" {
		runBenchListener(port)
		return
	}
	os.Exit(m.Run())
}

// runMiniAgent supervises one program and prints its pid. In "pid1" mode
// (run as PID 1 of a new namespace) the program leaves an orphan behind and
// the main log goes to stdout; in "big" mode the agent holds a big table
// (bigTable descriptors more), so that its child is forked by the spawner
// (which it checks).
func runMiniAgent() {
	opts := Options{BaseEnv: os.Environ()}
	command := "sleep 1000"
	switch os.Getenv(miniAgentEnv) {
	case "pid1":
		opts.Logger = hclog.New(&hclog.LoggerOptions{Output: os.Stdout})
		command = "/bin/sh -c 'sleep 0.1 & exit 0'"
	case "big":
		if _, err := growTable(); err != nil {
			fmt.Println(err)
			return
		}
	}
	s := New(opts)
	s.SetConfigs([]*config.Group{{Name: "mini", Processes: []*config.Process{{
		Name: "mini", Group: "mini", Command: command, Autostart: true, Startsecs: 0,
		Stopsignal: syscall.SIGTERM, Exitcodes: []int{0}, UID: -1,
	}}}})
	s.Start()
	pid := s.Processes()[0].Info().PID
	if os.Getenv(miniAgentEnv) == "big" && !forkedBy(theSpawner(hclog.NewNullLogger()), pid) {
		fmt.Println("not forked by the spawner")
	}
	fmt.Println(pid)
	select {}
}

// TestReapStraysAsPID1 runs the mini agent as PID 1 of a new PID namespace:
// the orphan its program leaves is reaped and reported.
func TestReapStraysAsPID1(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root for a PID namespace")
	}
	agent := exec.Command("unshare", "--pid", "--fork", "--kill-child", os.Args[0], "-test.run=^$")
	agent.Env = append(os.Environ(), miniAgentEnv+"=pid1")
	out, err := agent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.Start(); err != nil {
		t.Skipf("unshare: %v", err)
	}
	defer func() {
		agent.Process.Kill()
		agent.Wait()
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(out)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
	}()
	deadline := time.After(waitTimeout)
	want := map[string]bool{"exited: mini (exit status 0; expected)": false, "reaped unknown pid ": false}
	for missing := len(want); missing > 0; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("the mini agent ended")
			}
			for w, seen := range want {
				if !seen && strings.Contains(line, w) {
					want[w] = true
					missing--
				}
			}
		case <-deadline:
			t.Fatalf("the log lacks some of %v", want)
		}
	}
}

// TestChildrenDieWithAgent kills an agent with SIGKILL: its child must not
// survive it, whether the agent forked it in place or from its spawner.
func TestChildrenDieWithAgent(t *testing.T) {
	for _, mode := range []string{"1", "big"} {
		t.Run(mode, func(t *testing.T) {
			agent := exec.Command(os.Args[0], "-test.run=^$")
			agent.Env = append(os.Environ(), miniAgentEnv+"="+mode)
			out, err := agent.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := agent.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				agent.Process.Kill()
				agent.Wait()
				t.Fatalf("mini agent: %v", err)
			}
			child, err := strconv.Atoi(strings.TrimSpace(line))
			if err != nil || child <= 0 {
				agent.Process.Kill()
				agent.Wait()
				t.Fatalf("mini agent printed %q", line)
			}
			if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", child)); err != nil || !strings.Contains(string(status), fmt.Sprintf("\nPPid:\t%d\n", agent.Process.Pid)) {
				t.Errorf("child %d is not the agent's: %v\n%s", child, err, status)
			}
			if err := agent.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			agent.Wait()
			waitGone(t, child)
		})
	}
}

func TestSetConfigsDiff(t *testing.T) {
	h := newHarness(t)
	auto := func(c *config.Process) { c.Stdout.Logfile, c.Stderr.Logfile = config.AutoLogfile, config.AutoLogfile }
	h.SetConfigs([]*config.Group{
		group("same", 1, h.program("same", "sleep 1", auto)),
		group("edited", 1, h.program("edited", "sleep 1")),
		group("gone", 1, h.program("gone", "sleep 1")),
	})
	h.Start()
	if got := h.Group("same").Process("same").Config().Stdout.Logfile; got == config.AutoLogfile || !strings.HasPrefix(got, h.dir) {
		t.Fatalf("AUTO not resolved: %q", got)
	}
	added, changed, removed := h.SetConfigs([]*config.Group{
		group("same", 1, h.program("same", "sleep 1", auto, func(c *config.Process) {
			c.Environment = []config.EnvVar{} // nil and empty are the same mapping
			c.Index = 3                       // not a Supervisor setting
		})),
		group("edited", 1, h.program("edited", "sleep 2")),
		group("new", 1, h.program("new", "sleep 1")),
	})
	if !reflect.DeepEqual(added, []string{"new"}) || !reflect.DeepEqual(changed, []string{"edited"}) || !reflect.DeepEqual(removed, []string{"gone"}) {
		t.Errorf("diff %v %v %v", added, changed, removed)
	}
	tests := []struct {
		name string
		mod  func(*config.Process)
		same bool
	}{
		{"environment order", func(c *config.Process) {
			c.Environment = []config.EnvVar{{Key: "B", Value: "2"}, {Key: "A", Value: "1"}}
		}, true},
		{"environment value", func(c *config.Process) { c.Environment = []config.EnvVar{{Key: "A", Value: "9"}} }, false},
		{"priority", func(c *config.Process) { c.Priority = 1 }, false},
		{"umask", func(c *config.Process) { m := os.FileMode(0o22); c.Umask = &m }, false},
		{"stdout log path", func(c *config.Process) { c.Stdout.Logfile = "/elsewhere" }, false},
		{"user name only", func(c *config.Process) { c.User = "root" }, true},
	}
	base := h.program("p", "sleep 1", func(c *config.Process) {
		c.Environment = []config.EnvVar{{Key: "A", Value: "1"}, {Key: "B", Value: "2"}}
	})
	for _, tt := range tests {
		other := *base
		tt.mod(&other)
		if got := sameProcess(base, &other); got != tt.same {
			t.Errorf("%s: sameProcess = %v, want %v", tt.name, got, tt.same)
		}
	}
}

func TestAddRemoveGroup(t *testing.T) {
	h := newHarness(t)
	auto := func(c *config.Process) { c.Stdout.Logfile, c.Stderr.Logfile = config.AutoLogfile, config.AutoLogfile }
	h.SetConfigs([]*config.Group{group("g", 1,
		h.program("a", "sleep 1000", auto, func(c *config.Process) { c.Autostart, c.Startsecs = true, 0 }),
		h.program("b", "sleep 1000", auto))})
	wantFault(t, h.AddGroup("nope"), fault.BadName, "BAD_NAME: nope")
	wantFault(t, h.RemoveGroup("g"), fault.BadName, "BAD_NAME: g")
	if err := h.AddGroup("g"); err != nil {
		t.Fatal(err)
	}
	wantFault(t, h.AddGroup("g"), fault.AlreadyAdded, "ALREADY_ADDED: g")
	g := h.Group("g")
	a, b := g.Process("a"), g.Process("b")
	if a.State() != enums.ProcessRunning || b.State() != enums.ProcessStopped {
		t.Fatalf("autostart: a %v, b %v", a.State(), b.State())
	}
	if a.Namespec() != "g:a" {
		t.Errorf("namespec %q", a.Namespec())
	}
	stdout := a.Info().StdoutLogfile
	if ok, _ := filepath.Match(filepath.Join(h.dir, "a-stdout---supervisor-*.log"), stdout); !ok {
		t.Errorf("AUTO stdout log %q", stdout)
	}
	if _, err := os.Stat(stdout); err != nil {
		t.Errorf("AUTO log not created: %v", err)
	}
	if got := h.Configs()[0].Processes[0].Stdout.Logfile; got != stdout {
		t.Errorf("configs show %q, want the resolved %q", got, stdout)
	}
	wantFault(t, h.RemoveGroup("g"), fault.StillRunning, "STILL_RUNNING: g")
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitStopped(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	if err := h.RemoveGroup("g"); err != nil {
		t.Fatal(err)
	}
	if h.Group("g") != nil || len(h.Processes()) != 0 {
		t.Error("group still active")
	}
	// Added again without a reread, it keeps its log files.
	if err := h.AddGroup("g"); err != nil {
		t.Fatal(err)
	}
	if got := h.Group("g").Process("a").Info().StdoutLogfile; got != stdout {
		t.Errorf("re-added group logs to %q, want %q", got, stdout)
	}
}

func TestClearAutoChildLogs(t *testing.T) {
	dir := t.TempDir()
	names := []string{
		"a-stdout---supervisor-abc123.log", "a-stderr---supervisor-x_y.log.1", "a-stdout---supervisor-abc.log.10",
		"b-stdout---other-abc.log", "supervisor-abc.log", "a-stdout---supervisor-.log", "notes.txt", "x---supervisor-z.logfile",
	}
	var want []bool
	python(t, `
import json, re, sys
fnre = re.compile(r'.+?---%s-\S+\.log\.{0,1}\d{0,4}' % 'supervisor')
print(json.dumps([bool(fnre.match(n)) for n in json.load(sys.stdin)]))`, names, &want)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ClearAutoChildLogs(dir, "supervisor", nil)
	for i, n := range names {
		_, err := os.Stat(filepath.Join(dir, n))
		if removed := err != nil; removed != want[i] {
			t.Errorf("%s: removed %v, want %v", n, removed, want[i])
		}
	}
}

// TestShutdownOrder stops groups one at a time, highest priority first,
// and gives up on a process in BACKOFF.
func TestShutdownOrder(t *testing.T) {
	h := newHarness(t)
	slow := `/bin/sh -c 'trap "sleep 0.2; exit 0" TERM; echo ready; while :; do sleep 0.1; done'`
	procs := h.run(t,
		group("first", 1, h.program("first", slow, func(c *config.Process) { c.Startsecs = 0 })),
		group("last", 2, h.program("last", slow, func(c *config.Process) { c.Startsecs = 0 })),
		group("failing", 0, h.program("failing", "/bin/sh -c 'exit 1'", func(c *config.Process) { c.Startretries = 100 })))
	events := h.record(t)
	for _, p := range procs {
		if err := p.Start(""); err != nil && p.Name() != "failing" {
			t.Fatal(err)
		}
	}
	waitLog(t, procs["first"], "stdout", "ready")
	waitLog(t, procs["last"], "stdout", "ready")
	h.waitState(t, procs["failing"], enums.ProcessBackoff)
	if err := h.Shutdown(ctxTimeout(t), true); err != nil {
		t.Fatal(err)
	}
	if h.State() != enums.SupervisorRestarting {
		t.Errorf("state %v", h.State())
	}
	want := []string{"last>STOPPING", "last>STOPPED", "first>STOPPING", "first>STOPPED", "failing>FATAL"}
	stops := func(events []Event) []string {
		// Subscribe keeps the order of one process's events only: those of
		// different processes may come in another order than their changes
		// (under load, last>STOPPED came after first>STOPPING), so the order
		// across processes is the changes' own time.
		slices.SortStableFunc(events, func(a, b Event) int { return a.Time.Compare(b.Time) })
		var order []string
		for _, e := range events {
			if e.To == enums.ProcessStopping || e.To == enums.ProcessStopped || e.To == enums.ProcessFatal {
				order = append(order, e.Process.Name()+">"+e.To.String())
			}
		}
		return order
	}
	order := stops(events.until(t, func(events []Event) bool { return len(stops(events)) >= len(want) }))
	if !reflect.DeepEqual(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	for _, p := range procs {
		if !p.State().IsStopped() {
			t.Errorf("%s still %v", p.Name(), p.State())
		}
	}
}

func TestManyProcesses(t *testing.T) {
	const n = 200
	h := newHarness(t)
	var cfgs []*config.Process
	for i := range n {
		cfgs = append(cfgs, h.program(fmt.Sprintf("p%03d", i), "sleep 1000", func(c *config.Process) {
			c.Autostart, c.Startsecs = true, 0
			c.Stdout.Logfile, c.Stderr.Logfile = "", ""
		}))
	}
	h.run(t, group("many", 1, cfgs...))
	procs := h.Processes()
	if len(procs) != n {
		t.Fatalf("%d processes", len(procs))
	}
	for _, p := range procs {
		if p.State() != enums.ProcessRunning {
			t.Fatalf("%s: %v", p.Name(), p.State())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := h.Shutdown(ctx, false); err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if p.State() != enums.ProcessStopped {
			t.Fatalf("%s: %v", p.Name(), p.State())
		}
	}
	if z := zombies(t); len(z) > 0 {
		t.Errorf("zombies left: %v", z)
	}
}

func TestNoZombies(t *testing.T) {
	h := newHarness(t)
	p := h.one(t, h.program("short", "/bin/sh -c 'exit 0'", func(c *config.Process) {
		c.Startsecs = 0
		c.Autorestart = config.AutorestartFalse
	}))
	for range 20 {
		if err := p.Start(""); err != nil {
			t.Fatal(err)
		}
		h.waitState(t, p, enums.ProcessExited)
	}
	// A child of the test process that is not ours stays for its owner.
	other := exec.Command("/bin/true")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	h.waitState(t, p, enums.ProcessExited)
	if err := other.Wait(); err != nil {
		t.Errorf("os/exec lost its child: %v", err)
	}
	if z := zombies(t); len(z) > 0 {
		t.Errorf("zombies left: %v", z)
	}
}

// TestMembershipEvents checks that subscribers hear of processes joining and
// leaving the active configuration, before and after their state changes.
func TestMembershipEvents(t *testing.T) {
	h := newHarness(t)
	h.SetConfigs([]*config.Group{group("g", 1,
		h.program("a", "sleep 1000", func(c *config.Process) { c.Autostart, c.Startsecs = true, 0 }))})
	var mu sync.Mutex
	var seen []string
	t.Cleanup(h.Subscribe(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%d %s %v→%v", e.Kind, e.Process.Namespec(), e.From, e.To))
	}))
	if err := h.AddGroup("g"); err != nil {
		t.Fatal(err)
	}
	a := h.Group("g").Process("a")
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitStopped(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	if err := h.RemoveGroup("g"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		fmt.Sprintf("%d g:a STOPPED→STOPPED", Added),
		"0 g:a STOPPED→STARTING", "0 g:a STARTING→RUNNING", "0 g:a RUNNING→STOPPING", "0 g:a STOPPING→STOPPED",
		fmt.Sprintf("%d g:a STOPPED→STOPPED", Removed),
	}
	if !slices.Equal(seen, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}
