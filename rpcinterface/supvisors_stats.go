package rpcinterface

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/stats"
)

// Bounds on what a peer's statistics may hold: a reply past them is refused
// whole, as a peer's data is not trusted.
const (
	maxPeerCores      = 4096
	maxPeerInterfaces = 1024
	maxPeerIfaceName  = 256
	maxPeerHistory    = 1500 // stats_histo's upper bound
	maxPeerCopies     = 1
	// statsForwardTimeout bounds the wait for the node that measured.
	statsForwardTimeout = 5 * time.Second
)

// HostStatsArgs are get_host_statistics' parameters.
type HostStatsArgs struct {
	AddressName string
	Period      int
}

// ProcessStatsArgs are get_process_statistics' parameters. AddressName, an
// extension, keeps the copy running on that address only: it is how a node
// asks another for the copies it measured.
type ProcessStatsArgs struct {
	Namespec    string
	Period      int
	AddressName string `xmlrpc:"address_name,optional"`
}

// SetStatistics gives the namespace the statistics of the local node; until
// then (or with nil) the statistics methods answer with a FAILED fault.
func (s *SupvisorsService) SetStatistics(c *stats.Collector) { s.stats = c }

// checkPeriod checks that period is one of stats_periods.
func (s *SupvisorsService) checkPeriod(period int) error {
	if s.stats == nil {
		return fault.New(fault.Failed, "statistics are not collected on this node")
	}
	if !slices.Contains(s.stats.Periods(), period) {
		return fault.Newf(fault.BadArguments, "period %d is not one of stats_periods %v", period, s.stats.Periods())
	}
	return nil
}

// GetHostStatistics returns the statistics of a RUNNING address over one of
// stats_periods: the local node's own, or those its node measured.
func (s *SupvisorsService) GetHostStatistics(r *http.Request, args *HostStatsArgs, reply *api.HostStatistics) error {
	if err := s.checkPeriod(args.Period); err != nil {
		return err
	}
	var (
		found bool
		state enums.AddressState
	)
	s.cluster.Read(func(v *view.View) {
		var a view.AddressInfo
		a, found = v.Address(args.AddressName, time.Now())
		state = a.State
	})
	switch {
	case !found:
		return fault.New(fault.BadAddress, args.AddressName)
	case state != enums.AddressRunning:
		return fault.Newf(fault.BadAddress, "%s is %s, not RUNNING", args.AddressName, state)
	case args.AddressName != s.cluster.Local():
		var got api.HostStatistics
		if err := s.forwardStats(r.Context(), args.AddressName, "supvisors.get_host_statistics",
			[]any{args.AddressName, args.Period}, &got); err != nil {
			return err
		}
		if err := checkPeerHost(got, args.AddressName, args.Period); err != nil {
			return fault.Newf(fault.Failed, "statistics of %s refused: %v", args.AddressName, err)
		}
		*reply = got
		return nil
	}
	h, _, err := s.stats.Host(args.Period)
	if err != nil {
		return fault.New(fault.BadArguments, err.Error())
	}
	h.Period = args.Period // before the first sample, h is empty
	*reply = h.Reply(args.AddressName)
	return nil
}

// GetProcessStatistics returns the statistics of every running copy of the
// processes namespec names, each from the node it runs on. A copy on an
// address that is not RUNNING has none: its figures would be stale.
func (s *SupvisorsService) GetProcessStatistics(r *http.Request, args *ProcessStatsArgs, reply *[]api.ProcessStatistics) error {
	if err := s.checkPeriod(args.Period); err != nil {
		return err
	}
	type running struct {
		namespec, address string
		pid               int
	}
	var copies []running
	err := s.readDeployed(func(v *view.View) error {
		procs, err := lookupProcesses(v, args.Namespec)
		for _, p := range procs {
			for _, c := range p.Copies {
				if c.Counts && c.Record.PID > 0 && (args.AddressName == "" || c.Address == args.AddressName) {
					copies = append(copies, running{api.Namespec(p.Group, p.Name), c.Address, c.Record.PID})
				}
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	local := s.cluster.Local()
	out := []api.ProcessStatistics{}
	for _, c := range copies {
		if c.address == local {
			out = append(out, s.localProcessStats(c.namespec, c.pid, args.Period))
			continue
		}
		var got []api.ProcessStatistics
		if err := s.forwardStats(r.Context(), c.address, "supvisors.get_process_statistics",
			[]any{c.namespec, args.Period, c.address}, &got); err != nil {
			return err
		}
		if err := checkPeerProcesses(got, c.namespec, c.address, args.Period); err != nil {
			return fault.Newf(fault.Failed, "statistics of %s on %s refused: %v", c.namespec, c.address, err)
		}
		out = append(out, got...)
	}
	*reply = out
	return nil
}

func (s *SupvisorsService) localProcessStats(namespec string, pid, period int) api.ProcessStatistics {
	p, ok, _ := s.stats.Process(namespec, pid, period)
	if !ok { // not sampled yet: no figures, but the copy runs
		p = stats.ProcessStats{Namespec: namespec, PID: pid, Period: period}
	}
	return p.Reply(s.cluster.Local())
}

// forwardStats asks address for the statistics it measured.
func (s *SupvisorsService) forwardStats(ctx context.Context, address, method string, params []any, reply any) error {
	if s.forwarder == nil {
		return fault.Newf(fault.Failed, "cannot reach %s for its statistics: no inet_http_server", address)
	}
	ctx, cancel := context.WithTimeout(ctx, statsForwardTimeout)
	defer cancel()
	err := s.forwarder(ctx, address, method, params, reply)
	var f *fault.Fault
	if err != nil && !errors.As(err, &f) {
		return fault.Newf(fault.Failed, "statistics of %s: %v", address, err)
	}
	return err
}

// checkPeerHost checks a peer's host statistics: the address and period
// asked, bounded sizes, percentages in [0;100], finite rates.
func checkPeerHost(h api.HostStatistics, address string, period int) error {
	switch {
	case h.AddressName != address || h.Period != period:
		return fmt.Errorf("answer for %q period %d", h.AddressName, h.Period)
	case len(h.CPU) > maxPeerCores+1:
		return fmt.Errorf("%d cpu values", len(h.CPU))
	case len(h.IO) > maxPeerInterfaces:
		return fmt.Errorf("%d interfaces", len(h.IO))
	}
	if err := percents("cpu", h.CPU...); err != nil {
		return err
	}
	if err := percents("mem", h.Mem); err != nil {
		return err
	}
	for name, io := range h.IO {
		if name == "" || len(name) > maxPeerIfaceName || len(io) != 2 {
			return fmt.Errorf("interface %.40q with %d values", name, len(io))
		}
		if err := rates(io...); err != nil {
			return fmt.Errorf("interface %.40q: %w", name, err)
		}
	}
	return checkPeerHistory(h.History)
}

// checkPeerProcesses checks a peer's statistics of one copy.
func checkPeerProcesses(ps []api.ProcessStatistics, namespec, address string, period int) error {
	if len(ps) > maxPeerCopies {
		return fmt.Errorf("%d entries for one copy", len(ps))
	}
	for _, p := range ps {
		if p.Namespec != namespec || p.AddressName != address || p.Period != period || p.PID <= 0 {
			return fmt.Errorf("answer for %.80q on %.80q pid %d period %d", p.Namespec, p.AddressName, p.PID, p.Period)
		}
		// In IRIX mode a process's CPU may reach 100 per core.
		if err := rates(p.CPU); err != nil || p.CPU > 100*maxPeerCores {
			return fmt.Errorf("cpu %v", p.CPU)
		}
		if err := percents("mem", p.Mem); err != nil {
			return err
		}
		if err := checkPeerHistory(p.History); err != nil {
			return err
		}
	}
	return nil
}

func checkPeerHistory(h api.StatsHistory) error {
	n := len(h.Time)
	if n > maxPeerHistory || len(h.CPU) != n || len(h.Mem) != n {
		return fmt.Errorf("history of %d times, %d cpu, %d mem", n, len(h.CPU), len(h.Mem))
	}
	if err := rates(h.Time...); err != nil {
		return fmt.Errorf("history time: %w", err)
	}
	if err := rates(h.CPU...); err != nil {
		return fmt.Errorf("history cpu: %w", err)
	}
	return percents("history mem", h.Mem...)
}

func percents(what string, xs ...float64) error {
	for _, x := range xs {
		if math.IsNaN(x) || x < 0 || x > 100 {
			return fmt.Errorf("%s %v out of [0;100]", what, x)
		}
	}
	return nil
}

// rates checks values are finite and not negative.
func rates(xs ...float64) error {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return fmt.Errorf("value %v is not a finite positive number", x)
		}
	}
	return nil
}
