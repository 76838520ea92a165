package integration

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

// These tests drive the placement of later Supvisors on four real agents:
// the *_NODE strategies over agents that share a machine (host_name), and
// the dry runs (test_start_application, test_start_process) against what
// the starts then do, over random rules.

// placementHosts is the machine each agent says it runs on: 127.0.0.1 and
// 127.0.0.2 share one.
var placementHosts = []string{"hostA", "hostA", "hostB", "hostC"}

// placementBase loads the agents at deployment: 127.0.0.2 40, 127.0.0.3
// 10, 127.0.0.4 25 (hostA 40, hostB 10, hostC 25).
const placementBase = `
  <application name="base">
    <start_sequence>1</start_sequence>
    <program name="b2"><addresses>127.0.0.2</addresses><start_sequence>1</start_sequence><loading>40</loading></program>
    <program name="b3"><addresses>127.0.0.3</addresses><start_sequence>1</start_sequence><loading>10</loading></program>
    <program name="b4"><addresses>127.0.0.4</addresses><start_sequence>1</start_sequence><loading>25</loading></program>
  </application>
  <application name="tools">
    <program name="probe"><loading>5</loading></program>
    <program name="probe2"><addresses>127.0.0.1,127.0.0.3,127.0.0.4</addresses><loading>5</loading></program>
  </application>`

// randomPool is an application "pool" of n programs (not deployed) with
// random start sequences, loadings and allowed addresses, and some that
// wait_exit (they exit at once, as expected); it returns its rules, its
// programs' configuration, and those that exit.
func randomPool(rng *rand.Rand, n int) (rules, body string, exits map[string]bool) {
	var r, b strings.Builder
	exits = map[string]bool{}
	r.WriteString(`  <application name="pool">` + "\n")
	var names []string
	for i := range n {
		name := fmt.Sprintf("p%d", i)
		names = append(names, name)
		addresses := "*"
		if rng.IntN(3) == 0 {
			var list []string
			for _, j := range rng.Perm(4)[:1+rng.IntN(4)] {
				list = append(list, fmt.Sprintf("127.0.0.%d", j+1))
			}
			addresses = strings.Join(list, ",")
		}
		exits[name] = rng.IntN(5) == 0
		fmt.Fprintf(&r, "    <program name=%q><addresses>%s</addresses><start_sequence>%d</start_sequence><loading>%d</loading><wait_exit>%v</wait_exit></program>\n",
			name, addresses, 1+rng.IntN(3), rng.IntN(45), exits[name])
		command := "/bin/sleep 1000"
		if exits[name] {
			command = "/bin/true"
		}
		fmt.Fprintf(&b, "\n[program:%s]\ncommand=%s\nautostart=false\nstartsecs=0\nautorestart=false\n", name, command)
	}
	r.WriteString("  </application>\n")
	return r.String(), "\n[group:pool]\nprograms=" + strings.Join(names, ",") + "\n" + b.String(), exits
}

// placementCluster starts the four agents with their host names and the
// rules, and returns a client of each once all are in OPERATION.
func placementCluster(t *testing.T, rules, body string) []*client.Client {
	t.Helper()
	p := planCluster(t, 4, writeRulesFile(t, "<root>"+placementBase+rules+"</root>"))
	body += "\n[group:base]\nprograms=b2,b3,b4\n" + sleeper("b2", "") + sleeper("b3", "") + sleeper("b4", "") +
		"\n[group:tools]\nprograms=probe,probe2\n" + sleeper("probe", "") + sleeper("probe2", "")
	nodes := make([]*server, 4)
	for i := range nodes {
		nodes[i] = p.node(t, i, body)
		nodes[i].cmd.Env = append(os.Environ(), "SUPVISORS_HOST_NAME="+placementHosts[i])
		nodes[i].launch(t)
	}
	t.Cleanup(func() {
		if t.Failed() {
			logsOf(t, nodes)
		}
	})
	clients := make([]*client.Client, 4)
	for i, n := range nodes {
		n.waitAnswering(t)
		clients[i] = newTestClient(t, n.url, n)
	}
	for _, c := range clients {
		waitSupvisorsState(t, c, enums.SupvisorsOperation)
	}
	// Deployment done: the base loads are in every view.
	for _, c := range clients {
		waitFor(t, 30*time.Second, func() (bool, string) {
			addrs, err := c.Supvisors().GetAllAddressesInfo(t.Context())
			var loads []int
			for _, a := range addrs {
				loads = append(loads, a.Loading)
			}
			return err == nil && slices.Equal(loads, []int{0, 40, 10, 25}), fmt.Sprintf("loads %v, %v", loads, err)
		})
	}
	return clients
}

// TestPlacementDryRuns checks the *_NODE strategies group the agents of
// one machine, and that the dry run of start_application answers what
// the start then does, over random rules and every strategy.
func TestPlacementDryRuns(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 15))
	const n = 12
	rules, body, exits := randomPool(rng, n)
	clients := placementCluster(t, rules, body)
	ctx := t.Context()

	t.Run("host strategies", func(t *testing.T) {
		// probe may go anywhere; probe2 not on 127.0.0.2, whose load
		// still counts for hostA.
		for _, tc := range []struct {
			s             enums.StartingStrategy
			probe, probe2 string
		}{
			{enums.StartLessLoaded, "127.0.0.1", "127.0.0.1"},     // 0
			{enums.StartLessLoadedNode, "127.0.0.3", "127.0.0.3"}, // hostB 10
			{enums.StartMostLoaded, "127.0.0.2", "127.0.0.4"},     // 40; 25 without 127.0.0.2
			{enums.StartMostLoadedNode, "127.0.0.2", "127.0.0.1"}, // hostA 40, then its most loaded address the rules allow
		} {
			for name, want := range map[string]string{"tools:probe": tc.probe, "tools:probe2": tc.probe2} {
				plan, err := clients[2].Supvisors().TestStartProcess(ctx, tc.s, name)
				if err != nil || len(plan) != 1 || plan[0].Address != want {
					t.Errorf("test_start_process(%v, %s): %+v, %v; want %s", tc.s, name, plan, err, want)
				}
			}
		}
		// The real start goes where the dry run said, by name too.
		var reply bool
		if err := clients[1].Call(ctx, "supvisors.start_process", []any{"LESS_LOADED_NODE", "tools:probe", "", true}, &reply); err != nil {
			t.Fatalf("start_process(LESS_LOADED_NODE, tools:probe): %v", err)
		}
		if got := clusterWhere(t, clients[0], "tools:probe"); !slices.Equal(got, []string{"127.0.0.3"}) {
			t.Errorf("tools:probe runs on %v, want 127.0.0.3", got)
		}
		if _, err := clients[0].Supvisors().StopProcess(ctx, "tools:probe", true); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("disabled", func(t *testing.T) {
		// A disabled program: its dry run faults as its start does, and
		// start_any_process passes it over.
		sv := clients[1].Supvisors()
		if _, err := sv.Disable(ctx, "probe2", true); err != nil {
			t.Fatalf("disable(probe2): %v", err)
		}
		_, err := sv.TestStartProcess(ctx, enums.StartConfig, "tools:probe2")
		faultIs(t, "test_start_process(tools:probe2), disabled", err, fault.Disabled)
		_, err = sv.StartAnyProcess(ctx, enums.StartConfig, "^tools:probe2$", "", true)
		faultIs(t, "start_any_process(^tools:probe2$), disabled", err, fault.Failed)
		if got, err := sv.StartAnyProcess(ctx, enums.StartConfig, "^tools:", "", true); err != nil || got != "tools:probe" {
			t.Errorf("start_any_process(^tools:) with probe2 disabled: %q, %v; want tools:probe", got, err)
		}
		if _, err := sv.StopProcess(ctx, "tools:probe", true); err != nil {
			t.Error(err)
		}
		if _, err := sv.Enable(ctx, "probe2", true); err != nil {
			t.Fatalf("enable(probe2): %v", err)
		}
	})

	t.Run("dry run equals start", func(t *testing.T) {
		for _, s := range []enums.StartingStrategy{enums.StartConfig, enums.StartLessLoaded, enums.StartMostLoaded,
			enums.StartLocal, enums.StartLessLoadedNode, enums.StartMostLoadedNode} {
			// Asked of a random agent: LOCAL is that one.
			c := clients[rng.IntN(len(clients))]
			plan, err := c.Supvisors().TestStartApplication(ctx, s, "pool")
			if err != nil {
				t.Fatalf("test_start_application(%v, pool): %v", s, err)
			}
			if len(plan) != n {
				t.Fatalf("test_start_application(%v, pool): %d entries, want %d: %+v", s, len(plan), n, plan)
			}
			if !slices.IsSortedFunc(plan, func(a, b api.PlannedStart) int { return a.StartSequence - b.StartSequence }) {
				t.Errorf("test_start_application(%v, pool) not in start order: %+v", s, plan)
			}
			// Nothing changed: the same answer again.
			if again, err := c.Supvisors().TestStartApplication(ctx, s, "pool"); err != nil || !slices.Equal(again, plan) {
				t.Errorf("test_start_application(%v, pool) again: %+v, %v", s, again, err)
			}
			// Some processes may have no room: the start then fails
			// for them (optional processes: the others run).
			_, startErr := c.Supvisors().StartApplication(ctx, s, "pool", true)
			for _, e := range plan {
				got := clusterWhere(t, clients[0], e.Namespec())
				// What waits for its exit has run and exited.
				var want []string
				if e.Address != "" && !exits[e.ProcessName] {
					want = []string{e.Address}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%v: %s runs on %v, the dry run said %q (start_application: %v)", s, e.Namespec(), got, e.Address, startErr)
				}
			}
			if _, err := clients[0].Supvisors().StopApplication(ctx, "pool", true); err != nil {
				t.Logf("stop_application(pool): %v", err)
			}
			waitFor(t, 30*time.Second, func() (bool, string) {
				a, err := clients[0].Supvisors().GetApplicationInfo(ctx, "pool")
				return err == nil && a.State == enums.ApplicationStopped, a.StateName
			})
		}
	})
}

// TestSupvisorsctlPlacementGolden runs the supvisorsctl commands of the
// local view, the dry runs and start_any_process, as tables and with
// --json, with their faults, on the 2-node cluster of the golden test.
func TestSupvisorsctlPlacementGolden(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 2, writeRulesFile(t, ctlRules), ctlPrograms)
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
	}
	n1, n2 := nodes[0], nodes[1]
	n1.waitPython(t, "[(i['process_name'], i['statename'], i['addresses']) for i in p.supvisors.get_process_info('web:*')]",
		"[('server', 'RUNNING', ['127.0.0.2']), ('worker', 'RUNNING', ['127.0.0.1'])]")
	g := newGolden(t)

	g.run("local_status", n2, "local_status")
	g.run("local_status", n1, "local_status", "web:worker", "nosuch")
	g.run("local_status", n2, "--json", "local_status", "web:server")

	// Loads: 127.0.0.1 10 (web:worker), 127.0.0.2 20 (web:server).
	g.run("test_start_application", n1, "test_start_application", "CONFIG", "tools")
	g.run("test_start_application", n2, "--json", "test_start_application", "MOST_LOADED", "tools")
	g.run("test_start_application", n1, "test_start_application", "CONFIG", "web", "nosuch")
	g.run("test_start_application", n1, "test_start_application", "BOGUS", "tools")
	g.run("test_start_application", n1, "test_start_application", "CONFIG")
	g.run("test_start_process", n1, "test_start_process", "LESS_LOADED_NODE", "tools:*")
	g.run("test_start_process", n1, "--json", "test_start_process", "5", "tools:extra")
	g.run("test_start_process", n1, "test_start_process", "CONFIG", "web:server")
	g.run("test_start_process", n1, "sstatus", "tools:*")

	g.run("start_any_process", n1, "start_any_process", "CONFIG", "^tools:", "9")
	g.run("start_any_process", n1, "local_status", "tools:extra")
	g.run("start_any_process", n2, "start_any_process", "LESS_LOADED", "^tools:")
	g.run("start_any_process", n1, "start_any_process", "CONFIG", "^tools:")
	g.run("start_any_process", n1, "--json", "start_any_process", "CONFIG", "^nosuch")
	g.run("start_any_process", n1, "start_any_process", "CONFIG", "(")
	g.run("start_any_process", n1, "start_any_process", "CONFIG")
	g.run("start_any_process", n1, "sstatus", "tools:*")
	g.run("start_any_process", n1, "stop_process", "tools:*")
	g.check()
}
