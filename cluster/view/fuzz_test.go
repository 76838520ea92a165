package view

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// FuzzHostilePeer drives a real view with what peers holding the gossip
// key may send (ring news, updates, full states, jobs, orders, re-admits,
// heartbeats: of addresses outside address_list, of the local node itself,
// with sequence numbers and incarnations that go back, with huge numbers
// of records, with garbage strings), mixed with the local node's own
// changes and the passing of time, and checks after every step that:
//   - nothing panics;
//   - the local node's records change only by its own hand;
//   - no record, address or job of a name outside address_list appears;
//   - gossip never takes an address back to an older incarnation than the
//     ring announced, and an older record of a key (a lower Seq of the same
//     agent) never replaces a newer one;
//   - the process index (Processes, Process, Conflicts, the loadings)
//     agrees with a recomputation from the records;
//   - the effects name only other addresses of address_list.
//
// The input is a program: its first byte configures the view, then each
// byte picks an operation of hostileOps, whose arguments are the next
// bytes (see fuzzInput).
func FuzzHostilePeer(f *testing.F) {
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h := newHostile(t, data)
		for step := 0; h.in.more() && step < maxHostileSteps; step++ {
			op := hostileOps[h.in.intn(len(hostileOps))]
			h.fencedRecords = h.recordsOfFenced()
			eff := op.do(h)
			eff.Merge(h.v.Tick(h.now))
			h.carryOut(eff)
			h.check(step, op.name, op.remote, eff)
		}
	})
}

// maxHostileSteps bounds a program: long enough for a cluster to form and
// a peer to misbehave in many ways, short enough that every input runs in
// well under a second, its minimization included.
const maxHostileSteps = 64

// fuzzNames are the names a peer may give: address_list (a1 is the local
// node), a name outside it, and none.
var fuzzNames = []string{a1, a2, a3, "10.0.0.9", ""}

// fuzzKeys are the processes a peer names, but for garbage.
var fuzzKeys = []Key{{"g", "p"}, {"g", "q"}, {"h", "p"}, {"h", "long name"}, {"", ""}, {"g", ""}}

// fuzzStates are the process states a record may have, garbage last.
var fuzzStates = []enums.ProcessState{enums.ProcessStopped, enums.ProcessStarting, enums.ProcessRunning, enums.ProcessBackoff,
	enums.ProcessStopping, enums.ProcessExited, enums.ProcessFatal, enums.ProcessUnknown, enums.ProcessState(-7)}

// fuzzInput hands out the fuzzer's bytes as choices; past the end, zeros.
// Every method but garbage reads one byte, so that seeds can be written
// by hand (hostileSeeds).
type fuzzInput struct{ data []byte }

func (in *fuzzInput) more() bool { return len(in.data) > 0 }

func (in *fuzzInput) byte() byte {
	if len(in.data) == 0 {
		return 0
	}
	b := in.data[0]
	in.data = in.data[1:]
	return b
}

func (in *fuzzInput) intn(n int) int { return int(in.byte()) % n }

// number is mostly small, so that sequence numbers and incarnations meet
// and go back, and sometimes at the ends of the range.
func (in *fuzzInput) number() uint64 {
	b := in.byte()
	if b < 0xf0 {
		return uint64(b % 16)
	}
	return []uint64{1 << 32, 1 << 63, math.MaxUint64 - 1, math.MaxUint64}[b%4]
}

// garbage reads a length, then that many bytes as a string.
func (in *fuzzInput) garbage() string {
	n := in.intn(8)
	var b []byte
	for range n {
		b = append(b, in.byte())
	}
	return string(b)
}

func (in *fuzzInput) name() string {
	if i := in.intn(8); i < len(fuzzNames) {
		return fuzzNames[i]
	}
	return in.garbage()
}

func (in *fuzzInput) key() Key {
	if i := in.intn(8); i < len(fuzzKeys) {
		return fuzzKeys[i]
	}
	return Key{in.garbage(), in.garbage()}
}

func (in *fuzzInput) time() time.Time {
	if n := in.number(); n != 0 {
		return time.Unix(0, int64(n))
	}
	return time.Time{}
}

// record reads a key, a state, a start, a change time, a pid, a seq and
// flags (bit 0 expected, bit 1 removed, bit 2 a garbage spawn error).
func (in *fuzzInput) record() ProcessRecord {
	k := in.key()
	r := ProcessRecord{Group: k.Group, Name: k.Name, State: fuzzStates[in.intn(len(fuzzStates))],
		Start: in.time(), Changed: in.time(), PID: int(in.number()), Seq: in.number()}
	flags := in.byte()
	r.Expected, r.Removed = flags&1 != 0, flags&2 != 0
	if flags&4 != 0 {
		r.SpawnErr = in.garbage()
	}
	return r
}

// meta reads an incarnation, a state, a master, flags (bit 0: a fence
// bitmap byte follows, bit 1: garbage rules follow) and a deployment.
func (in *fuzzInput) meta() Meta {
	m := Meta{Incarnation: in.number(), State: enums.SupvisorsState(in.intn(9)), Master: in.name()}
	flags := in.byte()
	if flags&1 != 0 {
		m.Fenced = []byte{in.byte()}
	}
	if flags&2 != 0 {
		m.Rules = []byte(in.garbage())
	}
	m.Deployment = in.number()
	return m
}

// hostile is one run of FuzzHostilePeer: the view of a1 and what the
// checks remember between steps.
type hostile struct {
	t   *testing.T
	in  *fuzzInput
	cfg Config
	v   *View
	now time.Time
	// local is the local full state as the local node last left it.
	local FullState
	// keys are every key handed to the view.
	keys map[Key]struct{}
	// newest is the newest record seen of each key of each address, per
	// incarnation.
	newest map[seen]ProcessRecord
	// incarnations are the last seen of each address.
	incarnations map[string]uint64
	// announced are the incarnations the ring said were alive (no key).
	announced map[seen]bool
	// fencedRecords are the records of the addresses fenced before the
	// step.
	fencedRecords map[string]map[Key]ProcessRecord
}

type seen struct {
	address     string
	incarnation uint64
	key         Key
}

// newHostile configures the view from the first byte: bit 0 auto_fence,
// bits 1-2 the quorum, bit 3 a carried restart order naming a2.
func newHostile(t *testing.T, data []byte) *hostile {
	in := &fuzzInput{data}
	b := in.byte()
	cfg := testConfig(a1)
	cfg.AutoFence = b&1 != 0
	cfg.Quorum = int(b>>1) % 3
	cfg.FenceDelay = time.Second
	if b&8 != 0 {
		cfg.Carried = &Order{Restart: true, Targets: map[string]uint64{a2: 1}}
	}
	cfg.Loading = func(k Key) int { return 1 + len(k.Name)%5 }
	cfg.Required = func(k Key) bool { return k.Name == "p" }
	cfg.StartSequence = func(k Key) int { return len(k.Group) }
	h := &hostile{t: t, in: in, cfg: cfg, v: New(cfg, localInc, t0), now: t0,
		keys: map[Key]struct{}{}, newest: map[seen]ProcessRecord{}, incarnations: map[string]uint64{}, announced: map[seen]bool{}}
	h.local = h.v.LocalState()
	return h
}

// hostileOp is one thing that may happen to a view. remote marks what
// other nodes cause: it must leave the local records alone. A new input of
// the view (a new message type) is one more line of hostileOps.
type hostileOp struct {
	name   string
	remote bool
	do     func(h *hostile) Effects
}

var hostileOps = []hostileOp{
	{"member alive", true, func(h *hostile) Effects {
		name, meta := h.in.name(), h.in.meta()
		h.announced[seen{address: name, incarnation: meta.Incarnation}] = true
		return h.v.MemberAlive(name, meta, h.now)
	}},
	{"member dead", true, func(h *hostile) Effects { return h.v.MemberDead(h.in.name(), h.now) }},
	{"update", true, func(h *hostile) Effects {
		h.v.ApplyUpdate(Update{Node: h.in.name(), Incarnation: h.in.number(), Record: h.record()})
		return Effects{}
	}},
	{"full state", true, func(h *hostile) Effects {
		fs := FullState{Node: h.in.name(), Incarnation: h.in.number(), Seq: h.in.number()}
		flags := h.in.byte()
		fs.Leaving, fs.Ready = flags&1 != 0, flags&2 != 0
		for range h.in.intn(8) {
			fs.Records = append(fs.Records, h.record())
		}
		h.v.ApplyFullState(fs, h.now)
		return Effects{}
	}},
	{"flood", true, func(h *hostile) Effects {
		fs := FullState{Node: h.in.name(), Incarnation: h.in.number(), Seq: h.in.number(), Ready: true}
		state := fuzzStates[h.in.intn(len(fuzzStates))]
		n := 8 * h.in.intn(16)
		if n == 8*15 {
			n = 1000 // rarely: a big cluster's worth, at once
		}
		for i := range n {
			k := Key{"flood", strconv.Itoa(i)}
			h.keys[k] = struct{}{}
			fs.Records = append(fs.Records, ProcessRecord{Group: k.Group, Name: k.Name, State: state, Seq: uint64(i)})
		}
		h.v.ApplyFullState(fs, h.now)
		return Effects{}
	}},
	{"heartbeat", true, func(h *hostile) Effects {
		h.v.Heartbeat(h.in.name(), h.in.time(), h.now)
		return Effects{}
	}},
	{"job", true, func(h *hostile) Effects {
		k := h.key()
		j := Job{Key: k, Address: h.in.name(), Incarnation: h.in.number(), Start: h.in.time(), Reason: h.in.garbage(),
			Deployment: h.in.number(), Version: h.in.number(), Writer: h.in.name()}
		flags := h.in.byte()
		j.Application, j.Done = flags&1 != 0, flags&2 != 0
		h.v.ApplyJob(j)
		return Effects{}
	}},
	{"order", true, func(h *hostile) Effects {
		return h.v.Ordered(Order{Restart: h.in.byte()&1 != 0, Targets: map[string]uint64{h.in.name(): h.in.number()}})
	}},
	{"readmit", true, func(h *hostile) Effects {
		eff, _ := h.v.Readmit(h.in.name(), h.now)
		return eff
	}},
	{"admit", true, func(h *hostile) Effects {
		_ = h.v.Admit(h.in.name(), h.in.meta())
		return Effects{}
	}},
	{"local process", false, func(h *hostile) Effects {
		h.v.SetLocal(h.record())
		return Effects{}
	}},
	{"local ready", false, func(h *hostile) Effects {
		h.v.SetReady()
		return Effects{}
	}},
	{"local job", false, func(h *hostile) Effects {
		// The master's start, or stop of a copy on an address of
		// address_list.
		j := Job{Key: h.key(), Reason: "fuzz"}
		if i := h.in.intn(len(h.cfg.AddressList) + 1); i < len(h.cfg.AddressList) {
			j.Address, j.Incarnation, j.Start = h.cfg.AddressList[i], h.in.number(), h.in.time()
		}
		h.v.PutJob(j)
		return Effects{}
	}},
	{"local stop request", false, func(h *hostile) Effects {
		_ = h.v.RequestStop(h.in.byte()&1 != 0)
		return Effects{}
	}},
	{"time passes", false, func(h *hostile) Effects {
		h.now = h.now.Add(time.Duration(h.in.byte()) * 50 * time.Millisecond)
		return Effects{}
	}},
}

// record reads a record, noting its key.
func (h *hostile) record() ProcessRecord {
	r := h.in.record()
	h.keys[r.Key()] = struct{}{}
	return r
}

// key reads a key, noting it.
func (h *hostile) key() Key {
	k := h.in.key()
	h.keys[k] = struct{}{}
	return k
}

// carryOut does what the cluster does of the effects that feed the view
// back.
func (h *hostile) carryOut(eff Effects) {
	if eff.Deploy {
		h.v.DeploymentDone()
	}
	if eff.StopAll {
		h.v.StoppedAll()
	}
}

func (h *hostile) check(step int, op string, remote bool, eff Effects) {
	t, v := h.t, h.v
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("step %d (%s): "+format, append([]any{step, op}, args...)...)
	}

	local := v.LocalState()
	if local.Node != a1 || local.Incarnation != localInc {
		fail("local state of %s incarnation %d", local.Node, local.Incarnation)
	}
	if remote && !sameFullState(local, h.local) {
		fail("a peer changed the local records:\n%+v\nbecame\n%+v", h.local, local)
	}
	h.local = local

	addresses := v.Addresses(h.now)
	if !slices.EqualFunc(addresses, h.cfg.AddressList, func(a AddressInfo, name string) bool { return a.Name == name }) {
		fail("addresses %+v", addresses)
	}
	states := map[string]enums.AddressState{}
	for _, a := range addresses {
		states[a.Name] = a.State
		old := h.incarnations[a.Name]
		if a.Incarnation == old {
			continue
		}
		// The ring says which agent is current (incarnations come from
		// clocks, which may be set back); gossip may only tell of a later
		// one before the ring has spoken, or of the one it announced.
		if op != "member alive" && a.Incarnation < old && !h.announced[seen{address: a.Name, incarnation: a.Incarnation}] {
			fail("incarnation of %s went back from %d to %d", a.Name, old, a.Incarnation)
		}
		h.incarnations[a.Name] = a.Incarnation
		// Another agent: its records start afresh.
		for at := range h.newest {
			if at.address == a.Name {
				delete(h.newest, at)
			}
		}
	}
	if states[a1] != enums.AddressRunning {
		fail("local address %v", states[a1])
	}

	for _, u := range v.OthersRecords() {
		if u.Node == a1 || !slices.Contains(h.cfg.AddressList, u.Node) || u.Incarnation != h.incarnations[u.Node] {
			fail("record of %q incarnation %d: %+v", u.Node, u.Incarnation, u.Record)
		}
		at := seen{u.Node, u.Incarnation, u.Record.Key()}
		old, ok := h.newest[at]
		switch {
		case ok && u.Record.Seq < old.Seq:
			fail("record %+v of %s replaced by the older %+v", old, u.Node, u.Record)
		case ok && u.Record.Seq == old.Seq && u.Record != old:
			fail("record %+v of %s replaced by %+v of the same seq", old, u.Node, u.Record)
		}
		h.newest[at] = u.Record
	}

	if remote && op != "member alive" {
		// Only the ring's news that its next agent is alive lets a fenced
		// address back.
		for name, before := range h.fencedRecords {
			if now := h.recordsOf(name); !maps.Equal(now, before) {
				fail("records of %s, fenced, changed from %v to %v", name, before, now)
			}
		}
	}

	if st, m := v.State(), v.Master(); st < enums.SupvisorsInitialization || st > enums.SupvisorsShutdown || m != "" && !slices.Contains(h.cfg.AddressList, m) {
		fail("state %v, master %q", st, m)
	}
	if m := v.LocalMeta(); m.Incarnation != localInc || m.State != v.State() || m.Master != v.Master() {
		fail("local meta %+v", m)
	}

	h.checkProcesses(fail, states)
	h.checkApplications(fail)

	plan := v.PlanJobs()
	for _, j := range slices.Concat(v.Jobs(), plan.Run, plan.Over) {
		if j.Address != "" && !slices.Contains(h.cfg.AddressList, j.Address) || !slices.Contains(h.cfg.AddressList, j.Writer) {
			fail("job %+v", j)
		}
	}
	for _, name := range slices.Concat(eff.RequestState, eff.SendOrder) {
		if name == a1 || !slices.Contains(h.cfg.AddressList, name) {
			fail("effects name %q: %+v", name, eff)
		}
	}
}

// checkProcesses recomputes, from the records alone, which processes
// exist, where each runs, the conflicts and the loadings, and compares.
func (h *hostile) checkProcesses(fail func(string, ...any), states map[string]enums.AddressState) {
	v := h.v
	var present, conflicts []Key
	loading := map[string]int{}
	for k := range h.keys {
		for _, outside := range []string{"10.0.0.9", ""} {
			if r, ok := v.Record(outside, k); ok {
				fail("record of %q: %+v", outside, r)
			}
		}
		var on, running []string
		for _, a := range h.cfg.AddressList {
			r, ok := v.Record(a, k)
			if !ok {
				continue
			}
			on = append(on, a)
			if states[a] == enums.AddressRunning && r.State.IsRunning() {
				running = append(running, a)
				loading[a] += h.cfg.Loading(k)
			}
		}
		p, ok := v.Process(k)
		if ok != (len(on) > 0) {
			fail("Process(%v) found %v, records on %v", k, ok, on)
		}
		if !ok {
			continue
		}
		present = append(present, k)
		if len(running) > 1 {
			conflicts = append(conflicts, k)
		}
		copies := make([]string, len(p.Copies))
		for i, c := range p.Copies {
			copies[i] = c.Address
		}
		if !slices.Equal(copies, on) || !slices.Equal(p.Addresses, running) {
			fail("Process(%v): copies on %v running on %v, records on %v running on %v", k, copies, p.Addresses, on, running)
		}
		if v.Runs(k) && len(running) == 0 {
			fail("Runs(%v) but no copy runs", k)
		}
		for _, c := range p.Copies {
			if up := v.Uptime(c.Address, c.Record.Start, h.now); up < 0 {
				fail("uptime of %v on %s: %v", k, c.Address, up)
			}
		}
	}
	slices.SortFunc(present, compareKeys)
	slices.SortFunc(conflicts, compareKeys)
	keysOf := func(ps []ProcessInfo) []Key {
		out := make([]Key, len(ps))
		for i, p := range ps {
			out[i] = p.Key()
		}
		return out
	}
	if got := keysOf(v.Processes()); !slices.Equal(got, present) {
		fail("Processes() %v, records of %v", got, present)
	}
	if got := keysOf(v.Conflicts()); !slices.Equal(got, conflicts) || v.HasConflicts() != (len(conflicts) > 0) {
		fail("Conflicts() %v (HasConflicts %v), records say %v", got, v.HasConflicts(), conflicts)
	}
	for _, a := range v.Addresses(h.now) {
		if a.Loading != loading[a.Name] {
			fail("loading of %s %d, records say %d", a.Name, a.Loading, loading[a.Name])
		}
	}
}

// checkApplications checks the applications and the processes of each
// agree with Processes.
func (h *hostile) checkApplications(fail func(string, ...any)) {
	v := h.v
	byGroup := map[string][]Key{}
	var groups []string
	for _, p := range v.Processes() {
		if _, ok := byGroup[p.Group]; !ok {
			groups = append(groups, p.Group)
		}
		byGroup[p.Group] = append(byGroup[p.Group], p.Key())
	}
	apps := v.Applications()
	if len(apps) != len(groups) {
		fail("applications %+v, groups %v", apps, groups)
	}
	for i, app := range apps {
		if app.Name != groups[i] {
			fail("applications %+v, groups %v", apps, groups)
		}
		if one, ok := v.Application(app.Name); !ok || one != app {
			fail("Application(%q) = %+v, %v; Applications has %+v", app.Name, one, ok, app)
		}
		if state, ok := v.ApplicationState(app.Name); !ok || state != app.State {
			fail("ApplicationState(%q) = %v, %v; Applications has %+v", app.Name, state, ok, app)
		}
	}
	for _, g := range []string{"\x00", "zzz"} {
		if state, ok := v.ApplicationState(g); ok && !slices.Contains(groups, g) {
			fail("ApplicationState(%q) = %v of no process", g, state)
		}
	}
	for _, g := range append(groups, "\x00", "zzz") {
		var got []Key
		for _, p := range v.ProcessesOf(g) {
			got = append(got, p.Key())
		}
		if !slices.Equal(got, byGroup[g]) {
			fail("ProcessesOf(%q) = %v, Processes has %v", g, got, byGroup[g])
		}
	}
}

// recordsOfFenced returns the records of every address fenced by the
// local node.
func (h *hostile) recordsOfFenced() map[string]map[Key]ProcessRecord {
	out := map[string]map[Key]ProcessRecord{}
	bitmap := h.v.LocalMeta().Fenced
	for i, name := range h.cfg.AddressList {
		if fences(bitmap, i) {
			out[name] = h.recordsOf(name)
		}
	}
	return out
}

// recordsOf returns the live records of address name.
func (h *hostile) recordsOf(name string) map[Key]ProcessRecord {
	out := map[Key]ProcessRecord{}
	for k := range h.keys {
		if r, ok := h.v.Record(name, k); ok {
			out[k] = r
		}
	}
	return out
}

// sameFullState compares full states, nil and empty records alike.
func sameFullState(a, b FullState) bool {
	return slices.Equal(a.Records, b.Records) &&
		a.Seq == b.Seq && a.Node == b.Node && a.Incarnation == b.Incarnation && a.Leaving == b.Leaving && a.Ready == b.Ready
}

// hostileSeeds are programs for FuzzHostilePeer (one byte per argument but
// garbage: see fuzzInput): peers that join and sync, then conflict or
// replay older records; one that floods; one that claims the local node.
func hostileSeeds() [][]byte {
	op := func(name string, args ...byte) []byte {
		i := slices.IndexFunc(hostileOps, func(o hostileOp) bool { return o.name == name })
		return append([]byte{byte(i)}, args...)
	}
	const (
		nameA1, nameA2, nameA3, outsider = 0, 1, 2, 3
		keyGP, keyGQ                     = 0, 1
		running, fatal                   = 2, 6
	)
	// record: key, state, start, changed, pid, seq, flags.
	rec := func(key, state, seq byte) []byte { return []byte{key, state, 3, 4, 5, seq, 0} }
	joinA2 := slices.Concat(
		op("local process", rec(keyGP, running, 0)...),
		op("local ready"),
		op("member alive", nameA2, 1, 0, nameA1, 0, 0), // incarnation 1
		op("full state", slices.Concat([]byte{nameA2, 1, 5, 2, 2}, rec(keyGP, running, 4), rec(keyGQ, running, 5))...),
		op("time passes", 100),
	)
	joinA3 := slices.Concat(
		op("member alive", nameA3, 2, 0, nameA1, 0, 0), // incarnation 2
		op("full state", slices.Concat([]byte{nameA3, 2, 7, 2, 1}, rec(keyGP, running, 7))...),
		op("time passes", 60),
		op("time passes", 60),
	)
	return [][]byte{
		// Three nodes in OPERATION, g:p running on two: a conflict; then
		// a2 goes back in time and dies.
		append([]byte{0}, slices.Concat(joinA2, joinA3,
			op("update", append([]byte{nameA2, 1}, rec(keyGP, fatal, 2)...)...),
			op("member alive", nameA2, 0, 2, nameA2, 0, 0),
			op("member dead", nameA2),
			op("time passes", 60),
		)...),
		append([]byte{0}, slices.Concat(joinA2,
			op("update", append([]byte{nameA2, 1}, rec(keyGP, fatal, 3)...)...), // older
			op("update", append([]byte{nameA2, 0}, rec(keyGP, fatal, 9)...)...), // older incarnation
			op("update", append([]byte{nameA1, 1}, rec(keyGP, fatal, 9)...)...), // the local node
			op("update", append([]byte{outsider, 1}, rec(keyGP, running, 9)...)...),
			op("full state", slices.Concat([]byte{nameA2, 1, 3, 2, 1}, rec(keyGQ, fatal, 2))...), // older full state
			op("member dead", nameA2),
			op("time passes", 200),
		)...),
		append([]byte{1 | 2<<1}, slices.Concat(joinA2,
			op("flood", nameA2, 1, 15, running, 15),
			op("flood", nameA3, 0xff, 15, running, 15),
			op("member alive", nameA3, 1, 0, nameA1, 1, 0xff, 0),
			op("job", keyGP, outsider, 1, 1, 0, 0, 1, nameA2, 1),
			op("order", 1, nameA1, 1),
			op("member dead", nameA2),
			op("time passes", 255),
			op("readmit", nameA2),
		)...),
		append([]byte{8}, slices.Concat(
			op("member alive", nameA2, 1, 4, nameA2, 0, 1),
			op("member alive", nameA1, 1, 0, nameA1, 0, 0),
			op("full state", nameA1, 1, 1, 3, 1, keyGP, running, 3, 4, 5, 1, 0),
			op("heartbeat", outsider, 0xff),
			op("local stop request", 1),
			op("time passes", 255),
		)...),
	}
}
