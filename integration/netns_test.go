package integration

// A network lab for partition tests: every node is a Linux network
// namespace wired by a veth pair to a "switch" namespace holding Linux
// bridges. Moving the switch ends of the veths between bridges, or setting
// them down, makes partitions without touching the host's network (the
// other wiring, a userspace hub with per-link loss and delay, is
// netns_hub_test.go's newHubLab):
//
//	host (root ns): blackhole route for the lab's /24, nothing else
//	switch ns:      br0 [br1 ...], v1 ... vN (switch ends of the veths)
//	node ns i:      lo, eth0 = 10.213.X.i/24 (the other end of vi)
//
// Everything is created by the test and removed by its cleanup (see
// destroy); a run killed before its cleanup is swept by the next one
// (sweepStaleLabs).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	// partitionEnv must be 1 for the lab to run: make test-partitions.
	partitionEnv = "SUPVISORS_PARTITION_TESTS"
	// labHTTPPort and labInternalPort are the same on every node: each
	// node has its own address, so nothing collides.
	labHTTPPort     = 60000
	labInternalPort = 65001
	// labRouteProto tags the host's blackhole routes of the lab, so that
	// nothing else's routes are ever deleted.
	labRouteProto = "213"
	// labStateDir holds one file per live lab, for the sweep of a run that
	// was killed before its cleanup.
	labStateDir = "/run/supvisors-netlab"
)

// labNames matches the lab's namespace names: sv<pid>x<seq>s (switch)
// and sv<pid>x<seq>n<i> (node i).
var labNames = regexp.MustCompile(`^sv(\d+)x\d+(s|n\d+)$`)

var labSeq atomic.Int32

// netLab is one test's namespaces.
type netLab struct {
	id       string       // sv<pid>x<seq>
	prefix   netip.Prefix // the lab's private /24
	sw       string       // the switch namespace ("" when wired by a hub)
	nodes    []string     // node i's namespace is nodes[i-1]
	hub      *netHub      // the hub that wires the nodes, if not bridges
	bridges  int          // bridges br0..br<bridges-1> exist in the switch
	state    string       // the lab's file in labStateDir
	teardown sync.Once
	errs     []error
}

// labState is what the state file records of a lab.
type labState struct {
	Pid        int      `json:"pid"`
	Start      string   `json:"start"` // the owner's start time, against pid reuse
	Prefix     string   `json:"prefix"`
	Namespaces []string `json:"namespaces"`
}

// liveLabs are this process's labs not yet destroyed, for the signal
// handler.
var liveLabs struct {
	sync.Mutex
	labs   map[*netLab]struct{}
	sweep  sync.Once
	signal sync.Once
}

// requireNetLab skips the test unless partition tests are asked for and
// can run here.
func requireNetLab(t testing.TB) {
	t.Helper()
	if os.Getenv(partitionEnv) != "1" {
		t.Skipf("partition test: set %s=1 to run it (run with make test-partitions, as root)", partitionEnv)
	}
	if os.Geteuid() != 0 {
		t.Skip("partition test: needs root (it creates network namespaces); run make test-partitions as root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("partition test: needs the ip command (apt-get install -y iproute2)")
	}
}

// newNetLab builds a switch namespace and n node namespaces; node i
// (1-based) has address l.addr(i) on its eth0, and every node is on the
// switch's bridge br0. The test's cleanup removes it all.
func newNetLab(t testing.TB, n int) *netLab {
	t.Helper()
	l := createLab(t, n, true)
	sw := []string{"link set lo up", "link add br0 type bridge", "link set br0 up"}
	for i, ns := range l.nodes {
		sw = append(sw,
			fmt.Sprintf("link add v%d type veth peer name eth0 netns %s", i+1, ns),
			fmt.Sprintf("link set v%d master br0", i+1),
			fmt.Sprintf("link set v%d up", i+1))
	}
	l.batch(t, l.sw, sw...)
	for i, ns := range l.nodes {
		l.batch(t, ns, "link set lo up",
			fmt.Sprintf("addr add %s/%d dev eth0", l.addr(i+1), l.prefix.Bits()),
			"link set eth0 up")
	}
	return l
}

// createLab reserves a subnet and creates the namespaces of n nodes, and
// of a switch if withSwitch; the caller wires them. The test's cleanup
// removes it all.
func createLab(t testing.TB, n int, withSwitch bool) *netLab {
	t.Helper()
	requireNetLab(t)
	if n < 1 || n > 250 {
		t.Fatalf("newNetLab: %d nodes, want 1 to 250", n)
	}
	liveLabs.sweep.Do(func() {
		swept, errs := sweepStaleLabs()
		if len(swept) > 0 {
			t.Logf("swept what killed runs left: %s", strings.Join(swept, ", "))
		}
		for _, err := range errs {
			t.Errorf("sweeping what killed runs left: %v", err)
		}
	})
	liveLabs.signal.Do(destroyLabsOnSignal)

	l := &netLab{id: fmt.Sprintf("sv%dx%d", os.Getpid(), labSeq.Add(1)), bridges: 1}
	if withSwitch {
		l.sw = l.id + "s"
	}
	for i := 1; i <= n; i++ {
		l.nodes = append(l.nodes, fmt.Sprintf("%sn%d", l.id, i))
	}
	l.state = filepath.Join(labStateDir, l.id+".json")
	liveLabs.Lock()
	if liveLabs.labs == nil {
		liveLabs.labs = map[*netLab]struct{}{}
	}
	liveLabs.labs[l] = struct{}{}
	liveLabs.Unlock()
	// Registered first, so it runs last: after the agents' own cleanups.
	t.Cleanup(func() {
		for _, err := range l.destroy() {
			t.Errorf("lab %s cleanup: %v", l.id, err)
		}
	})

	l.reserveSubnet(t)
	if err := l.writeState(); err != nil {
		t.Fatalf("lab %s: %v", l.id, err)
	}
	for _, ns := range l.namespaces() {
		l.ip(t, "netns", "add", ns)
	}
	return l
}

// namespaces are the lab's switch namespace, if any, and its nodes'.
func (l *netLab) namespaces() []string {
	if l.sw == "" {
		return slices.Clone(l.nodes)
	}
	return append([]string{l.sw}, l.nodes...)
}

// addr is node i's address (1-based).
func (l *netLab) addr(i int) string {
	a := l.prefix.Addr().As4()
	a[3] = byte(i)
	return netip.AddrFrom4(a).String()
}

// addrs are every node's address, in order.
func (l *netLab) addrs() []string {
	var list []string
	for i := range l.nodes {
		list = append(list, l.addr(i+1))
	}
	return list
}

// exec prepares a command inside node i's namespace. What it starts dies
// at the latest with the lab (destroy kills every process of the
// namespaces).
func (l *netLab) exec(i int, name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", l.node(i), name}, args...)...)
}

func (l *netLab) node(i int) string {
	if i < 1 || i > len(l.nodes) {
		panic(fmt.Sprintf("lab %s has no node %d", l.id, i))
	}
	return l.nodes[i-1]
}

// split puts each group of nodes on a bridge of its own (the first group
// on br0): a partition. The switch ends of the nodes in no group are set
// down, so they are cut off from everyone. A hub lab cuts the same links
// in its hub.
func (l *netLab) split(t testing.TB, groups ...[]int) {
	t.Helper()
	group := make([]int, len(l.nodes)) // node i-1's group, -1 for none
	for i := range group {
		group[i] = -1
	}
	for g, nodes := range groups {
		for _, i := range nodes {
			l.node(i)
			if group[i-1] >= 0 {
				t.Fatalf("split: node %d in two groups", i)
			}
			group[i-1] = g
		}
	}
	if l.hub != nil {
		l.hub.split(group)
		return
	}
	var cmds []string
	for ; l.bridges < len(groups); l.bridges++ {
		cmds = append(cmds, fmt.Sprintf("link add br%d type bridge", l.bridges), fmt.Sprintf("link set br%d up", l.bridges))
	}
	// Cut first, then move: no frame crosses between groups meanwhile.
	for i, g := range group {
		if g < 0 {
			cmds = append(cmds, fmt.Sprintf("link set v%d down", i+1))
		}
	}
	for i, g := range group {
		if g >= 0 {
			cmds = append(cmds, fmt.Sprintf("link set v%d master br%d", i+1, g), fmt.Sprintf("link set v%d up", i+1))
		}
	}
	l.batch(t, l.sw, cmds...)
}

// heal puts every node back on br0 with its link up, and removes the
// other bridges; a hub lab opens every link of its hub.
func (l *netLab) heal(t testing.TB) {
	t.Helper()
	if l.hub != nil {
		l.hub.heal()
		return
	}
	var cmds []string
	for i := range l.nodes {
		cmds = append(cmds, fmt.Sprintf("link set v%d master br0", i+1), fmt.Sprintf("link set v%d up", i+1))
	}
	for ; l.bridges > 1; l.bridges-- {
		cmds = append(cmds, fmt.Sprintf("link del br%d", l.bridges-1))
	}
	l.batch(t, l.sw, cmds...)
}

// reachable tells whether node from can open a TCP connection to node to's
// HTTP port (a refusal counts: the packet went there and back) within a
// second.
func (l *netLab) reachable(t testing.TB, from, to int) bool {
	t.Helper()
	probe := fmt.Sprintf(`import socket, sys
try:
    socket.create_connection((%q, %d), timeout=1).close()
except ConnectionRefusedError:
    pass
except OSError as e:
    print(e)
    sys.exit(3)
`, l.addr(to), labHTTPPort)
	out, err := l.exec(from, "/usr/bin/python3", "-c", probe).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		return false
	}
	t.Fatalf("probe from node %d to node %d: %v\n%s", from, to, err, out)
	return false
}

// supvisorsSection is the [supvisors] section every node of the lab
// shares, with the test's extra lines (rules_file, auto_fence...).
func (l *netLab) supvisorsSection(extra string) string {
	return fmt.Sprintf("\n[supvisors]\naddress_list=%s\ninternal_port=%d\nevent_port=%d\n%s\n",
		strings.Join(l.addrs(), ","), labInternalPort, labInternalPort+1, extra)
}

// agent prepares the supvisors agent of node i inside its namespace, with
// the lab's [supvisors] section plus extra, and the programs of body
// ({{DIR}} is the agent's directory); launch it and wait for it with the
// server's methods, which all run their clients inside the namespace.
func (l *netLab) agent(t testing.TB, i int, extra, body string) *server {
	t.Helper()
	s := newServer(t, "supvisors", l.supvisorsSection(extra)+body, func(s *server) {
		s.host, s.port = l.addr(i), labHTTPPort
	})
	s.enterNamespace(l.node(i))
	return s
}

// enterNamespace makes the server newServer prepared run inside network
// namespace ns, and its clients (the server's methods) too.
func (s *server) enterNamespace(ns string) {
	s.netns = ns
	inner := s.cmd
	s.cmd = exec.Command("ip", append([]string{"netns", "exec", ns}, inner.Args...)...)
	s.cmd.Stdout, s.cmd.Stderr, s.cmd.Dir = inner.Stdout, inner.Stderr, inner.Dir
	// ip netns exec execs the agent in the same process: its own process
	// group (for the harness's kill), and killed if the test dies.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// startAgents starts an agent on every node, one after the other, and
// waits until each answers.
func (l *netLab) startAgents(t testing.TB, extra, body string) []*server {
	t.Helper()
	var nodes []*server
	for i := range l.nodes {
		s := l.agent(t, i+1, extra, body)
		s.launch(t)
		nodes = append(nodes, s)
	}
	for _, s := range nodes {
		s.waitAnswering(t)
	}
	return nodes
}

// reserveSubnet picks a 10.213.X.0/24 that nothing on the host routes or
// holds, and reserves it with a blackhole route in the host's namespace:
// traffic to the lab's addresses can never leave the machine, and two
// labs (of this run or another) never share a subnet, since the route
// can only be added once.
func (l *netLab) reserveSubnet(t testing.TB) {
	t.Helper()
	start := os.Getpid() + int(labSeq.Load())*37
	for try := range 64 {
		x := (start + try*101) % 256
		if try >= 8 {
			x = rand.IntN(256)
		}
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 213, byte(x), 0}), 24)
		used, err := hostUses(p)
		if err != nil {
			t.Fatalf("lab %s: read the host's routes: %v", l.id, err)
		}
		if used {
			continue
		}
		if _, err := ipCommand("route", "add", "blackhole", p.String(), "proto", labRouteProto); err != nil {
			continue // taken meanwhile
		}
		l.prefix = p
		return
	}
	t.Fatalf("lab %s: no free 10.213.X.0/24 on this host", l.id)
}

// hostUses tells whether the host's namespace routes (in any table, other
// than a default route) or holds an address overlapping p.
func hostUses(p netip.Prefix) (bool, error) {
	out, err := ipCommand("-j", "-4", "route", "show", "table", "all")
	if err != nil {
		return false, err
	}
	var routes []struct {
		Dst string `json:"dst"`
	}
	if err := json.Unmarshal(out, &routes); err != nil {
		return false, fmt.Errorf("ip -j route: %v", err)
	}
	out, err = ipCommand("-j", "-4", "addr", "show")
	if err != nil {
		return false, err
	}
	var links []struct {
		Addrs []struct {
			Local     string `json:"local"`
			Prefixlen int    `json:"prefixlen"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal(out, &links); err != nil {
		return false, fmt.Errorf("ip -j addr: %v", err)
	}
	var dsts []string
	for _, r := range routes {
		dsts = append(dsts, r.Dst)
	}
	for _, link := range links {
		for _, a := range link.Addrs {
			dsts = append(dsts, fmt.Sprintf("%s/%d", a.Local, a.Prefixlen))
		}
	}
	for _, dst := range dsts {
		if dst == "default" || dst == "" {
			continue
		}
		q, err := netip.ParsePrefix(dst)
		if err != nil {
			a, aerr := netip.ParseAddr(dst)
			if aerr != nil {
				return false, fmt.Errorf("unreadable route destination %q", dst)
			}
			q = netip.PrefixFrom(a, 32)
		}
		if q.Overlaps(p) {
			return true, nil
		}
	}
	return false, nil
}

func (l *netLab) writeState() error {
	start, err := processStart(os.Getpid())
	if err != nil {
		return err
	}
	data, _ := json.Marshal(labState{Pid: os.Getpid(), Start: start, Prefix: l.prefix.String(),
		Namespaces: l.namespaces()})
	if err := os.MkdirAll(labStateDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(l.state, data, 0o644)
}

// destroy removes the lab, whatever state it is in: kills every process
// left in its namespaces, deletes the namespaces (and so the veths and
// bridges), the blackhole route and the state file. Safe to call twice
// and from the signal handler.
func (l *netLab) destroy() []error {
	l.teardown.Do(func() {
		prefix := ""
		if l.prefix.IsValid() {
			prefix = l.prefix.String()
		}
		if l.hub != nil {
			if err := l.hub.shutdown(); err != nil {
				l.errs = append(l.errs, err)
			}
		}
		l.errs = append(l.errs, removeLab(l.namespaces(), prefix, false)...)
		if err := os.Remove(l.state); err != nil && !os.IsNotExist(err) {
			l.errs = append(l.errs, err)
		}
		liveLabs.Lock()
		delete(liveLabs.labs, l)
		liveLabs.Unlock()
	})
	return l.errs
}

// removeLab kills the processes of the namespaces that exist, deletes
// them, and deletes the lab's blackhole route of prefix (if any). stale
// tolerates a route already gone.
func removeLab(namespaces []string, prefix string, stale bool) []error {
	var errs []error
	for _, ns := range namespaces {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err != nil {
			continue // never created, or already gone
		}
		if err := killNamespace(ns); err != nil {
			errs = append(errs, err)
		}
		if _, err := ipCommand("netns", "delete", ns); err != nil {
			errs = append(errs, err)
		}
	}
	if prefix != "" {
		if _, err := ipCommand("route", "del", "blackhole", prefix, "proto", labRouteProto); err != nil && !stale {
			errs = append(errs, err)
		}
	}
	return errs
}

// killNamespace SIGKILLs every process in ns until none is left.
func killNamespace(ns string) error {
	deadline := time.Now().Add(20 * time.Second)
	delay := 5 * time.Millisecond
	for {
		out, err := ipCommand("netns", "pids", ns)
		if err != nil {
			return err
		}
		pids := strings.Fields(string(out))
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("namespace %s: processes %v survive SIGKILL", ns, pids)
		}
		for _, p := range pids {
			if pid, err := strconv.Atoi(p); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(delay) // polled with a deadline, like waitFor (which needs a live test)
		delay = min(delay*2, 100*time.Millisecond)
	}
}

// sweepStaleLabs removes what runs that died before their cleanup (killed,
// timed out) left: the labs of state files whose owner is gone, and lab
// namespaces named after a process that no longer exists. It returns what
// it removed.
func sweepStaleLabs() (swept []string, errs []error) {
	files, _ := filepath.Glob(filepath.Join(labStateDir, "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		var st labState
		if err == nil {
			err = json.Unmarshal(data, &st)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", f, err))
			continue
		}
		if start, err := processStart(st.Pid); err == nil && start == st.Start {
			continue // its owner is alive
		}
		namespaces := slices.DeleteFunc(st.Namespaces, func(ns string) bool { return !labNames.MatchString(ns) })
		errs = append(errs, removeLab(namespaces, st.Prefix, true)...)
		_ = os.Remove(f)
		swept = append(swept, fmt.Sprintf("lab of pid %d (%s)", st.Pid, st.Prefix))
	}
	out, err := ipCommand("netns", "list")
	if err != nil {
		return swept, append(errs, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		m := labNames.FindStringSubmatch(fields[0])
		if m == nil {
			continue
		}
		if pid, _ := strconv.Atoi(m[1]); pid == os.Getpid() || processAlive(pid) {
			continue
		}
		errs = append(errs, removeLab([]string{fields[0]}, "", true)...)
		swept = append(swept, "namespace "+fields[0])
	}
	return swept, errs
}

// destroyLabsOnSignal makes SIGINT, SIGTERM and SIGHUP remove every live
// lab before the process dies of the signal as it would have.
func destroyLabsOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-ch
		fmt.Fprintf(os.Stderr, "%v: removing the network labs before exiting\n", sig)
		liveLabs.Lock()
		var labs []*netLab
		for l := range liveLabs.labs {
			labs = append(labs, l)
		}
		liveLabs.Unlock()
		for _, l := range labs {
			for _, err := range l.destroy() {
				fmt.Fprintf(os.Stderr, "lab %s cleanup: %v\n", l.id, err)
			}
		}
		signal.Reset()
		_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
	}()
}

// processStart is the start time of pid (field 22 of /proc/PID/stat).
func processStart(pid int) (string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(fields) < 20 {
		return "", fmt.Errorf("/proc/%d/stat: too short", pid)
	}
	return fields[19], nil
}

// ip runs an ip command of the lab's set-up; a failure fails the test.
func (l *netLab) ip(t testing.TB, args ...string) {
	t.Helper()
	if _, err := ipCommand(args...); err != nil {
		t.Fatalf("lab %s: %v", l.id, err)
	}
}

// batch runs ip commands in namespace ns, in order, in one ip process.
func (l *netLab) batch(t testing.TB, ns string, cmds ...string) {
	t.Helper()
	if len(cmds) == 0 {
		return
	}
	cmd := exec.Command("ip", "-n", ns, "-batch", "-")
	cmd.Stdin = strings.NewReader(strings.Join(cmds, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lab %s: ip -n %s -batch: %v\n%s\ncommands:\n%s", l.id, ns, err, out, strings.Join(cmds, "\n"))
	}
}

// ipCommand runs ip with args and returns its stdout; its stderr is in
// the error.
func ipCommand(args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("ip", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
