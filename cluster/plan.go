package cluster

import (
	"context"
	"slices"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/strategy"
)

// PlannedStart is one start of a dry run: the process, its start_sequence,
// the address its start would go to ("" where none can take it) and its
// loading.
type PlannedStart struct {
	Key           view.Key
	StartSequence int
	Address       string
	Loading       int
}

// PlanApplication is the dry run of StartApplication with placement p:
// the starts it would make, in start order, placed over the view as it is
// now by the very code the start places with (planLocked). It changes
// nothing.
func (c *Cluster) PlanApplication(p strategy.Placement, app string) ([]PlannedStart, error) {
	if err := c.checkMaster(); err != nil {
		return nil, err
	}
	phases := c.startPhases(app)
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([][]view.Key, 0, len(phases))
	for _, phase := range phases {
		keys = append(keys, toStart(c.view, phase, true))
	}
	return c.plannedLocked(p, keys), nil
}

// PlanProcesses is the dry run of StartProcesses with placement p: where
// each process of keys would go, placed as the start places them.
func (c *Cluster) PlanProcesses(p strategy.Placement, keys []view.Key) ([]PlannedStart, error) {
	if err := c.checkMaster(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plannedLocked(p, [][]view.Key{keys}), nil
}

// plannedLocked is the dry run's answer for phases.
func (c *Cluster) plannedLocked(p strategy.Placement, phases [][]view.Key) []PlannedStart {
	addresses := c.planLocked(p, phases, time.Now())
	out := []PlannedStart{}
	for i, phase := range phases {
		for j, k := range phase {
			rules := c.cfg.Rules.Program(k.Group, k.Name)
			out = append(out, PlannedStart{Key: k, StartSequence: rules.StartSequence, Address: addresses[i][j], Loading: rules.Loading})
		}
	}
	return out
}

// planLocked places the processes of phases with p over the view as it is
// now (strategy.Plan): the addresses their starts go to, "" where none can
// take one. Every start places with it, and so do the dry runs.
func (c *Cluster) planLocked(p strategy.Placement, phases [][]view.Key, now time.Time) [][]string {
	loads := c.loadsLocked()
	wants := make([][]strategy.Want, len(phases))
	for i, phase := range phases {
		wants[i] = make([]strategy.Want, len(phase))
		for j, k := range phase {
			rules := c.cfg.Rules.Program(k.Group, k.Name)
			wants[i][j] = strategy.Want{Loading: rules.Loading, Candidates: c.candidatesLocked(k, now, loads), Passing: rules.WaitExit}
		}
	}
	return strategy.Plan(p, wants)
}

// loads is what placement needs of every address, read once per plan (an
// address's load sums its records): its state, its host, and the loads of
// the address and of its host, the starts in flight included.
type loads struct {
	addresses map[string]addressLoad
	hosts     map[string]int
}

type addressLoad struct {
	state enums.AddressState
	host  string
	load  int
}

// loadsLocked reads the loads of the addresses of address_list.
func (c *Cluster) loadsLocked() loads {
	l := loads{addresses: map[string]addressLoad{}, hosts: map[string]int{}}
	for _, name := range c.AddressList() {
		a, _ := c.view.Address(name, time.Time{})
		al := addressLoad{state: a.State, host: c.view.HostName(name), load: a.Loading + c.jobs.inflight[name]}
		l.addresses[name] = al
		l.hosts[al.host] += al.load
	}
	return l
}

// candidatesLocked lists the addresses the rules allow for k, in their
// order, with their loads; an address that failed a start of k a moment
// ago, where k runs, or where it is disabled, is not eligible.
func (c *Cluster) candidatesLocked(k view.Key, now time.Time, l loads) []strategy.Candidate {
	names := c.RuleAddresses(k)
	cands := make([]strategy.Candidate, 0, len(names))
	for _, name := range names {
		a := l.addresses[name]
		rec, configured := c.view.Record(name, k)
		cands = append(cands, strategy.Candidate{
			Address: name,
			Host:    a.host,
			// Not where it runs already (a copy about to be stopped):
			// that start would be refused.
			Eligible: a.state == enums.AddressRunning && configured && !rec.Disabled && !rec.State.IsRunning() && !now.Before(c.jobs.avoid[k][name]),
			Load:     a.load,
			HostLoad: l.hosts[a.host],
		})
	}
	return cands
}

// LocalProcesses lists the processes of the local supervisor, by group then
// name (the local view, supvisors.get_all_local_process_info).
func (c *Cluster) LocalProcesses() []*process.Process { return c.cfg.Supervisor.Processes() }

// LocalProcess is the local process k, nil when the local supervisor does
// not have it.
func (c *Cluster) LocalProcess(k view.Key) *process.Process { return c.localProcess(k) }

// StartAny starts the first process of keys that runs nowhere and is not
// being started, with placement p and extra arguments, and returns it:
// choosing it and placing its start is one step, so that concurrent calls
// start different processes. FAILED when every one runs or is starting.
// With wait, it returns once the process is started (as StartProcesses).
func (c *Cluster) StartAny(ctx context.Context, p strategy.Placement, keys []view.Key, extra string, wait bool) (view.Key, error) {
	picked := make(chan view.Key, 1)
	done := make(chan error, 1)
	err := c.run(ctx, false, func(jctx context.Context) error {
		c.mu.Lock()
		i := slices.IndexFunc(keys, func(k view.Key) bool { return !c.view.Runs(k) && c.jobs.starting[k] == 0 })
		if i < 0 {
			c.mu.Unlock()
			picked <- view.Key{}
			return nil
		}
		starts := c.beginStartsLocked(p, keys[i:i+1])
		c.mu.Unlock()
		picked <- keys[i]
		c.holdStopped(keys[i:i+1], false)
		err := oneFault(fault.AbnormalTermination, "", c.runStarts(jctx, p, starts, extra))
		done <- err
		return err
	})
	if err != nil {
		return view.Key{}, err
	}
	var k view.Key
	select {
	case k = <-picked:
	case <-ctx.Done():
		return k, ctx.Err()
	}
	switch {
	case k == view.Key{}:
		return k, fault.New(fault.Failed, "every matching process runs or is being started")
	case !wait:
		return k, nil
	}
	select {
	case err := <-done:
		return k, err
	case <-ctx.Done():
		return k, ctx.Err()
	}
}
