package agent

import (
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/cluster"
	"github.com/supvisors/supvisors-go/eventstream"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/rpcinterface"
	"github.com/supvisors/supvisors-go/stats"
)

// processEvent is the payload of the event topic: a local process's state
// change, with Supvisors 0.1's keys (and spawnerr, which later versions
// add, and statename).
type processEvent struct {
	Name      string `json:"name"`
	Group     string `json:"group"`
	State     int    `json:"state"`
	StateName string `json:"statename"`
	Expected  bool   `json:"expected"`
	Now       int64  `json:"now"`
	PID       int    `json:"pid"`
	Address   string `json:"address"`
	SpawnErr  string `json:"spawnerr"`
}

// eventFeed publishes on a Hub what changes in the cluster's view (the
// supvisors, address, application and process topics) and the local
// process events (the event topic). It compares what changed in the view
// with what it last published each time the view changes, so the view
// itself knows nothing of it.
type eventFeed struct {
	hub     *eventstream.Hub
	cluster *cluster.Cluster
	logger  hclog.Logger
	// mu is held by a reading of the view's changes and its publication:
	// the feed's goroutine's, or a first subscriber's catch-up.
	mu sync.Mutex
	// reader reads the view's changes (under mu).
	reader *rpcinterface.ChangeReader
	// unsubscribe ends the event topic's subscription to the supervisor.
	unsubscribe func()
	done        chan struct{}
	wg          sync.WaitGroup

	// What was last published, by name (under mu).
	state        api.SupvisorsStateInfo
	addresses    map[string]api.AddressInfo
	applications map[string]api.ApplicationInfo
	processes    map[string]api.ClusterProcessInfo
}

// newEventFeed returns the feed of c and sup, whose Hub serves the current
// state as its snapshot. Nothing is published before start.
func newEventFeed(c *cluster.Cluster, logger hclog.Logger) *eventFeed {
	f := &eventFeed{cluster: c, logger: logger, done: make(chan struct{}), reader: rpcinterface.NewChangeReader(c)}
	f.hub = eventstream.NewHub(eventstream.Options{Snapshot: f.snapshot, CatchUp: f.publishNews})
	return f
}

// start publishes the local process events of sup from now on, and the
// view's changes until stop.
func (f *eventFeed) start(sup *process.Supervisor) {
	f.unsubscribe = sup.Subscribe(f.processEvent)
	f.mu.Lock()
	f.remember(f.reader.Read())
	f.mu.Unlock()
	f.wg.Add(1)
	go f.run()
}

func (f *eventFeed) stop() {
	if f.unsubscribe != nil {
		f.unsubscribe()
	}
	close(f.done)
	f.wg.Wait()
}

// feedInterval is the least time between two readings of the view by the
// feed: a storm of changes (nodes joining by the dozen, a burst of process
// changes) costs one reading of the whole view per interval, not one per
// change, and keeps the view's lock from the ring's handlers that much
// less; a change after a quiet spell goes out at once.
const feedInterval = 20 * time.Millisecond

// feedPace is how many times as long as its last reading the feed waits,
// from the start of it, when that is longer than feedInterval: a reading
// holds the view's lock, which every change of the view waits for, for as
// long as it takes to describe what changed (at 10,000 processes starting,
// thousands at a time, milliseconds on a loaded host); paced, the feed
// holds it a third of the time at most while changes pour in.
const feedPace = 3

func (f *eventFeed) run() {
	defer f.wg.Done()
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		// While nobody subscribes, the view's changes wait in the view
		// (Cluster.ReadChanged) until the next subscription catches up
		// (Options.CatchUp): described at every change, 10,000 processes starting
		// would cost the agents a seventh of their CPU for nobody.
		if unwatched := f.hub.Unwatched(); unwatched != nil {
			select {
			case <-f.done:
				return
			case <-unwatched:
			}
		}
		// Read after taking the channel, so that no change is missed: one
		// made since start's reading, or while publishing, wakes the next
		// round.
		changed := f.cluster.Changed()
		read := time.Now()
		f.publishNews()
		took := time.Since(read)
		select {
		case <-f.done:
			return
		case <-changed:
		}
		if wait := max(feedInterval, feedPace*took) - time.Since(read); wait > 0 {
			pause.Reset(wait)
			select {
			case <-f.done:
				return
			case <-pause.C:
			}
		}
	}
}

// publishNews publishes what changed in the view since its last reading.
func (f *eventFeed) publishNews() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.publishChanges(f.reader.Read())
}

// processEvent publishes a local state change on the event topic.
func (f *eventFeed) processEvent(e process.Event) {
	if e.Kind != process.StateChanged {
		return
	}
	info := e.Process.Info()
	f.publish(eventstream.TopicEvent, processEvent{
		Name: info.Name, Group: info.Group, State: int(e.To), StateName: e.To.String(), Expected: info.Expected,
		Now: e.Time.Unix(), PID: info.PID, Address: f.cluster.Local(), SpawnErr: info.SpawnErr,
	})
}

// publish publishes v on topic; the payloads are the agent's own structs,
// so an error is a bug, logged.
func (f *eventFeed) publish(topic string, v any) {
	if err := f.hub.Publish(topic, v); err != nil {
		f.logger.Error("event not published", "error", err)
	}
}

// remember records s as published.
func (f *eventFeed) remember(s rpcinterface.ClusterChanges) {
	f.state = s.Supvisors
	f.addresses = byName(s.Addresses, func(a api.AddressInfo) string { return a.AddressName })
	if f.processes == nil {
		f.processes = map[string]api.ClusterProcessInfo{}
		f.applications = map[string]api.ApplicationInfo{}
	}
	for _, p := range s.Processes {
		f.processes[p.Namespec()] = p
	}
	for _, a := range s.Applications {
		f.applications[a.ApplicationName] = a
	}
	for _, name := range s.GoneProcesses {
		delete(f.processes, name)
	}
	for _, name := range s.GoneApplications {
		delete(f.applications, name)
	}
}

// sample publishes a statistics sample of this node on the hstats topic
// and each of its processes' on the pstats topic, with the latest sample
// only in their history: the whole history (stats_histo samples) of every
// process at every sample would weigh megabytes in the stream and in the
// events kept for resumption, and a subscriber keeps its own.
func (f *eventFeed) sample(h stats.Host, ps []stats.ProcessStats) {
	local := f.cluster.Local()
	h.History = h.History.Latest()
	f.publish(eventstream.TopicHostStats, h.Reply(local))
	for _, p := range ps {
		p.History = p.History.Latest()
		f.publish(eventstream.TopicProcessStats, p.Reply(local))
	}
}

// publishChanges publishes what differs in s from what was published.
// An address is published when its state or loading changes, not when
// only its clock readings do (they change at every read).
func (f *eventFeed) publishChanges(s rpcinterface.ClusterChanges) {
	if s.Supvisors != f.state {
		f.publish(eventstream.TopicSupvisors, s.Supvisors)
	}
	for _, a := range s.Addresses {
		if old, ok := f.addresses[a.AddressName]; !ok || old.State != a.State || old.Loading != a.Loading {
			f.publish(eventstream.TopicAddress, a)
		}
	}
	// A process's change before its application's, as Supvisors publishes
	// them: the application's state follows from its processes'.
	for _, p := range s.Processes {
		if old, ok := f.processes[p.Namespec()]; !ok || !sameProcess(old, p) {
			f.publish(eventstream.TopicProcess, p)
		}
	}
	for _, a := range s.Applications {
		if old, ok := f.applications[a.ApplicationName]; !ok || old != a {
			f.publish(eventstream.TopicApplication, a)
		}
	}
	f.remember(s)
}

// sameProcess compares every field of two entries (the struct holds a
// slice, so == does not compile).
func sameProcess(a, b api.ClusterProcessInfo) bool {
	return a.ApplicationName == b.ApplicationName && a.ProcessName == b.ProcessName && a.State == b.State &&
		a.ExpectedExit == b.ExpectedExit && a.LastEventTime == b.LastEventTime && a.Waiting == b.Waiting &&
		a.Disabled == b.Disabled && slices.Equal(a.Addresses, b.Addresses)
}

func byName[T any](items []T, name func(T) string) map[string]T {
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[name(it)] = it
	}
	return m
}

// snapshot is the current state as events: one supvisors, then every
// address, application and process.
func (f *eventFeed) snapshot() []eventstream.Event {
	s := rpcinterface.ReadClusterState(f.cluster)
	out := make([]eventstream.Event, 0, 1+len(s.Addresses)+len(s.Applications)+len(s.Processes))
	add := func(topic string, v any) {
		e, err := eventstream.Marshal(topic, v)
		if err != nil {
			f.logger.Error("snapshot event not made", "error", err)
			return
		}
		out = append(out, e)
	}
	add(eventstream.TopicSupvisors, s.Supvisors)
	for _, a := range s.Addresses {
		add(eventstream.TopicAddress, a)
	}
	for _, a := range s.Applications {
		add(eventstream.TopicApplication, a)
	}
	for _, p := range s.Processes {
		add(eventstream.TopicProcess, p)
	}
	return out
}
