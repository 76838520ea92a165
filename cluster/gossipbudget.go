package cluster

import (
	"sync"
	"time"
)

// gossipBudget bounds the records of rounds a node gossips in a window of
// time: gossipRound a second. A burst of small rounds (processes spawned
// one after another, each round taking what changed since the last) is a
// burst all the same: like a big round, it goes to every member in rounds
// and is not gossiped. Gossiped, each small round went out 12 times from
// its node, and again from each member that passed it on: 10 agents
// spawning 1,000 processes each spent a fifth of their CPU on it. A member
// that missed a round not gossiped asks for the full state once a probe
// shows it behind (view.MissedNews). Safe for concurrent use.
type gossipBudget struct {
	mu     sync.Mutex
	window time.Time // when the current window began
	spent  int       // records gossiped in it
}

// gossipWindow is the window of a gossipBudget.
const gossipWindow = time.Second

// take reports whether n records may be gossiped at now, and counts them
// if so.
func (b *gossipBudget) take(n int, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.window) >= gossipWindow || now.Before(b.window) {
		b.window, b.spent = now, 0
	}
	if b.spent+n > gossipRound {
		return false
	}
	b.spent += n
	return true
}
