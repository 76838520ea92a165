package integration

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The demo's fixed ports (configs/demo/supervisord.conf).
const (
	demoHTTPPort     = 60000
	demoInternalPort = 65001
)

var demoAddresses = []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}

// demoPortsBusy says which of the demo's ports are taken, "" if none.
func demoPortsBusy() string {
	var busy []string
	for _, a := range demoAddresses {
		for _, port := range []int{demoHTTPPort, demoInternalPort} {
			addr := fmt.Sprintf("%s:%d", a, port)
			if l, err := net.Listen("tcp", addr); err != nil {
				busy = append(busy, "tcp "+addr)
			} else {
				l.Close()
			}
		}
		addr := fmt.Sprintf("%s:%d", a, demoInternalPort)
		if u, err := net.ListenPacket("udp", addr); err != nil {
			busy = append(busy, "udp "+addr)
		} else {
			u.Close()
		}
	}
	return strings.Join(busy, ", ")
}

// syncBuffer collects a command's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// markedProcesses lists the live processes whose environment holds marker
// (NAME=VALUE), with their command names.
func markedProcesses(marker string) map[int]string {
	found := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !processAlive(pid) {
			continue
		}
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), []byte("\x00"+marker+"\x00")) {
			continue
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		found[pid] = strings.TrimSpace(string(comm))
	}
	return found
}

// copyDemo copies what scripts/demo.sh uses into root, with the layout of
// the repository, so that the demo's run/ directory is the test's.
func copyDemo(t *testing.T, root string) {
	t.Helper()
	for _, f := range []string{"scripts/demo.sh", "configs/demo/supervisord.conf", "configs/demo/rules.xml"} {
		data, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// startWithDefaultSIGINT starts cmd with SIGINT at its default disposition
// even when this process inherited it ignored (go test run in the
// background): bash cannot trap a signal ignored at its start, and the
// test stops the demo with SIGINT as Ctrl-C would.
func startWithDefaultSIGINT(cmd *exec.Cmd) error {
	if signal.Ignored(syscall.SIGINT) {
		// A signal the runtime handles is reset to SIG_DFL in children.
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGINT)
		defer signal.Reset(syscall.SIGINT)
	}
	return cmd.Start()
}

// TestDemo runs scripts/demo.sh as make run does (with the harness's agent
// binary, SUPVISORS_BIN), waits until the three nodes are in OPERATION,
// checks that the rules deployed the applications where configs/demo/rules.xml
// says, stops the demo with SIGINT and checks that no agent or program is
// left. The demo uses fixed ports: the test skips when they are taken, and
// is not parallel.
func TestDemo(t *testing.T) {
	if busy := demoPortsBusy(); busy != "" {
		t.Skipf("the demo's fixed ports are taken (%s): is a demo running? (make run)", busy)
	}
	root := t.TempDir()
	copyDemo(t, root)
	// Not a SUPVISORS_* variable: children never see those.
	marker := fmt.Sprintf("DEMO_TEST_MARKER=%d-%d", os.Getpid(), time.Now().UnixNano())
	var env []string
	for _, kv := range os.Environ() {
		// SUPVISORS_<KEY> would override the demo's [supvisors] section.
		if !strings.HasPrefix(kv, "SUPVISORS_") && !strings.HasPrefix(kv, "SUPERVISOR_") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "demo.sh"))
	cmd.Env = append(env, "SUPVISORS_BIN="+agentBinary, "DEMO_TIMEOUT=60", marker)
	cmd.Dir = root
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := startWithDefaultSIGINT(cmd); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
			return
		default:
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			t.Errorf("demo.sh did not stop on SIGTERM:\n%s", out)
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		for pid := range markedProcesses(marker) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})

	// The script says it is ready once every node is in OPERATION.
	deadline := time.After(90 * time.Second)
	for !strings.Contains(out.String(), "Ctrl-C stops everything.") {
		select {
		case <-exited:
			if strings.Contains(out.String(), "address already in use") {
				t.Skipf("a demo port was taken meanwhile:\n%s", out)
			}
			t.Fatalf("demo.sh exited early (%v):\n%s", cmd.ProcessState, out)
		case <-deadline:
			t.Fatalf("demo.sh not ready within 90s:\n%s", out)
		case <-time.After(100 * time.Millisecond):
		}
	}
	printed := out.String()
	t.Logf("demo.sh printed:\n%s", printed)
	for _, want := range []string{
		"127.0.0.1=OPERATION 127.0.0.2=OPERATION 127.0.0.3=OPERATION",
		"http://127.0.0.1:60000/RPC2   http://127.0.0.2:60000/RPC2   http://127.0.0.3:60000/RPC2",
		"sv=\"" + ctlBinary + " -s http://127.0.0.1:60000 -u demo -p demo\"",
		"$sv start_application LESS_LOADED monitor",
		"$sv conciliate SENICIDE",
		"sctl=\"supervisorctl -c configs/demo/supervisord.conf\"",
		"PYTHONPATH=clients/python",
		"  backend:db           RUNNING  127.0.0.1\n",
	} {
		if !strings.Contains(printed, want) {
			t.Errorf("demo.sh did not print %q", want)
		}
	}

	nodes := make([]*server, len(demoAddresses))
	for i, a := range demoAddresses {
		nodes[i] = &server{name: "demo " + a, dir: t.TempDir(), host: a, port: demoHTTPPort,
			url: fmt.Sprintf("http://%s:%d", a, demoHTTPPort), user: "demo", password: "demo"}
		nodes[i].waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "OPERATION")
		nodes[i].waitPython(t, "p.supvisors.get_master_address()", "127.0.0.1")
	}
	n3 := nodes[2]
	appState(t, n3, "backend", "RUNNING")
	appState(t, n3, "web", "RUNNING")
	appState(t, n3, "monitor", "STOPPED")
	for namespec, address := range map[string]string{
		"backend:db": "127.0.0.1", "backend:cache": "127.0.0.2", "web:server": "127.0.0.2",
		"web:worker_0": "127.0.0.1", "web:worker_1": "127.0.0.2", "web:worker_2": "127.0.0.3",
	} {
		runsOn(t, n3, namespec, address)
	}
	n3.waitPython(t, "[a['loading'] for a in p.supvisors.get_all_addresses_info()]", "[40, 40, 10]")
	n3.waitPython(t, "[(r['running_failure_strategy'], r['loading']) for r in p.supvisors.get_process_rules('backend:db')]",
		"[('RESTART_PROCESS', 30)]")

	// What the demo invites to try, with the printed $sv: monitor goes to
	// the least loaded node.
	sv := exec.Command(ctlBinary, "-s", "http://127.0.0.1:60000", "-u", "demo", "-p", "demo", "start_application", "LESS_LOADED", "monitor")
	sv.Env = cleanEnv()
	if got, err := sv.CombinedOutput(); err != nil || string(got) != "monitor started: True\n" {
		t.Errorf("$sv start_application LESS_LOADED monitor: %v: %q", err, got)
	}
	runsOn(t, n3, "monitor:probe", "127.0.0.3")

	// The programs print, to their logs under run/<address>/.
	for file, want := range map[string]string{
		"127.0.0.1/db.log":       "db: accepting connections on 127.0.0.1:5432",
		"127.0.0.2/server.log":   "server: listening on http://127.0.0.2:8080",
		"127.0.0.3/worker_2.log": "worker_2 on 127.0.0.3: job 1 done",
		"127.0.0.3/probe.log":    "probe on 127.0.0.3: load average",
	} {
		waitFor(t, 10*time.Second, func() (bool, string) {
			data, _ := os.ReadFile(filepath.Join(root, "run", file))
			return strings.Contains(string(data), want), fmt.Sprintf("run/%s: %q", file, data)
		})
	}
	if tail, _ := nodes[1].ctl(t, "tail", "web:server"); !strings.Contains(tail, "GET /index.html 200") {
		t.Errorf("supervisorctl tail web:server on 127.0.0.2:\n%s", tail)
	}
	// $sctl status: Debian's supervisorctl reads the demo's [supervisorctl].
	sctl := exec.Command("supervisorctl", "-c", "configs/demo/supervisord.conf", "status", "backend:db")
	sctl.Dir, sctl.Env = root, append(env, "HOME="+root)
	if status, err := sctl.CombinedOutput(); err != nil || !strings.Contains(string(status), "backend:db                       RUNNING") {
		t.Errorf("supervisorctl -c configs/demo/supervisord.conf status backend:db: %v\n%s", err, status)
	}
	// The rpcrequests line, with node 1's environment, reaches node 2.
	path := pythonClientPath(t)
	if got := runPython(t, pythonEnv("PYTHONPATH="+path, "SUPERVISOR_SERVER_URL=http://127.0.0.1:60000",
		"SUPERVISOR_USERNAME=demo", "SUPERVISOR_PASSWORD=demo"),
		"import os; from supvisors.rpcrequests import getRPCInterface; print(getRPCInterface('127.0.0.2', os.environ).supervisor.getIdentification())"); got != "127.0.0.2\n" {
		t.Errorf("getRPCInterface('127.0.0.2', ...).supervisor.getIdentification(): %q", got)
	}

	// Script, three agents, seven programs (and their sleeps) carry the marker.
	running := markedProcesses(marker)
	counts := map[string]int{}
	for _, comm := range running {
		counts[comm]++
	}
	if counts["supvisors"] != 3 || counts["sh"] != 7 {
		t.Errorf("processes of the demo: %v, want 3 supvisors and 7 sh", counts)
	}

	// Ctrl-C: the script stops the agents, which stop their programs.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("demo.sh did not exit within 60s of SIGINT:\n%s", out)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("demo.sh exited %d after SIGINT, want 0", code)
	}
	final := out.String()[len(printed):]
	for _, a := range demoAddresses {
		if want := "demo: agent " + a + " stopped (exit 0)"; !strings.Contains(final, want) {
			t.Errorf("demo.sh did not print %q:\n%s", want, final)
		}
	}
	waitFor(t, 10*time.Second, func() (bool, string) {
		left := markedProcesses(marker)
		return len(left) == 0, fmt.Sprintf("processes of the demo left after it stopped: %v", left)
	})
	if busy := demoPortsBusy(); busy != "" {
		t.Errorf("ports still taken after the demo stopped: %s", busy)
	}
}
