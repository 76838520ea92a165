// Package view is the pure core of the cluster: one node's picture of every
// address of address_list and of every process of the cluster, and the
// Supvisors state machine over it (election, synchronisation, conflicts).
//
// Nothing here does I/O or reads a clock. Every input carries its time, and
// what the node must do about it comes back as Effects for the caller to
// carry out; so the whole behaviour is table-tested without sockets or
// timers. A View is not safe for concurrent use: its owner serialises every
// call (package cluster holds one mutex around it).
package view

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// Config configures a View.
type Config struct {
	// Local is this node's address, an entry of AddressList.
	Local string
	// AddressList is [supvisors] address_list, in master preference order.
	AddressList []string
	// AutoFence: an address that goes silent is ISOLATED.
	AutoFence bool
	// SynchroTimeout bounds how long INITIALIZATION waits for addresses
	// never heard of.
	SynchroTimeout time.Duration
	// StableWindow is how long the set of RUNNING addresses must stay
	// unchanged before a master is elected on it: the ring's suspicion
	// window, during which nodes may still disagree about a member.
	StableWindow time.Duration
	// CheckRetry is how long a CHECKING address may take to send its state
	// before it is asked again (default 1 s).
	CheckRetry time.Duration
	// Loading is the expected loading of a process when it runs (default 1
	// for every process).
	Loading func(Key) int
	// Required tells whether a process is required by its application
	// (default: none is).
	Required func(Key) bool
	// StartSequence is a process's start_sequence in its application
	// (default 0 for every process).
	StartSequence func(Key) int
	// Addresses lists the addresses a process's rules allow, in their order
	// (default: address_list for every process).
	Addresses func(Key) []string
	// Carried is the restart order the previous generation of this agent
	// carried out (nil: none): an agent it names comes back in its old
	// incarnation (it was frozen or cut off meanwhile) is told again, and
	// not counted as answered.
	Carried *Order
	// RulesHash identifies the rules file; every node must have the same.
	RulesHash []byte
	// HostName is the machine this node runs on, which its meta tells the
	// others (see View.HostName).
	HostName string
	// Quorum is how many addresses must be RUNNING (the local one
	// included) for the cluster to act: elect and deploy, fail over, fence,
	// conciliate. 0 is off.
	Quorum int
	// FenceDelay is, with a quorum, how long the view must be stable after
	// a loss before the lost address is fenced: longer than the ring may
	// take to report the rest of a partition, so that a minority knows it
	// is one before it fences anybody.
	FenceDelay time.Duration
}

// Meta is what a node advertises of itself in the ring's node meta: the
// incarnation of its agent, its Supvisors state and master, and the
// addresses it has fenced (a bitmap over address_list indexes), the hash
// of its rules file, and the deployment it belongs to.
type Meta struct {
	Incarnation uint64
	State       enums.SupvisorsState
	Master      string
	Fenced      []byte
	Rules       []byte
	// Deployment identifies the deployment of the applications the node
	// has seen done or started (the incarnation of the master that
	// deployed them), 0 before any: a master elected in a cluster that
	// was already deployed does not deploy again (what an operator stopped
	// since would come back).
	Deployment uint64
	// HostName is the machine the node runs on ([supvisors] host_name);
	// "" from an agent that does not say.
	HostName string
	// Version orders the metas of one agent (Incarnation): the master's
	// reach the members both pushed and gossiped, in either order, and one
	// older than the last taken changes nothing. 0 from an agent that does
	// not say.
	Version uint64
}

// fences reports whether bit i of a fence bitmap is set.
func fences(bitmap []byte, i int) bool {
	return i/8 < len(bitmap) && bitmap[i/8]&(1<<(i%8)) != 0
}

// Effects is what the caller must do after a call into the View.
type Effects struct {
	// RequestState lists addresses to ask for their full state.
	RequestState []string
	// MetaChanged: the local Meta changed and must be re-advertised.
	MetaChanged bool
	// Deploy: the local node, master in DEPLOYMENT, must deploy the
	// applications, then call DeploymentDone.
	Deploy bool
	// StopAll: the local node, master, must stop every application (by
	// stop_sequence), have every agent of the Order restart (Restart) or
	// exit, then call StoppedAll.
	StopAll, Restart bool
	// StopAgent: the local agent must restart (Restart) or exit now: the
	// master ordered it, or it went away after ordering it.
	StopAgent bool
	// SendOrder lists addresses back in an incarnation that the carried
	// restart order names: they must be sent it.
	SendOrder []string
	// SendReadmissions lists, on the master, the members to tell again
	// that an operator re-admitted an address they still fence.
	SendReadmissions []Readmission
	// Crashed lists the processes whose last running copy ended in a
	// failure (FATAL, an unexpected exit, its node lost) and that still do
	// not run; only the master in OPERATION or CONCILIATION, with a quorum,
	// gets it (the running failure strategies are its).
	Crashed []Key
	// ReportCrashes lists, on another node, the failures the acting master
	// did not see (it was elected since, a relaunched agent that never saw
	// the failed copies): they must be sent to it (ReportedCrashes).
	ReportCrashes []Key
	// Conciliate: the local node, master in CONCILIATION, must apply the
	// conciliation strategy (new conflicts appeared).
	Conciliate bool
	// Wakeup is when Tick must be called next (zero: no deadline).
	Wakeup time.Time
}

// Merge adds o to e.
func (e *Effects) Merge(o Effects) {
	e.RequestState = append(e.RequestState, o.RequestState...)
	e.MetaChanged = e.MetaChanged || o.MetaChanged
	e.Deploy = e.Deploy || o.Deploy
	e.StopAll, e.Restart = e.StopAll || o.StopAll, e.Restart || o.Restart
	e.StopAgent = e.StopAgent || o.StopAgent
	e.SendOrder = append(e.SendOrder, o.SendOrder...)
	e.SendReadmissions = append(e.SendReadmissions, o.SendReadmissions...)
	e.Crashed = append(e.Crashed, o.Crashed...)
	e.ReportCrashes = append(e.ReportCrashes, o.ReportCrashes...)
	e.Conciliate = e.Conciliate || o.Conciliate
	e.Wakeup = earliest(e.Wakeup, o.Wakeup)
}

// earliest is the earlier of two deadlines, zero meaning none.
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// View is one node's picture of the cluster. Not safe for concurrent use.
type View struct {
	cfg         Config
	incarnation uint64
	// metaVersion is the Version of the local meta.
	metaVersion uint64
	addresses   []*address // in address_list order
	byName      map[string]*address
	// known is address_list as a set, shared read-only with Admissions.
	known map[string]bool
	local *address
	// admission is the current Admission, nil once a fence changed.
	admission *Admission

	state   enums.SupvisorsState
	master  string
	started time.Time
	// synchronised is set once INITIALIZATION has given up on the
	// addresses never heard of (or heard of them all).
	synchronised bool
	// lastChange is when an address last entered or left RUNNING.
	lastChange time.Time
	seq        uint64 // of the local records
	// ready: the local supervisor has activated its configuration (see
	// SetReady).
	ready bool

	// deployed, stopRequest and stopped feed the state machine: see
	// DeploymentDone, RequestStop and StoppedAll.
	deployed    bool
	stopRequest enums.SupvisorsState
	stopped     bool
	// crashed collects the processes whose last running copy failed,
	// each with the acting master's agent that saw it fail (none: zero), until
	// Tick hands them out to the acting master (a node that becomes
	// master, say because the old one died with them, gets them then).
	// Another node reports them to a master that did not see them fail.
	crashed map[Key]agentID
	// conciliating holds the conflicts the master has been asked to
	// conciliate since it entered CONCILIATION; reconciliateAt is when
	// those left are to be conciliated again (zero: not yet asked).
	conciliating   map[Key]struct{}
	reconciliateAt time.Time

	// order is the restart or shutdown order this agent carries out (as
	// master, or told by the master); agentStopping is set once the agent
	// was told to stop.
	order         *Order
	agentStopping bool

	// deployment, jobs and clock: see Job. reasserted are the jobs the
	// local master wrote again over another master's (see ApplyJob), to
	// send. pending are the keys of the jobs not Done: a few, where jobs
	// holds a tombstone or a hold of every process ever started or
	// stopped, which PlanJobs, at every change of the view, would scan.
	deployment uint64
	jobs       map[jobKey]Job
	pending    map[jobKey]struct{}
	clock      uint64
	reasserted []Job

	procs processIndex
}

// New returns the view of a node whose agent started at now with the given
// incarnation (a number that grows with every start of the agent). The
// local address is RUNNING at once; every other address is UNKNOWN.
// cfg.Local must be an entry of cfg.AddressList.
func New(cfg Config, incarnation uint64, now time.Time) *View {
	if cfg.CheckRetry <= 0 {
		cfg.CheckRetry = time.Second
	}
	if cfg.Loading == nil {
		cfg.Loading = func(Key) int { return 1 }
	}
	if cfg.Required == nil {
		cfg.Required = func(Key) bool { return false }
	}
	if cfg.StartSequence == nil {
		cfg.StartSequence = func(Key) int { return 0 }
	}
	v := &View{cfg: cfg, incarnation: incarnation, byName: map[string]*address{}, known: map[string]bool{}, started: now, lastChange: now}
	for i, name := range cfg.AddressList {
		a := &address{name: name, index: i, records: newNodeRecords(0)}
		v.addresses = append(v.addresses, a)
		v.byName[name] = a
		v.known[name] = true
	}
	v.local = v.byName[cfg.Local]
	v.local.state = enums.AddressRunning
	v.local.records = newNodeRecords(incarnation)
	v.local.meta = Meta{Incarnation: incarnation}
	v.procs = newProcessIndex()
	v.crashed = map[Key]agentID{}
	v.jobs = map[jobKey]Job{}
	v.pending = map[jobKey]struct{}{}
	return v
}

// State returns the node's Supvisors state.
func (v *View) State() enums.SupvisorsState { return v.state }

// RunningChanged returns when an address last entered or left RUNNING
// (when the view was made, before any did).
func (v *View) RunningChanged() time.Time { return v.lastChange }

// Master returns the master's address, "" while there is none.
func (v *View) Master() string { return v.master }

// Local returns the local address.
func (v *View) Local() string { return v.cfg.Local }

// HasQuorum tells whether enough addresses are RUNNING for the cluster to
// act (always, without a quorum).
func (v *View) HasQuorum() bool { return v.running(nil) >= v.cfg.Quorum }

// running counts the RUNNING addresses but except.
func (v *View) running(except *address) int {
	n := 0
	for _, a := range v.addresses {
		if a != except && a.state == enums.AddressRunning {
			n++
		}
	}
	return n
}

// Uptime is how long a process started at start (in the clock of its
// address) has run, in that node's clock: its time now is estimated from
// its last heartbeat, so that clocks need not agree.
func (v *View) Uptime(address string, start, now time.Time) time.Duration {
	a := v.byName[address]
	if a == nil || start.IsZero() {
		return 0
	}
	remoteNow := now
	if a != v.local && !a.localTime.IsZero() {
		remoteNow = a.remoteTime.Add(now.Sub(a.localTime))
	}
	return max(remoteNow.Sub(start), 0)
}

// metaChanged notes that the local meta changed: a later Version, to be
// advertised.
func (v *View) metaChanged(eff *Effects) {
	v.metaVersion++
	eff.MetaChanged = true
}

// Incarnation returns the local agent's incarnation.
func (v *View) Incarnation() uint64 { return v.incarnation }

// LocalMeta returns what this node advertises of itself.
func (v *View) LocalMeta() Meta {
	m := Meta{Incarnation: v.incarnation, State: v.state, Master: v.master, Rules: v.cfg.RulesHash, Deployment: v.deployment, HostName: v.cfg.HostName, Version: v.metaVersion}
	for _, a := range v.addresses {
		if a.fencedByUs() {
			if m.Fenced == nil {
				m.Fenced = make([]byte, (len(v.addresses)+7)/8)
			}
			m.Fenced[a.index/8] |= 1 << (a.index % 8)
		}
	}
	return m
}

// HostName is the machine the address runs on, as its meta says; the
// address itself when it has not said (an agent that does not tell it,
// or one never heard of), so that it counts as a machine of its own.
func (v *View) HostName(address string) string {
	host := ""
	if a := v.byName[address]; a == v.local {
		host = v.cfg.HostName
	} else if a != nil {
		host = a.meta.HostName
	}
	if host == "" {
		return address
	}
	return host
}

// HostTurn is how many addresses before the local one in address_list run
// on its host (HostName): 0 for the first of them, or for an agent alone on
// its host. The agents of a host take turns with what can wait by it.
func (v *View) HostTurn() int {
	host := v.HostName(v.cfg.Local)
	turn := 0
	for _, a := range v.addresses {
		if a == v.local {
			break
		}
		if v.HostName(a.name) == host {
			turn++
		}
	}
	return turn
}

// Declared tells whether the local node has told the others of process k
// (a record, maybe a tombstone): others take news of it relayed from then
// on (ApplyRelayed).
func (v *View) Declared(k Key) bool {
	_, ok := v.local.records.byKey[k]
	return ok
}

// SetLocal records the current state of a local process (rec.Seq is set
// here) and returns the update to gossip; changed is false when nothing
// differs from what was recorded.
func (v *View) SetLocal(rec ProcessRecord) (u Update, changed bool) {
	if old, ok := v.local.records.byKey[rec.Key()]; ok && old.sameContent(rec) {
		return Update{}, false
	}
	if _, ok := v.local.records.byKey[rec.Key()]; !ok && rec.Removed {
		return Update{}, false
	}
	v.seq++
	rec.Seq = v.seq
	t := touched{}
	v.local.records.apply(rec, t)
	v.procs.refresh(v, t)
	return Update{Node: v.cfg.Local, Incarnation: v.incarnation, Record: rec}, true
}

// LocalState returns the local full state.
func (v *View) LocalState() FullState {
	fs := FullState{Node: v.cfg.Local, Incarnation: v.incarnation, Seq: v.seq, Ready: v.ready}
	for _, r := range v.local.records.byKey {
		if !r.Removed {
			fs.Records = append(fs.Records, r)
		}
	}
	slices.SortFunc(fs.Records, func(a, b ProcessRecord) int { return compareKeys(a.Key(), b.Key()) })
	return fs
}

// OthersRecords returns what this node knows of the other nodes' records,
// tombstones included, as updates: the part of a push/pull that lets the
// views converge even where a gossip broadcast was missed (a relayed
// record is only ever applied if newer).
func (v *View) OthersRecords() []Update {
	var out []Update
	for _, a := range v.addresses {
		if a == v.local || a.fenced {
			continue
		}
		for _, r := range a.records.byKey {
			out = append(out, Update{Node: a.name, Incarnation: a.records.incarnation, Record: r})
		}
	}
	return out
}

// SetReady tells the view the local supervisor has activated its
// configuration: the local records are complete, and other nodes may
// take this node for RUNNING on them.
func (v *View) SetReady() { v.ready = true }

// Ready tells whether SetReady was called.
func (v *View) Ready() bool { return v.ready }

// LeavingState is the local full state marked as the last one before this
// node leaves on purpose.
func (v *View) LeavingState() FullState {
	fs := v.LocalState()
	fs.Leaving = true
	return fs
}

// ApplyUpdate merges an update that its node sent; it reports whether the
// update was news here (to be gossiped on). An update of another
// incarnation than the ring's is ignored.
func (v *View) ApplyUpdate(u Update) bool {
	a := v.remote(u.Node)
	if a == nil || a.fencedByUs() || !a.current(u.Incarnation) {
		return false
	}
	return v.apply(a, u)
}

// apply merges an update of a's current incarnation; it reports whether
// it was news.
func (v *View) apply(a *address, u Update) bool {
	t := touched{}
	a.records.adopt(u.Incarnation, t)
	a.records.apply(u.Record, t)
	v.procs.refresh(v, t)
	_, news := t[u.Record.Key()]
	return news
}

// ErrUnknownProcess is returned by ApplyRelayed for a process its node
// has not declared.
var ErrUnknownProcess = errors.New("process its node has not declared")

// ApplyRelayed merges an update that a node relayed, or whose sender is
// unknown (gossip): only news of a process its node declared (its full
// state, or an update it sent itself) is taken, or anyone could fill the
// view with processes nobody has.
func (v *View) ApplyRelayed(u Update) (bool, error) {
	a := v.remote(u.Node)
	if a == nil || a.fencedByUs() || !a.current(u.Incarnation) {
		return false, nil
	}
	if _, ok := a.records.byKey[u.Record.Key()]; !ok {
		if a.records.fullSeq == 0 {
			// Its node's full state is still to come: nothing to
			// tell a relay of news from a forgery by yet.
			return false, nil
		}
		return false, fmt.Errorf("%s of %s: %w", u.Record.Key().Namespec(), u.Node, ErrUnknownProcess)
	}
	return v.apply(a, u), nil
}

// ErrTooManyRecords is returned by ApplyFullState for a state of more than
// MaxRecords records.
var ErrTooManyRecords = fmt.Errorf("more than %d records", MaxRecords)

// ApplyFullState merges a full state that its node sent; a CHECKING
// address whose current incarnation it is, and ready, becomes RUNNING.
func (v *View) ApplyFullState(fs FullState, now time.Time) error {
	if len(fs.Records) > MaxRecords {
		return fmt.Errorf("full state of %s: %w", fs.Node, ErrTooManyRecords)
	}
	a := v.remote(fs.Node)
	if a == nil || a.fencedByUs() {
		return nil
	}
	if !a.current(fs.Incarnation) {
		return nil
	}
	t := touched{}
	a.records.adopt(fs.Incarnation, t)
	a.records.applyFull(fs, t)
	if fs.Leaving {
		a.leaving = fs.Incarnation
	}
	if a.state == enums.AddressChecking && fs.Incarnation == a.meta.Incarnation && fs.Ready {
		v.setState(a, enums.AddressRunning, now)
		a.answered = fs.Incarnation
	}
	v.procs.refresh(v, t)
	return nil
}

// remote returns the address of another node, nil for the local one or a
// name outside address_list.
func (v *View) remote(name string) *address {
	a := v.byName[name]
	if a == v.local {
		return nil
	}
	return a
}

// setState moves a to state, noting when the set of RUNNING addresses
// changes (the election waits for it to settle) and refreshing every
// process (whether a copy counts depends on its address's state).
func (v *View) setState(a *address, state enums.AddressState, now time.Time) {
	if a.state == state {
		return
	}
	if (a.state == enums.AddressRunning) != (state == enums.AddressRunning) {
		v.lastChange = now
	}
	if isLost(state) && !isLost(a.state) {
		a.lostAt = now
	}
	a.state = state
	v.procs.refreshAddress(v, a)
}
