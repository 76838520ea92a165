package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/cluster"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/dashboard"
	"github.com/supvisors/supvisors-go/eventstream"
	"github.com/supvisors/supvisors-go/httpserver"
	"github.com/supvisors/supvisors-go/metrics"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/rpcinterface"
	"github.com/supvisors/supvisors-go/stats"
)

// generation is what one configuration runs: the process supervisor and the
// XML-RPC servers. A restart stops one generation and starts the next, as
// supervisord re-runs its main loop in the same process.
type generation struct {
	logger  hclog.Logger
	sup     *process.Supervisor
	cluster *cluster.Cluster
	peers   *peers
	// events publishes the cluster's events (GET /events).
	events *eventFeed
	// zmq is Supvisors' event publication on event_port (nil without a
	// [supvisors] section).
	zmq     *eventstream.ZMQPublisher
	servers []*httpserver.Server
	sockets []string // unix socket files to remove at the end
	stats   *stats.Collector
	// periods are the statistics periods (stats_periods), and
	// dashboardKey the agent's CSRF key, for the dashboard.
	periods      []int
	dashboardKey []byte
	metrics      *metrics.Metrics
	// stopMetrics ends the metrics' subscription to the supervisor.
	stopMetrics func()
	// stopStats ends the collector's goroutine and waits for it: no
	// sample is published once it returns. It also ends the wait of
	// releaseWhenSettled.
	stopStats func()
	// gcPercent is the GOGC releaseWhenSettled sets (Options.GCPercent).
	gcPercent int
}

func startGeneration(cfg *config.Config, address string, a *Agent) (*generation, error) {
	sd := cfg.Supervisord
	gen := &generation{logger: a.logger, peers: newPeers(cfg.InetHTTPServer), periods: cfg.Supvisors.StatsPeriods,
		dashboardKey: a.dashboardKey, gcPercent: a.opts.GCPercent}
	clock := process.OffsetClock{Offset: a.opts.ClockOffset}
	gen.sup = process.New(process.Options{
		Logger:      a.logger.Named("process"),
		Identifier:  sd.Identifier,
		Childlogdir: sd.Childlogdir,
		Environment: sd.Environment,
		ServerURL:   childServerURL(cfg),
		BaseEnv:     a.opts.Environ,
		Clock:       clock,
	})
	if !sd.Nocleanup {
		process.ClearAutoChildLogs(sd.Childlogdir, sd.Identifier, a.logger)
	}
	gen.sup.SetConfigs(cfg.Groups)
	// Before anything starts: a disabled program is not autostarted.
	for _, program := range a.state.State().Disabled {
		gen.sup.SetDisabled(program, true)
	}
	var err error
	gen.cluster, err = cluster.Create(cluster.Config{
		Local:      address,
		Supvisors:  cfg.Supvisors,
		Supervisor: gen.sup,
		Logger:     a.logger,
		Rules:      cfg.Rules,
		Lifecycle:  a,
		Carried:    a.carried,
		Programs:   &programs{store: a.state, sup: gen.sup, load: a.readConfig},
		Clock:      clock,
	})
	if err != nil {
		return nil, err
	}
	gen.stats, err = stats.New(stats.Options{
		Periods:   cfg.Supvisors.StatsPeriods,
		Histo:     cfg.Supvisors.StatsHisto,
		IrixMode:  cfg.Supvisors.StatsIrixMode,
		Processes: gen.runningProcesses,
		Logger:    a.logger.Named("stats"),
	})
	if err != nil {
		_ = gen.cluster.Shutdown(false)
		return nil, err
	}
	gen.events = newEventFeed(gen.cluster, a.logger.Named("events"))
	gen.stats.OnSample(gen.events.sample)
	gen.metrics, gen.stopMetrics, err = metrics.New(metrics.Options{Cluster: gen.cluster, Supervisor: gen.sup, EventStream: gen.events.hub.Stats})
	if err != nil {
		_ = gen.cluster.Shutdown(false)
		return nil, err
	}
	svc := rpcinterface.NewSupervisorService(gen.sup, a)
	// Servers first, so that children find SUPERVISOR_SERVER_URL answering.
	if s := cfg.UnixHTTPServer; s != nil {
		err = gen.listenUnix(s, svc)
	}
	if s := cfg.InetHTTPServer; s != nil && err == nil {
		err = gen.listenInet(s, svc)
	}
	if sv := cfg.Supvisors; sv.Present && err == nil {
		addr := net.JoinHostPort(address, strconv.Itoa(sv.EventPort))
		gen.zmq, err = eventstream.ListenZMQ(gen.events.hub, addr, a.logger.Named("events"))
		if err != nil {
			err = fmt.Errorf("event_port: listen on %s: %w", addr, err)
		} else {
			a.logger.Info("event publication listening", "address", "tcp://"+addr)
		}
	}
	if err != nil {
		gen.closeServers()
		_ = gen.cluster.Shutdown(false)
		return nil, err
	}
	gen.events.start(gen.sup)
	gen.cluster.Start()
	gen.sup.Start()
	gen.cluster.Ready()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		gen.stats.Run(ctx)
	}()
	go gen.releaseWhenSettled(ctx)
	gen.stopStats = func() {
		cancel()
		<-done
	}
	return gen, nil
}

// runningProcesses lists the local processes that have a pid, for the
// statistics.
func (g *generation) runningProcesses() []stats.Process {
	var out []stats.Process
	for _, p := range g.sup.Processes() {
		if info := p.Info(); info.PID > 0 {
			out = append(out, stats.Process{Namespec: p.Namespec(), PID: info.PID})
		}
	}
	return out
}

func (g *generation) newServer(opts httpserver.Options, svc *rpcinterface.SupervisorService) (*httpserver.Server, error) {
	opts.Logger = g.logger.Named("rpc")
	srv := httpserver.NewServer(opts)
	if err := rpcinterface.RegisterSupervisor(srv.XMLRPC(), svc); err != nil {
		return nil, err
	}
	supvisors := rpcinterface.NewSupvisorsService(g.cluster, g.peers.forward)
	supvisors.SetStatistics(g.stats)
	if err := rpcinterface.RegisterSupvisors(srv.XMLRPC(), supvisors); err != nil {
		return nil, err
	}
	srv.XMLRPC().Observe(g.metrics.ObserveRequest)
	srv.Handle("/metrics", g.metrics.Handler())
	srv.Handle("/logtail/", svc.LogtailHandler())
	srv.Handle("/mainlogtail", svc.MainLogtailHandler())
	srv.Handle("/events", &eventstream.Handler{Hub: g.events.hub})
	dashboard.New(dashboard.Options{RPC: srv.XMLRPC(), Local: g.cluster.Local(), Periods: g.periods, Key: g.dashboardKey,
		State: g.events.snapshot}).Register(srv)
	return srv, nil
}

func (g *generation) listenInet(s *config.InetHTTPServer, svc *rpcinterface.SupervisorService) error {
	addr := listenAddress(s.Port)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("inet_http_server: listen on %s: %w", addr, err)
	}
	return g.serve(l, httpserver.Options{Username: s.Username, Password: s.Password, MaxConns: s.MaxConnections,
		TLSConfig: serverTLS(s.TLS)}, svc)
}

func (g *generation) listenUnix(s *config.UnixHTTPServer, svc *rpcinterface.SupervisorService) error {
	l, err := listenUnixSocket(s)
	if err != nil {
		return err
	}
	g.sockets = append(g.sockets, s.File)
	return g.serve(l, httpserver.Options{Username: s.Username, Password: s.Password, MaxConns: s.MaxConnections}, svc)
}

func (g *generation) serve(l net.Listener, opts httpserver.Options, svc *rpcinterface.SupervisorService) error {
	srv, err := g.newServer(opts, svc)
	if err != nil {
		l.Close()
		return err
	}
	g.servers = append(g.servers, srv)
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.logger.Error("xml-rpc server stopped", "address", l.Addr().String(), "error", err)
		}
	}()
	g.logger.Info("xml-rpc server listening", "address", l.Addr().String(), "tls", opts.TLSConfig != nil,
		"max_connections", opts.MaxConns)
	return nil
}

// stop stops every process (the servers keep answering, with SHUTDOWN_STATE
// faults, as supervisord does), leaves the cluster, then closes the servers.
func (g *generation) stop(restarting bool) {
	g.stopStats()
	g.stopMetrics()
	if err := g.sup.Shutdown(context.Background(), restarting); err != nil {
		g.logger.Error("stopping processes", "error", err)
	}
	if err := g.cluster.Shutdown(true); err != nil {
		g.logger.Error("leaving the cluster", "error", err)
	}
	g.closeServers()
	g.peers.close()
	if g.zmq != nil {
		_ = g.zmq.Close()
	}
	g.events.stop()
}

func (g *generation) closeServers() {
	for _, srv := range g.servers {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		_ = srv.Shutdown(ctx)
		cancel()
	}
	for _, path := range g.sockets {
		_ = os.Remove(path)
	}
}

// listenAddress turns [inet_http_server] port ("host:port", ":port",
// "*:port", or a bare port) into a net.Listen address.
func listenAddress(port string) string {
	host, p, found := strings.Cut(port, ":")
	if !found {
		return ":" + port
	}
	if host == "*" {
		host = ""
	}
	return net.JoinHostPort(host, p)
}

// childServerURL is supervisord's fallback serverurl for SUPERVISOR_SERVER_URL:
// the unix socket if there is one, else the inet server (localhost when it
// listens on every interface; https:// when it serves HTTPS).
func childServerURL(cfg *config.Config) string {
	if s := cfg.UnixHTTPServer; s != nil {
		return "unix://" + s.File
	}
	if s := cfg.InetHTTPServer; s != nil {
		host, port, err := net.SplitHostPort(listenAddress(s.Port))
		if err != nil {
			return ""
		}
		if host == "" {
			host = "localhost"
		}
		return inetScheme(s) + "://" + net.JoinHostPort(host, port)
	}
	return ""
}
