package ring

import (
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Drops logs what is dropped from the network, once per sender and reason
// in each interval, with how many were dropped meanwhile: a hostile or
// broken sender cannot flood the log. Its methods are safe for concurrent
// use.
type Drops struct {
	log   hclog.Logger
	every time.Duration

	mu   sync.Mutex
	seen map[dropKey]*dropCount
}

type dropKey struct{ sender, reason string }

type dropCount struct {
	logged time.Time
	since  int
}

// NewDrops logs drops to log at most once per sender and reason every
// interval.
func NewDrops(log hclog.Logger, every time.Duration) *Drops {
	return &Drops{log: log, every: every, seen: map[dropKey]*dropCount{}}
}

// maxDropKeys bounds what Drops remembers, against senders that vary
// their reasons.
const maxDropKeys = 4096

// Note records that something from sender was dropped for reason, with
// detail (an error) logged along.
func (d *Drops) Note(sender, reason string, detail error) {
	now := time.Now()
	d.mu.Lock()
	k := dropKey{sender, reason}
	c := d.seen[k]
	if c == nil {
		if len(d.seen) >= maxDropKeys {
			clear(d.seen)
		}
		c = &dropCount{}
		d.seen[k] = c
	}
	c.since++
	if !c.logged.IsZero() && now.Sub(c.logged) < d.every {
		d.mu.Unlock()
		return
	}
	n := c.since
	c.logged, c.since = now, 0
	d.mu.Unlock()
	args := []any{"sender", sender, "dropped", n}
	if detail != nil {
		args = append(args, "error", detail)
	}
	d.log.Warn("dropped: "+reason, args...)
}
