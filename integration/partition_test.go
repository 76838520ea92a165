package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// addressStates is the python expression of a node's view of every
// address's state, in address_list order.
const addressStates = "[a['statename'] for a in p.supvisors.get_all_addresses_info()]"

// statesList is the python repr of n address states, all def but those
// of the 1-based nodes in other.
func statesList(n int, def string, other map[int]string) string {
	var list []string
	for i := 1; i <= n; i++ {
		state, ok := other[i]
		if !ok {
			state = def
		}
		list = append(list, "'"+state+"'")
	}
	return "[" + strings.Join(list, ", ") + "]"
}

// waitNodes waits until expr prints want(i) on every node i (1-based) of
// nodes, each polled inside its namespace, and returns the time it took.
func waitNodes(t *testing.T, nodes []*server, timeout time.Duration, expr string, want func(i int) string) time.Duration {
	t.Helper()
	return waitNodesCode(t, nodes, timeout, "print("+expr+")", want)
}

// waitNodesCode is waitNodes for python code that prints what it finds.
func waitNodesCode(t *testing.T, nodes []*server, timeout time.Duration, code string, want func(i int) string) time.Duration {
	t.Helper()
	began := time.Now()
	deadline := began.Add(timeout)
	for i, s := range nodes {
		waitFor(t, time.Until(deadline), func() (bool, string) {
			out := strings.TrimSpace(s.python(t, code))
			return out == want(i+1), fmt.Sprintf("%s on node %d (%s): %s, want %s", code, i+1, s.host, out, want(i+1))
		})
	}
	return time.Since(began)
}

// TestPartitionSmoke runs 5 agents in 5 namespaces, cuts node 5 off and
// heals the network: each side sees the other SILENT, then everyone is
// RUNNING again under the same master.
func TestPartitionSmoke(t *testing.T) {
	t.Parallel()
	lab := newNetLab(t, 5)
	const n = 5
	began := time.Now()
	nodes := lab.startAgents(t, "", "[program:idle]\ncommand=/bin/sleep 1000\nautostart=false\n")
	t.Logf("lab %s on %s: 5 agents answering in %v", lab.id, lab.prefix, time.Since(began).Round(time.Millisecond))
	allRunning := statesList(n, "RUNNING", nil)
	waitNodes(t, nodes, 30*time.Second, "p.supvisors.get_supvisors_state()['statename']", every("OPERATION"))
	waitNodes(t, nodes, 30*time.Second, "p.supvisors.get_master_address()", every(lab.addr(1)))
	waitNodes(t, nodes, 30*time.Second, addressStates, every(allRunning))
	t.Logf("all in OPERATION, master %s, %v after start", lab.addr(1), time.Since(began).Round(time.Millisecond))
	if !lab.reachable(t, 1, 5) || !lab.reachable(t, 5, 1) {
		t.Fatal("node 1 and node 5 cannot reach each other before the partition")
	}

	// Cut node 5 off.
	cut := time.Now()
	lab.split(t, []int{1, 2, 3, 4})
	waitNodes(t, nodes[:4], 30*time.Second, addressStates, every(statesList(n, "RUNNING", map[int]string{5: "SILENT"})))
	majority := time.Since(cut)
	waitNodes(t, nodes[4:], 30*time.Second, addressStates, every(statesList(n, "SILENT", map[int]string{5: "RUNNING"})))
	t.Logf("node 5 cut off: nodes 1-4 report it SILENT within %v, node 5 reports them SILENT within %v",
		majority.Round(time.Millisecond), time.Since(cut).Round(time.Millisecond))
	waitNodes(t, nodes[:4], 30*time.Second, "(p.supvisors.get_supvisors_state()['statename'], p.supvisors.get_master_address())",
		every(fmt.Sprintf("('OPERATION', '%s')", lab.addr(1))))
	t.Logf("node 5 alone: %s", strings.TrimSpace(nodes[4].python(t,
		"print(p.supvisors.get_supvisors_state()['statename'], repr(p.supvisors.get_master_address()))")))
	for _, c := range [][2]int{{1, 5}, {5, 1}, {4, 5}} {
		if lab.reachable(t, c[0], c[1]) {
			t.Errorf("node %d reaches node %d across the partition", c[0], c[1])
		}
	}
	if !lab.reachable(t, 1, 4) {
		t.Error("node 1 cannot reach node 4 on its own side of the partition")
	}

	// Heal.
	healed := time.Now()
	lab.heal(t)
	took := waitNodes(t, nodes, 60*time.Second, addressStates, every(allRunning))
	t.Logf("healed: every node reports all 5 RUNNING within %v", took.Round(time.Millisecond))
	waitNodes(t, nodes, 30*time.Second, "(p.supvisors.get_supvisors_state()['statename'], p.supvisors.get_master_address())",
		every(fmt.Sprintf("('OPERATION', '%s')", lab.addr(1))))
	t.Logf("healed: all in OPERATION under %s within %v", lab.addr(1), time.Since(healed).Round(time.Millisecond))
	for _, c := range [][2]int{{1, 5}, {5, 1}} {
		if !lab.reachable(t, c[0], c[1]) {
			t.Errorf("node %d cannot reach node %d after heal", c[0], c[1])
		}
	}
}
