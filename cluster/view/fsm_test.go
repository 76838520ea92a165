package view

import (
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

func TestDecide(t *testing.T) {
	now := at(5 * time.Second)
	deadline := at(10 * time.Second) // synchro_timeout still ahead
	past := at(4 * time.Second)      // a deadline or stableAt already passed
	future := at(7 * time.Second)    // a stableAt still ahead

	// base is a local node a1 in INITIALIZATION, before the synchro
	// deadline, every address answered and the view stable.
	base := func() situation {
		return situation{
			state: enums.SupvisorsInitialization, local: a1, now: now,
			synchroDeadline: deadline, stableAt: past,
			firstRunning: a1, firstRunningState: enums.SupvisorsInitialization, quorum: true,
		}
	}
	// running is base in state st with master, which runs and advertises ms.
	running := func(st enums.SupvisorsState, master string, ms enums.SupvisorsState) situation {
		s := base()
		s.state, s.master, s.synchronised = st, master, true
		s.masterRunning, s.masterState = true, ms
		s.firstRunning, s.firstRunningState = master, ms
		return s
	}

	tests := []struct {
		name string
		s    situation
		want decision
	}{
		// INITIALIZATION
		{
			name: "initialization waits for pending addresses until the synchro deadline",
			s:    func() situation { s := base(); s.pending = true; return s }(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: deadline},
		},
		{
			name: "initialization waits for pending addresses, not for an earlier stableAt",
			s:    func() situation { s := base(); s.pending, s.stableAt = true, future; return s }(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: deadline},
		},
		{
			name: "initialization with every address answered waits for stableAt",
			s:    func() situation { s := base(); s.stableAt = future; return s }(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: future},
		},
		{
			name: "initialization after the deadline with pending addresses waits for stableAt",
			s: func() situation {
				s := base()
				s.pending, s.synchroDeadline, s.stableAt = true, past, future
				return s
			}(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: future},
		},
		{
			name: "initialization goes on after the deadline even with pending addresses",
			s:    func() situation { s := base(); s.pending, s.synchroDeadline = true, past; return s }(),
			want: decision{state: enums.SupvisorsDeployment, master: a1, endSynchro: true, deploy: true},
		},
		{
			name: "initialization goes on exactly at the deadline and at stableAt",
			s:    func() situation { s := base(); s.pending, s.synchroDeadline, s.stableAt = true, now, now; return s }(),
			want: decision{state: enums.SupvisorsDeployment, master: a1, endSynchro: true, deploy: true},
		},
		{
			name: "initialization already synchronised does not wait for pending addresses",
			s:    func() situation { s := base(); s.pending, s.synchronised = true, true; return s }(),
			want: decision{state: enums.SupvisorsDeployment, master: a1, deploy: true},
		},
		{
			name: "initialization synchronised still waits for stableAt",
			s:    func() situation { s := base(); s.pending, s.synchronised, s.stableAt = true, true, future; return s }(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: future},
		},
		{
			name: "initialization with every address answered ends the synchro; the local master is to deploy",
			s:    base(),
			want: decision{state: enums.SupvisorsDeployment, master: a1, endSynchro: true, deploy: true},
		},
		{
			name: "local master stops in deployment, to deploy, even with conflicts",
			s:    func() situation { s := base(); s.conflicts = true; return s }(),
			want: decision{state: enums.SupvisorsDeployment, master: a1, endSynchro: true, deploy: true},
		},
		{
			name: "elects firstRunning, not the local address",
			s:    func() situation { s := base(); s.local = a2; return s }(),
			want: decision{state: enums.SupvisorsDeployment, master: a1, endSynchro: true},
		},
		{
			name: "elected remote master advertising DEPLOYMENT: stays in deployment",
			s:    func() situation { s := base(); s.local, s.firstRunningState = a2, enums.SupvisorsDeployment; return s }(),
			want: decision{state: enums.SupvisorsDeployment, master: a1, endSynchro: true},
		},
		{
			name: "elected remote master advertising OPERATION: joins operation",
			s:    func() situation { s := base(); s.local, s.firstRunningState = a2, enums.SupvisorsOperation; return s }(),
			want: decision{state: enums.SupvisorsOperation, master: a1, endSynchro: true},
		},
		{
			name: "elected remote master advertising CONCILIATION, no local conflict: operation",
			s: func() situation {
				s := base()
				s.local, s.firstRunningState = a2, enums.SupvisorsConciliation
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1, endSynchro: true},
		},
		{
			name: "elected remote master advertising OPERATION, local conflicts: conciliation",
			s: func() situation {
				s := base()
				s.local, s.firstRunningState, s.conflicts = a2, enums.SupvisorsOperation, true
				return s
			}(),
			want: decision{state: enums.SupvisorsConciliation, master: a1, endSynchro: true},
		},
		{
			name: "a master already declared is followed at once, pending addresses and all; the synchro goes on",
			s: func() situation {
				s := base()
				s.local, s.firstRunningState, s.pending, s.stableAt = a2, enums.SupvisorsOperation, true, future
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1, wakeup: deadline},
		},
		{
			name: "a master already declared, in deployment, is followed at once; the synchro ends on a stable view",
			s: func() situation {
				s := base()
				s.local, s.firstRunningState, s.stableAt = a2, enums.SupvisorsDeployment, future
				return s
			}(),
			want: decision{state: enums.SupvisorsDeployment, master: a1, wakeup: future},
		},
		{
			name: "a first RUNNING address not declared master is elected only on a stable view",
			s:    func() situation { s := base(); s.local, s.stableAt = a2, future; return s }(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: future},
		},
		{
			name: "a master already declared is not followed without a quorum",
			s: func() situation {
				s := base()
				s.local, s.firstRunningState, s.quorum = a2, enums.SupvisorsOperation, false
				return s
			}(),
			want: decision{state: enums.SupvisorsInitialization, endSynchro: true},
		},
		{
			name: "a node that followed early ends its synchro once nothing is pending on a stable view",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a1, enums.SupvisorsOperation)
				s.local, s.synchronised = a2, false
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1, endSynchro: true},
		},
		{
			name: "a node that followed early ends its synchro at the deadline",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a1, enums.SupvisorsOperation)
				s.local, s.synchronised, s.pending, s.synchroDeadline = a2, false, true, past
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1, endSynchro: true},
		},
		{
			name: "a node that followed early ends its synchro at the deadline, stable or not",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a1, enums.SupvisorsOperation)
				s.local, s.synchronised, s.synchroDeadline, s.stableAt = a2, false, past, future
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1, endSynchro: true},
		},
		{
			name: "a stale master of a previous round is not kept by the election",
			s:    func() situation { s := base(); s.master, s.firstRunning, s.local = a1, a2, a2; return s }(),
			want: decision{state: enums.SupvisorsDeployment, master: a2, endSynchro: true, deploy: true},
		},

		// DEPLOYMENT
		{
			name: "non-master stays in deployment while the master advertises INITIALIZATION",
			s: func() situation {
				s := running(enums.SupvisorsDeployment, a1, enums.SupvisorsInitialization)
				s.local = a2
				return s
			}(),
			want: decision{state: enums.SupvisorsDeployment, master: a1},
		},
		{
			name: "non-master stays in deployment while the master advertises DEPLOYMENT",
			s: func() situation {
				s := running(enums.SupvisorsDeployment, a1, enums.SupvisorsDeployment)
				s.local = a2
				return s
			}(),
			want: decision{state: enums.SupvisorsDeployment, master: a1},
		},
		{
			name: "non-master goes to operation once the master advertises OPERATION",
			s: func() situation {
				s := running(enums.SupvisorsDeployment, a1, enums.SupvisorsOperation)
				s.local = a2
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1},
		},
		{
			name: "non-master goes on once the master advertises CONCILIATION",
			s: func() situation {
				s := running(enums.SupvisorsDeployment, a1, enums.SupvisorsConciliation)
				s.local = a2
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1},
		},
		{
			name: "non-master with conflicts goes to conciliation once the master is done",
			s: func() situation {
				s := running(enums.SupvisorsDeployment, a1, enums.SupvisorsOperation)
				s.local, s.conflicts = a2, true
				return s
			}(),
			want: decision{state: enums.SupvisorsConciliation, master: a1},
		},
		{
			name: "local master in deployment goes to operation",
			s: func() situation {
				s := running(enums.SupvisorsDeployment, a1, enums.SupvisorsDeployment)
				s.deployed = true
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1},
		},
		{
			name: "local master in deployment with conflicts goes to conciliation",
			s: func() situation {
				s := running(enums.SupvisorsDeployment, a1, enums.SupvisorsDeployment)
				s.conflicts, s.deployed = true, true
				return s
			}(),
			want: decision{state: enums.SupvisorsConciliation, master: a1},
		},

		// master lost
		{
			name: "master lost in deployment",
			s: func() situation {
				s := running(enums.SupvisorsDeployment, a1, enums.SupvisorsDeployment)
				s.local, s.masterRunning, s.firstRunning, s.stableAt = a2, false, a2, future
				return s
			}(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: future},
		},
		{
			name: "master lost in operation",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a1, enums.SupvisorsOperation)
				s.local, s.masterRunning, s.firstRunning, s.stableAt = a2, false, a2, future
				return s
			}(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: future},
		},
		{
			name: "master lost in conciliation",
			s: func() situation {
				s := running(enums.SupvisorsConciliation, a1, enums.SupvisorsConciliation)
				s.local, s.masterRunning, s.firstRunning, s.stableAt, s.conflicts = a2, false, a2, future, true
				return s
			}(),
			want: decision{state: enums.SupvisorsInitialization, wakeup: future},
		},
		{
			name: "master lost with the view already stable: re-elected at once",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a1, enums.SupvisorsOperation)
				s.local, s.masterRunning, s.firstRunning, s.firstRunningState = a2, false, a2, enums.SupvisorsInitialization
				return s
			}(),
			want: decision{state: enums.SupvisorsDeployment, master: a2, deploy: true},
		},

		// OPERATION and CONCILIATION
		{
			name: "operation stays put",
			s:    running(enums.SupvisorsOperation, a1, enums.SupvisorsOperation),
			want: decision{state: enums.SupvisorsOperation, master: a1},
		},
		{
			name: "operation goes to conciliation on conflicts",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a1, enums.SupvisorsOperation)
				s.conflicts = true
				return s
			}(),
			want: decision{state: enums.SupvisorsConciliation, master: a1},
		},
		{
			name: "conciliation stays while conflicts last",
			s: func() situation {
				s := running(enums.SupvisorsConciliation, a1, enums.SupvisorsConciliation)
				s.conflicts = true
				return s
			}(),
			want: decision{state: enums.SupvisorsConciliation, master: a1},
		},
		{
			name: "conciliation goes back to operation without conflicts",
			s:    running(enums.SupvisorsConciliation, a1, enums.SupvisorsConciliation),
			want: decision{state: enums.SupvisorsOperation, master: a1},
		},
		{
			name: "non-master operation follows its own conflicts, not the master's state",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a1, enums.SupvisorsConciliation)
				s.local = a2
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1},
		},
		{
			name: "a better firstRunning waits for stableAt",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a2, enums.SupvisorsOperation)
				s.firstRunning, s.stableAt = a1, future
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a2, wakeup: future},
		},
		{
			name: "a better firstRunning waits for stableAt, conflicts still count",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a2, enums.SupvisorsOperation)
				s.firstRunning, s.stableAt, s.conflicts = a1, future, true
				return s
			}(),
			want: decision{state: enums.SupvisorsConciliation, master: a2, wakeup: future},
		},
		{
			name: "a better firstRunning replaces the master once stable",
			s: func() situation {
				s := running(enums.SupvisorsOperation, a2, enums.SupvisorsOperation)
				s.firstRunning = a1
				return s
			}(),
			want: decision{state: enums.SupvisorsOperation, master: a1},
		},
		{
			name: "a better firstRunning replaces the master in conciliation once stable",
			s: func() situation {
				s := running(enums.SupvisorsConciliation, a2, enums.SupvisorsConciliation)
				s.firstRunning, s.conflicts = a1, true
				return s
			}(),
			want: decision{state: enums.SupvisorsConciliation, master: a1},
		},
	}

	tests = append(tests, struct {
		name string
		s    situation
		want decision
	}{
		name: "a non-master in deployment follows a better master once stable",
		s: func() situation {
			s := running(enums.SupvisorsDeployment, a2, enums.SupvisorsInitialization)
			s.local, s.firstRunning, s.firstRunningState = a3, a1, enums.SupvisorsDeployment
			return s
		}(),
		want: decision{state: enums.SupvisorsDeployment, master: a1},
	}, struct {
		name string
		s    situation
		want decision
	}{
		name: "a non-master in deployment follows a better master already in operation there",
		s: func() situation {
			s := running(enums.SupvisorsDeployment, a2, enums.SupvisorsInitialization)
			s.local, s.firstRunning, s.firstRunningState = a3, a1, enums.SupvisorsOperation
			return s
		}(),
		want: decision{state: enums.SupvisorsOperation, master: a1},
	}, struct {
		name string
		s    situation
		want decision
	}{
		name: "a non-master in deployment waits for the view to be stable before another master",
		s: func() situation {
			s := running(enums.SupvisorsDeployment, a2, enums.SupvisorsInitialization)
			s.local, s.firstRunning, s.stableAt = a3, a1, future
			return s
		}(),
		want: decision{state: enums.SupvisorsDeployment, master: a2, wakeup: future},
	})

	tests = append(tests, struct {
		name string
		s    situation
		want decision
	}{
		name: "initialization without a quorum elects nobody",
		s:    func() situation { s := base(); s.quorum = false; return s }(),
		want: decision{state: enums.SupvisorsInitialization, endSynchro: true},
	}, struct {
		name string
		s    situation
		want decision
	}{
		name: "initialization without a quorum still waits for the synchro deadline",
		s:    func() situation { s := base(); s.quorum, s.pending = false, true; return s }(),
		want: decision{state: enums.SupvisorsInitialization, wakeup: deadline},
	})

	// restart() and shutdown().
	for _, st := range []enums.SupvisorsState{enums.SupvisorsRestarting, enums.SupvisorsShuttingDown} {
		for _, from := range []enums.SupvisorsState{enums.SupvisorsDeployment, enums.SupvisorsOperation, enums.SupvisorsConciliation} {
			tests = append(tests, struct {
				name string
				s    situation
				want decision
			}{
				name: "the master asked for " + st.String() + " in " + from.String() + " stops everything",
				s:    func() situation { s := running(from, a1, from); s.stopRequest = st; return s }(),
				want: decision{state: st, master: a1, stopAll: true},
			}, struct {
				name string
				s    situation
				want decision
			}{
				name: "a non-master in " + from.String() + " follows the master into " + st.String(),
				s:    func() situation { s := running(from, a1, st); s.local = a2; return s }(),
				want: decision{state: st, master: a1},
			})
		}
		tests = append(tests, struct {
			name string
			s    situation
			want decision
		}{
			name: st.String() + " ends in SHUTDOWN once the applications are stopped",
			s:    func() situation { s := running(st, a1, st); s.stopped = true; return s }(),
			want: decision{state: enums.SupvisorsShutdown, master: a1},
		})
	}
	tests = append(tests, struct {
		name string
		s    situation
		want decision
	}{
		name: "a stop request waits in INITIALIZATION",
		s:    func() situation { s := base(); s.stopRequest, s.pending = enums.SupvisorsRestarting, true; return s }(),
		want: decision{state: enums.SupvisorsInitialization, wakeup: deadline},
	})

	type test = struct {
		name string
		s    situation
		want decision
	}
	// RESTARTING and SHUTTING_DOWN end once the master is done, or gone.
	for _, st := range []enums.SupvisorsState{enums.SupvisorsRestarting, enums.SupvisorsShuttingDown} {
		tests = append(tests,
			test{
				name: st.String() + " following a master lost stops the agent, even with conflicts",
				s: func() situation {
					s := running(st, a1, st)
					s.local, s.masterRunning, s.firstRunning, s.conflicts, s.stableAt = a2, false, a2, true, future
					return s
				}(),
				want: decision{state: enums.SupvisorsShutdown, master: a1, stopAgent: true},
			},
			test{
				name: st.String() + " following a master in SHUTDOWN stops the agent",
				s:    func() situation { s := running(st, a1, enums.SupvisorsShutdown); s.local = a2; return s }(),
				want: decision{state: enums.SupvisorsShutdown, master: a1, stopAgent: true},
			},
			test{
				name: st.String() + " following a master still stopping waits",
				s:    func() situation { s := running(st, a1, st); s.local = a2; return s }(),
				want: decision{state: st, master: a1},
			},
			test{
				name: st.String() + " as the master waits for its applications to stop",
				s:    func() situation { s := running(st, a1, st); s.stopRequest = st; return s }(),
				want: decision{state: st, master: a1},
			},
			test{
				name: st.String() + " without a master is left alone",
				s:    func() situation { s := base(); s.state, s.pending = st, true; return s }(),
				want: decision{state: st},
			})
	}
	// SHUTDOWN is final, whatever else.
	tests = append(tests,
		test{
			name: "SHUTDOWN is left alone with the master lost and conflicts",
			s: func() situation {
				s := running(enums.SupvisorsShutdown, a1, enums.SupvisorsShutdown)
				s.local, s.masterRunning, s.firstRunning, s.conflicts, s.stableAt = a2, false, a2, true, future
				return s
			}(),
			want: decision{state: enums.SupvisorsShutdown, master: a1},
		},
		test{
			name: "SHUTDOWN is left alone in a fresh view",
			s:    func() situation { s := base(); s.state, s.pending = enums.SupvisorsShutdown, true; return s }(),
			want: decision{state: enums.SupvisorsShutdown},
		})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decide(tt.s)
			if got != tt.want {
				t.Errorf("decide(%+v)\n got %+v\nwant %+v", tt.s, got, tt.want)
			}
		})
	}
}

// TestDecideSettles checks that a decision is a fixed point: deciding again
// from where decide settled (the local node being the master it elected)
// changes nothing.
func TestDecideSettles(t *testing.T) {
	for _, conflicts := range []bool{false, true} {
		s := situation{
			state: enums.SupvisorsInitialization, local: a1, now: at(time.Minute),
			synchroDeadline: at(10 * time.Second), stableAt: at(2 * time.Second),
			firstRunning: a1, conflicts: conflicts,
		}
		d := decide(s)
		s.state, s.master, s.synchronised = d.state, d.master, true
		s.masterRunning, s.masterState = true, d.state
		again := decide(s)
		if again.state != d.state || again.master != d.master || again.endSynchro || !again.wakeup.IsZero() {
			t.Errorf("conflicts=%v: decided %+v, then %+v", conflicts, d, again)
		}
	}
}
