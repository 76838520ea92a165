// Package cluster makes one agent a member of the Supvisors cluster: it
// feeds the replicated view (package view, the pure core) from the gossip
// ring (package ring, over memberlist) and from the local process
// supervisor, and carries out what the view decides.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/cluster/ring"
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/process"
)

// leaveTimeout bounds how long a graceful leave waits for its broadcast to
// go out: a few gossip rounds; when every agent leaves at once (shutdown())
// nobody is left to gossip to, and it is not worth waiting for.
const leaveTimeout = 500 * time.Millisecond

// gossipRound is the most local changes sent together that also go out as
// gossip broadcasts, which receivers pass on: a bigger round (a group of
// processes starting together) goes to every member only as messages of
// many records each, and is not passed on: gossip would trickle it out a
// few records per packet, at every node at once. It is also how many a
// node gossips in a second (gossipBudget).
const gossipRound = 32

// maxBatch is the most records in one message of a round: a message stays
// well under ring.MaxMessage.
const maxBatch = 4096

// Config configures a Cluster.
type Config struct {
	// Local is this agent's address: an entry of Supvisors.AddressList.
	Local string
	// Supvisors is the [supvisors] section. Without one (Present false)
	// the agent is a cluster of one and opens no gossip port.
	Supvisors config.Supvisors
	// Supervisor is the local process supervisor the cluster publishes.
	Supervisor *process.Supervisor
	// Logger receives the cluster's and memberlist's logs.
	Logger hclog.Logger
	// Rules are the rules file's (nil: every application with the default
	// rules).
	Rules *config.Rules
	// Lifecycle is the agent, restarted or stopped by restart() and
	// shutdown() (nil: they stop the applications only).
	Lifecycle Lifecycle
	// Ring, when set, adjusts the ring's configuration after the
	// [supvisors] settings are applied (tests shrink timings with it).
	Ring func(*ring.Config)
	// Carried is the restart order the agent's previous generation carried
	// out (nil: none), for the agents it names that come back late.
	Carried *view.Order
	// Programs carries out the operators' changes of programs on this
	// node (nil: it refuses them).
	Programs Programs
	// Clock is the node's wall clock, for what the others read of it: the
	// incarnation, the heartbeats, the time of a request (nil: the
	// system's).
	Clock process.Clock
}

// Cluster is one agent's membership of the cluster. Its methods are safe for
// concurrent use.
type Cluster struct {
	cfg   Config
	log   hclog.Logger
	ring  *ring.Ring // nil for a cluster of one
	local string
	// incarnation is the local agent's (the view's, which never changes):
	// read without the lock by every request this node sends.
	incarnation uint64

	mu      sync.Mutex // guards view, jobs, timer, changed, generation, keyChanged and stopped
	view    *view.View
	jobs    jobs
	timer   *time.Timer
	changed chan struct{}
	// generation counts the changes of what the view says of processes
	// (view.TakeChanged), for ReadGeneration.
	generation uint64
	// keyChanged holds, per process waited for, a channel closed at the
	// next change of what the view says of it (see changedOfLocked).
	keyChanged map[view.Key]chan struct{}
	// described holds the processes changed since the last ReadChanged.
	described map[view.Key]struct{}
	stopped   bool

	// admission is the view's Admission, kept up to date by update: the
	// ring asks it of every packet and every alive message, from
	// memberlist's goroutines, which must not wait for the view's lock.
	admission atomic.Pointer[view.Admission]
	// drops logs what is dropped from other nodes, rate-limited.
	drops *ring.Drops
	// rulesMismatch holds the addresses already reported for loading
	// another rules file (memberlist asks about them again and again).
	rulesMismatch sync.Map

	// agentStop makes the local agent restart or exit once.
	agentStop sync.Once

	// lastCommand holds, per process, the latest request of the master
	// carried out (guarded by mu): see inOrder.
	lastCommand map[view.Key]command
	// startedBy holds, per local process, the copy the last start request
	// made (guarded by mu): see cancelStart and carryOutCommand.
	startedBy map[view.Key]startedCopy
	// pending holds commands until their sender commands here.
	pending pending

	unsubscribe func()
	metaDirty   chan struct{} // coalesces meta re-advertisements
	outDirty    chan struct{} // coalesces sends of outbox
	// progress is the local node's progress as its answers to probes
	// carry it (AckState), kept up to date by update: memberlist asks for
	// it at every probe it answers, which must not wait for the view's
	// lock.
	progress atomic.Pointer[progress]
	// beats holds the heartbeats not yet applied to the view
	// (feedHeartbeats).
	beats *queue[heartbeat]
	// gossip holds the gossiped updates not yet applied to the view
	// (feedGossip).
	gossip *queue[view.Update]
	// membership holds the ring's news of members not yet applied to the
	// view (feedMembership).
	membership *queue[memberNews]
	// locals holds the local processes' changes not yet applied to the
	// view (feedLocal).
	locals *queue[view.ProcessRecord]
	// outbox holds the local changes not sent to the members yet (guarded
	// by mu): the latest of each process.
	outbox map[view.Key]outgoing
	// behind holds the members that missed a round (only feedMembers):
	// they get the full state with the next one.
	behind map[string]bool
	// ownGossip and relayGossip bound the records of rounds gossiped: the
	// local ones (sendRound), and the others' that this node passes on
	// (applyUpdates).
	ownGossip, relayGossip gossipBudget

	done chan struct{}
	wg   sync.WaitGroup
}

// Create builds the cluster member: the view, and the ring bound to
// address:internal_port when the configuration has a [supvisors] section.
// Nothing is sent before Start.
func Create(cfg Config) (*Cluster, error) {
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.Clock == nil {
		cfg.Clock = process.RealClock{}
	}
	s := cfg.Supvisors
	c := &Cluster{
		cfg:        cfg,
		log:        cfg.Logger.Named("cluster"),
		local:      cfg.Local,
		changed:    make(chan struct{}),
		keyChanged: map[view.Key]chan struct{}{},
		described:  map[view.Key]struct{}{},
		metaDirty:  make(chan struct{}, 1),
		outDirty:   make(chan struct{}, 1),
		outbox:     map[view.Key]outgoing{},
		behind:     map[string]bool{},
		done:       make(chan struct{}),
		jobs:       newJobs(),

		beats:       newQueue[heartbeat](heartbeatQueue),
		gossip:      newQueue[view.Update](gossipQueue),
		membership:  newQueue[memberNews](0),
		locals:      newQueue[view.ProcessRecord](0),
		lastCommand: map[view.Key]command{},
		startedBy:   map[view.Key]startedCopy{},
	}
	c.drops = ring.NewDrops(c.log.Named("guard"), time.Minute)
	list := c.AddressList()
	if !slices.Contains(list, cfg.Local) {
		return nil, fmt.Errorf("address %s is not in address_list %v", cfg.Local, list)
	}
	var rc ring.Config
	var stable, fenceDelay time.Duration
	if s.Present {
		rc = c.ringConfig(list)
		stable = rc.SuspicionWindow(len(list))
		fenceDelay = rc.DetectionSpread(len(list))
	}
	now := time.Now()
	incarnation := uint64(cfg.Clock.Now().UnixNano())
	c.incarnation = incarnation
	c.view = view.New(view.Config{
		Local:          cfg.Local,
		AddressList:    list,
		AutoFence:      s.AutoFence,
		SynchroTimeout: time.Duration(s.SynchroTimeout) * time.Second,
		StableWindow:   stable,
		Loading:        func(k view.Key) int { return cfg.Rules.Program(k.Group, k.Name).Loading },
		Required:       func(k view.Key) bool { return cfg.Rules.Program(k.Group, k.Name).Required },
		StartSequence:  func(k view.Key) int { return cfg.Rules.Program(k.Group, k.Name).StartSequence },
		Addresses:      c.RuleAddresses,
		Carried:        cfg.Carried,
		RulesHash:      rulesHash(cfg.Rules),
		HostName:       s.HostName,
		Quorum:         s.Quorum,
		FenceDelay:     fenceDelay,
	}, incarnation, now)
	c.storeProgress()
	c.admission.Store(c.view.Admission())
	if s.Present {
		r, err := ring.Create(rc)
		if err != nil {
			return nil, err
		}
		c.ring = r
	}
	return c, nil
}

// rulesHash is what the node meta says of the rules file: the first bytes
// of its hash, nothing without one.
func rulesHash(r *config.Rules) []byte {
	if r == nil || r.File == "" {
		return nil
	}
	return r.Hash[:8]
}

// ringConfig is ring.DefaultConfig with the [supvisors] settings.
func (c *Cluster) ringConfig(list []string) ring.Config {
	s := c.cfg.Supvisors
	rc := ring.DefaultConfig(len(list))
	rc.Name, rc.Port = c.local, s.InternalPort
	// The peers from the local node's successor on (ring.Config.Peers).
	i := slices.Index(list, c.local)
	rc.Peers = append(slices.Clone(list[i+1:]), list[:i]...)
	rc.Keys = s.GossipKeys
	override := func(dst *time.Duration, v time.Duration) {
		if v > 0 {
			*dst = v
		}
	}
	override(&rc.ProbeInterval, s.ProbeInterval)
	override(&rc.ProbeTimeout, s.ProbeTimeout)
	override(&rc.GossipInterval, s.GossipInterval)
	override(&rc.PushPullInterval, s.PushPullInterval)
	if s.SuspicionMult > 0 {
		rc.SuspicionMult = s.SuspicionMult
	}
	rc.Logger = c.cfg.Logger.Named("memberlist")
	rc.Now = c.cfg.Clock.Now
	rc.Handler = handler{c}
	rc.Deaf = func(name string) bool { return c.admission.Load().Deaf(name) }
	if c.cfg.Ring != nil {
		c.cfg.Ring(&rc)
	}
	return rc
}

// Start publishes the local processes, joins the ring in the background and
// starts the Supvisors state machine. It returns at once.
func (c *Cluster) Start() {
	c.unsubscribe = c.cfg.Supervisor.Subscribe(c.localEvent)
	for _, p := range c.cfg.Supervisor.Processes() {
		c.locals.push(recordOf(p.Info(), false))
	}
	c.wg.Add(6)
	go c.advertise()
	go c.feedLocal()
	go c.feedMembers()
	go c.feedHeartbeats()
	go c.feedMembership()
	go c.feedGossip()
	if c.ring != nil {
		if len(c.AddressList()) > 1 && !c.ring.Encrypted() {
			c.log.Warn("gossip is not encrypted: anyone who can send packets from an address of address_list, or forge one, " +
				"can forge process records and ring membership; set [supvisors] gossip_key (see the README's Security section)")
		}
		c.ring.Start()
	}
	c.update(func(time.Time) view.Effects {
		c.publishLocked(c.locals.take())
		return view.Effects{}
	})
}

// Ready tells the cluster the local supervisor has activated its
// configuration (supervisor Start): until then, its ring answers with
// records that may be incomplete, and peers keep this node CHECKING. The
// full state goes to every member at once, so that they need not wait for
// their next request.
func (c *Cluster) Ready() {
	c.update(func(time.Time) view.Effects {
		c.publishLocked(c.locals.take())
		c.view.SetReady()
		return view.Effects{}
	})
	if c.ring != nil {
		// The answer to every exchange asked meanwhile (see Answer).
		c.sendToPeers(c.ownState())
	}
}

// Shutdown stops publishing and leaves the ring: gracefully when leave is
// set (the others get the final process states, then see this node leave
// at once), or as a crash would.
func (c *Cluster) Shutdown(leave bool) error {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil
	}
	// The last local changes are in the view for the leaving state.
	c.publishLocked(c.locals.take())
	c.stopped = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	if c.unsubscribe != nil {
		c.unsubscribe()
	}
	close(c.done)
	c.wg.Wait()
	if c.ring == nil {
		return nil
	}
	var errs []error
	if leave {
		// The last process states first, so that the others do not take
		// this node's processes for lost with it, nor the leave for a
		// failure: taken by each member before the leave goes out, as a
		// member handles the ring's news and the channel's messages apart,
		// and one that heard of the leave first would fence this node
		// under auto_fence.
		c.exchangeAll(c.stateMessage((*view.View).LeavingState), leaveTimeout)
		if err := c.ring.Leave(leaveTimeout); err != nil {
			c.log.Debug("leave not confirmed", "error", err)
		}
	}
	if err := c.ring.Shutdown(); err != nil {
		errs = append(errs, fmt.Errorf("stop the ring: %w", err))
	}
	return errors.Join(errs...)
}

// update runs f on the view under the lock, then the state machine, logs
// what changed, and carries out the effects.
func (c *Cluster) update(f func(now time.Time) view.Effects) {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	now := time.Now()
	before := c.snapshotLocked()
	eff := f(now)
	eff.Merge(c.view.Tick(now))
	c.admission.Store(c.view.Admission())
	c.storeProgress()
	run, written, wakeup := c.planJobsLocked(now)
	c.logChangesLocked(before)
	c.scheduleLocked(now, earliestTime(eff.Wakeup, wakeup))
	close(c.changed)
	c.changed = make(chan struct{})
	changed := c.view.TakeChanged()
	if len(changed) > 0 {
		c.generation++
	}
	for k := range changed {
		c.described[k] = struct{}{}
		if ch := c.keyChanged[k]; ch != nil {
			close(ch)
			delete(c.keyChanged, k)
		}
	}
	c.mu.Unlock()
	c.carryOut(eff)
	c.sendJobs(written)
	c.runJobs(run)
	c.retryPending()
}

// snapshot is what update logs the changes of.
type snapshot struct {
	state     enums.SupvisorsState
	master    string
	quorum    bool
	addresses []enums.AddressState
}

func (c *Cluster) snapshotLocked() snapshot {
	return snapshot{state: c.view.State(), master: c.view.Master(), quorum: c.view.HasQuorum(), addresses: c.view.AddressStates()}
}

func (c *Cluster) logChangesLocked(before snapshot) {
	for i, st := range c.view.AddressStates() {
		if st != before.addresses[i] {
			c.log.Info("address state", "address", c.AddressList()[i], "from", before.addresses[i], "to", st)
		}
	}
	if st, m := c.view.State(), c.view.Master(); st != before.state || m != before.master {
		c.log.Info("supvisors state", "from", before.state, "to", st, "master", m)
	}
	if q := c.view.HasQuorum(); q != before.quorum {
		if q {
			c.log.Info("quorum reached: this side of the cluster acts again", "quorum", c.cfg.Supvisors.Quorum)
		} else {
			c.log.Warn("quorum lost: this side of the cluster takes no action (no deployment, fail-over, fencing or conciliation)", "quorum", c.cfg.Supvisors.Quorum)
		}
	}
}

// carryOut does what the view asked, outside the lock: memberlist may be
// calling us while holding its own.
func (c *Cluster) carryOut(eff view.Effects) {
	for _, name := range eff.RequestState {
		c.exchangeAsync(name)
	}
	for _, r := range eff.SendReadmissions {
		c.sendDirectAsync(r.To, encodeName(msgReadmit, r.Address))
	}
	if len(eff.SendOrder) > 0 && c.cfg.Carried != nil {
		msg := encodeOrder(*c.cfg.Carried)
		for _, name := range eff.SendOrder {
			c.log.Info("an agent the restart order names is back in its old incarnation: telling it again", "address", name)
			c.sendDirectAsync(name, msg)
		}
	}
	if eff.StopAgent {
		c.spawn(func(context.Context) { c.stopAgent(eff.Restart) })
	}
	if eff.MetaChanged {
		notify(c.metaDirty)
	}
	if eff.Deploy {
		c.spawn(c.deploy)
	}
	if eff.StopAll {
		c.spawn(func(ctx context.Context) { c.stopEverything(ctx, eff.Restart) })
	}
	if len(eff.ReportCrashes) > 0 {
		var master string
		c.Read(func(v *view.View) { master = v.Master() })
		c.log.Info("reporting failures the master did not see", "master", master, "processes", len(eff.ReportCrashes))
		c.sendAsync(master, encodeCrashes(eff.ReportCrashes))
	}
	if len(eff.Crashed) > 0 {
		c.spawn(func(ctx context.Context) { c.onCrashes(ctx, eff.Crashed) })
	}
	if eff.Conciliate {
		if s := c.defaultConciliation(); s != enums.ConciliateUser {
			c.spawn(func(ctx context.Context) { c.conciliate(ctx, s) })
		}
	}
}

// scheduleLocked arms the timer for the view's next deadline.
func (c *Cluster) scheduleLocked(now, at time.Time) {
	if at.IsZero() {
		return
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = time.AfterFunc(max(at.Sub(now), 0), func() {
		c.update(func(time.Time) view.Effects { return view.Effects{} })
	})
}

// advertise re-advertises the node meta when asked, one at a time, until
// Shutdown. The master also pushes it to every member: their states follow
// its own, which gossip alone took up to 2 s to bring to 100 members
// launched together (the gossip rounds full of their joins).
func (c *Cluster) advertise() {
	defer c.wg.Done()
	onSignal(c.done, c.metaDirty, func() {
		if c.ring != nil {
			var meta view.Meta
			c.Read(func(v *view.View) { meta = v.LocalMeta() })
			if meta.Master == c.local {
				msg := encodeMetaMessage(meta)
				for _, m := range c.peers() {
					c.sendAsync(m, msg)
				}
			}
			if err := c.ring.UpdateMeta(); err != nil {
				c.log.Debug("node meta not confirmed", "error", err)
			}
		}
	})
}

// sendToPeers sends msg to every other alive member, one after another.
func (c *Cluster) sendToPeers(msg []byte) {
	for _, m := range c.peers() {
		c.send(m, msg)
	}
}

// peers are the ring's members but this node.
func (c *Cluster) peers() []string {
	return slices.DeleteFunc(c.ring.Members(), func(m string) bool { return m == c.local })
}

// exchangeAll sends msg to every other member as a request, all at once,
// and returns when each has answered, or failed, or at timeout.
func (c *Cluster) exchangeAll(msg []byte, timeout time.Duration) {
	members := c.peers()
	answered := make(chan struct{}, len(members))
	for _, m := range members {
		go func() {
			if _, err := c.ring.Exchange(m, msg); err != nil {
				c.log.Debug("exchange", "with", m, "error", err)
			}
			answered <- struct{}{}
		}()
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for range members {
		select {
		case <-answered:
		case <-deadline.C:
			return
		}
	}
}

// stateMessage encodes the full state which returns.
func (c *Cluster) stateMessage(which func(*view.View) view.FullState) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return encodeFullState(which(c.view))
}

// ownState is the local full state and the jobs, which a node that
// checks another sends it and gets back from it (exchangeAsync): the
// other has this node's state though it may have missed its news (it
// was frozen, or cut off one way, and comes back without having seen this
// node go), and the node that asked has the other's jobs once it counts
// as RUNNING there (a relaunched master, before it acts, has the jobs its
// previous agent wrote, and writes after them).
func (c *Cluster) ownState() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ownStateLocked()
}

func (c *Cluster) ownStateLocked() []byte {
	return encodeSync(syncPayload{own: c.view.LocalState(), jobs: c.view.Jobs()})
}

// exchangeRequest is what this node sends the node it checks: its own
// state once Ready; before, only the ask. A state that is not Ready would
// not end the other's check of this node (Ready sends it to every member),
// its records reach the others by gossip as they change, and it has no
// jobs of its own. With 10 nodes of 1,000 processes being spawned,
// sending it to every checking peer every second, and taking theirs, was
// a sixth of each agent's CPU.
func (c *Cluster) exchangeRequest() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.view.Ready() {
		return askMessage
	}
	return c.ownStateLocked()
}

// exchangeAsync exchanges full states with the member to (ownState both
// ways, or the ask one way: exchangeRequest), in a goroutine of its own,
// then tells the view it ended (view.View.ExchangeEnded).
func (c *Cluster) exchangeAsync(to string) {
	if c.ring == nil {
		return
	}
	c.spawn(func(context.Context) {
		answer, err := c.ring.Exchange(to, c.exchangeRequest())
		if err != nil {
			c.log.Debug("state exchange", "with", to, "error", err)
		} else {
			handler{c}.Message(to, answer)
		}
		c.update(func(time.Time) view.Effects {
			c.view.ExchangeEnded(to)
			return view.Effects{}
		})
	})
}

func (c *Cluster) sendAsync(to string, msg []byte) {
	if c.ring == nil {
		return
	}
	c.spawn(func(context.Context) { c.send(to, msg) })
}

// sendDirectAsync sends msg to the agent of an address even if the ring
// does not count it as alive (see ring.SendDirect).
func (c *Cluster) sendDirectAsync(to string, msg []byte) {
	if c.ring == nil {
		return
	}
	c.spawn(func(context.Context) {
		if err := c.ring.SendDirect(to, msg); err != nil {
			c.log.Debug("send", "to", to, "error", err)
		}
	})
}

func (c *Cluster) send(to string, msg []byte) {
	if err := c.ring.SendReliable(to, msg); err != nil {
		c.log.Debug("send", "to", to, "error", err)
	}
}

// AddressList returns address_list (this address alone for a cluster of
// one).
func (c *Cluster) AddressList() []string {
	if c.cfg.Supvisors.Present {
		return c.cfg.Supvisors.AddressList
	}
	return []string{c.local}
}

// Changed returns a channel closed at the next change of the view.
func (c *Cluster) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// changedOfLocked returns a channel closed at the next change of the
// records of k or of the state of an address that has one
// (view.TakeChanged); c.mu is held.
func (c *Cluster) changedOfLocked(k view.Key) <-chan struct{} {
	ch := c.keyChanged[k]
	if ch == nil {
		ch = make(chan struct{})
		c.keyChanged[k] = ch
	}
	return ch
}

// Local returns this agent's address.
func (c *Cluster) Local() string { return c.local }

// SetGossipKeys replaces the gossip keys of a running cluster (a key
// rotation, on SIGHUP): the first encrypts, every one decrypts.
func (c *Cluster) SetGossipKeys(keys [][]byte) error {
	if c.ring == nil {
		return nil
	}
	if err := c.ring.SetKeys(keys); err != nil {
		return err
	}
	c.log.Info("gossip keys replaced", "keys", len(keys))
	return nil
}

// Encrypted tells whether gossip and the ring's messages are encrypted
// (gossip_key).
func (c *Cluster) Encrypted() bool { return c.ring != nil && c.ring.Encrypted() }

// Strategies returns the [supvisors] auto_fence and default strategies
// (get_strategies).
func (c *Cluster) Strategies() (autoFence bool, starting, conciliation string) {
	s := c.cfg.Supvisors
	return s.AutoFence, s.StartingStrategy, s.ConciliationStrategy
}

// Read runs f with the view under the lock, for queries; f must not keep
// the view.
func (c *Cluster) Read(f func(v *view.View)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c.view)
}

// ReadGeneration is Read with the generation of the processes, which
// every change of what the view says of any process moves on (not the
// heartbeats and clock readings of the addresses, which come several
// times a second): what f derives from the processes' descriptions at one
// generation holds as long as the generation does.
func (c *Cluster) ReadGeneration(f func(v *view.View, generation uint64)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c.view, c.generation)
}

// ReadChanged runs f on the view under the lock, with the processes whose
// description may have changed since the previous call (see
// view.View.TakeChanged; at the first, since Create), for the one reader
// that follows the view's changes: the agent's event feed, whose reading
// then costs what changed, not the whole view. f must not keep changed.
func (c *Cluster) ReadChanged(f func(v *view.View, changed map[view.Key]struct{})) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c.view, c.described)
	clear(c.described)
}

// Readmit lets an address ISOLATED by auto_fence back in once its agent
// has restarted. The master tells the members that fence it too
// (Effects.SendReadmissions), which take it from the master only.
func (c *Cluster) Readmit(address string) error {
	var err error
	c.update(func(now time.Time) view.Effects {
		already := c.view.Readmitted(address)
		var eff view.Effects
		eff, err = c.view.Readmit(address, now)
		if err == nil && !already {
			c.log.Info("address readmitted: its next agent is let in", "address", address)
		}
		return eff
	})
	return err
}
