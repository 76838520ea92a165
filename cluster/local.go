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
// (a burst of changes), the full state goes to every member instead.
func (c *Cluster) publish(rec view.ProcessRecord) {
	var upd view.Update
	var changed bool
	c.update(func(time.Time) view.Effects {
		upd, changed = c.view.SetLocal(rec)
		return view.Effects{}
	})
	if !changed || c.ring == nil {
		return
	}
	c.ring.Broadcast(rec.Key().Namespec(), encodeUpdate(upd))
	if c.ring.QueueLen() > burstQueue {
		select {
		case c.pushDirty <- struct{}{}:
		default:
		}
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
	}
}
