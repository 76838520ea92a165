package view

import (
	"cmp"
	"slices"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// Job is a piece of the master's work on one process that must outlive a
// fault: a start that could not be done yet (the deployment's, a failure
// strategy's), or a copy to stop once its address can be reached again.
// Every node keeps the same table (the acting master writes it, and it is
// sent to every member and carried by push/pull), so that whichever node
// is master carries the work on, and every node can say why a process
// waits. A Job is a plain value, safe for concurrent use.
type Job struct {
	Key Key
	// Address is empty for a start. For a stop, it is the address of the
	// copy to stop: the copy its agent of Incarnation started at Start (in
	// that node's clock), and that one only.
	Address     string
	Incarnation uint64
	Start       time.Time
	// Application marks a start that is part of its application's start
	// (deployment, RESTART_APPLICATION): it waits for the required
	// processes of the earlier phases, and the application's starting
	// failure strategy applies when it fails.
	Application bool
	// Reason says why the start waits.
	Reason string
	// Done marks a job that is over: a tombstone, so that an older copy of
	// the table cannot bring it back.
	Done bool
	// Held, on a done start, says an operator stopped the process: the
	// cluster does not start it by itself (deployment, restart of its
	// application, a failure reported late) until an operator starts it.
	Held bool
	// Replace, on a stop, says the copy is stopped only so that another
	// runs in its place (a restart, a conciliation that keeps or starts
	// one): the stop waits until another copy runs, and is over if none
	// is to. So a copy that could not be reached is not ended when its
	// replacement failed, or when the stop is another master's (of the
	// other side of a partition, that could not reach the copy, while its
	// own side kept it as the only one). A stop without it (an
	// operator's, STOP_APPLICATION, a shutdown) ends the copy whatever
	// else runs.
	Replace bool
	// Deployment is the deployment the job belongs to (see Meta); Version
	// orders the writes of one job (a Lamport clock of the deployment),
	// Writer breaks ties.
	Deployment uint64
	Version    uint64
	Writer     string
}

// jobKey identifies a job: one start per process, one stop per process
// and address.
type jobKey struct {
	Key
	Address string
}

func (j Job) key() jobKey { return jobKey{j.Key, j.Address} }

// IsStart tells a start from a stop.
func (j Job) IsStart() bool { return j.Address == "" }

// newer tells whether j is a later write than o.
func (j Job) newer(o Job) bool {
	return cmp.Or(cmp.Compare(j.Version, o.Version), cmp.Compare(j.Writer, o.Writer)) > 0
}

// Deployment returns the deployment this node belongs to: the incarnation
// of the master that deployed the applications, 0 before any.
func (v *View) Deployment() uint64 { return v.deployment }

// PutJob records a job written by the local node (the acting master): it
// is stamped with the deployment, a version above every one seen and the
// local address. It returns the job as stored, to send to the others.
func (v *View) PutJob(j Job) Job {
	v.clock++
	j.Deployment, j.Version, j.Writer = v.deployment, v.clock, v.cfg.Local
	v.setJob(j)
	return j
}

// maxVersionLead bounds how far ahead of the local clock a job's Version
// may be: one forged near the clock's end would leave no room for a write
// newer than it.
const maxVersionLead = 1 << 32

// ApplyJob merges a job written by another node; it reports whether it was
// news here. Jobs of another deployment, about an address outside
// address_list, or of a Version too far ahead (maxVersionLead) are dropped.
//
// On the master, the work it has in hand (a job it wrote that is not over)
// and the operators' stops it recorded (Held) stand over another master's
// writes of the same job, newer as they may be: after a partition heals,
// the master of the other side (that wrote them) saw the processes of this
// side lost, and its view is not this master's. An operator's stop stands
// over this master's start all the same. The job kept is written again,
// with a newer version, for the others to have it too (Reasserted).
func (v *View) ApplyJob(j Job) bool {
	if j.Address != "" && v.byName[j.Address] == nil || v.byName[j.Writer] == nil || j.Version > v.clock+maxVersionLead {
		return false
	}
	if v.deployment != 0 && j.Deployment != v.deployment {
		return false
	}
	old, ok := v.jobs[j.key()]
	if ok && !j.newer(old) {
		return false
	}
	v.clock = max(v.clock, j.Version)
	if ok && v.ownsAgainst(old, j) {
		v.reasserted = append(v.reasserted, v.PutJob(old))
		return false
	}
	v.setJob(j)
	return true
}

// setJob stores j; what is said of its process (waiting, a copy held for
// stopping) may change with it.
func (v *View) setJob(j Job) {
	v.jobs[j.key()] = j
	if j.Done {
		delete(v.pending, j.key())
	} else {
		v.pending[j.key()] = struct{}{}
	}
	v.procs.changed[j.Key] = struct{}{}
}

// ownsAgainst tells whether the local master's job old stands over
// another's write j (see ApplyJob).
func (v *View) ownsAgainst(old, j Job) bool {
	local := v.cfg.Local
	if v.master != local || old.Writer != local || j.Writer == local {
		return false
	}
	operatorStop := j.Done && j.Held && !old.Held
	return (!old.Done || old.Held) && !operatorStop
}

// Reasserted returns, and forgets, the jobs the local master wrote again
// over another master's since the last call (see ApplyJob): they must be
// sent to every member.
func (v *View) Reasserted() []Job {
	out := v.reasserted
	v.reasserted = nil
	return out
}

// adoptDeployment makes id the node's deployment: the jobs of another one
// are dropped.
func (v *View) adoptDeployment(id uint64) {
	if id == v.deployment {
		return
	}
	v.deployment = id
	for k, j := range v.jobs {
		if j.Deployment != id {
			delete(v.jobs, k)
			delete(v.pending, k)
			v.procs.changed[j.Key] = struct{}{}
		}
	}
}

// Jobs returns every job known here, tombstones included, in a stable
// order.
func (v *View) Jobs() []Job {
	out := make([]Job, 0, len(v.jobs))
	for _, j := range v.jobs {
		out = append(out, j)
	}
	slices.SortFunc(out, compareJobs)
	return out
}

// WaitingStarts returns the starts that wait (not Done), in Jobs' order.
func (v *View) WaitingStarts() []Job {
	var out []Job
	for _, j := range v.pendingJobs() {
		if j.IsStart() {
			out = append(out, j)
		}
	}
	return out
}

// pendingJobs returns the jobs not Done, in Jobs' order.
func (v *View) pendingJobs() []Job {
	out := make([]Job, 0, len(v.pending))
	for k := range v.pending {
		out = append(out, v.jobs[k])
	}
	slices.SortFunc(out, compareJobs)
	return out
}

func compareJobs(a, b Job) int {
	return cmp.Or(compareKeys(a.Key, b.Key), cmp.Compare(a.Address, b.Address))
}

// Held tells whether an operator stopped k since one last started it (see
// Job.Held).
func (v *View) Held(k Key) bool {
	j, ok := v.jobs[jobKey{Key: k}]
	return ok && j.Done && j.Held
}

// Waiting returns the start of k that waits, if any.
func (v *View) Waiting(k Key) (Job, bool) {
	j, ok := v.jobs[jobKey{Key: k}]
	return j, ok && !j.Done
}

// Runs tells whether k runs on an address that counts (RUNNING), on a copy
// that is not held for stopping: a copy a stop job is about to end does
// not make a start needless.
func (v *View) Runs(k Key) bool {
	if _, running := v.procs.running[k]; !running {
		return false
	}
	for _, a := range v.addresses {
		r, ok := a.records.get(k)
		if !ok || a.state != enums.AddressRunning || !r.State.IsRunning() {
			continue
		}
		if !v.heldForStop(k, a, r) {
			return true
		}
	}
	return false
}

// heldForStop tells whether the copy r of k on a is the one a stop job
// waits to stop.
func (v *View) heldForStop(k Key, a *address, r ProcessRecord) bool {
	stop, held := v.jobs[jobKey{k, a.name}]
	return held && !stop.Done && stop.Incarnation == a.records.incarnation && stop.Start.Equal(r.Start)
}

// JobPlan is what the acting master is to do about its jobs now.
type JobPlan struct {
	// Run are the jobs that can be carried out: starts with an address
	// that may take them and no earlier phase left to wait for, stops of
	// copies that can be reached.
	Run []Job
	// Over are the jobs that need nothing more: the process runs (a
	// start), or the copy is gone (a stop). They are to be marked Done.
	Over []Job
}

// PlanJobs decides what the acting master does about the jobs; nothing
// elsewhere. The caller leaves out of Run what it is already doing.
func (v *View) PlanJobs() JobPlan {
	var plan JobPlan
	if !v.acting() {
		return plan
	}
	pending := v.pendingJobs()
	if len(pending) == 0 {
		return plan
	}
	// The earliest phase of each application that still waits for a
	// required process: later phases wait for it.
	firstWait := map[string]int{}
	for _, j := range pending {
		if j.IsStart() && j.Application && v.cfg.Required(j.Key) && !v.Runs(j.Key) {
			seq := v.cfg.StartSequence(j.Key)
			if first, ok := firstWait[j.Key.Group]; !ok || seq < first {
				firstWait[j.Key.Group] = seq
			}
		}
	}
	loads := make(map[*address]int, len(v.addresses))
	for _, a := range v.addresses {
		loads[a] = v.loading(a)
	}
	for _, j := range pending {
		var over, run bool
		if j.IsStart() {
			first, waits := firstWait[j.Key.Group]
			blocked := j.Application && waits && first < v.cfg.StartSequence(j.Key)
			over = v.Runs(j.Key)
			run = !over && !blocked && v.placeable(j.Key, loads)
		} else {
			over, run = v.stopState(j, loads)
		}
		switch {
		case over:
			plan.Over = append(plan.Over, j)
		case run:
			plan.Run = append(plan.Run, j)
		}
	}
	return plan
}

// placeable tells whether some address the rules allow could take k now:
// RUNNING, with k in its configuration (and not running there: a copy held
// for stopping), and room for its loading.
func (v *View) placeable(k Key, loads map[*address]int) bool {
	loading := v.cfg.Loading(k)
	for _, name := range v.allowed(k) {
		a := v.byName[name]
		if a == nil || a.state != enums.AddressRunning {
			continue
		}
		if r, ok := a.records.get(k); ok && !r.State.IsRunning() && loads[a]+loading < 100 {
			return true
		}
	}
	return false
}

// allowed is the addresses k's rules allow, address_list without rules.
func (v *View) allowed(k Key) []string {
	if v.cfg.Addresses == nil {
		return v.cfg.AddressList
	}
	return v.cfg.Addresses(k)
}

// stopState tells whether a stop job is over (the copy is gone: its agent
// restarted, or the process no longer runs or was started again since;
// for a Replace stop, no other copy runs nor is to be started), or can be
// carried out (its address is back, with the copy running; for a Replace
// stop, another copy running, or a start to come that only its address
// can take). loads are the addresses' loadings.
func (v *View) stopState(j Job, loads map[*address]int) (over, run bool) {
	a := v.byName[j.Address]
	switch {
	case a == nil:
		return true, false
	case a.records.incarnation != j.Incarnation:
		return a.records.incarnation != 0, false
	case a.state != enums.AddressRunning:
		return false, false
	}
	r, ok := a.records.get(j.Key)
	if !ok || !r.State.IsRunning() || !r.Start.Equal(j.Start) {
		return true, false
	}
	if !j.Replace || v.Runs(j.Key) {
		return false, true
	}
	// The start to come goes first where another address can take it;
	// else this stop makes room for it on its address.
	if _, starting := v.Waiting(j.Key); starting {
		return false, !v.placeable(j.Key, loads)
	}
	return true, false
}
