package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/enums"
)

// statsVerbs are the statistics commands: the period first (one of the
// agents' stats_periods), then what to show.
func statsVerbs() []verb {
	return []verb{
		{use: "hstats <period> [<address>...|all]", short: "Show the CPU, memory and network of RUNNING addresses over a statistics period",
			args: needPeriod, run: (*ctl).doHstats, complete: periodThen(completeAddresses)},
		{use: "pstats <period> [<namespec>...|all]", short: "Show the CPU and memory of running processes (with their descendants) over a statistics period",
			args: needPeriod, run: (*ctl).doPstats, complete: periodThen(completeProcesses)},
	}
}

// needPeriod requires a period first.
func needPeriod(cmd *cobra.Command, args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("%s requires a period (seconds, one of stats_periods)", cmd.Name())
	}
	return nil
}

// periodThen completes the names after the period (which has no
// completion: the agent does not list its periods).
func periodThen(names func(c *ctl, args []string, toComplete string) ([]string, cobra.ShellCompDirective)) func(c *ctl, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return func(c *ctl, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return names(c, args[1:], toComplete)
	}
}

// period reads the period argument.
func period(arg string) (int, error) {
	p, err := strconv.Atoi(arg)
	if err != nil || p < 1 || p > 3600 {
		return 0, usagef("invalid period %q: expected a number of seconds in [1;3600]", arg)
	}
	return p, nil
}

func (c *ctl) doHstats(args []string) error {
	w := words(args)
	p, err := period(w[0])
	if err != nil {
		return err
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	one := single(func(ctx context.Context, address string) (api.HostStatistics, error) {
		return sv.GetHostStatistics(ctx, address, p)
	})
	all := func(ctx context.Context) ([]api.HostStatistics, error) {
		infos, err := sv.GetAllAddressesInfo(ctx)
		if err != nil {
			return nil, err
		}
		var out []api.HostStatistics
		for _, a := range infos {
			if a.State != enums.AddressRunning {
				continue
			}
			h, err := sv.GetHostStatistics(ctx, a.AddressName, p)
			if err != nil {
				return nil, err
			}
			out = append(out, h)
		}
		return out, nil
	}
	stats, ok := gather(c, w[1:], exitGeneric, all, one)
	if !ok {
		return errAbort
	}
	return c.showTable(stats, len(stats), []string{"Address", "Period", "CPU", "Cores", "Mem", "IO_kbit/s(recv/sent)"}, func(i int) []string {
		h := stats[i]
		total, cores := "", make([]string, 0, len(h.CPU))
		if len(h.CPU) > 0 {
			total = percent(h.CPU[0])
			for _, v := range h.CPU[1:] {
				cores = append(cores, percent(v))
			}
		}
		names := make([]string, 0, len(h.IO))
		for name := range h.IO {
			names = append(names, name)
		}
		slices.Sort(names)
		io := make([]string, len(names))
		for j, name := range names {
			io[j] = fmt.Sprintf("%s:%.1f/%.1f", name, h.IO[name][0], h.IO[name][1])
		}
		return []string{h.AddressName, strconv.Itoa(h.Period), total, strings.Join(cores, ","), percent(h.Mem), strings.Join(io, " ")}
	})
}

func (c *ctl) doPstats(args []string) error {
	w := words(args)
	p, err := period(w[0])
	if err != nil {
		return err
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	one := func(ctx context.Context, namespec string) ([]api.ProcessStatistics, error) {
		return sv.GetProcessStatistics(ctx, namespec, p)
	}
	all := func(ctx context.Context) ([]api.ProcessStatistics, error) {
		infos, err := sv.GetAllProcessInfo(ctx)
		if err != nil {
			return nil, err
		}
		var out []api.ProcessStatistics
		for _, info := range infos {
			if len(info.Addresses) == 0 {
				continue
			}
			got, err := one(ctx, api.Namespec(info.ApplicationName, info.ProcessName))
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
		return out, nil
	}
	stats, ok := gather(c, w[1:], statusUnknown, all, one)
	if !ok {
		return errAbort
	}
	return c.showTable(stats, len(stats), []string{"Process", "Address", "PID", "Period", "CPU", "Mem"}, func(i int) []string {
		s := stats[i]
		return []string{s.Namespec, s.AddressName, strconv.Itoa(s.PID), strconv.Itoa(s.Period), percent(s.CPU), percent(s.Mem)}
	})
}

// percent shows a percentage with one decimal.
func percent(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "%" }
