package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The big view: 10 agents of 1,000 running processes each. Every node runs
// an application of its own (n01 … n10, processes n01_0000 …), as
// Supvisors users place programs: a process runs on one node, and every
// node sees all 10,000.
const (
	bigNodes     = 10
	bigProcesses = 1000
	// bigTimeout bounds the wait for complete, agreeing views.
	bigTimeout = 5 * time.Minute
	// bigCalls is how many get_all_process_info calls are timed on each
	// of the nodes asked.
	bigCalls = 50
	// bigChanges is how many process changes (a stop, then a start, in
	// turn) are followed to every node.
	bigChanges = 40
)

// bigBody is the configuration body of node i (from 0): its 1,000
// processes, which start with the agent.
func bigBody(i int) string {
	return fmt.Sprintf(`
[supervisord]
minfds=10000

[program:n%02[1]d]
command=/bin/sleep 100000
process_name=%%(program_name)s_%%(process_num)04d
numprocs=%[2]d
startsecs=0
stdout_logfile_maxbytes=1MB
stderr_logfile_maxbytes=1MB
`, i+1, bigProcesses)
}

const allApplicationsInfoCall = `<?xml version='1.0'?><methodCall><methodName>supvisors.get_all_applications_info</methodName><params></params></methodCall>`

const allProcessInfoCall = `<?xml version='1.0'?><methodCall><methodName>supvisors.get_all_process_info</methodName><params></params></methodCall>`

// BenchmarkBigView launches 10 agents (127.0.0.1-10) of 1,000 processes
// each at once and measures: the time from the launch until every node's
// supvisors.get_all_process_info shows the 10,000 processes RUNNING and
// the 10 replies are identical (converge-s); the latency of that call on
// nodes 1 and 10 (p50-ms, p99-ms); and how long one process change takes
// to reach every node's event stream (/events, topic process), from the
// stopProcess or startProcess call on its node (change-p50-ms,
// change-p99-ms) and from its own node's event (spread-p50-ms,
// spread-p99-ms). Run it alone, with an explicit -bench and a long
// -timeout (make bench-bigview): it spawns 10,000 processes.
func BenchmarkBigView(b *testing.B) {
	if !strings.Contains(flag.Lookup("test.bench").Value.String(), "BigView") {
		b.Skip("10,000 processes: run it by its name (make bench-bigview)")
	}
	for range b.N {
		benchBigView(b)
	}
	b.ReportMetric(0, "ns/op")
}

func benchBigView(b *testing.B) {
	b.Logf("load before the launch: %s", loadAverage(b))
	p := planCluster(b, bigNodes, "")
	nodes := make([]*server, bigNodes)
	for i := range nodes {
		nodes[i] = p.node(b, i, bigBody(i))
	}
	t0 := time.Now()
	for _, s := range nodes {
		s.launch(b)
	}
	defer stopBig(b, nodes)

	converged, firstComplete := waitBigViews(b, nodes, t0)
	b.Logf("complete and agreeing views on all %d nodes %v after the launch (first complete per node: %v); load %s",
		bigNodes, converged.Round(time.Millisecond), firstComplete, loadAverage(b))
	b.ReportMetric(converged.Seconds(), "converge-s")

	var latencies []time.Duration
	client := &http.Client{}
	for _, s := range []*server{nodes[0], nodes[bigNodes-1]} {
		for range bigCalls {
			t := time.Now()
			postRPC(b, client, s, allProcessInfoCall)
			latencies = append(latencies, time.Since(t))
		}
	}
	slices.Sort(latencies)
	b.Logf("get_all_process_info at %d processes, %d calls: p50 %v, p99 %v; load %s", bigNodes*bigProcesses,
		len(latencies), percentile(latencies, 0.5), percentile(latencies, 0.99), loadAverage(b))
	b.ReportMetric(ms(percentile(latencies, 0.5)), "p50-ms")
	b.ReportMetric(ms(percentile(latencies, 0.99)), "p99-ms")

	change, spread := bigPropagation(b, nodes)
	b.Logf("one change to every node, %d changes: from the call p50 %v, p99 %v; from its own node's event p50 %v, p99 %v; load %s",
		len(change), percentile(change, 0.5), percentile(change, 0.99), percentile(spread, 0.5), percentile(spread, 0.99), loadAverage(b))
	b.ReportMetric(ms(percentile(change, 0.5)), "change-p50-ms")
	b.ReportMetric(ms(percentile(change, 0.99)), "change-p99-ms")
	b.ReportMetric(ms(percentile(spread, 0.5)), "spread-p50-ms")
	b.ReportMetric(ms(percentile(spread, 0.99)), "spread-p99-ms")
}

// percentile is the p-quantile of sorted ds (nearest rank below).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Sorted(slices.Values(ds))
	return ds[int(p*float64(len(ds)-1))]
}

// loadAverage is the machine's load as uptime prints it.
func loadAverage(tb testing.TB) string {
	out, err := exec.Command("uptime").Output()
	if err != nil {
		tb.Fatalf("uptime: %v", err)
	}
	_, load, _ := strings.Cut(strings.TrimSpace(string(out)), "load average: ")
	return load
}

// stopBig stops every agent and checks that none of their 10,000 children
// is left: no process has the environment an agent of nodes gives its
// children.
func stopBig(b *testing.B, nodes []*server) {
	stopAll(b, nodes, nil)
	urls := make([][]byte, len(nodes))
	for i, s := range nodes {
		urls[i] = []byte("SUPERVISOR_SERVER_URL=unix://" + s.sock + "\x00")
	}
	procs, err := filepath.Glob("/proc/[0-9]*/environ")
	if err != nil {
		b.Fatal(err)
	}
	left := 0
	for _, p := range procs {
		env, err := os.ReadFile(p)
		if err == nil && slices.ContainsFunc(urls, func(u []byte) bool { return bytes.Contains(env, u) }) {
			left++
		}
	}
	if left > 0 {
		b.Errorf("%d children of the agents left after they stopped", left)
	}
}

// waitBigViews polls the nodes (pollBigView), all at once, in rounds until,
// in one round, each shows every process RUNNING and all the replies are
// the same. It returns the time from t0 to the end of that round, and when
// each node was first complete.
func waitBigViews(b *testing.B, nodes []*server, t0 time.Time) (time.Duration, []time.Duration) {
	b.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	firstComplete := make([]time.Duration, len(nodes))
	deadline := t0.Add(bigTimeout)
	var detail string
	nextLog := t0.Add(5 * time.Second)
	for time.Now().Before(deadline) {
		// The nodes at once: one after another, a round of 10 replies of
		// 10,000 processes took 2.5 s, which the figure then carried.
		polls := make([]bigPoll, len(nodes))
		var wg sync.WaitGroup
		for i, s := range nodes {
			wg.Go(func() {
				polls[i] = pollBigView(client, s, len(nodes))
				if polls[i].sum != nil && firstComplete[i] == 0 {
					firstComplete[i] = time.Since(t0).Round(time.Millisecond)
				}
			})
		}
		wg.Wait()
		var sums [][sha256.Size]byte
		counts := make([]string, len(nodes))
		for i, p := range polls {
			counts[i] = p.count
			if p.sum == nil {
				detail = p.why
				continue
			}
			sums = append(sums, *p.sum)
		}
		if len(sums) == len(nodes) && !slices.ContainsFunc(sums, func(s [sha256.Size]byte) bool { return s != sums[0] }) {
			return time.Since(t0), firstComplete
		}
		if len(sums) == len(nodes) {
			detail = "complete views that differ"
		}
		if time.Now().After(nextLog) {
			b.Logf("%v after the launch, processes RUNNING in each node's view: %s; load %s",
				time.Since(t0).Round(time.Second), strings.Join(counts, " "), loadAverage(b))
			nextLog = nextLog.Add(5 * time.Second)
		}
		time.Sleep(100 * time.Millisecond) // the pace of the polls, not a synchronisation
	}
	b.Fatalf("views not complete and agreeing %v after the launch: %s", bigTimeout, detail)
	return 0, nil
}

// bigPoll is what a poll of one node's view found: the count of processes
// RUNNING in it ("apps" before its applications all run, "-" without an
// answer), the hash of a complete reply, or why there is none.
type bigPoll struct {
	count string
	sum   *[sha256.Size]byte
	why   string
}

// pollBigView reads the view of s, whose cluster has nodes nodes. Ten
// applications first: 10,000 processes in XML cost the agent and this
// benchmark, which share the cores, a quarter of a second a node while the
// views fill.
func pollBigView(client *http.Client, s *server, nodes int) bigPoll {
	apps, err := tryRPC(client, s, allApplicationsInfoCall)
	if err == nil && strings.Count(apps, "<string>RUNNING</string>") != nodes {
		return bigPoll{count: "apps", why: fmt.Sprintf("%s: not every application RUNNING", s.host)}
	}
	reply, err := tryRPC(client, s, allProcessInfoCall)
	if err != nil {
		return bigPoll{count: "-", why: fmt.Sprintf("%s: %v", s.host, err)}
	}
	running := strings.Count(reply, "<string>RUNNING</string>")
	if running != nodes*bigProcesses {
		return bigPoll{count: fmt.Sprint(running), why: fmt.Sprintf("%s: %d RUNNING", s.host, running)}
	}
	sum := sha256.Sum256([]byte(reply))
	return bigPoll{count: fmt.Sprint(running), sum: &sum}
}

// tryRPC posts an XML-RPC call and returns the reply, or why there is none
// (the agent may not answer yet).
func tryRPC(client *http.Client, s *server, body string) (string, error) {
	req, err := http.NewRequest(http.MethodPost, s.url+"/RPC2", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(s.user, s.password)
	req.Header.Set("Content-Type", "text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return buf.String(), nil
}

// seen is when a node's event stream showed the followed process in a
// state.
type seen struct {
	node  int
	state string
	at    time.Time
}

// bigPropagation stops and starts one process of node 5 in turn,
// bigChanges times, and times each change until every node's event stream
// shows it: from the call, and from the event of the process's own node.
func bigPropagation(b *testing.B, nodes []*server) (change, spread []time.Duration) {
	b.Helper()
	const owner = 4
	group := fmt.Sprintf("n%02d", owner+1)
	name := group + "_0500"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := make(chan seen, 1000)
	for i, s := range nodes {
		resp := openEvents(b, ctx, s, "process")
		defer resp.Body.Close()
		go followProcess(resp, i, `"process_name":"`+name+`"`, events)
	}
	// The snapshot of each stream first: the process RUNNING everywhere.
	awaitEverywhere(b, events, len(nodes), "RUNNING")

	client := &http.Client{}
	for k := range bigChanges {
		method, want := "supervisor.stopProcess", "STOPPED"
		if k%2 == 1 {
			method, want = "supervisor.startProcess", "RUNNING"
		}
		call := fmt.Sprintf(`<?xml version='1.0'?><methodCall><methodName>%s</methodName><params><param><value><string>%s:%s</string></value></param></params></methodCall>`, method, group, name)
		t0 := time.Now()
		if reply := postRPC(b, client, nodes[owner], call); !strings.Contains(reply, "<boolean>1</boolean>") {
			b.Fatalf("%s: %.300s", method, reply)
		}
		at := awaitEverywhere(b, events, len(nodes), want)
		last := slices.MaxFunc(at, func(x, y time.Time) int { return x.Compare(y) })
		change = append(change, last.Sub(t0))
		spread = append(spread, last.Sub(at[owner]))
	}
	return change, spread
}

// followProcess sends on events when the stream shows the process whose
// JSON contains match in a new state.
func followProcess(resp *http.Response, node int, match string, events chan<- seen) {
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: "))
		if !ok || !bytes.Contains(data, []byte(match)) {
			continue
		}
		var p struct {
			StateName string `json:"statename"`
		}
		if json.Unmarshal(data, &p) == nil {
			events <- seen{node: node, state: p.StateName, at: time.Now()}
		}
	}
}

// awaitEverywhere waits until every node's stream has shown the process in
// state, and returns when each did.
func awaitEverywhere(b *testing.B, events <-chan seen, n int, state string) []time.Time {
	b.Helper()
	at := make([]time.Time, n)
	last := make([]string, n)
	missing := n
	timeout := time.After(30 * time.Second)
	for missing > 0 {
		select {
		case e := <-events:
			last[e.node] = e.state
			if e.state == state && at[e.node].IsZero() {
				at[e.node] = e.at
				missing--
			}
		case <-timeout:
			b.Fatalf("%d of %d nodes did not show the process %s within 30s (last states: %v)", missing, n, state, last)
		}
	}
	return at
}
