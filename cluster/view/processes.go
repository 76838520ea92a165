package view

import (
	"cmp"
	"slices"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// ProcessInfo is a process as the whole cluster sees it.
type ProcessInfo struct {
	Group, Name string
	// State is the state of its running copy (RUNNING before BACKOFF
	// before STARTING when there are several), or else that of its latest
	// event on any address.
	State enums.ProcessState
	// Addresses lists, in address_list order, the RUNNING addresses where
	// it is STARTING, RUNNING or BACKOFF; more than one is a conflict.
	Addresses []string
	// ExpectedExit tells whether its last exit was expected (true while it
	// runs).
	ExpectedExit bool
	// LastEventTime is the time of the event State comes from.
	LastEventTime time.Time
	// SpawnErr explains a FATAL state ("node 10.0.0.2 lost" when the node
	// it ran on was lost).
	SpawnErr string
	// Copies has one entry per address with the process in its
	// configuration, in address_list order.
	Copies []Copy
	// Waiting says why the cluster has not started it yet, when it is to
	// (a job of the master waits for an address): "" otherwise.
	Waiting string
}

// Key returns the process's key.
func (p ProcessInfo) Key() Key { return Key{p.Group, p.Name} }

// Copy is the process on one address.
type Copy struct {
	Address string
	Record  ProcessRecord
	// Counts: the address is RUNNING and the copy in a running state.
	Counts bool
	// Stopping: the copy is held for a stop job of the master's (it was
	// left running where it could not be reached); it goes away already.
	Stopping bool
}

// processIndex keeps the keys of every process known on any address, in
// order, and the set of conflicts, up to date as records change.
type processIndex struct {
	// present holds the keys known on any address, with the addresses
	// that have records of them (in address_list order): describing a
	// process looks at those, not at every address.
	present   map[Key][]*address
	sorted    []Key // nil when it must be rebuilt
	conflicts map[Key]struct{}
	// running holds the processes with a running copy, with the addresses
	// of their running copies.
	running map[Key][]*address
	// changed holds the keys examined since the last TakeChanged.
	changed map[Key]struct{}
}

func newProcessIndex() processIndex {
	return processIndex{present: map[Key][]*address{}, conflicts: map[Key]struct{}{}, running: map[Key][]*address{},
		changed: map[Key]struct{}{}}
}

// TakeChanged returns the processes whose records or jobs changed, or
// that have a record on an address whose state changed, since the last
// call (all that what Process says of them depends on), and forgets them:
// who waits for one process (a start, a stop) is woken by its changes
// only, not by every change of the view, and the event feed describes
// those only.
func (v *View) TakeChanged() map[Key]struct{} {
	t := v.procs.changed
	if len(t) > 0 {
		v.procs.changed = map[Key]struct{}{}
	}
	return t
}

// refresh re-examines the keys whose records changed.
func (x *processIndex) refresh(v *View, t touched) {
	for k := range t {
		x.examine(v, k)
	}
}

// refreshAddress re-examines the keys a has records of: a changed state,
// which counts for no other key.
func (x *processIndex) refreshAddress(v *View, a *address) {
	for k := range a.records.byKey {
		x.examine(v, k)
	}
}

func (x *processIndex) examine(v *View, k Key) {
	x.changed[k] = struct{}{}
	var holders, running []*address
	for _, a := range v.addresses {
		if r, ok := a.records.get(k); ok {
			holders = append(holders, a)
			if a.state == enums.AddressRunning && r.State.IsRunning() {
				running = append(running, a)
			}
		}
	}
	if _, was := x.present[k]; was != (len(holders) > 0) {
		x.sorted = nil
	}
	if len(holders) > 0 {
		x.present[k] = holders
	} else {
		delete(x.present, k)
	}
	if len(running) > 1 {
		x.conflicts[k] = struct{}{}
	} else {
		delete(x.conflicts, k)
	}
	was := x.running[k]
	switch {
	case len(running) > 0:
		x.running[k] = running
		// Running again: an earlier failure is no longer to be handled
		// (one kept would restart it once an operator stopped it, should
		// this node become the master).
		delete(v.crashed, k)
	case len(was) > 0:
		delete(x.running, k)
		if endedInFailure(k, was) {
			v.crashed[k] = v.actingMaster()
		}
	}
}

// endedInFailure tells whether the last running copies of k, on was, ended
// in a failure: one is FATAL or exited unexpectedly, its node was lost, or
// its agent restarted (its records went with it). Each copy is judged on
// its own record: the times of records of different nodes are in different
// clocks, and which is the latest says nothing.
func endedInFailure(k Key, was []*address) bool {
	for _, a := range was {
		r, ok := a.records.byKey[k]
		switch {
		case !ok || isLost(a.state):
			return true
		case r.Removed || !copiesCount(a.state):
			// Out of its configuration, or its node being checked anew:
			// not a failure, or not known yet.
		case r.State == enums.ProcessFatal || r.State == enums.ProcessExited && !r.Expected:
			return true
		}
	}
	return false
}

func (x *processIndex) keys() []Key {
	if x.sorted == nil {
		x.sorted = make([]Key, 0, len(x.present))
		for k := range x.present {
			x.sorted = append(x.sorted, k)
		}
		slices.SortFunc(x.sorted, compareKeys)
	}
	return x.sorted
}

func compareKeys(a, b Key) int {
	return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Name, b.Name))
}

// runningPriority is the order in which the state of a conflict is chosen.
var runningPriority = []enums.ProcessState{enums.ProcessRunning, enums.ProcessBackoff, enums.ProcessStarting}

// info aggregates the copies of k over every address.
func (v *View) info(k Key) ProcessInfo { return v.describe(k, nil, nil) }

// describe is info with its copies and addresses appended to copies[:0]
// and addresses[:0]: a reader of the states alone reuses them from one
// process to the next (ApplicationState).
func (v *View) describe(k Key, copies []Copy, addresses []string) ProcessInfo {
	p := ProcessInfo{Group: k.Group, Name: k.Name, Copies: copies[:0], Addresses: addresses[:0]}
	latest := -1
	for _, a := range v.procs.present[k] {
		r, ok := a.records.get(k)
		if !ok {
			continue
		}
		switch {
		case isLost(a.state) && r.State.IsRunning():
			r.State, r.SpawnErr, r.Changed, r.PID = enums.ProcessFatal, "node "+a.name+" lost", a.lostAt, 0
		case a.state != enums.AddressRunning && r.State.IsRunning():
			// Its node is being checked anew: what runs there is not
			// known yet.
			r.State, r.PID = enums.ProcessUnknown, 0
		}
		c := Copy{Address: a.name, Record: r, Counts: a.state == enums.AddressRunning && r.State.IsRunning(), Stopping: v.heldForStop(k, a, r)}
		p.Copies = append(p.Copies, c)
		if c.Counts {
			p.Addresses = append(p.Addresses, a.name)
		}
		if latest < 0 || r.Changed.After(p.Copies[latest].Record.Changed) {
			latest = len(p.Copies) - 1
		}
	}
	if j, ok := v.Waiting(k); ok && len(p.Addresses) == 0 {
		p.Waiting = j.Reason
	}
	if len(p.Addresses) > 0 {
		p.ExpectedExit = true
		c := runningCopy(p.Copies)
		p.State, p.LastEventTime = c.Record.State, c.Record.Changed
		return p
	}
	if latest >= 0 {
		r := p.Copies[latest].Record
		p.State, p.ExpectedExit, p.LastEventTime, p.SpawnErr = r.State, r.Expected, r.Changed, r.SpawnErr
	}
	return p
}

// runningCopy is the copy whose state stands for a process that runs:
// RUNNING before BACKOFF before STARTING, ties in address_list order.
func runningCopy(copies []Copy) Copy {
	for _, want := range runningPriority {
		if i := slices.IndexFunc(copies, func(c Copy) bool { return c.Counts && c.Record.State == want }); i >= 0 {
			return copies[i]
		}
	}
	return Copy{}
}

// Record returns what address said last of k, false when it has no such
// process (or is not in address_list).
func (v *View) Record(address string, k Key) (ProcessRecord, bool) {
	a := v.byName[address]
	if a == nil {
		return ProcessRecord{}, false
	}
	return a.records.get(k)
}

// Process describes group:name across the cluster; false when no address
// has it.
func (v *View) Process(k Key) (ProcessInfo, bool) {
	if _, ok := v.procs.present[k]; !ok {
		return ProcessInfo{}, false
	}
	return v.info(k), true
}

// Processes describes every process of the cluster, sorted by group then
// name.
func (v *View) Processes() []ProcessInfo {
	keys := v.procs.keys()
	out := make([]ProcessInfo, len(keys))
	for i, k := range keys {
		out[i] = v.info(k)
	}
	return out
}

// ProcessesOf describes every process of group, sorted by name.
func (v *View) ProcessesOf(group string) []ProcessInfo {
	var out []ProcessInfo
	for _, k := range v.KeysOf(group) {
		out = append(out, v.info(k))
	}
	return out
}

// KeysOf lists the processes of group, sorted by name, without describing
// them: what a plan of 1,000 processes needs, at a fraction of the cost.
func (v *View) KeysOf(group string) []Key {
	keys := v.procs.keys()
	i, _ := slices.BinarySearchFunc(keys, group, func(k Key, g string) int { return cmp.Compare(k.Group, g) })
	j := i
	for j < len(keys) && keys[j].Group == group {
		j++
	}
	return slices.Clone(keys[i:j])
}

// Conflicts describes the processes running on more than one address,
// sorted by group then name.
func (v *View) Conflicts() []ProcessInfo {
	var out []ProcessInfo
	for _, k := range v.procs.keys() {
		if _, ok := v.procs.conflicts[k]; ok {
			out = append(out, v.info(k))
		}
	}
	return out
}

// HasConflicts tells whether any process runs on more than one address.
func (v *View) HasConflicts() bool { return len(v.procs.conflicts) > 0 }
