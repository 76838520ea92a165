package process

import (
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
)

var t0 = time.Unix(1_700_000_000, 0)

func at(d time.Duration) time.Time { return t0.Add(d) }

// fsmConfig is a program with Supervisor's defaults, named x.
func fsmConfig(mods ...func(*config.Process)) *config.Process {
	c := &config.Process{
		Name: "x", Group: "x", Program: "x", Command: "/bin/true",
		Autostart: true, Autorestart: config.AutorestartUnexpected,
		Startsecs: 1, Startretries: 3, Stopsignal: syscall.SIGTERM, Stopwaitsecs: 10,
		Exitcodes: []int{0}, UID: -1,
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func info(text string) logLine  { return logLine{Level: hclog.Info, Text: text} }
func warn(text string) logLine  { return logLine{Level: hclog.Warn, Text: text} }
func debug(text string) logLine { return logLine{Level: hclog.Debug, Text: text} }

func changes(states ...enums.ProcessState) []stateChange {
	var out []stateChange
	for i := 1; i < len(states); i++ {
		out = append(out, stateChange{From: states[i-1], To: states[i]})
	}
	return out
}

func exited(code int) exitStatus { return decodeWaitStatus(syscall.WaitStatus(code << 8)) }

func killedBy(sig syscall.Signal) exitStatus { return decodeWaitStatus(syscall.WaitStatus(sig)) }

func TestStep(t *testing.T) {
	running := procState{State: enums.ProcessRunning, PID: 42, LastStart: t0}
	starting := procState{State: enums.ProcessStarting, PID: 42, LastStart: t0}
	stopping := procState{State: enums.ProcessStopping, PID: 42, LastStart: t0, Killing: true, Delay: at(10 * time.Second)}
	tests := []struct {
		name string
		cfg  *config.Process
		mood enums.SupervisorState // zero value is SupervisorRestarting, so cases say it
		from procState
		ev   event
		want procState
		eff  effects
	}{
		// Supvisors' force_process_fatal.
		{
			name: "force FATAL a stopped process",
			cfg:  fsmConfig(func(c *config.Process) { c.Autostart = false }), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessExited, ExitStatus: 2, LastStart: t0},
			ev:   event{Kind: evForceFatal, Now: t0, Text: "no resource available"},
			want: procState{State: enums.ProcessFatal, ExitStatus: 2, LastStart: t0, SpawnErr: "no resource available"},
			eff:  effects{Changes: changes(enums.ProcessExited, enums.ProcessFatal), Logs: []logLine{info("gave up: x entered FATAL state, no resource available")}},
		},
		{
			name: "force FATAL leaves a running process alone",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evForceFatal, Now: t0, Text: "no resource available"},
			want: running,
		},
		// Automatic starts.
		{
			name: "autostart a never started process",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStopped},
			ev:   event{Kind: evTransition, Now: t0},
			want: procState{State: enums.ProcessStarting, LastStart: t0},
			eff:  effects{Changes: changes(enums.ProcessStopped, enums.ProcessStarting), Spawn: true},
		},
		{
			name: "autostart=false leaves it stopped",
			cfg:  fsmConfig(func(c *config.Process) { c.Autostart = false }), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStopped},
			ev:   event{Kind: evTransition, Now: t0},
			want: procState{State: enums.ProcessStopped},
		},
		{
			name: "no autostart once started before",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStopped, LastStart: t0},
			ev:   event{Kind: evTransition, Now: at(time.Hour)},
			want: procState{State: enums.ProcessStopped, LastStart: t0},
		},
		{
			name: "no autostart while restarting",
			cfg:  fsmConfig(), mood: enums.SupervisorRestarting,
			from: procState{State: enums.ProcessStopped},
			ev:   event{Kind: evTransition, Now: t0},
			want: procState{State: enums.ProcessStopped},
		},
		{
			name: "no autostart while shutting down",
			cfg:  fsmConfig(), mood: enums.SupervisorShutdown,
			from: procState{State: enums.ProcessStopped},
			ev:   event{Kind: evTransition, Now: t0},
			want: procState{State: enums.ProcessStopped},
		},

		// Start requests and spawn outcomes.
		{
			name: "start from STOPPED resets the last run",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStopped, LastStart: t0, SpawnErr: "old", ExitStatus: 3, Backoff: 2},
			ev:   event{Kind: evStart, Now: at(time.Minute)},
			want: procState{State: enums.ProcessStarting, LastStart: at(time.Minute), Backoff: 2},
			eff:  effects{Changes: changes(enums.ProcessStopped, enums.ProcessStarting), Spawn: true},
		},
		{
			name: "start from EXITED",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessExited, LastStart: t0, ExitStatus: 1, SpawnErr: "Bad exit code 1"},
			ev:   event{Kind: evStart, Now: at(time.Minute)},
			want: procState{State: enums.ProcessStarting, LastStart: at(time.Minute)},
			eff:  effects{Changes: changes(enums.ProcessExited, enums.ProcessStarting), Spawn: true},
		},
		{
			name: "start from FATAL",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessFatal, LastStart: t0, SpawnErr: tooQuicklyText},
			ev:   event{Kind: evStart, Now: at(time.Minute)},
			want: procState{State: enums.ProcessStarting, LastStart: at(time.Minute)},
			eff:  effects{Changes: changes(enums.ProcessFatal, enums.ProcessStarting), Spawn: true},
		},
		{
			name: "start works while shutting down (startProcess is refused by the RPC layer, not here)",
			cfg:  fsmConfig(), mood: enums.SupervisorShutdown,
			from: procState{State: enums.ProcessStopped},
			ev:   event{Kind: evStart, Now: t0},
			want: procState{State: enums.ProcessStarting, LastStart: t0},
			eff:  effects{Changes: changes(enums.ProcessStopped, enums.ProcessStarting), Spawn: true},
		},
		{
			name: "start with a live pid only warns",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evStart, Now: at(time.Minute)},
			want: running,
			eff:  effects{Logs: []logLine{warn("process 'x' already running")}},
		},
		{
			name: "spawned waits for startsecs",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, LastStart: t0},
			ev:   event{Kind: evSpawned, Now: t0, PID: 42},
			want: starting,
			eff:  effects{Logs: []logLine{info("spawned: 'x' with pid 42")}},
		},
		{
			name: "spawned with startsecs=0 is RUNNING at once",
			cfg:  fsmConfig(func(c *config.Process) { c.Startsecs = 0 }), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, LastStart: t0, Backoff: 2},
			ev:   event{Kind: evSpawned, Now: t0, PID: 42},
			want: running,
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessRunning), Logs: []logLine{
				info("spawned: 'x' with pid 42"),
				info("success: x entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)"),
			}},
		},
		{
			name: "STARTING before startsecs stays",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: starting,
			ev:   event{Kind: evTransition, Now: at(999 * time.Millisecond)},
			want: starting,
		},
		{
			name: "STARTING -> RUNNING after startsecs resets the backoff",
			cfg:  fsmConfig(func(c *config.Process) { c.Startsecs = 5 }), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, PID: 42, LastStart: t0, Backoff: 2},
			ev:   event{Kind: evTransition, Now: at(5 * time.Second)},
			want: running,
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessRunning), Logs: []logLine{
				info("success: x entered RUNNING state, process has stayed up for > than 5 seconds (startsecs)"),
			}},
		},
		{
			name: "STARTING -> RUNNING also while shutting down",
			cfg:  fsmConfig(), mood: enums.SupervisorShutdown,
			from: starting,
			ev:   event{Kind: evTransition, Now: at(time.Second)},
			want: running,
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessRunning), Logs: []logLine{
				info("success: x entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)"),
			}},
		},
		{
			name: "spawn failure -> BACKOFF with a 1 s delay",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, LastStart: t0},
			ev:   event{Kind: evSpawnFailed, Now: t0, Text: "can't find command 'nope'"},
			want: procState{State: enums.ProcessBackoff, LastStart: t0, Backoff: 1, Delay: at(time.Second), SpawnErr: "can't find command 'nope'"},
			eff:  effects{Changes: changes(enums.ProcessStarting, enums.ProcessBackoff), Logs: []logLine{info("spawnerr: can't find command 'nope'")}},
		},
		{
			name: "spawn failure beyond startretries -> FATAL",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, LastStart: t0, Backoff: 3},
			ev:   event{Kind: evSpawnFailed, Now: t0, Text: "boom"},
			want: procState{State: enums.ProcessFatal, LastStart: t0, SpawnErr: "boom"},
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessFatal), Logs: []logLine{
				info("spawnerr: boom"),
				info("gave up: x entered FATAL state, too many start retries too quickly"),
			}},
		},
		{
			name: "startretries=0 gives up at the first failure",
			cfg:  fsmConfig(func(c *config.Process) { c.Startretries = 0 }), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, PID: 42, LastStart: t0},
			ev:   event{Kind: evExited, Now: at(10 * time.Millisecond), Status: exited(1)},
			want: procState{State: enums.ProcessFatal, LastStart: t0, LastStop: at(10 * time.Millisecond), SpawnErr: tooQuicklyText},
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessFatal), Logs: []logLine{
				warn("exited: x (exit status 1; not expected)"),
				info("gave up: x entered FATAL state, too many start retries too quickly"),
			}},
		},
		{
			name: "child failure (chdir, exec) is a too-quick exit 127",
			cfg:  fsmConfig(func(c *config.Process) { c.Startsecs = 0 }), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, LastStart: t0},
			ev:   event{Kind: evChildFailed, Now: t0},
			want: procState{State: enums.ProcessBackoff, LastStart: t0, LastStop: t0, Backoff: 1, Delay: at(time.Second), SpawnErr: tooQuicklyText},
			eff:  effects{Changes: changes(enums.ProcessStarting, enums.ProcessBackoff), Logs: []logLine{warn("exited: x (exit status 127; not expected)")}},
		},

		// Exits.
		{
			name: "exit before startsecs -> BACKOFF",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, PID: 42, LastStart: t0, Backoff: 1},
			ev:   event{Kind: evExited, Now: at(500 * time.Millisecond), Status: exited(1)},
			want: procState{State: enums.ProcessBackoff, LastStart: t0, LastStop: at(500 * time.Millisecond), Backoff: 2,
				Delay: at(2500 * time.Millisecond), SpawnErr: tooQuicklyText},
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessBackoff), Logs: []logLine{warn("exited: x (exit status 1; not expected)")}},
		},
		{
			name: "even an expected code is not expected when too quick",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, PID: 42, LastStart: t0},
			ev:   event{Kind: evExited, Now: at(time.Millisecond), Status: exited(0)},
			want: procState{State: enums.ProcessBackoff, LastStart: t0, LastStop: at(time.Millisecond), Backoff: 1,
				Delay: at(time.Second + time.Millisecond), SpawnErr: tooQuicklyText},
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessBackoff), Logs: []logLine{warn("exited: x (exit status 0; not expected)")}},
		},
		{
			name: "exit of a STARTING process after startsecs goes through RUNNING",
			cfg:  fsmConfig(func(c *config.Process) { c.Autorestart = config.AutorestartFalse }), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStarting, PID: 42, LastStart: t0, Backoff: 1},
			ev:   event{Kind: evExited, Now: at(2 * time.Second), Status: exited(0)},
			want: procState{State: enums.ProcessExited, LastStart: t0, LastStop: at(2 * time.Second), Expected: true},
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessRunning, enums.ProcessExited), Logs: []logLine{
				info("exited: x (exit status 0; expected)"),
			}},
		},
		{
			name: "expected exit, autorestart=unexpected: stays EXITED",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: exited(0)},
			want: procState{State: enums.ProcessExited, LastStart: t0, LastStop: at(time.Minute), Expected: true},
			eff:  effects{Changes: changes(enums.ProcessRunning, enums.ProcessExited), Logs: []logLine{info("exited: x (exit status 0; expected)")}},
		},
		{
			name: "unexpected exit, autorestart=unexpected: restarts",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: exited(1)},
			want: procState{State: enums.ProcessStarting, LastStart: at(time.Minute), LastStop: at(time.Minute)},
			eff: effects{Changes: changes(enums.ProcessRunning, enums.ProcessExited, enums.ProcessStarting), Spawn: true, Logs: []logLine{
				warn("exited: x (exit status 1; not expected)"),
			}},
		},
		{
			name: "unexpected exit, autorestart=false: EXITED with Bad exit code",
			cfg:  fsmConfig(func(c *config.Process) { c.Autorestart = config.AutorestartFalse }), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: exited(3)},
			want: procState{State: enums.ProcessExited, LastStart: t0, LastStop: at(time.Minute), ExitStatus: 3, SpawnErr: "Bad exit code 3"},
			eff:  effects{Changes: changes(enums.ProcessRunning, enums.ProcessExited), Logs: []logLine{warn("exited: x (exit status 3; not expected)")}},
		},
		{
			name: "expected exit, autorestart=true: restarts",
			cfg:  fsmConfig(func(c *config.Process) { c.Autorestart = config.AutorestartTrue }), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: exited(0)},
			want: procState{State: enums.ProcessStarting, LastStart: at(time.Minute), LastStop: at(time.Minute), Expected: true},
			eff: effects{Changes: changes(enums.ProcessRunning, enums.ProcessExited, enums.ProcessStarting), Spawn: true, Logs: []logLine{
				info("exited: x (exit status 0; expected)"),
			}},
		},
		{
			name: "exitcodes decide what is expected",
			cfg: fsmConfig(func(c *config.Process) {
				c.Exitcodes = []int{0, 2}
				c.Autorestart = config.AutorestartFalse
			}), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: exited(2)},
			want: procState{State: enums.ProcessExited, LastStart: t0, LastStop: at(time.Minute), ExitStatus: 2, Expected: true},
			eff:  effects{Changes: changes(enums.ProcessRunning, enums.ProcessExited), Logs: []logLine{info("exited: x (exit status 2; expected)")}},
		},
		{
			name: "killed by a signal: exit status -1, not expected",
			cfg:  fsmConfig(func(c *config.Process) { c.Autorestart = config.AutorestartFalse }), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: killedBy(syscall.SIGKILL)},
			want: procState{State: enums.ProcessExited, LastStart: t0, LastStop: at(time.Minute), ExitStatus: -1, SpawnErr: "Bad exit code -1"},
			eff:  effects{Changes: changes(enums.ProcessRunning, enums.ProcessExited), Logs: []logLine{warn("exited: x (terminated by SIGKILL; not expected)")}},
		},
		{
			name: "no autorestart while shutting down",
			cfg:  fsmConfig(func(c *config.Process) { c.Autorestart = config.AutorestartTrue }), mood: enums.SupervisorShutdown,
			from: running,
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: exited(0)},
			want: procState{State: enums.ProcessExited, LastStart: t0, LastStop: at(time.Minute), Expected: true},
			eff:  effects{Changes: changes(enums.ProcessRunning, enums.ProcessExited), Logs: []logLine{info("exited: x (exit status 0; expected)")}},
		},
		{
			name: "no autorestart while restarting",
			cfg:  fsmConfig(), mood: enums.SupervisorRestarting,
			from: running,
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: exited(1)},
			want: procState{State: enums.ProcessExited, LastStart: t0, LastStop: at(time.Minute), ExitStatus: 1, SpawnErr: "Bad exit code 1"},
			eff:  effects{Changes: changes(enums.ProcessRunning, enums.ProcessExited), Logs: []logLine{warn("exited: x (exit status 1; not expected)")}},
		},
		{
			name: "exit of an UNKNOWN process is recorded, the state stays",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessUnknown, PID: 42, LastStart: t0},
			ev:   event{Kind: evExited, Now: at(time.Minute), Status: exited(0)},
			want: procState{State: enums.ProcessUnknown, LastStart: t0, LastStop: at(time.Minute), Expected: true},
			eff:  effects{Logs: []logLine{warn("exited: x (exit status 0)")}},
		},

		// BACKOFF.
		{
			name: "BACKOFF before its delay waits",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessBackoff, LastStart: t0, Backoff: 2, Delay: at(3 * time.Second)},
			ev:   event{Kind: evTransition, Now: at(2 * time.Second)},
			want: procState{State: enums.ProcessBackoff, LastStart: t0, Backoff: 2, Delay: at(3 * time.Second)},
		},
		{
			name: "BACKOFF -> STARTING at its delay",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessBackoff, LastStart: t0, Backoff: 2, Delay: at(3 * time.Second), SpawnErr: tooQuicklyText},
			ev:   event{Kind: evTransition, Now: at(3 * time.Second)},
			want: procState{State: enums.ProcessStarting, LastStart: at(3 * time.Second), Backoff: 2, Delay: at(3 * time.Second)},
			eff:  effects{Changes: changes(enums.ProcessBackoff, enums.ProcessStarting), Spawn: true},
		},
		{
			name: "BACKOFF does not retry while shutting down",
			cfg:  fsmConfig(), mood: enums.SupervisorShutdown,
			from: procState{State: enums.ProcessBackoff, LastStart: t0, Backoff: 2, Delay: at(3 * time.Second)},
			ev:   event{Kind: evTransition, Now: at(time.Minute)},
			want: procState{State: enums.ProcessBackoff, LastStart: t0, Backoff: 2, Delay: at(3 * time.Second)},
		},
		{
			name: "BACKOFF stop -> STOPPED without a signal",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessBackoff, LastStart: t0, Backoff: 2, Delay: at(3 * time.Second)},
			ev:   event{Kind: evStop, Now: at(time.Second)},
			want: procState{State: enums.ProcessStopped, LastStart: t0, Backoff: 2, Delay: at(3 * time.Second)},
			eff:  effects{Changes: changes(enums.ProcessBackoff, enums.ProcessStopped), Logs: []logLine{debug("Attempted to kill x, which is in BACKOFF state.")}},
		},
		{
			name: "give up (stop_all during shutdown): BACKOFF -> FATAL",
			cfg:  fsmConfig(), mood: enums.SupervisorShutdown,
			from: procState{State: enums.ProcessBackoff, LastStart: t0, Backoff: 2, Delay: at(3 * time.Second)},
			ev:   event{Kind: evGiveUp, Now: at(time.Second)},
			want: procState{State: enums.ProcessFatal, LastStart: t0},
			eff:  effects{Changes: changes(enums.ProcessBackoff, enums.ProcessFatal)},
		},
		{
			name: "give up leaves other states alone",
			cfg:  fsmConfig(), mood: enums.SupervisorShutdown,
			from: running,
			ev:   event{Kind: evGiveUp, Now: at(time.Second)},
			want: running,
		},

		// Stopping.
		{
			name: "stop RUNNING sends stopsignal to the pid",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evStop, Now: t0},
			want: stopping,
			eff: effects{Changes: changes(enums.ProcessRunning, enums.ProcessStopping),
				Logs:  []logLine{debug("killing x (pid 42) with signal SIGTERM")},
				Kills: []killRequest{{Target: 42, Signal: syscall.SIGTERM, Stop: true}}},
		},
		{
			name: "stop STARTING with stopasgroup signals the group",
			cfg: fsmConfig(func(c *config.Process) {
				c.Stopasgroup, c.Killasgroup = true, true
				c.Stopsignal = syscall.SIGINT
			}), mood: enums.SupervisorRunning,
			from: starting,
			ev:   event{Kind: evStop, Now: t0},
			want: stopping,
			eff: effects{Changes: changes(enums.ProcessStarting, enums.ProcessStopping),
				Logs:  []logLine{debug("killing x (pid 42) process group with signal SIGINT")},
				Kills: []killRequest{{Target: -42, Signal: syscall.SIGINT, Stop: true}}},
		},
		{
			name: "STOPPING before stopwaitsecs waits",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: stopping,
			ev:   event{Kind: evTransition, Now: at(9 * time.Second)},
			want: stopping,
		},
		{
			name: "STOPPING after stopwaitsecs: SIGKILL to the pid",
			cfg:  fsmConfig(), mood: enums.SupervisorShutdown,
			from: stopping,
			ev:   event{Kind: evTransition, Now: at(10 * time.Second)},
			want: procState{State: enums.ProcessStopping, PID: 42, LastStart: t0, Killing: true, Delay: at(20 * time.Second)},
			eff: effects{
				Logs:  []logLine{warn("killing 'x' (42) with SIGKILL"), debug("killing x (pid 42) with signal SIGKILL")},
				Kills: []killRequest{{Target: 42, Signal: syscall.SIGKILL, Stop: true}}},
		},
		{
			name: "killasgroup: SIGKILL to the group (and only then)",
			cfg:  fsmConfig(func(c *config.Process) { c.Killasgroup = true }), mood: enums.SupervisorRunning,
			from: stopping,
			ev:   event{Kind: evTransition, Now: at(10 * time.Second)},
			want: procState{State: enums.ProcessStopping, PID: 42, LastStart: t0, Killing: true, Delay: at(20 * time.Second)},
			eff: effects{
				Logs:  []logLine{warn("killing 'x' (42) with SIGKILL"), debug("killing x (pid 42) process group with signal SIGKILL")},
				Kills: []killRequest{{Target: -42, Signal: syscall.SIGKILL, Stop: true}}},
		},
		{
			name: "stopwaitsecs=0 escalates at once",
			cfg:  fsmConfig(func(c *config.Process) { c.Stopwaitsecs = 0 }), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evStop, Now: t0},
			want: procState{State: enums.ProcessStopping, PID: 42, LastStart: t0, Killing: true, Delay: t0},
			eff: effects{Changes: changes(enums.ProcessRunning, enums.ProcessStopping),
				Logs: []logLine{
					debug("killing x (pid 42) with signal SIGTERM"),
					warn("killing 'x' (42) with SIGKILL"),
					debug("killing x (pid 42) with signal SIGKILL"),
				},
				Kills: []killRequest{{Target: 42, Signal: syscall.SIGTERM, Stop: true}, {Target: 42, Signal: syscall.SIGKILL, Stop: true}}},
		},
		{
			name: "reaped while stopping: STOPPED, signalled is a warning",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: stopping,
			ev:   event{Kind: evExited, Now: at(time.Second), Status: killedBy(syscall.SIGTERM)},
			want: procState{State: enums.ProcessStopped, LastStart: t0, LastStop: at(time.Second), ExitStatus: -1},
			eff:  effects{Changes: changes(enums.ProcessStopping, enums.ProcessStopped), Logs: []logLine{warn("stopped: x (terminated by SIGTERM)")}},
		},
		{
			name: "reaped while stopping with an expected code: info",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: stopping,
			ev:   event{Kind: evExited, Now: at(time.Second), Status: exited(0)},
			want: procState{State: enums.ProcessStopped, LastStart: t0, LastStop: at(time.Second), Expected: true},
			eff:  effects{Changes: changes(enums.ProcessStopping, enums.ProcessStopped), Logs: []logLine{info("stopped: x (exit status 0)")}},
		},
		{
			name: "stop without a pid replies why",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessExited, LastStart: t0},
			ev:   event{Kind: evStop, Now: t0},
			want: procState{State: enums.ProcessExited, LastStart: t0},
			eff: effects{Reply: "attempted to kill x with sig SIGTERM but it wasn't running",
				Logs: []logLine{debug("attempted to kill x with sig SIGTERM but it wasn't running")}},
		},
		{
			name: "kill failure -> UNKNOWN",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: stopping,
			ev:   event{Kind: evKillFailed, Now: t0, Text: "operation not permitted"},
			want: procState{State: enums.ProcessUnknown, PID: 42, LastStart: t0},
			eff: effects{Changes: changes(enums.ProcessStopping, enums.ProcessUnknown), Reply: "unknown problem killing x (42):operation not permitted",
				Logs: []logLine{{Level: hclog.Error, Text: "unknown problem killing x (42):operation not permitted"}}},
		},
		{
			name: "stop reports are throttled to one per 2 s",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStopping, PID: 42, Killing: true, Delay: at(10 * time.Second), LastStopReport: at(time.Second)},
			ev:   event{Kind: evStopReport, Now: at(3 * time.Second)},
			want: procState{State: enums.ProcessStopping, PID: 42, Killing: true, Delay: at(10 * time.Second), LastStopReport: at(time.Second)},
		},
		{
			name: "stop report",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStopping, PID: 42, Killing: true, Delay: at(10 * time.Second), LastStopReport: at(time.Second)},
			ev:   event{Kind: evStopReport, Now: at(3*time.Second + 1)},
			want: procState{State: enums.ProcessStopping, PID: 42, Killing: true, Delay: at(10 * time.Second), LastStopReport: at(3*time.Second + 1)},
			eff:  effects{Logs: []logLine{info("waiting for x to stop")}},
		},
		{
			name: "no stop report once stopped",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStopped, LastStart: t0},
			ev:   event{Kind: evStopReport, Now: at(time.Minute)},
			want: procState{State: enums.ProcessStopped, LastStart: t0},
		},

		// Signals.
		{
			name: "signal a running process",
			cfg:  fsmConfig(func(c *config.Process) { c.Stopasgroup = true }), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evSignal, Now: t0, Signal: syscall.SIGHUP},
			want: running,
			eff: effects{Logs: []logLine{debug("sending x (pid 42) sig SIGHUP")},
				Kills: []killRequest{{Target: 42, Signal: syscall.SIGHUP}}},
		},
		{
			name: "signal without a pid replies why",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: procState{State: enums.ProcessStopped, LastStart: t0},
			ev:   event{Kind: evSignal, Now: t0, Signal: syscall.Signal(40)},
			want: procState{State: enums.ProcessStopped, LastStart: t0},
			eff: effects{Reply: "attempted to send x sig signal 40 but it wasn't running",
				Logs: []logLine{debug("attempted to send x sig signal 40 but it wasn't running")}},
		},
		{
			name: "signal failure -> UNKNOWN",
			cfg:  fsmConfig(), mood: enums.SupervisorRunning,
			from: running,
			ev:   event{Kind: evSignalFailed, Now: t0, Text: "operation not permitted"},
			want: procState{State: enums.ProcessUnknown, PID: 42, LastStart: t0},
			eff: effects{Changes: changes(enums.ProcessRunning, enums.ProcessUnknown), Reply: "unknown problem sending sig x (42):operation not permitted",
				Logs: []logLine{{Level: hclog.Error, Text: "unknown problem sending sig x (42):operation not permitted"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ev.Mood = tt.mood
			got, eff := step(tt.cfg, tt.from, tt.ev)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("state\n got %+v\nwant %+v", got, tt.want)
			}
			for i := range eff.Changes { // the event payload's values: the oracle test checks them
				eff.Changes[i].PID, eff.Changes[i].Tries, eff.Changes[i].Expected = 0, 0, false
			}
			if !reflect.DeepEqual(eff, tt.eff) {
				t.Errorf("effects\n got %+v\nwant %+v", eff, tt.eff)
			}
		})
	}
}

// TestBackoffSequence drives a program that always exits at once through its
// retries: delays of 1, 2, 3 s, then FATAL.
func TestBackoffSequence(t *testing.T) {
	cfg := fsmConfig()
	st := procState{State: enums.ProcessStopped}
	now := t0
	var states []enums.ProcessState
	feed := func(ev event) {
		t.Helper()
		ev.Now, ev.Mood = now, enums.SupervisorRunning
		var eff effects
		st, eff = step(cfg, st, ev)
		for _, c := range eff.Changes {
			states = append(states, c.To)
		}
	}
	feed(event{Kind: evTransition})
	var delays []time.Duration
	for st.State == enums.ProcessStarting {
		feed(event{Kind: evSpawned, PID: 42})
		now = now.Add(100 * time.Millisecond)
		feed(event{Kind: evExited, Status: exited(1)})
		if st.State != enums.ProcessBackoff {
			break
		}
		next := wake(cfg, st, enums.SupervisorRunning)
		delays = append(delays, next.Sub(now))
		now = next
		feed(event{Kind: evTransition})
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}; !reflect.DeepEqual(delays, want) {
		t.Errorf("delays %v, want %v", delays, want)
	}
	want := []enums.ProcessState{enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessStarting, enums.ProcessBackoff, enums.ProcessFatal}
	if !reflect.DeepEqual(states, want) {
		t.Errorf("states %v, want %v", states, want)
	}
	if next := wake(cfg, st, enums.SupervisorRunning); !next.IsZero() {
		t.Errorf("FATAL has a deadline: %v", next)
	}
}

func TestWake(t *testing.T) {
	cfg := fsmConfig(func(c *config.Process) { c.Startsecs = 5 })
	tests := []struct {
		st   procState
		mood enums.SupervisorState
		want time.Time
	}{
		{procState{State: enums.ProcessStarting, PID: 1, LastStart: t0}, enums.SupervisorRunning, at(5 * time.Second)},
		{procState{State: enums.ProcessStarting, PID: 1, LastStart: t0}, enums.SupervisorShutdown, at(5 * time.Second)},
		{procState{State: enums.ProcessBackoff, Backoff: 3, Delay: at(3 * time.Second)}, enums.SupervisorRunning, at(3 * time.Second)},
		{procState{State: enums.ProcessBackoff, Backoff: 3, Delay: at(3 * time.Second)}, enums.SupervisorRestarting, time.Time{}},
		{procState{State: enums.ProcessBackoff, Backoff: 4, Delay: at(4 * time.Second)}, enums.SupervisorRunning, time.Time{}},
		{procState{State: enums.ProcessStopping, PID: 1, Delay: at(10 * time.Second)}, enums.SupervisorShutdown, at(10 * time.Second)},
		{procState{State: enums.ProcessRunning, PID: 1, LastStart: t0}, enums.SupervisorRunning, time.Time{}},
		{procState{State: enums.ProcessExited}, enums.SupervisorRunning, time.Time{}},
	}
	for _, tt := range tests {
		if got := wake(cfg, tt.st, tt.mood); !got.Equal(tt.want) {
			t.Errorf("wake(%v) = %v, want %v", tt.st.State, got, tt.want)
		}
	}
}

func TestDecodeWaitStatus(t *testing.T) {
	tests := []struct {
		ws   syscall.WaitStatus
		want exitStatus
	}{
		{0, exitStatus{0, "exit status 0"}},
		{1 << 8, exitStatus{1, "exit status 1"}},
		{255 << 8, exitStatus{255, "exit status 255"}},
		{syscall.WaitStatus(syscall.SIGTERM), exitStatus{-1, "terminated by SIGTERM"}},
		{syscall.WaitStatus(syscall.SIGSEGV) | 0x80, exitStatus{-1, "terminated by SIGSEGV (core dumped)"}},
		{syscall.WaitStatus(syscall.SIGIO), exitStatus{-1, "terminated by SIGPOLL"}},
		{syscall.WaitStatus(40), exitStatus{-1, "terminated by signal 40"}},
		{syscall.WaitStatus(34), exitStatus{-1, "terminated by SIGRTMIN"}},
	}
	for _, tt := range tests {
		if got := decodeWaitStatus(tt.ws); got != tt.want {
			t.Errorf("decodeWaitStatus(%#x) = %v, want %v", uint32(tt.ws), got, tt.want)
		}
	}
}

func TestErrnoName(t *testing.T) {
	tests := map[syscall.Errno]string{
		syscall.ENOENT:  "ENOENT",
		syscall.EACCES:  "EACCES",
		syscall.ENOEXEC: "ENOEXEC",
		syscall.EDEADLK: "EDEADLOCK",
		syscall.EAGAIN:  "EAGAIN",
		117:             "EUCLEAN",
		41:              "41",
		133:             "133",
	}
	for e, want := range tests {
		if got := errnoName(e); got != want {
			t.Errorf("errnoName(%d) = %q, want %q", int(e), got, want)
		}
	}
}
