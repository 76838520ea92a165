// Command supvisors is the agent daemon: a supervisord that also coordinates
// the applications of a cluster. It runs in the foreground.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/supvisors/supvisors-go/agent"
	"github.com/supvisors/supvisors-go/internal/version"
)

// gcPercent is the agent's GOGC unless its environment sets one, once its
// cluster has settled in OPERATION. An agent keeps a few MB of live heap and
// allocates little while idle: Go's default (100) lets the heap grow to
// twice the live heap before a collection, 50 to one and a half, which
// took 1.5 MB off the resident memory of each agent of 30 (make scale)
// without a change in their idle CPU.
const gcPercent = 50

// startupGCPercent is its GOGC until then: while the cluster starts, an
// agent allocates much (the ring's joins and news, the exchanges of state)
// over a small live heap, and at 50 it collected so often that 100 agents
// launched at once on 2 cores answered their probes late: 1,800-2,600
// deaths declared, and 10-14 s from the last answer to OPERATION
// everywhere; at 400, 250-2,400 deaths and 3.5-9.0 s (6 runs, median
// 6.4 s). What the heap grew by is returned once the cluster has settled in
// OPERATION (agent.Options.GCPercent).
const startupGCPercent = 400

func main() {
	if err := newCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(2)
	}
}

func newCommand() *cobra.Command {
	var opts agent.Options
	var nodaemon bool
	cmd := &cobra.Command{
		Use:   "supvisors -c FILE [--address NAME]",
		Short: "Supervise this node's processes and coordinate the cluster's applications",
		Long: `supvisors is a supervisord for this node's processes ([program:x] sections
of a stock supervisord.conf, Supervisor's XML-RPC API for supervisorctl and
supvisorsctl) and, with a [supvisors] section, a member of the cluster of
its address_list, which coordinates the applications of every node. It runs
in the foreground.

Without -c, the configuration is searched where supervisord searches it:
../etc/supervisord.conf beside the binary, ./supervisord.conf,
./etc/supervisord.conf, /etc/supervisord.conf, /etc/supervisor/supervisord.conf.

Signals: SIGTERM, SIGINT and SIGQUIT stop every child (groups in reverse
priority, each with its stopsignal, then SIGKILL after stopwaitsecs) and
exit 0; SIGHUP re-reads the configuration and applies it as supervisorctl
update does; SIGUSR2 reopens the main log.`,
		Version:       version.Version,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.ConfigPath == "" {
				path, err := findConfig()
				if err != nil {
					return err
				}
				opts.ConfigPath = path
			}
			if opts.Address == "" {
				opts.Address = os.Getenv("SUPVISORS_ADDRESS")
			}
			var samplers []func(time.Time)
			if most := runtime.GOMAXPROCS(0); most > 1 && os.Getenv("GOMAXPROCS") == "" {
				samplers = append(samplers, newProcsAdapter(most).sample)
			}
			if os.Getenv("GOGC") == "" {
				debug.SetGCPercent(startupGCPercent)
				opts.GCPercent = gcPercent
			}
			return run(opts, samplers)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.ConfigPath, "configuration", "c", "", "configuration file")
	f.StringVar(&opts.Address, "address", "", "which entry of address_list this agent is (env SUPVISORS_ADDRESS)")
	f.BoolVarP(&nodaemon, "nodaemon", "n", false, "run in the foreground (always the case; accepted for compatibility)")
	f.BoolVar(&opts.LogJSON, "log-json", false, "write the log as JSON lines")
	// A test aid (a node whose clock is off), not an operator's setting.
	f.DurationVar(&opts.ClockOffset, "clock-offset", 0, "shift this agent's wall clock (tests)")
	_ = f.MarkHidden("clock-offset")
	return cmd
}

// run creates the agent and runs it until a signal or an RPC stops it,
// with samplers of its own process (and the timer slack's keeper) called
// every selfSample.
func run(opts agent.Options, samplers []func(time.Time)) error {
	a, err := agent.Create(opts)
	if err != nil {
		return err
	}
	if keeper, err := newSlackKeeper(starvedSlack); err != nil {
		a.Logger().Debug("threads' timer slack left as it is", "error", err)
	} else {
		keeper.sample(time.Now())
		samplers = append(samplers, keeper.sample)
	}
	if len(samplers) > 0 {
		go sampleSelf(samplers)
	}
	// A stop signal ends ctx, for good: no burst of other signals or
	// requests can hide it (they come on another channel).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT)
	defer stop()
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGUSR2)
	defer signal.Stop(signals)
	go func() {
		for sig := range signals {
			if sig == syscall.SIGHUP {
				a.Reload()
			} else {
				a.ReopenLogs()
			}
		}
	}()
	return a.Run(ctx)
}

// findConfig looks where supervisord looks when -c is not given: beside the
// executable's parent directory, then the working directory, then /etc.
func findConfig() (string, error) {
	here := filepath.Dir(filepath.Dir(os.Args[0]))
	for _, p := range []string{
		filepath.Join(here, "etc", "supervisord.conf"),
		filepath.Join(here, "supervisord.conf"),
		"supervisord.conf",
		"etc/supervisord.conf",
		"/etc/supervisord.conf",
		"/etc/supervisor/supervisord.conf",
	} {
		if _, err := os.Stat(p); err == nil {
			return filepath.Abs(p)
		}
	}
	return "", errors.New("no configuration file found: use -c FILE")
}

// selfSample is how often the agent samples its own process (its CPU time
// for GOMAXPROCS, its threads' waits for their timer slack).
const selfSample = time.Second

// sampleSelf calls each sampler every selfSample, on one ticker, for the
// life of the process: an idle agent's work is its wake-ups, each of which
// costs about as much as what it does, and also wakes the Go runtime's
// monitor (sysmon), which sleeps until the next timer. With one ticker, an
// idle agent of 20 on 2 cores switched threads 156-160 times a second,
// with a ticker for each sampler 160-169 (2 runs each).
func sampleSelf(samplers []func(time.Time)) {
	for now := range time.Tick(selfSample) {
		for _, sample := range samplers {
			sample(now)
		}
	}
}
