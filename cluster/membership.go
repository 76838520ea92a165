package cluster

import (
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

// feedMembership applies the ring's news of members to the view, as many
// as have come at once in one update, until Shutdown.
func (c *Cluster) feedMembership() {
	defer c.wg.Done()
	c.membership.feed(c.done, func(news []memberNews) {
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
	})
}
