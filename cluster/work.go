package cluster

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/strategy"
)

// The master's jobs (view.Job) are written here, carried out here, and
// sent to every member, so that the next master carries them on.

// putJobs records jobs written by the local node in the view and sends
// them to every member; the next state machine run plans them.
func (c *Cluster) putJobs(js ...view.Job) {
	if len(js) == 0 {
		return
	}
	var written []view.Job
	c.update(func(time.Time) view.Effects {
		for _, j := range js {
			written = append(written, c.view.PutJob(j))
		}
		return view.Effects{}
	})
	c.sendJobs(written)
}

// sendJobs sends jobs to every other alive member, in the background:
// it may be called from memberlist's callbacks, under memberlist's locks.
func (c *Cluster) sendJobs(js []view.Job) {
	if c.ring == nil || len(js) == 0 {
		return
	}
	msg := encodeJobs(js)
	c.spawn(func(context.Context) { c.sendToPeers(msg) })
}

// planJobsLocked marks done the jobs the view says are over, and takes in
// hand those to carry out now: the stops, and the starts that an address
// takes (one that failed a start a moment ago is kept away from). It
// returns the jobs to run, those written (with those written again over
// another master's: view.ApplyJob), and when to plan again (an address
// kept away from becomes eligible).
func (c *Cluster) planJobsLocked(now time.Time) (run, written []view.Job, wakeup time.Time) {
	plan := c.view.PlanJobs()
	written = c.view.Reasserted()
	for _, j := range plan.Over {
		// What is under way settles it: a start in flight (a copy
		// STARTING may yet fail), an application being started or
		// stopped (its starts are not all written yet).
		if c.appBusyLocked(j.Key.Group) || j.IsStart() && c.jobs.starting[j.Key] > 0 {
			continue
		}
		j.Done = true
		written = append(written, c.view.PutJob(j))
	}
	for _, j := range plan.Run {
		if c.jobs.inHand[idOf(j)] || c.jobs.busy[j.Key] > 0 || c.appBusyLocked(j.Key.Group) {
			continue
		}
		if j.IsStart() {
			if c.planLocked(c.defaultPlacement(), [][]view.Key{{j.Key}}, now)[0][0] == "" {
				for _, until := range c.jobs.avoid[j.Key] {
					if until.After(now) {
						wakeup = earliestTime(wakeup, until)
					}
				}
				continue
			}
		} else if until := c.jobs.avoid[j.Key][j.Address]; until.After(now) {
			wakeup = earliestTime(wakeup, until)
			continue
		}
		c.jobs.inHand[idOf(j)] = true
		run = append(run, j)
	}
	return run, written, wakeup
}

// jobID identifies a job whatever its version: one start per process, one
// stop per process and address.
type jobID struct {
	key     view.Key
	address string
}

func idOf(j view.Job) jobID { return jobID{j.Key, j.Address} }

// earliestTime is the earlier of two deadlines, zero meaning none.
func earliestTime(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// runJobs carries out jobs, each in its own goroutine.
func (c *Cluster) runJobs(js []view.Job) {
	for _, j := range js {
		if !c.spawn(func(ctx context.Context) { c.runJob(ctx, j) }) {
			return
		}
	}
}

func (c *Cluster) runJob(ctx context.Context, j view.Job) {
	defer func() {
		c.mu.Lock()
		delete(c.jobs.inHand, idOf(j))
		c.mu.Unlock()
		// Plan again: what this job was holding back may go on.
		c.update(func(time.Time) view.Effects { return view.Effects{} })
	}()
	if j.IsStart() {
		c.log.Info("carrying on a start", "process", j.Key.Namespec(), "reason", j.Reason)
		c.afterStart(ctx, j, c.startProcess(ctx, c.defaultPlacement(), j.Key, ""))
		return
	}
	c.log.Info("stopping a copy left running where it could not be reached", "process", j.Key.Namespec(), "address", j.Address)
	if err := c.stopCopies(ctx, j.Key, []string{j.Address}, j.Replace); err != nil && ctx.Err() == nil {
		c.log.Error("stop of a copy left running", "process", j.Key.Namespec(), "address", j.Address, "error", err)
	}
}

// afterStart records what the start of job j came to (err), and tells
// whether its application's start may go on past it: the job is over once
// the process runs, waits while no address can take it, and is given up
// when the process fails by itself (the application's starting failure
// strategy then applies) or no address may ever take it. An attempt cut
// short by the agent stopping leaves the job to the next master; one whose
// job was dropped meanwhile (an operator stopped the process) writes
// nothing.
func (c *Cluster) afterStart(ctx context.Context, j view.Job, err error) (proceed bool) {
	if ctx.Err() != nil {
		return false
	}
	k := j.Key
	var current bool
	c.Read(func(v *view.View) { _, current = v.Waiting(k) })
	if !current {
		// Dropped meanwhile (an operator stopped it, or its application):
		// what the attempt came to is not the job's any more.
		return true
	}
	rules := c.cfg.Rules.Program(k.Group, k.Name)
	next := strategy.AfterStart(outcomeOf(err), len(c.RuleAddresses(k)) > 0 && rules.Loading < 100)
	switch next {
	case strategy.JobDone:
		j.Done = true
		c.putJobsActing(j)
		return true
	case strategy.JobWait:
		if reason := err.Error(); reason != j.Reason {
			c.log.Warn("waiting for an address to start it", "process", k.Namespec(), "reason", reason)
			j.Reason = reason
			c.putJobsActing(j)
		}
		return !rules.Required
	}
	c.log.Error("start given up", "process", k.Namespec(), "error", err)
	j.Done, j.Reason = true, err.Error()
	c.putJobsActing(j)
	if !j.Application || !rules.Required {
		return true
	}
	app := c.cfg.Rules.Application(k.Group)
	switch strategy.AfterPhase(app.StartingFailure, 1) {
	case strategy.NextPhase:
		return true
	case strategy.StopAndAbort:
		c.log.Error("starting failure: the application stops", "application", k.Group, "strategy", app.StartingFailure)
		c.dropStarts(func(o view.Job) bool { return o.Key.Group == k.Group })
		c.spawn(func(ctx context.Context) {
			if err := c.stopApplication(ctx, k.Group, forGood); err != nil {
				c.log.Error("starting failure: stop application", "application", k.Group, "error", err)
			}
		})
	default:
		c.log.Error("starting failure: the rest of the application is not started", "application", k.Group, "strategy", app.StartingFailure)
		c.dropStarts(func(o view.Job) bool { return o.Key.Group == k.Group && o.Application })
	}
	return false
}

// putJobsActing writes jobs only while this node acts for the cluster: a
// node that lost the mastership meanwhile leaves them to the new master.
func (c *Cluster) putJobsActing(js ...view.Job) {
	c.mu.Lock()
	acting := c.view.Acting() || c.view.Master() == c.local && c.view.State() == enums.SupvisorsDeployment
	c.mu.Unlock()
	if acting {
		c.putJobs(js...)
	}
}

// dropStarts marks done the waiting starts that match.
func (c *Cluster) dropStarts(match func(view.Job) bool) {
	var drop []view.Job
	c.Read(func(v *view.View) {
		for _, j := range v.WaitingStarts() {
			if match(j) {
				j.Done = true
				drop = append(drop, j)
			}
		}
	})
	c.putJobs(drop...)
}

// startJobs holds a start of each process of keys as a job, with reason;
// not of those an operator stopped (see view.Job.Held).
func (c *Cluster) startJobs(keys []view.Key, application bool, reason string) {
	var js []view.Job
	c.Read(func(v *view.View) {
		for _, k := range keys {
			if !v.Held(k) {
				js = append(js, view.Job{Key: k, Application: application, Reason: reason})
			}
		}
	})
	c.putJobs(js...)
}

// holdStopped records that an operator stopped the processes of keys
// (held), or started them (not held): the cluster does not start a held
// process by itself. Only what changes is written.
func (c *Cluster) holdStopped(keys []view.Key, held bool) {
	var js []view.Job
	c.Read(func(v *view.View) {
		for _, k := range keys {
			if v.Held(k) != held {
				js = append(js, view.Job{Key: k, Done: true, Held: held, Reason: "stopped by an operator"})
			}
		}
	})
	c.putJobs(js...)
}

// keysOf lists the processes of app.
func (c *Cluster) keysOf(app string) []view.Key {
	var keys []view.Key
	c.Read(func(v *view.View) { keys = v.KeysOf(app) })
	return keys
}

// deployApplication starts app by its start plan as the cluster's own
// work (deployment, RESTART_APPLICATION): every process to start is held as
// a job first, so that what cannot be done now (no address can take a
// process, the one chosen fails) is done as soon as it can, by this master
// or the next. A required process that waits holds the later phases back,
// and a node that is no longer the master leaves them to the new one.
func (c *Cluster) deployApplication(ctx context.Context, app, reason string) {
	defer c.busyApplication(app, true)()
	phases := c.startPhases(app)
	var keys []view.Key
	c.Read(func(v *view.View) {
		for _, phase := range phases {
			for _, k := range phase {
				// A copy held for stopping (left running where it could
				// not be reached) is not a running one: the stop would
				// leave the process running nowhere.
				if !v.Runs(k) && !v.Held(k) {
					keys = append(keys, k)
				}
			}
		}
	})
	c.startJobs(keys, true, reason)
	for _, phase := range phases {
		if c.checkMaster() != nil {
			return
		}
		proceed := true
		for _, err := range forEach(phase, func(k view.Key) error {
			var j view.Job
			var held, runs bool
			c.Read(func(v *view.View) { j, held = v.Waiting(k); runs = v.Runs(k) })
			if !held || !slices.Contains(keys, k) {
				return nil // running when the start began, or dropped since
			}
			if !runs {
				err := c.startProcess(ctx, c.defaultPlacement(), k, "")
				if !c.afterStart(ctx, j, err) {
					return errHeldBack
				}
			}
			return nil
		}) {
			if err != nil {
				proceed = false
			}
		}
		if !proceed || ctx.Err() != nil {
			return
		}
	}
}

// errHeldBack is a process of an application's start that holds the later
// phases back (a required one that waits, or a starting failure that ends
// the start).
var errHeldBack = errors.New("held back")

// stopJobs holds, as jobs, the stops of the copies of k that run on an
// address that cannot be reached now (lost, or being checked anew): they
// are stopped once it is back in the same incarnation (by this master
// only: see view.PlanJobs), with replace (see view.Job.Replace).
func (c *Cluster) stopJobs(k view.Key, replace bool) {
	var js []view.Job
	c.Read(func(v *view.View) {
		for _, name := range c.AddressList() {
			if rec, ok := v.Record(name, k); ok && v.AddressState(name) != enums.AddressRunning && rec.State.IsRunning() && name != c.local {
				js = append(js, view.Job{Key: k, Address: name, Incarnation: v.AddressIncarnation(name), Start: rec.Start, Replace: replace})
			}
		}
	})
	c.putJobs(js...)
}
