package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The partition scenarios run 5 agents whose application svc has one
// required RESTART_PROCESS process per node (svc_0..svc_4, of loading 1,
// placed LESS_LOADED, so one on each node at deployment), cut the network, let
// each side do what it does, heal it, and check that in the end every
// process of svc runs exactly once, counting what every agent itself runs
// (not only what the cluster believes), with no conflict left.

const partitionRules = `<root>
  <application name="svc">
    <start_sequence>1</start_sequence>
    <pattern name="svc_">
      <start_sequence>1</start_sequence>
      <required>true</required>
      <loading>1</loading>
      <running_failure_strategy>RESTART_PROCESS</running_failure_strategy>
    </pattern>
  </application>
</root>`

const partitionPrograms = `
[program:svc]
command=/bin/sleep 1000
process_name=svc_%(process_num)d
numprocs=5
autostart=false
startsecs=0
`

// stateAndConflicts prints a node's state and number of conflicts (a
// fault while the state does not allow the query).
const stateAndConflicts = `import xmlrpc.client
try:
    print(p.supvisors.get_supvisors_state()['statename'], len(p.supvisors.get_conflicts()))
except xmlrpc.client.Fault as f:
    print('fault', f.faultString)`

// runningHere is the python expression of what an agent itself runs.
const runningHere = "sorted(i['name'] for i in p.supervisor.getAllProcessInfo() if i['statename'] == 'RUNNING')"

// partitionScenario is one way of splitting and healing the cluster.
type partitionScenario struct {
	name string
	// extra are [supvisors] lines (conciliation_strategy, auto_fence, quorum).
	extra string
	// sides are the groups of a split; nodes in none are cut off.
	sides [][]int
	// during checks what each side did while split; initial[i] is the
	// process node i+1 ran before.
	during func(t *testing.T, lab *netLab, nodes []*server, initial []string)
	// fenced are the nodes the others fence: after the heal their agents
	// are restarted and readmitted, as an operator would.
	fenced []int
	// conciliateByHand is the strategy conciliate() is called with after
	// the heal (USER leaves the conflicts to an operator).
	conciliateByHand string
}

func TestPartitionScenarios(t *testing.T) {
	t.Parallel()
	scenarios := []partitionScenario{
		{
			name:  "node 5 cut off, SENICIDE",
			extra: "conciliation_strategy=SENICIDE",
			sides: [][]int{{1, 2, 3, 4}},
			during: func(t *testing.T, lab *netLab, nodes []*server, initial []string) {
				// Both sides fail over: the majority svc_4, node 5 the rest.
				waitCount(t, nodes[:4], allOnce)
				waitCount(t, nodes[4:], allOnce)
			},
		},
		{
			name:  "node 5 cut off, auto_fence, INFANTICIDE",
			extra: "auto_fence=true\nconciliation_strategy=INFANTICIDE",
			sides: [][]int{{1, 2, 3, 4}},
			during: func(t *testing.T, lab *netLab, nodes []*server, initial []string) {
				waitNodes(t, nodes[:4], 30*time.Second, "p.supvisors.get_address_info('"+lab.addr(5)+"')['statename']", every("ISOLATED"))
				waitCount(t, nodes[:4], allOnce)
			},
			fenced: []int{5},
		},
		{
			name:  "2|3 split, quorum off, RESTART",
			extra: "conciliation_strategy=RESTART",
			sides: [][]int{{1, 2, 3}, {4, 5}},
			during: func(t *testing.T, lab *netLab, nodes []*server, initial []string) {
				waitCount(t, nodes[:3], allOnce)
				waitCount(t, nodes[3:], allOnce)
			},
		},
		{
			name:  "2|3 split, quorum majority, RUNNING_FAILURE",
			extra: "quorum=majority\nconciliation_strategy=RUNNING_FAILURE",
			sides: [][]int{{1, 2, 3}, {4, 5}},
			during: func(t *testing.T, lab *netLab, nodes []*server, initial []string) {
				// The majority fails over svc_3 and svc_4; the minority,
				// without the quorum, says so and starts nothing.
				waitCount(t, nodes[:3], allOnce)
				waitNodes(t, nodes[3:], 30*time.Second, "p.supvisors.get_supvisors_state()['quorum']", every("False"))
				assertCount(t, nodes[3:], map[string]int{initial[3]: 1, initial[4]: 1})
			},
		},
		{
			name:  "2|3 split, quorum off, USER then conciliate(SENICIDE)",
			extra: "conciliation_strategy=USER",
			sides: [][]int{{1, 2, 3}, {4, 5}},
			during: func(t *testing.T, lab *netLab, nodes []*server, initial []string) {
				waitCount(t, nodes[3:], allOnce)
			},
			conciliateByHand: "SENICIDE",
		},
		{
			name:  "node 5 cut off, quorum majority, auto_fence",
			extra: "quorum=majority\nauto_fence=true\nconciliation_strategy=SENICIDE",
			sides: [][]int{{1, 2, 3, 4}},
			during: func(t *testing.T, lab *netLab, nodes []*server, initial []string) {
				// The majority fences node 5 and fails svc_4 over; node 5,
				// alone, fences nobody and starts nothing.
				waitNodes(t, nodes[:4], 30*time.Second, "p.supvisors.get_address_info('"+lab.addr(5)+"')['statename']", every("ISOLATED"))
				waitCount(t, nodes[:4], allOnce)
				waitNodes(t, nodes[4:], 30*time.Second, addressStates, every(statesList(5, "SILENT", map[int]string{5: "RUNNING"})))
				assertCount(t, nodes[4:], map[string]int{initial[4]: 1})
			},
			fenced: []int{5},
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { runPartitionScenario(t, sc) })
	}
}

// allOnce is every process of svc running once.
var allOnce = map[string]int{"svc_0": 1, "svc_1": 1, "svc_2": 1, "svc_3": 1, "svc_4": 1}

func every(want string) func(int) string { return func(int) string { return want } }

func runPartitionScenario(t *testing.T, sc partitionScenario) {
	lab := newNetLab(t, 5)
	rules := filepath.Join(t.TempDir(), "rules.xml")
	if err := os.WriteFile(rules, []byte(partitionRules), 0o644); err != nil {
		t.Fatal(err)
	}
	extra := "rules_file=" + rules + "\nstarting_strategy=LESS_LOADED\n" + sc.extra
	nodes := lab.startAgents(t, extra, partitionPrograms)
	t.Cleanup(func() {
		if t.Failed() {
			for i, n := range nodes {
				t.Logf("node %d (%s):\n%s", i+1, n.host, agentEvents(n.stderr.String()))
			}
		}
	})
	waitNodes(t, nodes, 60*time.Second, "p.supvisors.get_supvisors_state()['statename']", every("OPERATION"))
	initial := make([]string, len(nodes))
	for i, n := range nodes {
		// One process on each node, none twice.
		waitFor(t, 30*time.Second, func() (bool, string) {
			initial[i] = strings.TrimSpace(n.python(t, "print(' '.join("+runningHere+"))"))
			return !strings.Contains(initial[i], " ") && initial[i] != "", fmt.Sprintf("node %d runs %q, want one process", i+1, initial[i])
		})
	}
	assertOnce(t, nodes)

	lab.split(t, sc.sides...)
	sc.during(t, lab, nodes, initial)

	healed := time.Now()
	lab.heal(t)
	if len(sc.fenced) > 0 {
		majority := nodes[0]
		for _, i := range sc.fenced {
			// The fenced node stays out, whatever runs there.
			waitNodes(t, nodes[:1], 30*time.Second, "p.supvisors.get_address_info('"+lab.addr(i)+"')['statename']", every("ISOLATED"))
			nodes[i-1].kill(t)
			nodes[i-1] = lab.agent(t, i, extra, partitionPrograms)
			nodes[i-1].launch(t)
			nodes[i-1].waitAnswering(t)
			if out := strings.TrimSpace(majority.python(t, "print(p.supvisors.readmit_address('"+lab.addr(i)+"'))")); out != "True" {
				t.Fatalf("readmit_address(%s): %s", lab.addr(i), out)
			}
		}
	}
	waitNodes(t, nodes, 60*time.Second, addressStates, every(statesList(5, "RUNNING", nil)))
	t.Logf("%s: healed → every address RUNNING everywhere in %v", sc.name, time.Since(healed).Round(time.Millisecond))
	if sc.conciliateByHand != "" {
		// Once every copy is known: each new conflict waits for the
		// operator under USER.
		waitNodes(t, nodes, 60*time.Second, "p.supvisors.get_supvisors_state()['statename']", every("CONCILIATION"))
		if out := strings.TrimSpace(nodes[2].python(t, "print(p.supvisors.conciliate('"+sc.conciliateByHand+"'))")); out != "True" {
			t.Fatalf("conciliate(%s): %s", sc.conciliateByHand, out)
		}
	}
	waitNodesCode(t, nodes, 60*time.Second, stateAndConflicts, every("OPERATION 0"))
	t.Logf("%s: healed → no conflict left, every node in OPERATION, in %v", sc.name, time.Since(healed).Round(time.Millisecond))
	assertOnce(t, nodes)
}

// assertOnce checks every process of svc runs exactly once: on exactly one
// agent, and with exactly that address in every node's view.
func assertOnce(t *testing.T, nodes []*server) {
	t.Helper()
	waitCount(t, nodes, allOnce)
	for i, n := range nodes {
		out := strings.TrimSpace(n.python(t, "print(sorted((i['process_name'], len(i['addresses'])) for i in p.supvisors.get_process_info('svc:*')))"))
		if want := "[('svc_0', 1), ('svc_1', 1), ('svc_2', 1), ('svc_3', 1), ('svc_4', 1)]"; out != want {
			t.Errorf("node %d's view of svc: %s, want %s", i+1, out, want)
		}
	}
}

// countRunning is how many of nodes run each process, by what each agent
// itself runs.
func countRunning(t *testing.T, nodes []*server) map[string]int {
	t.Helper()
	count := map[string]int{}
	for _, n := range nodes {
		out := strings.TrimSpace(n.python(t, "print(' '.join("+runningHere+"))"))
		for _, name := range strings.Fields(out) {
			count[name]++
		}
	}
	return count
}

// waitCount waits until nodes run, between them, each process of want
// that many times (and nothing else).
func waitCount(t *testing.T, nodes []*server, want map[string]int) {
	t.Helper()
	waitFor(t, 60*time.Second, func() (bool, string) {
		got := countRunning(t, nodes)
		return equalCounts(got, want), fmt.Sprintf("running %v, want %v", got, want)
	})
}

// assertCount checks nodes run exactly want now.
func assertCount(t *testing.T, nodes []*server, want map[string]int) {
	t.Helper()
	if got := countRunning(t, nodes); !equalCounts(got, want) {
		t.Errorf("running %v, want %v", got, want)
	}
}

func equalCounts(a, b map[string]int) bool {
	keys := func(m map[string]int) []string {
		var ks []string
		for k, v := range m {
			if v != 0 {
				ks = append(ks, fmt.Sprintf("%s=%d", k, v))
			}
		}
		slices.Sort(ks)
		return ks
	}
	return slices.Equal(keys(a), keys(b))
}

// agentEvents is what a failed scenario shows of an agent's log: the
// cluster's events, not every process line.
func agentEvents(log string) string {
	var keep []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "supvisors.cluster") || strings.Contains(line, "quorum") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}
