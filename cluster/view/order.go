package view

import (
	"fmt"
	"maps"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// Order is restart() or shutdown() as the master decided it: every agent
// it names, in the incarnation it names, must restart (Restart) or exit.
// Naming incarnations makes the order exact whenever it arrives: an agent
// frozen or cut off while it was given finishes the job when it comes
// back, and an agent that restarted since (a new incarnation) ignores it.
// An Order is not modified once made: safe for concurrent reads.
type Order struct {
	Restart bool
	Targets map[string]uint64
}

// Names tells whether the order names the agent of address in incarnation.
func (o *Order) Names(address string, incarnation uint64) bool {
	return o != nil && incarnation != 0 && o.Targets[address] == incarnation
}

// RequestStop asks the cluster to restart (RESTARTING) or shut down
// (SHUTTING_DOWN): the local node must be the master, past
// INITIALIZATION. The order names every address heard of but those fenced,
// in their current incarnation. The state changes at the next Tick.
func (v *View) RequestStop(restart bool) error {
	switch {
	case v.master != v.cfg.Local:
		return fmt.Errorf("%s is not the master (%q is)", v.cfg.Local, v.master)
	case v.state != enums.SupvisorsDeployment && v.state != enums.SupvisorsOperation && v.state != enums.SupvisorsConciliation:
		return fmt.Errorf("supvisors is in state %v", v.state)
	}
	v.stopRequest = enums.SupvisorsShuttingDown
	if restart {
		v.stopRequest = enums.SupvisorsRestarting
	}
	o := &Order{Restart: restart, Targets: map[string]uint64{}}
	for _, a := range v.addresses {
		if inc := a.records.incarnation; inc != 0 && !a.fenced {
			o.Targets[a.name] = inc
		}
	}
	v.order = o
	return nil
}

// Order returns the restart or shutdown order this agent carries out, nil
// without one. The caller must not modify it.
func (v *View) Order() *Order { return v.order }

// Ordered handles an order of the master: an order that names this agent
// stops it (once); any other is ignored.
func (v *View) Ordered(o Order) Effects {
	if !o.Names(v.cfg.Local, v.incarnation) || v.agentStopping {
		return Effects{}
	}
	o.Targets = maps.Clone(o.Targets)
	v.order = &o
	return v.stopAgent(o.Restart)
}

// stopAgent is the effect that stops the local agent, at most once.
func (v *View) stopAgent(restart bool) Effects {
	if v.agentStopping {
		return Effects{}
	}
	v.agentStopping = true
	return Effects{StopAgent: true, Restart: restart}
}

// staleAgent tells whether the agent of a in incarnation is one the
// carried restart order names: it was to restart and has not yet.
func (v *View) staleAgent(a *address, incarnation uint64) bool {
	return v.cfg.Carried.Names(a.name, incarnation)
}

// resendOrders repeats the carried order to the stale agents still alive,
// every CheckRetry.
func (v *View) resendOrders(now time.Time) Effects {
	var eff Effects
	for _, a := range v.addresses {
		if !a.staleAlive {
			continue
		}
		if due := a.requested.Add(v.cfg.CheckRetry); now.Before(due) {
			eff.Wakeup = earliest(eff.Wakeup, due)
		} else {
			a.requested = now
			eff.SendOrder = append(eff.SendOrder, a.name)
			eff.Wakeup = earliest(eff.Wakeup, now.Add(v.cfg.CheckRetry))
		}
	}
	return eff
}
