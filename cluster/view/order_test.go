package view

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// TestViewOrderNamesIncarnations: restart() names every address heard of
// in its current incarnation, those lost included (they may only be frozen
// or cut off), and not the fenced ones.
func TestViewOrderNamesIncarnations(t *testing.T) {
	v, now := upCluster(t, a1, nil, withAutoFence)
	v.MemberDead(a3, now.Add(time.Second)) // fenced
	tick(v, now.Add(time.Second))
	if err := v.RequestStop(true); err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{a1: localInc, a2: incOf(a2)}
	if o := v.Order(); !o.Restart || !maps.Equal(o.Targets, want) {
		t.Errorf("order %+v, want restart of %v", o, want)
	}

	v, now = upCluster(t, a1, nil)
	v.MemberDead(a2, now.Add(time.Second)) // SILENT: maybe only frozen
	if err := v.RequestStop(false); err != nil {
		t.Fatal(err)
	}
	want = map[string]uint64{a1: localInc, a2: incOf(a2), a3: incOf(a3)}
	if o := v.Order(); o.Restart || !maps.Equal(o.Targets, want) {
		t.Errorf("order %+v, want shutdown of %v", o, want)
	}
}

// TestViewOrdered: an order stops the agent it names, in the incarnation it
// names, once; an agent that restarted since ignores it.
func TestViewOrdered(t *testing.T) {
	v, _ := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	if eff := v.Ordered(Order{Restart: true, Targets: map[string]uint64{a2: localInc + 1}}); eff.StopAgent {
		t.Error("an order for another incarnation stopped the agent")
	}
	eff := v.Ordered(Order{Restart: true, Targets: map[string]uint64{a1: incOf(a1), a2: localInc}})
	if !eff.StopAgent || !eff.Restart {
		t.Errorf("order not carried out: %+v", eff)
	}
	if !v.Order().Names(a1, incOf(a1)) {
		t.Errorf("order not kept to carry: %+v", v.Order())
	}
	if eff := v.Ordered(Order{Targets: map[string]uint64{a2: localInc}}); eff.StopAgent {
		t.Error("agent stopped twice")
	}
}

// TestViewFollowerFinishesTheOrder: a node that followed the master into
// RESTARTING (or SHUTTING_DOWN) but never got its order stops its agent
// once the master is gone, or says it is done.
func TestViewFollowerFinishesTheOrder(t *testing.T) {
	for _, st := range []enums.SupvisorsState{enums.SupvisorsRestarting, enums.SupvisorsShuttingDown} {
		for name, master := range map[string]func(v *View, now time.Time){
			"master lost": func(v *View, now time.Time) { v.MemberDead(a1, now) },
			"master done": func(v *View, now time.Time) {
				v.MemberAlive(a1, Meta{Incarnation: incOf(a1), State: enums.SupvisorsShutdown, Master: a1}, now)
			},
			"master back as a new agent": func(v *View, now time.Time) {
				v.MemberAlive(a1, Meta{Incarnation: incOf(a1) + 1}, now)
			},
		} {
			t.Run(st.String()+"/"+name, func(t *testing.T) {
				v, now := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
				v.MemberAlive(a1, Meta{Incarnation: incOf(a1), State: st, Master: a1}, now)
				if eff := tick(v, now); eff.StopAgent || v.State() != st {
					t.Fatalf("following %v: %v, %+v", st, v.State(), eff)
				}
				master(v, now.Add(time.Second))
				eff := tick(v, now.Add(time.Second))
				if !eff.StopAgent || eff.Restart != (st == enums.SupvisorsRestarting) || v.State() != enums.SupvisorsShutdown {
					t.Errorf("%v, %+v; want SHUTDOWN and the agent stopped (restart %v)", v.State(), eff, st == enums.SupvisorsRestarting)
				}
				if eff := tick(v, now.Add(2*time.Second)); eff.StopAgent {
					t.Error("agent stopped twice")
				}
			})
		}
	}
}

// TestViewCarriedOrder: after a restart, an agent the order names that shows
// up in its old incarnation (it was frozen) is not an answer: it is sent
// the order again every CheckRetry while it is alive, and INITIALIZATION
// waits for its new incarnation.
func TestViewCarriedOrder(t *testing.T) {
	order := &Order{Restart: true, Targets: map[string]uint64{a1: 7, a2: incOf(a2) - 1, a3: 9}}
	v := newView(a1, func(c *Config) { c.Carried = order })
	join(t, v, a3, enums.SupvisorsInitialization, at(100*ms))
	eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2) - 1, State: enums.SupvisorsRestarting, Master: a1}, at(200*ms))
	wantStrings(t, "SendOrder", eff.SendOrder, []string{a2})
	wantAddrState(t, v, a2, enums.AddressUnknown)
	if eff := tick(v, at(500*ms)); len(eff.SendOrder) != 0 || eff.Deploy {
		t.Errorf("too early: %+v", eff)
	}
	eff = tick(v, at(200*ms+checkRetry))
	wantStrings(t, "SendOrder again", eff.SendOrder, []string{a2})
	if v.State() != enums.SupvisorsInitialization {
		t.Errorf("deployed with a stale agent: %v", v.State())
	}
	v.MemberDead(a2, at(2*time.Second))
	if eff := tick(v, at(4*time.Second)); len(eff.SendOrder) != 0 {
		t.Errorf("order sent to a dead agent: %+v", eff)
	}
	// Its new incarnation is an answer.
	join(t, v, a2, enums.SupvisorsInitialization, at(5*time.Second))
	if eff := tick(v, at(8*time.Second)); !eff.Deploy || v.State() != enums.SupvisorsOperation {
		t.Errorf("not deployed once every agent is new: %v, %+v", v.State(), eff)
	}
}

// TestViewStaleMasterAdvertisesNothing: after a restart, the old agent of
// the first address, gossiped by a member frozen through the restart once
// the new agent is RUNNING, advertises the cluster before the restart: a
// node neither follows it out of INITIALIZATION nor takes its deployment
// (the new master would then join it and deploy nothing).
func TestViewStaleMasterAdvertisesNothing(t *testing.T) {
	order := &Order{Restart: true, Targets: map[string]uint64{a1: incOf(a1) - 1, a2: 8, a3: 9}}
	v := newView(a3, func(c *Config) { c.Carried = order })
	join(t, v, a1, enums.SupvisorsInitialization, at(100*ms))
	v.MemberAlive(a1, Meta{Incarnation: incOf(a1) - 1, State: enums.SupvisorsOperation, Master: a1, Deployment: 42}, at(200*ms))
	tick(v, at(300*ms))
	if v.State() != enums.SupvisorsInitialization || v.Deployment() != 0 {
		t.Errorf("followed the stale master: %v, deployment %d", v.State(), v.Deployment())
	}
}

// TestViewDeploysOnce: the applications are deployed when the cluster
// starts; a master elected in a cluster deployed already (a relaunched
// agent that is first in address_list, or the next master after a loss)
// joins that deployment and deploys nothing, so that what an operator
// stopped since does not come back.
func TestViewDeploysOnce(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	if v.Deployment() != localInc || v.LocalMeta().Deployment != localInc {
		t.Errorf("deployment %d, meta %+v; want the master's incarnation %d", v.Deployment(), v.LocalMeta(), localInc)
	}

	// A follower belongs to its master's deployment.
	f := newView(a2)
	for _, name := range []string{a1, a3} {
		f.MemberAlive(name, Meta{Incarnation: incOf(name), State: enums.SupvisorsOperation, Master: a1, Deployment: 42}, now)
		f.ApplyFullState(full(name), now)
	}
	tick(f, now.Add(stableWindow))
	if f.State() != enums.SupvisorsOperation || f.Deployment() != 42 {
		t.Errorf("follower: %v, deployment %d", f.State(), f.Deployment())
	}
	// Its master lost, it becomes the master and deploys nothing.
	f.MemberDead(a1, now.Add(3*time.Second))
	tick(f, now.Add(3*time.Second))
	if eff := f.Tick(now.Add(3*time.Second + stableWindow)); eff.Deploy || f.State() != enums.SupvisorsOperation || f.Master() != a2 {
		t.Errorf("new master: %v under %q, %+v", f.State(), f.Master(), eff)
	}

	// A relaunched first address becomes the master of a deployed cluster.
	r := newView(a1)
	for _, name := range []string{a2, a3} {
		r.MemberAlive(name, Meta{Incarnation: incOf(name), State: enums.SupvisorsOperation, Master: a2, Deployment: 42}, now)
		r.ApplyFullState(full(name, rec("web", name, enums.ProcessRunning, 1, now)), now)
	}
	if eff := r.Tick(now.Add(stableWindow)); eff.Deploy || r.State() != enums.SupvisorsOperation || r.Master() != a1 || r.Deployment() != 42 {
		t.Errorf("relaunched first address: %v under %q, deployment %d, %+v", r.State(), r.Master(), r.Deployment(), eff)
	}
}

// TestViewCrashForgottenOnceRunning: a failure that a process got over (it
// runs again) is not handed to a node that becomes master later; else an
// operator's stop since would be undone.
func TestViewCrashForgottenOnceRunning(t *testing.T) {
	v, now := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	update(v, a3, rec("g", "p", enums.ProcessRunning, 1, now))
	update(v, a3, rec("g", "p", enums.ProcessFatal, 2, now))
	update(v, a3, rec("g", "p", enums.ProcessRunning, 3, now))
	update(v, a3, rec("g", "p", enums.ProcessStopped, 4, now))
	lost := now.Add(time.Second)
	v.MemberDead(a1, lost)
	tick(v, lost)
	eff := tick(v, lost.Add(stableWindow))
	wantFSM(t, v, enums.SupvisorsOperation, a2)
	if len(eff.Crashed) != 0 {
		t.Errorf("Crashed %v: a failure long over handed to the new master", eff.Crashed)
	}
}

// TestViewCrashesReportedToANewMaster: the master dies with a process and
// its agent is relaunched before anyone found out; elected again, the new
// agent never saw the process run, so the nodes that saw it fail report it,
// once, and the new master handles it.
func TestViewCrashesReportedToANewMaster(t *testing.T) {
	v, now := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	k := Key{"g", "p"}
	update(v, a1, rec("g", "p", enums.ProcessRunning, 1, now))
	// a1's agent is replaced: its copy died with the old one.
	back := now.Add(time.Second)
	v.MemberAlive(a1, Meta{Incarnation: incOf(a1) + 1}, back)
	if eff := tick(v, back); len(eff.ReportCrashes) != 0 || len(eff.Crashed) != 0 {
		t.Fatalf("reported with no acting master: %+v", eff)
	}
	v.ApplyFullState(FullState{Node: a1, Incarnation: incOf(a1) + 1, Seq: 1, Ready: true,
		Records: []ProcessRecord{rec("g", "p", enums.ProcessStopped, 1, back)}}, back)
	v.MemberAlive(a1, Meta{Incarnation: incOf(a1) + 1, State: enums.SupvisorsOperation, Master: a1}, back.Add(stableWindow))
	eff := tick(v, back.Add(stableWindow))
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	if !slices.Equal(eff.ReportCrashes, []Key{k}) {
		t.Errorf("ReportCrashes %v, want %v once the new master acts", eff.ReportCrashes, k)
	}
	if eff := tick(v, back.Add(2*stableWindow)); len(eff.ReportCrashes) != 0 {
		t.Errorf("reported twice: %v", eff.ReportCrashes)
	}

	// The new master takes the report, once, if the process still does not run.
	m, now := upCluster(t, a1, nil)
	update(m, a2, rec("g", "p", enums.ProcessStopped, 1, now))
	m.ReportedCrashes([]Key{k, {"g", "unknown"}})
	if eff := tick(m, now.Add(time.Second)); !slices.Equal(eff.Crashed, []Key{k}) {
		t.Errorf("Crashed %v on the master, want %v", eff.Crashed, k)
	}
	update(m, a2, rec("g", "p", enums.ProcessRunning, 2, now))
	m.ReportedCrashes([]Key{k})
	if eff := tick(m, now.Add(2*time.Second)); len(eff.Crashed) != 0 {
		t.Errorf("Crashed %v: a report of a process that runs", eff.Crashed)
	}
}

// TestViewCrashesReportedToARelaunchedMaster: a process fails while the
// master acts, then the master's agent is relaunched (same address, new
// agent): the new agent did not see the failure, and gets it reported.
func TestViewCrashesReportedToARelaunchedMaster(t *testing.T) {
	v, now := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	k := Key{"g", "p"}
	update(v, a3, rec("g", "p", enums.ProcessRunning, 1, now))
	update(v, a3, rec("g", "p", enums.ProcessFatal, 2, now))
	if eff := tick(v, now); len(eff.ReportCrashes) != 0 {
		t.Fatalf("reported to the master that saw it: %v", eff.ReportCrashes)
	}
	back := now.Add(time.Second)
	v.MemberAlive(a1, Meta{Incarnation: incOf(a1) + 1}, back)
	v.ApplyFullState(FullState{Node: a1, Incarnation: incOf(a1) + 1, Seq: 1, Ready: true}, back)
	v.MemberAlive(a1, Meta{Incarnation: incOf(a1) + 1, State: enums.SupvisorsOperation, Master: a1}, back.Add(stableWindow))
	eff := tick(v, back.Add(stableWindow))
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	if !slices.Equal(eff.ReportCrashes, []Key{k}) {
		t.Errorf("ReportCrashes %v, want %v to the relaunched master", eff.ReportCrashes, k)
	}
}

// TestViewMasterStopsActingWhenABetterOneIsBack: a healed partition brings
// back an address earlier in address_list; the master of this side stops
// acting at once (no repair, no conciliation), before the election moves
// to the better one once the view is stable.
func TestViewMasterStopsActingWhenABetterOneIsBack(t *testing.T) {
	v, now := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	lost := now.Add(time.Second)
	v.MemberDead(a1, lost)
	tick(v, lost)
	tick(v, lost.Add(stableWindow))
	wantFSM(t, v, enums.SupvisorsOperation, a2)
	if !v.Acting() {
		t.Fatal("the master of this side does not act")
	}
	back := lost.Add(2 * time.Second)
	// As soon as the ring reports it, before its state is in.
	v.MemberAlive(a1, Meta{Incarnation: incOf(a1), State: enums.SupvisorsOperation, Master: a1}, back)
	if v.Acting() {
		t.Error("10.0.0.1 back and CHECKING: the master of this side still acts")
	}
	join(t, v, a1, enums.SupvisorsOperation, back)
	update(v, a3, rec("g", "p", enums.ProcessRunning, 1, back))
	update(v, a3, rec("g", "p", enums.ProcessFatal, 2, back))
	if eff := tick(v, back); v.Acting() || len(eff.Crashed) != 0 || v.Master() != a2 {
		t.Errorf("with 10.0.0.1 back: acting %v, master %q, Crashed %v; want a2 master but not acting", v.Acting(), v.Master(), eff.Crashed)
	}
	tick(v, back.Add(stableWindow))
	if v.Master() != a1 || v.Acting() {
		t.Errorf("once stable: master %q, acting %v", v.Master(), v.Acting())
	}
}

// TestViewMasterStopsActingWhenDeposed: a cut that holds one way only
// (the others do not hear this node, which hears them) has them elect
// another master: as soon as a RUNNING address advertises it, this node
// stops acting (no repair, no conciliation, no job), and acts again once
// they follow it anew. An address between two masters (INITIALIZATION,
// no master) deposes nobody.
func TestViewMasterStopsActingWhenDeposed(t *testing.T) {
	v, now := upCluster(t, a1, map[string]enums.SupvisorsState{a2: enums.SupvisorsOperation, a3: enums.SupvisorsOperation})
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	if !v.Acting() {
		t.Fatal("the master does not act")
	}
	follow := func(name, master string, state enums.SupvisorsState, at time.Time) {
		v.MemberAlive(name, Meta{Incarnation: incOf(name), State: state, Master: master}, at)
	}
	later := now.Add(time.Second)
	follow(a3, "", enums.SupvisorsInitialization, later)
	if !v.Acting() {
		t.Error("deposed by an address that follows no master")
	}
	follow(a2, a2, enums.SupvisorsOperation, later)
	update(v, a3, rec("g", "p", enums.ProcessRunning, 1, later))
	update(v, a3, rec("g", "p", enums.ProcessFatal, 2, later))
	if eff := tick(v, later); v.Acting() || len(eff.Crashed) != 0 {
		t.Errorf("10.0.0.2 follows itself: acting %v, Crashed %v; want no action", v.Acting(), eff.Crashed)
	}
	follow(a2, a1, enums.SupvisorsOperation, later.Add(time.Second))
	follow(a3, a1, enums.SupvisorsOperation, later.Add(time.Second))
	if eff := tick(v, later.Add(time.Second)); !v.Acting() || !slices.Equal(eff.Crashed, []Key{{"g", "p"}}) {
		t.Errorf("followed again: acting %v, Crashed %v; want the failure repaired now", v.Acting(), eff.Crashed)
	}
}

// TestViewCrashWhateverTheClocks: a process fails on one node while
// another node, whose clock is ten minutes ahead, holds an older STOPPED
// record of it dated later by its clock: the failure is the failure of
// the copy that ran, not of the record that looks latest.
func TestViewCrashWhateverTheClocks(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	update(v, a3, rec("g", "p", enums.ProcessStopped, 1, now.Add(10*time.Minute)))
	update(v, a2, rec("g", "p", enums.ProcessRunning, 1, now))
	tick(v, now)
	update(v, a2, rec("g", "p", enums.ProcessFatal, 2, now.Add(time.Second)))
	if eff := tick(v, now.Add(time.Second)); !slices.Equal(eff.Crashed, []Key{{"g", "p"}}) {
		t.Errorf("Crashed %v: the failure on 10.0.0.2 missed", eff.Crashed)
	}
}

// TestViewDeaf: a fenced address is not heard until an operator re-admits
// it (its gossip of the deaths it saw while cut off would fence the
// others); then its next agent may be heard, and admitted.
func TestViewDeaf(t *testing.T) {
	v, now := upCluster(t, a1, nil, withAutoFence)
	before := v.Admission()
	if before.Deaf(a3) {
		t.Fatalf("%s deaf before any fence", a3)
	}
	v.MemberDead(a3, now.Add(time.Second))
	tick(v, now.Add(time.Second))
	if !v.Admission().Deaf(a3) || v.Admission().Deaf(a2) {
		t.Errorf("deaf once %s fenced: %s %v, %s %v", a3, a3, v.Admission().Deaf(a3), a2, v.Admission().Deaf(a2))
	}
	if before.Deaf(a3) {
		t.Error("an Admission made before the fence changed with it")
	}
	if _, err := v.Readmit(a3, now); err != nil {
		t.Fatal(err)
	}
	if v.Admission().Deaf(a3) {
		t.Error("deaf once re-admitted")
	}
}
