// Package metrics is the agent's Prometheus exposition (GET /metrics): the
// local supervisor's processes, the cluster as this node sees it, the
// XML-RPC requests, the event stream, memberlist's own metrics (bridged
// from go-metrics), and the Go and process collectors.
package metrics

import (
	"net/http"
	"sync"
	"time"

	gometrics "github.com/hashicorp/go-metrics"
	gmprometheus "github.com/hashicorp/go-metrics/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	gopsprocess "github.com/shirou/gopsutil/v4/process"

	"github.com/supvisors/supvisors-go/cluster"
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/process"
)

// memberlistSink receives what memberlist reports through go-metrics'
// global instance, for the whole life of the process (every generation of
// the agent shares it): memberlist_* metrics, as memberlist names them.
var memberlistSink = sync.OnceValues(func() (*gmprometheus.PrometheusSink, error) {
	// The sink registers itself on a registry: one of its own, as each
	// generation's registry registers the sink anew.
	sink, err := gmprometheus.NewPrometheusSinkFrom(gmprometheus.PrometheusOpts{Registerer: prometheus.NewRegistry()})
	if err != nil {
		return nil, err
	}
	conf := gometrics.DefaultConfig("")
	conf.EnableHostname = false       // the scrape target names the node
	conf.EnableRuntimeMetrics = false // the Go collector has them
	_, err = gometrics.NewGlobal(conf, sink)
	return sink, err
})

// Options are what the metrics read.
type Options struct {
	Cluster    *cluster.Cluster
	Supervisor *process.Supervisor
	// EventStream, when not nil, reports the event stream's subscribers
	// and the subscribers it dropped.
	EventStream func() (subscribers int, dropped uint64)
}

// Metrics is one generation's registry. Safe for concurrent use.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.HistogramVec

	mu       sync.Mutex
	restarts map[[2]string]int // by group, name: starts after the first
}

// New returns the metrics of opts; unsubscribe with the returned func.
func New(opts Options) (*Metrics, func(), error) {
	m := &Metrics{registry: prometheus.NewRegistry(), restarts: map[[2]string]int{}}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "supvisors_xmlrpc_request_duration_seconds",
		Help:    "Duration of the XML-RPC calls, by method (unknown for a method that does not exist).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"method"})
	sink, err := memberlistSink()
	if err != nil {
		return nil, nil, err
	}
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, sink, &collector{opts: opts, m: m},
	} {
		if err := m.registry.Register(c); err != nil {
			return nil, nil, err
		}
	}
	cancel := opts.Supervisor.Subscribe(m.processEvent)
	return m, cancel, nil
}

// Handler serves the registry in the text exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveRequest records an XML-RPC call (xmlrpc.Handler.Observe).
func (m *Metrics) ObserveRequest(method string, d time.Duration) {
	m.requests.WithLabelValues(method).Observe(d.Seconds())
}

// processEvent counts the starts of each process after its first: its
// restarts, by autorestart, a retry or a request.
func (m *Metrics) processEvent(e process.Event) {
	if e.Kind != process.StateChanged || e.To != enums.ProcessStarting {
		return
	}
	k := [2]string{e.Process.Group(), e.Process.Name()}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n, ok := m.restarts[k]; ok {
		m.restarts[k] = n + 1
	} else {
		m.restarts[k] = 0
	}
}

var (
	groupName        = []string{"group", "name"}
	descProcessState = prometheus.NewDesc("supervisor_process_state",
		"State code of each process of this agent (Supervisor's: 0 STOPPED, 10 STARTING, 20 RUNNING, 30 BACKOFF, 40 STOPPING, 100 EXITED, 200 FATAL, 1000 UNKNOWN).", groupName, nil)
	descProcessStart = prometheus.NewDesc("supervisor_process_start_time_seconds",
		"Last start of each process of this agent, seconds since the epoch (0: never started).", groupName, nil)
	descProcessCPU = prometheus.NewDesc("supervisor_process_cpu_seconds_total",
		"User and system CPU time of each running process of this agent (the process itself), in seconds.", groupName, nil)
	descProcessRSS = prometheus.NewDesc("supervisor_process_resident_memory_bytes",
		"Resident memory of each running process of this agent (the process itself), in bytes.", groupName, nil)
	descProcessRestarts = prometheus.NewDesc("supervisor_process_restarts_total",
		"Starts of each process of this agent after its first since the agent started (autorestart, retries, requests).", groupName, nil)
	descState = prometheus.NewDesc("supvisors_state",
		"State code of Supvisors as this node sees it (0 INITIALIZATION, 1 DEPLOYMENT, 2 OPERATION, 3 CONCILIATION, 4 RESTARTING, 5 SHUTTING_DOWN, 6 SHUTDOWN).", nil, nil)
	descAddressState = prometheus.NewDesc("supvisors_address_state",
		"State code of each address of address_list as this node sees it (0 UNKNOWN, 1 CHECKING, 2 RUNNING, 3 SILENT, 4 ISOLATING, 5 ISOLATED).", []string{"address"}, nil)
	descAddressLoading = prometheus.NewDesc("supvisors_address_loading",
		"Loading of each address: the sum of the expected loadings of the processes running there.", []string{"address"}, nil)
	descConflicts = prometheus.NewDesc("supvisors_conflicts",
		"Processes running on more than one address.", nil, nil)
	descSubscribers = prometheus.NewDesc("supvisors_event_subscribers",
		"Subscribers of the event stream (Server-Sent Events and ZeroMQ).", nil, nil)
	descDropped = prometheus.NewDesc("supvisors_event_subscribers_dropped_total",
		"Subscribers of the event stream dropped because they fell behind.", nil, nil)
)

// collector reads the supervisor and the view at each scrape.
type collector struct {
	opts Options
	m    *Metrics
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descProcessState, descProcessStart, descProcessCPU, descProcessRSS,
		descProcessRestarts, descState, descAddressState, descAddressLoading, descConflicts, descSubscribers, descDropped} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	restarts := make(map[[2]string]int, len(c.m.restarts))
	for k, v := range c.m.restarts {
		restarts[k] = v
	}
	c.m.mu.Unlock()
	for _, p := range c.opts.Supervisor.Processes() {
		info := p.Info()
		labels := []string{info.Group, info.Name}
		ch <- prometheus.MustNewConstMetric(descProcessState, prometheus.GaugeValue, float64(info.State), labels...)
		start := 0.0
		if !info.Start.IsZero() {
			start = float64(info.Start.UnixNano()) / 1e9
		}
		ch <- prometheus.MustNewConstMetric(descProcessStart, prometheus.GaugeValue, start, labels...)
		ch <- prometheus.MustNewConstMetric(descProcessRestarts, prometheus.CounterValue, float64(restarts[[2]string{info.Group, info.Name}]), labels...)
		if info.PID <= 0 {
			continue
		}
		proc := gopsprocess.Process{Pid: int32(info.PID)}
		if t, err := proc.Times(); err == nil {
			ch <- prometheus.MustNewConstMetric(descProcessCPU, prometheus.CounterValue, t.User+t.System, labels...)
		}
		if mem, err := proc.MemoryInfo(); err == nil {
			ch <- prometheus.MustNewConstMetric(descProcessRSS, prometheus.GaugeValue, float64(mem.RSS), labels...)
		}
	}
	c.opts.Cluster.Read(func(v *view.View) {
		ch <- prometheus.MustNewConstMetric(descState, prometheus.GaugeValue, float64(v.State()))
		for _, a := range v.Addresses(time.Now()) {
			ch <- prometheus.MustNewConstMetric(descAddressState, prometheus.GaugeValue, float64(a.State), a.Name)
			ch <- prometheus.MustNewConstMetric(descAddressLoading, prometheus.GaugeValue, float64(a.Loading), a.Name)
		}
		ch <- prometheus.MustNewConstMetric(descConflicts, prometheus.GaugeValue, float64(len(v.Conflicts())))
	})
	if c.opts.EventStream != nil {
		subscribers, dropped := c.opts.EventStream()
		ch <- prometheus.MustNewConstMetric(descSubscribers, prometheus.GaugeValue, float64(subscribers))
		ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(dropped))
	}
}
