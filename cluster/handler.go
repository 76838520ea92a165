package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
)

// handler is the Cluster as the ring sees it. The ring calls it from
// memberlist's goroutines, sometimes under memberlist's locks: it only takes
// the cluster's lock and never calls back into the ring synchronously.
type handler struct{ c *Cluster }

// Admit refuses peers that are not in address_list, are fenced, or are
// not Supvisors agents (the ring checked their IP).
func (h handler) Admit(name string, metaBytes []byte) error {
	meta, err := decodeMeta(metaBytes)
	if err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	refused := h.c.admission.Load().Admit(name, meta)
	if errors.Is(refused, view.ErrRulesDiffer) {
		if _, told := h.c.rulesMismatch.LoadOrStore(name, true); !told {
			h.c.log.Error("refusing a node that loads another rules file: every node must load the same one", "address", name, "error", refused)
		}
	}
	return refused
}

// Alive queues the news for feedMembership.
func (h handler) Alive(name string, metaBytes []byte) {
	meta, err := decodeMeta(metaBytes)
	if err != nil {
		h.c.log.Warn("bad node meta", "node", name, "error", err)
		return
	}
	h.c.membership.push(memberNews{name: name, meta: meta, alive: true})
}

// Dead queues the news for feedMembership.
func (h handler) Dead(name string) { h.c.membership.push(memberNews{name: name}) }

// refusal is why a message is not acted on.
type refusal string

func (r refusal) Error() string { return string(r) }

const (
	refusedGossip    refusal = "only process updates may come by gossip"
	refusedNotMaster refusal = "request not from the master"
	refusedNotOwner  refusal = "full state not from its node"
	refusedFenced    refusal = "message from a fenced or unknown address"
)

// Message handles a message from the address from ("" for gossip, whose
// sender nobody knows): what changes things is taken from the master
// only, a node's state from that node, and records relayed by others only
// of the processes their node declared.
func (h handler) Message(from string, payload []byte) { _ = h.take(from, payload) }

// take decodes and dispatches a message, notes why it was not taken whole
// if it was not, and returns that.
func (h handler) take(from string, payload []byte) error {
	t, body, err := decodeType(payload)
	if err == nil {
		err = h.dispatch(from, t, body)
	}
	h.c.noteMessageError(from, t, err)
	return err
}

// noteMessageError notes why a message of type t from the address from
// ("" for gossip) was not taken whole, if err says it was not.
func (c *Cluster) noteMessageError(from string, t messageType, err error) {
	if err == nil {
		return
	}
	sender := from
	if sender == "" {
		sender = "gossip"
	}
	var r refusal
	switch {
	case errors.As(err, &r):
		c.noteRefusal(sender, r, t)
	case errors.Is(err, view.ErrUnknownProcess), errors.Is(err, view.ErrTooManyRecords), errors.Is(err, errGossipQueueFull):
		c.drops.Note(sender, "records", err)
	default:
		c.drops.Note(sender, "undecodable message", err)
	}
}

// commands tells whether this node takes commands from the address from
// (view.Commands).
func (c *Cluster) commands(from string) bool {
	var ok bool
	c.Read(func(v *view.View) { ok = v.Commands(from) })
	return ok
}

func (h handler) dispatch(from string, t messageType, body []byte) error {
	c := h.c
	if from == "" && t != msgUpdate {
		return refusedGossip
	}
	if from != "" && c.admission.Load().Refuses(from) {
		return refusedFenced
	}
	switch t {
	case msgUpdate:
		u, err := decodeUpdate(body)
		if err != nil {
			return err
		}
		if from == "" {
			if !c.gossip.push(u) {
				return errGossipQueueFull
			}
			return nil
		}
		return c.applyUpdates(from, []view.Update{u}, true)
	case msgUpdates:
		us, err := decodeUpdates(body)
		if err != nil {
			return err
		}
		return c.applyUpdates(from, us, len(us) <= gossipRound && c.relayGossip.take(len(us), time.Now()))
	case msgSync:
		s, err := decodeSync(body)
		if err != nil {
			return err
		}
		if s.own.Node != from {
			return refusedNotOwner
		}
		var errs []error
		c.update(func(now time.Time) view.Effects {
			errs = append(errs, c.view.ApplyFullState(s.own, now))
			for _, u := range s.others {
				_, err := c.view.ApplyRelayed(u)
				errs = append(errs, err)
			}
			errs = append(errs, c.applyJobsLocked(from, s.jobs))
			return view.Effects{}
		})
		return errors.Join(errs...)
	case msgJobs:
		js, err := decodeJobs(body)
		if err != nil {
			return err
		}
		var refused error
		c.update(func(time.Time) view.Effects {
			refused = c.applyJobsLocked(from, js)
			return view.Effects{}
		})
		return refused
	case msgCrashes:
		keys, err := decodeCrashes(body)
		if err != nil {
			return err
		}
		c.update(func(time.Time) view.Effects {
			c.view.ReportedCrashes(keys)
			return view.Effects{}
		})
	case msgOrder:
		o, err := decodeOrder(body)
		if err != nil {
			return err
		}
		if held, err := c.held(from, t, body); held {
			return err
		}
		c.update(func(time.Time) view.Effects { return c.view.Ordered(o) })
	case msgFullState:
		fs, err := decodeFullState(body)
		if err != nil {
			return err
		}
		if fs.Node != from {
			return refusedNotOwner
		}
		var applied error
		c.update(func(now time.Time) view.Effects {
			applied = c.view.ApplyFullState(fs, now)
			return view.Effects{}
		})
		return applied
	case msgReadmit:
		address, err := decodeName(body)
		if err != nil {
			return err
		}
		if held, err := c.held(from, t, body); held {
			return err
		}
		if err := c.Readmit(address); err != nil {
			c.log.Debug("readmit", "address", address, "error", err)
		}
	case msgProgram:
		change, err := decodeProgram(body)
		if err != nil {
			return err
		}
		if held, err := c.held(from, t, body); held {
			return err
		}
		// Off memberlist's goroutine: a resize stops processes.
		c.spawn(func(ctx context.Context) {
			if err := c.applyProgram(ctx, change); err != nil {
				c.log.Error("change of a program asked by the master", "program", change.Program, "error", err)
			}
		})
	case msgStart, msgStop:
		cmd, err := decodeCommand(body)
		if err != nil {
			return err
		}
		if cmd.from != from {
			return refusedNotMaster
		}
		if held, err := c.held(from, t, body); held {
			return err
		}
		c.request(t, cmd)
	case msgMeta:
		m, err := decodeMeta(body)
		if err != nil {
			return err
		}
		c.update(func(now time.Time) view.Effects { return c.view.MemberMeta(from, m, now) })
	case msgAsk:
		// Nothing to take: the answer is all of it (Answer).
		_, err := decodeAsk(body)
		return err
	default:
		return fmt.Errorf("unknown message type %d", t)
	}
	return nil
}

// applyJobsLocked takes the jobs from sends that it wrote itself (a
// master hands its jobs on to the next; whatever it sends, it is their
// author), those this node wrote (before its agent restarted: a master
// relaunched gets back its jobs, an operator's stop among them), and any if
// from commands here (it relays the others' jobs).
func (c *Cluster) applyJobsLocked(from string, js []view.Job) error {
	commands := c.view.Commands(from)
	var refused error
	for _, j := range js {
		if commands || j.Writer == from || j.Writer == c.local {
			c.view.ApplyJob(j)
		} else {
			refused = refusedNotMaster
		}
	}
	return refused
}

// noteRefusal logs (rate-limited) that a message of type t from sender
// was refused for r.
func (c *Cluster) noteRefusal(sender string, r refusal, t messageType) {
	c.drops.Note(sender, fmt.Sprintf("%s (message type %d)", r, t), nil)
}

// held tells whether a command (start, stop, order, jobs, readmission)
// from an address this node does not take commands from is held for
// later (carried out if from commands here within commandGrace); an error
// when too many are held already.
func (c *Cluster) held(from string, t messageType, body []byte) (bool, error) {
	if c.commands(from) {
		return false, nil
	}
	if !c.pending.hold(from, t, body, time.Now()) {
		return true, refusedNotMaster
	}
	// Dropped then unless a change of the view carries it out before.
	time.AfterFunc(commandGrace+10*time.Millisecond, func() {
		c.update(func(time.Time) view.Effects { return view.Effects{} })
	})
	return true, nil
}

// request carries out a start or a stop the master asked for, unless a
// later request overtook it, its sender's agent restarted since, or a
// start comes too late; it reports whether it goes on.
func (c *Cluster) request(t messageType, cmd command) bool {
	if !c.inOrder(cmd) {
		c.log.Warn("request of the master superseded by a later one, not done", "process", cmd.key.Namespec(), "from", cmd.from)
		return false
	}
	var age time.Duration
	var known bool
	var current uint64
	c.Read(func(v *view.View) {
		age, known = v.MessageAge(cmd.from, cmd.sentAt, time.Now())
		current = v.AddressIncarnation(cmd.from)
	})
	if current != 0 && cmd.incarnation != current && cmd.sentAt.Before(time.Unix(0, int64(current))) {
		// Sent by a previous agent of its sender (held while it was not
		// seen as the master here), before the current one started (an
		// incarnation is its agent's start time): what that agent asked
		// for went with it (an operator's stop since, a new deployment).
		c.log.Warn("request of a previous agent of its sender, not done", "process", cmd.key.Namespec(), "from", cmd.from)
		return false
	}
	if t == msgStart {
		if known && age > startValidity {
			// This agent was frozen or cut off meanwhile: the master
			// has placed the process elsewhere since.
			c.log.Warn("start requested too long ago, not done", "process", cmd.key.Namespec(), "from", cmd.from, "age", age)
			return false
		}
	}
	// Off memberlist's goroutine: a start forks.
	c.spawn(func(context.Context) {
		if err := c.carryOutCommand(t, cmd); err != nil {
			c.log.Warn("request of the master", "process", cmd.key.Namespec(), "error", err)
		}
	})
	return true
}

// applyUpdates merges updates that from sent ("" for gossip) and, with
// relay, gossips on those that were news: a broadcast is sent only a few
// times by its sender, so every node passes on what it learns (the
// epidemic that reaches every member). A round bigger than gossipRound,
// or past relayGossip, is not passed on: its node sent it to every member,
// and one that missed it asks for the full state once a probe shows it
// behind (view.MissedNews).
func (c *Cluster) applyUpdates(from string, us []view.Update, relay bool) error {
	var news []view.Update
	var errs []error
	c.update(func(time.Time) view.Effects {
		for _, u := range us {
			var isNews bool
			if u.Node == from {
				isNews = c.view.ApplyUpdate(u)
			} else {
				var err error
				isNews, err = c.view.ApplyRelayed(u)
				errs = append(errs, err)
			}
			if isNews {
				news = append(news, u)
			}
		}
		return view.Effects{}
	})
	if c.ring != nil && relay {
		for _, u := range news {
			c.ring.Broadcast(u.Node+"/"+u.Record.Key().Namespec(), encodeUpdate(u))
		}
	}
	return errors.Join(errs...)
}

// gossipQueue bounds the gossiped updates waiting for the view: more than
// a storm brings. One dropped is news a probe shows missed
// (view.MissedNews).
const gossipQueue = 4096

// errGossipQueueFull is why a gossiped update is dropped.
var errGossipQueueFull = errors.New("gossiped updates queue full")

// feedGossip applies the gossiped updates, as many as have come at once
// in one update, until Shutdown.
func (c *Cluster) feedGossip() {
	defer c.wg.Done()
	c.gossip.feed(c.done, func(us []view.Update) {
		c.noteMessageError("", msgUpdate, c.applyUpdates("", us, true))
	})
}

// LocalState is what the ring sends for anti-entropy: this node's full
// state, what it knows of the others' records, and the jobs (the receiver
// takes those its sender wrote, and the others from the master).
func (h handler) LocalState() []byte {
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	return encodeSync(syncPayload{own: h.c.view.LocalState(), others: h.c.view.OthersRecords(), jobs: h.c.view.Jobs()})
}

// Answer handles a request as a message, and answers with the local
// state (ownState): a node that checks another sends its own state and
// gets the other's in one exchange. A request from a fenced address, or
// with another node's state, gets no answer; one some of whose jobs were
// not its sender's to write does (those are left out, as from any sync).
// Nor does a node answer before it is Ready: its state would not end the
// check (and at 1,000 processes still being spawned, every checking peer
// would get them all every second); Ready sends it to every member.
func (h handler) Answer(from string, payload []byte) []byte {
	if err := h.take(from, payload); errors.Is(err, refusedFenced) || errors.Is(err, refusedNotOwner) {
		return nil
	}
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	if !h.c.view.Ready() {
		return nil
	}
	return h.c.ownStateLocked()
}

func (h handler) NodeMeta() []byte {
	var meta []byte
	h.c.Read(func(v *view.View) { meta = encodeMeta(v.LocalMeta()) })
	return meta
}

// AckState is the local node's progress (view.View.LocalProgress): a
// prober that has not heard of every change of its records asks for its
// full state.
func (h handler) AckState() []byte { return h.c.progress.Load().encoded }

// Heartbeat queues the heartbeat for feedHeartbeats: memberlist calls it
// for every answer to a probe, which must not wait for the view's lock
// (the next probes would). A heartbeat that finds the queue full is
// dropped: the next probe brings another.
func (h handler) Heartbeat(name string, remote time.Time, state []byte) {
	b := heartbeat{name: name, remote: remote, local: time.Now()}
	b.incarnation, b.seq, b.progress = decodeProgress(state)
	h.c.beats.push(b)
}
