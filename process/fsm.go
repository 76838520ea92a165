package process

import (
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
)

// procState is what Supervisor's Subprocess remembers between events. The
// state machine below is the only code that changes it.
type procState struct {
	State enums.ProcessState
	// PID is the child's pid, 0 when there is none.
	PID int
	// Backoff counts the start attempts that failed in a row (to startretries).
	Backoff int
	// Delay is the deadline of the current BACKOFF retry, or of the STOPPING
	// escalation to SIGKILL; zero when there is none.
	Delay          time.Time
	LastStart      time.Time // zero: never started
	LastStop       time.Time // zero: never exited
	LastStopReport time.Time // throttles "waiting for x to stop"
	SpawnErr       string
	// ExitStatus is the last exit's status (-1 when killed by a signal), 0
	// after a spawn or a too-quick exit (Supervisor's None).
	ExitStatus int
	// Expected tells whether the last exit status was one of the exitcodes.
	Expected bool
	// Killing is true from the stop (or kill) request until the child is reaped.
	Killing bool
}

// eventKind names what happened to a process.
type eventKind int

const (
	// evStart asks for a spawn (startProcess).
	evStart eventKind = iota
	// evSpawned reports the child forked with PID.
	evSpawned
	// evSpawnFailed reports that spawning failed in the supervisor, before
	// or at fork; Text is the spawnerr.
	evSpawnFailed
	// evChildFailed reports that the forked child failed before exec
	// (chdir, setuid, exec): Supervisor's child writes why, exits 127 and is
	// reaped as a too-quick exit.
	evChildFailed
	// evExited reports the child was reaped with Status.
	evExited
	// evTransition runs Supervisor's transition(): a deadline passed, or the
	// group was just added (autostart).
	evTransition
	// evStop is an administrative stop request (stop()).
	evStop
	// evGiveUp is stop_all's BACKOFF -> FATAL during a shutdown.
	evGiveUp
	// evSignal asks to send Signal to the child without stopping it.
	evSignal
	// evKillFailed reports that sending a stop or kill signal failed; Text
	// is the error.
	evKillFailed
	// evSignalFailed reports that sending an evSignal's signal failed; Text
	// is the error.
	evSignalFailed
	// evStopReport asks for the throttled "waiting for x to stop" line.
	evStopReport
	// evForceFatal marks a process that could not be started FATAL, with
	// Text as its spawnerr (Supvisors' force_process_fatal); it applies only
	// to a process in STOPPED_STATES.
	evForceFatal
)

// event is one input of the state machine. Now and Mood (supervisord's
// state) come with every event; the other fields with the kinds that say so.
type event struct {
	Kind   eventKind
	Now    time.Time
	Mood   enums.SupervisorState
	PID    int
	Status exitStatus
	Signal syscall.Signal
	Text   string
}

// stateChange is one state transition, for subscribers and waiters.
type stateChange struct {
	From, To enums.ProcessState
	// PID, Tries and Expected are the process's pid, backoff count and
	// expected flag at the change: what Supervisor's state events render
	// eagerly (finish() clears the pid after its change).
	PID, Tries int
	Expected   bool
}

// logLine is a line for supervisord's main log.
type logLine struct {
	Level hclog.Level
	Text  string
}

// killRequest asks the shell to send Signal to Target (a pid, or minus a
// process group id). Stop is true for kill() (a failure is evKillFailed),
// false for signal() (evSignalFailed).
type killRequest struct {
	Target int
	Signal syscall.Signal
	Stop   bool
}

// effects is what the state machine asks the shell to do, in this order:
// publish Changes, write Logs, then spawn (Spawn) or send signals (Kills, in
// order; after a failure the rest are dropped).
// Reply is the message stop() or signal() returns (a FAILED fault's text),
// "" for success.
type effects struct {
	Changes []stateChange
	Logs    []logLine
	Spawn   bool
	Kills   []killRequest
	Reply   string
}

const (
	tooQuicklyText  = "Exited too quickly (process log may have details)"
	stopReportEvery = 2 * time.Second
)

// step is Supervisor's Subprocess logic as a pure function: it applies ev to
// st for the process configured by cfg, then runs transition() as
// supervisord's main loop would right after, and returns the new state and
// what the shell must do.
func step(cfg *config.Process, st procState, ev event) (procState, effects) {
	m := machine{cfg: cfg, st: st, ev: ev}
	switch ev.Kind {
	case evStart:
		m.spawn()
	case evSpawned:
		m.st.PID = ev.PID
		m.st.SpawnErr = ""
		m.log(hclog.Info, "spawned: '%s' with pid %d", cfg.Name, ev.PID)
	case evSpawnFailed:
		m.st.SpawnErr = ev.Text
		m.log(hclog.Info, "spawnerr: %s", ev.Text)
		m.change(enums.ProcessBackoff)
	case evChildFailed:
		m.st.LastStop = ev.Now
		m.exitedTooQuickly("exit status 127")
	case evExited:
		m.finish(ev.Status)
	case evTransition:
	case evStop:
		m.st.LastStopReport = time.Time{}
		m.eff.Reply = m.kill(cfg.Stopsignal)
	case evGiveUp:
		if m.st.State == enums.ProcessBackoff {
			m.giveUp()
		}
	case evSignal:
		m.signal(ev.Signal)
	case evKillFailed:
		m.killFailed(fmt.Sprintf("unknown problem killing %s (%d):%s", cfg.Name, m.st.PID, ev.Text))
		m.st.Killing = false
		m.st.Delay = time.Time{}
	case evSignalFailed:
		m.killFailed(fmt.Sprintf("unknown problem sending sig %s (%d):%s", cfg.Name, m.st.PID, ev.Text))
	case evStopReport:
		m.stopReport()
	case evForceFatal:
		if m.st.State.IsStopped() {
			m.st.SpawnErr = ev.Text
			m.log(hclog.Info, "gave up: %s entered FATAL state, %s", cfg.Name, ev.Text)
			m.giveUp()
		}
	}
	if !m.eff.Spawn {
		m.transition()
	}
	return m.st, m.eff
}

// wake returns when the process next needs evTransition (zero: no deadline):
// the end of startsecs, a BACKOFF retry (unless supervisord, in mood, is
// restarting or shutting down), or a STOPPING escalation.
func wake(cfg *config.Process, st procState, mood enums.SupervisorState) time.Time {
	switch st.State {
	case enums.ProcessStarting:
		return st.LastStart.Add(seconds(cfg.Startsecs))
	case enums.ProcessBackoff:
		if mood > enums.SupervisorRestarting && st.Backoff <= cfg.Startretries {
			return st.Delay
		}
	case enums.ProcessStopping:
		return st.Delay
	}
	return time.Time{}
}

// machine carries one step's working state.
type machine struct {
	cfg *config.Process
	st  procState
	ev  event
	eff effects
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

func (m *machine) log(level hclog.Level, format string, args ...any) {
	m.eff.Logs = append(m.eff.Logs, logLine{Level: level, Text: fmt.Sprintf(format, args...)})
}

// change is change_state: entering BACKOFF counts an attempt and sets its
// retry delay to as many seconds.
func (m *machine) change(to enums.ProcessState) {
	from := m.st.State
	if from == to {
		return
	}
	m.st.State = to
	if to == enums.ProcessBackoff {
		m.st.Backoff++
		m.st.Delay = m.ev.Now.Add(seconds(m.st.Backoff))
	}
	m.eff.Changes = append(m.eff.Changes, stateChange{From: from, To: to, PID: m.st.PID, Tries: m.st.Backoff, Expected: m.st.Expected})
}

// spawn is the part of Subprocess.spawn before the fork: the shell forks and
// comes back with evSpawned, evSpawnFailed or evChildFailed.
func (m *machine) spawn() {
	if m.st.PID != 0 {
		m.log(hclog.Warn, "process '%s' already running", m.cfg.Name)
		return
	}
	switch m.st.State {
	case enums.ProcessExited, enums.ProcessFatal, enums.ProcessBackoff, enums.ProcessStopped:
	default:
		return
	}
	m.st.Killing = false
	m.st.SpawnErr = ""
	m.st.ExitStatus = 0
	m.st.LastStart = m.ev.Now
	m.change(enums.ProcessStarting)
	m.eff.Spawn = true
}

// transition is Subprocess.transition(): automatic starts (unless
// supervisord is restarting or shutting down), STARTING -> RUNNING after
// startsecs, BACKOFF -> FATAL after startretries, and SIGKILL after
// stopwaitsecs.
func (m *machine) transition() {
	now, state := m.ev.Now, m.st.State
	if m.ev.Mood > enums.SupervisorRestarting {
		switch {
		case state == enums.ProcessExited:
			switch m.cfg.Autorestart {
			case config.AutorestartTrue:
				m.spawn()
			case config.AutorestartUnexpected:
				if !slices.Contains(m.cfg.Exitcodes, m.st.ExitStatus) {
					m.spawn()
				}
			}
		case state == enums.ProcessStopped && m.st.LastStart.IsZero():
			if m.cfg.Autostart {
				m.spawn()
			}
		case state == enums.ProcessBackoff:
			if m.st.Backoff <= m.cfg.Startretries && !now.Before(m.st.Delay) {
				m.spawn()
			}
		}
	}
	if m.eff.Spawn {
		return
	}
	switch state {
	case enums.ProcessStarting:
		if !now.Before(m.st.LastStart.Add(seconds(m.cfg.Startsecs))) {
			m.st.Delay = time.Time{}
			m.st.Backoff = 0
			m.change(enums.ProcessRunning)
			m.log(hclog.Info, "success: %s entered RUNNING state, process has stayed up for > than %d seconds (startsecs)",
				m.cfg.Name, m.cfg.Startsecs)
		}
	case enums.ProcessBackoff:
		if m.st.Backoff > m.cfg.Startretries {
			m.giveUp()
			m.log(hclog.Info, "gave up: %s entered FATAL state, too many start retries too quickly", m.cfg.Name)
		}
	case enums.ProcessStopping:
		if !now.Before(m.st.Delay) {
			m.log(hclog.Warn, "killing '%s' (%d) with SIGKILL", m.cfg.Name, m.st.PID)
			m.kill(syscall.SIGKILL)
		}
	}
}

func (m *machine) giveUp() {
	m.st.Delay = time.Time{}
	m.st.Backoff = 0
	m.change(enums.ProcessFatal)
}

// kill is Subprocess.kill(): BACKOFF goes straight to STOPPED; otherwise the
// first signal goes to the process (its group with stopasgroup), an
// escalation from STOPPING to the group with killasgroup. It returns the
// message Supervisor returns when there is nothing to kill.
func (m *machine) kill(sig syscall.Signal) string {
	if m.st.State == enums.ProcessBackoff {
		m.log(hclog.Debug, "Attempted to kill %s, which is in BACKOFF state.", m.cfg.Name)
		m.change(enums.ProcessStopped)
		return ""
	}
	if m.st.PID == 0 {
		msg := fmt.Sprintf("attempted to kill %s with sig %s but it wasn't running", m.cfg.Name, signame(sig))
		m.log(hclog.Debug, "%s", msg)
		return msg
	}
	asGroup := m.cfg.Stopasgroup
	if m.st.State == enums.ProcessStopping {
		asGroup = m.cfg.Killasgroup
	}
	groupText, target := "", m.st.PID
	if asGroup {
		groupText, target = "process group ", -m.st.PID
	}
	m.log(hclog.Debug, "killing %s (pid %d) %swith signal %s", m.cfg.Name, m.st.PID, groupText, signame(sig))
	m.st.Killing = true
	m.st.Delay = m.ev.Now.Add(seconds(m.cfg.Stopwaitsecs))
	m.change(enums.ProcessStopping)
	m.eff.Kills = append(m.eff.Kills, killRequest{Target: target, Signal: sig, Stop: true})
	return ""
}

// signal is Subprocess.signal(): send a signal without intending to stop.
func (m *machine) signal(sig syscall.Signal) {
	if m.st.PID == 0 {
		m.eff.Reply = fmt.Sprintf("attempted to send %s sig %s but it wasn't running", m.cfg.Name, signame(sig))
		m.log(hclog.Debug, "%s", m.eff.Reply)
		return
	}
	m.log(hclog.Debug, "sending %s (pid %d) sig %s", m.cfg.Name, m.st.PID, signame(sig))
	m.eff.Kills = append(m.eff.Kills, killRequest{Target: m.st.PID, Signal: sig})
}

// killFailed is what kill() and signal() do when the signal could not be
// sent for another reason than the child being gone: UNKNOWN.
func (m *machine) killFailed(msg string) {
	m.log(hclog.Error, "%s", msg)
	m.change(enums.ProcessUnknown)
	m.eff.Reply = msg
}

func (m *machine) stopReport() {
	if m.st.State == enums.ProcessStopping && m.ev.Now.After(m.st.LastStopReport.Add(stopReportEvery)) {
		m.log(hclog.Info, "waiting for %s to stop", m.cfg.Name)
		m.st.LastStopReport = m.ev.Now
	}
}

// finish is Subprocess.finish(): a reaped child ends a stop (STOPPED), a
// start (BACKOFF when it did not last startsecs) or a run (EXITED, expected
// or not).
func (m *machine) finish(es exitStatus) {
	now := m.ev.Now
	m.st.LastStop = now
	tooQuickly := now.Sub(m.st.LastStart) < seconds(m.cfg.Startsecs)
	expected := slices.Contains(m.cfg.Exitcodes, es.Code)
	switch {
	case m.st.Killing:
		m.st.Killing = false
		m.st.Delay = time.Time{}
		m.st.ExitStatus = es.Code
		m.st.Expected = expected
		m.change(enums.ProcessStopped)
		level := hclog.Warn
		if expected {
			level = hclog.Info
		}
		m.log(level, "stopped: %s (%s)", m.cfg.Name, es.Text)
	case m.st.State == enums.ProcessUnknown:
		// A child whose stop signal could not be sent: record its end, stay UNKNOWN.
		m.st.ExitStatus = es.Code
		m.st.Expected = expected
		m.log(hclog.Warn, "exited: %s (%s)", m.cfg.Name, es.Text)
	case tooQuickly:
		m.exitedTooQuickly(es.Text)
	default:
		m.st.Delay = time.Time{}
		m.st.Backoff = 0
		m.st.ExitStatus = es.Code
		m.st.Expected = expected
		m.change(enums.ProcessRunning)
		if expected {
			m.change(enums.ProcessExited)
			m.log(hclog.Info, "exited: %s (%s; expected)", m.cfg.Name, es.Text)
		} else {
			m.st.SpawnErr = fmt.Sprintf("Bad exit code %d", es.Code)
			m.change(enums.ProcessExited)
			m.log(hclog.Warn, "exited: %s (%s; not expected)", m.cfg.Name, es.Text)
		}
	}
	m.st.PID = 0
}

// exitedTooQuickly is finish()'s STARTING -> BACKOFF.
func (m *machine) exitedTooQuickly(statusText string) {
	m.st.ExitStatus = 0
	m.st.Expected = false
	m.st.SpawnErr = tooQuicklyText
	m.change(enums.ProcessBackoff)
	m.log(hclog.Warn, "exited: %s (%s; not expected)", m.cfg.Name, statusText)
}
