package process

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/logfile"
)

// Event is a process state change, or the process joining or leaving the
// active configuration. Subscribers get the events of one process in order.
// It is a plain value, safe to share.
type Event struct {
	Kind     EventKind
	Process  *Process
	From, To enums.ProcessState
	Time     time.Time
	// PID, Tries and Expected are, for StateChanged, the process's pid,
	// failed start attempts and expected exit at the change (the values
	// of Supervisor's state event payloads).
	PID, Tries int
	Expected   bool
}

// EventKind says what an Event reports.
type EventKind int

const (
	// StateChanged: the process went From → To.
	StateChanged EventKind = iota
	// Added: the process's group was added; From and To are its state.
	Added
	// Removed: the process's group was removed, or the process left it
	// (ResizeProgram); it will send no more events.
	Removed
	// Changed: a setting of the process changed (SetDisabled); From and
	// To are its state.
	Changed
)

// announce delivers an Added or Removed event for p to the subscribers.
func (p *Process) announce(kind EventKind) {
	p.locked(func() {
		p.events = append(p.events, Event{Kind: kind, Process: p, From: p.st.State, To: p.st.State, Time: p.sup.clock.Now()})
	})
}

// Process is one supervised process (Supervisor's Subprocess): the shell
// that feeds the state machine of fsm.go and carries out what it decides,
// under one mutex. It is safe for concurrent use.
type Process struct {
	sup *Supervisor
	cfg *config.Process // with AUTO log names resolved
	// stdoutLog and stderrLog are nil when the channel has no log file.
	stdoutLog, stderrLog *logfile.File

	mu        sync.Mutex
	st        procState
	extraArgs string // appended to the command (supvisors start_args)
	// disabled: its program is disabled (SetDisabled), nothing starts it.
	disabled  bool
	pipes     *pipeSet // while a child runs
	timer     Timer
	timerAt   time.Time
	changed   chan struct{} // closed and replaced at each state change
	lastEvent time.Time
	events    []Event // state changes not yet delivered to subscribers
	// delivering is true while a goroutine delivers events; others leave
	// theirs to it, which keeps them in order without holding mu.
	delivering bool
	// spawns counts the children forked, so that a child's output is told
	// from its predecessor's.
	spawns uint64

	// listener and pool are set for an event listener (guarded by the
	// Supervisor's eventBus).
	listener *listener
	pool     *pool
}

// overdueRecheck is how long a deadline that has already passed waits
// before it is checked again (a STOPPING process that outlives its SIGKILL
// with stopwaitsecs=0), as often as supervisord's idle main loop would.
const overdueRecheck = time.Second

func newProcess(sup *Supervisor, cfg *config.Process) *Process {
	p := &Process{sup: sup, cfg: cfg, changed: make(chan struct{}), disabled: sup.programDisabled(cfg.Program)}
	if cfg.Stdout.Logfile != "" {
		p.stdoutLog = logfile.New(cfg.Stdout.Logfile, cfg.Stdout.MaxBytes, cfg.Stdout.Backups)
	}
	if cfg.Stderr.Logfile != "" && !cfg.RedirectStderr {
		p.stderrLog = logfile.New(cfg.Stderr.Logfile, cfg.Stderr.MaxBytes, cfg.Stderr.Backups)
	}
	return p
}

// Config returns the process configuration, AUTO log names resolved. The
// caller must not change it.
func (p *Process) Config() *config.Process { return p.cfg }

// Group returns the name of the process's group.
func (p *Process) Group() string { return p.cfg.Group }

// Name returns the process name.
func (p *Process) Name() string { return p.cfg.Name }

// Namespec returns "group:name", or "name" when both are the same
// (make_namespec).
func (p *Process) Namespec() string {
	if p.cfg.Group == p.cfg.Name {
		return p.cfg.Name
	}
	return p.cfg.Group + ":" + p.cfg.Name
}

// State returns the current state.
func (p *Process) State() enums.ProcessState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.State
}

// stateAndSpawn returns the state and the number of the last child forked.
func (p *Process) stateAndSpawn() (enums.ProcessState, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.State, p.spawns
}

// Info returns a snapshot of the process for getProcessInfo.
func (p *Process) Info() Info {
	p.mu.Lock()
	defer p.mu.Unlock()
	info := Info{
		Name:          p.cfg.Name,
		Group:         p.cfg.Group,
		Start:         p.st.LastStart,
		Stop:          p.st.LastStop,
		Now:           p.sup.clock.Now(),
		State:         p.st.State,
		SpawnErr:      p.st.SpawnErr,
		ExitStatus:    p.st.ExitStatus,
		StdoutLogfile: p.cfg.Stdout.Logfile,
		StderrLogfile: p.cfg.Stderr.Logfile,
		PID:           p.st.PID,
		Expected:      p.st.Expected,
		LastEvent:     p.lastEvent,
		Disabled:      p.disabled,
		ExtraArgs:     p.extraArgs,
	}
	info.Description = describe(info)
	return info
}

// Log returns the log file of channel "stdout" or "stderr", nil when that
// channel has none (NONE, or stderr redirected into stdout).
func (p *Process) Log(channel string) *logfile.File {
	switch channel {
	case "stdout":
		return p.stdoutLog
	case "stderr":
		return p.stderrLog
	}
	return nil
}

// Start is startProcess' synchronous part: it checks the command (faults
// NO_FILE and NOT_EXECUTABLE with Supervisor's texts), refuses a process in
// RUNNING_STATES (ALREADY_STARTED) or UNKNOWN (FAILED), or disabled
// (DISABLED), spawns, and returns
// SPAWN_ERROR if that failed at once. extraArgs, if not empty, is appended
// to the command for this and the following automatic restarts.
func (p *Process) Start(extraArgs string) (err error) {
	p.locked(func() {
		o := &p.sup.opts
		if _, _, cerr := resolveCommand(p.command(extraArgs), searchPath(o.BaseEnv, o.Environment, p.cfg)); cerr != nil {
			err = cerr.fault()
			return
		}
		if err = startRefusal(p.st.State, p.disabled, p.Namespec()); err != nil {
			return
		}
		p.extraArgs = extraArgs
		p.run(event{Kind: evStart})
		if p.st.SpawnErr != "" {
			err = fault.New(fault.SpawnError, p.Namespec())
		}
	})
	return err
}

// WaitStarted is startProcess' deferred part: nil once the process is
// RUNNING, SPAWN_ERROR as soon as a spawn error is recorded,
// ABNORMAL_TERMINATION if it leaves STARTING otherwise, ctx.Err() if ctx
// ends first.
func (p *Process) WaitStarted(ctx context.Context) error {
	for {
		p.mu.Lock()
		st, changed := p.st, p.changed
		p.mu.Unlock()
		switch {
		case st.SpawnErr != "":
			return fault.New(fault.SpawnError, p.Namespec())
		case st.State == enums.ProcessRunning:
			return nil
		case st.State != enums.ProcessStarting:
			return fault.New(fault.AbnormalTermination, p.Namespec())
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Stop is stopProcess' synchronous part: NOT_RUNNING unless the process is
// in RUNNING_STATES; a process in BACKOFF goes straight to STOPPED, others
// get their stopsignal; FAILED carries the message of a signal that could
// not be sent.
func (p *Process) Stop() (err error) {
	p.locked(func() {
		if !p.st.State.IsRunning() {
			err = fault.New(fault.NotRunning, p.Namespec())
			return
		}
		if reply := p.run(event{Kind: evStop}); reply != "" {
			err = fault.New(fault.Failed, reply)
		}
	})
	return err
}

// ForceFatal marks a stopped process FATAL with reason as its spawnerr:
// what Supvisors does to a process it could not start (start_args with a
// missing command, no address to run it). Running processes are left
// alone.
func (p *Process) ForceFatal(reason string) {
	p.locked(func() { p.run(event{Kind: evForceFatal, Text: reason}) })
}

// WaitStopped is stopProcess' deferred part: nil once the process is in
// STOPPED_STATES, ctx.Err() if ctx ends first. While it waits it logs
// "waiting for x to stop" every 2 seconds, as supervisord does.
func (p *Process) WaitStopped(ctx context.Context) error {
	for {
		var stopped bool
		var changed chan struct{}
		p.locked(func() {
			if stopped = p.st.State.IsStopped(); !stopped {
				p.run(event{Kind: evStopReport})
				changed = p.changed
			}
		})
		if stopped {
			return nil
		}
		report := make(chan struct{})
		t := p.sup.clock.AfterFunc(stopReportEvery, func() { close(report) })
		select {
		case <-changed:
		case <-report:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		t.Stop()
	}
}

// Signal sends sig to the process (not its group): NOT_RUNNING unless it is
// in SIGNALLABLE_STATES, FAILED if the signal could not be sent (the process
// is then UNKNOWN).
func (p *Process) Signal(sig syscall.Signal) (err error) {
	p.locked(func() {
		if !p.st.State.IsSignallable() {
			err = fault.New(fault.NotRunning, p.Namespec())
			return
		}
		if reply := p.run(event{Kind: evSignal, Signal: sig}); reply != "" {
			err = fault.New(fault.Failed, reply)
		}
	})
	return err
}

// WriteStdin sends data to the child's stdin (sendProcessStdin): NOT_RUNNING
// without a child or while it is being stopped, NO_FILE once its stdin is
// closed. What the pipe cannot take at once is sent as it drains.
func (p *Process) WriteStdin(data []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.st.PID == 0 || p.st.Killing {
		return fault.New(fault.NotRunning, p.Namespec())
	}
	if p.pipes == nil {
		return fault.New(fault.NoFile, p.Namespec())
	}
	if err := p.pipes.write(data); err != nil {
		if errors.Is(err, errStdinClosed) {
			return fault.New(fault.NoFile, p.Namespec())
		}
		return fmt.Errorf("send to %s: %w", p.Namespec(), err)
	}
	return nil
}

// ClearLogs is clearProcessLogs: the logs of a running child are emptied
// and reopened (FAILED on error). Like Supervisor, which clears through the
// output dispatchers of the current child, it does nothing when no child
// runs.
func (p *Process) ClearLogs() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.st.PID == 0 {
		return nil
	}
	for _, f := range p.logFiles() {
		if err := f.Clear(); err != nil {
			return fault.New(fault.Failed, p.Namespec())
		}
	}
	return nil
}

// reopenLogs is Subprocess.reopenlogs(): only a running child's log files
// are open.
func (p *Process) reopenLogs() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.st.PID == 0 {
		return
	}
	for _, f := range p.logFiles() {
		if err := f.Reopen(); err != nil {
			p.sup.log.Error("cannot reopen process log", "process", p.Namespec(), "error", err)
		}
	}
}

// transition runs Supervisor's transition() once: the automatic start of a
// process whose group was just added.
func (p *Process) transition() {
	p.locked(func() {
		if !p.disabled {
			p.run(event{Kind: evTransition})
		}
	})
}

// stopForShutdown is ProcessGroup.stop_all for one process: stop a running
// or starting process, give up on one in BACKOFF.
func (p *Process) stopForShutdown() {
	p.locked(func() {
		switch p.st.State {
		case enums.ProcessRunning, enums.ProcessStarting:
			p.run(event{Kind: evStop})
		case enums.ProcessBackoff:
			p.run(event{Kind: evGiveUp})
		}
	})
}

// retire is called when the group is removed (every process stopped).
func (p *Process) retire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer != nil {
		p.timer.Stop()
		p.timer, p.timerAt = nil, time.Time{}
	}
	p.closeLogs()
}

// locked runs f under p.mu, then delivers the events f caused.
func (p *Process) locked(f func()) {
	p.mu.Lock()
	f()
	p.mu.Unlock()
	p.deliver()
}

// run feeds ev to the state machine and carries out what it asks, feeding
// back the outcome (a spawn, a failed signal) until nothing is left to do;
// then it sets the timer for the next deadline. p.mu is held. It returns
// the message of a failed stop or signal request.
func (p *Process) run(ev event) string {
	var reply string
	for {
		ev.Now, ev.Mood = p.sup.clock.Now(), p.sup.State()
		var eff effects
		p.st, eff = step(p.cfg, p.st, ev)
		p.publish(ev.Now, eff)
		if eff.Reply != "" {
			reply = eff.Reply
		}
		next, more := p.carryOut(eff)
		if !more {
			break
		}
		ev = next
	}
	if p.st.PID == 0 {
		p.closeLogs() // no child writes to them; the next spawn opens them
	}
	p.schedule()
	return reply
}

// publish logs the step's lines and records its state changes for waiters
// and subscribers; p.mu is held.
func (p *Process) publish(now time.Time, eff effects) {
	for _, l := range eff.Logs {
		p.sup.log.Log(l.Level, l.Text)
	}
	if len(eff.Changes) == 0 {
		return
	}
	for _, c := range eff.Changes {
		p.events = append(p.events, Event{Process: p, From: c.From, To: c.To, Time: now, PID: c.PID, Tries: c.Tries, Expected: c.Expected})
	}
	p.lastEvent = now
	close(p.changed)
	p.changed = make(chan struct{})
	p.sup.broadcast()
}

// deliver hands recorded events to the subscribers, without holding p.mu,
// unless another goroutine is already doing so.
func (p *Process) deliver() {
	p.mu.Lock()
	if p.delivering {
		p.mu.Unlock()
		return
	}
	p.delivering = true
	for len(p.events) > 0 {
		batch := p.events
		p.events = nil
		p.mu.Unlock()
		for _, e := range batch {
			p.sup.notify(e)
		}
		p.mu.Lock()
	}
	p.delivering = false
	p.mu.Unlock()
}

// carryOut performs a spawn or the signals the state machine asked for and
// returns the event that reports the outcome, if it must be fed back.
func (p *Process) carryOut(eff effects) (event, bool) {
	if eff.Spawn {
		return p.spawn(), true
	}
	for _, k := range eff.Kills {
		err := unix.Kill(k.Target, k.Signal)
		switch {
		case err == nil:
			continue
		case errors.Is(err, unix.ESRCH):
			// The child is gone; its exit is on its way through the reaper.
			how := "just now exited"
			if k.Stop {
				how = "just exited"
			}
			p.sup.log.Debug(fmt.Sprintf("unable to signal %s (pid %d), it probably %s on its own: %v", p.cfg.Name, p.st.PID, how, err))
			return event{}, false
		case k.Stop:
			return event{Kind: evKillFailed, Text: err.Error()}, true
		default:
			return event{Kind: evSignalFailed, Text: err.Error()}, true
		}
	}
	return event{}, false
}

// spawn forks the child (Subprocess.spawn after its state change) and
// returns the event that reports how it went; p.mu is held.
func (p *Process) spawn() event {
	o := &p.sup.opts
	filename, argv, cerr := resolveCommand(p.command(p.extraArgs), searchPath(o.BaseEnv, o.Environment, p.cfg))
	if cerr != nil {
		return event{Kind: evSpawnFailed, Text: cerr.msg}
	}
	for _, f := range p.logFiles() {
		if err := f.Open(); err != nil {
			return event{Kind: evSpawnFailed, Text: dispatchersError(p.cfg.Name, err)}
		}
	}
	capture, err := theCapture()
	if err != nil {
		return event{Kind: evSpawnFailed, Text: dispatchersError(p.cfg.Name, err)}
	}
	reaper := theReaper(p.sup.log)
	defer reaper.holdForks()()
	child, se := spawnChild(spawnSpec{
		name:           p.cfg.Name,
		filename:       filename,
		argv:           argv,
		env:            childEnv(o.BaseEnv, o.ServerURL, o.Environment, p.cfg),
		dir:            p.cfg.Directory,
		umask:          p.cfg.Umask,
		uid:            p.cfg.UID,
		redirectStderr: p.cfg.RedirectStderr,
	}, p.sup.log)
	if se != nil {
		if !se.inChild {
			return event{Kind: evSpawnFailed, Text: se.text}
		}
		channel := "stderr"
		if p.cfg.RedirectStderr {
			channel = "stdout"
		}
		p.output(channel, []byte(se.text))
		return event{Kind: evChildFailed}
	}
	p.spawns++
	if p.pipes, err = capture.attach(newChildSink(p, p.spawns, child.pid), child); err != nil {
		p.sup.log.Error("cannot capture output", "process", p.Namespec(), "error", err)
	}
	reaper.watch(child.pid, p.onExit)
	return event{Kind: evSpawned, PID: child.pid}
}

// onExit is called by the reaper: drain the child's output, then finish().
func (p *Process) onExit(ws syscall.WaitStatus) {
	p.mu.Lock()
	pipes := p.pipes
	p.pipes = nil
	p.mu.Unlock()
	if pipes != nil {
		pipes.release()
	}
	p.locked(func() { p.run(event{Kind: evExited, Status: decodeWaitStatus(ws)}) })
}

// schedule arms the timer for the state machine's next deadline; p.mu is
// held.
func (p *Process) schedule() {
	at := wake(p.cfg, p.st, p.sup.State())
	if at.Equal(p.timerAt) {
		return
	}
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.timerAt = at
	if at.IsZero() {
		return
	}
	d := at.Sub(p.sup.clock.Now())
	if d <= 0 {
		d = overdueRecheck
	}
	p.timer = p.sup.clock.AfterFunc(d, func() { p.onTimer(at) })
}

func (p *Process) onTimer(at time.Time) {
	p.locked(func() {
		if !p.timerAt.Equal(at) {
			return // replaced while it fired
		}
		p.timer, p.timerAt = nil, time.Time{}
		p.run(event{Kind: evTransition})
	})
}

// output is the sink of the child's pipes: its log file (if the channel has
// one) and, at debug level, the main log as supervisord writes it.
func (p *Process) output(channel string, data []byte) {
	p.logOutput(channel, data, true)
}

// logOutput is output, the log file left out when toFile is false (the
// data goes to a capture instead).
func (p *Process) logOutput(channel string, data []byte, toFile bool) {
	if f := p.Log(channel); f != nil && toFile {
		if _, err := f.Write(data); err != nil {
			p.sup.log.Error("cannot write process log", "process", p.Namespec(), "error", err)
		}
	}
	if p.sup.log.IsDebug() {
		p.sup.log.Debug(fmt.Sprintf("%s %s output:\n%s", pyRepr(p.cfg.Name), channel, data))
	}
}

func (p *Process) command(extraArgs string) string {
	if extraArgs == "" {
		return p.cfg.Command
	}
	return p.cfg.Command + " " + extraArgs
}

func (p *Process) logFiles() []*logfile.File {
	var files []*logfile.File
	for _, f := range []*logfile.File{p.stdoutLog, p.stderrLog} {
		if f != nil {
			files = append(files, f)
		}
	}
	return files
}

// closeLogs closes the log files of a process without a child; the next
// spawn opens them again.
func (p *Process) closeLogs() {
	for _, f := range p.logFiles() {
		if err := f.Close(); err != nil {
			p.sup.log.Error("cannot close process log", "process", p.Namespec(), "error", err)
		}
	}
}
