package strategy

import (
	"fmt"
	"slices"
	"testing"

	"github.com/supvisors/supvisors-go/enums"
)

func TestPlace(t *testing.T) {
	c := func(addr string, eligible bool, load int) Candidate { return Candidate{addr, eligible, load} }
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
