package cluster

import (
	"testing"
	"time"
)

// TestGossipBudget: gossipRound records a second, a round whole or not at
// all, a new window once the last is over (or the clock went back).
func TestGossipBudget(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	var b gossipBudget
	for _, step := range []struct {
		what string
		n    int
		at   time.Duration
		want bool
	}{
		{"one change", 1, 0, true},
		{"a round that fills the second", gossipRound - 1, 10 * time.Millisecond, true},
		{"one more in the same second", 1, 500 * time.Millisecond, false},
		{"a round in the next second", gossipRound / 2, gossipWindow + 10*time.Millisecond, true},
		{"a round past what is left of it", gossipRound/2 + 1, gossipWindow + 20*time.Millisecond, false},
		{"what is left of it", gossipRound / 2, gossipWindow + 30*time.Millisecond, true},
		{"the clock set back", gossipRound, -time.Minute, true},
	} {
		if got := b.take(step.n, t0.Add(step.at)); got != step.want {
			t.Errorf("%s: take(%d) = %v, want %v", step.what, step.n, got, step.want)
		}
	}
}
