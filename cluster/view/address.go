package view

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// address is one entry of address_list as this node sees it.
type address struct {
	name  string
	index int
	state enums.AddressState
	// meta is what the node last advertised in the ring.
	meta    Meta
	records *nodeRecords
	// remoteTime and localTime are the last heartbeat, in the node's clock
	// and in ours.
	remoteTime, localTime time.Time
	// requested is when its state was last asked for (while CHECKING);
	// exchanging, that the exchange asked for then has not ended yet
	// (ExchangeEnded).
	requested  time.Time
	exchanging bool
	// lostAt is when it was last lost (SILENT or ISOLATED).
	lostAt time.Time
	// answered is the incarnation whose full state last made it RUNNING
	// here.
	answered uint64
	// leaving is the incarnation that said it is leaving on purpose.
	leaving uint64
	// staleAlive: its agent is alive in an incarnation the carried restart
	// order names (see Config.Carried).
	staleAlive bool

	// fenced: this node isolated it (auto_fence); it is refused at the ring
	// until readmitted, and then only as another incarnation than the one
	// fenced (its agent restarted).
	fenced            bool
	fencedIncarnation uint64
	readmitted        bool
	// readmission: it was re-admitted here (by an operator, or at the
	// master's word). The master tells the members that still fence it
	// until none does and its next agent is RUNNING here, and for
	// readmissionTries CheckRetry at most once it is (settleReadmissions:
	// a member that fenced that very agent fences it on); readmissionSent
	// is when it last did, readmissionEnd the end it set.
	readmission                     bool
	readmissionSent, readmissionEnd time.Time
	// peerFences: its meta says it has fenced this node, so it is shown
	// ISOLATED here too while that lasts.
	peerFences bool
	// fencePending: lost under auto_fence with a quorum configured, it is
	// SILENT until the view has been stable for the fence delay; fenced
	// then if this side still has the quorum.
	fencePending bool
	// letIn is when it was last re-admitted, and then when its next agent
	// was let back in: for a while after either, no loss is fenced here
	// (letInLately).
	letIn time.Time

	// loadingSum is the loading of its running processes when its records
	// were at version loadingVersion (View.loading: every event reading
	// describes every address, at every change of any of 10,000 records).
	loadingSum     int
	loadingVersion uint64
}

func (a *address) fencedByUs() bool { return a.fenced }

// current tells whether news of an agent in incarnation inc is news of the
// agent of a: the one the ring last said is alive there, which memberlist
// orders by its own incarnations. Incarnations are compared for identity
// only: they come from the agents' clocks, and an agent that starts after
// its clock was set back is a new one all the same. Before the ring says
// anything, nothing is: a record may be forged, and one adopted for an
// incarnation no agent has would hide the real ones.
func (a *address) current(inc uint64) bool {
	return a.meta.Incarnation != 0 && inc == a.meta.Incarnation
}

// copiesCount tells whether the copies of an address in state s count.
func copiesCount(s enums.AddressState) bool { return s == enums.AddressRunning }

// isLost tells whether an address in state s was lost: its copies no
// longer count as running.
func isLost(s enums.AddressState) bool {
	return s == enums.AddressSilent || s == enums.AddressIsolating || s == enums.AddressIsolated
}

// ErrUnknownAddress is returned for a name outside address_list.
var ErrUnknownAddress = errors.New("address not in address_list")

// ErrNotFenced is returned by Readmit for an address this node has not
// fenced (nor, on the master, a member).
var ErrNotFenced = errors.New("address not fenced by this node")

// ErrRulesDiffer is returned by Admit for a node whose rules file is not
// this node's: the two would act on different truths.
var ErrRulesDiffer = errors.New("rules files differ")

// MemberMeta handles a meta that a member pushed to this node: news of the
// agent the ring says is alive there, CHECKING or RUNNING, it is taken as
// the ring's would be (MemberAlive); otherwise the ring's word comes
// first, and nothing changes.
func (v *View) MemberMeta(name string, meta Meta, now time.Time) Effects {
	a := v.remote(name)
	if a == nil || !a.current(meta.Incarnation) || (a.state != enums.AddressChecking && a.state != enums.AddressRunning) {
		return Effects{}
	}
	return v.MemberAlive(name, meta, now)
}

// MemberAlive handles the ring's news that a member is alive, with its
// meta: a new incarnation or a returning address is CHECKING until its
// full state arrives.
func (v *View) MemberAlive(name string, meta Meta, now time.Time) Effects {
	var eff Effects
	a := v.remote(name)
	if a == nil || v.Admit(name, meta) != nil {
		return eff
	}
	if meta.Incarnation == a.meta.Incarnation && meta.Version < a.meta.Version {
		// Gossiped after a later one was pushed (MemberMeta).
		meta = a.meta
	}
	if v.staleAgent(a, meta.Incarnation) {
		// Not an answer: it is to restart, and is told so again.
		a.meta = meta
		if !a.staleAlive {
			a.staleAlive, a.requested = true, now
			eff.SendOrder = []string{name}
			eff.Wakeup = now.Add(v.cfg.CheckRetry)
		}
		return eff
	}
	a.staleAlive = false
	if a.fenced {
		a.fenced, a.readmitted = false, false
		a.letIn = now
		v.admission = nil
		v.metaChanged(&eff)
	}
	a.fencePending = false
	newAgent := meta.Incarnation != a.records.incarnation
	a.meta = meta
	wasPeerFenced := a.peerFences
	a.peerFences = fences(meta.Fenced, v.local.index)
	if a.peerFences {
		v.setState(a, enums.AddressIsolated, now)
		return eff
	}
	if newAgent {
		if a.state == enums.AddressRunning {
			// Its previous agent was lost, with whatever ran there.
			v.setState(a, enums.AddressSilent, now)
		}
		// Its clock may not be the old agent's: no estimate of it until
		// its first heartbeat.
		a.remoteTime, a.localTime = time.Time{}, time.Time{}
		t := touched{}
		a.records.adopt(meta.Incarnation, t)
		v.procs.refresh(v, t)
	}
	if !newAgent && !wasPeerFenced && a.state == enums.AddressUnknown && !v.synchronised && a.answered == meta.Incarnation {
		// Lost and back while this node synchronises, the same agent: the
		// ring flapped (on busy hosts, as at a launch, probes time out).
		// Its records are current (its gossip is heard while it is lost,
		// and MissedNews catches a loss): checking it again would cost an
		// exchange per flap on every node, which keeps the hosts busy and
		// the probes late.
		v.setState(a, enums.AddressRunning, now)
		return eff
	}
	if newAgent || wasPeerFenced || a.state == enums.AddressUnknown || a.state == enums.AddressSilent {
		v.setState(a, enums.AddressChecking, now)
		eff.Merge(v.request(a, now))
	}
	return eff
}

// request asks a for its full state and sets when to ask again, unless
// the exchange asked for before is still in flight: on hosts too busy to
// answer within CheckRetry (an exchange may take TCPTimeout), each retry
// added a connection and a full state for a member already late, and at a
// launch of 100 agents on 2 cores most exchanges were such retries.
// Once ExchangeEnded, the next Tick asks again if it is due.
func (v *View) request(a *address, now time.Time) Effects {
	if a.exchanging {
		return Effects{}
	}
	a.requested, a.exchanging = now, true
	return Effects{RequestState: []string{a.name}, Wakeup: now.Add(v.cfg.CheckRetry)}
}

// ExchangeEnded tells that the exchange of full states with name that a
// RequestState asked for has ended, answered or not (its answer, if any,
// was handled before); the next one may be asked for.
func (v *View) ExchangeEnded(name string) {
	if a := v.remote(name); a != nil {
		a.exchanging = false
	}
}

// MemberDead handles the ring's news that a member is gone: it is SILENT,
// or ISOLATED under auto_fence unless it said it was leaving (a graceful
// leave is never fenced: nothing of it runs any more, and it may come back
// at will), an address was let back in after a readmission less than
// letInGrace CheckRetry ago (letInLately), or this side of the cluster is
// left without a quorum.
func (v *View) MemberDead(name string, now time.Time) Effects {
	var eff Effects
	a := v.remote(name)
	if a == nil || a.fenced {
		return eff
	}
	a.staleAlive = false
	ending := isEnding(a.meta.State)
	left := ending || a.leaving != 0 && a.leaving == a.records.incarnation
	fenceable := v.cfg.AutoFence && !left && !a.peerFences && !v.letInLately(now)
	switch {
	case a.state == enums.AddressUnknown || a.state == enums.AddressSilent:
	case a.meta.State == enums.SupvisorsRestarting || a.meta.State == enums.SupvisorsShutdown || !v.synchronised:
		// restart(): its agent comes back as a new one; INITIALIZATION
		// waits for it (until synchro_timeout). And while this agent
		// synchronises, an address that went away has not answered: it
		// may be restarting (restart() reaching it late), and deploying
		// without it would leave its processes unplaced.
		a.peerFences = false
		v.setState(a, enums.AddressUnknown, now)
	case fenceable && v.cfg.Quorum > 0:
		a.fencePending = true
		v.setState(a, enums.AddressSilent, now)
	case fenceable:
		v.fence(a, now)
		v.metaChanged(&eff)
	default:
		a.peerFences = false
		v.setState(a, enums.AddressSilent, now)
	}
	return eff
}

// letInLately tells whether an address was re-admitted, or its next agent
// let in, less than letInGrace CheckRetry ago. The ring may still pass on
// news of the death of the agent it replaced (memberlist orders them by
// incarnations the new agent counts from 0 again), which the new one
// refutes; and a member that has not heard of the readmission yet is deaf
// to the new agent, which declares it dead, as soon as it joins: before
// the ring here says it is alive (the partition tests' node 5,
// INFANTICIDE: node 3 fenced for good by node 1, node 4 by node 3).
// Fenced on either, a member would be ISOLATED here for good.
func (v *View) letInLately(now time.Time) bool {
	return slices.ContainsFunc(v.addresses, func(a *address) bool {
		return !a.letIn.IsZero() && now.Sub(a.letIn) < letInGrace*v.cfg.CheckRetry
	})
}

// fence isolates a: it is refused at the ring until re-admitted.
func (v *View) fence(a *address, now time.Time) {
	a.fenced, a.fencedIncarnation, a.readmitted, a.fencePending, a.readmission = true, a.records.incarnation, false, false, false
	v.admission = nil
	v.setState(a, enums.AddressIsolated, now)
}

// decideFences settles the fences pending under a quorum: none while this
// side lacks the quorum (a minority, losing its peers one by one, must
// not fence the majority), all once the view has been stable for the
// fence delay with the quorum.
func (v *View) decideFences(now time.Time) Effects {
	var eff Effects
	var pending []*address
	for _, a := range v.addresses {
		if a.fencePending {
			pending = append(pending, a)
		}
	}
	switch due := v.lastChange.Add(v.cfg.FenceDelay); {
	case len(pending) == 0:
	case !v.HasQuorum():
		for _, a := range pending {
			a.fencePending = false
		}
	case now.Before(due):
		eff.Wakeup = due
	default:
		for _, a := range pending {
			v.fence(a, now)
		}
		v.metaChanged(&eff)
	}
	return eff
}

// Readmit lets an address this node fenced back in once its agent has
// restarted: the ring admits its next incarnation. The master tells the
// members that fence it too, again every CheckRetry until none does
// (settleReadmissions): one missed message would fence it there for ever.
// A master that does not fence it (elected since, say) still tells the
// members that do.
func (v *View) Readmit(name string, now time.Time) (Effects, error) {
	a := v.byName[name]
	switch {
	case a == nil:
		return Effects{}, fmt.Errorf("%s: %w", name, ErrUnknownAddress)
	case !a.fenced && (v.master != v.local.name || len(v.fencing(a)) == 0):
		return Effects{}, fmt.Errorf("%s (%v): %w", name, a.state, ErrNotFenced)
	}
	if a.fenced {
		a.readmitted = true
		v.admission = nil
	}
	a.letIn = now
	a.readmission, a.readmissionSent, a.readmissionEnd = true, time.Time{}, time.Time{}
	return v.settleReadmissions(now), nil
}

// fencing returns the RUNNING members whose meta says they fence a.
func (v *View) fencing(a *address) []string {
	var names []string
	for _, b := range v.addresses {
		if b != v.local && b != a && b.state == enums.AddressRunning && fences(b.meta.Fenced, a.index) {
			names = append(names, b.name)
		}
	}
	return names
}

// Readmission is an address an operator re-admitted, to tell a member
// that still fences it.
type Readmission struct{ To, Address string }

// letInGrace is how many CheckRetry after a readmission, or after the
// next agent of a re-admitted address was let in, an address that is lost
// is SILENT, not fenced.
const letInGrace = 10

// readmissionTries is how many times at most the master tells a member
// that fences an address it re-admitted, once its agent is RUNNING here.
const readmissionTries = 10

// settleReadmissions has the master tell the RUNNING members whose meta
// says they still fence an address re-admitted here, every CheckRetry,
// and ends a readmission once none does and the address is RUNNING here.
func (v *View) settleReadmissions(now time.Time) Effects {
	var eff Effects
	for _, a := range v.addresses {
		if !a.readmission {
			continue
		}
		fencing := v.fencing(a)
		if a.state == enums.AddressRunning && a.readmissionEnd.IsZero() {
			a.readmissionEnd = now.Add(readmissionTries * v.cfg.CheckRetry)
		}
		switch due := a.readmissionSent.Add(v.cfg.CheckRetry); {
		case a.state == enums.AddressRunning && (len(fencing) == 0 || !now.Before(a.readmissionEnd)):
			a.readmission = false
		case len(fencing) == 0 || v.master != v.local.name:
			// Nobody to tell yet, or not this node's to tell.
		case now.Before(due):
			eff.Wakeup = earliest(eff.Wakeup, due)
		default:
			a.readmissionSent = now
			for _, to := range fencing {
				eff.SendReadmissions = append(eff.SendReadmissions, Readmission{To: to, Address: a.name})
			}
			eff.Wakeup = earliest(eff.Wakeup, now.Add(v.cfg.CheckRetry))
		}
	}
	return eff
}

// Readmitted tells whether an operator re-admitted the fenced address name.
func (v *View) Readmitted(name string) bool {
	a := v.byName[name]
	return a != nil && a.fenced && a.readmitted
}

// Heartbeat records that name answered a probe: its clock said remote
// when ours said local.
func (v *View) Heartbeat(name string, remote, local time.Time) {
	if a := v.remote(name); a != nil {
		a.remoteTime, a.localTime = remote, local
	}
}

// MissedNews handles what the agent of name said when it answered a
// probe: it is incarnation inc with its records at seq (LocalProgress).
// If it changed records that never came here, its full state is asked for
// (at most once per CheckRetry): gossip is best effort, and a cut that
// heals before anyone is declared dead loses the updates sent across it,
// for good if the node has nothing more to say.
func (v *View) MissedNews(name string, inc, seq uint64, now time.Time) Effects {
	a := v.remote(name)
	if a == nil || !a.current(inc) || a.records.incarnation != inc || seq <= a.records.known() ||
		now.Before(a.requested.Add(v.cfg.CheckRetry)) {
		return Effects{}
	}
	return v.request(a, now)
}

// LocalProgress is what this node's answers to probes carry (see
// MissedNews): its incarnation and the Seq of its last record change.
func (v *View) LocalProgress() (incarnation, seq uint64) { return v.incarnation, v.seq }

// MessageAge is how long ago, in its sender's clock, a message that
// address sent at sentAt (its clock) was sent, now being local's time: the
// sender's clock now is estimated from its last heartbeat, so that clocks
// need not agree. known is false without a heartbeat to go by.
func (v *View) MessageAge(address string, sentAt, now time.Time) (age time.Duration, known bool) {
	a := v.remote(address)
	if a == nil || a.localTime.IsZero() || sentAt.IsZero() {
		return 0, false
	}
	return a.remoteTime.Add(now.Sub(a.localTime)).Sub(sentAt), true
}

// AddressInfo describes one address (get_address_info).
type AddressInfo struct {
	Name                  string
	State                 enums.AddressState
	RemoteTime, LocalTime time.Time
	// Loading is the sum of the expected loading of its running processes.
	Loading int
	// Incarnation identifies the run of its agent (0: never heard of).
	Incarnation uint64
}

// Address describes the address name at time now; false when it is not
// in address_list.
func (v *View) Address(name string, now time.Time) (AddressInfo, bool) {
	a := v.byName[name]
	if a == nil {
		return AddressInfo{}, false
	}
	return v.addressInfo(a, now), true
}

// AddressState is the state of the address name (UNKNOWN when it is not in
// address_list): what Address says of it without its loading, a walk of
// every record of the address, which the waits of starts and stops, that
// look at every change of the view, cannot afford at 1,000 processes.
func (v *View) AddressState(name string) enums.AddressState {
	if a := v.byName[name]; a != nil {
		return a.state
	}
	return enums.AddressUnknown
}

// AddressIncarnation is the incarnation of the agent whose records the
// view holds for the address name (0: none, or not in address_list), as
// Address says it, without the loading.
func (v *View) AddressIncarnation(name string) uint64 {
	if a := v.byName[name]; a != nil {
		return a.records.incarnation
	}
	return 0
}

// Addresses describes every address, in address_list order.
func (v *View) Addresses(now time.Time) []AddressInfo {
	out := make([]AddressInfo, len(v.addresses))
	for i, a := range v.addresses {
		out[i] = v.addressInfo(a, now)
	}
	return out
}

// AddressStates returns the state of every address, in address_list
// order: cheaper than Addresses when that is all one needs.
func (v *View) AddressStates() []enums.AddressState {
	out := make([]enums.AddressState, len(v.addresses))
	for i, a := range v.addresses {
		out[i] = a.state
	}
	return out
}

func (v *View) addressInfo(a *address, now time.Time) AddressInfo {
	info := AddressInfo{Name: a.name, State: a.state, RemoteTime: a.remoteTime, LocalTime: a.localTime,
		Loading: v.loading(a), Incarnation: a.records.incarnation}
	if a == v.local {
		info.RemoteTime, info.LocalTime = now, now
	}
	return info
}

// loading is the sum of the loading of a's running processes.
func (v *View) loading(a *address) int {
	if a.state != enums.AddressRunning {
		return 0
	}
	if a.loadingVersion == a.records.version {
		return a.loadingSum
	}
	total := 0
	for k, r := range a.records.byKey {
		if !r.Removed && r.State.IsRunning() {
			total += v.cfg.Loading(k)
		}
	}
	a.loadingSum, a.loadingVersion = total, a.records.version
	return total
}
