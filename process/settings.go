package process

import (
	"cmp"
	"slices"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

// startRefusal is why a start of a process in state, disabled or not, is
// refused (nil: it may start). A disabled program answers DISABLED whatever
// its state: the operator's reason comes first.
func startRefusal(state enums.ProcessState, disabled bool, namespec string) error {
	switch {
	case disabled:
		return fault.New(fault.Disabled, namespec)
	case state.IsRunning():
		return fault.New(fault.AlreadyStarted, namespec)
	case state == enums.ProcessUnknown:
		return fault.Newf(fault.Failed, "%s is in an unknown process state", namespec)
	}
	return nil
}

// programDisabled tells whether program is disabled.
func (s *Supervisor) programDisabled(program string) bool {
	s.disabledMu.Lock()
	defer s.disabledMu.Unlock()
	return s.disabled[program]
}

// SetDisabled disables or enables program: its processes, and those made
// later (a group added, numprocs raised), refuse to start while it is
// disabled (DISABLED), autostart included. It does not stop what runs (the
// caller does). It returns the active processes of the program; each
// whose setting changed sends a Changed event.
func (s *Supervisor) SetDisabled(program string, disabled bool) []*Process {
	s.disabledMu.Lock()
	if disabled {
		s.disabled[program] = true
	} else {
		delete(s.disabled, program)
	}
	s.disabledMu.Unlock()
	var procs []*Process
	for _, p := range s.Processes() {
		if p.cfg.Program != program {
			continue
		}
		procs = append(procs, p)
		p.locked(func() {
			if p.disabled != disabled {
				p.disabled = disabled
				p.events = append(p.events, Event{Kind: Changed, Process: p, From: p.st.State, To: p.st.State, Time: p.sup.clock.Now()})
			}
		})
	}
	return procs
}

// namesDiff compares the process names of a program before and after a
// change of its numprocs: those to add and those to remove, each in the
// order given.
func namesDiff(before, after []string) (add, remove []string) {
	for _, n := range after {
		if !slices.Contains(before, n) {
			add = append(add, n)
		}
	}
	for _, n := range before {
		if !slices.Contains(after, n) {
			remove = append(remove, n)
		}
	}
	return add, remove
}

// programNames lists the names of program's processes in cfg.
func programNames(cfg *config.Group, program string) []string {
	var names []string
	for _, pc := range cfg.Processes {
		if pc.Program == program {
			names = append(names, pc.Name)
		}
	}
	return names
}

// ResizeProgram makes the processes of program in the active group
// cfg.Name those of cfg (the group's configuration re-read with another
// numprocs): the processes cfg no longer has leave the group, which they
// must do stopped (STILL_RUNNING otherwise, and nothing changes); those it
// adds join it, stopped (the cluster starts them where its rules say). The
// others are untouched, running or not. BAD_NAME when the group is not
// active or has no such program. It returns the names added and removed.
func (s *Supervisor) ResizeProgram(cfg *config.Group, program string) (added, removed []string, err error) {
	s.mu.Lock()
	g := s.groups[cfg.Name]
	if g == nil || len(programNames(g.cfg, program)) == 0 {
		s.mu.Unlock()
		return nil, nil, fault.New(fault.BadName, program)
	}
	added, removed = namesDiff(programNames(g.cfg, program), programNames(cfg, program))
	for _, name := range removed {
		if !g.byName[name].State().IsStopped() {
			s.mu.Unlock()
			return nil, nil, fault.New(fault.StillRunning, g.byName[name].Namespec())
		}
	}
	// The group's configuration: what it had, less the processes removed,
	// plus those added (their AUTO log names resolved here).
	merged := *g.cfg
	merged.Processes = nil
	for _, pc := range g.cfg.Processes {
		if !slices.Contains(removed, pc.Name) {
			merged.Processes = append(merged.Processes, pc)
		}
	}
	for _, pc := range cfg.Processes {
		if slices.Contains(added, pc.Name) {
			merged.Processes = append(merged.Processes, pc)
		}
	}
	slices.SortStableFunc(merged.Processes, func(a, b *config.Process) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Name, b.Name))
	})
	resolved, err := withAutoLogs(&merged, s.opts.Childlogdir, s.opts.Identifier)
	if err != nil {
		s.mu.Unlock()
		return nil, nil, err
	}
	next := &Group{cfg: resolved, added: g.added, byName: make(map[string]*Process, len(resolved.Processes)), pool: g.pool}
	var joined []*Process
	for _, pc := range resolved.Processes {
		p := g.byName[pc.Name]
		if p == nil {
			p = newProcess(s, pc)
			joined = append(joined, p)
		}
		next.procs = append(next.procs, p)
		next.byName[pc.Name] = p
	}
	s.groups[cfg.Name] = next
	if i := slices.IndexFunc(s.pending, func(c *config.Group) bool { return c.Name == cfg.Name }); i >= 0 {
		s.pending[i] = resolved
	}
	s.mu.Unlock()
	for _, name := range removed {
		p := g.byName[name]
		p.retire()
		p.announce(Removed)
	}
	for _, p := range joined {
		p.announce(Added)
	}
	return added, removed, nil
}
