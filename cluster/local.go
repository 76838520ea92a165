package cluster

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/process"
)

// localEvent queues a change of a local process for feedLocal: the
// goroutine that changed it (the one that spawns every autostart process
// at start-up, one at a time) goes on without waiting for the view's lock,
// and a burst of changes costs one update of the view, not one each. The
// record is read now, so the changes of a process reach the view in
// order.
func (c *Cluster) localEvent(e process.Event) {
	c.locals.push(recordOf(e.Process.Info(), e.Kind == process.Removed))
}

// feedLocal applies the queued local changes to the view, as many as have
// come at once in one update, until Shutdown.
func (c *Cluster) feedLocal() {
	defer c.wg.Done()
	// Taken under the lock: Ready, taking what is queued first, must not
	// find a batch taken and not yet applied.
	onSignal(c.done, c.locals.queued, func() {
		c.update(func(time.Time) view.Effects {
			c.publishLocked(c.locals.take())
			return view.Effects{}
		})
	})
}

// outgoing is a local change waiting in the outbox.
type outgoing struct {
	update view.Update
	// undeclared: the change declares the process (its first record):
	// the others would refuse it relayed (view.ApplyRelayed), so it is
	// not gossiped.
	undeclared bool
}

// publishLocked records recs in the view, in order, and puts the changes
// in the outbox, which feedMembers sends every member. Whoever applies
// the queued local changes takes them under the lock, so that a batch
// taken earlier never lands after a later one.
func (c *Cluster) publishLocked(recs []view.ProcessRecord) {
	changed := false
	for _, rec := range recs {
		undeclared := !c.view.Declared(rec.Key())
		if upd, ok := c.view.SetLocal(rec); ok {
			prev := c.outbox[rec.Key()]
			c.outbox[rec.Key()] = outgoing{update: upd, undeclared: undeclared || prev.undeclared}
			changed = true
		}
	}
	if changed && c.ring != nil {
		notify(c.outDirty)
	}
}

// notify signals a coalescing channel (capacity 1).
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// onSignal calls f each time signal (a coalescing channel, see notify) is
// signalled, until done is closed.
func onSignal(done <-chan struct{}, signal <-chan struct{}, f func()) {
	for {
		select {
		case <-done:
			return
		case <-signal:
			f()
		}
	}
}

// feedMembers sends the local changes to every member as they come, until
// Shutdown: what changes while a round is sent goes with the next, so a
// burst (1,000 processes starting) takes a few messages of many records,
// not a message per record.
func (c *Cluster) feedMembers() {
	defer c.wg.Done()
	onSignal(c.done, c.outDirty, c.sendRound)
}

// sendRound sends the outbox to every alive member over the channel (the
// master follows its jobs by these, and every view shows a change at
// once), in messages of at most maxBatch records; a small round is also
// gossiped (within ownGossip), so that members this node cannot reach hear
// of it through others. A member that missed a round gets the full state with the next
// one: a later round alone would hide the gap from view.MissedNews.
func (c *Cluster) sendRound() {
	c.mu.Lock()
	round := make([]outgoing, 0, len(c.outbox))
	for _, o := range c.outbox {
		round = append(round, o)
	}
	clear(c.outbox)
	c.mu.Unlock()
	if len(round) == 0 {
		return
	}
	slices.SortFunc(round, func(a, b outgoing) int { return cmp.Compare(a.update.Record.Seq, b.update.Record.Seq) })
	gossiped := len(round) <= gossipRound && c.ownGossip.take(len(round), time.Now())
	us := make([]view.Update, len(round))
	for i, o := range round {
		us[i] = o.update
		if gossiped && !o.undeclared {
			c.ring.Broadcast(c.local+"/"+o.update.Record.Key().Namespec(), encodeUpdate(o.update))
		}
	}
	var msgs [][]byte
	for chunk := range slices.Chunk(us, maxBatch) {
		msgs = append(msgs, encodeUpdates(chunk))
	}
	var full []byte
	var mu sync.Mutex
	var missed []string
	var wg sync.WaitGroup
	for _, m := range c.peers() {
		send := msgs
		if c.behind[m] {
			if full == nil {
				full = c.stateMessage((*view.View).LocalState)
			}
			send = [][]byte{full}
		}
		wg.Go(func() {
			for _, msg := range send {
				if err := c.ring.SendReliable(m, msg); err != nil {
					c.log.Debug("send", "to", m, "error", err)
					mu.Lock()
					missed = append(missed, m)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	clear(c.behind)
	for _, m := range missed {
		c.behind[m] = true
	}
}

// recordOf is what the cluster says of a local process.
func recordOf(info process.Info, removed bool) view.ProcessRecord {
	return view.ProcessRecord{
		Group:      info.Group,
		Name:       info.Name,
		State:      info.State,
		Start:      info.Start,
		Stop:       info.Stop,
		Changed:    info.LastEvent,
		PID:        info.PID,
		SpawnErr:   info.SpawnErr,
		ExitStatus: info.ExitStatus,
		Expected:   info.Expected,
		Removed:    removed,
		Disabled:   info.Disabled,
	}
}
