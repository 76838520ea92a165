// Package agent runs one node: it builds the process supervisor and the
// XML-RPC servers from a configuration, starts them in order, and stops,
// reloads or restarts them on request.
package agent

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/dashboard"
	"github.com/supvisors/supvisors-go/logfile"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/statefile"
)

// Options configure an Agent. The zero value of every field but ConfigPath
// is a sensible default.
type Options struct {
	// ConfigPath is the supervisord INI file (-c).
	ConfigPath string
	// Address is the --address flag: which entry of address_list this agent is.
	Address string
	// LogJSON writes the agent's log as JSON lines instead of text.
	LogJSON bool
	// Stderr receives the log besides the [supervisord] logfile
	// (default os.Stderr; nil output when [supervisord] silent is set).
	Stderr *os.File
	// Environ is the agent's environment, for %(ENV_X)s, SUPVISORS_* overrides
	// and the children (default os.Environ()).
	Environ []string
	// ClockOffset shifts the agent's wall clock (the times of its processes,
	// its incarnation, the clock its peers see): a test aid for clusters
	// whose clocks disagree (the hidden --clock-offset flag).
	ClockOffset time.Duration
	// GCPercent is the GOGC the agent sets once its cluster has settled in
	// OPERATION, returning what the heap no longer needs to the system;
	// 0 leaves the garbage collector as it is. Until then it runs as the
	// caller set it (see cmd/supvisors: relaxed while the cluster starts).
	GCPercent int
}

// Agent is one node's supervisor. Create it, Run it; Shutdown, Restart,
// Reload and ReopenLogs may be called from any goroutine while it runs.
type Agent struct {
	opts    Options
	logger  hclog.Logger
	mainLog *logfile.File

	requests *requests
	// carried is the cluster restart order the last generation carried out
	// (nil: none); only Run's goroutine touches it.
	carried *view.Order

	// dashboardKey signs the dashboard's CSRF tokens in every generation:
	// a page open across a restart or a reload can still act.
	dashboardKey []byte
	// state is the node's state file (disabled programs, numprocs),
	// read once at start-up, kept across generations.
	state *statefile.Store

	mu      sync.Mutex // guards cfg, address and gen
	cfg     *config.Config
	address string // this agent's entry of address_list
	gen     *generation
}

// Create loads the configuration, resolves the node's address, applies the
// [supervisord] process settings and opens the log. Nothing is spawned or
// listened on until Run. First of all it marks every descriptor the process
// inherited close-on-exec, so that no child ever gets one.
func Create(opts Options) (*Agent, error) {
	if err := markInheritedCloseOnExec(); err != nil {
		return nil, err
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.Environ == nil {
		opts.Environ = os.Environ()
	}
	// The log file comes from the configuration: what loading it has to
	// say is kept until the logger exists.
	early := newRecorder()
	cfg, address, err := loadConfig(opts, early.logger(), nil)
	if err != nil {
		return nil, err
	}
	state := loadState(cfg, early.logger())
	if n := state.State().Numprocs; len(n) > 0 {
		// numprocs changed at run time: the processes are those of then.
		if cfg, address, err = loadConfig(opts, early.logger(), n); err != nil {
			return nil, err
		}
	}
	if err := applyProcessSettings(cfg.Supervisord); err != nil {
		return nil, err
	}
	a := &Agent{opts: opts, cfg: cfg, address: address, requests: newRequests(), dashboardKey: dashboard.NewKey(), state: state}
	a.logger, a.mainLog, err = newLogger(cfg.Supervisord, opts)
	if err != nil {
		return nil, err
	}
	early.replay(a.configLogger())
	for _, w := range cfg.Warnings {
		a.logger.Warn(w)
	}
	return a, nil
}

// loadConfig reads the configuration, telling logger what it included and
// ignored, and resolves which address of address_list this agent is.
// numprocs replaces the numprocs of programs (the state file's).
func loadConfig(opts Options, logger hclog.Logger, numprocs map[string]int) (*config.Config, string, error) {
	cfg, err := config.Load(opts.ConfigPath, config.LoadOptions{Environ: opts.Environ, Logger: logger, Numprocs: numprocs})
	if err != nil {
		return nil, "", fmt.Errorf("load configuration: %w", err)
	}
	address, err := resolveAddress(cfg, opts.Address)
	if err != nil {
		return nil, "", err
	}
	return cfg, address, nil
}

// Logger returns the agent's logger. Safe for concurrent use.
func (a *Agent) Logger() hclog.Logger { return a.logger }

// configLogger is the logger of every configuration load.
func (a *Agent) configLogger() hclog.Logger { return a.logger.Named("config") }

// Run starts the processes and servers and serves until Shutdown (or ctx
// ends), carrying out restarts and reloads in between. It returns once every
// child has stopped and the servers are closed.
func (a *Agent) Run(ctx context.Context) error {
	if pidfile := a.cfg.Supervisord.Pidfile; writePidfile(pidfile, a.logger) {
		defer removePidfile(pidfile, a.logger)
	}
	a.logger.Info("supervisord started", "pid", os.Getpid())
	defer a.mainLog.Close()
	// The end of ctx (a signal.NotifyContext's signal) is a shutdown like
	// any other: sticky, whatever is queued or under way.
	stop := context.AfterFunc(ctx, func() {
		a.logger.Warn("shutting down", "reason", context.Cause(ctx))
		a.Shutdown()
	})
	defer stop()
	for {
		gen, err := a.startGeneration()
		if err != nil {
			return err
		}
		// Starting is over: what it alone used of the binary goes.
		if err := releaseBinaryPages(); err != nil {
			a.logger.Debug("binary's pages not released", "error", err)
		}
		restarting := a.serve() == requestRestart
		gen.stop(restarting)
		// The next generation tells the agents a cluster restart named
		// that come back late (frozen, cut off) to restart too.
		a.carried = gen.cluster.Order()
		// A shutdown asked while the generation stopped ends the restart.
		if !restarting || a.requests.shuttingDown() {
			a.logger.Info("exiting")
			return nil
		}
		cfg, address, err := loadConfig(a.opts, a.configLogger(), a.state.State().Numprocs)
		if err != nil {
			return fmt.Errorf("restart: %w", err)
		}
		a.mu.Lock()
		a.cfg, a.address = cfg, address
		a.mu.Unlock()
		a.requests.restarted()
		a.logger.Info("restarting")
	}
}

// serve waits for the next shutdown or restart, doing reloads meanwhile.
func (a *Agent) serve() request {
	for {
		req, ok := a.requests.take()
		switch {
		case !ok:
			<-a.requests.wake
		case req == requestReload:
			a.reload()
		default:
			return req
		}
	}
}

func (a *Agent) startGeneration() (*generation, error) {
	a.mu.Lock()
	cfg, address := a.cfg, a.address
	a.mu.Unlock()
	gen, err := startGeneration(cfg, address, a)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.gen = gen
	a.mu.Unlock()
	return gen, nil
}

// Shutdown asks Run to stop every process and return. It does not wait,
// and it is never lost: whatever else is asked before or after, Run ends.
func (a *Agent) Shutdown() { a.requests.ask(requestShutdown) }

// Restart asks Run to stop every process, re-read the configuration and
// start again in the same process (supervisorctl reload). Asked again
// before the next generation starts, it is the same restart.
func (a *Agent) Restart() { a.requests.ask(requestRestart) }

// Reload re-reads the configuration and applies the differences like
// `supervisorctl update` (SIGHUP). Reloads asked together are done once.
func (a *Agent) Reload() { a.requests.ask(requestReload) }

// ReopenLogs reopens the main log and the children's logs after an
// external rotation (SIGUSR2).
func (a *Agent) ReopenLogs() {
	if a.mainLog != nil {
		if err := a.mainLog.Reopen(); err != nil {
			a.logger.Error("reopen log", "error", err)
		}
	}
	a.mu.Lock()
	gen := a.gen
	a.mu.Unlock()
	if gen != nil {
		gen.sup.ReopenLogs()
	}
}

// reload is `supervisorctl update`: re-read, then stop and remove removed
// and changed groups, and add added and changed ones.
func (a *Agent) reload() {
	a.logger.Info("received SIGHUP indicating reload request")
	cfg, err := a.ReadConfig()
	if err != nil {
		a.logger.Error("reload: configuration not re-read", "error", err)
		return
	}
	a.mu.Lock()
	gen := a.gen
	a.mu.Unlock()
	if gen == nil {
		return
	}
	if err := gen.cluster.SetGossipKeys(cfg.Supvisors.GossipKeys); err != nil {
		a.logger.Error("reload: gossip_key not applied", "error", err)
	}
	added, changed, removed := gen.sup.SetConfigs(cfg.Groups)
	for _, name := range append(append([]string{}, removed...), changed...) {
		if g := gen.sup.Group(name); g != nil {
			stopGroup(context.Background(), g)
		}
		if err := gen.sup.RemoveGroup(name); err != nil {
			a.logger.Error("reload: remove group", "group", name, "error", err)
		}
	}
	for _, name := range append(append([]string{}, added...), changed...) {
		if err := gen.sup.AddGroup(name); err != nil {
			a.logger.Error("reload: add group", "group", name, "error", err)
		}
	}
}

// stopGroup stops every running process of g and waits for them.
func stopGroup(ctx context.Context, g *process.Group) {
	var wg sync.WaitGroup
	for _, p := range g.Processes() {
		if p.Stop() != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = p.WaitStopped(ctx)
		}()
	}
	wg.Wait()
}

// Identification implements rpcinterface.Control.
func (a *Agent) Identification() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cfg.Supervisord.Identifier
}

// MainLog implements rpcinterface.Control.
func (a *Agent) MainLog() *logfile.File { return a.mainLog }

// ReadConfig implements rpcinterface.Control.
// The numprocs changed at run time stay: a reread does not undo them.
func (a *Agent) ReadConfig() (*config.Config, error) {
	return a.readConfig(a.state.State().Numprocs)
}

// readConfig reads the configuration with the numprocs given.
func (a *Agent) readConfig(numprocs map[string]int) (*config.Config, error) {
	return config.Load(a.opts.ConfigPath, config.LoadOptions{Environ: a.opts.Environ, Logger: a.configLogger(), Numprocs: numprocs})
}
