package cluster

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/cluster/ring"
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

// nopHandler is a ring handler that takes nothing in: an outsider's.
type nopHandler struct{}

func (nopHandler) Admit(string, []byte) error          { return nil }
func (nopHandler) Alive(string, []byte)                {}
func (nopHandler) Dead(string)                         {}
func (nopHandler) Message(string, []byte)              {}
func (nopHandler) LocalState() []byte                  { return nil }
func (nopHandler) Answer(string, []byte) []byte        { return nil }
func (nopHandler) NodeMeta() []byte                    { return nil }
func (nopHandler) AckState() []byte                    { return nil }
func (nopHandler) Heartbeat(string, time.Time, []byte) {}

// outsiderRing is a ring bound at ip that never joins: it sends the
// project's own messages on the channel, from ip.
func outsiderRing(tb testing.TB, ip string, port int, peers []string) *ring.Ring {
	tb.Helper()
	cfg := ring.DefaultConfig(3)
	cfg.Name, cfg.Port, cfg.Peers, cfg.Handler = ip, port, peers, nopHandler{}
	r, err := ring.Create(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = r.Shutdown() })
	return r
}

// TestOnlyTheMasterCommands: start, stop, orders, jobs and readmissions are
// acted on only when they come from the master. An outsider (127.0.0.9)
// and a listed address that is not the master (127.0.0.4, no agent there)
// send them, with the master's name in them: nothing starts, stops or
// shuts down, and every one is dropped with a log line. Records forged for
// another node are dropped too: one of an incarnation its agent does not
// have (it would hide the real ones for good), and a flood for processes
// the node never declared.
func TestOnlyTheMasterCommands(t *testing.T) {
	logs := map[string]*logBuffer{}
	nodes := testCluster(t, 3, func(c *Config) {
		c.Supvisors.AddressList = []string{addr1, addr2, addr3, "127.0.0.4"}
		c.Supvisors.SynchroTimeout = 2
		b := &logBuffer{}
		logs[c.Local] = b
		c.Logger = hclog.New(&hclog.LoggerOptions{Name: c.Local, Output: b, Level: hclog.Warn})
	})
	for _, n := range nodes {
		n.start(sleeper("app", "a"))
	}
	for _, n := range nodes {
		n.waitFor("OPERATION", inOperation(addr1))
	}
	a := view.Key{Group: "app", Name: "a"}
	var inc1, inc2 uint64
	var real view.Update
	nodes[0].c.Read(func(v *view.View) {
		inc1 = v.Incarnation()
		for _, u := range v.OthersRecords() {
			if u.Node == addr2 && u.Record.Key() == a {
				real, inc2 = u, u.Incarnation
			}
		}
	})
	if inc2 == 0 {
		t.Fatal("the master has no record of app:a on 127.0.0.2")
	}
	port := nodes[0].cfg.Supvisors.InternalPort
	start := encodeCommand(msgStart, command{key: a, extra: "--evil", from: addr1, incarnation: inc1, sentAt: time.Now()})
	order := encodeOrder(view.Order{Targets: map[string]uint64{addr2: inc2}})
	jobs := encodeJobs([]view.Job{{Key: a, Writer: addr1, Version: math.MaxUint64}})
	forged := real
	forged.Incarnation, forged.Record.State, forged.Record.Seq = math.MaxUint64, real.Record.State, math.MaxUint64
	var flood []view.Update
	for i := range 20_000 {
		flood = append(flood, view.Update{Node: addr2, Incarnation: inc2,
			Record: view.ProcessRecord{Group: "ghost", Name: fmt.Sprintf("g%d", i), State: 20, Seq: 1}})
	}
	for _, ip := range []string{"127.0.0.9", "127.0.0.4"} {
		r := outsiderRing(t, ip, port, []string{addr1, addr2, addr3})
		for _, m := range []struct {
			to  string
			msg []byte
		}{{addr2, start}, {addr2, order}, {addr3, jobs}, {addr3, encodeName(msgReadmit, addr2)},
			{addr1, encodeUpdates([]view.Update{forged})}, {addr1, encodeUpdates(flood)},
			{addr1, encodeFullState(view.FullState{Node: addr2, Incarnation: inc2, Seq: math.MaxUint64})}} {
			// The guard may cut the outsider off before it has written.
			if err := r.SendDirect(m.to, m.msg); err != nil && ip != "127.0.0.9" {
				t.Fatalf("%s to %s: %v", ip, m.to, err)
			}
		}
	}
	// The channel's guard drops the outsider unread; the others drop the
	// listed address's messages for what they are.
	waitLog := func(address string, want ...string) {
		t.Helper()
		deadline := time.NewTimer(waitTimeout)
		defer deadline.Stop()
		poll := time.NewTicker(20 * time.Millisecond)
		defer poll.Stop()
		for _, w := range want {
			for !strings.Contains(logs[address].String(), w) {
				select {
				case <-poll.C:
				case <-deadline.C:
					t.Fatalf("%s never logged %q:\n%s", address, w, logs[address].String())
				}
			}
		}
	}
	waitLog(addr2, "dropped: connection from outside address_list: sender=127.0.0.9",
		"dropped: request not from the master (message type 5): sender=127.0.0.4",
		"dropped: request not from the master (message type 7): sender=127.0.0.4")
	waitLog(addr1, "dropped: connection from outside address_list: sender=127.0.0.9",
		"dropped: full state not from its node (message type 2): sender=127.0.0.4",
		"dropped: records: sender=127.0.0.4")
	waitLog(addr3, "dropped: request not from the master (message type 4): sender=127.0.0.4",
		"dropped: request not from the master (message type 10): sender=127.0.0.4")

	nodes[0].c.Read(func(v *view.View) {
		for _, u := range v.OthersRecords() {
			if u.Node == addr2 && u.Record.Key() == a && u.Record != real.Record {
				t.Errorf("the record of app:a on 127.0.0.2 became %+v, want %+v", u.Record, real.Record)
			}
			if u.Record.Group == "ghost" {
				t.Fatalf("a record of an undeclared process was taken: %+v", u)
			}
		}
	})
	for _, n := range nodes {
		n.c.Read(func(v *view.View) {
			if v.State() != enums.SupvisorsOperation {
				t.Errorf("%s: %v, want OPERATION", n.addr, v.State())
			}
			if p, ok := v.Process(a); ok && len(p.Addresses) > 0 {
				t.Errorf("%s: app:a runs on %v", n.addr, p.Addresses)
			}
		})
	}
}

// TestGossipKeyRotation rotates the key of a running 3-node cluster in the
// README's three steps (add the new key second, put it first, drop the
// old one), each applied node after node: no node ever sees another leave
// RUNNING, and the cluster still gossips with the new key alone.
func TestGossipKeyRotation(t *testing.T) {
	oldKey, newKey := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	nodes := testCluster(t, 3, func(c *Config) { c.Supvisors.GossipKeys = [][]byte{oldKey} })
	for _, n := range nodes {
		n.start(sleeper("app", "a"))
	}
	for _, n := range nodes {
		n.waitFor("OPERATION", inOperation(addr1))
	}
	var mu sync.Mutex
	var left []string
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			for _, n := range nodes {
				n.c.Read(func(v *view.View) {
					for i, st := range v.AddressStates() {
						if st != enums.AddressRunning {
							mu.Lock()
							left = append(left, fmt.Sprintf("%s saw address %d %v", n.addr, i+1, st))
							mu.Unlock()
						}
					}
				})
			}
		}
	}()
	for _, keys := range [][][]byte{{oldKey, newKey}, {newKey, oldKey}, {newKey}} {
		for _, n := range nodes {
			if err := n.c.SetGossipKeys(keys); err != nil {
				t.Fatal(err)
			}
			// Five probe rounds before the next node: as an operator
			// going from host to host (an observation window).
			<-time.After(time.Second)
		}
	}
	// Gossip with the new key alone: a start on node 3 reaches node 1.
	if err := nodes[2].sup.Group("app").Processes()[0].Start(""); err != nil {
		t.Fatal(err)
	}
	nodes[0].waitFor("app:a RUNNING on 127.0.0.3", func(v *view.View) bool {
		p, ok := v.Process(view.Key{Group: "app", Name: "a"})
		return ok && slices.Equal(p.Addresses, []string{addr3})
	})
	// The watch goes on for ten probe rounds with the new key alone (an
	// observation window, not a wait for something).
	<-time.After(2 * time.Second)
	close(stop)
	<-watched
	if len(left) > 0 {
		t.Errorf("an address left RUNNING during the rotation: %v", left[:min(len(left), 5)])
	}
	if err := nodes[0].c.SetGossipKeys(nil); err == nil {
		t.Error("turning encryption off on a running agent accepted")
	}
}

// TestNoKeyWarning: a cluster of several addresses without gossip_key says
// at start that anyone can forge its gossip, and how to stop it; with a
// key, or alone, it says nothing of it.
func TestNoKeyWarning(t *testing.T) {
	const warning = "gossip is not encrypted"
	for _, tt := range []struct {
		name  string
		nodes int
		keys  [][]byte
		warns bool
	}{
		{"two addresses, no key", 2, nil, true},
		{"two addresses, a key", 2, [][]byte{[]byte("0123456789abcdef")}, false},
		{"one address, no key", 1, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var log logBuffer
			n := testCluster(t, tt.nodes, func(c *Config) {
				c.Supvisors.GossipKeys = tt.keys
				c.Logger = hclog.New(&hclog.LoggerOptions{Output: &log, Level: hclog.Warn})
			})[0]
			n.start()
			if got := strings.Contains(log.String(), warning); got != tt.warns {
				t.Errorf("warned %v, want %v:\n%s", got, tt.warns, log.String())
			}
		})
	}
}
