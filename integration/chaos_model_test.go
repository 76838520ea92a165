package integration

import (
	"errors"
	"slices"
	"syscall"

	"github.com/supvisors/supvisors-go/fault"
)

// The chaos harness's model: what it expects of each process once the
// cluster has settled after a fault, from what the faults and the
// operator's calls did. The rules (Supvisors' semantics):
//   - a deployment (the first start, restart(), shutdown() and a relaunch
//     of every agent) runs every process of the deployed applications once
//     and nothing else; a single agent relaunched deploys nothing;
//   - RESTART_PROCESS and RESTART_APPLICATION processes run once whatever
//     the faults: their failure strategy starts them again, elsewhere if
//     need be, even if that has to wait for an address;
//   - a fault may legitimately lose a STOP_APPLICATION application (all of
//     it: it is all or nothing) or a CONTINUE process;
//   - what the operator stopped does not come back, what the operator
//     started runs, until the next call about it or the next deployment.
//
// The operator never stops single processes of the applications: an
// application restarted as a whole starts them all again, and one that is
// all or nothing would be half running by the operator's will.

// expectation is what the harness expects of a process.
type expectation int

const (
	running expectation = iota // runs exactly once
	stopped                    // runs nowhere: stopped by the operator, or never started
	either                     // runs at most once: a fault or a call of unknown outcome may have stopped it
)

func (e expectation) String() string {
	return [...]string{"running once", "stopped", "at most once"}[e]
}

// chaosProgram is a process of the chaos configuration (chaos_test.go).
type chaosProgram struct {
	namespec string // group:name
	app      string
	failure  string // its running failure strategy
	deployed bool   // started with its application at deployment
}

// fragile tells whether a fault may legitimately leave it stopped.
func (p chaosProgram) fragile() bool {
	return p.failure == "CONTINUE" || p.failure == "STOP_APPLICATION"
}

// chaosModel is the expectation of every process, and the children that
// must be gone.
type chaosModel struct {
	programs []chaosProgram
	expect   map[string]expectation // by namespec
	// gone are the pids of the children killed, by themselves or with
	// their agent, and what they were: no node may list one running.
	gone map[int]string
}

func newChaosModel(programs []chaosProgram) *chaosModel {
	m := &chaosModel{programs: programs, expect: map[string]expectation{}, gone: map[int]string{}}
	m.deployed()
	return m
}

// deployed is the state after a deployment.
func (m *chaosModel) deployed() {
	for _, p := range m.programs {
		m.expect[p.namespec] = map[bool]expectation{true: running, false: stopped}[p.deployed]
	}
}

// disrupted is a fault that may have lost any node's processes: the
// fragile ones may be stopped.
func (m *chaosModel) disrupted() {
	for _, p := range m.programs {
		if p.fragile() && m.expect[p.namespec] == running {
			m.expect[p.namespec] = either
		}
	}
}

// crashed is the crash of namespec's child: its failure strategy may stop
// it, or its whole application.
func (m *chaosModel) crashed(namespec string) {
	crashed := m.program(namespec)
	for _, p := range m.programs {
		hit := p.namespec == namespec || crashed.failure == "STOP_APPLICATION" && p.app == crashed.app
		if hit && p.fragile() && m.expect[p.namespec] == running {
			m.expect[p.namespec] = either
		}
	}
}

func (m *chaosModel) program(namespec string) chaosProgram {
	i := slices.IndexFunc(m.programs, func(p chaosProgram) bool { return p.namespec == namespec })
	return m.programs[i]
}

// outcome is what a call came to, for the model.
type outcome int

const (
	done       outcome = iota // it did what it was asked
	refused                   // it did nothing: refused before acting, or never reached the agent
	notRunning                // a stop of what was not running (maybe only for a moment)
	unsure                    // it may have done it, or part of it: no reply, a fault midway
)

// outcomeOf classifies a call's error.
func outcomeOf(err error) outcome {
	if err == nil {
		return done
	}
	if f, ok := errors.AsType[*fault.Fault](err); ok {
		switch f.Code {
		case fault.NotRunning:
			return notRunning
		case fault.BadSupvisorsState, fault.BadName, fault.BadStrategy, fault.AlreadyStarted, fault.ShutdownState,
			fault.IncorrectParameters, fault.BadArguments:
			return refused
		}
		return unsure
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
		return refused // the agent was not there: the call never left
	}
	return unsure
}

// called updates the targets' expectations after an operator's start or
// stop; cutOff tells that part of the cluster could not be reached when it
// was made (a frozen agent, a partition), so that a stop could not reach
// every copy the other side may have started meanwhile.
func (m *chaosModel) called(start bool, targets []string, o outcome, cutOff bool) {
	for _, namespec := range targets {
		e := m.expect[namespec]
		switch {
		case start && o == done:
			e = running
		case start && o == unsure && e == stopped:
			e = either
		case !start && o == done && cutOff:
			e = either
		case !start && o == done:
			e = stopped
		case !start && (o == unsure || o == notRunning) && e == running:
			e = either
		}
		m.expect[namespec] = e
	}
}
