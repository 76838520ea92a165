package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
)

// The commands of the operations beyond Supvisors 0.1: disable, enable,
// update_numprocs and rolling_restart.

func opsVerbs() []verb {
	return []verb{
		{use: "disable <program>...", short: "Disable programs everywhere: stop their processes, start them no more (and wait)",
			args: needArgs(1, "a program name"), run: (*ctl).doDisable},
		{use: "enable <program>...", short: "Enable disabled programs everywhere (it starts nothing; and wait)",
			args: needArgs(1, "a program name"), run: (*ctl).doEnable},
		{use: "update_numprocs <program> <numprocs>", short: "Change the number of processes of a homogeneous program everywhere (and wait)",
			args: needArgs(2, "a program name and a number of processes"), run: (*ctl).doUpdateNumprocs},
		{use: "rolling_restart <application>...", short: "Restart the running processes of applications one at a time, showing each step (and wait)",
			args: needArgs(1, "an application name"), run: (*ctl).doRollingRestart, complete: completeApplications},
	}
}

func (c *ctl) doDisable(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	return c.control(words(args), "disabling", "disabled", func(ctx context.Context, program string) (bool, error) {
		return sv.Disable(ctx, program, true)
	})
}

func (c *ctl) doEnable(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	return c.control(words(args), "enabling", "enabled", func(ctx context.Context, program string) (bool, error) {
		return sv.Enable(ctx, program, true)
	})
}

func (c *ctl) doUpdateNumprocs(args []string) error {
	w := words(args)
	if len(w) != 2 {
		return usagef("update_numprocs requires a program name and a number of processes, and only that")
	}
	n, err := strconv.Atoi(w[1])
	if err != nil {
		return usagef("update_numprocs: %q is not a number of processes", w[1])
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	return c.control(w[:1], "updating", fmt.Sprintf("numprocs=%d", n), func(ctx context.Context, program string) (bool, error) {
		return sv.UpdateNumprocs(ctx, program, n, true)
	})
}

// rolloutPoll is how often rolling_restart reads the processes to show
// the rollout's steps.
const rolloutPoll = 100 * time.Millisecond

func (c *ctl) doRollingRestart(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	return c.control(words(args), "", "rolling restarted", func(ctx context.Context, app string) (bool, error) {
		type result struct {
			ok  bool
			err error
		}
		// What runs before the rollout, read before it begins: read
		// after, a first step already under way would be taken for the
		// state before, and not shown.
		shown := map[string]string{}
		c.showSteps(ctx, sv, app, shown, false)
		done := make(chan result, 1)
		go func() {
			ok, err := sv.RollingRestart(ctx, app, true)
			done <- result{ok, err}
		}()
		tick := time.NewTicker(rolloutPoll)
		defer tick.Stop()
		for {
			select {
			case r := <-done:
				c.settle(ctx, sv, app, shown, r.err == nil)
				return r.ok, r.err
			case <-tick.C:
				c.showSteps(ctx, sv, app, shown, true)
			}
		}
	})
}

// settleFor bounds how long rolling_restart waits, once the rollout is
// over, for the agent it asks to see the last process RUNNING: its view
// may lag the master's by a gossip round.
const settleFor = 2 * time.Second

// settle shows the last steps: once a rollout succeeded, until every
// process shown running before is shown RUNNING again (or settleFor).
func (c *ctl) settle(ctx context.Context, sv client.Supvisors, app string, shown map[string]string, succeeded bool) {
	deadline := time.Now().Add(settleFor)
	for {
		c.showSteps(ctx, sv, app, shown, true)
		pending := false
		for _, step := range shown {
			pending = pending || succeeded && strings.HasPrefix(step, "STARTING")
		}
		if !pending || time.Now().After(deadline) {
			return
		}
		time.Sleep(rolloutPoll)
	}
}

// showSteps prints, for each process of app whose state or addresses
// changed since shown, a line "app:name STATE on addresses" (announce
// false: only records them). A failed read shows nothing: the rollout's
// own reply tells what went wrong.
func (c *ctl) showSteps(ctx context.Context, sv client.Supvisors, app string, shown map[string]string, announce bool) {
	infos, err := sv.GetProcessInfo(ctx, app+":*")
	if err != nil {
		return
	}
	for _, p := range infos {
		now := stepOf(p)
		if shown[p.Namespec()] == now {
			continue
		}
		shown[p.Namespec()] = now
		if announce {
			c.line("  " + p.Namespec() + " " + now)
		}
	}
}

// stepOf is how a process stands in a rollout: its state and where.
func stepOf(p api.ClusterProcessInfo) string {
	if len(p.Addresses) == 0 {
		return p.StateName
	}
	return p.StateName + " on " + strings.Join(p.Addresses, ",")
}
