package cluster

import (
	"slices"
	"sync"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
)

// commandGrace is how long a command from an address this node does not
// take commands from yet is held: a master back from a freeze, or just
// elected, acts before every other node's view has caught up with it.
// Past it, the command is dropped.
const commandGrace = 5 * time.Second

// maxPending bounds the commands held.
const maxPending = 256

// pendingCommand is a command held until its sender commands here.
type pendingCommand struct {
	from  string
	t     messageType
	body  []byte
	until time.Time
}

// pending holds the commands waiting for their sender to command here.
// Its methods are safe for concurrent use.
type pending struct {
	mu   sync.Mutex
	cmds []pendingCommand
}

// hold keeps a command for commandGrace; false when too many are held.
func (p *pending) hold(from string, t messageType, body []byte, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.cmds) >= maxPending {
		return false
	}
	p.cmds = append(p.cmds, pendingCommand{from: from, t: t, body: slices.Clone(body), until: now.Add(commandGrace)})
	return true
}

// empty tells whether no command is held: the check every change of the
// view makes, without the view's lock.
func (p *pending) empty() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.cmds) == 0
}

// take removes and returns the commands whose sender commands now, and
// those expired.
func (p *pending) take(commands func(from string) bool, now time.Time) (ready, expired []pendingCommand) {
	p.mu.Lock()
	defer p.mu.Unlock()
	kept := p.cmds[:0]
	for _, c := range p.cmds {
		switch {
		case commands(c.from):
			ready = append(ready, c)
		case now.After(c.until):
			expired = append(expired, c)
		default:
			kept = append(kept, c)
		}
	}
	p.cmds = kept
	return ready, expired
}

// retryPending carries out the held commands whose sender commands here
// now, and drops those held too long.
func (c *Cluster) retryPending() {
	if c.pending.empty() {
		return
	}
	var ready, expired []pendingCommand
	c.Read(func(v *view.View) { ready, expired = c.pending.take(v.Commands, time.Now()) })
	for _, p := range expired {
		c.noteRefusal(p.from, refusedNotMaster, p.t)
	}
	for _, p := range ready {
		handler{c}.Message(p.from, append([]byte{byte(p.t)}, p.body...))
	}
}
