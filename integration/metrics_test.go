package integration

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

// scrape GETs /metrics of s (with its credentials unless anonymous) and
// parses the text exposition.
func (s *server) scrape(t *testing.T, anonymous bool) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !anonymous {
		req.SetBasicAuth(s.user, s.password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics Content-Type = %q, want the text format", ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not the text exposition format: %v", err)
	}
	return resp.StatusCode, families
}

// sample returns the value of the metric of family name whose labels
// include want; false when there is none.
func sample(families map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := families[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		case m.Summary != nil:
			return float64(m.GetSummary().GetSampleCount()), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// metricsBody has a program that spends some CPU itself (a bounded loop of
// its own shell, not of a child), then sleeps under the same pid.
const metricsBody = `
[program:burn]
command=/bin/sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; exec sleep 1000'
autostart=false
startsecs=0
`

// TestMetrics scrapes real agents of a 2-node cluster: the auth of /RPC2,
// the names, labels and values of the process, cluster, request, event
// stream, memberlist, Go and process metrics.
func TestMetrics(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 2, "", metricsBody)
	t.Cleanup(func() {
		if t.Failed() {
			logsOf(t, nodes)
		}
	})
	n1 := nodes[0]
	c1 := newTestClient(t, n1.url, n1)
	ctx := t.Context()
	waitSupvisorsState(t, c1, enums.SupvisorsOperation)
	if code, _ := n1.scrape(t, true); code != http.StatusUnauthorized {
		t.Errorf("/metrics without credentials: HTTP %d, want 401", code)
	}

	// burn runs, then is restarted once.
	if _, err := c1.Supervisor().StartProcess(ctx, "burn", true); err != nil {
		t.Fatal(err)
	}
	if _, err := c1.Supervisor().StopProcess(ctx, "burn", true); err != nil {
		t.Fatal(err)
	}
	if _, err := c1.Supervisor().StartProcess(ctx, "burn", true); err != nil {
		t.Fatal(err)
	}
	info, err := c1.Supervisor().GetProcessInfo(ctx, "burn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c1.Supervisor().StopProcess(context.Background(), "burn", true) })
	_, err = c1.System().MethodHelp(ctx, "no.such_method")
	faultIs(t, "methodHelp(no.such_method)", err, fault.SignatureUnsupported)
	// An unknown method: one label for all of them, whatever the name.
	body := `<?xml version="1.0"?><methodCall><methodName>no.such_method_x</methodName><params/></methodCall>`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, n1.url+"/RPC2", strings.NewReader(body))
	req.SetBasicAuth(n1.user, n1.password)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	// One subscriber of the event stream while scraping.
	n1.getEvents(t, "?topics=supvisors", 0)

	burn := map[string]string{"group": "burn", "name": "burn"}
	var families map[string]*dto.MetricFamily
	waitFor(t, 30*time.Second, func() (bool, string) {
		_, families = n1.scrape(t, false)
		cpu, _ := sample(families, "supervisor_process_cpu_seconds_total", burn)
		subscribers, _ := sample(families, "supvisors_event_subscribers", nil)
		return cpu > 0 && subscribers == 1, fmt.Sprintf("cpu %v, subscribers %v", cpu, subscribers)
	})
	wantProcs := 1
	if env := os.Getenv("GOMAXPROCS"); env != "" {
		wantProcs, _ = strconv.Atoi(env)
	}
	want := []struct {
		name   string
		labels map[string]string
		check  func(float64) bool
		what   string
	}{
		{"supervisor_process_state", burn, func(v float64) bool { return v == float64(enums.ProcessRunning) }, "20 (RUNNING)"},
		{"supervisor_process_start_time_seconds", burn, func(v float64) bool { return int64(v) == info.Start }, fmt.Sprint(info.Start)},
		{"supervisor_process_cpu_seconds_total", burn, func(v float64) bool { return v > 0 }, "> 0"},
		{"supervisor_process_resident_memory_bytes", burn, func(v float64) bool { return v > 0 }, "> 0"},
		{"supervisor_process_restarts_total", burn, func(v float64) bool { return v == 1 }, "1"},
		{"supvisors_state", nil, func(v float64) bool { return v == float64(enums.SupvisorsOperation) }, "2 (OPERATION)"},
		{"supvisors_address_state", map[string]string{"address": "127.0.0.1"}, func(v float64) bool { return v == float64(enums.AddressRunning) }, "2 (RUNNING)"},
		{"supvisors_address_state", map[string]string{"address": "127.0.0.2"}, func(v float64) bool { return v == float64(enums.AddressRunning) }, "2 (RUNNING)"},
		{"supvisors_address_loading", map[string]string{"address": "127.0.0.1"}, func(v float64) bool { return v == 0 }, "0 (burn, loading 0 by default)"},
		{"supvisors_address_loading", map[string]string{"address": "127.0.0.2"}, func(v float64) bool { return v == 0 }, "0"},
		{"supvisors_conflicts", nil, func(v float64) bool { return v == 0 }, "0"},
		{"supvisors_xmlrpc_request_duration_seconds", map[string]string{"method": "supervisor.startProcess"}, func(v float64) bool { return v == 2 }, "2 calls"},
		{"supvisors_xmlrpc_request_duration_seconds", map[string]string{"method": "unknown"}, func(v float64) bool { return v == 1 }, "1 call"},
		{"supvisors_event_subscribers", nil, func(v float64) bool { return v == 1 }, "1"},
		{"supvisors_event_subscribers_dropped_total", nil, func(v float64) bool { return v == 0 }, "0"},
		{"go_goroutines", nil, func(v float64) bool { return v > 0 }, "> 0"},
		// The agent's own default, unless the environment it inherits
		// from this test sets one.
		{"go_sched_gomaxprocs_threads", nil, func(v float64) bool { return v == float64(wantProcs) }, fmt.Sprint(wantProcs)},
		{"process_resident_memory_bytes", nil, func(v float64) bool { return v > 0 }, "> 0"},
	}
	for _, w := range want {
		if v, ok := sample(families, w.name, w.labels); !ok || !w.check(v) {
			t.Errorf("%s%v = %v (found %v), want %s", w.name, w.labels, v, ok, w.what)
		}
	}
	if f := families["supvisors_xmlrpc_request_duration_seconds"]; f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("supvisors_xmlrpc_request_duration_seconds is not a histogram: %v", f)
	}
	for _, m := range families["supvisors_xmlrpc_request_duration_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			if strings.HasPrefix(l.GetValue(), "no.such") {
				t.Errorf("an unknown method has a label of its own: %v", l)
			}
		}
	}
	memberlist := 0
	for name := range families {
		if strings.HasPrefix(name, "memberlist_") {
			memberlist++
		}
	}
	if memberlist == 0 {
		t.Errorf("no memberlist_* metric (go-metrics bridge) among %d families", len(families))
	}
}

// TestProcessorsFollowTheLoad checks an agent runs on one processor while
// quiet (go_sched_gomaxprocs_threads), on as many as the runtime would
// give it while clients keep it busy, and on one again once they stop.
func TestProcessorsFollowTheLoad(t *testing.T) {
	t.Parallel()
	most := runtime.GOMAXPROCS(0)
	if os.Getenv("GOMAXPROCS") != "" || most < 2 {
		t.Skipf("the agent would run on GOMAXPROCS=%q, %d processors: nothing to adapt", os.Getenv("GOMAXPROCS"), most)
	}
	s := startServer(t, "supvisors", metricsBody)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent output:\n%s", s.stderr)
		}
	})
	procs := func(want int) func() (bool, string) {
		return func() (bool, string) {
			_, families := s.scrape(t, false)
			v, ok := sample(families, "go_sched_gomaxprocs_threads", nil)
			return ok && v == float64(want), fmt.Sprintf("GOMAXPROCS %v (found %v), want %d", v, ok, want)
		}
	}
	waitFor(t, 30*time.Second, procs(1))

	ctx, cancel := context.WithCancel(t.Context())
	var clients sync.WaitGroup
	for range 8 {
		clients.Go(func() {
			client := &http.Client{}
			for ctx.Err() == nil {
				_, _ = tryRPC(client, s, `<?xml version="1.0"?><methodCall><methodName>supervisor.getAllProcessInfo</methodName><params/></methodCall>`)
			}
		})
	}
	waitFor(t, 60*time.Second, procs(most))
	cancel()
	clients.Wait()
	waitFor(t, 60*time.Second, procs(1))
}
