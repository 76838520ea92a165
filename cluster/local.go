package cluster

import (
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/process"
)

// localEvent publishes a change of a local process to the cluster.
func (c *Cluster) localEvent(e process.Event) {
	c.publish(recordOf(e.Process.Info(), e.Kind == process.Removed))
}

// publish records rec in the view and gossips it; when broadcasts pile up
// (a burst of changes), the full state goes to every member instead, as it
// does for a new process (the others take relayed news only of the
// processes a node declared itself).
func (c *Cluster) publish(rec view.ProcessRecord) {
	var upd view.Update
	var changed, toMaster, declared bool
	c.update(func(time.Time) view.Effects {
		declared = c.view.Declared(rec.Key())
		upd, changed = c.view.SetLocal(rec)
		// The master follows its jobs by these: they go to it at once, not
		// a gossip round later.
		if master := c.view.Master(); changed && master != "" && master != c.local {
			c.toMaster[rec.Key()] = upd
			toMaster = true
		}
		return view.Effects{}
	})
	if !changed || c.ring == nil {
		return
	}
	if toMaster {
		notify(c.masterDirty)
	}
	c.ring.Broadcast(c.local+"/"+rec.Key().Namespec(), encodeUpdate(upd))
	if !declared || c.ring.QueueLen() > burstQueue {
		notify(c.pushDirty)
	}
}

// notify signals a coalescing channel (capacity 1).
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// feedMaster sends the master the local updates as they come, until
// Shutdown.
func (c *Cluster) feedMaster() {
	defer c.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case <-c.masterDirty:
			c.sendToMaster()
		}
	}
}

// sendToMaster sends the master the local updates it has not had.
func (c *Cluster) sendToMaster() {
	c.mu.Lock()
	master := c.view.Master()
	us := make([]view.Update, 0, len(c.toMaster))
	for _, u := range c.toMaster {
		us = append(us, u)
	}
	clear(c.toMaster)
	c.mu.Unlock()
	if len(us) > 0 && master != "" && master != c.local {
		c.send(master, encodeUpdates(us))
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
