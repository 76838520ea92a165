package view

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

var (
	keyP = Key{"g", "p"}
	keyQ = Key{"g", "q"}
)

func TestNew(t *testing.T) {
	v := newView(a2)
	wantFSM(t, v, enums.SupvisorsInitialization, "")
	if v.Local() != a2 || v.Incarnation() != localInc {
		t.Errorf("Local %q Incarnation %d", v.Local(), v.Incarnation())
	}
	infos := v.Addresses(at(ms))
	var names []string
	for _, info := range infos {
		names = append(names, info.Name)
		want, wantInc := enums.AddressUnknown, uint64(0)
		if info.Name == a2 {
			want, wantInc = enums.AddressRunning, localInc
		}
		if info.State != want || info.Incarnation != wantInc || info.Loading != 0 {
			t.Errorf("%s: %+v, want state %v incarnation %d loading 0", info.Name, info, want, wantInc)
		}
	}
	wantStrings(t, "Addresses", names, []string{a1, a2, a3})
	if got := v.AddressStates(); !slices.Equal(got, []enums.AddressState{enums.AddressUnknown, enums.AddressRunning, enums.AddressUnknown}) {
		t.Errorf("AddressStates() = %v", got)
	}
	if m := v.LocalMeta(); m.Incarnation != localInc || m.State != enums.SupvisorsInitialization || m.Master != "" || m.Fenced != nil {
		t.Errorf("LocalMeta %+v", m)
	}
	if _, ok := v.Address("10.9.9.9", t0); ok {
		t.Error("Address of a name outside address_list: found")
	}
	if len(v.Processes()) != 0 || len(v.Applications()) != 0 || v.HasConflicts() || len(v.Conflicts()) != 0 {
		t.Error("a new view has processes, applications or conflicts")
	}
}

// TestHostTurn: the agents of a host take turns by their order in
// address_list, as their metas tell their hosts.
func TestHostTurn(t *testing.T) {
	for _, tc := range []struct {
		name  string
		local string
		hosts map[string]string // the host each other address's meta says
		want  int
	}{
		{"alone on its host", a3, map[string]string{a1: "x", a2: "y"}, 0},
		{"after one of its host", a3, map[string]string{a1: "h", a2: "y"}, 1},
		{"after two of its host", a3, map[string]string{a1: "h", a2: "h"}, 2},
		{"the first of its host", a1, map[string]string{a2: "h", a3: "h"}, 0},
		{"between two of its host", a2, map[string]string{a1: "h", a3: "h"}, 1},
		{"an address never heard of is a host of its own", a3, map[string]string{a2: "h"}, 1},
		{"an agent that does not tell its host is a host of its own", a3, map[string]string{a1: "", a2: "h"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newView(tc.local, func(c *Config) { c.HostName = "h" })
			for name, host := range tc.hosts {
				v.MemberAlive(name, Meta{Incarnation: incOf(name), HostName: host}, at(0))
			}
			if got := v.HostTurn(); got != tc.want {
				t.Errorf("HostTurn() = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestViewCheckingThenRunning(t *testing.T) {
	v := newView(a1)
	eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(time.Second))
	wantStrings(t, "RequestState", eff.RequestState, []string{a2})
	if !eff.Wakeup.Equal(at(time.Second + checkRetry)) {
		t.Errorf("Wakeup %v, want now+CheckRetry", eff.Wakeup)
	}
	if eff.MetaChanged {
		t.Error("MetaChanged for a member joining")
	}
	wantAddrState(t, v, a2, enums.AddressChecking)
	wantAddrState(t, v, a3, enums.AddressUnknown)
	if info, _ := v.Address(a2, t0); info.Incarnation != incOf(a2) {
		t.Errorf("Incarnation of a2: %d, want %d", info.Incarnation, incOf(a2))
	}

	// The ring says it again: nothing new to ask.
	if eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(1500*ms)); len(eff.RequestState) != 0 {
		t.Errorf("alive again while CHECKING: RequestState %q", eff.RequestState)
	}

	// Not yet due: Tick waits for the retry (before the synchro deadline).
	eff = tick(v, at(1999*ms))
	if len(eff.RequestState) != 0 || !eff.Wakeup.Equal(at(time.Second+checkRetry)) {
		t.Errorf("Tick before the retry: %+v", eff)
	}
	// Due, the exchange asked for having ended unanswered: asked again.
	v.ExchangeEnded(a2)
	eff = tick(v, at(2*time.Second))
	wantStrings(t, "RequestState after CheckRetry", eff.RequestState, []string{a2})
	if !eff.Wakeup.Equal(at(2*time.Second + checkRetry)) {
		t.Errorf("Wakeup after the retry %v, want %v", eff.Wakeup, at(2*time.Second+checkRetry))
	}

	// An older incarnation's state is ignored.
	old := full(a2, rec("g", "p", enums.ProcessRunning, 1, at(ms)))
	old.Incarnation = incOf(a2) - 1
	v.ApplyFullState(old, at(2100*ms))
	wantAddrState(t, v, a2, enums.AddressChecking)
	if _, ok := v.Process(keyP); ok {
		t.Error("a record of an older incarnation was merged")
	}

	// Its own state: RUNNING, records merged.
	v.ApplyFullState(full(a2, rec("g", "p", enums.ProcessRunning, 1, at(ms))), at(2200*ms))
	wantAddrState(t, v, a2, enums.AddressRunning)
	if got := v.AddressStates(); !slices.Equal(got, []enums.AddressState{enums.AddressRunning, enums.AddressRunning, enums.AddressUnknown}) {
		t.Errorf("AddressStates() = %v", got)
	}
	p := mustProcess(t, v, keyP)
	wantStrings(t, "Addresses of g:p", p.Addresses, []string{a2})

	// RUNNING now: nothing to re-request.
	if eff := tick(v, at(5*time.Second)); len(eff.RequestState) != 0 {
		t.Errorf("Tick with no CHECKING address: RequestState %q", eff.RequestState)
	}
	// Alive again with the same incarnation (a meta update): stays RUNNING.
	if eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2), State: enums.SupvisorsDeployment}, at(5*time.Second)); len(eff.RequestState) != 0 || eff.MetaChanged {
		t.Errorf("meta update of a RUNNING address: %+v", eff)
	}
	wantAddrState(t, v, a2, enums.AddressRunning)
}

func TestViewFullStateOfNewerIncarnationIsNotEnough(t *testing.T) {
	v := newView(a1)
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(time.Second))
	fs := full(a2)
	fs.Incarnation = incOf(a2) + 1
	v.ApplyFullState(fs, at(1100*ms))
	wantAddrState(t, v, a2, enums.AddressChecking)
}

func TestViewCheckRetryDefault(t *testing.T) {
	v := newView(a1, func(c *Config) { c.CheckRetry = 0 })
	eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(time.Second))
	if !eff.Wakeup.Equal(at(2 * time.Second)) {
		t.Errorf("Wakeup %v, want now+1s", eff.Wakeup)
	}
}

func TestViewIgnoresLocalAndOutsiders(t *testing.T) {
	v := newView(a1)
	for _, name := range []string{a1, "10.9.9.9"} {
		if eff := v.MemberAlive(name, Meta{Incarnation: 50}, at(ms)); len(eff.RequestState) != 0 || eff.MetaChanged {
			t.Errorf("MemberAlive(%s): %+v", name, eff)
		}
		if eff := v.MemberDead(name, at(ms)); eff.MetaChanged {
			t.Errorf("MemberDead(%s): %+v", name, eff)
		}
		v.ApplyUpdate(Update{Node: name, Incarnation: 50, Record: rec("x", "y", enums.ProcessRunning, 1, at(ms))})
		v.ApplyFullState(FullState{Node: name, Incarnation: 50, Seq: 2, Ready: true, Records: []ProcessRecord{rec("x", "z", enums.ProcessRunning, 2, at(ms))}}, at(ms))
		v.Heartbeat(name, at(time.Hour), at(time.Hour))
	}
	wantAddrState(t, v, a1, enums.AddressRunning)
	if info, _ := v.Address(a1, at(time.Minute)); info.Incarnation != localInc || !info.RemoteTime.Equal(at(time.Minute)) {
		t.Errorf("local address after foreign news: %+v", info)
	}
	if len(v.Processes()) != 0 {
		t.Errorf("records of the local name or an outsider merged: %q", namespecs(v.Processes()))
	}
}

func TestViewStartupLocalMaster(t *testing.T) {
	v := newView(a1)
	eff := tick(v, t0)
	wantFSM(t, v, enums.SupvisorsInitialization, "")
	if !eff.Wakeup.Equal(at(synchroTimeout)) || eff.MetaChanged {
		t.Errorf("first Tick: %+v, want Wakeup at the synchro deadline", eff)
	}

	join(t, v, a2, enums.SupvisorsInitialization, at(100*ms))
	join(t, v, a3, enums.SupvisorsInitialization, at(200*ms))
	stable := at(200*ms + stableWindow)

	eff = tick(v, stable.Add(-time.Nanosecond))
	wantFSM(t, v, enums.SupvisorsInitialization, "")
	if !eff.Wakeup.Equal(stable) || eff.MetaChanged {
		t.Errorf("Tick before the view is stable: %+v, want Wakeup %v", eff, stable)
	}

	eff = tick(v, stable)
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	if !eff.MetaChanged || !eff.Wakeup.IsZero() {
		t.Errorf("Tick once stable: %+v, want MetaChanged and no wakeup", eff)
	}
	if m := v.LocalMeta(); m.State != enums.SupvisorsOperation || m.Master != a1 || m.Incarnation != localInc || m.Fenced != nil {
		t.Errorf("LocalMeta %+v", m)
	}
	if eff := tick(v, stable.Add(time.Second)); eff.MetaChanged || !eff.Wakeup.IsZero() || len(eff.RequestState) != 0 {
		t.Errorf("Tick in a settled OPERATION: %+v", eff)
	}
}

// TestMemberMeta: a meta the master pushes moves a follower like the
// ring's news would, and a meta older than the one taken (gossiped late)
// changes nothing; a pushed meta never says more than the ring of who is
// alive, nor of which agent.
func TestMemberMeta(t *testing.T) {
	operation := Meta{Incarnation: incOf(a1), State: enums.SupvisorsOperation, Master: a1, Version: 3}
	deployment := Meta{Incarnation: incOf(a1), State: enums.SupvisorsDeployment, Master: a1, Version: 2}
	tests := []struct {
		name string
		// before is done to the follower's view (a2, DEPLOYMENT under a1)
		// before the master pushes operation.
		before     func(v *View, now time.Time)
		after      func(v *View, now time.Time)
		want       enums.SupvisorsState
		wantMaster enums.AddressState
	}{
		{name: "pushed", want: enums.SupvisorsOperation, wantMaster: enums.AddressRunning},
		{name: "pushed, then an older meta gossiped",
			after: func(v *View, now time.Time) { v.MemberAlive(a1, deployment, now) },
			want:  enums.SupvisorsOperation, wantMaster: enums.AddressRunning},
		{name: "pushed, then a later one gossiped (a2 fenced)",
			after: func(v *View, now time.Time) {
				v.MemberAlive(a1, Meta{Incarnation: incOf(a1), State: enums.SupvisorsOperation, Master: a1, Fenced: []byte{0b010}, Version: 4}, now)
			},
			want: enums.SupvisorsInitialization, wantMaster: enums.AddressIsolated},
		{name: "the master lost first",
			before: func(v *View, now time.Time) { v.MemberDead(a1, now) },
			want:   enums.SupvisorsInitialization, wantMaster: enums.AddressSilent},
		{name: "another agent of the master's address",
			before: func(v *View, now time.Time) {
				v.MemberAlive(a1, Meta{Incarnation: incOf(a1) + 1, State: enums.SupvisorsInitialization}, now)
			},
			want: enums.SupvisorsInitialization, wantMaster: enums.AddressChecking},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, now := upCluster(t, a2, nil)
			wantFSM(t, v, enums.SupvisorsDeployment, a1)
			v.MemberAlive(a1, deployment, now)
			if tt.before != nil {
				tt.before(v, now.Add(ms))
			}
			if eff := v.MemberMeta(a1, operation, now.Add(2*ms)); len(eff.RequestState) != 0 {
				t.Errorf("pushed meta: RequestState %q", eff.RequestState)
			}
			if tt.after != nil {
				tt.after(v, now.Add(3*ms))
			}
			tick(v, now.Add(4*ms))
			wantAddrState(t, v, a1, tt.wantMaster)
			if v.State() != tt.want {
				t.Errorf("state %v, want %v", v.State(), tt.want)
			}
		})
	}
}

func TestViewStartupNonMaster(t *testing.T) {
	tests := []struct {
		advertised enums.SupvisorsState
		want       enums.SupvisorsState
	}{
		{enums.SupvisorsInitialization, enums.SupvisorsDeployment},
		{enums.SupvisorsDeployment, enums.SupvisorsDeployment},
		{enums.SupvisorsOperation, enums.SupvisorsOperation},
		{enums.SupvisorsConciliation, enums.SupvisorsOperation}, // no conflict here
	}
	for _, tt := range tests {
		t.Run("master advertises "+tt.advertised.String(), func(t *testing.T) {
			v, now := upCluster(t, a2, nil)
			wantFSM(t, v, enums.SupvisorsDeployment, a1)
			if m := v.LocalMeta(); m.State != enums.SupvisorsDeployment || m.Master != a1 {
				t.Errorf("LocalMeta %+v", m)
			}
			eff := v.MemberAlive(a1, Meta{Incarnation: incOf(a1), State: tt.advertised, Master: a1}, now.Add(ms))
			if len(eff.RequestState) != 0 {
				t.Errorf("meta update of the master: RequestState %q", eff.RequestState)
			}
			wantAddrState(t, v, a1, enums.AddressRunning)
			eff = tick(v, now.Add(2*ms))
			wantFSM(t, v, tt.want, a1)
			if eff.MetaChanged != (tt.want != enums.SupvisorsDeployment) {
				t.Errorf("MetaChanged %v", eff.MetaChanged)
			}
		})
	}
}

func TestViewJoinsRunningCluster(t *testing.T) {
	// a3 starts late: a1 and a2 already advertise OPERATION under a1.
	v, _ := upCluster(t, a3, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation, a2: enums.SupvisorsOperation})
	wantFSM(t, v, enums.SupvisorsOperation, a1)
}

func TestViewSynchroTimeout(t *testing.T) {
	v := newView(a1)
	join(t, v, a2, enums.SupvisorsInitialization, at(100*ms))

	eff := tick(v, at(5*time.Second))
	wantFSM(t, v, enums.SupvisorsInitialization, "")
	if !eff.Wakeup.Equal(at(synchroTimeout)) {
		t.Errorf("Wakeup %v, want the synchro deadline", eff.Wakeup)
	}
	wantAddrState(t, v, a3, enums.AddressUnknown)

	tick(v, at(synchroTimeout-time.Nanosecond))
	wantFSM(t, v, enums.SupvisorsInitialization, "")

	eff = tick(v, at(synchroTimeout))
	wantAddrState(t, v, a3, enums.AddressSilent)
	wantAddrState(t, v, a2, enums.AddressRunning)
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	if !eff.MetaChanged {
		t.Error("no MetaChanged on leaving INITIALIZATION")
	}

	// It shows up later: CHECKING, then RUNNING; the state machine stays.
	if eff := v.MemberAlive(a3, Meta{Incarnation: incOf(a3)}, at(20*time.Second)); !slices.Equal(eff.RequestState, []string{a3}) {
		t.Errorf("late member: RequestState %q", eff.RequestState)
	}
	wantAddrState(t, v, a3, enums.AddressChecking)
	v.ApplyFullState(full(a3), at(20*time.Second))
	wantAddrState(t, v, a3, enums.AddressRunning)
	tick(v, at(30*time.Second))
	wantFSM(t, v, enums.SupvisorsOperation, a1)
}

func TestViewSynchroTimeoutWithCheckingAddress(t *testing.T) {
	v := newView(a1)
	join(t, v, a2, enums.SupvisorsInitialization, at(100*ms))
	v.MemberAlive(a3, Meta{Incarnation: incOf(a3)}, at(synchroTimeout-checkRetry)) // never answers
	v.ExchangeEnded(a3)

	eff := tick(v, at(synchroTimeout))
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	wantAddrState(t, v, a3, enums.AddressChecking)
	wantStrings(t, "RequestState", eff.RequestState, []string{a3})
}

func TestViewMemberDead(t *testing.T) {
	tests := []struct {
		name       string
		autoFence  bool
		left       bool
		want       enums.AddressState
		wantFenced bool
	}{
		{"failed without auto_fence", false, false, enums.AddressSilent, false},
		{"left without auto_fence", false, true, enums.AddressSilent, false},
		{"failed with auto_fence", true, false, enums.AddressIsolated, true},
		{"left with auto_fence", true, true, enums.AddressSilent, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mods []func(*Config)
			if tt.autoFence {
				mods = append(mods, withAutoFence)
			}
			v := newView(a1, mods...)
			join(t, v, a2, enums.SupvisorsInitialization, at(100*ms),
				rec("g", "p", enums.ProcessRunning, 1, at(50*ms)),
				rec("g", "q", enums.ProcessExited, 2, at(60*ms)))
			join(t, v, a3, enums.SupvisorsInitialization, at(100*ms))
			tick(v, at(100*ms+stableWindow))
			wantFSM(t, v, enums.SupvisorsOperation, a1)

			lost := at(5 * time.Second)
			if tt.left {
				// What a node that leaves sends last.
				fs := full(a2, rec("g", "p", enums.ProcessRunning, 1, at(50*ms)), rec("g", "q", enums.ProcessExited, 2, at(60*ms)))
				fs.Leaving = true
				v.ApplyFullState(fs, lost)
				wantAddrState(t, v, a2, enums.AddressRunning)
			}
			eff := v.MemberDead(a2, lost)
			wantAddrState(t, v, a2, tt.want)
			if eff.MetaChanged != tt.wantFenced {
				t.Errorf("MetaChanged %v, want %v", eff.MetaChanged, tt.wantFenced)
			}
			m := v.LocalMeta()
			if got := fences(m.Fenced, 1); got != tt.wantFenced {
				t.Errorf("LocalMeta().Fenced %v: bit of %s %v, want %v", m.Fenced, a2, got, tt.wantFenced)
			}
			if fences(m.Fenced, 0) || fences(m.Fenced, 2) {
				t.Errorf("LocalMeta().Fenced %v fences another address", m.Fenced)
			}
			if info, _ := v.Address(a2, lost); info.Loading != 0 {
				t.Errorf("loading of a lost address: %d", info.Loading)
			}

			p := mustProcess(t, v, keyP)
			if p.State != enums.ProcessFatal || p.SpawnErr != "node "+a2+" lost" || len(p.Addresses) != 0 || !p.LastEventTime.Equal(lost) {
				t.Errorf("g:p of the lost node: %+v", p)
			}
			if len(p.Copies) != 1 || p.Copies[0].Counts || p.Copies[0].Record.PID != 0 {
				t.Errorf("copies of g:p: %+v", p.Copies)
			}
			// A process that was not running there keeps its state.
			if q := mustProcess(t, v, keyQ); q.State != enums.ProcessExited || q.SpawnErr != "" || !q.LastEventTime.Equal(at(60*ms)) {
				t.Errorf("g:q of the lost node: %+v", q)
			}

			// Dead again: nothing new.
			if eff := v.MemberDead(a2, lost.Add(time.Second)); eff.MetaChanged {
				t.Errorf("second MemberDead: %+v", eff)
			}
			wantAddrState(t, v, a2, tt.want)
			if p := mustProcess(t, v, keyP); !p.LastEventTime.Equal(lost) {
				t.Errorf("second MemberDead moved the time of loss: %v", p.LastEventTime)
			}

			// A non-master lost: the state machine stays.
			tick(v, lost.Add(time.Millisecond))
			wantFSM(t, v, enums.SupvisorsOperation, a1)
		})
	}
}

func TestViewMemberDeadOfUnknownAddress(t *testing.T) {
	v := newView(a1, withAutoFence)
	if eff := v.MemberDead(a2, at(ms)); eff.MetaChanged {
		t.Errorf("MemberDead of an UNKNOWN address: %+v", eff)
	}
	wantAddrState(t, v, a2, enums.AddressUnknown)
	if m := v.LocalMeta(); m.Fenced != nil {
		t.Errorf("an UNKNOWN address was fenced: %v", m.Fenced)
	}
}

func TestViewMemberDeadWhileChecking(t *testing.T) {
	v := newView(a1)
	v.synchronised = true // past the first synchronisation: see TestViewLostWhileSynchronising
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(ms))
	v.MemberDead(a2, at(2*ms))
	v.ExchangeEnded(a2) // unanswered
	wantAddrState(t, v, a2, enums.AddressSilent)
	// No longer CHECKING: not asked again.
	if eff := tick(v, at(5*time.Second)); len(eff.RequestState) != 0 {
		t.Errorf("SILENT address re-requested: %q", eff.RequestState)
	}
	// Back with the same incarnation: CHECKING again.
	eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(6*time.Second))
	wantStrings(t, "RequestState", eff.RequestState, []string{a2})
	wantAddrState(t, v, a2, enums.AddressChecking)
}

// TestViewLostWhileSynchronising: while an agent that has just started
// synchronises, an address it saw alive, then lost, has not answered: it
// is UNKNOWN again (it may be restarting), and INITIALIZATION waits for
// it until synchro_timeout, as for one never heard of.
func TestViewLostWhileSynchronising(t *testing.T) {
	v := newView(a1)
	join(t, v, a2, enums.SupvisorsOperation, at(100*ms))
	join(t, v, a3, enums.SupvisorsOperation, at(100*ms))
	v.MemberDead(a2, at(200*ms))
	wantAddrState(t, v, a2, enums.AddressUnknown)
	if eff := tick(v, at(5*time.Second)); eff.Deploy || v.State() != enums.SupvisorsInitialization {
		t.Errorf("deployed without 10.0.0.2: %v, %+v", v.State(), eff)
	}
	// Back: answered; the master deploys with it.
	join(t, v, a2, enums.SupvisorsInitialization, at(6*time.Second))
	if eff := tick(v, at(9*time.Second)); !eff.Deploy || v.State() != enums.SupvisorsOperation {
		t.Errorf("not deployed with every address back: %v, %+v", v.State(), eff)
	}
	// Once synchronised, a lost address is SILENT.
	v.MemberDead(a3, at(10*time.Second))
	wantAddrState(t, v, a3, enums.AddressSilent)
}

// TestViewLocalReadyBeforeElection: INITIALIZATION waits for this agent's
// own supervisor to have started its processes (SetReady): a node alone,
// or elected master, would otherwise deploy before it autostarts its own,
// and start them elsewhere too.
func TestViewLocalReadyBeforeElection(t *testing.T) {
	cfg := testConfig(a1)
	cfg.AddressList = []string{a1}
	v := New(cfg, localInc, t0)
	if eff := tick(v, at(2*time.Second)); eff.Deploy || v.State() != enums.SupvisorsInitialization {
		t.Errorf("before SetReady: %v, %+v", v.State(), eff)
	}
	v.SetReady()
	tick(v, at(2*time.Second))
	wantFSM(t, v, enums.SupvisorsOperation, a1)
}

// TestViewFlapWhileSynchronising: while this agent synchronises, an
// address lost and back in the agent that answered it is RUNNING again at
// once, without an exchange (a launch on busy hosts flaps the ring, and an
// exchange per flap on every node kept the hosts busy); a new agent there
// is checked, and so is any return once synchronised.
func TestViewFlapWhileSynchronising(t *testing.T) {
	v := newView(a1)
	meta := Meta{Incarnation: incOf(a2)}
	// Never answered: checked.
	v.MemberAlive(a2, meta, at(ms))
	v.MemberDead(a2, at(2*ms))
	v.ExchangeEnded(a2) // unanswered
	eff := v.MemberAlive(a2, meta, at(3*ms))
	wantStrings(t, "RequestState of one never answered", eff.RequestState, []string{a2})
	wantAddrState(t, v, a2, enums.AddressChecking)
	v.ApplyFullState(full(a2), at(4*ms))
	v.ExchangeEnded(a2)
	wantAddrState(t, v, a2, enums.AddressRunning)

	v.MemberDead(a2, at(5*ms))
	wantAddrState(t, v, a2, enums.AddressUnknown)
	eff = v.MemberAlive(a2, meta, at(6*ms))
	wantStrings(t, "RequestState of a flap", eff.RequestState, nil)
	wantAddrState(t, v, a2, enums.AddressRunning)

	// Another agent: checked.
	v.MemberDead(a2, at(7*ms))
	eff = v.MemberAlive(a2, Meta{Incarnation: incOf(a2) + 1}, at(8*ms))
	wantStrings(t, "RequestState of a new agent", eff.RequestState, []string{a2})
	wantAddrState(t, v, a2, enums.AddressChecking)

	// Synchronised: a return is checked.
	v.synchronised = true
	fs := full(a2)
	fs.Incarnation = incOf(a2) + 1
	v.ApplyFullState(fs, at(9*ms))
	v.ExchangeEnded(a2)
	wantAddrState(t, v, a2, enums.AddressRunning)
	v.MemberDead(a2, at(10*ms))
	wantAddrState(t, v, a2, enums.AddressSilent)
	eff = v.MemberAlive(a2, Meta{Incarnation: incOf(a2) + 1}, at(11*ms))
	wantStrings(t, "RequestState once synchronised", eff.RequestState, []string{a2})
	wantAddrState(t, v, a2, enums.AddressChecking)
}

func TestViewMasterLost(t *testing.T) {
	tests := []struct {
		name      string
		autoFence bool
	}{
		{"silent", false},
		{"isolated", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mods []func(*Config)
			if tt.autoFence {
				mods = append(mods, withAutoFence)
			}
			v, now := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation}, mods...)
			wantFSM(t, v, enums.SupvisorsOperation, a1)

			lost := now.Add(time.Second)
			v.MemberDead(a1, lost)
			eff := tick(v, lost)
			wantFSM(t, v, enums.SupvisorsInitialization, "")
			if !eff.MetaChanged || !eff.Wakeup.Equal(lost.Add(stableWindow)) {
				t.Errorf("Tick on master lost: %+v, want MetaChanged and Wakeup %v", eff, lost.Add(stableWindow))
			}
			if m := v.LocalMeta(); m.State != enums.SupvisorsInitialization || m.Master != "" {
				t.Errorf("LocalMeta %+v", m)
			}

			tick(v, lost.Add(stableWindow-time.Nanosecond))
			wantFSM(t, v, enums.SupvisorsInitialization, "")

			eff = tick(v, lost.Add(stableWindow))
			wantFSM(t, v, enums.SupvisorsOperation, a2)
			if !eff.MetaChanged {
				t.Error("no MetaChanged on re-election")
			}
		})
	}
}

func TestViewMasterLostNextIsRemote(t *testing.T) {
	v, now := upCluster(t, a3, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation, a2: enums.SupvisorsOperation})
	wantFSM(t, v, enums.SupvisorsOperation, a1)

	lost := now.Add(time.Second)
	v.MemberDead(a1, lost)
	// a2 saw it too and advertises INITIALIZATION.
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2), State: enums.SupvisorsInitialization}, lost.Add(ms))
	tick(v, lost.Add(ms))
	wantFSM(t, v, enums.SupvisorsInitialization, "")

	tick(v, lost.Add(stableWindow))
	wantFSM(t, v, enums.SupvisorsDeployment, a2)

	v.MemberAlive(a2, Meta{Incarnation: incOf(a2), State: enums.SupvisorsOperation, Master: a2}, lost.Add(stableWindow+ms))
	tick(v, lost.Add(stableWindow+ms))
	wantFSM(t, v, enums.SupvisorsOperation, a2)
}

// TestViewStaleAdvertisementOfNewMaster: the new master still advertises
// the OPERATION it was in under the old master; a non-master must wait for
// it to advertise its own state as master.
func TestViewStaleAdvertisementOfNewMaster(t *testing.T) {
	v, now := upCluster(t, a3, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation, a2: enums.SupvisorsOperation})
	lost := now.Add(time.Second)
	v.MemberDead(a1, lost)
	tick(v, lost.Add(stableWindow))
	wantFSM(t, v, enums.SupvisorsDeployment, a2)
	// a2's meta is still {OPERATION, master a1}: not a2 done deploying.
	tick(v, lost.Add(stableWindow+ms))
	wantFSM(t, v, enums.SupvisorsDeployment, a2)
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2), State: enums.SupvisorsOperation, Master: a2}, lost.Add(stableWindow+2*ms))
	tick(v, lost.Add(stableWindow+2*ms))
	wantFSM(t, v, enums.SupvisorsOperation, a2)
}

// TestViewCopyOnCheckingAddress: while an address that came back is
// checked anew, what it ran is UNKNOWN; once lost it was FATAL.
func TestViewCopyOnCheckingAddress(t *testing.T) {
	v := newView(a1)
	v.synchronised = true
	k := Key{"g", "p"}
	join(t, v, a2, enums.SupvisorsInitialization, at(100*ms), rec("g", "p", enums.ProcessRunning, 1, at(50*ms)))
	v.MemberDead(a2, at(time.Second))
	if p := mustProcess(t, v, k); p.State != enums.ProcessFatal || p.SpawnErr != "node 10.0.0.2 lost" || !p.LastEventTime.Equal(at(time.Second)) {
		t.Errorf("lost: %+v", p)
	}
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(2*time.Second))
	wantAddrState(t, v, a2, enums.AddressChecking)
	if p := mustProcess(t, v, k); p.State != enums.ProcessUnknown || len(p.Addresses) != 0 || !p.LastEventTime.Equal(at(50*ms)) {
		t.Errorf("checking: %+v", p)
	}
	v.ApplyFullState(full(a2, rec("g", "p", enums.ProcessRunning, 1, at(50*ms))), at(2*time.Second))
	if p := mustProcess(t, v, k); p.State != enums.ProcessRunning || !slices.Equal(p.Addresses, []string{a2}) {
		t.Errorf("running again: %+v", p)
	}
}

func TestViewMasterRestarts(t *testing.T) {
	v, now := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	// The master's agent restarts: the ring reports a new incarnation.
	restart := now.Add(time.Second)
	eff := v.MemberAlive(a1, Meta{Incarnation: incOf(a1) + 1}, restart)
	wantStrings(t, "RequestState", eff.RequestState, []string{a1})
	wantAddrState(t, v, a1, enums.AddressChecking)
	tick(v, restart)
	wantFSM(t, v, enums.SupvisorsInitialization, "")
}

func TestViewBetterMasterReturns(t *testing.T) {
	v := newView(a2)
	join(t, v, a3, enums.SupvisorsInitialization, at(100*ms))
	tick(v, at(synchroTimeout)) // a1 never heard of
	wantFSM(t, v, enums.SupvisorsOperation, a2)
	wantAddrState(t, v, a1, enums.AddressSilent)

	back := at(20 * time.Second)
	join(t, v, a1, enums.SupvisorsInitialization, back)
	eff := tick(v, back)
	wantFSM(t, v, enums.SupvisorsOperation, a2)
	if !eff.Wakeup.Equal(back.Add(stableWindow)) || eff.MetaChanged {
		t.Errorf("Tick before the view is stable: %+v", eff)
	}
	eff = tick(v, back.Add(stableWindow))
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	if !eff.MetaChanged {
		t.Error("no MetaChanged on the change of master")
	}
}

func TestViewAdmit(t *testing.T) {
	v := newView(a1, withAutoFence)
	if err := v.Admit("10.9.9.9", Meta{Incarnation: 1}); !errors.Is(err, ErrUnknownAddress) {
		t.Errorf("Admit(outsider) = %v, want ErrUnknownAddress", err)
	}
	for _, name := range []string{a1, a2, a3} {
		if err := v.Admit(name, Meta{Incarnation: 1}); err != nil {
			t.Errorf("Admit(%s) = %v", name, err)
		}
	}
	if err := v.Admit(a2, Meta{}); err == nil {
		t.Error("Admit of a meta without incarnation (0 is an agent never heard of)")
	}
}

func TestViewFencing(t *testing.T) {
	v, now := upCluster(t, a1, nil, withAutoFence)
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	inc := incOf(a2)

	v.MemberDead(a2, now.Add(time.Second))
	wantAddrState(t, v, a2, enums.AddressIsolated)

	for _, meta := range []Meta{{Incarnation: inc}, {Incarnation: inc + 1}} {
		if err := v.Admit(a2, meta); err == nil {
			t.Errorf("Admit(fenced %s, incarnation %d) before Readmit: nil", a2, meta.Incarnation)
		}
	}
	// The ring cannot bring it back, nor can its gossip.
	if eff := v.MemberAlive(a2, Meta{Incarnation: inc + 1}, now.Add(2*time.Second)); eff.MetaChanged || len(eff.RequestState) != 0 {
		t.Errorf("MemberAlive of a fenced address: %+v", eff)
	}
	wantAddrState(t, v, a2, enums.AddressIsolated)
	update(v, a2, rec("g", "p", enums.ProcessRunning, 1, now))
	v.ApplyFullState(full(a2, rec("g", "q", enums.ProcessRunning, 2, now)), now.Add(2*time.Second))
	wantAddrState(t, v, a2, enums.AddressIsolated)
	if len(v.Processes()) != 0 {
		t.Errorf("records of a fenced address merged: %q", namespecs(v.Processes()))
	}
	if eff := v.MemberDead(a2, now.Add(3*time.Second)); eff.MetaChanged {
		t.Errorf("MemberDead of a fenced address: %+v", eff)
	}

	// Readmit: only a fenced address of address_list.
	if _, err := v.Readmit("10.9.9.9", now); !errors.Is(err, ErrUnknownAddress) {
		t.Errorf("Readmit(outsider) = %v, want ErrUnknownAddress", err)
	}
	for _, name := range []string{a1, a3} {
		if _, err := v.Readmit(name, now); !errors.Is(err, ErrNotFenced) {
			t.Errorf("Readmit(%s) = %v, want ErrNotFenced", name, err)
		}
	}
	if _, err := v.Readmit(a2, now); err != nil {
		t.Fatalf("Readmit(%s) = %v", a2, err)
	}
	wantAddrState(t, v, a2, enums.AddressIsolated)
	if !fences(v.LocalMeta().Fenced, 1) {
		t.Error("readmitted address no longer fenced before its agent restarted")
	}

	// Same incarnation: still refused. Newer: admitted.
	if err := v.Admit(a2, Meta{Incarnation: inc}); err == nil {
		t.Error("Admit of the fenced incarnation after Readmit: nil")
	}
	if eff := v.MemberAlive(a2, Meta{Incarnation: inc}, now.Add(4*time.Second)); eff.MetaChanged || len(eff.RequestState) != 0 {
		t.Errorf("MemberAlive of the fenced incarnation after Readmit: %+v", eff)
	}
	wantAddrState(t, v, a2, enums.AddressIsolated)
	if err := v.Admit(a2, Meta{Incarnation: inc + 1}); err != nil {
		t.Errorf("Admit of a newer incarnation after Readmit: %v", err)
	}

	eff := v.MemberAlive(a2, Meta{Incarnation: inc + 1}, now.Add(5*time.Second))
	if !eff.MetaChanged {
		t.Error("fence cleared without MetaChanged")
	}
	wantStrings(t, "RequestState", eff.RequestState, []string{a2})
	wantAddrState(t, v, a2, enums.AddressChecking)
	if m := v.LocalMeta(); fences(m.Fenced, 1) {
		t.Errorf("LocalMeta().Fenced %v still fences %s", m.Fenced, a2)
	}
	if _, err := v.Readmit(a2, now); !errors.Is(err, ErrNotFenced) {
		t.Errorf("Readmit after the fence cleared = %v, want ErrNotFenced", err)
	}
	if err := v.Admit(a2, Meta{Incarnation: inc + 1}); err != nil {
		t.Errorf("Admit after the fence cleared: %v", err)
	}

	fs := full(a2, rec("g", "p", enums.ProcessRunning, 1, now))
	fs.Incarnation = inc + 1
	v.ApplyFullState(fs, now.Add(5*time.Second))
	wantAddrState(t, v, a2, enums.AddressRunning)
	if p := mustProcess(t, v, keyP); !slices.Equal(p.Addresses, []string{a2}) {
		t.Errorf("g:p after readmission: %+v", p)
	}
}

// TestViewReadmissionTold: the master tells the members that still fence
// an address it re-admitted, again every CheckRetry until none does (one
// lost message would fence it there for ever: a partition test caught
// it), and no longer once the address is RUNNING and nobody fences it.
func TestViewReadmissionTold(t *testing.T) {
	v, now := upCluster(t, a1, map[string]enums.SupvisorsState{a2: enums.SupvisorsOperation, a3: enums.SupvisorsOperation}, withAutoFence)
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	retry := v.cfg.CheckRetry
	v.MemberDead(a3, now)
	wantAddrState(t, v, a3, enums.AddressIsolated)
	// a2 fences a3 too (bit 2).
	fencesA3 := Meta{Incarnation: incOf(a2), State: enums.SupvisorsOperation, Master: a1, Fenced: []byte{0b100}}
	v.MemberAlive(a2, fencesA3, now)
	told := func(eff Effects) []string {
		var to []string
		for _, r := range eff.SendReadmissions {
			if r.Address != a3 {
				t.Errorf("readmission of %s, want %s", r.Address, a3)
			}
			to = append(to, r.To)
		}
		return to
	}

	eff, err := v.Readmit(a3, now)
	if err != nil {
		t.Fatal(err)
	}
	wantStrings(t, "told at once", told(eff), []string{a2})
	wantStrings(t, "told before CheckRetry", told(v.Tick(now.Add(retry/2))), nil)
	now = now.Add(retry)
	wantStrings(t, "told again after CheckRetry", told(v.Tick(now)), []string{a2})

	// a3's next agent is RUNNING here: a2, which still fences it, is
	// told until it does not.
	v.MemberAlive(a3, Meta{Incarnation: incOf(a3) + 1, State: enums.SupvisorsOperation, Master: a1}, now)
	fs := full(a3)
	fs.Incarnation = incOf(a3) + 1
	v.ApplyFullState(fs, now)
	wantAddrState(t, v, a3, enums.AddressRunning)
	now = now.Add(retry)
	wantStrings(t, "told while it fences", told(v.Tick(now)), []string{a2})
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2), State: enums.SupvisorsOperation, Master: a1}, now)
	now = now.Add(retry)
	wantStrings(t, "told once nobody fences", told(v.Tick(now)), nil)
	// Ended: a2 fencing a3 again (its own loss of it) is not overruled.
	v.MemberAlive(a2, fencesA3, now)
	wantStrings(t, "told after the end", told(v.Tick(now.Add(retry))), nil)
}

// TestViewLossJustLetInIsNotFenced: an address whose next agent was let
// back in after a readmission is SILENT, not fenced, when the ring reports
// it dead within letInGrace CheckRetry (news of its previous agent's
// death, still passed on, that the new one refutes); lost after that, it
// is fenced again.
func TestViewLossJustLetInIsNotFenced(t *testing.T) {
	v, now := upCluster(t, a1, map[string]enums.SupvisorsState{a2: enums.SupvisorsOperation, a3: enums.SupvisorsOperation}, withAutoFence)
	retry := v.cfg.CheckRetry
	v.MemberDead(a3, now)
	wantAddrState(t, v, a3, enums.AddressIsolated)
	if _, err := v.Readmit(a3, now); err != nil {
		t.Fatal(err)
	}
	next := Meta{Incarnation: incOf(a3) + 1, State: enums.SupvisorsOperation, Master: a1}
	fs := full(a3)
	fs.Incarnation = next.Incarnation
	back := func(at time.Time) {
		t.Helper()
		v.MemberAlive(a3, next, at)
		v.ApplyFullState(fs, at)
		wantAddrState(t, v, a3, enums.AddressRunning)
	}
	back(now)
	v.MemberDead(a3, now.Add(retry))
	wantAddrState(t, v, a3, enums.AddressSilent)
	if v.Admission().Refuses(a3) {
		t.Errorf("%s refused after a loss right after it was let in", a3)
	}
	back(now.Add(2 * retry))
	v.MemberDead(a3, now.Add(letInGrace*retry))
	wantAddrState(t, v, a3, enums.AddressIsolated)
}

// TestViewLossOfAnotherAroundALetInIsNotFenced: a member lost less than
// letInGrace CheckRetry after an address was re-admitted, or its next
// agent let in, is SILENT, not ISOLATED (the new agent declares dead a
// member still deaf to it, even before the ring here says the new agent is
// alive), and fenced again after that.
func TestViewLossOfAnotherAroundALetInIsNotFenced(t *testing.T) {
	for _, tt := range []struct {
		name string
		// readmit re-admits a3 (lost at now), and lets its next agent in
		// or not; lost, back and fencedAgain are when a2 is lost, back,
		// and lost again, in CheckRetry from now.
		readmit                 func(t *testing.T, v *View, now time.Time, retry time.Duration)
		lost, back, fencedAgain float64
	}{
		{"just after the let-in", func(t *testing.T, v *View, now time.Time, _ time.Duration) {
			if _, err := v.Readmit(a3, now); err != nil {
				t.Fatal(err)
			}
			v.MemberAlive(a3, Meta{Incarnation: incOf(a3) + 1, State: enums.SupvisorsOperation, Master: a1}, now)
		}, 1, 2, letInGrace},
		{"between the readmission and the let-in", func(t *testing.T, v *View, now time.Time, retry time.Duration) {
			wantAddrState(t, v, a3, enums.AddressIsolated)
			if _, err := v.Readmit(a3, now.Add(retry)); err != nil {
				t.Fatal(err)
			}
		}, 1.5, 2, letInGrace + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, now := upCluster(t, a1, map[string]enums.SupvisorsState{a2: enums.SupvisorsOperation, a3: enums.SupvisorsOperation}, withAutoFence)
			retry := v.cfg.CheckRetry
			after := func(n float64) time.Time { return now.Add(time.Duration(n * float64(retry))) }
			v.MemberDead(a3, now)
			tt.readmit(t, v, now, retry)
			v.MemberDead(a2, after(tt.lost))
			wantAddrState(t, v, a2, enums.AddressSilent)
			v.MemberAlive(a2, Meta{Incarnation: incOf(a2), State: enums.SupvisorsOperation, Master: a1}, after(tt.back))
			v.ApplyFullState(full(a2), after(tt.back))
			wantAddrState(t, v, a2, enums.AddressRunning)
			v.MemberDead(a2, after(tt.fencedAgain))
			wantAddrState(t, v, a2, enums.AddressIsolated)
		})
	}
}

// TestViewReadmissionByAMasterThatDoesNotFence: a master elected since
// the fence (it does not fence the address) still tells the members that
// do; with nobody fencing it, a readmission is refused.
func TestViewReadmissionByAMasterThatDoesNotFence(t *testing.T) {
	v, now := upCluster(t, a1, map[string]enums.SupvisorsState{a2: enums.SupvisorsOperation, a3: enums.SupvisorsOperation}, withAutoFence)
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	if _, err := v.Readmit(a3, now); !errors.Is(err, ErrNotFenced) {
		t.Errorf("Readmit of an address nobody fences = %v, want ErrNotFenced", err)
	}
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2), State: enums.SupvisorsOperation, Master: a1, Fenced: []byte{0b100}}, now)
	eff, err := v.Readmit(a3, now)
	if err != nil {
		t.Fatalf("Readmit of an address a member fences: %v", err)
	}
	if want := []Readmission{{To: a2, Address: a3}}; !slices.Equal(eff.SendReadmissions, want) {
		t.Errorf("readmissions sent: %+v, want %+v", eff.SendReadmissions, want)
	}
	wantAddrState(t, v, a3, enums.AddressRunning)
}

// TestViewReadmissionBounded: a member that fenced the very agent the
// master re-admitted keeps its fence; the master stops telling it
// readmissionTries CheckRetry after that agent is RUNNING here, and only
// the master tells.
func TestViewReadmissionBounded(t *testing.T) {
	for _, local := range []string{a1, a2} {
		v, now := upCluster(t, local, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation, a2: enums.SupvisorsOperation, a3: enums.SupvisorsOperation}, withAutoFence)
		wantFSM(t, v, enums.SupvisorsOperation, a1)
		retry := v.cfg.CheckRetry
		v.MemberDead(a3, now)
		other := a2
		if local == a2 {
			other = a1
		}
		v.MemberAlive(other, Meta{Incarnation: incOf(other), State: enums.SupvisorsOperation, Master: a1, Fenced: []byte{0b100}}, now)
		eff, err := v.Readmit(a3, now)
		if err != nil {
			t.Fatal(err)
		}
		v.MemberAlive(a3, Meta{Incarnation: incOf(a3) + 1, State: enums.SupvisorsOperation, Master: a1}, now)
		fs := full(a3)
		fs.Incarnation = incOf(a3) + 1
		v.ApplyFullState(fs, now)
		wantAddrState(t, v, a3, enums.AddressRunning)
		sends := len(eff.SendReadmissions)
		for range 3 * readmissionTries {
			now = now.Add(retry)
			sends += len(v.Tick(now).SendReadmissions)
		}
		want := 1 + readmissionTries
		if local != a1 {
			want = 0
		}
		if sends != want {
			t.Errorf("%s: %d readmissions sent, want %d", local, sends, want)
		}
	}
}

func TestViewFencedBitmap(t *testing.T) {
	// 9 addresses: the bitmap takes two bytes.
	cfg := testConfig("n0")
	cfg.AddressList = []string{"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"}
	cfg.AutoFence = true
	v := New(cfg, 1, t0)
	v.synchronised = true
	for _, name := range []string{"n2", "n8"} {
		v.MemberAlive(name, Meta{Incarnation: 3}, at(ms))
		v.MemberDead(name, at(2*ms))
	}
	m := v.LocalMeta()
	if !slices.Equal(m.Fenced, []byte{0x04, 0x01}) {
		t.Errorf("Fenced %#v, want [0x04 0x01]", m.Fenced)
	}
}

func TestViewPeerFencesUs(t *testing.T) {
	tests := []struct {
		local, peer string
		bit         byte // the local address's bit
		other       byte // another address's bit
	}{
		{a1, a2, 0x01, 0x04},
		{a2, a3, 0x02, 0x01},
		{a3, a1, 0x04, 0x02},
	}
	for _, tt := range tests {
		t.Run(tt.local, func(t *testing.T) {
			v, now := upCluster(t, tt.local, nil)
			inc := incOf(tt.peer)
			p := rec("g", "p", enums.ProcessRunning, 1, now)
			update(v, tt.peer, p)
			if got := mustProcess(t, v, keyP); !slices.Equal(got.Addresses, []string{tt.peer}) {
				t.Fatalf("g:p: %+v", got)
			}

			eff := v.MemberAlive(tt.peer, Meta{Incarnation: inc, Fenced: []byte{tt.bit}}, now.Add(time.Second))
			wantAddrState(t, v, tt.peer, enums.AddressIsolated)
			if len(eff.RequestState) != 0 || eff.MetaChanged {
				t.Errorf("peer fences us: %+v", eff)
			}
			if got := mustProcess(t, v, keyP); len(got.Addresses) != 0 || got.State != enums.ProcessFatal {
				t.Errorf("g:p on a peer that fenced us: %+v", got)
			}
			if fences(v.LocalMeta().Fenced, slices.Index([]string{a1, a2, a3}, tt.peer)) {
				t.Error("a peer that fenced us is fenced by us")
			}

			// Its meta now fences someone else only: CHECKING again.
			eff = v.MemberAlive(tt.peer, Meta{Incarnation: inc, Fenced: []byte{tt.other}}, now.Add(2*time.Second))
			wantAddrState(t, v, tt.peer, enums.AddressChecking)
			wantStrings(t, "RequestState", eff.RequestState, []string{tt.peer})

			v.ApplyFullState(full(tt.peer, p), now.Add(3*time.Second))
			wantAddrState(t, v, tt.peer, enums.AddressRunning)
		})
	}
}

func TestViewPeerFencedUsThenDies(t *testing.T) {
	v, now := upCluster(t, a1, nil, withAutoFence)
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2), Fenced: []byte{0x01}}, now.Add(time.Second))
	wantAddrState(t, v, a2, enums.AddressIsolated)
	// It fenced us, so we do not fence it back: SILENT.
	if eff := v.MemberDead(a2, now.Add(2*time.Second)); eff.MetaChanged {
		t.Errorf("MemberDead of a peer that fenced us: %+v", eff)
	}
	wantAddrState(t, v, a2, enums.AddressSilent)
	if v.LocalMeta().Fenced != nil {
		t.Errorf("Fenced %v", v.LocalMeta().Fenced)
	}
}

func TestViewAgentRestart(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	update(v, a2, rec("g", "p", enums.ProcessRunning, 1, now))
	if info, _ := v.Address(a2, now); info.Loading != 1 {
		t.Fatalf("loading before the restart: %d", info.Loading)
	}

	restart := now.Add(time.Second)
	eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2) + 1}, restart)
	wantStrings(t, "RequestState", eff.RequestState, []string{a2})
	wantAddrState(t, v, a2, enums.AddressChecking)
	if _, ok := v.Process(keyP); ok {
		t.Error("records of the previous incarnation kept")
	}
	if info, _ := v.Address(a2, restart); info.Incarnation != incOf(a2)+1 || info.Loading != 0 {
		t.Errorf("Address after the restart: %+v", info)
	}

	// Gossip from the dead agent is dropped.
	update(v, a2, rec("g", "p", enums.ProcessRunning, 2, now))
	if _, ok := v.Process(keyP); ok {
		t.Error("update of the previous incarnation merged")
	}
	// A full state of the dead agent neither merges nor makes it RUNNING.
	v.ApplyFullState(full(a2, rec("g", "p", enums.ProcessRunning, 3, now)), restart)
	wantAddrState(t, v, a2, enums.AddressChecking)

	fs := full(a2, rec("g", "q", enums.ProcessStarting, 1, restart))
	fs.Incarnation = incOf(a2) + 1
	v.ApplyFullState(fs, restart.Add(ms))
	v.ExchangeEnded(a2)
	wantAddrState(t, v, a2, enums.AddressRunning)
	wantStrings(t, "Processes", namespecs(v.Processes()), []string{"g:q"})

	// An agent whose clock was set back comes with a lower incarnation: the
	// ring says it is the one alive now, so it is a new agent all the same.
	back := restart.Add(time.Minute)
	eff = v.MemberAlive(a2, Meta{Incarnation: incOf(a2) - 1}, back)
	wantStrings(t, "RequestState after a clock set back", eff.RequestState, []string{a2})
	wantAddrState(t, v, a2, enums.AddressChecking)
	if _, ok := v.Process(Key{"g", "q"}); ok {
		t.Error("records of the agent before the clock was set back kept")
	}
	fs = full(a2, rec("g", "r", enums.ProcessRunning, 1, back))
	fs.Incarnation = incOf(a2) - 1
	v.ApplyFullState(fs, back.Add(ms))
	wantAddrState(t, v, a2, enums.AddressRunning)
	wantStrings(t, "Processes", namespecs(v.Processes()), []string{"g:r"})
}

// TestViewAgentRestartGossipFirst: the restarted agent's first update
// reaches this node before the ring reports its new incarnation (gossip
// broadcasts and memberlist's alive messages are not ordered). The ring
// says which agent is current: the update waits for its news (the full
// state asked then brings it), and the address is re-checked.
func TestViewAgentRestartGossipFirst(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	update(v, a2, rec("g", "p", enums.ProcessRunning, 1, now))

	restart := now.Add(time.Second)
	if v.ApplyUpdate(Update{Node: a2, Incarnation: incOf(a2) + 1, Record: rec("g", "q", enums.ProcessStarting, 5, restart)}) {
		t.Error("an update of an agent the ring has not reported is news")
	}
	if _, ok := v.Process(Key{"g", "q"}); ok {
		t.Error("an update of an agent the ring has not reported merged")
	}

	eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2) + 1}, restart.Add(ms))
	wantAddrState(t, v, a2, enums.AddressChecking)
	wantStrings(t, "RequestState", eff.RequestState, []string{a2})
	if _, ok := v.Process(keyP); ok {
		t.Error("records of the previous incarnation kept")
	}
}

func TestViewFullStateOfRunningAddress(t *testing.T) {
	// A push/pull sync of a RUNNING address: merged, lacking records dropped.
	v, now := upCluster(t, a1, nil)
	update(v, a2, rec("g", "p", enums.ProcessRunning, 1, now))
	update(v, a2, rec("g", "q", enums.ProcessRunning, 2, now))
	v.ApplyFullState(FullState{Node: a2, Incarnation: incOf(a2), Seq: 5, Ready: true, Records: []ProcessRecord{rec("g", "p", enums.ProcessStopped, 4, now)}}, now)
	wantAddrState(t, v, a2, enums.AddressRunning)
	wantStrings(t, "Processes", namespecs(v.Processes()), []string{"g:p"})
	if p := mustProcess(t, v, keyP); p.State != enums.ProcessStopped {
		t.Errorf("g:p: %v", p.State)
	}
	// An older update is stale.
	update(v, a2, rec("g", "q", enums.ProcessRunning, 3, now))
	if _, ok := v.Process(keyQ); ok {
		t.Error("g:q resurrected by an update older than the full state")
	}
}

func TestViewProcessAggregation(t *testing.T) {
	type cp struct {
		st       enums.ProcessState
		changed  time.Duration
		expected bool
		spawnErr string
	}
	tests := []struct {
		name   string
		copies map[string]cp // by address
		// want
		state        enums.ProcessState
		addresses    []string
		expectedExit bool
		lastEvent    time.Duration
		spawnErr     string
		conflict     bool
	}{
		{
			name:   "running on one remote address",
			copies: map[string]cp{a2: {st: enums.ProcessRunning, changed: 3 * ms}},
			state:  enums.ProcessRunning, addresses: []string{a2}, expectedExit: true, lastEvent: 3 * ms,
		},
		{
			name:   "running locally, stopped elsewhere",
			copies: map[string]cp{a1: {st: enums.ProcessRunning, changed: 1 * ms}, a3: {st: enums.ProcessStopped, changed: 9 * ms}},
			state:  enums.ProcessRunning, addresses: []string{a1}, expectedExit: true, lastEvent: 1 * ms,
		},
		{
			name:   "running on two addresses: a conflict",
			copies: map[string]cp{a3: {st: enums.ProcessRunning, changed: 2 * ms}, a1: {st: enums.ProcessRunning, changed: 4 * ms}},
			state:  enums.ProcessRunning, addresses: []string{a1, a3}, expectedExit: true, lastEvent: 4 * ms, conflict: true,
		},
		{
			name: "RUNNING before BACKOFF before STARTING",
			copies: map[string]cp{
				a1: {st: enums.ProcessStarting, changed: 7 * ms}, a2: {st: enums.ProcessBackoff, changed: 8 * ms}, a3: {st: enums.ProcessRunning, changed: 1 * ms},
			},
			state: enums.ProcessRunning, addresses: []string{a1, a2, a3}, expectedExit: true, lastEvent: 1 * ms, conflict: true,
		},
		{
			name:   "BACKOFF before STARTING",
			copies: map[string]cp{a1: {st: enums.ProcessStarting, changed: 7 * ms}, a2: {st: enums.ProcessBackoff, changed: 2 * ms}},
			state:  enums.ProcessBackoff, addresses: []string{a1, a2}, expectedExit: true, lastEvent: 2 * ms, conflict: true,
		},
		{
			name:   "a running copy wins over a later stopped one",
			copies: map[string]cp{a2: {st: enums.ProcessStarting, changed: 1 * ms}, a3: {st: enums.ProcessFatal, changed: 9 * ms, spawnErr: "boom"}},
			state:  enums.ProcessStarting, addresses: []string{a2}, expectedExit: true, lastEvent: 1 * ms,
		},
		{
			name: "no running copy: the latest changed",
			copies: map[string]cp{
				a1: {st: enums.ProcessStopped, changed: 1 * ms}, a2: {st: enums.ProcessExited, changed: 3 * ms}, a3: {st: enums.ProcessFatal, changed: 2 * ms, spawnErr: "x"},
			},
			state: enums.ProcessExited, expectedExit: false, lastEvent: 3 * ms,
		},
		{
			name:   "no running copy: the latest exited expectedly",
			copies: map[string]cp{a1: {st: enums.ProcessExited, changed: 5 * ms, expected: true}, a2: {st: enums.ProcessStopped, changed: 3 * ms}},
			state:  enums.ProcessExited, expectedExit: true, lastEvent: 5 * ms,
		},
		{
			name:   "no running copy: the latest is FATAL with its spawn error",
			copies: map[string]cp{a1: {st: enums.ProcessStopped, changed: 1 * ms}, a3: {st: enums.ProcessFatal, changed: 6 * ms, spawnErr: "can't find command"}},
			state:  enums.ProcessFatal, lastEvent: 6 * ms, spawnErr: "can't find command",
		},
		{
			name:   "no running copy: ties go to address_list order",
			copies: map[string]cp{a3: {st: enums.ProcessFatal, changed: 4 * ms}, a2: {st: enums.ProcessStopped, changed: 4 * ms}},
			state:  enums.ProcessStopped, lastEvent: 4 * ms,
		},
		{
			name:   "stopping is not running",
			copies: map[string]cp{a1: {st: enums.ProcessStopping, changed: 4 * ms}, a2: {st: enums.ProcessStopped, changed: 2 * ms}},
			state:  enums.ProcessStopping, lastEvent: 4 * ms,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, now := upCluster(t, a1, nil)
			for _, name := range []string{a1, a2, a3} {
				c, ok := tt.copies[name]
				if !ok {
					continue
				}
				r := ProcessRecord{Group: "g", Name: "p", State: c.st, Changed: at(c.changed), Expected: c.expected, SpawnErr: c.spawnErr, PID: 100}
				if name == a1 {
					v.SetLocal(r)
				} else {
					r.Seq = 1
					update(v, name, r)
				}
			}
			p := mustProcess(t, v, keyP)
			if p.Group != "g" || p.Name != "p" {
				t.Errorf("key %v", p.Key())
			}
			if p.State != tt.state {
				t.Errorf("State %v, want %v", p.State, tt.state)
			}
			wantStrings(t, "Addresses", p.Addresses, tt.addresses)
			if p.ExpectedExit != tt.expectedExit {
				t.Errorf("ExpectedExit %v, want %v", p.ExpectedExit, tt.expectedExit)
			}
			if !p.LastEventTime.Equal(at(tt.lastEvent)) {
				t.Errorf("LastEventTime %v, want %v", p.LastEventTime, at(tt.lastEvent))
			}
			if p.SpawnErr != tt.spawnErr {
				t.Errorf("SpawnErr %q, want %q", p.SpawnErr, tt.spawnErr)
			}
			var copies, counting []string
			for _, c := range p.Copies {
				copies = append(copies, c.Address)
				if c.Counts {
					counting = append(counting, c.Address)
				}
			}
			var wantCopies []string
			for _, name := range []string{a1, a2, a3} {
				if _, ok := tt.copies[name]; ok {
					wantCopies = append(wantCopies, name)
				}
			}
			wantStrings(t, "Copies", copies, wantCopies)
			wantStrings(t, "counting Copies", counting, tt.addresses)
			if v.HasConflicts() != tt.conflict {
				t.Errorf("HasConflicts %v, want %v", v.HasConflicts(), tt.conflict)
			}
			var wantConflicts []string
			if tt.conflict {
				wantConflicts = []string{"g:p"}
			}
			wantStrings(t, "Conflicts", namespecs(v.Conflicts()), wantConflicts)

			want := enums.SupvisorsOperation
			if tt.conflict {
				want = enums.SupvisorsConciliation
			}
			tick(v, now.Add(ms))
			wantFSM(t, v, want, a1)
		})
	}
}

func TestViewConciliationCycle(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	wantFSM(t, v, enums.SupvisorsOperation, a1)

	v.SetLocal(rec("g", "p", enums.ProcessRunning, 0, now))
	update(v, a2, rec("g", "p", enums.ProcessRunning, 1, now))
	update(v, a2, rec("g", "q", enums.ProcessRunning, 2, now))
	if !v.HasConflicts() {
		t.Fatal("no conflict with g:p running on two addresses")
	}
	cs := v.Conflicts()
	wantStrings(t, "Conflicts", namespecs(cs), []string{"g:p"})
	if len(cs) == 1 {
		wantStrings(t, "conflict Addresses", cs[0].Addresses, []string{a1, a2})
	}
	eff := tick(v, now.Add(ms))
	wantFSM(t, v, enums.SupvisorsConciliation, a1)
	if !eff.MetaChanged || v.LocalMeta().State != enums.SupvisorsConciliation {
		t.Errorf("entering CONCILIATION: %+v, meta %+v", eff, v.LocalMeta())
	}

	// One copy stops: back to OPERATION.
	update(v, a2, rec("g", "p", enums.ProcessStopping, 3, now.Add(2*ms)))
	if v.HasConflicts() || len(v.Conflicts()) != 0 {
		t.Errorf("conflicts after a copy stopped: %q", namespecs(v.Conflicts()))
	}
	eff = tick(v, now.Add(3*ms))
	wantFSM(t, v, enums.SupvisorsOperation, a1)
	if !eff.MetaChanged {
		t.Error("no MetaChanged on leaving CONCILIATION")
	}

	// Again, then the other node is lost: its copy no longer counts.
	update(v, a2, rec("g", "p", enums.ProcessRunning, 4, now.Add(4*ms)))
	tick(v, now.Add(4*ms))
	wantFSM(t, v, enums.SupvisorsConciliation, a1)
	v.MemberDead(a2, now.Add(5*ms))
	if v.HasConflicts() {
		t.Error("conflict with a lost address")
	}
	tick(v, now.Add(5*ms))
	wantFSM(t, v, enums.SupvisorsOperation, a1)

	// Back with the same incarnation and its copy still running: a conflict
	// again once its state is merged.
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, now.Add(6*ms))
	if v.HasConflicts() {
		t.Error("conflict with a CHECKING address")
	}
	v.ApplyFullState(full(a2, rec("g", "p", enums.ProcessRunning, 4, now.Add(4*ms)), rec("g", "q", enums.ProcessRunning, 2, now)), now.Add(7*ms))
	if !v.HasConflicts() {
		t.Error("no conflict once the address is RUNNING again")
	}
}

func TestViewProcessesSorted(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	v.SetLocal(rec("web", "server", enums.ProcessRunning, 0, now))
	v.SetLocal(rec("db", "pg", enums.ProcessRunning, 0, now))
	update(v, a2, rec("web", "cache", enums.ProcessStopped, 1, now))
	update(v, a2, rec("web", "server", enums.ProcessStopped, 2, now))
	update(v, a3, rec("batch", "job_2", enums.ProcessExited, 1, now))
	update(v, a3, rec("batch", "job_10", enums.ProcessExited, 2, now))
	update(v, a3, rec("web_ui", "front", enums.ProcessRunning, 3, now))
	update(v, a3, rec("db", "pg", enums.ProcessStopped, 4, now))

	wantStrings(t, "Processes", namespecs(v.Processes()),
		[]string{"batch:job_10", "batch:job_2", "db:pg", "web:cache", "web:server", "web_ui:front"})
	wantStrings(t, "ProcessesOf(web)", namespecs(v.ProcessesOf("web")), []string{"web:cache", "web:server"})
	wantStrings(t, "ProcessesOf(batch)", namespecs(v.ProcessesOf("batch")), []string{"batch:job_10", "batch:job_2"})
	wantStrings(t, "ProcessesOf(web_ui)", namespecs(v.ProcessesOf("web_ui")), []string{"web_ui:front"})
	wantStrings(t, "ProcessesOf(we)", namespecs(v.ProcessesOf("we")), nil)
	wantStrings(t, "ProcessesOf(zzz)", namespecs(v.ProcessesOf("zzz")), nil)
	wantStrings(t, "ProcessesOf()", namespecs(v.ProcessesOf("")), nil)
	if _, ok := v.Process(Key{"web", "nope"}); ok {
		t.Error("Process of an unknown key: found")
	}

	// Removal from one address keeps the process; from all drops it.
	v.SetLocal(ProcessRecord{Group: "web", Name: "server", Removed: true})
	if p := mustProcess(t, v, Key{"web", "server"}); len(p.Copies) != 1 || p.Copies[0].Address != a2 {
		t.Errorf("web:server after its local removal: %+v", p.Copies)
	}
	update(v, a2, ProcessRecord{Group: "web", Name: "server", Seq: 5, Removed: true})
	if _, ok := v.Process(Key{"web", "server"}); ok {
		t.Error("web:server found after removal everywhere")
	}
	wantStrings(t, "Processes after removal", namespecs(v.Processes()),
		[]string{"batch:job_10", "batch:job_2", "db:pg", "web:cache", "web_ui:front"})
	wantStrings(t, "ProcessesOf(web) after removal", namespecs(v.ProcessesOf("web")), []string{"web:cache"})

	// New ones sort in.
	update(v, a2, rec("aaa", "z", enums.ProcessStopped, 6, now))
	wantStrings(t, "Processes after an addition", namespecs(v.Processes()),
		[]string{"aaa:z", "batch:job_10", "batch:job_2", "db:pg", "web:cache", "web_ui:front"})
}

func TestViewApplications(t *testing.T) {
	type proc struct {
		st       enums.ProcessState
		expected bool
		required bool
	}
	tests := []struct {
		name         string
		procs        []proc
		state        enums.ApplicationState
		major, minor bool
	}{
		{"all stopped", []proc{{st: enums.ProcessStopped}, {st: enums.ProcessExited}}, enums.ApplicationStopped, false, false},
		{"stopped with failures reports none", []proc{{st: enums.ProcessFatal, required: true}, {st: enums.ProcessFatal}}, enums.ApplicationStopped, false, false},
		{"starting", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessStarting}}, enums.ApplicationStarting, false, false},
		{"backoff is starting", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessBackoff}}, enums.ApplicationStarting, false, false},
		{"starting before stopping", []proc{{st: enums.ProcessStopping}, {st: enums.ProcessStarting}}, enums.ApplicationStarting, false, false},
		{"stopping", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessStopping}}, enums.ApplicationStopping, false, false},
		{"stopping reports no failure", []proc{{st: enums.ProcessStopping}, {st: enums.ProcessFatal}, {st: enums.ProcessStopped, required: true}}, enums.ApplicationStopping, false, false},
		{"running", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessStopped}}, enums.ApplicationRunning, false, false},
		{"minor: optional FATAL", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessFatal}}, enums.ApplicationRunning, false, true},
		{"minor: optional unexpected EXITED", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessExited}}, enums.ApplicationRunning, false, true},
		{"optional expected EXITED", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessExited, expected: true}}, enums.ApplicationRunning, false, false},
		{"optional STOPPED", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessStopped}}, enums.ApplicationRunning, false, false},
		{"minor while starting", []proc{{st: enums.ProcessStarting}, {st: enums.ProcessFatal}}, enums.ApplicationStarting, false, true},
		{"major: required STOPPED", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessStopped, required: true}}, enums.ApplicationRunning, true, false},
		{"major: required FATAL", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessFatal, required: true}}, enums.ApplicationRunning, true, false},
		{"major: required unexpected EXITED", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessExited, required: true}}, enums.ApplicationRunning, true, false},
		{"major: required UNKNOWN", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessUnknown, required: true}}, enums.ApplicationRunning, true, false},
		{"required expected EXITED", []proc{{st: enums.ProcessRunning}, {st: enums.ProcessExited, expected: true, required: true}}, enums.ApplicationRunning, false, false},
		{"major while starting", []proc{{st: enums.ProcessStarting, required: true}, {st: enums.ProcessStopped, required: true}}, enums.ApplicationStarting, true, false},
		{"major and minor", []proc{{st: enums.ProcessRunning, required: true}, {st: enums.ProcessFatal, required: true}, {st: enums.ProcessFatal}}, enums.ApplicationRunning, true, true},
		{"required running: no failure", []proc{{st: enums.ProcessRunning, required: true}, {st: enums.ProcessStarting, required: true}}, enums.ApplicationStarting, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			required := map[Key]bool{}
			cfg := testConfig(a1)
			cfg.AddressList = []string{a1}
			cfg.Required = func(k Key) bool { return required[k] }
			v := New(cfg, localInc, t0)
			for i, p := range tt.procs {
				k := Key{"app", string(rune('a' + i))}
				required[k] = p.required
				v.SetLocal(ProcessRecord{Group: k.Group, Name: k.Name, State: p.st, Expected: p.expected, Changed: at(time.Duration(i) * ms)})
			}
			v.SetLocal(rec("other", "x", enums.ProcessFatal, 0, t0)) // another application
			app, ok := v.Application("app")
			if !ok {
				t.Fatal("Application(app): not found")
			}
			want := ApplicationInfo{Name: "app", State: tt.state, MajorFailure: tt.major, MinorFailure: tt.minor}
			if app != want {
				t.Errorf("Application(app) = %+v, want %+v", app, want)
			}
			if state, ok := v.ApplicationState("app"); !ok || state != tt.state {
				t.Errorf("ApplicationState(app) = %v, %v; want %v", state, ok, tt.state)
			}
			apps := v.Applications()
			if len(apps) != 2 || apps[0] != want || apps[1] != (ApplicationInfo{Name: "other", State: enums.ApplicationStopped}) {
				t.Errorf("Applications() = %+v", apps)
			}
		})
	}
}

func TestViewApplicationsAcrossAddresses(t *testing.T) {
	v, now := upCluster(t, a1, nil, func(c *Config) {
		c.Required = func(k Key) bool { return k == Key{"web", "server"} }
	})
	if _, ok := v.Application("web"); ok {
		t.Error("Application of a group no address has: found")
	}
	update(v, a2, rec("web", "server", enums.ProcessRunning, 1, now))
	update(v, a3, rec("web", "server", enums.ProcessStopped, 1, now))
	update(v, a3, rec("web", "cache", enums.ProcessStopped, 2, now))
	update(v, a3, rec("db", "pg", enums.ProcessStarting, 3, now))
	apps := v.Applications()
	want := []ApplicationInfo{
		{Name: "db", State: enums.ApplicationStarting},
		{Name: "web", State: enums.ApplicationRunning},
	}
	if !slices.Equal(apps, want) {
		t.Errorf("Applications() = %+v, want %+v", apps, want)
	}
	// The node running the required process is lost: FATAL, major failure,
	// and the application no longer RUNNING... unless another process runs.
	update(v, a3, rec("web", "cache", enums.ProcessRunning, 4, now))
	v.MemberDead(a2, now.Add(time.Second))
	app, _ := v.Application("web")
	if want := (ApplicationInfo{Name: "web", State: enums.ApplicationRunning, MajorFailure: true}); app != want {
		t.Errorf("Application(web) after losing %s: %+v, want %+v", a2, app, want)
	}
}

func TestViewLoading(t *testing.T) {
	loading := map[Key]int{{"g", "big"}: 25, {"g", "mid"}: 10}
	v, now := upCluster(t, a1, nil, func(c *Config) {
		c.Loading = func(k Key) int {
			if l, ok := loading[k]; ok {
				return l
			}
			return 1
		}
	})
	update(v, a2, rec("g", "big", enums.ProcessRunning, 1, now))
	update(v, a2, rec("g", "small", enums.ProcessStarting, 2, now))
	update(v, a2, rec("g", "back", enums.ProcessBackoff, 3, now))
	update(v, a2, rec("g", "mid", enums.ProcessStopped, 4, now))
	update(v, a2, rec("g", "exited", enums.ProcessExited, 5, now))
	update(v, a2, rec("g", "stopping", enums.ProcessStopping, 6, now))
	v.SetLocal(rec("g", "mid", enums.ProcessRunning, 0, now))
	v.SetLocal(rec("g", "big", enums.ProcessFatal, 0, now))

	wantLoad := map[string]int{a1: 10, a2: 27, a3: 0}
	for _, info := range v.Addresses(now) {
		if info.Loading != wantLoad[info.Name] {
			t.Errorf("loading of %s: %d, want %d", info.Name, info.Loading, wantLoad[info.Name])
		}
	}
	// A removed process no longer loads.
	update(v, a2, ProcessRecord{Group: "g", Name: "big", Seq: 7, Removed: true})
	if info, _ := v.Address(a2, now); info.Loading != 2 {
		t.Errorf("loading of %s after a removal: %d, want 2", a2, info.Loading)
	}
	// Not RUNNING: no loading.
	v.MemberDead(a2, now.Add(time.Second))
	if info, _ := v.Address(a2, now); info.Loading != 0 {
		t.Errorf("loading of a SILENT address: %d", info.Loading)
	}
}

func TestViewLoadingDefault(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	update(v, a3, rec("g", "a", enums.ProcessRunning, 1, now))
	update(v, a3, rec("g", "b", enums.ProcessRunning, 2, now))
	update(v, a3, rec("h", "c", enums.ProcessStarting, 3, now))
	update(v, a3, rec("h", "d", enums.ProcessStopped, 4, now))
	if info, _ := v.Address(a3, now); info.Loading != 3 {
		t.Errorf("loading %d, want 3", info.Loading)
	}
}

// TestViewMissedNews: a probe's answer says how far the node's records
// are: the node's full state is asked for when some change of them never
// came here (at most once per CheckRetry), never for what came, for
// another incarnation than the one known, or for the local node.
// TestViewOneExchangeAtATime: while the exchange asked for with an address
// is in flight, none more is asked for, whatever asks (the CHECKING retry,
// MissedNews, a conflict); once it ended, the next is asked for if it is
// due, at once if it is overdue.
func TestViewOneExchangeAtATime(t *testing.T) {
	v := newView(a1)
	if eff := v.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(ms)); !slices.Equal(eff.RequestState, []string{a2}) {
		t.Fatalf("MemberAlive: RequestState %q", eff.RequestState)
	}
	late := at(5 * checkRetry)
	if eff := tick(v, late); len(eff.RequestState) != 0 {
		t.Errorf("asked again while the exchange is in flight: %q", eff.RequestState)
	}
	if eff := v.MissedNews(a2, incOf(a2), 9, late); len(eff.RequestState) != 0 {
		t.Errorf("MissedNews asked while the exchange is in flight: %q", eff.RequestState)
	}
	v.ExchangeEnded(a2)
	eff := tick(v, late)
	wantStrings(t, "RequestState once the exchange ended", eff.RequestState, []string{a2})
	if !eff.Wakeup.Equal(late.Add(checkRetry)) {
		t.Errorf("Wakeup %v, want %v", eff.Wakeup, late.Add(checkRetry))
	}
	// Answered within CheckRetry: the next, if needed, waits for it.
	v.ExchangeEnded(a2)
	if eff := tick(v, late.Add(ms)); len(eff.RequestState) != 0 || !eff.Wakeup.Equal(late.Add(checkRetry)) {
		t.Errorf("asked again within CheckRetry: %+v", eff)
	}
}

func TestViewMissedNews(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	update(v, a2, rec("g", "p", enums.ProcessRunning, 5, now))
	asked := func(name string, inc, seq uint64, when time.Time) bool {
		defer v.ExchangeEnded(name) // answered at once: see TestViewOneExchangeAtATime
		return slices.Equal(v.MissedNews(name, inc, seq, when).RequestState, []string{name})
	}
	for _, tt := range []struct {
		what  string
		name  string
		inc   uint64
		seq   uint64
		after time.Duration
		ask   bool
	}{
		{"every change came", a2, incOf(a2), 5, 0, false},
		{"a change never came", a2, incOf(a2), 6, 0, true},
		{"asked a moment ago", a2, incOf(a2), 7, 10 * ms, false},
		{"asked again once CheckRetry passed", a2, incOf(a2), 7, 2 * time.Second, true},
		{"another incarnation (its agent restarted: it is checked anew)", a3, incOf(a3) + 1, 9, 0, false},
		{"a node that had no change since its full state", a3, incOf(a3), 0, 0, false},
		{"the local node", a1, localInc, 99, 0, false},
		{"not in address_list", "10.9.9.9", 1, 9, 0, false},
	} {
		if got := asked(tt.name, tt.inc, tt.seq, now.Add(tt.after)); got != tt.ask {
			t.Errorf("%s: asked %v, want %v", tt.what, got, tt.ask)
		}
	}
	// A full state that brings the node up to date: nothing to ask.
	v.ApplyFullState(full(a2, rec("g", "p", enums.ProcessStopped, 7, now)), now)
	if asked(a2, incOf(a2), 7, now.Add(time.Hour)) {
		t.Error("asked for news that came with a full state")
	}
}

func TestViewTimes(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	when := now.Add(time.Hour)
	if info, _ := v.Address(a1, when); !info.RemoteTime.Equal(when) || !info.LocalTime.Equal(when) {
		t.Errorf("local times: %+v, want both %v", info, when)
	}
	if info, _ := v.Address(a2, when); !info.RemoteTime.IsZero() || !info.LocalTime.IsZero() {
		t.Errorf("times of a remote never probed: %+v", info)
	}
	remote, local := at(time.Minute+3*ms), at(time.Minute)
	v.Heartbeat(a2, remote, local)
	info, _ := v.Address(a2, when)
	if !info.RemoteTime.Equal(remote) || !info.LocalTime.Equal(local) {
		t.Errorf("after Heartbeat: %+v, want remote %v local %v", info, remote, local)
	}
	infos := v.Addresses(when)
	if !infos[0].LocalTime.Equal(when) || !infos[1].RemoteTime.Equal(remote) || !infos[2].RemoteTime.IsZero() {
		t.Errorf("Addresses times: %+v", infos)
	}
}

func TestSetLocal(t *testing.T) {
	v := newView(a1)
	r := ProcessRecord{Group: "g", Name: "p", State: enums.ProcessRunning, PID: 42, Changed: at(ms), Seq: 77}

	u, changed := v.SetLocal(r)
	if !changed || u.Node != a1 || u.Incarnation != localInc || u.Record.Seq != 1 || u.Record.PID != 42 {
		t.Errorf("first SetLocal: %+v, %v", u, changed)
	}
	// Identical content (whatever Seq it carries): nothing.
	r.Seq = 3
	if u, changed := v.SetLocal(r); changed || u != (Update{}) {
		t.Errorf("identical SetLocal: %+v, %v", u, changed)
	}
	// A change: next Seq.
	r.State, r.Changed = enums.ProcessStopping, at(2*ms)
	if u, changed := v.SetLocal(r); !changed || u.Record.Seq != 2 || u.Record.State != enums.ProcessStopping {
		t.Errorf("changed SetLocal: %+v, %v", u, changed)
	}
	// Removing an unknown key: nothing, and Seq does not move.
	if u, changed := v.SetLocal(ProcessRecord{Group: "g", Name: "nope", Removed: true}); changed || u != (Update{}) {
		t.Errorf("removing an unknown key: %+v, %v", u, changed)
	}
	if _, ok := v.Process(Key{"g", "nope"}); ok {
		t.Error("removing an unknown key made it known")
	}
	if u, changed := v.SetLocal(ProcessRecord{Group: "a", Name: "first", State: enums.ProcessStopped}); !changed || u.Record.Seq != 3 {
		t.Errorf("SetLocal after a no-op removal: %+v, %v (want Seq 3)", u, changed)
	}
	v.SetLocal(ProcessRecord{Group: "g", Name: "b", State: enums.ProcessStopped}) // Seq 4
	v.SetLocal(ProcessRecord{Group: "g", Name: "x", State: enums.ProcessExited})  // Seq 5

	// Removing a known key: a tombstone, gossiped.
	u, changed = v.SetLocal(ProcessRecord{Group: "g", Name: "x", Removed: true})
	if !changed || !u.Record.Removed || u.Record.Seq != 6 {
		t.Errorf("removing g:x: %+v, %v", u, changed)
	}
	if _, ok := v.Process(Key{"g", "x"}); ok {
		t.Error("g:x found after its removal")
	}
	// Removing it again: nothing.
	if _, changed := v.SetLocal(ProcessRecord{Group: "g", Name: "x", Removed: true}); changed {
		t.Error("removing g:x again: changed")
	}

	fs := v.LocalState()
	if fs.Node != a1 || fs.Incarnation != localInc || fs.Seq != 6 {
		t.Errorf("LocalState header: node %q incarnation %d seq %d", fs.Node, fs.Incarnation, fs.Seq)
	}
	var names []string
	for _, r := range fs.Records {
		names = append(names, r.Key().Namespec())
		if r.Removed {
			t.Errorf("LocalState holds the tombstone of %s", r.Key().Namespec())
		}
	}
	wantStrings(t, "LocalState records", names, []string{"a:first", "g:b", "g:p"})
	if fs.Records[2].Seq != 2 || fs.Records[2].State != enums.ProcessStopping {
		t.Errorf("g:p in LocalState: %+v", fs.Records[2])
	}

	// Back after its removal: a new record.
	if u, changed := v.SetLocal(ProcessRecord{Group: "g", Name: "x", State: enums.ProcessExited}); !changed || u.Record.Seq != 7 || u.Record.Removed {
		t.Errorf("g:x back: %+v, %v", u, changed)
	}
	if _, ok := v.Process(Key{"g", "x"}); !ok {
		t.Error("g:x not found once back")
	}
}

func TestLocalStateReplicates(t *testing.T) {
	// The local state of one view, merged by another, shows the same.
	src := newView(a2)
	src.ready = false // its supervisor has not started its processes yet
	var updates []Update
	for _, r := range []ProcessRecord{
		{Group: "g", Name: "p", State: enums.ProcessRunning, Changed: at(ms)},
		{Group: "g", Name: "q", State: enums.ProcessStopped, Changed: at(2 * ms)},
		{Group: "g", Name: "r", State: enums.ProcessStarting, Changed: at(3 * ms)},
	} {
		u, _ := src.SetLocal(r)
		updates = append(updates, u)
	}
	src.SetLocal(ProcessRecord{Group: "g", Name: "r", Removed: true})

	dst := newView(a1)
	dst.MemberAlive(a2, Meta{Incarnation: localInc}, at(10*ms))
	// An early update arrives before the full state; late ones after.
	dst.ApplyUpdate(updates[0])
	dst.ApplyFullState(src.LocalState(), at(11*ms))
	wantAddrState(t, dst, a2, enums.AddressChecking) // its supervisor is not ready yet
	src.SetReady()
	dst.ApplyFullState(src.LocalState(), at(11*ms))
	wantAddrState(t, dst, a2, enums.AddressRunning)
	for _, u := range updates {
		dst.ApplyUpdate(u) // stale now: g:r must stay removed
	}
	wantStrings(t, "replicated Processes", namespecs(dst.Processes()), []string{"g:p", "g:q"})

	// Further changes flow as updates.
	u, _ := src.SetLocal(ProcessRecord{Group: "g", Name: "q", Removed: true})
	dst.ApplyUpdate(u)
	u, _ = src.SetLocal(ProcessRecord{Group: "g", Name: "p", State: enums.ProcessExited, Changed: at(20 * ms)})
	dst.ApplyUpdate(u)
	wantStrings(t, "Processes after updates", namespecs(dst.Processes()), []string{"g:p"})
	if p := mustProcess(t, dst, keyP); p.State != enums.ProcessExited || len(p.Addresses) != 0 {
		t.Errorf("g:p: %+v", p)
	}
}

func TestEarliestAndMerge(t *testing.T) {
	a, b := at(time.Second), at(2*time.Second)
	tests := []struct{ x, y, want time.Time }{
		{time.Time{}, time.Time{}, time.Time{}},
		{a, time.Time{}, a},
		{time.Time{}, b, b},
		{a, b, a},
		{b, a, a},
		{a, a, a},
	}
	for _, tt := range tests {
		if got := earliest(tt.x, tt.y); !got.Equal(tt.want) {
			t.Errorf("earliest(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
	e := Effects{RequestState: []string{a2}, Wakeup: b}
	e.Merge(Effects{RequestState: []string{a3}, MetaChanged: true, Wakeup: a})
	e.Merge(Effects{})
	if !slices.Equal(e.RequestState, []string{a2, a3}) || !e.MetaChanged || !e.Wakeup.Equal(a) {
		t.Errorf("merged %+v", e)
	}
}

func TestFences(t *testing.T) {
	bitmap := []byte{0x81, 0x02}
	for i, want := range []bool{true, false, false, false, false, false, false, true, false, true, false} {
		if got := fences(bitmap, i); got != want {
			t.Errorf("fences(%#v, %d) = %v, want %v", bitmap, i, got, want)
		}
	}
	if fences(nil, 0) || fences([]byte{}, 3) || fences(bitmap, 16) {
		t.Error("a short bitmap fences")
	}
}

// TestViewCrashes checks which ends of a process's last running copy the
// view reports as crashes (for the running failure strategy).
func TestViewCrashes(t *testing.T) {
	k := Key{"g", "p"}
	running := func(seq uint64) ProcessRecord { return rec("g", "p", enums.ProcessRunning, seq, at(time.Second)) }
	exited := func(expected bool) ProcessRecord {
		r := rec("g", "p", enums.ProcessExited, 2, at(2*time.Second))
		r.Expected = expected
		return r
	}
	tests := []struct {
		name  string
		then  func(v *View, now time.Time)
		crash bool
	}{
		{"FATAL", func(v *View, now time.Time) { update(v, a2, rec("g", "p", enums.ProcessFatal, 2, now)) }, true},
		{"unexpected exit", func(v *View, now time.Time) { update(v, a2, exited(false)) }, true},
		{"expected exit", func(v *View, now time.Time) { update(v, a2, exited(true)) }, false},
		{"stopped", func(v *View, now time.Time) { update(v, a2, rec("g", "p", enums.ProcessStopped, 2, now)) }, false},
		{"stopping", func(v *View, now time.Time) { update(v, a2, rec("g", "p", enums.ProcessStopping, 2, now)) }, false},
		{"node lost", func(v *View, now time.Time) { v.MemberDead(a2, now) }, true},
		{"agent restarted", func(v *View, now time.Time) {
			v.MemberAlive(a2, Meta{Incarnation: incOf(a2) + 1}, now)
			if eff := tick(v, now); len(eff.Crashed) != 0 {
				t.Errorf("crash handed out before the new agent's records: %v", eff.Crashed)
			}
			v.ApplyFullState(FullState{Node: a2, Incarnation: incOf(a2) + 1, Seq: 1, Ready: true,
				Records: []ProcessRecord{rec("g", "p", enums.ProcessStopped, 1, now)}}, now)
		}, true},
		{"one copy of two", func(v *View, now time.Time) {
			update(v, a3, running(1))
			update(v, a2, rec("g", "p", enums.ProcessFatal, 2, now))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, now := upCluster(t, a1, nil)
			update(v, a2, running(1))
			if eff := tick(v, now); len(eff.Crashed) != 0 {
				t.Fatalf("crash on start: %v", eff.Crashed)
			}
			tt.then(v, now.Add(time.Second))
			eff := tick(v, now.Add(time.Second))
			if got := slices.Equal(eff.Crashed, []Key{k}); got != tt.crash {
				t.Errorf("Crashed %v, want a crash: %v", eff.Crashed, tt.crash)
			}
			if eff := tick(v, now.Add(2*time.Second)); len(eff.Crashed) != 0 {
				t.Errorf("crash reported twice: %v", eff.Crashed)
			}
		})
	}
}

// TestViewStopRequest: restart() on the master leads it to RESTARTING with
// StopAll, then SHUTDOWN once the applications are stopped; it is refused
// on a non-master.
func TestViewStopRequest(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	if err := v.RequestStop(true); err != nil {
		t.Fatal(err)
	}
	eff := tick(v, now)
	wantFSM(t, v, enums.SupvisorsRestarting, a1)
	if !eff.StopAll || !eff.Restart || !eff.MetaChanged {
		t.Errorf("entering RESTARTING: %+v", eff)
	}
	v.StoppedAll()
	tick(v, now)
	wantFSM(t, v, enums.SupvisorsShutdown, a1)

	other, _ := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	if err := other.RequestStop(false); err == nil {
		t.Error("RequestStop accepted on a non-master")
	}
	other.MemberAlive(a1, Meta{Incarnation: incOf(a1), State: enums.SupvisorsShuttingDown, Master: a1}, now)
	if eff := tick(other, now); eff.StopAll {
		t.Errorf("a non-master asked to stop everything: %+v", eff)
	}
	wantFSM(t, other, enums.SupvisorsShuttingDown, a1)
}

// TestViewWaitsForRestartingPeers: after restart(), a new agent sees the
// old agents of its peers still on their way out; it waits for their new
// incarnations instead of electing without them.
func TestViewWaitsForRestartingPeers(t *testing.T) {
	v := newView(a2)
	v.MemberAlive(a1, Meta{Incarnation: incOf(a1), State: enums.SupvisorsShutdown, Master: a1}, at(10*ms))
	v.ApplyFullState(full(a1), at(10*ms))
	v.MemberAlive(a3, Meta{Incarnation: incOf(a3), State: enums.SupvisorsRestarting, Master: a1}, at(10*ms))
	v.ApplyFullState(full(a3), at(10*ms))
	tick(v, at(100*ms+stableWindow))
	wantFSM(t, v, enums.SupvisorsInitialization, "")

	// The old agents leave (saying so): UNKNOWN, still waited for.
	for _, name := range []string{a1, a3} {
		fs := full(name)
		fs.Leaving = true
		v.ApplyFullState(fs, at(time.Second))
		v.MemberDead(name, at(time.Second))
		wantAddrState(t, v, name, enums.AddressUnknown)
	}
	tick(v, at(time.Second+stableWindow))
	wantFSM(t, v, enums.SupvisorsInitialization, "")

	// Their new agents come: a1 is elected.
	for _, name := range []string{a1, a3} {
		v.MemberAlive(name, Meta{Incarnation: incOf(name) + 1}, at(2*time.Second))
		v.ApplyFullState(FullState{Node: name, Incarnation: incOf(name) + 1, Ready: true}, at(2*time.Second))
		wantAddrState(t, v, name, enums.AddressRunning)
	}
	tick(v, at(2*time.Second+stableWindow))
	wantFSM(t, v, enums.SupvisorsDeployment, a1)
}

// TestViewQuorum: with a quorum of 2 of 3, a node alone elects nobody and
// fences nobody; with the quorum it does both.
func TestViewQuorum(t *testing.T) {
	quorum := func(c *Config) { c.Quorum = 2; c.AutoFence = true }
	v := newView(a1, quorum)
	if v.HasQuorum() {
		t.Error("quorum alone")
	}
	tick(v, at(synchroTimeout))
	wantFSM(t, v, enums.SupvisorsInitialization, "")
	wantAddrState(t, v, a2, enums.AddressSilent) // given up on, not fenced

	join(t, v, a2, enums.SupvisorsInitialization, at(11*time.Second))
	if !v.HasQuorum() {
		t.Error("no quorum with 2 of 3")
	}
	tick(v, at(11*time.Second+stableWindow))
	wantFSM(t, v, enums.SupvisorsOperation, a1)

	// Losing a2 leaves 1 of 3: no quorum, so a2 is not fenced, and the
	// master is kept but acts no more.
	v.MemberDead(a2, at(20*time.Second))
	wantAddrState(t, v, a2, enums.AddressSilent)
	if v.HasQuorum() {
		t.Error("quorum kept alone")
	}

	// With a3 there too, losing a2 keeps the quorum: a2 is fenced once the
	// view has been stable for the fence delay.
	withDelay := func(c *Config) { c.FenceDelay = 3 * time.Second }
	w := newView(a1, quorum, withDelay)
	join(t, w, a2, enums.SupvisorsInitialization, at(100*ms))
	join(t, w, a3, enums.SupvisorsInitialization, at(100*ms))
	tick(w, at(100*ms+stableWindow))
	w.MemberDead(a2, at(5*time.Second))
	if eff := tick(w, at(5*time.Second)); !eff.Wakeup.Equal(at(8 * time.Second)) {
		t.Errorf("wakeup %v, want the end of the fence delay", eff.Wakeup)
	}
	wantAddrState(t, w, a2, enums.AddressSilent)
	if eff := tick(w, at(8*time.Second)); !eff.MetaChanged {
		t.Error("fencing without re-advertising")
	}
	wantAddrState(t, w, a2, enums.AddressIsolated)

	// A minority losing its peers one by one fences nobody: a3 is lost
	// within the delay, the quorum with it.
	x := newView(a1, quorum, withDelay)
	join(t, x, a2, enums.SupvisorsInitialization, at(100*ms))
	join(t, x, a3, enums.SupvisorsInitialization, at(100*ms))
	tick(x, at(100*ms+stableWindow))
	x.MemberDead(a2, at(5*time.Second))
	tick(x, at(5*time.Second))
	x.MemberDead(a3, at(7*time.Second))
	tick(x, at(20*time.Second))
	wantAddrState(t, x, a2, enums.AddressSilent)
	wantAddrState(t, x, a3, enums.AddressSilent)
	// a2 back before any fence: admitted.
	x.MemberAlive(a2, Meta{Incarnation: incOf(a2)}, at(21*time.Second))
	wantAddrState(t, x, a2, enums.AddressChecking)
}

// TestViewConciliateEffect: the master asks for conciliation on entering
// CONCILIATION and on every new conflict, not again for the same one.
func TestViewConciliateEffect(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	conflict := func(name string, seq uint64) {
		update(v, a2, rec("g", name, enums.ProcessRunning, seq, now))
		update(v, a3, rec("g", name, enums.ProcessRunning, seq, now))
	}
	conflict("p", 1)
	if eff := tick(v, now); !eff.Conciliate || v.State() != enums.SupvisorsConciliation {
		t.Fatalf("first conflict: %+v, state %v", eff, v.State())
	}
	if eff := tick(v, now); eff.Conciliate {
		t.Error("asked twice for the same conflict")
	}
	conflict("q", 2)
	if eff := tick(v, now); !eff.Conciliate {
		t.Error("not asked for a new conflict")
	}
	// The conciliation ended and the conflicts are still there (a copy
	// could not be stopped, another came back): asked again CheckRetry
	// later, not at once.
	v.ConciliationDone(now)
	if eff := tick(v, now); eff.Conciliate || !eff.Wakeup.Equal(now.Add(checkRetry)) {
		t.Errorf("right after the conciliation ended: %+v", eff)
	}
	if eff := tick(v, now.Add(checkRetry)); !eff.Conciliate {
		t.Error("not asked again for the conflicts left")
	}
	if eff := tick(v, now.Add(2*checkRetry)); eff.Conciliate {
		t.Error("asked again without a conciliation done")
	}
	// A non-master never is.
	w, _ := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	update(w, a1, rec("g", "p", enums.ProcessRunning, 1, now))
	update(w, a3, rec("g", "p", enums.ProcessRunning, 1, now))
	if eff := tick(w, now); eff.Conciliate || w.State() != enums.SupvisorsConciliation {
		t.Errorf("non-master: %+v, state %v", eff, w.State())
	}
}

// TestViewUptime: a copy's uptime is in its own node's clock, estimated
// from the last heartbeat; 10.0.0.2's clock is an hour ahead here.
func TestViewUptime(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	v.Heartbeat(a2, now.Add(time.Hour), now)
	start := now.Add(time.Hour - time.Minute) // a minute before, on a2's clock
	if got := v.Uptime(a2, start, now.Add(10*time.Second)); got != time.Minute+10*time.Second {
		t.Errorf("remote uptime %v", got)
	}
	if got := v.Uptime(a1, now.Add(-time.Second), now); got != time.Second {
		t.Errorf("local uptime %v", got)
	}
	if got := v.Uptime(a3, time.Time{}, now); got != 0 {
		t.Errorf("never started: %v", got)
	}
}

// TestViewMessageAge: the age of a message in its sender's clock, an hour
// ahead of ours here, estimated from its last heartbeat; unknown without
// one.
func TestViewMessageAge(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	v.Heartbeat(a2, now.Add(time.Hour), now)
	sent := now.Add(time.Hour + time.Second) // a second after the heartbeat, on a2's clock
	if age, known := v.MessageAge(a2, sent, now.Add(4*time.Second)); !known || age != 3*time.Second {
		t.Errorf("age %v, known %v; want 3s", age, known)
	}
	if _, known := v.MessageAge(a3, sent, now); known {
		t.Error("age known without a heartbeat")
	}
	if _, known := v.MessageAge("10.9.9.9", sent, now); known {
		t.Error("age known of an address outside address_list")
	}
	// A new agent's clock is not its predecessor's.
	v.MemberAlive(a2, Meta{Incarnation: incOf(a2) + 1}, now.Add(5*time.Second))
	if _, known := v.MessageAge(a2, sent, now.Add(5*time.Second)); known {
		t.Error("age known from the heartbeat of the agent before")
	}
}

// TestViewCrashesWaitForTheMaster: the master dies with a process; the
// next master gets the crash once it acts (in OPERATION).
func TestViewCrashesWaitForTheMaster(t *testing.T) {
	v, now := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	update(v, a1, rec("g", "p", enums.ProcessRunning, 1, now))
	lost := now.Add(time.Second)
	v.MemberDead(a1, lost)
	if eff := tick(v, lost); len(eff.Crashed) != 0 || v.State() != enums.SupvisorsInitialization {
		t.Fatalf("crash handed to a non-master: %+v, state %v", eff, v.State())
	}
	eff := tick(v, lost.Add(stableWindow))
	wantFSM(t, v, enums.SupvisorsOperation, a2)
	if !slices.Equal(eff.Crashed, []Key{{"g", "p"}}) {
		t.Errorf("Crashed %v once master", eff.Crashed)
	}
}

// TestApplyUpdateNews: an update is news once, not when repeated or older.
func TestApplyUpdateNews(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	u := Update{Node: a2, Incarnation: incOf(a2), Record: rec("g", "p", enums.ProcessRunning, 5, now)}
	if !v.ApplyUpdate(u) {
		t.Error("first update not news")
	}
	if v.ApplyUpdate(u) {
		t.Error("the same update news twice")
	}
	old := u
	old.Record.Seq = 4
	if v.ApplyUpdate(old) {
		t.Error("an older update is news")
	}
	fenced := Update{Node: "10.9.9.9", Incarnation: 1, Record: rec("g", "p", enums.ProcessRunning, 1, now)}
	if v.ApplyUpdate(fenced) {
		t.Error("an update of an outsider is news")
	}
}

// TestViewChecksConflicts: while a conflict lasts, the addresses of its
// copies are asked for their full state every CheckRetry.
func TestViewChecksConflicts(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	update(v, a2, rec("g", "p", enums.ProcessRunning, 1, now))
	update(v, a3, rec("g", "p", enums.ProcessRunning, 1, now))
	later := now.Add(10 * time.Second)
	eff := tick(v, later)
	slices.Sort(eff.RequestState)
	if !slices.Equal(eff.RequestState, []string{a2, a3}) {
		t.Errorf("RequestState %v", eff.RequestState)
	}
	v.ExchangeEnded(a2)
	v.ExchangeEnded(a3)
	if eff := tick(v, later.Add(ms)); len(eff.RequestState) != 0 || !eff.Wakeup.Equal(later.Add(checkRetry)) {
		t.Errorf("asked again within CheckRetry: %+v", eff)
	}
	if eff := tick(v, later.Add(checkRetry)); len(eff.RequestState) != 2 {
		t.Errorf("not asked again after CheckRetry: %+v", eff)
	}
	update(v, a3, rec("g", "p", enums.ProcessStopped, 2, now))
	if eff := tick(v, later.Add(3*checkRetry)); len(eff.RequestState) != 0 {
		t.Errorf("asked without a conflict: %+v", eff)
	}
}

// TestViewTakeChanged: the processes whose records change, or on an
// address whose state changes, are reported once, then forgotten.
func TestViewTakeChanged(t *testing.T) {
	v := newView(a1)
	join(t, v, a2, enums.SupvisorsInitialization, at(100*ms),
		rec("g", "p", enums.ProcessRunning, 1, at(50*ms)),
		rec("g", "q", enums.ProcessStopped, 2, at(60*ms)))
	changed := func() []string {
		var out []string
		for k := range v.TakeChanged() {
			out = append(out, k.Namespec())
		}
		slices.Sort(out)
		return out
	}
	wantStrings(t, "after the full state", changed(), []string{"g:p", "g:q"})
	wantStrings(t, "taken again", changed(), nil)

	update(v, a2, rec("g", "q", enums.ProcessStarting, 3, at(70*ms)))
	update(v, a2, rec("g", "q", enums.ProcessStarting, 3, at(70*ms))) // not news
	wantStrings(t, "after an update", changed(), []string{"g:q"})

	v.SetLocal(rec("h", "r", enums.ProcessRunning, 0, at(80*ms)))
	wantStrings(t, "after a local change", changed(), []string{"h:r"})

	v.MemberDead(a2, at(time.Second)) // UNKNOWN again: this view synchronises
	if got, want := v.AddressState(a2), addrState(t, v, a2); got != want || got == enums.AddressRunning {
		t.Errorf("AddressState(%s): %v, want %v (Address's), not RUNNING", a2, got, want)
	}
	// h:r has no record on a2: its state does not change with a2's.
	wantStrings(t, "after an address is lost", changed(), []string{"g:p", "g:q"})
	if got := v.AddressState("10.9.9.9"); got != enums.AddressUnknown {
		t.Errorf("AddressState of an outsider: %v, want UNKNOWN", got)
	}
	if got, want := v.AddressIncarnation(a2), incOf(a2); got != want {
		t.Errorf("AddressIncarnation(%s): %d, want %d", a2, got, want)
	}
}
