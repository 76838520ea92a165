package integration

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// These benchmarks measure the cluster figures of DESIGN.md's performance
// table on real agents over loopback. They report their own metrics (ns/op
// is zeroed: an iteration's wall time means nothing); run them with a fixed
// count, e.g. -benchtime 10x.

// idleProgram is the configuration body of the cluster benchmarks: one
// program that never starts on its own.
const idleProgram = `
[program:x]
command=/bin/sleep 1000
autostart=false
startsecs=0
`

const (
	// pollEvery is the cadence of the latency probes.
	pollEvery = 10 * time.Millisecond
	// rpcTimeout bounds one probe call.
	rpcTimeout = 5 * time.Second
	// clusterTimeout bounds every wait for a cluster milestone.
	clusterTimeout = 60 * time.Second
)

// BenchmarkKillDetection3: kill -9 the agent of 127.0.0.3 in a 3-node cluster
// in OPERATION, and measure until both survivors report it SILENT.
func BenchmarkKillDetection3(b *testing.B) {
	var took []time.Duration
	for range b.N {
		nodes := startClusterNodes(b, 3, "", idleProgram)
		clients := clientsOf(b, nodes)
		watch(b, clients, clusterReady(3, ""))

		survivors := clients[:2]
		t0 := time.Now()
		_ = nodes[2].cmd.Process.Kill()
		at := watch(b, survivors, addressIs("127.0.0.3", "SILENT"))
		took = append(took, latest(at, 0).Sub(t0))
		b.Logf("SILENT on both survivors after %v", took[len(took)-1])
		// The control of BenchmarkNoFalseSilentUnderLoad's log check: a
		// real loss is logged in the form it greps for.
		for _, n := range nodes[:2] {
			if len(grepLog(b, n, "to=SILENT")) == 0 {
				b.Errorf("%s logged no to=SILENT line for the node killed", n.host)
			}
		}

		stopAll(b, nodes, clients)
	}
	reportP50Max(b, took, "ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkMasterKill3: kill -9 the master (127.0.0.1) of a 3-node cluster in
// OPERATION, and measure until both survivors report 127.0.0.2 as master
// (master-ms), then OPERATION under it (operation-ms).
func BenchmarkMasterKill3(b *testing.B) {
	var masterTook, operationTook []time.Duration
	for range b.N {
		nodes := startClusterNodes(b, 3, "", idleProgram)
		clients := clientsOf(b, nodes)
		watch(b, clients, clusterReady(3, "127.0.0.1"))

		survivors := clients[1:]
		t0 := time.Now()
		_ = nodes[0].cmd.Process.Kill()
		at := watch(b, survivors, masterIs("127.0.0.2"), operationUnder("127.0.0.2"))
		masterTook = append(masterTook, latest(at, 0).Sub(t0))
		operationTook = append(operationTook, latest(at, 1).Sub(t0))
		b.Logf("new master after %v, OPERATION after %v", masterTook[len(masterTook)-1], operationTook[len(operationTook)-1])

		stopAll(b, nodes, clients)
	}
	reportP50Max(b, masterTook, "master-ms")
	reportP50Max(b, operationTook, "operation-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkClusterStart3: launch 3 agents at once, and measure from the
// moment the last of them answers XML-RPC (supervisor.getState) until all
// three report OPERATION.
func BenchmarkClusterStart3(b *testing.B) {
	var took []time.Duration
	for range b.N {
		nodes := launchClusterNodes(b, 3, "", idleProgram)
		clients := clientsOf(b, nodes)
		at := watch(b, clients, answers, supvisorsStateIs("OPERATION"))
		took = append(took, latest(at, 1).Sub(latest(at, 0)))
		b.Logf("OPERATION everywhere %v after the last agent answered", took[len(took)-1])

		stopAll(b, nodes, clients)
	}
	reportP50Max(b, took, "ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkNoFalseSilentUnderLoad: in a 3-node cluster in OPERATION, keep
// every CPU busy for SUPVISORS_LOAD_SECONDS (default 300) while every node's
// view of every address is polled every 100 ms. Any address not RUNNING, and
// any address state change to SILENT or ISOLATED in an agent's log, is a
// false positive (nothing was killed).
func BenchmarkNoFalseSilentUnderLoad(b *testing.B) {
	window := 300 * time.Second
	if env := os.Getenv("SUPVISORS_LOAD_SECONDS"); env != "" {
		secs, err := strconv.ParseFloat(env, 64)
		if err != nil || secs <= 0 {
			b.Fatalf("SUPVISORS_LOAD_SECONDS=%q: want a positive number of seconds", env)
		}
		window = time.Duration(secs * float64(time.Second))
	}
	nodes := startClusterNodes(b, 3, "", idleProgram)
	clients := clientsOf(b, nodes)
	watch(b, clients, clusterReady(3, ""))

	var (
		nonRunning, rpcErrors int
		latencies             []time.Duration
	)
	for range b.N {
		stopLoad := burnCPUs(b, runtime.NumCPU())
		n, e, l := pollAddressesFor(b, nodes, clients, window)
		stopLoad()
		nonRunning += n
		rpcErrors += e
		latencies = append(latencies, l...)
	}

	var logLines []string
	for _, n := range nodes {
		// The agents log every address state change; none logged means the
		// grep cannot see them (a log format change), not that all is well.
		if len(grepLog(b, n, "address state")) == 0 {
			b.Errorf("%s logged no address state change in %s: the log check is blind", n.host, filepath.Join(n.dir, "supervisord.log"))
		}
		logLines = append(logLines, grepLog(b, n, "to=SILENT", "to=ISOLATED")...)
	}
	for _, l := range logLines {
		b.Logf("log: %s", l)
	}
	falseSilent := nonRunning + len(logLines)
	b.ReportMetric(float64(falseSilent), "false-silent")
	b.ReportMetric(float64(nonRunning), "non-running-polls")
	b.ReportMetric(float64(len(logLines)), "silent-log-lines")
	b.ReportMetric(float64(rpcErrors), "rpc-errors")
	b.ReportMetric(float64(len(latencies)), "polls")
	slices.Sort(latencies)
	if len(latencies) > 0 {
		b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-rpc-ms")
		b.ReportMetric(ms(latencies[len(latencies)-1]), "max-rpc-ms")
	}
	b.ReportMetric(0, "ns/op")
	if falseSilent > 0 {
		b.Errorf("%d false positives under load: %d polls saw an address not RUNNING, %d log lines", falseSilent, nonRunning, len(logLines))
	}
	if rpcErrors > 0 {
		b.Errorf("%d polls got no answer within %v under load", rpcErrors, rpcTimeout)
	}
	stopAll(b, nodes, clients)
}

// pollAddressesFor asks every node for get_all_addresses_info every 100 ms
// during window, one goroutine per node. It returns how many addresses were
// seen not RUNNING, how many calls failed, and every call's latency.
func pollAddressesFor(tb testing.TB, nodes []*server, clients []*xmlrpc.Client, window time.Duration) (nonRunning, rpcErrors int, latencies []time.Duration) {
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	end := time.Now().Add(window)
	for i, c := range clients {
		wg.Go(func() {
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for time.Now().Before(end) {
				var infos []api.AddressInfo
				t0 := time.Now()
				err := call(c, "supvisors.get_all_addresses_info", &infos)
				took := time.Since(t0)
				mu.Lock()
				latencies = append(latencies, took)
				if err != nil {
					rpcErrors++
					tb.Logf("%s after %v: %v", nodes[i].host, took, err)
				}
				for _, a := range infos {
					if a.StateName != "RUNNING" {
						nonRunning++
						tb.Logf("%s sees %s %s", nodes[i].host, a.AddressName, a.StateName)
					}
				}
				mu.Unlock()
				<-tick.C
			}
		})
	}
	wg.Wait()
	return nonRunning, rpcErrors, latencies
}

// burnCPUs starts n busy-loop shells and returns what kills them; the
// benchmark's cleanup kills them too, whatever happens.
func burnCPUs(tb testing.TB, n int) (stop func()) {
	var cmds []*exec.Cmd
	var once sync.Once
	stop = func() {
		once.Do(func() {
			for _, c := range cmds {
				_ = c.Process.Kill()
				_ = c.Wait()
			}
		})
	}
	tb.Cleanup(stop)
	for range n {
		c := exec.Command("/bin/sh", "-c", "while :; do :; done")
		if err := c.Start(); err != nil {
			stop()
			tb.Fatalf("start a busy loop: %v", err)
		}
		cmds = append(cmds, c)
	}
	return stop
}

// grepLog returns the lines of s's main log file that contain any of
// substrings.
func grepLog(tb testing.TB, s *server, substrings ...string) []string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir, "supervisord.log"))
	if err != nil {
		tb.Fatalf("main log of %s: %v", s.host, err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		for _, sub := range substrings {
			if strings.Contains(sc.Text(), sub) {
				lines = append(lines, s.host+": "+sc.Text())
				break
			}
		}
	}
	return lines
}

// A probe asks one node something; done says whether the answer is the one
// awaited, detail what the node said otherwise.
type probe func(c *xmlrpc.Client) (done bool, detail string)

// watch runs probes in order against every client, one goroutine per
// client, each probe every pollEvery until it is done, and returns when
// each probe was first done on each client: at[client][probe]. It fails the
// benchmark if a probe is not done within clusterTimeout.
func watch(tb testing.TB, clients []*xmlrpc.Client, probes ...probe) (at [][]time.Time) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	at = make([][]time.Time, len(clients))
	failures := make([]string, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			tick := time.NewTicker(pollEvery)
			defer tick.Stop()
			for k, p := range probes {
				for {
					done, detail := p(c)
					if done {
						at[i] = append(at[i], time.Now())
						break
					}
					select {
					case <-ctx.Done():
						failures[i] = fmt.Sprintf("client %d, probe %d: %s", i+1, k+1, detail)
						return
					case <-tick.C:
					}
				}
			}
		})
	}
	wg.Wait()
	for _, f := range failures {
		if f != "" {
			tb.Fatalf("not done within %v: %s", clusterTimeout, f)
		}
	}
	return at
}

// latest is when probe k was done on every client.
func latest(at [][]time.Time, k int) time.Time {
	var t time.Time
	for _, times := range at {
		if times[k].After(t) {
			t = times[k]
		}
	}
	return t
}

func call(c *xmlrpc.Client, method string, reply any, params ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	defer cancel()
	return c.Call(ctx, method, params, reply)
}

// answers: the node's XML-RPC server is up.
func answers(c *xmlrpc.Client) (bool, string) {
	var state map[string]any
	if err := call(c, "supervisor.getState", &state); err != nil {
		return false, err.Error()
	}
	return true, ""
}

func supvisorsStateIs(want string) probe {
	return func(c *xmlrpc.Client) (bool, string) {
		var st api.SupvisorsStateInfo
		if err := call(c, "supvisors.get_supvisors_state", &st); err != nil {
			return false, err.Error()
		}
		return st.StateName == want, "state " + st.StateName
	}
}

func addressIs(address, want string) probe {
	return func(c *xmlrpc.Client) (bool, string) {
		var info api.AddressInfo
		if err := call(c, "supvisors.get_address_info", &info, address); err != nil {
			return false, err.Error()
		}
		return info.StateName == want, address + " " + info.StateName
	}
}

func masterIs(want string) probe {
	return func(c *xmlrpc.Client) (bool, string) {
		var master string
		if err := call(c, "supvisors.get_master_address", &master); err != nil {
			return false, err.Error()
		}
		return master == want, fmt.Sprintf("master %q", master)
	}
}

// operationUnder: OPERATION with master as master. The master is asked
// first: a new master comes with DEPLOYMENT, so OPERATION read after it is
// the one that follows.
func operationUnder(master string) probe {
	isMaster, inOperation := masterIs(master), supvisorsStateIs("OPERATION")
	return func(c *xmlrpc.Client) (bool, string) {
		if ok, detail := isMaster(c); !ok {
			return false, detail
		}
		return inOperation(c)
	}
}

// clusterReady: OPERATION, n addresses all RUNNING, and master as master
// unless it is "".
func clusterReady(n int, master string) probe {
	inOperation := supvisorsStateIs("OPERATION")
	return func(c *xmlrpc.Client) (bool, string) {
		if ok, detail := inOperation(c); !ok {
			return false, detail
		}
		var infos []api.AddressInfo
		if err := call(c, "supvisors.get_all_addresses_info", &infos); err != nil {
			return false, err.Error()
		}
		running := 0
		for _, a := range infos {
			if a.StateName == "RUNNING" {
				running++
			}
		}
		if running != n {
			return false, fmt.Sprintf("%d of %d addresses RUNNING: %+v", running, n, infos)
		}
		if master == "" {
			return true, ""
		}
		return masterIs(master)(c)
	}
}

func clientsOf(tb testing.TB, nodes []*server) []*xmlrpc.Client {
	tb.Helper()
	clients := make([]*xmlrpc.Client, len(nodes))
	for i, n := range nodes {
		c, err := xmlrpc.NewClient(n.url, xmlrpc.ClientOptions{Username: n.user, Password: n.password})
		if err != nil {
			tb.Fatal(err)
		}
		clients[i] = c
	}
	return clients
}

// stopAll stops every agent (at once: each leaves the ring) and closes the
// clients, so that an iteration leaves nothing running behind it.
// startServerWith's cleanup would do it too, but only at the end of the
// whole b.N loop.
func stopAll(tb testing.TB, nodes []*server, clients []*xmlrpc.Client) {
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Go(func() { n.kill(tb) })
	}
	wg.Wait()
	for _, c := range clients {
		c.Close()
	}
}

func reportP50Max(b *testing.B, ds []time.Duration, unit string) {
	if len(ds) == 0 {
		return
	}
	ds = slices.Sorted(slices.Values(ds))
	b.ReportMetric(ms(ds[(len(ds)-1)/2]), "p50-"+unit)
	b.ReportMetric(ms(ds[len(ds)-1]), "max-"+unit)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// launchClusterNodes starts n agents one right after the other, without
// waiting for any to answer.
func launchClusterNodes(tb testing.TB, n int, supvisors, body string) []*server {
	tb.Helper()
	p := planCluster(tb, n, supvisors)
	nodes := make([]*server, n)
	for i := range nodes {
		nodes[i] = p.node(tb, i, body)
	}
	for _, s := range nodes {
		s.launch(tb)
	}
	return nodes
}

// BenchmarkIdle30: 30 agents on 127.0.0.1-30 in OPERATION, each with one
// idle program; the mean and max RSS of an agent, and the mean and max CPU
// an agent uses over 10 s of idling (gossip, probes, push/pull).
func BenchmarkIdle30(b *testing.B) {
	const n = 30
	nodes := launchClusterNodes(b, n, "", idleProgram)
	clients := clientsOf(b, nodes)
	watch(b, clients, supvisorsStateIs("OPERATION"))
	defer stopAll(b, nodes, clients)
	for range b.N {
		before := make([]time.Duration, n)
		for i, s := range nodes {
			before[i] = cpuTime(b, s.cmd.Process.Pid)
		}
		t0 := time.Now()
		time.Sleep(10 * time.Second) // the window measured, not a synchronisation
		elapsed := time.Since(t0)
		var sumCPU, maxCPU, sumRSS, maxRSS float64
		for i, s := range nodes {
			cpu := 100 * float64(cpuTime(b, s.cmd.Process.Pid)-before[i]) / float64(elapsed)
			rss := float64(rssKB(b, s.cmd.Process.Pid)) / 1024
			sumCPU, maxCPU = sumCPU+cpu, max(maxCPU, cpu)
			sumRSS, maxRSS = sumRSS+rss, max(maxRSS, rss)
		}
		b.ReportMetric(sumCPU/n, "mean-cpu-%")
		b.ReportMetric(maxCPU, "max-cpu-%")
		b.ReportMetric(sumRSS/n, "mean-RSS-MB")
		b.ReportMetric(maxRSS, "max-RSS-MB")
	}
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the user and system time pid has used (clock ticks of 10 ms).
func cpuTime(tb testing.TB, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The fields after the command name (which may hold spaces), from state.
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
	utime, _ := strconv.Atoi(fields[11])
	stime, _ := strconv.Atoi(fields[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
