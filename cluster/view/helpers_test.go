package view

import (
	"slices"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// t0 is the fixed base of every time in these tests: no test reads a clock.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

const (
	a1 = "10.0.0.1"
	a2 = "10.0.0.2"
	a3 = "10.0.0.3"

	synchroTimeout = 10 * time.Second
	stableWindow   = 2 * time.Second
	checkRetry     = time.Second

	ms = time.Millisecond
)

// localInc is the incarnation of the local agent in every test view.
const localInc = 1

// incOf is the incarnation every test gives a remote address's agent.
func incOf(name string) uint64 {
	switch name {
	case a1:
		return 11
	case a2:
		return 12
	case a3:
		return 13
	}
	return 99
}

// testConfig is a 3-address configuration seen from local.
func testConfig(local string) Config {
	return Config{
		Local:          local,
		AddressList:    []string{a1, a2, a3},
		SynchroTimeout: synchroTimeout,
		StableWindow:   stableWindow,
		CheckRetry:     checkRetry,
	}
}

// newView is the view of local (incarnation localInc) started at t0.
func newView(local string, mods ...func(*Config)) *View {
	cfg := testConfig(local)
	for _, m := range mods {
		m(&cfg)
	}
	v := New(cfg, localInc, t0)
	v.SetReady()
	return v
}

func withAutoFence(c *Config) { c.AutoFence = true }

// rec is a record of group:name in state st, last changed at changed.
func rec(group, name string, st enums.ProcessState, seq uint64, changed time.Time) ProcessRecord {
	return ProcessRecord{Group: group, Name: name, State: st, Seq: seq, Changed: changed}
}

// full is the full state of node (incarnation incOf(node)) made of recs, as
// of the highest Seq among them.
func full(node string, recs ...ProcessRecord) FullState {
	fs := FullState{Node: node, Incarnation: incOf(node), Records: recs, Ready: true}
	for _, r := range recs {
		fs.Seq = max(fs.Seq, r.Seq)
	}
	return fs
}

// update gossips r from node (incarnation incOf(node)) to v.
func update(v *View, node string, r ProcessRecord) {
	v.ApplyUpdate(Update{Node: node, Incarnation: incOf(node), Record: r})
}

// join brings name to RUNNING in v: the ring reports it alive with its
// meta (incarnation incOf(name)), then its full state made of recs arrives.
func join(tb testing.TB, v *View, name string, state enums.SupvisorsState, now time.Time, recs ...ProcessRecord) {
	tb.Helper()
	meta := Meta{Incarnation: incOf(name), State: state}
	if state != enums.SupvisorsInitialization {
		meta.Master = a1 // every test cluster past INITIALIZATION is under a1
	}
	v.MemberAlive(name, meta, now)
	// The answer to the exchange the view asked for, as the cluster hands
	// it over.
	v.ApplyFullState(full(name, recs...), now)
	v.ExchangeEnded(name)
	if got := addrState(tb, v, name); got != enums.AddressRunning {
		tb.Fatalf("%s after its full state: %v, want RUNNING", name, got)
	}
}

// upCluster is the view of local once both other addresses joined at
// 100 ms (advertising the states given, INITIALIZATION by default) and the
// state machine ran once the view was stable. It returns the time of that
// tick.
func upCluster(tb testing.TB, local string, states map[string]enums.SupvisorsState, mods ...func(*Config)) (*View, time.Time) {
	tb.Helper()
	v := newView(local, mods...)
	now := at(100 * ms)
	for _, name := range []string{a1, a2, a3} {
		if name != local {
			join(tb, v, name, states[name], now)
		}
	}
	now = now.Add(stableWindow)
	tick(v, now)
	return v, now
}

// addrState is the state of name in v.
func addrState(tb testing.TB, v *View, name string) enums.AddressState {
	tb.Helper()
	info, ok := v.Address(name, t0)
	if !ok {
		tb.Fatalf("Address(%q): not found", name)
	}
	return info.State
}

// wantAddrState fails unless name is in state want.
func wantAddrState(tb testing.TB, v *View, name string, want enums.AddressState) {
	tb.Helper()
	if got := addrState(tb, v, name); got != want {
		tb.Errorf("address %s: %v, want %v", name, got, want)
	}
}

// wantFSM fails unless v is in state with master.
func wantFSM(tb testing.TB, v *View, state enums.SupvisorsState, master string) {
	tb.Helper()
	if v.State() != state || v.Master() != master {
		tb.Errorf("state %v master %q, want %v master %q", v.State(), v.Master(), state, master)
	}
}

// mustProcess is the cluster's view of k.
func mustProcess(tb testing.TB, v *View, k Key) ProcessInfo {
	tb.Helper()
	p, ok := v.Process(k)
	if !ok {
		tb.Fatalf("Process(%v): not found", k)
	}
	return p
}

// namespecs lists the namespecs of ps, in order.
func namespecs(ps []ProcessInfo) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key().Namespec())
	}
	return out
}

// wantStrings fails unless got equals want (nil and empty alike).
func wantStrings(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		tb.Errorf("%s: %q, want %q", what, got, want)
	}
}

// tick is v.Tick with the deployment a local master asks for done at once:
// these tests have no applications to deploy.
func tick(v *View, now time.Time) Effects {
	eff := v.Tick(now)
	if eff.Deploy {
		v.DeploymentDone()
		eff.Merge(v.Tick(now))
	}
	return eff
}
