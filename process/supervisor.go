package process

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

// Options configure a Supervisor. New copies them; the slices must not be
// changed afterwards.
type Options struct {
	// Logger gets supervisord's main log lines ("spawned: ...");
	// nil discards them.
	Logger hclog.Logger
	// Clock is the time source; nil means the system clock.
	Clock Clock
	// Identifier is [supervisord] identifier, part of AUTO log names.
	Identifier string
	// Childlogdir is where AUTO log files go ("" means the system
	// temporary directory).
	Childlogdir string
	// Environment is [supervisord] environment, applied to every child
	// over the agent's own environment and under the program's.
	Environment []config.EnvVar
	// ServerURL is SUPERVISOR_SERVER_URL for programs without a serverurl
	// ("" leaves it unset).
	ServerURL string
	// BaseEnv is the agent's own environment (os.Environ()), the base of
	// every child's environment and the PATH commands are looked up in.
	BaseEnv []string
}

// Supervisor is supervisord's process side: the configured groups, the
// active ones, supervisord's state, and subscriptions to state changes. It
// is safe for concurrent use.
type Supervisor struct {
	opts  Options
	log   hclog.Logger
	clock Clock
	mood  atomic.Int32 // SupervisorState

	mu      sync.Mutex
	pending []*config.Group   // process_group_configs
	groups  map[string]*Group // active
	added   uint64            // groups added so far
	// disabled holds the disabled programs (SetDisabled), guarded by
	// disabledMu: processes are made under mu and read it.
	disabledMu sync.Mutex
	disabled   map[string]bool

	subsMu sync.Mutex // serializes changes of subs
	subs   atomic.Pointer[[]*subscription]

	bus   eventBus
	ticks ticker

	changedMu sync.Mutex
	changed   chan struct{} // closed and replaced at every process state change
}

type subscription struct{ fn func(Event) }

// shutdownReportEvery throttles "waiting for x to die" during a shutdown.
const shutdownReportEvery = 3 * time.Second

// New returns a Supervisor in the RUNNING state with no configuration. It is
// safe for concurrent use.
func New(opts Options) *Supervisor {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	s := &Supervisor{
		opts:     opts,
		log:      opts.Logger,
		clock:    opts.Clock,
		groups:   make(map[string]*Group),
		disabled: map[string]bool{},
		changed:  make(chan struct{}),
	}
	s.bus.log = opts.Logger
	s.bus.serial = -1 // GlobalSerial's first number is 0
	s.mood.Store(int32(enums.SupervisorRunning))
	s.subs.Store(&[]*subscription{})
	return s
}

// State returns supervisord's state (getState).
func (s *Supervisor) State() enums.SupervisorState { return enums.SupervisorState(s.mood.Load()) }

// SetConfigs replaces the configured groups (supervisord's
// process_group_configs after a reread) and returns what differs from the
// active groups, as reloadConfig's diff_to_active does: groups configured
// but not active, active with another configuration, and active but no
// longer configured; each list sorted by name.
func (s *Supervisor) SetConfigs(groups []*config.Group) (added, changed, removed []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = slices.Clone(groups)
	configured := make(map[string]*config.Group, len(groups))
	for _, g := range groups {
		configured[g.Name] = g
		if s.groups[g.Name] == nil {
			added = append(added, g.Name)
		}
	}
	for name, g := range s.groups {
		switch c, ok := configured[name]; {
		case !ok:
			removed = append(removed, name)
		case !sameGroup(c, g.cfg):
			changed = append(changed, name)
		}
	}
	slices.Sort(added)
	slices.Sort(changed)
	slices.Sort(removed)
	return added, changed, removed
}

// Configs returns the configured groups (getAllConfigInfo; a group is in
// use when Group(name) is not nil). The groups of an added group have their
// AUTO log names resolved, as Supervisor's do. The caller must not change
// them.
func (s *Supervisor) Configs() []*config.Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pending)
}

// AddGroup activates the configured group name (addProcessGroup): BAD_NAME
// if it is not configured, ALREADY_ADDED if it is active. Its AUTO log files
// are created, then its autostart processes are started in priority order.
// Failing to create a log file is an error that is not a fault.
func (s *Supervisor) AddGroup(name string) error {
	g, err := s.addGroup(name)
	if err != nil {
		return err
	}
	g.transition()
	return nil
}

// addGroup is add_process_group: the group is made (a pool subscribes to
// its events) and PROCESS_GROUP_ADDED is notified; nothing starts yet.
func (s *Supervisor) addGroup(name string) (*Group, error) {
	s.mu.Lock()
	i := slices.IndexFunc(s.pending, func(g *config.Group) bool { return g.Name == name })
	if i < 0 {
		s.mu.Unlock()
		return nil, fault.New(fault.BadName, name)
	}
	if s.groups[name] != nil {
		s.mu.Unlock()
		return nil, fault.New(fault.AlreadyAdded, name)
	}
	cfg, err := withAutoLogs(s.pending[i], s.opts.Childlogdir, s.opts.Identifier)
	if err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("add group %s: %w", name, err)
	}
	// Supervisor resolves AUTO in the configuration object itself, so a group
	// removed and added again without a reread keeps its log files.
	s.pending[i] = cfg
	s.added++
	g := newGroup(s, cfg, s.added)
	if cfg.Listener != nil {
		s.bus.subscribe(g)
	}
	s.groups[name] = g
	s.mu.Unlock()
	s.bus.emit("PROCESS_GROUP_ADDED", "groupname:"+name+"\n")
	for _, p := range g.procs {
		p.announce(Added)
	}
	return g, nil
}

// RemoveGroup deactivates a group whose processes are all in
// STOPPED_STATES (removeProcessGroup): BAD_NAME if it is not active,
// STILL_RUNNING otherwise.
func (s *Supervisor) RemoveGroup(name string) error {
	s.mu.Lock()
	g := s.groups[name]
	if g == nil {
		s.mu.Unlock()
		return fault.New(fault.BadName, name)
	}
	if len(g.unstopped()) > 0 {
		s.mu.Unlock()
		return fault.New(fault.StillRunning, name)
	}
	delete(s.groups, name)
	s.mu.Unlock()
	if g.pool != nil {
		s.bus.unsubscribe(g)
	}
	s.bus.emit("PROCESS_GROUP_REMOVED", "groupname:"+name+"\n")
	for _, p := range g.procs {
		p.retire()
		p.announce(Removed)
	}
	return nil
}

// Groups returns the active groups sorted by name.
func (s *Supervisor) Groups() []*Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *Group) int { return strings.Compare(a.cfg.Name, b.cfg.Name) })
	return out
}

// GroupsByPriority returns the active groups in supervisord's order
// (_getAllProcesses, ordered_stop_groups): by priority, then in the order
// they were added.
func (s *Supervisor) GroupsByPriority() []*Group {
	groups := s.Groups()
	slices.SortFunc(groups, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(a.cfg.Priority, b.cfg.Priority), cmp.Compare(a.added, b.added))
	})
	return groups
}

// Group returns the active group called name, nil if there is none.
func (s *Supervisor) Group(name string) *Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups[name]
}

// Processes returns every active process sorted by group name, then
// process name (getAllProcessInfo's order).
func (s *Supervisor) Processes() []*Process {
	var out []*Process
	for _, g := range s.Groups() {
		i := len(out)
		out = append(out, g.procs...)
		slices.SortFunc(out[i:], func(a, b *Process) int { return strings.Compare(a.cfg.Name, b.cfg.Name) })
	}
	return out
}

// Start does what supervisord does at start-up: it adds every configured
// group that is not active, in priority order, notifies
// SUPERVISOR_STATE_CHANGE_RUNNING, then autostarts the processes of the
// groups added. Failures are logged.
func (s *Supervisor) Start() {
	s.mu.Lock()
	groups := slices.Clone(s.pending)
	s.mu.Unlock()
	slices.SortStableFunc(groups, func(a, b *config.Group) int { return cmp.Compare(a.Priority, b.Priority) })
	var added []*Group
	for _, g := range groups {
		if s.Group(g.Name) != nil {
			continue
		}
		ag, err := s.addGroup(g.Name)
		if err != nil {
			s.log.Error("cannot add group", "group", g.Name, "error", err)
			continue
		}
		added = append(added, ag)
	}
	s.bus.emit("SUPERVISOR_STATE_CHANGE_RUNNING", "")
	s.startTicks()
	for _, g := range added {
		g.transition()
	}
}

// Shutdown sets supervisord's state to RESTARTING (restarting) or SHUTDOWN,
// which stops automatic starts, then stops the active groups one at a time
// in descending priority, each fully before the next, as supervisord's
// ordered_stop_groups does. It returns when every process is in
// STOPPED_STATES, or with ctx.Err() if ctx ends first.
func (s *Supervisor) Shutdown(ctx context.Context, restarting bool) error {
	mood := enums.SupervisorShutdown
	if restarting {
		mood = enums.SupervisorRestarting
	}
	defer s.stopTicks()
	if enums.SupervisorState(s.mood.Swap(int32(mood))) == enums.SupervisorRunning {
		s.bus.emit("SUPERVISOR_STATE_CHANGE_STOPPING", "")
	}
	groups := s.GroupsByPriority()
	var lastReport time.Time
	for len(groups) > 0 {
		changed := s.stateChanged()
		last := groups[len(groups)-1]
		last.stopAll()
		if len(last.unstopped()) == 0 {
			groups = groups[:len(groups)-1]
			continue
		}
		if now := s.clock.Now(); now.After(lastReport.Add(shutdownReportEvery)) {
			s.shutdownReport()
			lastReport = now
		}
		report := make(chan struct{})
		t := s.clock.AfterFunc(shutdownReportEvery, func() { close(report) })
		select {
		case <-changed:
		case <-report:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		t.Stop()
	}
	return nil
}

// shutdownReport logs the processes a shutdown waits for.
func (s *Supervisor) shutdownReport() {
	var names []string
	for _, g := range s.Groups() {
		for _, p := range g.unstopped() {
			names = append(names, p.cfg.Name)
		}
	}
	if len(names) > 0 {
		s.log.Info("waiting for " + strings.Join(names, ", ") + " to die")
	}
}

// ReopenLogs reopens the log files of every running child, picking up
// files moved away by an external rotation (supervisord's SIGUSR2).
func (s *Supervisor) ReopenLogs() {
	for _, p := range s.Processes() {
		p.reopenLogs()
	}
}

// Subscribe calls fn with every process state change until cancel is
// called. Events of one process come in order; fn may be called
// concurrently for different processes, never with a lock of this package
// held, so it may call back into it.
func (s *Supervisor) Subscribe(fn func(Event)) (cancel func()) {
	sub := &subscription{fn: fn}
	s.subsMu.Lock()
	subs := append(slices.Clone(*s.subs.Load()), sub)
	s.subs.Store(&subs)
	s.subsMu.Unlock()
	return func() {
		s.subsMu.Lock()
		defer s.subsMu.Unlock()
		subs := slices.DeleteFunc(slices.Clone(*s.subs.Load()), func(x *subscription) bool { return x == sub })
		s.subs.Store(&subs)
	}
}

func (s *Supervisor) notify(e Event) {
	if e.Kind == StateChanged {
		s.bus.stateChanged(e)
	}
	for _, sub := range *s.subs.Load() {
		sub.fn(e)
	}
}

// stateChanged returns a channel closed at the next process state change.
func (s *Supervisor) stateChanged() <-chan struct{} {
	s.changedMu.Lock()
	defer s.changedMu.Unlock()
	return s.changed
}

func (s *Supervisor) broadcast() {
	s.changedMu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.changedMu.Unlock()
}
