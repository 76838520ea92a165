package view

import (
	"slices"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// situation is what the Supvisors state machine looks at: a snapshot of
// the view at one instant.
type situation struct {
	state  enums.SupvisorsState
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
	firstRunningState enums.SupvisorsState
	masterRunning     bool
	// masterState is the state the master advertises of itself.
	masterState enums.SupvisorsState
	conflicts   bool
	// deployed: the local node, master, is done deploying applications.
	deployed bool
	// stopRequest is RESTARTING or SHUTTING_DOWN once restart() or
	// shutdown() was asked of the local node (INITIALIZATION otherwise);
	// stopped: the applications are stopped since.
	stopRequest enums.SupvisorsState
	stopped     bool
	// quorum: enough addresses are RUNNING for the cluster to act.
	quorum bool
	// incarnation is the local agent's; deployment the deployment the
	// node belongs to, or else the one a RUNNING address advertises (0:
	// the cluster has not been deployed).
	incarnation, deployment uint64
}

// decision is what the state machine decides.
type decision struct {
	state  enums.SupvisorsState
	master string
	// endSynchro: addresses still UNKNOWN are given up on (SILENT).
	endSynchro bool
	// deploy: the local node just became the master in DEPLOYMENT and must
	// deploy the applications; stopAll: it just entered RESTARTING or
	// SHUTTING_DOWN as master and must stop them.
	deploy, stopAll bool
	// deployment is the deployment the local node, master, belongs to
	// from now on (0: unchanged); joined: it is one done before, which
	// the master does not deploy again.
	deployment uint64
	joined     bool
	// stopAgent: the local node, following a master that went away while
	// restarting or shutting down the cluster, must stop its agent.
	stopAgent bool
	// wakeup is when the decision may change with time alone.
	wakeup time.Time
}

// decide runs the state machine from s until it settles: INITIALIZATION →
// DEPLOYMENT once every address answered (or synchro_timeout passed) and
// the view is stable, electing the first RUNNING address; DEPLOYMENT →
// OPERATION (or CONCILIATION while conflicts exist) once the master is
// done deploying; back to INITIALIZATION when the master is lost. A
// better master (earlier in address_list) is adopted once the view is
// stable. restart() and shutdown() lead the master, then the others, to
// RESTARTING or SHUTTING_DOWN, and the master to SHUTDOWN once the
// applications are stopped.
func decide(s situation) decision {
	d := decision{state: s.state, master: s.master}
	for range 4 { // each pass moves at most one state, or master, forward
		before, masterBefore := d.state, d.master
		switch d.state {
		case enums.SupvisorsInitialization:
			ready := s.synchronised || !s.pending || !s.now.Before(s.synchroDeadline)
			switch {
			case s.quorum && s.firstRunning != s.local && isWorking(s.firstRunningState):
				// A master already declared, the first RUNNING address,
				// is followed at once, as later Supvisors has late joiners
				// adopt it: this node's own view, complete and stable,
				// is for an election that is done (at a launch of 100, a
				// member's flap held nodes 1.5 s past their master's
				// OPERATION). Its synchronisation goes on.
				s.elect(&d)
			case !ready:
				d.wakeup = earliest(d.wakeup, s.synchroDeadline)
			case !s.quorum:
				// A side without a quorum elects no master: it deploys
				// nothing and fails nothing over.
				d.endSynchro = !s.synchronised
			case s.now.Before(s.stableAt):
				d.wakeup = earliest(d.wakeup, s.stableAt)
			default:
				d.endSynchro = !s.synchronised
				s.elect(&d)
			}
		case enums.SupvisorsDeployment, enums.SupvisorsOperation, enums.SupvisorsConciliation:
			d.state = s.working(&d)
		case enums.SupvisorsRestarting, enums.SupvisorsShuttingDown:
			switch {
			case s.stopped:
				d.state = enums.SupvisorsShutdown
			case d.master != "" && d.master != s.local && (!s.masterRunning || s.masterState == enums.SupvisorsShutdown):
				// The master is gone (or done) without telling this
				// agent: the order still stands.
				d.state, d.stopAgent = enums.SupvisorsShutdown, true
			}
		}
		if d.state == before && d.master == masterBefore {
			break
		}
	}
	if !s.synchronised && isWorking(d.state) {
		// Followed out of INITIALIZATION early: the synchronisation ends
		// when it would have there, once every address answered and the
		// view is stable, or at synchro_timeout; until then an address
		// that flaps (probes late on busy hosts) is back without an
		// exchange, and one lost is waited for.
		switch {
		case !s.now.Before(s.synchroDeadline) || !s.pending && !s.now.Before(s.stableAt):
			d.endSynchro = true
		case s.pending:
			d.wakeup = earliest(d.wakeup, s.synchroDeadline)
		default:
			d.wakeup = earliest(d.wakeup, s.stableAt)
		}
	}
	return d
}

// elect leaves INITIALIZATION under the first RUNNING address, for a new
// round of DEPLOYMENT, which the local node deploys if it is the master.
func (s *situation) elect(d *decision) {
	d.state, d.master = enums.SupvisorsDeployment, s.firstRunning
	s.masterRunning, s.masterState = true, s.firstRunningState
	s.deployed = false
	if d.master == s.local {
		s.takeOver(d)
	}
}

// isWorking tells whether s is a state past INITIALIZATION in which the
// cluster works: DEPLOYMENT, OPERATION or CONCILIATION.
func isWorking(s enums.SupvisorsState) bool {
	return s == enums.SupvisorsDeployment || s == enums.SupvisorsOperation || s == enums.SupvisorsConciliation
}

// working is the next state from DEPLOYMENT, OPERATION or CONCILIATION.
// A better master adopted is s's master from then on.
func (s *situation) working(d *decision) enums.SupvisorsState {
	isMaster := d.master == s.local
	switch {
	case isMaster && s.stopRequest != enums.SupvisorsInitialization:
		d.stopAll = true
		return s.stopRequest
	case !s.masterRunning:
		d.master = ""
		return enums.SupvisorsInitialization
	case !isMaster && (s.masterState == enums.SupvisorsRestarting || s.masterState == enums.SupvisorsShuttingDown):
		return s.masterState
	case s.firstRunning != d.master && !s.now.Before(s.stableAt):
		// A better master, on a stable view: followed even in
		// DEPLOYMENT (the old one may never finish it). The next pass
		// follows its state: one already in OPERATION ends this node's
		// DEPLOYMENT now, not at the next change of the view, which in
		// a quiet cluster may be long (a node of 100 waited 45 s).
		d.master = s.firstRunning
		s.masterRunning, s.masterState = true, s.firstRunningState
		if d.state == enums.SupvisorsDeployment {
			if d.master == s.local {
				s.takeOver(d)
			}
			return enums.SupvisorsDeployment
		}
	case s.firstRunning != d.master:
		d.wakeup = earliest(d.wakeup, s.stableAt)
	}
	if d.state == enums.SupvisorsDeployment && !(isMaster && s.deployed) && !(!isMaster && (s.masterState == enums.SupvisorsOperation || s.masterState == enums.SupvisorsConciliation)) {
		return enums.SupvisorsDeployment
	}
	return settled(s.conflicts)
}

// takeOver is the local node becoming the master in DEPLOYMENT: it deploys
// the applications, unless the cluster has been deployed already (by a
// master lost since, or on the other side of a healed partition), which
// it then joins.
func (s *situation) takeOver(d *decision) {
	if s.deployment == 0 {
		d.deploy, d.deployment = true, s.incarnation
		return
	}
	d.deployment, d.joined = s.deployment, true
	s.deployed = true
}

func settled(conflicts bool) enums.SupvisorsState {
	if conflicts {
		return enums.SupvisorsConciliation
	}
	return enums.SupvisorsOperation
}

// situation takes the snapshot decide looks at.
func (v *View) situation(now time.Time) situation {
	s := situation{
		state: v.state, master: v.master, local: v.cfg.Local, now: now,
		synchronised: v.synchronised, synchroDeadline: v.started.Add(v.cfg.SynchroTimeout),
		stableAt: v.lastChange.Add(v.cfg.StableWindow), conflicts: v.HasConflicts(),
		deployed: v.deployed, stopRequest: v.stopRequest, stopped: v.stopped,
		quorum: v.HasQuorum(), incarnation: v.incarnation, deployment: v.deployment,
	}
	// This agent's supervisor has not started its processes yet: deciding
	// now, as master, could place elsewhere what it is about to autostart.
	s.pending = !v.ready
	for _, a := range v.addresses {
		if s.deployment == 0 && a.state == enums.AddressRunning && a.meta.Deployment != 0 && a != v.local && !a.staleAlive {
			s.deployment = a.meta.Deployment
		}
		switch {
		case a.state == enums.AddressUnknown || a.state == enums.AddressChecking || a != v.local && a.state == enums.AddressRunning && isEnding(a.meta.State):
			// An agent on its way out will come back as a new one: wait
			// for it as for one not heard of yet.
			s.pending = true
		case a.state == enums.AddressRunning && s.firstRunning == "":
			s.firstRunning, s.firstRunningState = a.name, advertised(a, a.name)
		}
	}
	if m := v.byName[v.master]; m != nil && m.state == enums.AddressRunning {
		s.masterRunning = true
		s.masterState = advertised(m, v.master)
		if m == v.local {
			s.masterState = v.state
		}
	}
	return s
}

// isEnding tells whether a node in state s is being restarted or stopped.
func isEnding(s enums.SupvisorsState) bool {
	return s == enums.SupvisorsRestarting || s == enums.SupvisorsShuttingDown || s == enums.SupvisorsShutdown
}

// advertised is the state a advertises as master, INITIALIZATION when its
// meta names another master (an advertisement from before it was elected),
// or is its agent's that the restart order names (an advertisement of the
// cluster before the restart, which an agent frozen through it may gossip
// after the new agent's).
func advertised(a *address, master string) enums.SupvisorsState {
	if a.meta.Master != master || a.staleAlive {
		return enums.SupvisorsInitialization
	}
	return a.meta.State
}

// checkConflicts asks the addresses of the conflicting copies for their
// full state every CheckRetry while conflicts last: a view that missed
// the broadcast of a copy's end would otherwise stay in CONCILIATION until
// the next push/pull.
func (v *View) checkConflicts(now time.Time) Effects {
	var eff Effects
	if len(v.procs.conflicts) == 0 {
		return eff
	}
	involved := map[*address]bool{}
	for k := range v.procs.conflicts {
		for _, a := range v.addresses {
			if r, ok := a.records.get(k); ok && a != v.local && a.state == enums.AddressRunning && r.State.IsRunning() {
				involved[a] = true
			}
		}
	}
	for _, a := range v.addresses {
		if !involved[a] {
			continue
		}
		if due := a.requested.Add(v.cfg.CheckRetry); now.Before(due) {
			eff.Wakeup = earliest(eff.Wakeup, due)
		} else {
			eff.Merge(v.request(a, now))
		}
	}
	return eff
}

// acting: see Acting.
func (v *View) acting() bool {
	return v.master == v.cfg.Local && (v.state == enums.SupvisorsOperation || v.state == enums.SupvisorsConciliation) && v.HasQuorum() &&
		!v.betterBack() && !v.deposed()
}

// deposed tells whether a RUNNING address follows another master, as its
// meta says: it takes no command from this node, and that master acts for
// it. So it goes in a cut that holds one way only: the others, deaf to this
// node, elected another master, while this node, hearing them, still sees
// itself as theirs and would undo what the other master does.
func (v *View) deposed() bool {
	for _, a := range v.addresses {
		if a != v.local && a.state == enums.AddressRunning && a.meta.Master != "" && a.meta.Master != v.cfg.Local &&
			(a.meta.State == enums.SupvisorsOperation || a.meta.State == enums.SupvisorsConciliation) {
			return true
		}
	}
	return false
}

// betterBack tells whether an address before the local one in
// address_list is RUNNING, or CHECKING (back, its state not in yet).
func (v *View) betterBack() bool {
	for _, a := range v.addresses {
		switch {
		case a == v.local:
			return false
		case a.state == enums.AddressRunning || a.state == enums.AddressChecking:
			return true
		}
	}
	return false
}

// Acting tells whether the local node acts for the cluster: the master in
// OPERATION or CONCILIATION, with a quorum, no address before it in
// address_list RUNNING, or CHECKING, and no RUNNING address that follows
// another master (see deposed). A master that sees a better one back
// (a healed partition, where each side had one) stops acting at once, as
// soon as the ring reports it and before its state is in, let alone the
// election moving to it: two masters repairing and conciliating the same
// processes would undo each other's work (chaos netns seed 6160, fault
// #46: the two sides of a healed cut each stopped one of the two copies).
func (v *View) Acting() bool { return v.acting() }

// Commands tells whether this node takes commands (start, stop, orders,
// jobs, readmissions) from the address from: its master, or the address
// the election is moving to, the first RUNNING one (a master back from a
// freeze acts again at once, while the others' election waits for the
// RUNNING addresses to settle). Nobody else commands, least of all an
// address that is not RUNNING or not in address_list.
func (v *View) Commands(from string) bool {
	if from == "" {
		return false
	}
	if from == v.master {
		return true
	}
	f := v.first()
	return f != nil && f.name == from
}

// first is the first RUNNING address in address_list order (nil for none).
func (v *View) first() *address {
	for _, a := range v.addresses {
		if a.state == enums.AddressRunning {
			return a
		}
	}
	return nil
}

// takeCrashes hands out the crashed processes that still do not run, in
// order. One no address has any more (its agent restarted, and its new
// records are not in yet) waits until one has.
func (v *View) takeCrashes() []Key {
	var out []Key
	for k := range v.crashed {
		p, ok := v.Process(k)
		if !ok {
			continue
		}
		if v.Held(k) {
			// An operator stopped it since: the failure is not to be
			// repaired.
			delete(v.crashed, k)
			continue
		}
		if len(p.Addresses) == 0 {
			out = append(out, k)
		}
		delete(v.crashed, k)
	}
	slices.SortFunc(out, compareKeys)
	return out
}

// agentID names one agent: an address in one incarnation.
type agentID struct {
	address     string
	incarnation uint64
}

// actingMaster is the master's agent if it acts for the cluster (in
// OPERATION or CONCILIATION by what it advertises), the zero agentID
// otherwise.
func (v *View) actingMaster() agentID {
	m := v.byName[v.master]
	switch {
	case m == nil || m.state != enums.AddressRunning:
		return agentID{}
	case m == v.local && v.acting():
	case m != v.local && (advertised(m, v.master) == enums.SupvisorsOperation || advertised(m, v.master) == enums.SupvisorsConciliation):
	default:
		return agentID{}
	}
	return agentID{m.name, m.records.incarnation}
}

// crashesToReport are the failures an acting master elected since did not
// see (another agent, or the same address's agent relaunched), in order:
// they are reported to it once.
func (v *View) crashesToReport() []Key {
	m := v.actingMaster()
	if m.address == "" || m.address == v.cfg.Local {
		return nil
	}
	var out []Key
	for k, seenBy := range v.crashed {
		if seenBy != m {
			v.crashed[k] = m
			out = append(out, k)
		}
	}
	slices.SortFunc(out, compareKeys)
	return out
}

// ReportedCrashes takes the failures another node reports (see
// Effects.ReportCrashes): those of processes that still do not run are
// handed out by the next Tick, if this node acts for the cluster.
func (v *View) ReportedCrashes(keys []Key) {
	for _, k := range keys {
		if _, known := v.procs.present[k]; known && !v.Runs(k) && !v.Held(k) {
			v.crashed[k] = agentID{v.cfg.Local, v.incarnation}
		}
	}
}

// newConflicts tells whether the master in CONCILIATION, with a quorum, has
// conflicts it was not asked to conciliate yet, or that outlived the last
// conciliation (CheckRetry after it ended: see ConciliationDone).
func (v *View) newConflicts(now time.Time) (bool, time.Time) {
	if v.state != enums.SupvisorsConciliation || !v.acting() {
		v.conciliating = nil
		return false, time.Time{}
	}
	if !v.reconciliateAt.IsZero() {
		if now.Before(v.reconciliateAt) {
			return false, v.reconciliateAt
		}
		v.conciliating, v.reconciliateAt = nil, time.Time{}
	}
	if v.conciliating == nil {
		v.conciliating = map[Key]struct{}{}
	}
	fresh := false
	for k := range v.procs.conflicts {
		if _, seen := v.conciliating[k]; !seen {
			v.conciliating[k] = struct{}{}
			fresh = true
		}
	}
	return fresh, time.Time{}
}

// ConciliationDone tells the view a conciliation the local master carried
// out is over: the conflicts left then (a copy that could not be stopped,
// one that came back meanwhile) are conciliated again CheckRetry later.
func (v *View) ConciliationDone(now time.Time) { v.reconciliateAt = now.Add(v.cfg.CheckRetry) }

// DeploymentDone tells the view that the local master has deployed the
// applications: DEPLOYMENT may end.
func (v *View) DeploymentDone() { v.deployed = true }

// StoppedAll tells the view that the applications are stopped after a
// RequestStop: the state becomes SHUTDOWN.
func (v *View) StoppedAll() { v.stopped = true }

// Tick re-evaluates what time alone changes: state requests to repeat for
// addresses still CHECKING, and the state machine. Call it after every
// other call that changes the view, and at the Wakeup it returns.
func (v *View) Tick(now time.Time) Effects {
	var eff Effects
	for _, a := range v.addresses {
		if a.state != enums.AddressChecking {
			continue
		}
		if due := a.requested.Add(v.cfg.CheckRetry); now.Before(due) {
			eff.Wakeup = earliest(eff.Wakeup, due)
		} else {
			eff.Merge(v.request(a, now))
		}
	}
	eff.Merge(v.decideFences(now))
	eff.Merge(v.settleReadmissions(now))
	eff.Merge(v.checkConflicts(now))
	eff.Merge(v.resendOrders(now))
	before := v.state
	d := decide(v.situation(now))
	if d.endSynchro {
		v.synchronised = true
		for _, a := range v.addresses {
			if a.state == enums.AddressUnknown {
				v.setState(a, enums.AddressSilent, now)
			}
		}
	}
	if d.state != v.state || d.master != v.master {
		v.metaChanged(&eff)
		v.state, v.master = d.state, d.master
	}
	if d.deployment != 0 && d.deployment != v.deployment {
		v.adoptDeployment(d.deployment)
		v.metaChanged(&eff)
	}
	if d.joined {
		v.deployed = true
	}
	if d.deploy {
		v.deployed = false
		eff.Deploy = true
	}
	if m := v.byName[v.master]; m != nil && m != v.local && m.state == enums.AddressRunning &&
		m.meta.Deployment != 0 && m.meta.Deployment != v.deployment && advertised(m, v.master) != enums.SupvisorsInitialization {
		// A follower belongs to its master's deployment.
		v.adoptDeployment(m.meta.Deployment)
		v.metaChanged(&eff)
	}
	if d.stopAgent {
		eff.Merge(v.stopAgent(before == enums.SupvisorsRestarting))
	}
	if d.stopAll {
		eff.StopAll, eff.Restart = true, v.stopRequest == enums.SupvisorsRestarting
	}
	if v.acting() {
		eff.Crashed = v.takeCrashes()
	} else {
		eff.ReportCrashes = v.crashesToReport()
	}
	var again time.Time
	eff.Conciliate, again = v.newConflicts(now)
	eff.Wakeup = earliest(earliest(eff.Wakeup, d.wakeup), again)
	return eff
}
