package integration

// A userspace hub for the network lab (newHubLab): instead of veths on a
// bridge, each node's eth0 is a TAP device whose other end is a file in
// the test process, and the hub forwards the frames between them with a
// rule per direction of each link: cut, loss, delay and jitter. It is
// what tc netem would do, done in userspace because the kernels the tests
// run on (this machine's, CI's) have neither sch_netem nor any tc
// classifier. Every node knows every other's MAC address (permanent
// neighbour entries), so that a one-way cut stays one-way: no ARP request
// has to go both ways.
//
//	host (root ns): blackhole route for the lab's /24; the hub, in the test
//	                process, holds the TAP files
//	node ns i:      lo, eth0 = TAP, 10.213.X.i/24, MAC hubMAC(i)

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// linkRule is what the hub does to the frames of one direction of a link.
type linkRule struct {
	cut    bool
	loss   float64       // probability that a frame is dropped
	delay  time.Duration // added to every frame...
	jitter time.Duration // ... give or take up to this much (frames may pass each other, as with netem)
}

func (r linkRule) String() string {
	switch {
	case r.cut:
		return "cut"
	case r == linkRule{}:
		return "ok"
	}
	return fmt.Sprintf("loss %.0f%% delay %v±%v", 100*r.loss, r.delay, r.jitter)
}

// netHub forwards Ethernet frames between the TAP devices of the lab's
// nodes: a switch that knows every MAC address from the start.
type netHub struct {
	taps []*os.File // node i's TAP is taps[i-1]
	// rules[from][to] (0-based) is the rule of the frames from node
	// from+1 to node to+1; replaced as a whole, never changed in place.
	rules  atomic.Pointer[[][]linkRule]
	wg     sync.WaitGroup
	closed sync.Once
}

// hubMAC is node i's MAC address (1-based): locally administered.
func hubMAC(i int) net.HardwareAddr {
	return net.HardwareAddr{0x02, 0x73, 0x76, 0x68, 0x00, byte(i)}
}

// newHubLab builds n node namespaces whose eth0 are the TAP devices of a
// hub (see the top of the file); node i has address l.addr(i). The test's
// cleanup removes it all. Its split and heal cut and restore links in the
// hub, and l.hub.set applies any other rules.
func newHubLab(t testing.TB, n int) *netLab {
	t.Helper()
	l := createLab(t, n, false)
	hub, err := newNetHub(l.nodes)
	if err != nil {
		t.Fatalf("lab %s: %v", l.id, err)
	}
	l.hub = hub
	for i, ns := range l.nodes {
		cmds := []string{"link set lo up", fmt.Sprintf("link set eth0 address %s", hubMAC(i+1))}
		for j := range l.nodes {
			if j != i {
				cmds = append(cmds, fmt.Sprintf("neigh replace %s lladdr %s dev eth0 nud permanent", l.addr(j+1), hubMAC(j+1)))
			}
		}
		cmds = append(cmds, fmt.Sprintf("addr add %s/%d dev eth0", l.addr(i+1), l.prefix.Bits()), "link set eth0 up")
		l.batch(t, ns, cmds...)
	}
	return l
}

// newNetHub creates a TAP device named eth0 in each namespace and starts
// forwarding between them, every link open.
func newNetHub(namespaces []string) (*netHub, error) {
	h := &netHub{}
	h.set(func(int, int) linkRule { return linkRule{} }, len(namespaces))
	for _, ns := range namespaces {
		tap, err := openTAP(ns, "eth0")
		if err != nil {
			h.shutdown()
			return nil, err
		}
		h.taps = append(h.taps, tap)
	}
	for from := range h.taps {
		h.wg.Go(func() { h.forward(from) })
	}
	return h, nil
}

// openTAP creates the TAP device name in namespace ns and returns its
// file (non-blocking: a Close ends a Read). The device lives as long as
// the file is open.
func openTAP(ns, name string) (*os.File, error) {
	type result struct {
		tap *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		// A TAP device belongs to the network namespace of the thread that
		// opens /dev/net/tun. This thread goes into ns and back, locked
		// meanwhile; should it fail to come back, it stays locked and the
		// runtime ends it with this goroutine. It must come back: were it
		// the process's main thread, the process would be in ns for `ip
		// netns pids`, and killed with the lab's processes.
		runtime.LockOSThread()
		home, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{nil, err}
			return
		}
		defer home.Close()
		tap, err := func() (*os.File, error) {
			nsFile, err := os.Open("/run/netns/" + ns)
			if err != nil {
				return nil, err
			}
			defer nsFile.Close()
			if err := unix.Setns(int(nsFile.Fd()), unix.CLONE_NEWNET); err != nil {
				return nil, fmt.Errorf("setns %s: %w", ns, err)
			}
			fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
			if err != nil {
				return nil, fmt.Errorf("open /dev/net/tun: %w", err)
			}
			ifr, err := unix.NewIfreq(name)
			if err == nil {
				ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
				err = unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr)
			}
			if err != nil {
				unix.Close(fd)
				return nil, fmt.Errorf("TUNSETIFF %s in %s: %w", name, ns, err)
			}
			return os.NewFile(uintptr(fd), "tap "+ns+"/"+name), nil
		}()
		if unix.Setns(int(home.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		done <- result{tap, err}
	}()
	r := <-done
	return r.tap, r.err
}

// set installs rule(from, to) (0-based node indexes) for every direction
// of every link of n nodes, at once.
func (h *netHub) set(rule func(from, to int) linkRule, n int) {
	rules := make([][]linkRule, n)
	for from := range rules {
		rules[from] = make([]linkRule, n)
		for to := range rules[from] {
			if to != from {
				rules[from][to] = rule(from, to)
			}
		}
	}
	h.rules.Store(&rules)
}

// split cuts every link between nodes of different groups, and every link
// of the nodes of group -1; group[i] is node i+1's.
func (h *netHub) split(group []int) {
	h.set(func(from, to int) linkRule {
		return linkRule{cut: group[from] < 0 || group[from] != group[to]}
	}, len(h.taps))
}

// heal opens every link, with no loss nor delay.
func (h *netHub) heal() {
	h.set(func(int, int) linkRule { return linkRule{} }, len(h.taps))
}

// forward reads node from+1's frames until its TAP is closed, and passes
// each to its destination (every other node for broadcast and multicast)
// by the rules.
func (h *netHub) forward(from int) {
	buf := make([]byte, 1<<16)
	for {
		n, err := h.taps[from].Read(buf)
		if err != nil {
			return // closed, or the namespace is gone
		}
		if n < 14 {
			continue
		}
		frame := buf[:n]
		rules := *h.rules.Load()
		for to := range h.taps {
			if to == from || !h.addressed(frame, to) {
				continue
			}
			r := rules[from][to]
			if r.cut || r.loss > 0 && rand.Float64() < r.loss {
				continue
			}
			delay := r.delay
			if r.jitter > 0 {
				delay += time.Duration(rand.Int64N(int64(2*r.jitter))) - r.jitter
			}
			if delay <= 0 {
				_, _ = h.taps[to].Write(frame)
				continue
			}
			late := bytes.Clone(frame)
			time.AfterFunc(delay, func() { _, _ = h.taps[to].Write(late) })
		}
	}
}

// addressed tells whether frame is for node to+1: its MAC, or a group
// address (the I/G bit).
func (h *netHub) addressed(frame []byte, to int) bool {
	return frame[0]&1 == 1 || bytes.Equal(frame[:6], hubMAC(to+1))
}

// shutdown closes the TAP devices (which removes them) and waits for the
// forwarding to end. Safe to call twice.
func (h *netHub) shutdown() error {
	var errs []error
	h.closed.Do(func() {
		for _, tap := range h.taps {
			if err := tap.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		h.wg.Wait()
	})
	return errors.Join(errs...)
}

// TestPartitionHub checks the hub lab's wiring on its own: every node
// reaches every other, split and heal cut and restore links, a one-way
// cut lets datagrams through one way only, and a delay shows in the round
// trip time.
func TestPartitionHub(t *testing.T) {
	t.Parallel()
	lab := newHubLab(t, 3)
	for _, c := range [][2]int{{1, 2}, {2, 1}, {1, 3}, {3, 2}} {
		if !lab.reachable(t, c[0], c[1]) {
			t.Fatalf("node %d cannot reach node %d on an open hub", c[0], c[1])
		}
	}

	lab.split(t, []int{1, 2})
	if lab.reachable(t, 1, 3) || lab.reachable(t, 3, 2) {
		t.Error("node 3 is reachable across the split")
	}
	if !lab.reachable(t, 2, 1) {
		t.Error("node 2 cannot reach node 1 on its side of the split")
	}
	lab.heal(t)
	if !lab.reachable(t, 1, 3) {
		t.Error("node 1 cannot reach node 3 after heal")
	}

	// Frames from node 1 to node 2 are dropped, not the other way.
	lab.hub.set(func(from, to int) linkRule { return linkRule{cut: from == 0 && to == 1} }, 3)
	if lab.datagramsPass(t, 1, 2) {
		t.Error("datagrams from node 1 reach node 2 through a one-way cut")
	}
	if !lab.datagramsPass(t, 2, 1) {
		t.Error("datagrams from node 2 do not reach node 1: the one-way cut goes both ways")
	}

	lab.hub.set(func(int, int) linkRule { return linkRule{delay: 150 * time.Millisecond, jitter: 20 * time.Millisecond} }, 3)
	if rtt := lab.connectTime(t, 1, 3); rtt < 260*time.Millisecond || rtt > 2*time.Second {
		t.Errorf("a TCP connect through 150±20 ms each way took %v", rtt)
	}
	lab.heal(t)
	if rtt := lab.connectTime(t, 1, 3); rtt > 100*time.Millisecond {
		t.Errorf("a TCP connect through the healed hub took %v", rtt)
	}
}

// datagramsPass tells whether UDP datagrams that node from sends to node
// to for a second arrive there.
func (l *netLab) datagramsPass(t testing.TB, from, to int) bool {
	t.Helper()
	const port = 9
	recv := l.exec(to, "/usr/bin/python3", "-c", fmt.Sprintf(`import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((%q, %d))
s.settimeout(3)
print("ready", flush=True)
try:
    s.recv(100)
    print("heard")
except socket.timeout:
    print("silence")
`, l.addr(to), port))
	stdout, err := recv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := recv.Start(); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 100)
	n, _ := stdout.Read(out) // "ready": bound before anything is sent
	send := l.exec(from, "/usr/bin/python3", "-c", fmt.Sprintf(`import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(20):
    s.sendto(b"x", (%q, %d))
    time.sleep(0.05)
`, l.addr(to), port))
	if b, err := send.CombinedOutput(); err != nil {
		t.Fatalf("send from node %d: %v\n%s", from, err, b)
	}
	rest, _ := io.ReadAll(stdout)
	if err := recv.Wait(); err != nil {
		t.Fatalf("receive on node %d: %v", to, err)
	}
	return strings.Contains(string(out[:n])+string(rest), "heard")
}

// connectTime is how long a TCP connection from node from to node to's
// HTTP port takes to be refused (nothing listens there): a round trip.
func (l *netLab) connectTime(t testing.TB, from, to int) time.Duration {
	t.Helper()
	out, err := l.exec(from, "/usr/bin/python3", "-c", fmt.Sprintf(`import socket, time
t0 = time.monotonic()
try:
    socket.create_connection((%q, %d), timeout=5).close()
except ConnectionRefusedError:
    pass
print(int((time.monotonic() - t0) * 1e6))
`, l.addr(to), labHTTPPort)).CombinedOutput()
	us, perr := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || perr != nil {
		t.Fatalf("connect from node %d to node %d: %v %v\n%s", from, to, err, perr, out)
	}
	return time.Duration(us) * time.Microsecond
}
