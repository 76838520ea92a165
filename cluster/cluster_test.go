package cluster

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/cluster/ring"
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/process"
)

const (
	addr1 = "127.0.0.1"
	addr2 = "127.0.0.2"
	addr3 = "127.0.0.3"
)

// TestJoinInAnyOrder starts three nodes in reverse preference order, each
// only after the previous one runs alone; all reach OPERATION with the
// first address of address_list as master and every address RUNNING.
func TestJoinInAnyOrder(t *testing.T) {
	t.Parallel()
	nodes := testCluster(t, 3, nil)
	for i := len(nodes) - 1; i >= 0; i-- {
		nodes[i].start(sleeper("app", "a", "b"))
		nodes[i].waitFor("own address RUNNING", addressIs(nodes[i].addr, enums.AddressRunning))
	}
	for _, n := range nodes {
		n.waitFor("OPERATION with master 127.0.0.1", inOperation(addr1))
		for _, other := range nodes {
			n.waitFor(other.addr+" RUNNING", addressIs(other.addr, enums.AddressRunning))
		}
	}
}

// TestProcessVisibleEverywhere starts a process on node 1 and checks node 3
// sees it with addresses [127.0.0.1]; then a copy on node 2 is a conflict
// everywhere (CONCILIATION), which ends when one copy stops.
func TestProcessVisibleEverywhere(t *testing.T) {
	t.Parallel()
	nodes := started(t, 3)
	start(t, nodes[0], "app", "a")
	nodes[2].waitFor("app:a RUNNING on 127.0.0.1", processOn("app", "a", enums.ProcessRunning, addr1))

	start(t, nodes[1], "app", "a")
	for _, n := range nodes {
		n.waitFor("conflict on app:a", func(v *view.View) bool {
			return v.State() == enums.SupvisorsConciliation && len(v.Conflicts()) == 1
		})
	}
	stop(t, nodes[0], "app", "a")
	for _, n := range nodes {
		n.waitFor("OPERATION again, app:a on 127.0.0.2", func(v *view.View) bool {
			return v.State() == enums.SupvisorsOperation && processOn("app", "a", enums.ProcessRunning, addr2)(v)
		})
	}
}

// TestNodeLost kills node 2: the others see it SILENT, its process FATAL
// "node 127.0.0.2 lost"; restarted, it is RUNNING again everywhere.
func TestNodeLost(t *testing.T) {
	t.Parallel()
	nodes := started(t, 3)
	start(t, nodes[1], "app", "b")
	nodes[0].waitFor("app:b RUNNING on 127.0.0.2", processOn("app", "b", enums.ProcessRunning, addr2))
	nodes[1].kill()
	for _, n := range []*testNode{nodes[0], nodes[2]} {
		n.waitFor("127.0.0.2 SILENT", addressIs(addr2, enums.AddressSilent))
		n.waitFor("app:b FATAL, node lost", func(v *view.View) bool {
			p, ok := v.Process(view.Key{Group: "app", Name: "b"})
			return ok && p.State == enums.ProcessFatal && len(p.Addresses) == 0
		})
		n.waitFor("still OPERATION under 127.0.0.1", inOperation(addr1))
	}
	restarted := testCluster(t, 3, func(c *Config) { c.Supvisors.InternalPort = nodes[0].cfg.Supvisors.InternalPort })[1]
	restarted.start(sleeper("app", "a", "b"))
	for _, n := range []*testNode{nodes[0], nodes[2], restarted} {
		n.waitFor("127.0.0.2 RUNNING again", addressIs(addr2, enums.AddressRunning))
		n.waitFor("app:b STOPPED", processOn("app", "b", enums.ProcessStopped))
	}
}

// TestGracefulLeave stops node 2 as SIGTERM does, under auto_fence: the
// others see it SILENT (a node that leaves is never fenced) and its
// process STOPPED, not lost.
func TestGracefulLeave(t *testing.T) {
	t.Parallel()
	nodes := testCluster(t, 3, func(c *Config) { c.Supvisors.AutoFence = true })
	for _, n := range nodes {
		n.start(sleeper("app", "a", "b"))
	}
	for _, n := range nodes {
		n.waitFor("OPERATION", inOperation(addr1))
	}
	start(t, nodes[1], "app", "b")
	nodes[0].waitFor("app:b RUNNING on 127.0.0.2", processOn("app", "b", enums.ProcessRunning, addr2))
	nodes[1].stop()
	for _, n := range []*testNode{nodes[0], nodes[2]} {
		n.waitFor("127.0.0.2 SILENT", addressIs(addr2, enums.AddressSilent))
		n.waitFor("app:b STOPPED", processOn("app", "b", enums.ProcessStopped))
	}
}

// TestMasterLost kills the master: every survivor agrees on the next address
// of address_list and returns to OPERATION.
func TestMasterLost(t *testing.T) {
	t.Parallel()
	nodes := started(t, 3)
	nodes[0].kill()
	for _, n := range nodes[1:] {
		n.waitFor("127.0.0.1 SILENT", addressIs(addr1, enums.AddressSilent))
		n.waitFor("OPERATION with master 127.0.0.2", inOperation(addr2))
	}
}

// TestAutoFence: with auto_fence a lost node is ISOLATED, stays so when its
// agent restarts, and comes back only once an operator re-admits it.
func TestAutoFence(t *testing.T) {
	t.Parallel()
	fence := func(c *Config) { c.Supvisors.AutoFence = true }
	nodes := testCluster(t, 3, fence)
	for _, n := range nodes {
		n.start(sleeper("app", "a", "b"))
	}
	for _, n := range nodes {
		n.waitFor("OPERATION", inOperation(addr1))
	}
	nodes[2].kill()
	for _, n := range nodes[:2] {
		n.waitFor("127.0.0.3 ISOLATED", addressIs(addr3, enums.AddressIsolated))
	}
	restarted := testCluster(t, 3, func(c *Config) {
		fence(c)
		c.Supvisors.InternalPort = nodes[0].cfg.Supvisors.InternalPort
	})[2]
	restarted.start(sleeper("app", "a", "b"))
	// The restarted node runs on its own: the others refuse it.
	restarted.waitFor("own address RUNNING", addressIs(addr3, enums.AddressRunning))
	for _, n := range nodes[:2] {
		n.c.Read(func(v *view.View) {
			if a, _ := v.Address(addr3, time.Now()); a.State != enums.AddressIsolated {
				t.Errorf("%s: restarted 127.0.0.3 is %v before being re-admitted", n.addr, a.State)
			}
		})
	}
	// The master sends the readmission to the others (the RPC forwards it
	// there from any node).
	if err := nodes[0].c.Readmit(addr3); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes[:2] {
		n.waitFor("127.0.0.3 RUNNING after readmit", addressIs(addr3, enums.AddressRunning))
	}
}

// TestRefused checks that an address outside address_list, and a node with
// another gossip key or none, cannot join.
func TestRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		otherKey []byte
	}{{"another key", []byte("fedcba9876543210")}, {"no key", nil}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			testRefused(t, tt.otherKey)
		})
	}
}

func testRefused(t *testing.T, otherKey []byte) {
	key := []byte("0123456789abcdef")
	nodes := testCluster(t, 4, func(c *Config) {
		c.Supvisors.GossipKeys = [][]byte{key}
		c.Supvisors.AddressList = []string{addr1, addr2, addr3}
		c.Supvisors.SynchroTimeout = 2
	})
	nodes[3].cfg.Supvisors.AddressList = []string{addr1, addr2, addr3, "127.0.0.4"}
	nodes[2].cfg.Supvisors.GossipKeys = nil
	if otherKey != nil {
		nodes[2].cfg.Supvisors.GossipKeys = [][]byte{otherKey}
	}
	for _, n := range nodes {
		n.start(sleeper("app", "a"))
	}
	// 1 and 2 reach OPERATION only once synchro_timeout gives up on 3:
	// by then 3 and 4 have long tried to join.
	for _, n := range nodes[:2] {
		n.waitFor("OPERATION without 127.0.0.3", func(v *view.View) bool {
			return inOperation(addr1)(v) && addressIs(addr2, enums.AddressRunning)(v)
		})
	}
	for _, n := range nodes[:2] {
		n.c.Read(func(v *view.View) {
			if a, _ := v.Address(addr3, time.Now()); a.State == enums.AddressRunning {
				t.Errorf("%s: 127.0.0.3 without the key is RUNNING", n.addr)
			}
			if _, listed := v.Address("127.0.0.4", time.Now()); listed {
				t.Errorf("%s: unlisted 127.0.0.4 appears in the view", n.addr)
			}
		})
	}
	nodes[2].c.Read(func(v *view.View) {
		if a, _ := v.Address(addr1, time.Now()); a.State == enums.AddressRunning {
			t.Errorf("127.0.0.3 without the key sees 127.0.0.1 RUNNING")
		}
	})
	for _, n := range nodes[:2] {
		if slices.Contains(n.c.ring.Members(), "127.0.0.4") || slices.Contains(n.c.ring.Members(), addr3) {
			t.Errorf("%s: ring members %v", n.addr, n.c.ring.Members())
		}
	}
}

// started starts n nodes with the group app (a, b) and waits until all are
// in OPERATION under 127.0.0.1.
func started(t *testing.T, n int) []*testNode {
	t.Helper()
	nodes := testCluster(t, n, nil)
	for _, node := range nodes {
		node.start(sleeper("app", "a", "b"))
	}
	for _, node := range nodes {
		node.waitFor("OPERATION", inOperation(addr1))
	}
	return nodes
}

func start(t testing.TB, n *testNode, group, name string) {
	t.Helper()
	p := n.sup.Group(group).Process(name)
	if err := p.Start(""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithTimeout()
	defer cancel()
	if err := p.WaitStarted(ctx); err != nil {
		t.Fatal(err)
	}
}

func stop(t *testing.T, n *testNode, group, name string) {
	t.Helper()
	p := n.sup.Group(group).Process(name)
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithTimeout()
	defer cancel()
	if err := p.WaitStopped(ctx); err != nil {
		t.Fatal(err)
	}
}

// processOn is true when group:name is in state with exactly addresses.
func processOn(group, name string, state enums.ProcessState, addresses ...string) func(v *view.View) bool {
	return func(v *view.View) bool {
		p, ok := v.Process(view.Key{Group: group, Name: name})
		return ok && p.State == state && slices.Equal(p.Addresses, addresses)
	}
}

// TestRulesMismatch: a node that loads another rules file is refused, so
// that the cluster never acts on two truths.
func TestRulesMismatch(t *testing.T) {
	t.Parallel()
	nodes := testCluster(t, 2, func(c *Config) { c.Supvisors.SynchroTimeout = 1 })
	nodes[0].cfg.Rules = &config.Rules{File: "a.xml", Hash: [32]byte{1}}
	nodes[1].cfg.Rules = &config.Rules{File: "b.xml", Hash: [32]byte{2}}
	for _, n := range nodes {
		n.start(sleeper("app", "a"))
	}
	for i, n := range nodes {
		other := nodes[1-i].addr
		// Alone in OPERATION once synchro_timeout gave up on the other.
		n.waitFor("OPERATION alone", func(v *view.View) bool {
			return v.State() == enums.SupvisorsOperation && addressIs(other, enums.AddressSilent)(v)
		})
	}
	if slices.Contains(nodes[0].c.ring.Members(), addr2) {
		t.Errorf("ring members of 127.0.0.1: %v", nodes[0].c.ring.Members())
	}
}

// TestBurstReachesEveryNode starts 200 processes of node 1 at once, then
// stops them at once: the rounds of changes (more than gossipRound, so not
// gossiped) bring every state to the other nodes, without anti-entropy
// (push/pull once an hour here).
func TestBurstReachesEveryNode(t *testing.T) {
	t.Parallel()
	nodes := testCluster(t, 3, func(c *Config) {
		c.Ring = func(rc *ring.Config) { rc.PushPullInterval = time.Hour }
	})
	names := make([]string, 200)
	for i := range names {
		names[i] = fmt.Sprintf("p%03d", i)
	}
	nodes[0].start(sleeper("burst", names...))
	for _, n := range nodes[1:] {
		n.start()
	}
	for _, n := range nodes {
		n.waitFor("OPERATION", inOperation(addr1))
	}
	all := func(state enums.ProcessState, addresses ...string) func(v *view.View) bool {
		return func(v *view.View) bool {
			for _, name := range names {
				if !processOn("burst", name, state, addresses...)(v) {
					return false
				}
			}
			return true
		}
	}
	for _, act := range []struct {
		what      string
		do        func(p *process.Process) error
		state     enums.ProcessState
		addresses []string
	}{
		{"started", func(p *process.Process) error { return p.Start("") }, enums.ProcessRunning, []string{addr1}},
		{"stopped", (*process.Process).Stop, enums.ProcessStopped, nil},
	} {
		for _, name := range names {
			if err := act.do(nodes[0].sup.Group("burst").Process(name)); err != nil {
				t.Fatal(err)
			}
		}
		for _, n := range nodes {
			n.waitFor(fmt.Sprintf("the 200 processes %s", act.what), all(act.state, act.addresses...))
		}
	}
}

// TestAnswerToAnExchange: a node answers a request with its own state and
// jobs, also when some jobs of the request were not its sender's to write
// (the sender is no master: those are left out, the rest is taken); a
// request carrying another node's state, or from outside address_list,
// gets no answer.
func TestAnswerToAnExchange(t *testing.T) {
	t.Parallel()
	nodes := started(t, 3)
	var own view.FullState
	nodes[1].c.Read(func(v *view.View) { own = v.LocalState() })
	foreign := view.Job{Key: view.Key{Group: "app", Name: "a"}, Reason: "deployment", Version: 1, Writer: addr3}
	h := handler{nodes[0].c}
	answer := h.Answer(addr2, encodeSync(syncPayload{own: own, jobs: []view.Job{foreign}}))
	_, body, err := decodeType(answer)
	if err != nil {
		t.Fatalf("answer to a request with a job of another writer: %v", err)
	}
	s, err := decodeSync(body)
	if err != nil || s.own.Node != addr1 {
		t.Fatalf("answer %+v, %v: want the state of %s", s.own, err, addr1)
	}
	if _, body, err := decodeType(h.Answer(addr2, askMessage)); err != nil {
		t.Errorf("answer to an ask: %v", err)
	} else if s, err := decodeSync(body); err != nil || s.own.Node != addr1 || !s.own.Ready {
		t.Errorf("answer to an ask %+v, %v: want the Ready state of %s", s.own, err, addr1)
	}
	if got := h.Answer(addr3, encodeSync(syncPayload{own: own})); got != nil {
		t.Errorf("a request from %s with the state of %s answered", addr3, addr2)
	}
	if got := h.Answer("10.9.9.9", encodeSync(syncPayload{own: view.FullState{Node: "10.9.9.9"}})); got != nil {
		t.Error("a request from outside address_list answered")
	}
}

// TestNoAnswerBeforeReady: a node whose supervisor has not activated its
// configuration yet (not Ready) answers no exchange, whose answer would
// not end the check, and its own requests only ask, without its state;
// once Ready, it answers and sends its state.
func TestNoAnswerBeforeReady(t *testing.T) {
	t.Parallel()
	n := testCluster(t, 2, nil)[0]
	n.cfg.Supervisor = process.New(process.Options{Logger: n.cfg.Logger.Named("process"), Childlogdir: t.TempDir(), BaseEnv: os.Environ()})
	c, err := Create(n.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Shutdown(false) })
	request := encodeSync(syncPayload{own: view.FullState{Node: addr2, Incarnation: 1}})
	if got := (handler{c}).Answer(addr2, request); got != nil {
		t.Error("answered before Ready")
	}
	if got := c.exchangeRequest(); !bytes.Equal(got, askMessage) {
		t.Errorf("request before Ready: %q, want only the ask", got)
	}
	c.Ready()
	if got := (handler{c}).Answer(addr2, request); got == nil {
		t.Error("no answer once Ready")
	}
	if _, body, err := decodeType(c.exchangeRequest()); err != nil {
		t.Errorf("request once Ready: %v", err)
	} else if s, err := decodeSync(body); err != nil || s.own.Node != addr1 || !s.own.Ready {
		t.Errorf("request once Ready %+v, %v: want the Ready state of %s", s.own, err, addr1)
	}
}
