package cluster

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/internal/testnet"
	"github.com/supvisors/supvisors-go/process"
)

// waitTimeout bounds every wait on the cluster in tests: detection takes
// about a second with the shipped timings, CI machines may be slow.
const waitTimeout = 20 * time.Second

// testNode is one agent in the test process: a process supervisor with real
// children, and its cluster member on 127.0.0.i.
type testNode struct {
	tb   testing.TB
	addr string
	cfg  Config
	sup  *process.Supervisor
	c    *Cluster
}

// testCluster starts n nodes on 127.0.0.1..n sharing a free internal port;
// configure may change each node's Config before it is created (start is
// false to create a node without starting it).
func testCluster(tb testing.TB, n int, configure func(*Config)) []*testNode {
	tb.Helper()
	port := testnet.FreePortOnAll(tb, n)
	list := make([]string, n)
	for i := range list {
		list[i] = fmt.Sprintf("127.0.0.%d", i+1)
	}
	nodes := make([]*testNode, n)
	for i := range nodes {
		cfg := Config{
			Local: list[i],
			Supvisors: config.Supvisors{
				Present:              true,
				AddressList:          list,
				InternalPort:         port,
				SynchroTimeout:       15,
				StartingStrategy:     "CONFIG",
				ConciliationStrategy: "USER",
			},
			Logger: testLogger(tb, list[i]),
		}
		if configure != nil {
			configure(&cfg)
		}
		nodes[i] = &testNode{tb: tb, addr: list[i], cfg: cfg}
	}
	return nodes
}

// start creates the node's supervisor (with groups) and cluster member, and
// starts both.
func (n *testNode) start(groups ...*config.Group) *testNode {
	n.tb.Helper()
	n.sup = process.New(process.Options{Logger: n.cfg.Logger.Named("process"), Childlogdir: n.tb.TempDir(), BaseEnv: os.Environ()})
	n.sup.SetConfigs(groups)
	n.cfg.Supervisor = n.sup
	c, err := Create(n.cfg)
	if err != nil {
		n.tb.Fatalf("create %s: %v", n.addr, err)
	}
	n.c = c
	c.Start()
	n.sup.Start()
	c.Ready()
	sup := n.sup
	n.tb.Cleanup(func() { n.stopNow(c, sup, true) })
	return n
}

// kill stops the node as a crash would: no leave, children killed.
func (n *testNode) kill() {
	n.stopNow(n.c, n.sup, false)
}

// stop stops the node as SIGTERM does: children first, then a graceful
// leave.
func (n *testNode) stop() {
	ctx, cancel := contextWithTimeout()
	defer cancel()
	if err := n.sup.Shutdown(ctx, false); err != nil {
		n.tb.Error(err)
	}
	if err := n.c.Shutdown(true); err != nil {
		n.tb.Error(err)
	}
}

func (n *testNode) stopNow(c *Cluster, sup *process.Supervisor, leave bool) {
	_ = c.Shutdown(leave)
	ctx, cancel := contextWithTimeout()
	defer cancel()
	_ = sup.Shutdown(ctx, false)
}

// waitFor waits until cond holds on the node's view, failing the test
// after waitTimeout. Call it from the test's goroutine.
func (n *testNode) waitFor(what string, cond func(v *view.View) bool) {
	n.tb.Helper()
	if err := n.await(what, cond); err != nil {
		n.tb.Fatal(err)
	}
}

// await waits until cond holds on the node's view; safe from any goroutine.
func (n *testNode) await(what string, cond func(v *view.View) bool) error {
	deadline := time.After(waitTimeout)
	for {
		changed := n.c.Changed()
		ok := false
		n.c.Read(func(v *view.View) { ok = cond(v) })
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-deadline:
			return fmt.Errorf("%s: %s not reached within %v\n%s", n.addr, what, waitTimeout, n.describe())
		}
	}
}

// describe renders the node's view for failure messages.
func (n *testNode) describe() string {
	var b strings.Builder
	n.c.Read(func(v *view.View) {
		fmt.Fprintf(&b, "state %v, master %q\n", v.State(), v.Master())
		for _, a := range v.Addresses(time.Now()) {
			fmt.Fprintf(&b, "  %s %v loading %d\n", a.Name, a.State, a.Loading)
		}
		for _, p := range v.Processes() {
			fmt.Fprintf(&b, "  %s:%s %v %v\n", p.Group, p.Name, p.State, p.Addresses)
		}
	})
	return b.String()
}

// inOperation is true once the node is in OPERATION with master and every
// listed address in state.
func inOperation(master string) func(v *view.View) bool {
	return func(v *view.View) bool { return v.State() == enums.SupvisorsOperation && v.Master() == master }
}

func addressIs(name string, want enums.AddressState) func(v *view.View) bool {
	return func(v *view.View) bool {
		a, ok := v.Address(name, time.Now())
		return ok && a.State == want
	}
}

// testLogger writes to stderr when SUPVISORS_TEST_LOG is set, and keeps
// quiet otherwise (memberlist's goroutines may log after a test ends, when
// t.Log is no longer allowed).
func testLogger(_ testing.TB, name string) hclog.Logger {
	if os.Getenv("SUPVISORS_TEST_LOG") == "" {
		return hclog.NewNullLogger()
	}
	return hclog.New(&hclog.LoggerOptions{Name: name, Output: os.Stderr, Level: hclog.Debug})
}

func contextWithTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), waitTimeout)
}

// sleeper is a group of one long-running program.
func sleeper(group string, names ...string) *config.Group {
	g := &config.Group{Name: group, Priority: 999, Homogeneous: len(names) == 1 && names[0] == group}
	for i, name := range names {
		g.Processes = append(g.Processes, &config.Process{
			Name: name, Group: group, Program: name, Index: i,
			Command: "/bin/sleep 1000", Priority: 999, Autostart: false, Autorestart: config.AutorestartUnexpected,
			Startsecs: 0, Startretries: 3, Stopsignal: 15, Stopwaitsecs: 10, Exitcodes: []int{0}, UID: -1, GID: -1,
		})
	}
	return g
}
