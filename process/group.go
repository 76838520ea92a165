package process

import (
	"cmp"
	"slices"

	"github.com/supvisors/supvisors-go/config"
)

// Group is an active process group (Supervisor's ProcessGroup). Its
// membership never changes; it is safe for concurrent use.
type Group struct {
	cfg *config.Group
	// added orders groups of equal priority as supervisord's dict of
	// groups does: by when they were added.
	added  uint64
	procs  []*Process // by priority, then name
	byName map[string]*Process
	// pool is set for an event listener pool.
	pool *pool
}

func newGroup(sup *Supervisor, cfg *config.Group, added uint64) *Group {
	g := &Group{cfg: cfg, added: added, byName: make(map[string]*Process, len(cfg.Processes))}
	for _, pc := range cfg.Processes {
		p := newProcess(sup, pc)
		g.procs = append(g.procs, p)
		g.byName[pc.Name] = p
	}
	slices.SortStableFunc(g.procs, func(a, b *Process) int {
		return cmp.Or(cmp.Compare(a.cfg.Priority, b.cfg.Priority), cmp.Compare(a.cfg.Name, b.cfg.Name))
	})
	return g
}

// Config returns the group's configuration, AUTO log names resolved. The
// caller must not change it.
func (g *Group) Config() *config.Group { return g.cfg }

// Processes returns the group's processes sorted by priority, then name.
func (g *Group) Processes() []*Process { return slices.Clone(g.procs) }

// Process returns the process called name, nil if there is none.
func (g *Group) Process(name string) *Process { return g.byName[name] }

// transition is ProcessGroup.transition(): the automatic starts of a newly
// added group, in priority order.
func (g *Group) transition() {
	for _, p := range g.procs {
		p.transition()
	}
}

// stopAll is ProcessGroup.stop_all(): in descending priority, stop what
// runs or starts and give up on what backs off.
func (g *Group) stopAll() {
	for i := len(g.procs) - 1; i >= 0; i-- {
		g.procs[i].stopForShutdown()
	}
}

// unstopped is get_unstopped_processes(): those not in STOPPED_STATES.
func (g *Group) unstopped() []*Process {
	var out []*Process
	for _, p := range g.procs {
		if !p.State().IsStopped() {
			out = append(out, p)
		}
	}
	return out
}
