package cluster

import (
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
)

// heartbeatQueue bounds the heartbeats waiting for the view: a few rounds
// of probes of a big ring.
const heartbeatQueue = 256

// heartbeat is a member's answer to a probe: its clock, and its progress
// (LocalProgress) when it said it.
type heartbeat struct {
	name          string
	remote, local time.Time
	incarnation   uint64
	seq           uint64
	progress      bool
}

// progress is the local node's LocalProgress, and its encoding for the
// answers to probes.
type progress struct {
	incarnation, seq uint64
	encoded          []byte
}

// storeProgress publishes the view's LocalProgress for AckState, when it
// changed (under mu).
func (c *Cluster) storeProgress() {
	inc, seq := c.view.LocalProgress()
	if p := c.progress.Load(); p == nil || p.incarnation != inc || p.seq != seq {
		c.progress.Store(&progress{incarnation: inc, seq: seq, encoded: encodeProgress(inc, seq)})
	}
}

// feedHeartbeats applies the queued heartbeats to the view, as many as
// have come at once under one lock, and asks members that changed records
// this node never heard of for their state (view.View.MissedNews), until
// Shutdown.
func (c *Cluster) feedHeartbeats() {
	defer c.wg.Done()
	c.beats.feed(c.done, func(batch []heartbeat) {
		var eff view.Effects
		c.Read(func(v *view.View) {
			for _, b := range batch {
				v.Heartbeat(b.name, b.remote, b.local)
				if b.progress {
					eff.Merge(v.MissedNews(b.name, b.incarnation, b.seq, b.local))
				}
			}
		})
		// No Wakeup: an answer that is lost is asked for again at a later
		// probe.
		c.carryOut(view.Effects{RequestState: eff.RequestState})
	})
}
