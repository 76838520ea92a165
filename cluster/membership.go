package cluster

import (
	"sync"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
)

// memberNews is what the ring said of a member: alive (joined, back, or
// with another meta), or dead.
type memberNews struct {
	name  string
	meta  view.Meta
	alive bool
}

// membershipQueue holds the ring's news of members in the order it came,
// for feedMembership: memberlist tells them from the goroutine that
// handles its gossip, which must not wait for the view's lock (the alive
// messages that refute suspicions wait behind it, and are dropped when
// too many do), and a storm of them (a cluster starting, a flapping
// member) is applied in batches, one update each. Safe for concurrent use.
type membershipQueue struct {
	mu     sync.Mutex
	news   []memberNews
	queued chan struct{} // signalled when news is pushed
}

func newMembershipQueue() membershipQueue {
	return membershipQueue{queued: make(chan struct{}, 1)}
}

// push queues n. Nothing is dropped: each is a change of a member's state.
func (q *membershipQueue) push(n memberNews) {
	q.mu.Lock()
	q.news = append(q.news, n)
	q.mu.Unlock()
	notify(q.queued)
}

// take returns the queued news, in order, and empties the queue.
func (q *membershipQueue) take() []memberNews {
	q.mu.Lock()
	defer q.mu.Unlock()
	news := q.news
	q.news = nil
	return news
}

// feedMembership applies the ring's news of members to the view, as many
// as have come at once in one update, until Shutdown.
func (c *Cluster) feedMembership() {
	defer c.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case <-c.membership.queued:
		}
		news := c.membership.take()
		if len(news) == 0 {
			continue
		}
		c.update(func(now time.Time) view.Effects {
			var eff view.Effects
			for _, n := range news {
				if n.alive {
					eff.Merge(c.view.MemberAlive(n.name, n.meta, now))
				} else {
					eff.Merge(c.view.MemberDead(n.name, now))
				}
			}
			return eff
		})
	}
}
