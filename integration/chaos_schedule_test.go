package integration

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// The chaos schedule: the faults of a run, drawn from its seed before the
// run starts, so that the same seed always gives the same schedule. What a
// fault hits that depends on the cluster at that moment (the master, the
// node a child runs on, which process an operator stops) is picked by a
// number drawn with the rest among what the cluster shows then: a replay
// hits the same targets as long as the cluster is in the same state.

// faultKind is a kind of fault; the recovery figures are per kind.
type faultKind string

const (
	killAgent   faultKind = "kill-agent"    // kill -9 an agent, relaunch it
	killAgents  faultKind = "kill-2-agents" // kill -9 two agents at once, relaunch them
	freezeAgent faultKind = "freeze"        // SIGSTOP an agent (the master, sometimes), SIGCONT
	killChild   faultKind = "kill-child"    // kill -9 a supervised child
	restartAll  faultKind = "restart"       // supvisors.restart()
	shutdownAll faultKind = "shutdown"      // supvisors.shutdown(), relaunch every agent
	operator    faultKind = "operator"      // an operator action on its own
	// The netns mode's only.
	partition faultKind = "partition"  // split the nodes in two sides, heal
	oneWay    faultKind = "one-way"    // some nodes' frames to the others dropped, not back
	flapping  faultKind = "flapping"   // cut and heal a split every few hundred ms
	degraded  faultKind = "degraded"   // loss, delay and jitter on links
	clockSkew faultKind = "clock-skew" // relaunch an agent with its clock off by minutes
)

// faultWeights are how often each kind is drawn, per mode.
var faultWeights = map[string][]struct {
	kind   faultKind
	weight int
}{
	"loopback": {{killAgent, 4}, {killAgents, 2}, {freezeAgent, 4}, {killChild, 4}, {restartAll, 1}, {shutdownAll, 1}, {operator, 3}},
	"netns": {{killAgent, 3}, {killAgents, 1}, {freezeAgent, 3}, {killChild, 3}, {restartAll, 1}, {shutdownAll, 1}, {operator, 2},
		{partition, 3}, {oneWay, 2}, {flapping, 2}, {degraded, 2}, {clockSkew, 1}},
}

// chaosFault is one fault of the schedule, with every number it needs.
type chaosFault struct {
	kind  faultKind
	nodes []int // the nodes hit (0-based); a split's minority side; the one-way nodes
	// delays: when each killed agent is relaunched after the kill, or how
	// long a freeze, a partition, a one-way cut or a degradation lasts (one
	// value); a flapping split's successive cut and healed periods.
	delays   []time.Duration
	master   bool   // freeze: the master, not nodes[0]
	choice   uint32 // kill-child: picks the child among those running
	rule     linkRule
	allLinks bool          // degraded: every link, not only nodes[0]'s
	offset   time.Duration // clock-skew: the agent's clock offset (0 puts it right)
	action   *operatorAction
}

// operatorAction is a call an operator makes, on its own or racing a
// fault: right after it strikes, without waiting for the cluster to heal.
type operatorAction struct {
	method string // supvisors.start_application, stop_application, start_process, stop_process, conciliate
	node   int    // the node asked (0-based): any node forwards to the master
	choice uint32 // picks the target among the candidates (chaos_faults_test.go)
	// strategy is conciliate's (one that keeps a copy of each process).
	strategy string
}

// operatorMethods are drawn by weight: starts more often than stops, so
// that what was stopped comes back.
var operatorMethods = []struct {
	method string
	weight int
}{
	{"supvisors.start_application", 2}, {"supvisors.stop_application", 1}, {"supvisors.start_process", 3},
	{"supvisors.stop_process", 2}, {"supvisors.conciliate", 1},
}

// drawSchedule draws count faults for n nodes in mode from seed.
func drawSchedule(seed uint64, mode string, n, count int) []chaosFault {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	total := 0
	for _, w := range faultWeights[mode] {
		total += w.weight
	}
	between := func(lo, hi time.Duration) time.Duration {
		return (lo + time.Duration(rng.Int64N(int64(hi-lo)+1))).Round(time.Millisecond)
	}
	faults := make([]chaosFault, count)
	for i := range faults {
		f := &faults[i]
		pick := rng.IntN(total)
		for _, w := range faultWeights[mode] {
			if pick < w.weight {
				f.kind = w.kind
				break
			}
			pick -= w.weight
		}
		if f.kind == killAgents && n < 3 {
			f.kind = killAgent // two of two would leave nobody to fail over to
		}
		switch f.kind {
		case killAgent, killAgents:
			killed := 1
			if f.kind == killAgents {
				killed = 2
			}
			f.nodes = rng.Perm(n)[:killed]
			for range killed {
				f.delays = append(f.delays, between(0, 5*time.Second))
			}
		case freezeAgent:
			f.master = rng.IntN(5) < 2
			f.nodes = []int{rng.IntN(n)}
			f.delays = []time.Duration{between(200*time.Millisecond, 5*time.Second)}
		case killChild:
			f.choice = rng.Uint32()
		case restartAll, shutdownAll, clockSkew:
			f.nodes = []int{rng.IntN(n)}
			if f.kind == clockSkew {
				f.offset = between(time.Minute, 10*time.Minute).Round(time.Second)
				if rng.IntN(2) == 0 {
					f.offset = -f.offset
				}
				if rng.IntN(4) == 0 {
					f.offset = 0
				}
			}
		case operator:
			f.action = drawAction(rng, n)
		case partition, oneWay, flapping:
			f.nodes = rng.Perm(n)[:1+rng.IntN(max(1, n/2))]
			if f.kind == flapping {
				for span := time.Duration(0); span < 3*time.Second; span += f.delays[len(f.delays)-1] {
					f.delays = append(f.delays, between(100*time.Millisecond, 500*time.Millisecond))
				}
			} else {
				f.delays = []time.Duration{between(500*time.Millisecond, 6*time.Second)}
			}
		case degraded:
			f.nodes = []int{rng.IntN(n)}
			f.allLinks = rng.IntN(2) == 0
			what := rng.IntN(3) // loss, delay, or both
			if what != 1 {
				f.rule.loss = float64(5+rng.IntN(26)) / 100
			}
			if what != 0 {
				f.rule.delay = between(5*time.Millisecond, 200*time.Millisecond)
				f.rule.jitter = between(0, f.rule.delay/2)
			}
			f.delays = []time.Duration{between(2*time.Second, 8*time.Second)}
		}
		// Operator actions race the faults that leave the cluster to heal.
		if f.kind != operator && f.kind != restartAll && f.kind != shutdownAll && rng.IntN(10) < 3 {
			f.action = drawAction(rng, n)
		}
	}
	return faults
}

func drawAction(rng *rand.Rand, n int) *operatorAction {
	total := 0
	for _, m := range operatorMethods {
		total += m.weight
	}
	a := &operatorAction{node: rng.IntN(n), choice: rng.Uint32()}
	pick := rng.IntN(total)
	for _, m := range operatorMethods {
		if pick < m.weight {
			a.method = m.method
			break
		}
		pick -= m.weight
	}
	a.strategy = []string{"SENICIDE", "INFANTICIDE", "RESTART"}[rng.IntN(3)]
	return a
}

// String says what the fault does, nodes by their 1-based number.
func (f chaosFault) String() string {
	nodes := make([]string, len(f.nodes))
	for i, n := range f.nodes {
		nodes[i] = fmt.Sprintf("node %d", n+1)
	}
	var s string
	switch f.kind {
	case killAgent, killAgents:
		var parts []string
		for i := range f.nodes {
			parts = append(parts, fmt.Sprintf("%s (relaunched after %v)", nodes[i], f.delays[i]))
		}
		s = "kill -9 the agent of " + strings.Join(parts, " and ")
	case freezeAgent:
		who := nodes[0]
		if f.master {
			who = "the master"
		}
		s = fmt.Sprintf("SIGSTOP %s for %v", who, f.delays[0])
	case killChild:
		s = fmt.Sprintf("kill -9 a child (choice %d)", f.choice)
	case restartAll:
		s = "supvisors.restart() on " + nodes[0]
	case shutdownAll:
		s = "supvisors.shutdown() on " + nodes[0] + ", then relaunch every agent"
	case clockSkew:
		s = fmt.Sprintf("relaunch %s with its clock off by %v", nodes[0], f.offset)
	case operator:
		s = "operator: " + f.action.String()
	case partition:
		s = fmt.Sprintf("partition %s | the others for %v", strings.Join(nodes, ", "), f.delays[0])
	case oneWay:
		s = fmt.Sprintf("one-way: %s unheard by the others (they are heard) for %v", strings.Join(nodes, ", "), f.delays[0])
	case flapping:
		s = fmt.Sprintf("flapping partition %s | the others, %d cuts and heals over %v",
			strings.Join(nodes, ", "), len(f.delays), sum(f.delays))
	case degraded:
		where := "the links of " + nodes[0]
		if f.allLinks {
			where = "every link"
		}
		s = fmt.Sprintf("%s on %s for %v", f.rule, where, f.delays[0])
	}
	if f.kind != operator && f.action != nil {
		s += ", racing operator: " + f.action.String()
	}
	return s
}

func (a *operatorAction) String() string {
	s := fmt.Sprintf("%s on node %d (choice %d)", a.method, a.node+1, a.choice)
	if a.method == "supvisors.conciliate" {
		s = fmt.Sprintf("%s(%s) on node %d", a.method, a.strategy, a.node+1)
	}
	return s
}

func sum(ds []time.Duration) time.Duration {
	var total time.Duration
	for _, d := range ds {
		total += d
	}
	return total
}
