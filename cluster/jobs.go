package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/strategy"
)

// deliveryMargin is what a start or stop may take beyond the program's own
// timings (startsecs, backoffs, stopwaitsecs) before the master gives up
// on it: the request's trip, and the news of the outcome coming back.
const deliveryMargin = 5 * time.Second

// jobs is the bookkeeping of what the master is doing: starts in flight
// (their loading counts on their address until they are done), the
// processes and applications being started or stopped (a crash there is a
// starting failure, not a running one), the view's jobs in hand, and the
// addresses a start is kept away from for a while (they just failed it).
// Guarded by Cluster.mu.
type jobs struct {
	inflight map[string]int
	busy     map[view.Key]int
	starting map[view.Key]int
	// appStarts and appStops count the starts and stops of applications
	// in flight.
	appStarts, appStops map[string]int
	inHand              map[jobID]bool
	avoid               map[view.Key]map[string]time.Time
	// startingOn is where the last start of a process in flight was
	// sent, and the Seq of its record there before; failedMeanwhile
	// marks the processes whose other copy failed during such a start
	// (see onCrashes).
	startingOn      map[view.Key]startAttempt
	failedMeanwhile map[view.Key]bool
}

// startAttempt is a start in flight: where, the Seq of the process's
// record there when it was sent, and the loading it adds there.
type startAttempt struct {
	address string
	before  uint64
	loading int
}

func newJobs() jobs {
	return jobs{inflight: map[string]int{}, busy: map[view.Key]int{}, starting: map[view.Key]int{},
		appStarts: map[string]int{}, appStops: map[string]int{},
		inHand: map[jobID]bool{}, avoid: map[view.Key]map[string]time.Time{},
		startingOn: map[view.Key]startAttempt{}, failedMeanwhile: map[view.Key]bool{}}
}

// avoidFor is how long the starts of a process keep away from an address
// that failed one (refused it, or was lost during it): long enough for
// the ring to declare a dead node dead, short enough that a node only
// frozen or cut off for a moment is used again.
const avoidFor = 5 * time.Second

// startError is a start that did not end with the process running, with
// what it came to (strategy.StartOutcome).
type startError struct {
	key     view.Key
	outcome strategy.StartOutcome
	err     error
}

func (e *startError) Error() string { return e.key.Namespec() + ": " + e.err.Error() }

func (e *startError) Unwrap() error { return e.err }

// startFailed builds a startError.
func startFailed(k view.Key, outcome strategy.StartOutcome, format string, args ...any) error {
	return &startError{key: k, outcome: outcome, err: fmt.Errorf(format, args...)}
}

// outcomeOf is what a start that returned err came to.
func outcomeOf(err error) strategy.StartOutcome {
	if err == nil {
		return strategy.Started
	}
	if e, ok := errors.AsType[*startError](err); ok {
		return e.outcome
	}
	return strategy.ProcessFailed
}

// startProcess starts k on the address the strategy chooses, with extra
// arguments, and waits until it is RUNNING (or, with wait_exit, exited as
// expected). A failure is a *startError saying why; an address that failed
// it is avoided by the next starts of k for a while.
func (c *Cluster) startProcess(ctx context.Context, p strategy.Placement, k view.Key, extra string) error {
	return c.startAll(ctx, p, []view.Key{k}, extra)[0]
}

// startAll starts the processes of keys at once, as startProcess does,
// placed together in their order (planLocked: what the dry runs answer);
// it returns their errors, in order.
func (c *Cluster) startAll(ctx context.Context, p strategy.Placement, keys []view.Key, extra string) []error {
	c.mu.Lock()
	starts := c.beginStartsLocked(p, keys)
	c.mu.Unlock()
	return c.runStarts(ctx, p, starts, extra)
}

// plannedStart is a start placed and counted as under way (address "":
// none can take the process).
type plannedStart struct {
	key     view.Key
	address string
	at      startAttempt
}

// beginStartsLocked places the processes of keys together (planLocked) and
// counts their starts as under way.
func (c *Cluster) beginStartsLocked(p strategy.Placement, keys []view.Key) []plannedStart {
	addresses := c.planLocked(p, [][]view.Key{keys}, time.Now())[0]
	starts := make([]plannedStart, len(keys))
	for i, k := range keys {
		starts[i] = plannedStart{key: k, address: addresses[i]}
		if addresses[i] != "" {
			starts[i].at = c.beginStartLocked(k, addresses[i], c.cfg.Rules.Program(k.Group, k.Name).Loading)
		}
	}
	return starts
}

// runStarts carries out starts at once and returns their errors, in order.
// A start that its address failed (it could not be reached, did not
// answer, or was lost meanwhile) is not the process's failure: the process
// is placed again (that address now avoided), at most once per address its
// rules allow, while this node is the master and no operator stopped the
// process meanwhile; the error is the last attempt's.
func (c *Cluster) runStarts(ctx context.Context, p strategy.Placement, starts []plannedStart, extra string) []error {
	return forEach(starts, func(s plannedStart) error {
		if s.address == "" {
			return startFailed(s.key, strategy.NoAddress, "%s", c.whyNoAddress(s.key))
		}
		err := c.startOn(ctx, p, s.key, s.address, s.at, extra)
		for tries := len(c.RuleAddresses(s.key)) - 1; tries > 0 && outcomeOf(err) == strategy.AddressFailed && ctx.Err() == nil; tries-- {
			again, why := c.placeAgain(p, s.key)
			if why != "" {
				c.log.Info("start not placed again", "process", s.key.Namespec(), "reason", why, "error", err)
				break
			}
			if again.address == "" {
				break
			}
			c.log.Warn("start placed again", "process", s.key.Namespec(), "error", err)
			err = c.startOn(ctx, p, s.key, again.address, again.at, extra)
		}
		return err
	})
}

// placeAgain places again a start of k that its address failed, and counts
// it as under way; or says why it does not ("": it does). A node that lost
// the mastership meanwhile leaves k to the new master, whose decisions it
// would undo (a start placed again there ran a process of an application
// the new master had since stopped: chaos loopback seed 20260304, fault
// #25); and the hold of an operator's stop that came meanwhile must win,
// though the stop saw no start in flight between two attempts
// (waitStarts). Checked in the same hold of c.mu as the next attempt is
// counted, so that a stop either sees it in flight or is seen by it.
func (c *Cluster) placeAgain(p strategy.Placement, k view.Key) (again plannedStart, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.view.Master() != c.local:
		return again, "this node is no longer the master"
	case c.view.Held(k):
		return again, "an operator stopped it meanwhile"
	}
	return c.beginStartsLocked(p, []view.Key{k})[0], ""
}

// startOn carries out the start at of k on address, which placement p
// chose, and waits for its outcome.
func (c *Cluster) startOn(ctx context.Context, p strategy.Placement, k view.Key, address string, at startAttempt, extra string) error {
	rules := c.cfg.Rules.Program(k.Group, k.Name)
	var err error
	defer func() { c.endStart(k, at, err) }()
	c.log.Info("starting", "process", k.Namespec(), "address", address, "strategy", p.Strategy)
	cmd := c.stamp(command{key: k, extra: extra})
	err = c.command(address, msgStart, cmd)
	if err != nil {
		err = startFailed(k, strategy.AddressFailed, "%s: %v", address, err)
	} else {
		deadline := time.Now().Add(c.startTimeout(k))
		err = c.awaitProcess(ctx, deadline, k, func(v *view.View) (bool, error) {
			return startOutcome(v, address, k, at.before, rules.WaitExit)
		})
		if isFault(err, fault.AbnormalTermination) {
			var rec view.ProcessRecord
			c.Read(func(v *view.View) { rec, _ = v.Record(address, k) })
			if rec.Seq <= at.before {
				err = startFailed(k, strategy.AddressFailed, "%s did not answer", address)
			} else {
				err = startFailed(k, strategy.ProcessFailed, "not started on %s in time", address)
			}
		}
	}
	if outcomeOf(err) == strategy.AddressFailed {
		c.mu.Lock()
		c.avoidLocked(k, address)
		c.mu.Unlock()
		c.cancelStart(k, address, cmd.sentAt)
	}
	return err
}

// beginStartLocked counts a start of k on address as under way.
func (c *Cluster) beginStartLocked(k view.Key, address string, loading int) startAttempt {
	rec, _ := c.view.Record(address, k)
	at := startAttempt{address: address, before: rec.Seq, loading: loading}
	c.jobs.inflight[address] += loading
	c.jobs.busy[k]++
	c.jobs.starting[k]++
	c.jobs.startingOn[k] = at
	return at
}

// endStart counts the start at of k as over, with err what it came to. It
// wakes up who waits for the starts to end (waitStarts), and hands back to
// the view the failure of another copy that came while the start was under
// way (see onCrashes): it stands if the start did not make the process
// run, and the view takes it only if the process runs nowhere and no
// operator stopped it.
func (c *Cluster) endStart(k view.Key, at startAttempt, err error) {
	c.mu.Lock()
	c.jobs.inflight[at.address] -= at.loading
	c.jobs.busy[k]--
	c.jobs.starting[k]--
	if c.jobs.startingOn[k] == at {
		delete(c.jobs.startingOn, k)
	}
	failed := c.jobs.failedMeanwhile[k] && c.jobs.starting[k] == 0
	if c.jobs.starting[k] == 0 {
		delete(c.jobs.failedMeanwhile, k)
	}
	c.mu.Unlock()
	c.update(func(time.Time) view.Effects {
		if failed && err != nil {
			c.view.ReportedCrashes([]view.Key{k})
		}
		return view.Effects{}
	})
}

// cancelStart tells address, even if the ring gave it up, to stop k: the
// start the master gave up on may still reach it (it was frozen, in the
// middle of the start perhaps) and must not leave a copy behind. The node
// carries out the two in the order they were sent (inOrder), and stops
// only the copy that start, sent at started, made: the process may run
// there since by another's start (the node's own, as a master of its side
// of a partition).
func (c *Cluster) cancelStart(k view.Key, address string, started time.Time) {
	if address == c.local || c.ring == nil {
		return
	}
	c.sendDirectAsync(address, encodeCommand(msgStop, c.stamp(command{key: k, cancels: started})))
}

// waitStarts waits until no start of keys is in flight: an operator's stop
// that came while its process was starting stops it once started, instead
// of missing the copy about to run.
func (c *Cluster) waitStarts(ctx context.Context, keys []view.Key) error {
	return c.waitJobs(ctx, func() bool {
		return !slices.ContainsFunc(keys, func(k view.Key) bool { return c.jobs.starting[k] > 0 })
	})
}

// waitJobs waits until done, called under the lock, says the jobs it looks
// at are over; they end with a change of the view (see startProcess and
// busyApplication).
func (c *Cluster) waitJobs(ctx context.Context, done func() bool) error {
	for {
		changed := c.Changed()
		c.mu.Lock()
		over := done()
		c.mu.Unlock()
		if over {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return fault.New(fault.ShutdownState, "the agent is stopping")
		}
	}
}

// whyNoAddress says why no address can take k: the state of each address
// its rules allow.
func (c *Cluster) whyNoAddress(k view.Key) string {
	names := c.RuleAddresses(k)
	if len(names) == 0 {
		return "no address can take it: its rules allow none"
	}
	now := time.Now()
	states := make([]string, len(names))
	c.mu.Lock()
	for i, name := range names {
		a, _ := c.view.Address(name, time.Time{})
		rec, configured := c.view.Record(name, k)
		state := a.State.String()
		switch {
		case a.State != enums.AddressRunning:
		case !configured:
			state = "not configured"
		case rec.Disabled:
			state = "disabled"
		case now.Before(c.jobs.avoid[k][name]):
			state = "failed a start a moment ago"
		default:
			state = "no room"
		}
		states[i] = name + ": " + state
	}
	c.mu.Unlock()
	return "no address can take it (" + strings.Join(states, ", ") + ")"
}

// startOutcome tells whether the start of k on address is done (and how):
// only news newer than the record before counts.
func startOutcome(v *view.View, address string, k view.Key, before uint64, waitExit bool) (bool, error) {
	if st := v.AddressState(address); st != enums.AddressRunning {
		return true, startFailed(k, strategy.AddressFailed, "address %s is %v", address, st)
	}
	rec, ok := v.Record(address, k)
	switch {
	case !ok:
		return true, startFailed(k, strategy.AddressFailed, "no longer configured on %s", address)
	case rec.Seq <= before:
		return false, nil
	}
	switch rec.State {
	case enums.ProcessRunning:
		return !waitExit, nil
	case enums.ProcessExited:
		if waitExit && rec.Expected {
			return true, nil
		}
		return true, startFailed(k, strategy.ProcessFailed, "exited on %s with status %d", address, rec.ExitStatus)
	case enums.ProcessFatal, enums.ProcessStopped, enums.ProcessUnknown:
		return true, startFailed(k, strategy.ProcessFailed, "%v on %s: %s", rec.State, address, rec.SpawnErr)
	}
	return false, nil
}

// RuleAddresses returns the addresses k's rules allow, in their order:
// address_list for "*"; with "#", the i-th of them (or of address_list)
// for the i-th process of a homogeneous group, none when there is no i-th.
func (c *Cluster) RuleAddresses(k view.Key) []string {
	rules := c.cfg.Rules.Program(k.Group, k.Name)
	names := rules.Addresses
	if names == nil {
		names = c.AddressList()
	}
	if !rules.Hashed {
		return names
	}
	if p := c.localConfig(k); p != nil && p.Index < len(names) {
		return []string{names[p.Index]}
	}
	return nil
}

// Rules returns the rules file's rules (nil: the defaults everywhere).
func (c *Cluster) Rules() *config.Rules { return c.cfg.Rules }

// localConfig is the local configuration of k: every node is expected to
// share the programs' settings, so the master reads its own.
func (c *Cluster) localConfig(k view.Key) *config.Process {
	if g := c.cfg.Supervisor.Group(k.Group); g != nil {
		if p := g.Process(k.Name); p != nil {
			return p.Config()
		}
	}
	return nil
}

// startTimeout is how long a start of k may take: every attempt's
// startsecs and backoff delay (1 s, 2 s, ...) plus the delivery margin.
func (c *Cluster) startTimeout(k view.Key) time.Duration {
	startsecs, retries := 1, 3
	if p := c.localConfig(k); p != nil {
		startsecs, retries = p.Startsecs, p.Startretries
	}
	seconds := startsecs*(retries+1) + retries*(retries+1)/2
	return time.Duration(seconds)*time.Second + deliveryMargin
}

// The intents of a stop (see view.Job.Replace).
const (
	forGood   = false
	toReplace = true
)

// stopProcess stops every running copy of k and waits until none runs; a
// start of k held as a job is dropped, and a copy on an address that
// cannot be reached now is stopped once it is back (with replace, only if
// another copy runs then).
func (c *Cluster) stopProcess(ctx context.Context, k view.Key, replace bool) error {
	c.dropStarts(func(j view.Job) bool { return j.Key == k })
	c.stopJobs(k, replace)
	var info view.ProcessInfo
	c.Read(func(v *view.View) { info, _ = v.Process(k) })
	return c.stopCopies(ctx, k, info.Addresses, replace)
}

// stopCopies stops the copies of k on addresses and waits until they are
// stopped; a copy not reached is held for stopping, with replace (see
// view.Job.Replace).
func (c *Cluster) stopCopies(ctx context.Context, k view.Key, addresses []string, replace bool) error {
	c.mu.Lock()
	c.jobs.busy[k]++
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.jobs.busy[k]--
		c.mu.Unlock()
	}()
	var reached, unreached []string
	// The copy each address runs now: the stop is over when it no longer
	// runs, whatever runs there after it.
	started := map[string]time.Time{}
	c.Read(func(v *view.View) {
		for _, address := range addresses {
			rec, _ := v.Record(address, k)
			started[address] = rec.Start
		}
	})
	for _, address := range addresses {
		c.log.Info("stopping", "process", k.Namespec(), "address", address)
		if err := c.command(address, msgStop, command{key: k, copy: started[address]}); err != nil {
			// Stopped once its node can be reached (see stopJobs).
			c.holdStop(k, address, replace)
			unreached = append(unreached, fmt.Sprintf("%s: %v", address, err))
			continue
		}
		reached = append(reached, address)
	}
	stopwaitsecs := 10
	if p := c.localConfig(k); p != nil {
		stopwaitsecs = p.Stopwaitsecs
	}
	deadline := time.Now().Add(time.Duration(stopwaitsecs)*time.Second + deliveryMargin)
	// sameCopy is the record of k on address while it is the copy the
	// stop was sent for.
	sameCopy := func(v *view.View, address string) (view.ProcessRecord, bool) {
		rec, ok := v.Record(address, k)
		return rec, ok && rec.Start.Equal(started[address])
	}
	err := c.awaitProcess(ctx, deadline, k, func(v *view.View) (bool, error) {
		for _, address := range reached {
			if rec, same := sameCopy(v, address); same && v.AddressState(address) == enums.AddressRunning && (rec.State.IsRunning() || rec.State == enums.ProcessStopping) {
				return false, nil
			}
		}
		return true, nil
	})
	// A copy still seen running on an address lost meanwhile may never
	// have had the stop (sent as its node was being cut off, it waited in
	// a socket or in that node's hold for its master): it is held for
	// stopping, as an unreachable one is (chaos netns seed 95426098, fault
	// #1: sa:sa_a, on the other side of a partition, ran on alone).
	var lost []string
	c.Read(func(v *view.View) {
		for _, address := range reached {
			if rec, same := sameCopy(v, address); same && v.AddressState(address) != enums.AddressRunning && rec.State.IsRunning() {
				lost = append(lost, address)
			}
		}
	})
	for _, address := range lost {
		c.holdStop(k, address, replace)
	}
	if err == nil && len(unreached) > 0 {
		err = fault.Newf(fault.Failed, "%s: not reached, stopped once it can be: %s", k.Namespec(), strings.Join(unreached, "; "))
	}
	return err
}

// holdStop holds as a job the stop of the copy of k on address, which could
// not be reached: carried out once the address can be (after avoidFor),
// over once its agent restarted or the copy ended.
func (c *Cluster) holdStop(k view.Key, address string, replace bool) {
	var j view.Job
	var running bool
	c.mu.Lock()
	if rec, ok := c.view.Record(address, k); ok && rec.State.IsRunning() && address != c.local {
		j, running = view.Job{Key: k, Address: address, Incarnation: c.view.AddressIncarnation(address), Start: rec.Start, Replace: replace}, true
		c.avoidLocked(k, address)
	}
	c.mu.Unlock()
	if running {
		c.putJobs(j)
	}
}

// avoidLocked keeps the jobs of k away from address for avoidFor.
func (c *Cluster) avoidLocked(k view.Key, address string) {
	if c.jobs.avoid[k] == nil {
		c.jobs.avoid[k] = map[string]time.Time{}
	}
	c.jobs.avoid[k][address] = time.Now().Add(avoidFor)
}

// await waits until done says the job is over, re-checking at every change
// of the view; past the deadline it is ABNORMAL_TERMINATION.
func (c *Cluster) await(ctx context.Context, deadline time.Time, done func(*view.View) (bool, error)) error {
	return c.awaitOn(ctx, deadline, func() <-chan struct{} { return c.changed }, done)
}

// awaitProcess is await for a done that reads only the records of k and
// the states of the addresses: it re-checks at their changes only, not at
// every change of the view (each start of a phase of 100 processes would
// be woken by the others' every change).
func (c *Cluster) awaitProcess(ctx context.Context, deadline time.Time, k view.Key, done func(*view.View) (bool, error)) error {
	return c.awaitOn(ctx, deadline, func() <-chan struct{} { return c.changedOfLocked(k) }, done)
}

// awaitOn is await, re-checking once the channel that changedLocked
// returns (called under c.mu, before each check) is closed.
func (c *Cluster) awaitOn(ctx context.Context, deadline time.Time, changedLocked func() <-chan struct{}, done func(*view.View) (bool, error)) error {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		var changed <-chan struct{}
		var over bool
		var err error
		c.Read(func(v *view.View) {
			changed = changedLocked()
			over, err = done(v)
		})
		if over {
			return err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return fault.New(fault.AbnormalTermination, "timed out")
		case <-c.done:
			return fault.New(fault.ShutdownState, "the agent is stopping")
		}
	}
}

// command sends a request to the agent of address; the local one carries
// it out at once.
func (c *Cluster) command(address string, t messageType, cmd command) error {
	if address == c.local {
		return c.carryOutCommand(t, cmd)
	}
	if c.ring == nil {
		return fmt.Errorf("%s is not this node and there is no ring", address)
	}
	return c.ring.SendReliable(address, encodeCommand(t, c.stamp(cmd)))
}

// stamp signs cmd as this agent's, sent now, unless it is already.
func (c *Cluster) stamp(cmd command) command {
	if cmd.from == "" {
		cmd.from, cmd.incarnation, cmd.sentAt = c.local, c.incarnation, c.cfg.Clock.Now()
	}
	return cmd
}

// inOrder tells whether a request of the master comes after the last one
// carried out for its process (from the same agent, by its clock), and
// records it: requests may overtake each other (one held until its sender
// commands here, one sent on a new connection after the kept one failed),
// and a start the master gave up on (the node was frozen) must not run
// after the stop that cancels it.
func (c *Cluster) inOrder(cmd command) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if last, ok := c.lastCommand[cmd.key]; ok && last.from == cmd.from && last.incarnation == cmd.incarnation && cmd.sentAt.Before(last.sentAt) {
		return false
	}
	c.lastCommand[cmd.key] = cmd
	return true
}

// startValidity is how late a start may reach its node and still be done:
// later, the master has given the node up (failure detection takes about
// a second) and placed the process elsewhere, and a start done now would
// run it twice. A start that is only slow gets no answer, and the master
// places it elsewhere when its wait ends.
const startValidity = time.Second

// carryOutCommand does what the master asked of this node. A start that
// fails leaves the process FATAL, which is how the master learns of it.
// Requests are carried out in goroutines of their own: the cancel of a
// start (a node frozen meanwhile gets both at once when it resumes) may be
// carried out before the start has made its copy; the start, seeing its
// cancel as the latest request (inOrder), then stops its copy, or does not
// start one.
func (c *Cluster) carryOutCommand(t messageType, cmd command) error {
	switch t {
	case msgStart:
		c.mu.Lock()
		cancelled := c.cancelledLocked(cmd)
		c.mu.Unlock()
		if cancelled {
			c.log.Info("start cancelled by the master before it was carried out: not done", "process", cmd.key.Namespec(), "from", cmd.from)
			return nil
		}
		err := c.StartArgs(context.Background(), cmd.key, cmd.extra, false)
		if isFault(err, fault.AlreadyStarted) {
			return nil
		}
		if p := c.localProcess(cmd.key); err == nil && p != nil {
			c.mu.Lock()
			c.startedBy[cmd.key] = startedCopy{by: cmd, start: p.Info().Start}
			cancelled = c.cancelledLocked(cmd)
			c.mu.Unlock()
			if cancelled {
				c.log.Info("start cancelled by the master while it was carried out: stopping its copy", "process", cmd.key.Namespec(), "from", cmd.from)
				if err := p.Stop(); err != nil && !isFault(err, fault.NotRunning) {
					return err
				}
			}
		}
		return err
	case msgStop:
		p := c.localProcess(cmd.key)
		if p == nil {
			return fault.New(fault.BadName, cmd.key.Namespec())
		}
		if !cmd.cancels.IsZero() {
			c.mu.Lock()
			made := c.madeByLocked(p, cmd)
			c.mu.Unlock()
			if !made {
				c.log.Info("cancel of a start that made no copy running here: nothing stopped, and the start will not run", "process", cmd.key.Namespec(), "from", cmd.from)
				return nil
			}
		}
		if !cmd.copy.IsZero() && !p.Info().Start.Equal(cmd.copy) {
			c.log.Info("stop of a copy that no longer runs here: the one running now is left alone", "process", cmd.key.Namespec(), "from", cmd.from)
			return nil
		}
		if err := p.Stop(); err != nil && !isFault(err, fault.NotRunning) {
			return err
		}
	}
	return nil
}

// cancelledLocked tells whether the latest request of the master for the
// process of the start request start (inOrder) is its cancel; c.mu is
// held.
func (c *Cluster) cancelledLocked(start command) bool {
	last := c.lastCommand[start.key]
	return last.from == start.from && last.incarnation == start.incarnation && last.cancels.Equal(start.sentAt)
}

// startedCopy is the copy of a local process that a start request made.
type startedCopy struct {
	by    command
	start time.Time // the copy's start, in this agent's clock
}

// madeByLocked tells whether the copy of p running now is the one that
// the start cancel cancels made; c.mu is held.
func (c *Cluster) madeByLocked(p *process.Process, cancel command) bool {
	made, ok := c.startedBy[cancel.key]
	return ok && made.by.from == cancel.from && made.by.incarnation == cancel.incarnation &&
		made.by.sentAt.Equal(cancel.cancels) && p.Info().Start.Equal(made.start)
}

func isFault(err error, code fault.Code) bool {
	var f *fault.Fault
	return errors.As(err, &f) && f.Code == code
}

func (c *Cluster) localProcess(k view.Key) *process.Process {
	if g := c.cfg.Supervisor.Group(k.Group); g != nil {
		return g.Process(k.Name)
	}
	return nil
}

// StartArgs is supvisors.start_args: start the local process k with extra
// arguments appended to its command. Extra arguments need a program that
// does not restart on its own and is not started with its application
// (BAD_EXTRA_ARGUMENTS); a command that cannot be run leaves the process
// FATAL (and the fault is returned). With wait, it returns once the
// process is RUNNING, ABNORMAL_TERMINATION if it does not get there.
func (c *Cluster) StartArgs(ctx context.Context, k view.Key, extra string, wait bool) error {
	p := c.localProcess(k)
	if p == nil {
		return fault.New(fault.BadName, k.Namespec())
	}
	if extra != "" {
		rules := c.cfg.Rules.Program(k.Group, k.Name)
		if p.Config().Autorestart != config.AutorestartFalse || rules.Required || rules.StartSequence > 0 {
			return fault.New(fault.BadExtraArguments, k.Namespec())
		}
	}
	if err := p.Start(extra); err != nil {
		if isFault(err, fault.NoFile) || isFault(err, fault.NotExecutable) {
			var f *fault.Fault
			errors.As(err, &f)
			p.ForceFatal(f.String)
		}
		return err
	}
	if !wait {
		return nil
	}
	if err := p.WaitStarted(ctx); err != nil {
		if isFault(err, fault.SpawnError) || isFault(err, fault.AbnormalTermination) {
			return fault.New(fault.AbnormalTermination, k.Namespec())
		}
		return err
	}
	return nil
}

// forEach runs f on every item at once and returns their errors, in order.
func forEach[T any](items []T, f func(T) error) []error {
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, x := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(x)
		}()
	}
	wg.Wait()
	return errs
}
