package agent

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/statefile"
)

// loadState reads the state file the configuration names; a damaged one
// is reported (with its path) and ignored: the node starts as configured.
func loadState(cfg *config.Config, logger hclog.Logger) *statefile.Store {
	path := cfg.Supvisors.StateFile
	s, err := statefile.Load(path)
	if err != nil {
		logger.Error("state file not applied", "error", err)
	}
	return statefile.NewStore(path, s)
}

// programs is cluster.Programs for one generation: the operators' changes
// of programs, kept in the state file and applied to the supervisor.
type programs struct {
	// mu makes the changes one at a time: two resizes of a program must
	// not interleave their stops, writes and resizes.
	mu    sync.Mutex
	store *statefile.Store
	sup   *process.Supervisor
	// load re-reads the configuration with the numprocs given.
	load func(numprocs map[string]int) (*config.Config, error)
}

// SetDisabled writes the change, then applies it: the processes of a
// disabled program refuse to start and are stopped.
func (p *programs) SetDisabled(program string, disabled bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.store.SetDisabled(program, disabled); err != nil {
		return err
	}
	for _, proc := range p.sup.SetDisabled(program, disabled) {
		if !disabled {
			continue
		}
		// NOT_RUNNING for one stopped already: only one left running
		// is a failure.
		if err := proc.Stop(); err != nil && proc.State().IsRunning() {
			return err
		}
	}
	return nil
}

// SetNumprocs re-reads the configuration with the new numprocs, stops the
// processes it no longer has and waits for them, writes the change, then
// resizes the program's group (process.Supervisor.ResizeProgram). A node
// without the program has nothing to do.
func (p *programs) SetNumprocs(ctx context.Context, program string, numprocs int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	over := p.store.State().Numprocs
	if over == nil {
		over = map[string]int{}
	}
	over[program] = numprocs
	cfg, err := p.load(over)
	if err != nil {
		return fmt.Errorf("update_numprocs %s: %w", program, err)
	}
	i := slices.IndexFunc(cfg.Groups, func(g *config.Group) bool {
		return slices.ContainsFunc(g.Processes, func(pc *config.Process) bool { return pc.Program == program })
	})
	if i < 0 {
		return nil // a program this node does not have: nothing to do here
	}
	group := cfg.Groups[i]
	active := p.sup.Group(group.Name)
	if active == nil {
		return fault.New(fault.BadName, program)
	}
	for _, proc := range active.Processes() {
		gone := proc.Config().Program == program && !slices.ContainsFunc(group.Processes, func(pc *config.Process) bool { return pc.Name == proc.Name() })
		if !gone || proc.Stop() != nil {
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, time.Duration(proc.Config().Stopwaitsecs+5)*time.Second)
		err := proc.WaitStopped(wctx)
		cancel()
		if err != nil {
			return fmt.Errorf("update_numprocs %s: stop %s: %w", program, proc.Namespec(), err)
		}
	}
	if err := p.store.SetNumprocs(program, numprocs); err != nil {
		return err
	}
	_, _, err = p.sup.ResizeProgram(group, program)
	return err
}
