// Package conciliation decides what to do about conflicts: processes that
// run on more than one address (after a partition heals, or started by
// hand twice). The strategies are pure functions from the conflicts to a
// plan the master carries out.
package conciliation

import (
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

// Copy is one running copy of a conflicting process: its address, and for
// how long it has run in its own node's clock (no clock synchronisation
// between nodes is assumed).
type Copy struct {
	Address string
	Uptime  time.Duration
}

// Conflict is a process with more than one running copy, in address_list
// order.
type Conflict struct {
	Key    view.Key
	Copies []Copy
}

// Target is one copy to stop; Replace says another copy is to run in its
// place (one kept, or one started again), so that a stop held until its
// address can be reached is given up if none does then (view.Job.Replace).
type Target struct {
	Key     view.Key
	Address string
	Replace bool
}

// Plan is what a strategy does about conflicts: stop the copies of Stop;
// once they are stopped, start each process of Restart again with the
// default starting strategy, and apply the running failure strategy of
// each process of RunningFailure.
type Plan struct {
	Stop           []Target
	Restart        []view.Key
	RunningFailure []view.Key
}

// Empty tells whether the plan does nothing.
func (p Plan) Empty() bool {
	return len(p.Stop) == 0 && len(p.Restart) == 0 && len(p.RunningFailure) == 0
}

// Resolve is the conciliation strategy s applied to conflicts: SENICIDE
// keeps the youngest copy (the shortest uptime) and INFANTICIDE the oldest,
// ties going to the earlier address in address_list; STOP stops every
// copy; RESTART stops every copy then starts one; RUNNING_FAILURE stops
// every copy then applies the process's running failure strategy; USER
// does nothing (an operator decides).
func Resolve(s enums.ConciliationStrategy, conflicts []Conflict) Plan {
	var p Plan
	for _, c := range conflicts {
		switch s {
		case enums.ConciliateSenicide, enums.ConciliateInfanticide:
			keep := 0
			for i, cp := range c.Copies {
				if s == enums.ConciliateSenicide && cp.Uptime < c.Copies[keep].Uptime ||
					s == enums.ConciliateInfanticide && cp.Uptime > c.Copies[keep].Uptime {
					keep = i
				}
			}
			for i, cp := range c.Copies {
				if i != keep {
					p.Stop = append(p.Stop, Target{c.Key, cp.Address, true})
				}
			}
		case enums.ConciliateStop, enums.ConciliateRestart, enums.ConciliateRunningFailure:
			for _, cp := range c.Copies {
				p.Stop = append(p.Stop, Target{c.Key, cp.Address, s == enums.ConciliateRestart})
			}
			switch s {
			case enums.ConciliateRestart:
				p.Restart = append(p.Restart, c.Key)
			case enums.ConciliateRunningFailure:
				p.RunningFailure = append(p.RunningFailure, c.Key)
			}
		}
	}
	return p
}
