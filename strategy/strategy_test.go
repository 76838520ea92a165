package strategy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/supvisors/supvisors-go/enums"
)

func TestPlace(t *testing.T) {
	c := func(addr string, eligible bool, load int) Candidate {
		return Candidate{Address: addr, Host: addr, Eligible: eligible, Load: load, HostLoad: load}
	}
	cands := []Candidate{c("a", true, 50), c("b", true, 10), c("c", false, 0), c("d", true, 80), c("e", true, 10)}
	tests := []struct {
		s       enums.StartingStrategy
		cands   []Candidate
		loading int
		local   string
		want    string
	}{
		{enums.StartConfig, cands, 1, "b", "a"},
		{enums.StartConfig, cands, 50, "b", "b"},     // a would reach 100
		{enums.StartConfig, cands, 49, "b", "a"},     // 50+49 < 100
		{enums.StartLessLoaded, cands, 1, "a", "b"},  // b and e tie: the earlier
		{enums.StartMostLoaded, cands, 1, "a", "d"},  // c is not eligible
		{enums.StartMostLoaded, cands, 20, "a", "a"}, // d would reach 100
		{enums.StartLocal, cands, 1, "e", "e"},       //
		{enums.StartLocal, cands, 1, "c", ""},        // local not eligible
		{enums.StartLocal, cands, 95, "a", ""},       // local full
		{enums.StartConfig, cands, 100, "a", ""},     // nothing takes 100
		{enums.StartLessLoaded, nil, 1, "a", ""},     // no candidates
		{enums.StartConfig, []Candidate{c("x", true, 0)}, 0, "", "x"},
		{enums.StartMostLoaded, []Candidate{c("x", true, 99), c("y", true, 98)}, 0, "", "x"},
		{enums.StartMostLoaded, []Candidate{c("x", true, 99), c("y", true, 98)}, 1, "", "y"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%d/%s", tt.s, tt.loading, tt.local), func(t *testing.T) {
			got, ok := Place(Placement{tt.s, tt.local}, tt.cands, tt.loading)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Place = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

// TestPlaceOnHosts: the *_NODE strategies weigh the load of the host, and
// among its addresses the load of each.
func TestPlaceOnHosts(t *testing.T) {
	// Host m1 has a (30) and b (0): 30; m2 has c (20) and d (not a
	// candidate here, 50): 70; m3 has e alone (40).
	cands := []Candidate{
		{Address: "a", Host: "m1", Eligible: true, Load: 30, HostLoad: 30},
		{Address: "b", Host: "m1", Eligible: true, Load: 0, HostLoad: 30},
		{Address: "c", Host: "m2", Eligible: true, Load: 20, HostLoad: 70},
		{Address: "e", Host: "m3", Eligible: true, Load: 40, HostLoad: 40},
	}
	tests := []struct {
		s       enums.StartingStrategy
		loading int
		want    string
	}{
		{enums.StartLessLoadedNode, 10, "b"}, // m1, then its less loaded address
		{enums.StartLessLoaded, 10, "b"},     //
		{enums.StartMostLoadedNode, 10, "c"}, // m2 (d counts), though c is not the most loaded address
		{enums.StartMostLoaded, 10, "e"},     //
		{enums.StartMostLoadedNode, 80, "b"}, // only b fits (0+80 < 100)
		{enums.StartLessLoadedNode, 100, ""}, // nothing fits
	}
	for _, tt := range tests {
		got, ok := Place(Placement{Strategy: tt.s}, cands, tt.loading)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("%v/%d: Place = %q, %v; want %q", tt.s, tt.loading, got, ok, tt.want)
		}
	}
	// Ties between hosts go to the earlier; within the host, the load of
	// each address decides.
	tie := []Candidate{
		{Address: "x", Host: "h1", Eligible: true, Load: 5, HostLoad: 10},
		{Address: "y", Host: "h2", Eligible: true, Load: 1, HostLoad: 10},
		{Address: "z", Host: "h1", Eligible: true, Load: 5, HostLoad: 10},
	}
	if got, _ := Place(Placement{Strategy: enums.StartLessLoadedNode}, tie, 1); got != "y" {
		t.Errorf("tie: %q, want y (same host load, less loaded address)", got)
	}
	if got, _ := Place(Placement{Strategy: enums.StartMostLoadedNode}, tie, 1); got != "x" {
		t.Errorf("tie: %q, want x (same host load, most loaded address, earlier)", got)
	}
}

// TestPlan: each placement weighs on the next ones, on its address and
// its host; a passing (wait_exit) process frees its loading after its
// phase.
func TestPlan(t *testing.T) {
	cands := []Candidate{
		{Address: "a", Host: "m1", Eligible: true},
		{Address: "b", Host: "m1", Eligible: true},
		{Address: "c", Host: "m2", Eligible: true},
	}
	want := func(loading int, passing bool) Want {
		return Want{Loading: loading, Candidates: cands, Passing: passing}
	}
	got := Plan(Placement{Strategy: enums.StartLessLoaded}, [][]Want{
		{want(30, false), want(20, false), want(10, true)},
		{want(60, false), want(50, false)},
	})
	// a=30, b=20, c=10 (passing: c is back to 0 after the phase); then
	// c=60, and 50 fits on b only (20+50 < 100, a: 30+50 < 100 too but b
	// is less loaded).
	if exp := [][]string{{"a", "b", "c"}, {"c", "b"}}; !equal(got, exp) {
		t.Errorf("LESS_LOADED: %v, want %v", got, exp)
	}
	got = Plan(Placement{Strategy: enums.StartLessLoadedNode}, [][]Want{{want(10, false), want(10, false), want(10, false), want(90, false)}})
	// m1 and m2 empty: a (m1); then m2 (0 < 10): c; then m1 and m2 tie
	// at 10: b, the less loaded address of m1; 90 then fits nowhere
	// (every address is at 10).
	if exp := [][]string{{"a", "c", "b", ""}}; !equal(got, exp) {
		t.Errorf("LESS_LOADED_NODE: %v, want %v", got, exp)
	}
	if got := Plan(Placement{Strategy: enums.StartConfig}, nil); len(got) != 0 {
		t.Errorf("no phase: %v", got)
	}
}

// TestPlanMatchesPhaseByPhaseStarts is the dry run's property over random
// clusters: placing every phase at once (the dry run) gives what the
// start does, which places each phase when the previous one runs, over
// loads that then count the processes started before (the view's), as
// long as nothing else changes.
func TestPlanMatchesPhaseByPhaseStarts(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 6))
	for round := range 2000 {
		nAddr := 1 + rng.IntN(6)
		type addr struct {
			name, host string
			eligible   bool
			load       int
		}
		addrs := make([]addr, nAddr)
		for i := range addrs {
			addrs[i] = addr{fmt.Sprintf("10.0.0.%d", i+1), fmt.Sprintf("m%d", rng.IntN(3)), rng.IntN(5) > 0, rng.IntN(60)}
		}
		// The loads of the world: running processes, by address.
		world := map[string]int{}
		for _, a := range addrs {
			world[a.name] = a.load
		}
		// Each process allows some of the addresses, in its own order.
		type proc struct {
			loading int
			allowed []int
			passing bool
		}
		var phases [][]proc
		for range 1 + rng.IntN(4) {
			phase := make([]proc, rng.IntN(6))
			for i := range phase {
				phase[i] = proc{loading: rng.IntN(40), allowed: rng.Perm(nAddr)[:1+rng.IntN(nAddr)], passing: rng.IntN(4) == 0}
			}
			phases = append(phases, phase)
		}
		wantsOf := func(phase []proc) []Want {
			hostLoads := map[string]int{}
			for _, a := range addrs {
				hostLoads[a.host] += world[a.name]
			}
			wants := make([]Want, len(phase))
			for i, p := range phase {
				wants[i] = Want{Loading: p.loading, Passing: p.passing}
				for _, j := range p.allowed {
					a := addrs[j]
					wants[i].Candidates = append(wants[i].Candidates, Candidate{Address: a.name, Host: a.host, Eligible: a.eligible, Load: world[a.name], HostLoad: hostLoads[a.host]})
				}
			}
			return wants
		}
		p := Placement{Strategy: enums.StartingStrategy(rng.IntN(6)), Local: addrs[rng.IntN(nAddr)].name}
		all := make([][]Want, len(phases))
		for i, phase := range phases {
			all[i] = wantsOf(phase)
		}
		dry := Plan(p, all)
		for i, phase := range phases {
			got := Plan(p, [][]Want{wantsOf(phase)})[0]
			if !slices.Equal(got, dry[i]) {
				t.Fatalf("round %d, %v, phase %d: the start places %v, the dry run said %v", round, p.Strategy, i, got, dry[i])
			}
			// The phase is over: what it started runs, but what passes.
			for j, address := range got {
				if address != "" && !phase[j].passing {
					world[address] += phase[j].loading
				}
			}
		}
	}
}

func TestPhases(t *testing.T) {
	type item struct {
		name string
		seq  int
	}
	items := []item{{"a", 2}, {"b", 0}, {"c", 1}, {"d", 2}, {"e", 0}, {"f", 1}}
	names := func(phases [][]item) [][]string {
		var out [][]string
		for _, p := range phases {
			var ns []string
			for _, x := range p {
				ns = append(ns, x.name)
			}
			out = append(out, ns)
		}
		return out
	}
	seq := func(x item) int { return x.seq }
	if got, want := names(Phases(items, seq, true)), [][]string{{"c", "f"}, {"a", "d"}}; !equal(got, want) {
		t.Errorf("skipping 0: %v, want %v", got, want)
	}
	if got, want := names(Phases(items, seq, false)), [][]string{{"b", "e"}, {"c", "f"}, {"a", "d"}}; !equal(got, want) {
		t.Errorf("with 0: %v, want %v", got, want)
	}
	if got := Phases([]item{{"z", 0}}, seq, true); got != nil {
		t.Errorf("only zeros: %v", got)
	}
}

func equal(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}
