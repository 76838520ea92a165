package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/enums"
)

// placementVerbs are the commands of the methods of later Supvisors: the
// local view, the dry runs of the starts, start_any_process.
func placementVerbs() []verb {
	return []verb{
		{use: "local_status [<namespec>...|all]", short: "Show the processes of the agent's own supervisor, with the extra arguments of their last start",
			run: (*ctl).doLocalStatus, complete: completeProcesses},
		{use: "test_start_application <strategy> <application>...", short: "Show where start_application would start each process, in start order (nothing starts)",
			args: needArgs(2, "a strategy and an application"), run: (*ctl).doTestStartApplication, complete: completeStrategyThen(completeApplications)},
		{use: "test_start_process <strategy> <namespec>...", short: "Show where start_process would start processes (nothing starts)",
			args: needArgs(2, "a strategy and a namespec"), run: (*ctl).doTestStartProcess, complete: completeStrategyThen(completeProcesses)},
		{use: "start_any_process <strategy> <regex> [<arg>...]", short: "Start the first stopped process whose application:name matches a regular expression, with extra arguments (and wait)",
			args: needArgs(2, "a strategy and a regular expression"), raw: true, run: (*ctl).doStartAnyProcess, complete: completeStrategyThen(completeNothing)},
	}
}

func (c *ctl) doLocalStatus(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	infos, ok := gather(c, words(args), statusUnknown, sv.GetAllLocalProcessInfo, single(sv.GetLocalProcessInfo))
	if !ok {
		return errAbort
	}
	return c.showTable(infos, len(infos), []string{"Process", "State", "Extra_Args", "Description"}, func(i int) []string {
		p := infos[i]
		return []string{p.Namespec(), p.State.String(), p.ExtraArgs, p.Description}
	})
}

// dryRun shows the starts a dry run answers for each name after the
// strategy: a table, "none" where no address can take a process.
func (c *ctl) dryRun(cmd string, args []string, plan func(client.Supvisors, enums.StartingStrategy) func(context.Context, string) ([]api.PlannedStart, error)) error {
	w := words(args)
	st, err := parseStarting(cmd, w[0])
	if err != nil {
		return err
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	starts, ok := gatherNames(c, w[1:], exitGeneric, plan(sv, st))
	if !ok {
		return errAbort
	}
	return c.showTable(starts, len(starts), []string{"Application", "Process", "Start", "Loading", "Address"}, func(i int) []string {
		s := starts[i]
		address := s.Address
		if address == "" {
			address = "none"
		}
		return []string{s.ApplicationName, s.ProcessName, strconv.Itoa(s.StartSequence), fmt.Sprintf("%d%%", s.Loading), address}
	})
}

func (c *ctl) doTestStartApplication(args []string) error {
	return c.dryRun("test_start_application", args, func(sv client.Supvisors, st enums.StartingStrategy) func(context.Context, string) ([]api.PlannedStart, error) {
		return func(ctx context.Context, app string) ([]api.PlannedStart, error) {
			return sv.TestStartApplication(ctx, st, app)
		}
	})
}

func (c *ctl) doTestStartProcess(args []string) error {
	return c.dryRun("test_start_process", args, func(sv client.Supvisors, st enums.StartingStrategy) func(context.Context, string) ([]api.PlannedStart, error) {
		return func(ctx context.Context, namespec string) ([]api.PlannedStart, error) {
			return sv.TestStartProcess(ctx, st, namespec)
		}
	})
}

func (c *ctl) doStartAnyProcess(args []string) error {
	w := words(args)
	if len(w) < 2 {
		return usagef("start_any_process requires a strategy and a regular expression")
	}
	st, err := parseStarting("start_any_process", w[0])
	if err != nil {
		return err
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	extra := strings.Join(w[2:], " ")
	return controlValue(c, "Started", func(ctx context.Context) (string, error) {
		defer c.progress("starting one of " + w[1])()
		return sv.StartAnyProcess(ctx, st, w[1], extra, true)
	}, func(namespec string) string { return namespec })
}

// completeNothing completes no argument (a regular expression).
func completeNothing(*ctl, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}
