package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/strategy"
)

// Programs carries out, on this node, what an operator changes of a
// program at run time (the agent: its process supervisor and its state
// file, which keeps the change across restarts). Safe for concurrent use.
type Programs interface {
	// SetDisabled disables (and stops) or enables the local processes of
	// program.
	SetDisabled(program string, disabled bool) error
	// SetNumprocs gives the homogeneous program numprocs processes here:
	// the extra ones are stopped, then removed; the new ones are added,
	// stopped.
	SetNumprocs(ctx context.Context, program string, numprocs int) error
}

// programChange is a change of a program that the master sends to every
// node (msgProgram): disabled or enabled, or a new numprocs (0: none).
type programChange struct {
	Program  string
	Disabled bool
	Numprocs int
}

type wireProgram struct {
	_struct  bool `codec:",toarray"`
	Program  string
	Disabled bool
	Numprocs int
}

func encodeProgram(p programChange) []byte {
	return encode(msgProgram, wireProgram{Program: p.Program, Disabled: p.Disabled, Numprocs: p.Numprocs})
}

func decodeProgram(body []byte) (programChange, error) {
	var w wireProgram
	err := decodeBody(body, &w)
	return programChange{Program: w.Program, Disabled: w.Disabled, Numprocs: w.Numprocs}, err
}

// applyProgram carries out a change of a program on this node.
func (c *Cluster) applyProgram(ctx context.Context, p programChange) error {
	if c.cfg.Programs == nil {
		return fmt.Errorf("program %s: this agent cannot change its programs", p.Program)
	}
	if p.Numprocs > 0 {
		return c.cfg.Programs.SetNumprocs(ctx, p.Program, p.Numprocs)
	}
	return c.cfg.Programs.SetDisabled(p.Program, p.Disabled)
}

// ProgramProcesses returns the keys of the local processes of program (the
// [program:x] name) and whether it is homogeneous (its process_name holds
// %(process_num)): every node is expected to share the programs' settings,
// so the master reads its own. No keys: no such program here.
func (c *Cluster) ProgramProcesses(program string) (keys []view.Key, homogeneous bool) {
	homogeneous = true
	for _, g := range c.cfg.Supervisor.Groups() {
		for _, p := range g.Processes() {
			if cfg := p.Config(); cfg.Program == program {
				keys = append(keys, view.Key{Group: cfg.Group, Name: cfg.Name})
				// An event listener pool is no process group to scale.
				homogeneous = homogeneous && cfg.Homogeneous && g.Config().Listener == nil
			}
		}
	}
	return keys, homogeneous && len(keys) > 0
}

// SetDisabled is supvisors.disable (disabled) and supvisors.enable on the
// master: every RUNNING node disables or enables the program and keeps it
// in its state file. A disabled program's processes are stopped
// everywhere and held stopped (the cluster does not start them again by
// itself once enabled, until an operator does); no start of any kind
// starts them while it is (no address is eligible). With wait, it returns
// once every node reached says so.
func (c *Cluster) SetDisabled(ctx context.Context, program string, disabled, wait bool) error {
	return c.run(ctx, wait, func(jctx context.Context) error {
		keys, _ := c.ProgramProcesses(program)
		if disabled {
			c.holdStopped(keys, true)
			c.dropStarts(func(j view.Job) bool { return slices.Contains(keys, j.Key) })
			if err := c.waitStarts(jctx, keys); err != nil {
				return err
			}
		}
		reached, err := c.tellEveryone(jctx, programChange{Program: program, Disabled: disabled})
		if err != nil {
			return err
		}
		stopwaitsecs := 0
		for _, k := range keys {
			if p := c.localConfig(k); p != nil {
				stopwaitsecs = max(stopwaitsecs, p.Stopwaitsecs)
			}
		}
		deadline := time.Now().Add(time.Duration(stopwaitsecs)*time.Second + deliveryMargin)
		return c.await(jctx, deadline, func(v *view.View) (bool, error) {
			return disabledEverywhere(v, reached, keys, disabled), nil
		})
	})
}

// disabledEverywhere tells whether every record of keys on addresses says
// disabled, and, for a disabling, is stopped.
func disabledEverywhere(v *view.View, addresses []string, keys []view.Key, disabled bool) bool {
	for _, address := range addresses {
		for _, k := range keys {
			rec, ok := v.Record(address, k)
			if ok && (rec.Disabled != disabled || disabled && (rec.State.IsRunning() || rec.State == enums.ProcessStopping)) {
				return false
			}
		}
	}
	return true
}

// tellEveryone has every RUNNING node carry out change: this one first
// (and at once), then the others. It returns the RUNNING addresses that
// got it; an error if this node failed it, or names the nodes not reached.
func (c *Cluster) tellEveryone(ctx context.Context, change programChange) ([]string, error) {
	var others []string
	c.Read(func(v *view.View) {
		for _, name := range c.AddressList() {
			if v.AddressState(name) == enums.AddressRunning && name != c.local {
				others = append(others, name)
			}
		}
	})
	if err := c.applyProgram(ctx, change); err != nil {
		return nil, err
	}
	reached := []string{c.local}
	msg := encodeProgram(change)
	var unreached []string
	for i, err := range forEach(others, func(address string) error { return c.ring.SendReliable(address, msg) }) {
		if err != nil {
			unreached = append(unreached, fmt.Sprintf("%s: %v", others[i], err))
			continue
		}
		reached = append(reached, others[i])
	}
	if len(unreached) > 0 {
		return reached, fault.Newf(fault.Failed, "%s: not reached: %s", change.Program, strings.Join(unreached, "; "))
	}
	return reached, nil
}

// UpdateNumprocs is supvisors.update_numprocs on the master: every RUNNING
// node that has the homogeneous program gives it numprocs processes (the
// extra ones stopped, then removed; this node first, whose configuration
// placement reads) and keeps it in its state file; then, if its
// application runs (STARTING or RUNNING), the new processes are started
// where the default strategy places them ('#' included). With wait, it
// returns once that is done.
func (c *Cluster) UpdateNumprocs(ctx context.Context, program string, numprocs int, wait bool) error {
	return c.run(ctx, wait, func(jctx context.Context) error {
		before, _ := c.ProgramProcesses(program)
		reached, err := c.tellEveryone(jctx, programChange{Program: program, Numprocs: numprocs})
		if err != nil && len(reached) == 0 {
			return err
		}
		after, _ := c.ProgramProcesses(program)
		added := slices.DeleteFunc(slices.Clone(after), func(k view.Key) bool { return slices.Contains(before, k) })
		removed := slices.DeleteFunc(slices.Clone(before), func(k view.Key) bool { return slices.Contains(after, k) })
		stopwaitsecs := 0
		for _, k := range after {
			if p := c.localConfig(k); p != nil {
				stopwaitsecs = max(stopwaitsecs, p.Stopwaitsecs)
			}
		}
		deadline := time.Now().Add(time.Duration(stopwaitsecs)*time.Second + deliveryMargin)
		if werr := c.await(jctx, deadline, func(v *view.View) (bool, error) {
			return resized(v, reached, before, added, removed), nil
		}); werr != nil {
			return werr
		}
		if err != nil {
			return err
		}
		if len(added) == 0 {
			return nil
		}
		var info view.ApplicationInfo
		c.Read(func(v *view.View) { info, _ = v.Application(added[0].Group) })
		if info.State != enums.ApplicationRunning && info.State != enums.ApplicationStarting {
			return nil
		}
		return oneFault(fault.AbnormalTermination, "", forEach(added, func(k view.Key) error {
			return c.startProcess(jctx, c.defaultPlacement(), k, "")
		}))
	})
}

// resized tells whether every address that had a process of before has
// the processes added and no longer those removed.
func resized(v *view.View, addresses []string, before, added, removed []view.Key) bool {
	for _, address := range addresses {
		had := slices.ContainsFunc(before, func(k view.Key) bool { _, ok := v.Record(address, k); return ok })
		if !had {
			continue
		}
		for _, k := range removed {
			if _, ok := v.Record(address, k); ok {
				return false
			}
		}
		for _, k := range added {
			if _, ok := v.Record(address, k); !ok {
				return false
			}
		}
	}
	return true
}

// RollingRestart is supvisors.rolling_restart on the master: the running
// processes of app are restarted one at a time, by ascending
// stop_sequence (strategy.Rollout), each stopped then started again where
// the default strategy places it; the next goes once it is RUNNING again
// (or exited as expected, for wait_exit). The first failure ends the
// rollout: ABNORMAL_TERMINATION naming the process.
func (c *Cluster) RollingRestart(ctx context.Context, app string, wait bool) error {
	return c.run(ctx, wait, func(jctx context.Context) error {
		// A failure meanwhile is handled once the rollout is over, as
		// during a start of the application.
		defer c.busyApplication(app, true)()
		var procs []view.ProcessInfo
		c.Read(func(v *view.View) { procs = v.ProcessesOf(app) })
		order := strategy.Rollout(procs, func(p view.ProcessInfo) bool { return len(p.Addresses) > 0 }, func(p view.ProcessInfo) int {
			return c.cfg.Rules.Program(p.Group, p.Name).StopSequence
		})
		for i, p := range order {
			k := p.Key()
			c.log.Info("rolling restart", "process", k.Namespec(), "step", i+1, "of", len(order))
			if err := c.stopProcess(jctx, k, toReplace); err != nil {
				return fault.Newf(fault.AbnormalTermination, "%s: stop: %s", k.Namespec(), detail(err))
			}
			if err := c.startProcess(jctx, c.defaultPlacement(), k, ""); err != nil {
				return fault.Newf(fault.AbnormalTermination, "%s: start: %s", k.Namespec(), detail(err))
			}
		}
		return nil
	})
}

// detail is an error's text without its fault name, nor the namespec a
// failed start begins with.
func detail(err error) string {
	if e, ok := errors.AsType[*startError](err); ok {
		return e.err.Error()
	}
	var f *fault.Fault
	if errors.As(err, &f) && f.Detail() != "" {
		return f.Detail()
	}
	return err.Error()
}
