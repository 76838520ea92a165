package cluster

import (
	"slices"
	"testing"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

// conflict starts p by hand on node 1, then on node 2 (the younger copy):
// the cluster goes to CONCILIATION.
func conflict(t *testing.T, nodes []*testNode, group, name string) {
	t.Helper()
	start(t, nodes[0], group, name)
	nodes[2].waitFor("p on 127.0.0.1", runningOn(key(group, name), addr1))
	// Not waited for: conciliation may stop this copy while it is still
	// STARTING (a copy STARTING counts), and the wait would end in
	// ABNORMAL_TERMINATION.
	if err := nodes[1].sup.Group(group).Process(name).Start(""); err != nil {
		t.Fatal(err)
	}
}

// TestConciliationStrategies: each conciliation_strategy, applied by the
// master on entering CONCILIATION, leaves the process where it says and
// the cluster back in OPERATION.
func TestConciliationStrategies(t *testing.T) {
	t.Parallel()
	const rules = `<root><application name="p"><program name="p"><running_failure_strategy>RESTART_PROCESS</running_failure_strategy></program></application>
  <application name="q"><program name="q"><running_failure_strategy>CONTINUE</running_failure_strategy></program></application></root>`
	for _, tt := range []struct {
		strategy string
		program  string
		// where is where the process runs in the end (none: stopped).
		where []string
	}{
		{"SENICIDE", "p", []string{addr2}},
		{"INFANTICIDE", "p", []string{addr1}},
		{"STOP", "p", nil},
		{"RESTART", "p", []string{addr1}},
		{"RUNNING_FAILURE", "p", []string{addr1}}, // RESTART_PROCESS: started again
		{"RUNNING_FAILURE", "q", nil},             // CONTINUE: left stopped
	} {
		t.Run(tt.strategy+"/"+tt.program, func(t *testing.T) {
			t.Parallel()
			nodes := appClusterWith(t, 3, program("p")+program("q"), rules, func(c *Config) { c.Supvisors.ConciliationStrategy = tt.strategy })
			conflict(t, nodes, tt.program, tt.program)
			k := key(tt.program, tt.program)
			for _, n := range nodes {
				n.waitFor("OPERATION, the conflict resolved", func(v *view.View) bool {
					p, _ := v.Process(k)
					return v.State() == enums.SupvisorsOperation && slices.Equal(p.Addresses, tt.where) && (tt.where != nil || p.State == enums.ProcessStopped)
				})
			}
		})
	}
}

// TestConciliateByHand: with USER, the cluster stays in CONCILIATION until
// conciliate() is called with another strategy.
func TestConciliateByHand(t *testing.T) {
	t.Parallel()
	nodes := appClusterWith(t, 3, program("p"), "<root/>", func(c *Config) { c.Supvisors.ConciliationStrategy = "USER" })
	conflict(t, nodes, "p", "p")
	// The master conciliates what its own view holds: it must have seen
	// the conflict, not only the node that the test watches.
	for _, n := range nodes {
		n.waitFor("CONCILIATION", func(v *view.View) bool { return v.State() == enums.SupvisorsConciliation })
	}
	if done, err := nodes[0].c.Conciliate(enums.ConciliateUser); done || err != nil {
		t.Errorf("Conciliate(USER) = %v, %v; want false, nil", done, err)
	}
	if _, err := nodes[1].c.Conciliate(enums.ConciliateSenicide); err != ErrNotMaster {
		t.Errorf("Conciliate on a non-master: %v", err)
	}
	if done, err := nodes[0].c.Conciliate(enums.ConciliateInfanticide); !done || err != nil {
		t.Fatalf("Conciliate(INFANTICIDE) = %v, %v", done, err)
	}
	nodes[2].waitFor("OPERATION, p on 127.0.0.1 only", func(v *view.View) bool {
		return v.State() == enums.SupvisorsOperation && runningOn(key("p", "p"), addr1)(v)
	})
}
