// Package eventstream publishes the cluster's events inside the agent: a
// Hub numbers each event, keeps the last ones for the subscribers that come
// back (Last-Event-ID), and fans them out to per-subscriber bounded queues,
// so that a slow subscriber is dropped instead of slowing the publisher.
// The SSE handler (/events) and the ZeroMQ publisher are its subscribers.
package eventstream

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The topics, with Supvisors 0.1's names and payloads.
const (
	TopicSupvisors   = "supvisors"   // statecode, statename
	TopicAddress     = "address"     // supvisors.get_address_info's keys
	TopicApplication = "application" // supvisors.get_application_info's keys
	TopicProcess     = "process"     // a supvisors.get_process_info entry
	TopicEvent       = "event"       // a local process event
	// The statistics topics carry each sample of this node as it is taken.
	TopicHostStats    = "hstats" // supvisors.get_host_statistics' reply
	TopicProcessStats = "pstats" // a supvisors.get_process_statistics entry
)

// Topics lists every topic a subscriber may ask for, in the order of the
// initial snapshot.
var Topics = []string{TopicSupvisors, TopicAddress, TopicApplication, TopicProcess, TopicEvent, TopicHostStats,
	TopicProcessStats}

// Defaults of Options.
const (
	// DefaultHistory is how many recent events are kept for resumption.
	DefaultHistory = 4096
	// DefaultQueue is how many events a subscriber may lag behind before
	// it is dropped.
	DefaultQueue = 1024
)

// Event is one published event. Data is its JSON payload, one line; it is
// shared by every subscriber and must not be modified.
type Event struct {
	// ID numbers the events of a Hub in order, without gaps.
	ID    uint64
	Topic string
	Data  []byte
}

// Options configure a Hub; the zero value takes the defaults.
type Options struct {
	// History is how many recent events are kept for resumption
	// (0: DefaultHistory).
	History int
	// Queue is how many events a subscriber may have pending before it is
	// dropped (0: DefaultQueue).
	Queue int
	// Snapshot returns the current state as events without IDs (one
	// supvisors, then every address, application and process), for the
	// subscribers that do not resume; nil: none.
	Snapshot func() []Event
	// CatchUp, when not nil, is called by a subscription to a Hub that had
	// no subscriber, before it takes its backlog: a publisher that left
	// what nobody followed (see Unwatched) publishes it then, into the
	// events kept, instead of in a burst through the new subscriber's
	// queue, which would drop it.
	CatchUp func()
}

// Hub numbers and fans out events. Safe for concurrent use.
type Hub struct {
	queue    int
	snapshot func() []Event
	catchUp  func()

	mu      sync.Mutex // guards the fields below
	last    uint64     // the ID of the last event published
	history []Event    // a ring of the last len(history) events
	kept    int        // how many of history are events
	subs    map[*Subscription]struct{}
	dropped uint64
	// subscribed is closed at the next subscription (see Unwatched).
	subscribed chan struct{}
}

// NewHub returns a Hub. Its first event's ID follows the wall clock in
// microseconds, so that a Last-Event-ID from a previous agent (a restart)
// is older than anything kept and gets a snapshot instead of a wrong
// resumption.
func NewHub(opts Options) *Hub {
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	return &Hub{
		queue:    opts.Queue,
		snapshot: opts.Snapshot,
		catchUp:  opts.CatchUp,
		last:     uint64(time.Now().UnixMicro()),
		history:  make([]Event, opts.History),
		subs:     map[*Subscription]struct{}{},
	}
}

// Publish sends v, marshalled as JSON, on topic to every subscriber of
// topic, without waiting for any: one whose queue is full is dropped.
func (h *Hub) Publish(topic string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("event %s: %w", topic, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last++
	e := Event{ID: h.last, Topic: topic, Data: data}
	h.history[h.last%uint64(len(h.history))] = e
	h.kept = min(h.kept+1, len(h.history))
	for s := range h.subs {
		if !s.wants(topic) {
			continue
		}
		select {
		case s.c <- e:
		default:
			h.dropLocked(s, true)
		}
	}
	return nil
}

func (h *Hub) dropLocked(s *Subscription, lagged bool) {
	delete(h.subs, s)
	s.lagged = lagged
	if lagged {
		h.dropped++
	}
	close(s.c)
}

// Stats returns how many subscribers there are and how many were dropped
// for lagging since the Hub was made.
func (h *Hub) Stats() (subscribers int, dropped uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs), h.dropped
}

// Unwatched returns nil while the Hub has a subscriber, and otherwise a
// channel closed at the next subscription: a publisher may leave what
// nobody follows, and catch up then.
func (h *Hub) Unwatched() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) > 0 {
		return nil
	}
	if h.subscribed == nil {
		h.subscribed = make(chan struct{})
	}
	return h.subscribed
}

// Subscription is one subscriber's queue. Read Backlog, then C until it is
// closed; then Lagged tells whether the Hub dropped it.
type Subscription struct {
	hub    *Hub
	topics []string // nil: all
	c      chan Event
	lagged bool // set before c is closed
	// Backlog holds what comes before C: the kept events after the
	// resumption point, or the snapshot.
	Backlog []Event
	// Resumed tells whether Backlog holds kept events (a resumption), not
	// a snapshot.
	Resumed bool
}

// C delivers the events published since the subscription, in order; it is
// closed when the subscription ends.
func (s *Subscription) C() <-chan Event { return s.c }

// Lagged tells, once C is closed, whether the subscriber was dropped for
// falling more than its queue behind.
func (s *Subscription) Lagged() bool {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.lagged
}

// Close ends the subscription. It may be called more than once.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	if _, ok := s.hub.subs[s]; ok {
		s.hub.dropLocked(s, false)
	}
}

func (s *Subscription) wants(topic string) bool {
	return s.topics == nil || slices.Contains(s.topics, topic)
}

// Subscribe subscribes to topics (nil or empty: all). With resume, it
// starts after the event numbered since when the Hub still keeps the events
// after it; otherwise (or when they are gone) Backlog is the snapshot, whose
// events carry the ID of the last event published, and C starts after it.
func (h *Hub) Subscribe(topics []string, since uint64, resume bool) *Subscription {
	if len(topics) == 0 {
		topics = nil
	}
	s := &Subscription{hub: h, topics: topics, c: make(chan Event, h.queue)}
	if h.catchUp != nil {
		h.mu.Lock()
		unwatched := len(h.subs) == 0
		h.mu.Unlock()
		if unwatched {
			h.catchUp()
		}
	}
	h.mu.Lock()
	last := h.last
	if resume && since <= last && last-since <= uint64(h.kept) {
		for id := since + 1; id <= last; id++ {
			if e := h.history[id%uint64(len(h.history))]; s.wants(e.Topic) {
				s.Backlog = append(s.Backlog, e)
			}
		}
		s.Resumed = true
	}
	h.subs[s] = struct{}{}
	if h.subscribed != nil {
		close(h.subscribed)
		h.subscribed = nil
	}
	h.mu.Unlock()
	// The snapshot is read after the subscription: an event published in
	// between is sent after it, and at worst repeats what it shows.
	if !s.Resumed && h.snapshot != nil {
		for _, e := range h.snapshot() {
			if s.wants(e.Topic) {
				e.ID = last
				s.Backlog = append(s.Backlog, e)
			}
		}
	}
	return s
}

// SubscribeLive subscribes to topics (nil or empty: all) from the next
// event on, without backlog.
func (h *Hub) SubscribeLive(topics []string) *Subscription {
	h.mu.Lock()
	last := h.last
	h.mu.Unlock()
	// Resuming from the last event has nothing to replay, unless events
	// came in between: those are replayed, which is what live means.
	return h.Subscribe(topics, last, true)
}

// ParseTopics reads a comma-separated list of topics ("": all); an unknown
// one is an error that lists the valid ones.
func ParseTopics(list string) ([]string, error) {
	var topics []string
	for t := range strings.SplitSeq(list, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !slices.Contains(Topics, t) {
			return nil, fmt.Errorf("unknown topic %q; valid topics: %s", t, strings.Join(Topics, ", "))
		}
		if !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	return topics, nil
}

// Marshal returns the snapshot event of v on topic, for Options.Snapshot.
func Marshal(topic string, v any) (Event, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Event{}, fmt.Errorf("event %s: %w", topic, err)
	}
	return Event{Topic: topic, Data: data}, nil
}
