package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/conciliation"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/strategy"
)

// Lifecycle is what the cluster asks of its agent at the end of restart()
// and shutdown(): restart or stop it (every child is stopped already).
type Lifecycle interface {
	Restart()
	Shutdown()
}

// ErrNotMaster is returned by the control methods on a node that is not the
// master: the request must go to the master.
var ErrNotMaster = errors.New("this node is not the master")

// The control methods below are the master's: they return ErrNotMaster
// elsewhere. Each runs as a job of the cluster, which goes on if the
// caller stops waiting (ctx ends, or wait is false); with wait they return
// what the job came to.

// StartApplication starts the application app with strategy s: its
// processes by ascending start_sequence (0: not started with it), each
// phase once the previous one is RUNNING. It reports false when the
// application has nothing to start.
func (c *Cluster) StartApplication(ctx context.Context, p strategy.Placement, app string, wait bool) (bool, error) {
	if len(c.startPhases(app)) == 0 {
		return false, c.checkMaster()
	}
	return true, c.run(ctx, wait, func(jctx context.Context) error {
		c.holdStopped(c.keysOf(app), false)
		return c.startApplication(jctx, p, app)
	})
}

// StopApplication stops the running processes of app by ascending
// stop_sequence; the cluster does not start them by itself until an
// operator does.
func (c *Cluster) StopApplication(ctx context.Context, app string, wait bool) error {
	return c.run(ctx, wait, func(jctx context.Context) error {
		keys := c.keysOf(app)
		c.holdStopped(keys, true)
		if err := c.waitStarts(jctx, keys); err != nil {
			return err
		}
		return c.stopApplication(jctx, app, forGood)
	})
}

// RestartApplication stops app, then starts it with strategy s.
func (c *Cluster) RestartApplication(ctx context.Context, p strategy.Placement, app string, wait bool) error {
	return c.run(ctx, wait, func(jctx context.Context) error {
		// Busy from the stop to the start: a stop held for a copy not
		// reached waits for the start to be written (planJobsLocked).
		defer c.busyApplication(app, true)()
		c.holdStopped(c.keysOf(app), false)
		// A copy the stop could not reach is held for stopping, and the
		// start goes on (what still runs is not started twice).
		stopErr := c.stopApplication(jctx, app, toReplace)
		if err := c.startApplication(jctx, p, app); err != nil {
			return err
		}
		return stopErr
	})
}

// StartProcesses starts each process of keys with strategy s and extra
// arguments, all at once.
func (c *Cluster) StartProcesses(ctx context.Context, p strategy.Placement, keys []view.Key, extra string, wait bool) error {
	return c.run(ctx, wait, func(jctx context.Context) error {
		c.holdStopped(keys, false)
		return oneFault(fault.AbnormalTermination, "", c.startAll(jctx, p, keys, extra))
	})
}

// StopProcesses stops every running copy of each process of keys; the
// cluster does not start them by itself until an operator does.
func (c *Cluster) StopProcesses(ctx context.Context, keys []view.Key, wait bool) error {
	return c.run(ctx, wait, func(jctx context.Context) error {
		c.holdStopped(keys, true)
		if err := c.waitStarts(jctx, keys); err != nil {
			return err
		}
		return oneFault(fault.AbnormalTermination, "", forEach(keys, func(k view.Key) error { return c.stopProcess(jctx, k, forGood) }))
	})
}

// RestartProcesses stops then starts each process of keys.
func (c *Cluster) RestartProcesses(ctx context.Context, p strategy.Placement, keys []view.Key, wait bool) error {
	return c.run(ctx, wait, func(jctx context.Context) error {
		c.holdStopped(keys, false)
		return oneFault(fault.AbnormalTermination, "", forEach(keys, func(k view.Key) error {
			if err := c.stopProcess(jctx, k, toReplace); err != nil {
				return err
			}
			return c.startProcess(jctx, p, k, "")
		}))
	})
}

// StopAll is restart() (restart true) and shutdown(): the cluster goes to
// RESTARTING or SHUTTING_DOWN, stops every application by stop_sequence,
// then every agent restarts or exits.
func (c *Cluster) StopAll(restart bool) error {
	var err error
	c.update(func(now time.Time) view.Effects {
		err = c.view.RequestStop(restart)
		return view.Effects{}
	})
	if err != nil {
		return fault.New(fault.BadSupvisorsState, err.Error())
	}
	return nil
}

// oneFault makes one fault of code out of the errors of several jobs, nil
// when none failed: the details of each, one after the other, after
// prefix.
func oneFault(code fault.Code, prefix string, errs []error) error {
	var details []string
	for _, err := range errs {
		var f *fault.Fault
		switch {
		case err == nil:
		case errors.As(err, &f) && f.Detail() != "":
			details = append(details, f.Detail())
		default:
			details = append(details, err.Error())
		}
	}
	if len(details) == 0 {
		return nil
	}
	if prefix != "" {
		details[0] = prefix + ": " + details[0]
	}
	return fault.New(code, strings.Join(details, "; "))
}

// ErrNoQuorum is returned by the control methods on a side of a partition
// that does not see a quorum of address_list: it takes no cluster action.
var ErrNoQuorum = errors.New("no quorum: this side of the cluster takes no action")

// checkMaster is nil on the master, with a quorum.
func (c *Cluster) checkMaster() error {
	var master string
	var quorum bool
	c.Read(func(v *view.View) { master, quorum = v.Master(), v.HasQuorum() })
	switch {
	case master != c.local:
		return ErrNotMaster
	case !quorum:
		return ErrNoQuorum
	}
	return nil
}

// run runs job on the master, for the cluster's lifetime; with wait it
// returns the job's outcome, or ctx's end.
func (c *Cluster) run(ctx context.Context, wait bool, job func(context.Context) error) error {
	if err := c.checkMaster(); err != nil {
		return err
	}
	done := make(chan error, 1)
	if !c.spawn(func(ctx context.Context) { done <- job(ctx) }) {
		return fault.New(fault.ShutdownState, "the agent is stopping")
	}
	if !wait {
		return nil
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// spawn runs job in its own goroutine with a context that ends with the
// cluster; false once the cluster is stopping.
func (c *Cluster) spawn(job func(context.Context)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return false
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-c.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		job(ctx)
	}()
	return true
}

// startPhases is the start plan of app: its processes grouped by
// ascending start_sequence, those of 0 left out.
func (c *Cluster) startPhases(app string) [][]view.Key {
	keys := c.keysOf(app)
	sequence := make(map[view.Key]int, len(keys))
	for _, k := range keys {
		sequence[k] = c.cfg.Rules.Program(k.Group, k.Name).StartSequence
	}
	return strategy.Phases(keys, func(k view.Key) int { return sequence[k] }, true)
}

// startApplication runs app's start plan. A required process that fails
// applies the application's starting failure strategy: ABORT leaves the
// rest unstarted, STOP stops the application, CONTINUE goes on. A node
// that is no longer the master (or has lost its quorum) starts no further
// phase: it would undo what the new master decides.
func (c *Cluster) startApplication(ctx context.Context, placement strategy.Placement, app string) error {
	defer c.busyApplication(app, true)()
	rules := c.cfg.Rules.Application(app)
	for _, phase := range c.startPhases(app) {
		if err := c.checkMaster(); err != nil {
			return err
		}
		var todo []view.Key
		c.Read(func(v *view.View) { todo = toStart(v, phase, false) })
		var failed []error
		for i, err := range c.startAll(ctx, placement, todo, "") {
			if err == nil {
				continue
			}
			p := todo[i]
			if !c.cfg.Rules.Program(p.Group, p.Name).Required {
				c.log.Warn("optional process failed to start", "process", p.Namespec(), "error", err)
				continue
			}
			c.log.Error("required process failed to start", "process", p.Namespec(), "error", err, "strategy", rules.StartingFailure)
			failed = append(failed, err)
		}
		switch strategy.AfterPhase(rules.StartingFailure, len(failed)) {
		case strategy.NextPhase:
			continue
		case strategy.StopAndAbort:
			failed = append(failed, c.stopApplication(ctx, app, forGood))
		}
		return oneFault(fault.AbnormalTermination, app, failed)
	}
	var state enums.ApplicationState
	c.Read(func(v *view.View) { state, _ = v.ApplicationState(app) })
	if state != enums.ApplicationRunning {
		return fault.Newf(fault.AbnormalTermination, "%s is %v", app, state)
	}
	return nil
}

// toStart is what the start of an application starts of a phase: not
// what runs already (not on a copy held for stopping), nor what an
// operator stopped since it began (held), unless released is set: at
// its beginning, the start releases every hold (StartApplication).
func toStart(v *view.View, phase []view.Key, released bool) []view.Key {
	var keys []view.Key
	for _, k := range phase {
		if !v.Runs(k) && (released || !v.Held(k)) {
			keys = append(keys, k)
		}
	}
	return keys
}

// stopApplication stops app's running processes by ascending
// stop_sequence, each phase once the previous one is stopped; with
// replace, for the application to start again (see view.Job.Replace).
func (c *Cluster) stopApplication(ctx context.Context, app string, replace bool) error {
	defer c.busyApplication(app, false)()
	c.dropStarts(func(j view.Job) bool { return j.Key.Group == app })
	// A start of the application handed out before its jobs were dropped
	// (in the pass that saw the failure this stop is the strategy of) may
	// not have spawned yet, its process with no address: once it is over,
	// its copy is stopped with the others (chaos netns seed 20260359,
	// fault #9: sa:sa_a started alone after STOP_APPLICATION).
	if err := c.waitJobs(ctx, func() bool { return !c.startInHandLocked(app) }); err != nil {
		return err
	}
	var procs []view.ProcessInfo
	c.Read(func(v *view.View) { procs = v.ProcessesOf(app) })
	for _, p := range procs {
		c.stopJobs(p.Key(), replace)
	}
	phases := strategy.Phases(procs, func(p view.ProcessInfo) int {
		return c.cfg.Rules.Program(p.Group, p.Name).StopSequence
	}, false)
	// Every phase is stopped even when one failed: a copy that could not be
	// reached is held, and stopped once it can be (stopCopies).
	var errs []error
	for _, phase := range phases {
		errs = append(errs, forEach(phase, func(p view.ProcessInfo) error {
			if len(p.Addresses) == 0 {
				return nil
			}
			return c.stopProcess(ctx, p.Key(), replace)
		})...)
	}
	return oneFault(fault.AbnormalTermination, "", errs)
}

// startInHandLocked tells whether a start job of a process of app is
// being carried out.
func (c *Cluster) startInHandLocked(app string) bool {
	for id := range c.jobs.inHand {
		if id.address == "" && id.key.Group == app {
			return true
		}
	}
	return false
}

// busyApplication marks app as being started (starting) or stopped until
// the returned function is called.
func (c *Cluster) busyApplication(app string, starting bool) func() {
	count := c.jobs.appStops
	if starting {
		count = c.jobs.appStarts
	}
	c.mu.Lock()
	count[app]++
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		count[app]--
		c.mu.Unlock()
		// Wakes up who waits for the application's jobs to end.
		c.update(func(time.Time) view.Effects { return view.Effects{} })
	}
}

// appBusyLocked tells whether app is being started or stopped.
func (c *Cluster) appBusyLocked(app string) bool {
	return c.jobs.appStarts[app] > 0 || c.jobs.appStops[app] > 0
}

// defaultPlacement is the [supvisors] starting_strategy, LOCAL being the
// master.
func (c *Cluster) defaultPlacement() strategy.Placement {
	s, err := enums.ParseStarting(c.cfg.Supvisors.StartingStrategy)
	if err != nil {
		s = enums.StartConfig
	}
	return strategy.Placement{Strategy: s, Local: c.local}
}

// deploy is DEPLOYMENT on the master: the stopped applications whose
// start_sequence is not 0 start, grouped by ascending start_sequence, each
// group once the previous one is started (see deployApplication: what
// cannot start now is held as a job).
func (c *Cluster) deploy(ctx context.Context) {
	var apps []view.ApplicationInfo
	c.Read(func(v *view.View) { apps = v.Applications() })
	apps = slices.DeleteFunc(apps, func(a view.ApplicationInfo) bool { return a.State != enums.ApplicationStopped })
	groups := strategy.Phases(apps, func(a view.ApplicationInfo) int {
		return c.cfg.Rules.Application(a.Name).StartSequence
	}, true)
	for _, group := range groups {
		forEach(group, func(a view.ApplicationInfo) error {
			c.deployApplication(ctx, a.Name, "deployment")
			return nil
		})
	}
	c.update(func(time.Time) view.Effects {
		c.view.DeploymentDone()
		return view.Effects{}
	})
}

// onCrashes applies the running failure strategies of the processes whose
// last running copy failed (crashed, or their node lost), unless they are
// being started or stopped (a starting failure then).
func (c *Cluster) onCrashes(ctx context.Context, keys []view.Key) {
	c.mu.Lock()
	acting := c.view.Acting()
	var failures []strategy.Failure[view.Key]
	var later []view.Key
	for _, k := range keys {
		f := c.failure(k)
		switch {
		case c.jobs.busy[k] > 0 || c.jobs.appStops[k.Group] > 0:
			// Its own start or stop, or its application's stop, is
			// under way and deals with it. Unless the copy that failed
			// is not the one being started, which has not ended: the
			// start may be over already as a job (the process ran when
			// it was checked) and fail (chaos netns seed 6160, fault
			// #277), and the failure is handed back then (startProcess).
			f.Busy = true
			if at, starting := c.jobs.startingOn[k]; starting && !c.startEndedLocked(k, at) {
				c.jobs.failedMeanwhile[k] = true
			}
		case c.jobs.appStarts[k.Group] > 0:
			// It failed once started, while its application starts
			// on: a running failure, handled once the start is over.
			later = append(later, k)
			continue
		}
		failures = append(failures, f)
	}
	c.mu.Unlock()
	if !acting {
		return
	}
	c.repair(ctx, failures)
	for _, k := range later {
		c.spawn(func(ctx context.Context) { c.failLater(ctx, k) })
	}
}

// startEndedLocked tells whether the copy that start attempt at made has
// ended already (what failed may be that copy).
func (c *Cluster) startEndedLocked(k view.Key, at startAttempt) bool {
	rec, ok := c.view.Record(at.address, k)
	return ok && rec.Seq > at.before && !rec.State.IsRunning()
}

// failLater hands the failure of k back to the view once its application
// is no longer being started: it is repaired then if it still stands.
func (c *Cluster) failLater(ctx context.Context, k view.Key) {
	if c.waitJobs(ctx, func() bool { return c.jobs.appStarts[k.Group] == 0 }) != nil {
		return
	}
	c.update(func(time.Time) view.Effects {
		c.view.ReportedCrashes([]view.Key{k})
		return view.Effects{}
	})
}

// failure is k's failure with its running failure strategy.
func (c *Cluster) failure(k view.Key) strategy.Failure[view.Key] {
	return strategy.Failure[view.Key]{Process: k, Application: k.Group, Strategy: c.cfg.Rules.Program(k.Group, k.Name).RunningFailure}
}

// repair carries out the running failure strategies of failures
// (strategy.RunningFailures): the applications stop, then the others
// restart, then the processes start again with the default strategy.
func (c *Cluster) repair(ctx context.Context, failures []strategy.Failure[view.Key]) {
	for _, f := range failures {
		if !f.Busy {
			c.log.Warn("process failed", "process", f.Process.Namespec(), "running_failure_strategy", f.Strategy)
		}
	}
	r := strategy.RunningFailures(failures)
	for i, err := range forEach(r.StopApplications, func(app string) error { return c.stopApplication(ctx, app, forGood) }) {
		if err != nil {
			c.log.Error("running failure: stop application", "application", r.StopApplications[i], "error", err)
		}
	}
	forEach(r.RestartApplications, func(app string) error {
		defer c.busyApplication(app, true)() // as RestartApplication
		if err := c.stopApplication(ctx, app, toReplace); err != nil {
			// The copies not reached are held for stopping: the
			// application starts again all the same, else it would end
			// with no copy once they are.
			c.log.Error("running failure: restart application: stop", "application", app, "error", err)
		}
		c.deployApplication(ctx, app, "RESTART_APPLICATION after a failure")
		return nil
	})
	c.startJobs(r.RestartProcesses, false, "RESTART_PROCESS after a failure")
}

// Conciliate applies conciliation strategy s to the current conflicts, on
// the master, in the background: false for USER, which leaves them to an
// operator.
func (c *Cluster) Conciliate(s enums.ConciliationStrategy) (bool, error) {
	if s == enums.ConciliateUser {
		return false, c.checkMaster()
	}
	return true, c.run(context.Background(), false, func(ctx context.Context) error {
		c.conciliate(ctx, s)
		return nil
	})
}

// conciliate carries out strategy s over the current conflicts: stop the
// copies it says, then start again or apply the running failure strategy
// of the processes it says.
func (c *Cluster) conciliate(ctx context.Context, s enums.ConciliationStrategy) {
	defer c.update(func(now time.Time) view.Effects {
		c.view.ConciliationDone(now)
		return view.Effects{}
	})
	now := time.Now()
	var conflicts []conciliation.Conflict
	c.Read(func(v *view.View) {
		for _, p := range v.Conflicts() {
			// A copy a stop job holds goes away already: conciliating it
			// too could stop every copy (chaos netns seed 6160).
			cf := conciliation.Conflict{Key: p.Key()}
			for _, cp := range p.Copies {
				if cp.Counts && !cp.Stopping {
					cf.Copies = append(cf.Copies, conciliation.Copy{Address: cp.Address, Uptime: v.Uptime(cp.Address, cp.Record.Start, now)})
				}
			}
			if len(cf.Copies) > 1 {
				conflicts = append(conflicts, cf)
			}
		}
	})
	plan := conciliation.Resolve(s, conflicts)
	if plan.Empty() {
		return
	}
	c.log.Info("conciliation", "strategy", s, "conflicts", len(conflicts))
	for i, err := range forEach(plan.Stop, func(t conciliation.Target) error {
		return c.stopCopies(ctx, t.Key, []string{t.Address}, t.Replace)
	}) {
		if err != nil {
			c.log.Error("conciliation: stop", "process", plan.Stop[i].Key.Namespec(), "address", plan.Stop[i].Address, "error", err)
		}
	}
	c.startJobs(plan.Restart, false, "conciliation RESTART")
	failures := make([]strategy.Failure[view.Key], len(plan.RunningFailure))
	for i, k := range plan.RunningFailure {
		failures[i] = c.failure(k)
	}
	c.repair(ctx, failures)
}

// defaultConciliation is the [supvisors] conciliation_strategy.
func (c *Cluster) defaultConciliation() enums.ConciliationStrategy {
	s, err := enums.ParseConciliation(c.cfg.Supvisors.ConciliationStrategy)
	if err != nil {
		return enums.ConciliateUser
	}
	return s
}

// stopEverything is RESTARTING or SHUTTING_DOWN on the master: every
// application stops, by ascending stop_sequence; then every other agent
// the order names, then this one, restarts or exits.
func (c *Cluster) stopEverything(ctx context.Context, restart bool) {
	var apps []view.ApplicationInfo
	var order view.Order
	c.Read(func(v *view.View) {
		apps = v.Applications()
		order = *v.Order()
	})
	for _, group := range strategy.Phases(apps, func(a view.ApplicationInfo) int {
		return c.cfg.Rules.Application(a.Name).StopSequence
	}, false) {
		for i, err := range forEach(group, func(a view.ApplicationInfo) error { return c.stopApplication(ctx, a.Name, forGood) }) {
			if err != nil {
				c.log.Error("stopping", "application", group[i].Name, "error", err)
			}
		}
	}
	c.sendOrder(order)
	c.update(func(time.Time) view.Effects {
		c.view.StoppedAll()
		return view.Effects{}
	})
	c.stopAgent(restart)
}

// sendOrder sends the order to every other agent it names, at its address
// even where the ring gave it up: an agent frozen for a moment gets it
// when it resumes (the kernel holds the connection), one cut off gets it
// from the next generation of this agent (Config.Carried).
func (c *Cluster) sendOrder(o view.Order) {
	if c.ring == nil {
		return
	}
	msg := encodeOrder(o)
	var targets []string
	for address := range o.Targets {
		if address != c.local {
			targets = append(targets, address)
		}
	}
	for i, err := range forEach(targets, func(address string) error { return c.ring.SendDirect(address, msg) }) {
		if err != nil {
			c.log.Warn("order not delivered", "address", targets[i], "error", err)
		}
	}
}

// stopAgent has the local agent restart or exit, once.
func (c *Cluster) stopAgent(restart bool) {
	c.agentStop.Do(func() {
		if c.cfg.Lifecycle == nil {
			c.log.Warn("no agent to restart or stop")
			return
		}
		c.log.Info(fmt.Sprintf("supvisors %s: the agent stops", map[bool]string{true: "restart", false: "shutdown"}[restart]))
		if restart {
			c.cfg.Lifecycle.Restart()
		} else {
			c.cfg.Lifecycle.Shutdown()
		}
	})
}

// Order returns the restart order this agent carries out (nil: none), to
// carry to its next generation (Config.Carried).
func (c *Cluster) Order() *view.Order {
	var o *view.Order
	c.Read(func(v *view.View) { o = v.Order() })
	if o == nil || !o.Restart {
		return nil
	}
	return o
}
