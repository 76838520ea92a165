package view

import "time"

// situation is what the Supvisors state machine looks at: a snapshot of
// the view at one instant.
type situation struct {
	state  State
	master string
	local  string
	now    time.Time
	// synchronised: INITIALIZATION already gave up on (or heard from)
	// every address once; synchroDeadline is when it gives up.
	synchronised    bool
	synchroDeadline time.Time
	// pending: an address is UNKNOWN or CHECKING.
	pending bool
	// stableAt is when the set of RUNNING addresses will have been
	// unchanged for the stable window.
	stableAt time.Time
	// firstRunning is the first RUNNING address in address_list order,
	// and firstRunningState the state it advertises of itself.
	firstRunning      string
	firstRunningState State
	masterRunning     bool
	// masterState is the state the master advertises of itself.
	masterState State
	conflicts   bool
}

// decision is what the state machine decides.
type decision struct {
	state  State
	master string
	// endSynchro: addresses still UNKNOWN are given up on (SILENT).
	endSynchro bool
	// wakeup is when the decision may change with time alone.
	wakeup time.Time
}

// decide runs the state machine from s until it settles: INITIALIZATION →
// DEPLOYMENT once every address answered (or synchro_timeout passed) and
// the view is stable, electing the first RUNNING address; DEPLOYMENT →
// OPERATION (or CONCILIATION while conflicts exist) once the master is
// done deploying; back to INITIALIZATION when the master is lost. A
// better master (earlier in address_list) is adopted once the view is
// stable.
func decide(s situation) decision {
	d := decision{state: s.state, master: s.master}
	for range 4 { // each pass moves at most one state forward
		before := d.state
		switch d.state {
		case Initialization:
			ready := s.synchronised || !s.pending || !s.now.Before(s.synchroDeadline)
			switch {
			case !ready:
				d.wakeup = earliest(d.wakeup, s.synchroDeadline)
			case s.now.Before(s.stableAt):
				d.wakeup = earliest(d.wakeup, s.stableAt)
			default:
				d.endSynchro = !s.synchronised
				d.state, d.master = Deployment, s.firstRunning
				s.masterRunning, s.masterState = true, s.firstRunningState
			}
		case Deployment:
			switch {
			case !s.masterRunning:
				d.state, d.master = Initialization, ""
			case d.master == s.local || s.masterState == Operation || s.masterState == Conciliation:
				d.state = settled(s.conflicts)
			}
		case Operation, Conciliation:
			switch {
			case !s.masterRunning:
				d.state, d.master = Initialization, ""
			case s.firstRunning != d.master && s.now.Before(s.stableAt):
				d.wakeup = earliest(d.wakeup, s.stableAt)
				d.state = settled(s.conflicts)
			case s.firstRunning != d.master:
				d.master = s.firstRunning
				d.state = settled(s.conflicts)
			default:
				d.state = settled(s.conflicts)
			}
		}
		if d.state == before {
			break
		}
	}
	return d
}

func settled(conflicts bool) State {
	if conflicts {
		return Conciliation
	}
	return Operation
}

// situation takes the snapshot decide looks at.
func (v *View) situation(now time.Time) situation {
	s := situation{
		state: v.state, master: v.master, local: v.cfg.Local, now: now,
		synchronised: v.synchronised, synchroDeadline: v.started.Add(v.cfg.SynchroTimeout),
		stableAt: v.lastChange.Add(v.cfg.StableWindow), conflicts: v.HasConflicts(),
	}
	for _, a := range v.addresses {
		switch a.state {
		case AddressUnknown, AddressChecking:
			s.pending = true
		case AddressRunning:
			if s.firstRunning == "" {
				s.firstRunning, s.firstRunningState = a.name, advertised(a, a.name)
			}
		}
	}
	if m := v.byName[v.master]; m != nil && m.state == AddressRunning {
		s.masterRunning = true
		s.masterState = advertised(m, v.master)
		if m == v.local {
			s.masterState = v.state
		}
	}
	return s
}

// advertised is the state a advertises as master, INITIALIZATION when its
// meta names another master (an advertisement from before it was elected).
func advertised(a *address, master string) State {
	if a.meta.Master != master {
		return Initialization
	}
	return a.meta.State
}

// Tick re-evaluates what time alone changes: state requests to repeat for
// addresses still CHECKING, and the state machine. Call it after every
// other call that changes the view, and at the Wakeup it returns.
func (v *View) Tick(now time.Time) Effects {
	var eff Effects
	for _, a := range v.addresses {
		if a.state != AddressChecking {
			continue
		}
		if due := a.requested.Add(v.cfg.CheckRetry); now.Before(due) {
			eff.Wakeup = earliest(eff.Wakeup, due)
		} else {
			eff.Merge(v.request(a, now))
		}
	}
	d := decide(v.situation(now))
	if d.endSynchro {
		v.synchronised = true
		for _, a := range v.addresses {
			if a.state == AddressUnknown {
				v.setState(a, AddressSilent, now)
			}
		}
	}
	if d.state != v.state || d.master != v.master {
		eff.MetaChanged = true
		v.state, v.master = d.state, d.master
	}
	eff.Wakeup = earliest(eff.Wakeup, d.wakeup)
	return eff
}
