package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
)

// handler is the Cluster as the ring sees it. The ring calls it from
// memberlist's goroutines, sometimes under memberlist's locks: it only takes
// the cluster's lock and never calls back into the ring synchronously.
type handler struct{ c *Cluster }

// Admit refuses peers that are not in address_list, are fenced, claim an IP
// address that is not theirs, or are not Supvisors agents.
func (h handler) Admit(name string, addr net.IP, metaBytes []byte) error {
	if ip := net.ParseIP(name); ip != nil && addr != nil && !ip.Equal(addr) {
		return fmt.Errorf("node %s advertises address %s", name, addr)
	}
	meta, err := decodeMeta(metaBytes)
	if err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	var refused error
	h.c.Read(func(v *view.View) { refused = v.Admit(name, meta) })
	if errors.Is(refused, view.ErrRulesDiffer) {
		if _, told := h.c.rulesMismatch.LoadOrStore(name, true); !told {
			h.c.log.Error("refusing a node that loads another rules file: every node must load the same one", "address", name, "error", refused)
		}
	}
	return refused
}

func (h handler) Alive(name string, metaBytes []byte) {
	meta, err := decodeMeta(metaBytes)
	if err != nil {
		h.c.log.Warn("bad node meta", "node", name, "error", err)
		return
	}
	h.c.update(func(now time.Time) view.Effects { return h.c.view.MemberAlive(name, meta, now) })
}

func (h handler) Dead(name string) {
	h.c.update(func(now time.Time) view.Effects { return h.c.view.MemberDead(name, now) })
}

func (h handler) Message(payload []byte) {
	t, body, err := decodeType(payload)
	if err == nil {
		err = h.dispatch(t, body)
	}
	if err != nil {
		h.c.log.Warn("bad message", "error", err)
	}
}

func (h handler) dispatch(t messageType, body []byte) error {
	c := h.c
	switch t {
	case msgUpdate:
		u, err := decodeUpdate(body)
		if err != nil {
			return err
		}
		c.applyUpdates([]view.Update{u})
	case msgUpdates:
		us, err := decodeUpdates(body)
		if err != nil {
			return err
		}
		c.applyUpdates(us)
	case msgSync:
		s, err := decodeSync(body)
		if err != nil {
			return err
		}
		c.update(func(now time.Time) view.Effects {
			c.view.ApplyFullState(s.own, now)
			for _, u := range s.others {
				c.view.ApplyUpdate(u)
			}
			for _, j := range s.jobs {
				c.view.ApplyJob(j)
			}
			return view.Effects{}
		})
	case msgJobs:
		js, err := decodeJobs(body)
		if err != nil {
			return err
		}
		c.update(func(time.Time) view.Effects {
			for _, j := range js {
				c.view.ApplyJob(j)
			}
			return view.Effects{}
		})
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
		c.update(func(time.Time) view.Effects { return c.view.Ordered(o) })
	case msgFullState:
		fs, err := decodeFullState(body)
		if err != nil {
			return err
		}
		c.update(func(now time.Time) view.Effects {
			c.view.ApplyFullState(fs, now)
			return view.Effects{}
		})
	case msgStateRequest:
		from, err := decodeName(body)
		if err != nil {
			return err
		}
		var refused bool
		c.Read(func(v *view.View) { refused = v.Refuses(from) })
		if !refused {
			c.sendAsync(from, c.stateMessage((*view.View).LocalState))
		}
	case msgReadmit:
		address, err := decodeName(body)
		if err != nil {
			return err
		}
		if err := c.Readmit(address); err != nil {
			c.log.Debug("readmit", "address", address, "error", err)
		}
	case msgStart, msgStop:
		cmd, err := decodeCommand(body)
		if err != nil {
			return err
		}
		if !c.inOrder(cmd) {
			c.log.Warn("request of the master superseded by a later one, not done", "process", cmd.key.Namespec(), "from", cmd.from)
			return nil
		}
		if t == msgStart {
			var age time.Duration
			var known bool
			c.Read(func(v *view.View) { age, known = v.MessageAge(cmd.from, cmd.sentAt, time.Now()) })
			if known && age > startValidity {
				// This agent was frozen or cut off meanwhile: the master
				// has placed the process elsewhere since.
				c.log.Warn("start requested too long ago, not done", "process", cmd.key.Namespec(), "from", cmd.from, "age", age)
				return nil
			}
		}
		// Off memberlist's goroutine: a start forks.
		c.spawn(func(context.Context) {
			if err := c.carryOutCommand(t, cmd); err != nil {
				c.log.Warn("request of the master", "process", cmd.key.Namespec(), "error", err)
			}
		})
	default:
		return fmt.Errorf("unknown message type %d", t)
	}
	return nil
}

// applyUpdates merges updates from other nodes and gossips on those that
// were news: a broadcast is sent only a few times by its sender, so every
// node passes on what it learns (the epidemic that reaches every member).
func (c *Cluster) applyUpdates(us []view.Update) {
	var news []view.Update
	c.update(func(time.Time) view.Effects {
		for _, u := range us {
			if c.view.ApplyUpdate(u) {
				news = append(news, u)
			}
		}
		return view.Effects{}
	})
	if c.ring == nil {
		return
	}
	for _, u := range news {
		c.ring.Broadcast(u.Node+"/"+u.Record.Key().Namespec(), encodeUpdate(u))
	}
}

// LocalState is the push/pull payload: this node's full state, and what it
// knows of the others' (anti-entropy for the whole view).
func (h handler) LocalState(bool) []byte {
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	return encodeSync(syncPayload{own: h.c.view.LocalState(), others: h.c.view.OthersRecords(), jobs: h.c.view.Jobs()})
}

func (h handler) MergeState(payload []byte, _ bool) { h.Message(payload) }

func (h handler) NodeMeta() []byte {
	var meta []byte
	h.c.Read(func(v *view.View) { meta = encodeMeta(v.LocalMeta()) })
	return meta
}

func (h handler) Heartbeat(name string, remote time.Time) {
	h.c.Read(func(v *view.View) { v.Heartbeat(name, remote, time.Now()) })
}
