package process

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
)

// ListenerState is an event listener's protocol state (Supervisor's
// EventListenerStates).
type ListenerState int

const (
	// ListenerAcknowledged: the listener has not said READY yet (a fresh
	// child, or one that just answered an event).
	ListenerAcknowledged ListenerState = iota
	// ListenerReady: it waits for an event.
	ListenerReady
	// ListenerBusy: it was sent an event and has not answered.
	ListenerBusy
	// ListenerUnknown: it broke the protocol and gets no more events until
	// it is spawned again.
	ListenerUnknown
)

// String returns Supervisor's name of the state.
func (s ListenerState) String() string {
	switch s {
	case ListenerAcknowledged:
		return "ACKNOWLEDGED"
	case ListenerReady:
		return "READY"
	case ListenerBusy:
		return "BUSY"
	case ListenerUnknown:
		return "UNKNOWN"
	}
	return "STATE_" + strconv.Itoa(int(s))
}

// Protocol tokens of the listener's stdout.
var (
	readyToken       = []byte("READY\n")
	resultTokenStart = len("RESULT ")
)

// notification is one event on its way to the listener pools (an instance
// of one of Supervisor's event classes): its payload is rendered when it is
// emitted, as Supervisor renders a state event's values eagerly.
type notification struct {
	name, payload string
	// serial is GlobalSerial's number, given by the first pool that
	// accepts the event; -1 before.
	serial      int
	poolSerials map[*pool]int
}

// eventBus is Supervisor's events module with the pools subscribed to it.
// Its mutex guards the pools, their buffers and their listeners' protocol
// state; it is taken before any Process's mutex, never under one.
type eventBus struct {
	log    hclog.Logger
	mu     sync.Mutex
	serial int // GlobalSerial's last number
	pools  []*pool
}

// pool is an active [eventlistener:x] group (EventListenerPool).
type pool struct {
	name   string
	cfg    *config.ListenerPool
	serial int // the pool's last number
	buffer []*notification
	procs  []*Process
}

// listener is the protocol side of one listener process
// (PEventListenerDispatcher), guarded by eventBus.mu.
type listener struct {
	// spawn is the child the state belongs to: a new child starts
	// ACKNOWLEDGED with an empty buffer, as a new dispatcher does.
	spawn  uint64
	state  ListenerState
	event  *notification // the event sent and not yet answered
	buf    []byte        // stdout not yet parsed
	result []byte
	// resultLen is the length the RESULT line announced, -1 before one.
	resultLen int
}

// subscribe makes the pool of group g receive events (the pool's
// _subscribe, done when it is created).
func (b *eventBus) subscribe(g *Group) {
	pl := &pool{name: g.cfg.Name, cfg: g.cfg.Listener, serial: -1, procs: g.procs}
	g.pool = pl
	for _, p := range g.procs {
		p.listener = &listener{resultLen: -1}
		p.pool = pl
	}
	b.mu.Lock()
	b.pools = append(b.pools, pl)
	b.mu.Unlock()
}

// unsubscribe stops the pool of group g receiving events (before_remove).
func (b *eventBus) unsubscribe(g *Group) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pools = slices.DeleteFunc(b.pools, func(pl *pool) bool { return pl == g.pool })
}

// emit is events.notify: every pool subscribed to the event's type accepts
// it, then the pools dispatch what they can.
func (b *eventBus) emit(name, payload string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.offer(&notification{name: name, payload: payload, serial: -1, poolSerials: map[*pool]int{}})
	b.dispatchAll()
}

// accept is _acceptEvent: number the event, then buffer it (at the head for
// an event put back), the oldest one dropped when the buffer is full.
func (b *eventBus) accept(pl *pool, n *notification, head bool) {
	if n.serial < 0 {
		b.serial++
		n.serial = b.serial
	}
	if _, ok := n.poolSerials[pl]; !ok {
		pl.serial++
		n.poolSerials[pl] = pl.serial
	} else {
		b.log.Debug(fmt.Sprintf("rebuffering event %d for pool %s (buf size=%d, max=%d)", n.serial, pl.name, len(pl.buffer), pl.cfg.BufferSize))
	}
	if len(pl.buffer) >= pl.cfg.BufferSize && len(pl.buffer) > 0 {
		discarded := pl.buffer[0]
		pl.buffer = pl.buffer[1:]
		b.log.Error(fmt.Sprintf("pool %s event buffer overflowed, discarding event %d", pl.name, discarded.serial))
	}
	if head {
		pl.buffer = append([]*notification{n}, pl.buffer...)
	} else {
		pl.buffer = append(pl.buffer, n)
	}
}

// dispatch sends the buffered events, oldest first, to ready listeners
// until none is left or none is ready.
func (b *eventBus) dispatch(pl *pool) {
	for len(pl.buffer) > 0 {
		n := pl.buffer[0]
		pl.buffer = pl.buffer[1:]
		if !b.send(pl, n) {
			b.accept(pl, n, true)
			return
		}
	}
}

// send is _dispatchEvent: the envelope goes to the first RUNNING listener
// that is READY, which turns BUSY. A listener whose stdin is gone is
// skipped, its state unchanged.
func (b *eventBus) send(pl *pool, n *notification) bool {
	for _, p := range pl.procs {
		st, spawn := p.stateAndSpawn()
		if st != enums.ProcessRunning {
			continue
		}
		l := b.current(p, spawn)
		if l.state != ListenerReady {
			continue
		}
		// 4.2.5 writes len as the payload's length in characters.
		envelope := fmt.Sprintf("ver:3.0 server:%s serial:%d pool:%s poolserial:%d eventname:%s len:%d\n%s",
			p.sup.opts.Identifier, n.serial, pl.name, n.poolSerials[pl], n.name, utf8.RuneCountInString(n.payload), n.payload)
		if err := p.WriteStdin([]byte(envelope)); err != nil {
			b.log.Debug(fmt.Sprintf("epipe occurred while sending event %d to listener %s, listener state unchanged", n.serial, p.cfg.Name))
			continue
		}
		l.state, l.event = ListenerBusy, n
		b.log.Debug(fmt.Sprintf("event %d sent to listener %s", n.serial, p.cfg.Name))
		return true
	}
	return false
}

// current returns p's protocol state for its child number spawn: a new
// child's is fresh (ACKNOWLEDGED), and the event the previous child had not
// answered goes back to the pool, as finish() rejects it.
func (b *eventBus) current(p *Process, spawn uint64) *listener {
	l := p.listener
	if l.spawn != spawn {
		b.reject(p)
		*l = listener{spawn: spawn, resultLen: -1}
	}
	return l
}

// reject is EventRejectedEvent's notification: the event p had not
// answered goes back at the head of the buffer of every pool that, by
// 4.2.5's handle_rejected, holds p. That test compares processes with
// Subprocess.__eq__, which compares priorities: a pool holding a listener
// of p's priority takes the event back too, and sends it again.
func (b *eventBus) reject(p *Process) {
	n := p.listener.event
	if n == nil {
		return
	}
	p.listener.event = nil
	for _, pl := range b.pools {
		if slices.ContainsFunc(pl.procs, func(q *Process) bool { return q.cfg.Priority == p.cfg.Priority }) {
			b.accept(pl, n, true)
		}
	}
}

// dispatchAll is the dispatch every pool's transition() does at
// supervisord's next loop.
func (b *eventBus) dispatchAll() {
	for _, pl := range b.pools {
		b.dispatch(pl)
	}
}

// stateChanged is change_state's notification of a PROCESS_STATE_* event,
// with finish()'s rejection of the event a listener whose child ended had
// not answered (after the state event, so that it goes back ahead of it),
// and transition()'s dispatch to a listener now RUNNING.
func (b *eventBus) stateChanged(e Event) {
	name, payload := stateEvent(e)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.offer(&notification{name: name, payload: payload, serial: -1, poolSerials: map[*pool]int{}})
	if p := e.Process; p.listener != nil {
		switch e.To {
		case enums.ProcessExited, enums.ProcessStopped, enums.ProcessBackoff:
			b.reject(p)
		}
	}
	b.dispatchAll()
}

// offer has every pool subscribed to n's type accept it, once per matching
// type in its events= (Supervisor subscribes a callback per type).
func (b *eventBus) offer(n *notification) {
	for _, pl := range b.pools {
		for _, sub := range pl.cfg.Events {
			if config.EventMatches(sub, n.name) {
				b.accept(pl, n, false)
			}
		}
	}
}

// read is PEventListenerDispatcher.handle_listener_state_change for what
// the listener's child number spawn wrote on stdout.
func (b *eventBus) read(p *Process, spawn uint64, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.current(p, spawn)
	l.buf = append(l.buf, data...)
	b.parse(p, l)
	// Supervisor dispatches at its next loop, once the output is parsed.
	b.dispatchAll()
}

// parse consumes l.buf as far as the protocol allows.
func (b *eventBus) parse(p *Process, l *listener) {
	name := p.cfg.Name
	for len(l.buf) > 0 {
		switch l.state {
		case ListenerUnknown:
			l.buf = nil
			return
		case ListenerAcknowledged:
			if len(l.buf) < len(readyToken) {
				return
			}
			if bytes.HasPrefix(l.buf, readyToken) {
				b.change(name, l, ListenerReady)
				l.buf = l.buf[len(readyToken):]
			} else {
				b.change(name, l, ListenerUnknown)
				l.buf = nil
			}
			l.event = nil
		case ListenerReady:
			// spurious data: Supervisor is strict about it
			b.change(name, l, ListenerUnknown)
			l.buf, l.event = nil, nil
			return
		case ListenerBusy:
			if l.resultLen < 0 {
				pos := bytes.IndexByte(l.buf, '\n')
				if pos < 0 {
					return
				}
				line := l.buf[:pos]
				l.buf = l.buf[pos+1:]
				n, err := strconv.Atoi(strings.TrimSpace(string(line[min(resultTokenStart, len(line)):])))
				if err != nil || n < 0 {
					b.log.Warn(fmt.Sprintf("%s: bad result line: '%s'", name, pyText(line)))
					b.change(name, l, ListenerUnknown)
					l.buf = nil
					b.reject(p)
					return
				}
				l.resultLen = n
				continue
			}
			if needed := l.resultLen - len(l.result); needed > 0 {
				take := min(needed, len(l.buf))
				l.result = append(l.result, l.buf[:take]...)
				l.buf = l.buf[take:]
			}
			if len(l.result) == l.resultLen {
				result := l.result
				l.result, l.resultLen = nil, -1
				b.handleResult(p, l, result)
			}
		}
	}
}

// handleResult is handle_result with Supervisor's default_handler: OK
// acknowledges the event, anything else rejects it (it is sent again).
func (b *eventBus) handleResult(p *Process, l *listener, result []byte) {
	name := p.cfg.Name
	if string(result) == "OK" {
		b.log.Debug(name + ": event was processed")
		b.change(name, l, ListenerAcknowledged)
		l.event = nil
		return
	}
	b.log.Warn(name + ": event was rejected")
	b.change(name, l, ListenerAcknowledged)
	b.reject(p)
}

// change is _change_listener_state.
func (b *eventBus) change(name string, l *listener, to ListenerState) {
	b.log.Debug(fmt.Sprintf("%s: %s -> %s", name, l.state, to))
	l.state = to
	if to == ListenerUnknown {
		b.log.Warn(name + ": has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol")
	}
}

// pyBytesRepr is Python's repr() of a bytes object.
func pyBytesRepr(data []byte) string {
	quote := byte('\'')
	if bytes.IndexByte(data, '\'') >= 0 && bytes.IndexByte(data, '"') < 0 {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteString("b")
	sb.WriteByte(quote)
	for _, c := range data {
		switch {
		case c == quote || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}

// stateEvent is the payload of a PROCESS_STATE_* event (ProcessStateEvent).
func stateEvent(e Event) (string, string) {
	payload := fmt.Sprintf("processname:%s groupname:%s from_state:%s", e.Process.cfg.Name, e.Process.cfg.Group, e.From)
	switch e.To {
	case enums.ProcessStarting, enums.ProcessBackoff:
		payload += fmt.Sprintf(" tries:%d", e.Tries)
	case enums.ProcessExited:
		expected := 0
		if e.Expected {
			expected = 1
		}
		payload += fmt.Sprintf(" expected:%d pid:%d", expected, e.PID)
	case enums.ProcessRunning, enums.ProcessStopping, enums.ProcessStopped:
		payload += fmt.Sprintf(" pid:%d", e.PID)
	}
	return "PROCESS_STATE_" + e.To.String(), payload
}

// SendRemoteCommEvent notifies a REMOTE_COMMUNICATION event
// (sendRemoteCommEvent): "type:TYPE\nDATA".
func (s *Supervisor) SendRemoteCommEvent(typ, data string) {
	s.bus.emit("REMOTE_COMMUNICATION", "type:"+typ+"\n"+data)
}

// tickPeriods are the TICK_* events' periods in seconds, in the order
// Supervisor notifies them.
var tickPeriods = []int64{5, 60, 3600}

// ticker notifies TICK_5, TICK_60 and TICK_3600 as supervisord's tick()
// does: when the clock enters a new slice of the period (a multiple of it
// since the epoch), with that slice's start as "when"; none at start-up.
type ticker struct {
	mu      sync.Mutex
	last    map[int64]int64
	timer   Timer
	stopped bool
}

// startTicks starts the ticks (supervisord's first tick() records the
// current slices without notifying).
func (s *Supervisor) startTicks() {
	now := s.clock.Now().Unix()
	t := &s.ticks
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last != nil {
		return
	}
	t.last = map[int64]int64{}
	for _, period := range tickPeriods {
		t.last[period] = now - now%period
	}
	s.scheduleTick()
}

// scheduleTick arms the timer for the next 5 s boundary; s.ticks.mu is held.
func (s *Supervisor) scheduleTick() {
	now := s.clock.Now()
	next := time.Unix(now.Unix()-now.Unix()%tickPeriods[0]+tickPeriods[0], 0)
	s.ticks.timer = s.clock.AfterFunc(next.Sub(now), s.tick)
}

// tick notifies the periods whose slice changed, then waits for the next.
func (s *Supervisor) tick() {
	t := &s.ticks
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	now := s.clock.Now().Unix()
	var due []int64
	for _, period := range tickPeriods {
		if slice := now - now%period; slice != t.last[period] {
			t.last[period] = slice
			due = append(due, period, slice)
		}
	}
	s.scheduleTick()
	t.mu.Unlock()
	for i := 0; i < len(due); i += 2 {
		s.bus.emit(fmt.Sprintf("TICK_%d", due[i]), fmt.Sprintf("when:%d", due[i+1]))
	}
}

// stopTicks ends the ticks (the agent leaves this Supervisor).
func (s *Supervisor) stopTicks() {
	t := &s.ticks
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	if t.timer != nil {
		t.timer.Stop()
	}
}
