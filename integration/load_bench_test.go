package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/agent"
	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// These benchmarks load agents with many concurrent XML-RPC clients and
// report, besides requests/s and latencies, what the agents hold before,
// during (the peak) and after the load. After it, descriptors (but the
// agents' keep-alive connections to each other) and goroutines (when the
// agent runs in the benchmark's process) must come back to what the idle
// agents held, and the live heap (in the process too) must not grow from
// one round of load to the next. Resident memory is reported, not checked:
// the Go runtime keeps the heap of the peak for reuse and gives it back to
// the system over minutes. Any request that does not get the reply expected
// of it fails the benchmark.

// talkerProgram prints a line every 100 ms, for the log reads.
const talkerProgram = `
[program:talker]
command=/bin/sh -c "while :; do echo tick; sleep 0.1; done"
startsecs=0
stdout_logfile_maxbytes=1MB
`

// BenchmarkLoadAgent200: 200 clients at once on one agent with 1,001
// processes, each with its own connection: status calls, getAllProcessInfo,
// log reads and malformed calls (which must get their HTTP 400 or fault).
// "binary" runs the real agent and reads its descriptors and memory from
// /proc; "in-process" runs the agent in the benchmark's process (agent.Run)
// to count goroutines, and the descriptors of the whole process.
func BenchmarkLoadAgent200(b *testing.B) {
	const clients, perClient = 200, 50
	b.Run("binary", func(b *testing.B) {
		s := startServer(b, "supvisors", thousandSleepers+talkerProgram)
		waitAllRunning(b, s, 1001)
		loadRounds(b, binaryUsage(s.cmd.Process.Pid), nil, func() loadFigures {
			return runLoad(clients, perClient, s.user, s.password, agentMix(s.url))
		})
	})
	b.Run("in-process", func(b *testing.B) {
		s := runInProcess(b, thousandSleepers+talkerProgram)
		waitAllRunning(b, s, 1001)
		loadRounds(b, inProcessUsage, liveHeapKB, func() loadFigures {
			return runLoad(clients, perClient, s.user, s.password, agentMix(s.url))
		})
	})
}

// BenchmarkLoadCluster50: 3 agents, 50 clients at once, each starting and
// stopping its own program (supvisors.start_process / stop_process with
// wait) through the non-master nodes, with every starting strategy.
func BenchmarkLoadCluster50(b *testing.B) {
	const clients, cycles = 50, 10
	var body strings.Builder
	for i := range clients {
		fmt.Fprintf(&body, "[program:load_%02d]\ncommand=/bin/sleep 1000\nautostart=false\nstartsecs=0\n\n", i)
	}
	nodes := startClusterNodes(b, 3, "", body.String())
	rpcClients := clientsOf(b, nodes)
	defer stopAll(b, nodes, rpcClients)
	// Before the agents stop: what runs, and what they went through.
	defer func() {
		if !b.Failed() {
			return
		}
		running, err := stillRunning(nodes, rpcClients)
		b.Logf("running at the end: %q, %v", running, err)
		for _, n := range nodes {
			for _, l := range grepLog(b, n, "address state", "supvisors state") {
				b.Log(l)
			}
		}
	}()
	watch(b, rpcClients, clusterReady(3, "127.0.0.1"))
	pids := make([]int, len(nodes))
	for i, n := range nodes {
		pids[i] = n.cmd.Process.Pid
		// An agent creates its output capture (an epoll, an eventfd and a
		// goroutine) when it spawns its first child, and keeps it: one
		// child on each before the baseline.
		namespec := fmt.Sprintf("load_%02d:load_%02d", i, i)
		var ok bool
		if err := call(rpcClients[i], "supvisors.start_process", &ok, "LOCAL", namespec, "", true); err != nil || !ok {
			b.Fatalf("start %s on %s: %v, %v", namespec, n.host, ok, err)
		}
		if err := call(rpcClients[i], "supvisors.stop_process", &ok, namespec, true); err != nil || !ok {
			b.Fatalf("stop %s on %s: %v, %v", namespec, n.host, ok, err)
		}
	}
	strategies := []string{"CONFIG", "LESS_LOADED", "MOST_LOADED", "LOCAL"}
	loadRounds(b, binaryUsage(pids...), nil, func() loadFigures {
		f := runLoad(clients, 2*cycles, nodes[0].user, nodes[0].password, func(client, i int) loadCall {
			node := nodes[1+client%2]
			namespec := fmt.Sprintf("load_%02d:load_%02d", client, client)
			if i%2 == 0 {
				return loadCall{node.url, rpcCall("supvisors.start_process", xmlString(strategies[client%len(strategies)]),
					xmlString(namespec), xmlString(""), "<boolean>1</boolean>"), wantReply("<boolean>1</boolean>")}
			}
			return loadCall{node.url, rpcCall("supvisors.stop_process", xmlString(namespec), "<boolean>1</boolean>"),
				wantReply("<boolean>1</boolean>")}
		})
		// Every client's last call stopped its program, with wait.
		running, err := stillRunning(nodes, rpcClients)
		if err != nil {
			running = append(running, err.Error())
		}
		f.errors = append(f.errors, running...)
		return f
	})
}

// stillRunning lists the processes that run on any node, as each node's
// own supervisor.getAllProcessInfo says.
func stillRunning(nodes []*server, clients []*xmlrpc.Client) ([]string, error) {
	var running []string
	for i, c := range clients {
		var infos []api.ProcessInfo
		if err := call(c, "supervisor.getAllProcessInfo", &infos); err != nil {
			return running, fmt.Errorf("getAllProcessInfo on %s: %w", nodes[i].host, err)
		}
		for _, p := range infos {
			if p.StateName != "STOPPED" && p.StateName != "EXITED" {
				running = append(running, fmt.Sprintf("%s:%s is %s on %s after its stop", p.Group, p.Name, p.StateName, nodes[i].host))
			}
		}
	}
	return running, nil
}

// agentMix is the single-agent load: client's i-th request, from 20 slots
// of 9 kinds (weights), shifted by client so that clients do not all ask
// the same at once.
func agentMix(url string) func(client, i int) loadCall {
	talker := xmlString("talker")
	mix := []func(n int) loadCall{
		func(int) loadCall { return loadCall{url, rpcCall("supervisor.getState"), wantReply("RUNNING")} },
		func(n int) loadCall {
			name := fmt.Sprintf("idle_%04d", n%1000)
			return loadCall{url, rpcCall("supervisor.getProcessInfo", xmlString("idle:"+name)), wantReply(name, "RUNNING")}
		},
		func(int) loadCall {
			return loadCall{url, rpcCall("supervisor.getAllProcessInfo"), wantCount("<name>pid</name>", 1001)}
		},
		func(int) loadCall {
			return loadCall{url, rpcCall("supervisor.readProcessStdoutLog", talker, "<int>-1000</int>", "<int>0</int>"), wantReply("tick")}
		},
		func(int) loadCall {
			return loadCall{url, rpcCall("supervisor.tailProcessStdoutLog", talker, "<int>0</int>", "<int>1000</int>"), wantReply("tick", "<array>")}
		},
		func(int) loadCall {
			return loadCall{url, rpcCall("supervisor.getState")[:60], wantStatus(http.StatusBadRequest)}
		},
		func(int) loadCall {
			return loadCall{url, rpcCall("supervisor.getProcessInfo", "<int>42</int>"), wantFaultCode(2)}
		},
		func(int) loadCall {
			return loadCall{url, rpcCall("supervisor.getProcessInfo", xmlString("idle:nobody")), wantFaultCode(10)}
		},
		func(int) loadCall { return loadCall{url, rpcCall("supervisor.noSuchMethod"), wantFaultCode(1)} },
	}
	weights := []int{5, 4, 2, 2, 2, 2, 1, 1, 1}
	var kinds []func(int) loadCall
	for k, w := range weights {
		for range w {
			kinds = append(kinds, mix[k])
		}
	}
	return func(client, i int) loadCall {
		n := client*7 + i
		return kinds[n%len(kinds)](n)
	}
}

// loadCall is one request of a load: where it goes, its body, and what
// tells that the reply is the one expected (an error otherwise).
type loadCall struct {
	url   string
	body  string
	check func(status int, reply []byte) error
}

func rpcCall(method string, params ...string) string {
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?><methodCall><methodName>" + method + "</methodName><params>")
	for _, p := range params {
		b.WriteString("<param><value>" + p + "</value></param>")
	}
	b.WriteString("</params></methodCall>")
	return b.String()
}

func xmlString(s string) string { return "<string>" + s + "</string>" }

// wantReply: HTTP 200, a reply (not a fault) that contains each of parts.
func wantReply(parts ...string) func(int, []byte) error {
	return func(status int, reply []byte) error {
		if status != http.StatusOK || bytes.Contains(reply, []byte("<fault>")) {
			return fmt.Errorf("HTTP %d %.600s", status, reply)
		}
		for _, p := range parts {
			if !bytes.Contains(reply, []byte(p)) {
				return fmt.Errorf("no %q in %.200s", p, reply)
			}
		}
		return nil
	}
}

// wantCount: HTTP 200 and n times part in the reply.
func wantCount(part string, n int) func(int, []byte) error {
	return func(status int, reply []byte) error {
		if got := bytes.Count(reply, []byte(part)); status != http.StatusOK || got != n {
			return fmt.Errorf("HTTP %d, %d times %q, want %d", status, got, part, n)
		}
		return nil
	}
}

// wantFaultCode: HTTP 200 and the fault code.
func wantFaultCode(code int) func(int, []byte) error {
	return func(status int, reply []byte) error {
		if status != http.StatusOK || !bytes.Contains(reply, []byte("<fault>")) ||
			!bytes.Contains(reply, fmt.Appendf(nil, "<name>faultCode</name><value><int>%d</int>", code)) {
			return fmt.Errorf("HTTP %d %.300s, want fault %d", status, reply, code)
		}
		return nil
	}
}

func wantStatus(want int) func(int, []byte) error {
	return func(status int, reply []byte) error {
		if status != want {
			return fmt.Errorf("HTTP %d %.200s, want HTTP %d", status, reply, want)
		}
		return nil
	}
}

// loadFigures is what one load measured.
type loadFigures struct {
	latencies []time.Duration
	elapsed   time.Duration
	errors    []string
}

// runLoad runs clients at once, each with its own connection, each
// sending perClient calls one after the other; next gives client's i-th.
func runLoad(clients, perClient int, user, password string, next func(client, i int) loadCall) loadFigures {
	var (
		mu  sync.Mutex
		out loadFigures
		wg  sync.WaitGroup
	)
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			transport := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
			defer transport.CloseIdleConnections()
			client := &http.Client{Transport: transport, Timeout: time.Minute}
			var buf bytes.Buffer
			latencies := make([]time.Duration, 0, perClient)
			var errs []string
			for i := range perClient {
				call := next(c, i)
				t0 := time.Now()
				status, err := postLoad(client, call, user, password, &buf)
				latencies = append(latencies, time.Since(t0))
				if err == nil {
					err = call.check(status, buf.Bytes())
				}
				if err != nil {
					errs = append(errs, fmt.Sprintf("client %d call %d %.80s: %v", c, i, call.body, err))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			out.latencies = append(out.latencies, latencies...)
			out.errors = append(out.errors, errs...)
		})
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

func postLoad(client *http.Client, call loadCall, user, password string, reply *bytes.Buffer) (int, error) {
	req, err := http.NewRequest(http.MethodPost, call.url+"/RPC2", strings.NewReader(call.body))
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(user, password)
	req.Header.Set("Content-Type", "text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	reply.Reset()
	_, err = reply.ReadFrom(resp.Body)
	return resp.StatusCode, err
}

// loadUsage is what agents hold: descriptors (besides links), the TCP
// connections between two of them (links: the keep-alive pools they call
// each other through, at most 4 idle ones per pair and direction, closed
// after 90 s idle), resident memory (KiB, -1 when unknown) and goroutines
// (-1 when unknown).
type loadUsage struct {
	fds, links, rssKB, goroutines int
}

// peak is the highest of each figure of u and v.
func (u loadUsage) peak(v loadUsage) loadUsage {
	return loadUsage{max(u.fds, v.fds), max(u.links, v.links), max(u.rssKB, v.rssKB), max(u.goroutines, v.goroutines)}
}

// A usageReader reads what the agents under load hold, or fails the
// benchmark.
type usageReader func(testing.TB) loadUsage

// binaryUsage reads the usage of the agents of pids, summed, from /proc.
func binaryUsage(pids ...int) usageReader {
	return func(tb testing.TB) loadUsage {
		u := loadUsage{goroutines: -1}
		inodes := tcpInodes(tb)
		ends := map[[2]string]int{} // a connection's local and remote address → who holds it
		held := make([][][2]string, len(pids))
		for i, pid := range pids {
			dir := fmt.Sprintf("/proc/%d/fd", pid)
			fds, err := os.ReadDir(dir)
			if err != nil {
				tb.Fatal(err)
			}
			u.fds += len(fds)
			u.rssKB += rssKB(tb, pid)
			for _, fd := range fds {
				// A descriptor closed since ReadDir is no connection.
				target, _ := os.Readlink(dir + "/" + fd.Name())
				if c, ok := inodes[target]; ok {
					held[i] = append(held[i], c)
					ends[c] = i
				}
			}
		}
		for i, conns := range held {
			for _, c := range conns {
				if j, ok := ends[[2]string{c[1], c[0]}]; ok && j != i {
					u.links++
				}
			}
		}
		u.fds -= u.links
		return u
	}
}

// tcpInodes maps the socket descriptor targets ("socket:[123]") of the TCP
// connections of the machine to their local and remote addresses.
func tcpInodes(tb testing.TB) map[string][2]string {
	out := map[string][2]string{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			// sl local rem st tx:rx tr:when retrnsmt uid timeout inode
			if f := strings.Fields(line); len(f) >= 10 {
				out["socket:["+f[9]+"]"] = [2]string{f[1], f[2]}
			}
		}
	}
	return out
}

// inProcessUsage is the usage of the benchmark's own process, where the
// agent runs: its goroutines and descriptors (the clients' included while
// they run); its memory is the clients' too, so it is not reported.
func inProcessUsage(tb testing.TB) loadUsage {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		tb.Fatal(err)
	}
	return loadUsage{fds: len(fds), rssKB: -1, goroutines: runtime.NumGoroutine()}
}

// peakWhile runs work beside the benchmark's goroutine, which samples
// usage every 50 ms meanwhile, and returns the highest of each figure.
func peakWhile(tb testing.TB, usage usageReader, work func()) loadUsage {
	done := make(chan struct{})
	go func() {
		defer close(done)
		work()
	}()
	peak := usage(tb)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return peak.peak(usage(tb))
		case <-tick.C:
			peak = peak.peak(usage(tb))
		}
	}
}

// liveHeapKB is the benchmark process's live heap after two collections
// (the second empties the sync.Pools that the first set aside).
func liveHeapKB() int {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int(m.HeapAlloc >> 10)
}

// loadRounds runs load once to warm up, then b.N times measured, and reports
// its figures and the agents' usage: before (the most the idle agents hold
// over a second), the peak during the load, and after it. After each round
// it waits until the descriptors (links aside) and goroutines are back to
// what they were before. With heap (an agent in the process), it fails if
// the live heap after the last round is more than 10% (+1 MiB) above what
// it was after the warm-up.
func loadRounds(b *testing.B, usage usageReader, heap func() int, load func() loadFigures) {
	// The window measured, not a synchronisation.
	before := peakWhile(b, usage, func() { time.Sleep(time.Second) })
	heapBefore, heapWarm, heapAfter := -1, -1, -1
	if heap != nil {
		heapBefore = heap()
	}

	var warm, figures loadFigures
	peak := peakWhile(b, usage, func() { warm = load() })
	settleUsage(b, usage, before)
	if heap != nil {
		heapWarm = heap()
	}
	b.ResetTimer()
	peak = peak.peak(peakWhile(b, usage, func() {
		for range b.N {
			f := load()
			figures.latencies = append(figures.latencies, f.latencies...)
			figures.elapsed += f.elapsed
			figures.errors = append(figures.errors, f.errors...)
		}
	}))
	b.StopTimer()
	after := settleUsage(b, usage, before)
	reportLatencies(b, figures.latencies, figures.elapsed)
	if heap != nil {
		figures.latencies = nil // the benchmark's, not the agent's
		heapAfter = heap()
	}

	failed := append(warm.errors, figures.errors...)
	b.ReportMetric(float64(len(failed)), "errors")
	b.ReportMetric(0, "ns/op")
	report := func(name string, before, peak, after int, scale float64) {
		if before < 0 || peak == 0 {
			return
		}
		b.ReportMetric(float64(before)/scale, name+"-before")
		b.ReportMetric(float64(peak)/scale, name+"-peak")
		b.ReportMetric(float64(after)/scale, name+"-after")
	}
	report("fds", before.fds, peak.fds, after.fds, 1)
	report("links", before.links, peak.links, after.links, 1)
	report("goroutines", before.goroutines, peak.goroutines, after.goroutines, 1)
	report("RSS-MB", before.rssKB, peak.rssKB, after.rssKB, 1024)
	if heap != nil {
		b.ReportMetric(float64(heapBefore)/1024, "heap-MB-before")
		b.ReportMetric(float64(heapWarm)/1024, "heap-MB-warm")
		b.ReportMetric(float64(heapAfter)/1024, "heap-MB-after")
	}
	for i, e := range failed {
		if i == 10 {
			b.Errorf("... %d errors in all", len(failed))
			break
		}
		b.Error(e)
	}
	if heapAfter > heapWarm+heapWarm/10+1<<10 {
		b.Errorf("the live heap grew from %d KiB after the warm-up to %d KiB after the load", heapWarm, heapAfter)
	}
}

// settleUsage waits until the agents hold no more descriptors (links
// aside) and goroutines than before, and returns their usage then.
func settleUsage(tb testing.TB, usage usageReader, before loadUsage) loadUsage {
	var now loadUsage
	waitFor(tb, 30*time.Second, func() (bool, string) {
		now = usage(tb)
		return now.fds <= before.fds && now.goroutines <= before.goroutines,
			fmt.Sprintf("after the load: %+v, before: %+v", now, before)
	})
	return now
}

// runInProcess runs an agent with the configuration body in the
// benchmark's process, until the benchmark ends; the server returned
// describes it (its cmd is never started).
func runInProcess(tb testing.TB, body string) *server {
	tb.Helper()
	s := newServer(tb, "supvisors", body, func(*server) {})
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := agent.Create(agent.Options{ConfigPath: s.conf, Stderr: devnull})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
			tb.Errorf("agent: %v", err)
		}
		devnull.Close()
	})
	s.waitAnswering(tb)
	return s
}
