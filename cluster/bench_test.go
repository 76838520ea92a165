package cluster

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

// These benchmarks measure the cluster's timings with the shipped gossip
// defaults, one scenario per iteration (run with -benchtime=10x or more):
//
//	go test -run '^$' -bench . -benchtime 10x ./cluster/

// BenchmarkDetection3 and BenchmarkDetection10: a node dies without leaving;
// time until every survivor's view says SILENT.
func BenchmarkDetection3(b *testing.B)  { benchmarkDetection(b, 3) }
func BenchmarkDetection10(b *testing.B) { benchmarkDetection(b, 10) }

func benchmarkDetection(b *testing.B, n int) {
	var times []time.Duration
	for range b.N {
		b.StopTimer()
		nodes := startedNodes(b, n)
		victim := nodes[n-1]
		b.StartTimer()
		t0 := time.Now()
		victim.kill()
		times = append(times, untilAll(nodes[:n-1], addressIs(victim.addr, enums.AddressSilent), t0))
		b.StopTimer()
		stopAll(nodes[:n-1])
	}
	reportTimes(b, times)
}

// BenchmarkMasterFailover: the master dies; time until every survivor has the
// new master, and until every survivor is back in OPERATION.
func BenchmarkMasterFailover(b *testing.B) {
	var masters, operation []time.Duration
	for range b.N {
		b.StopTimer()
		nodes := startedNodes(b, 3)
		b.StartTimer()
		t0 := time.Now()
		nodes[0].kill()
		masters = append(masters, untilAll(nodes[1:], func(v *view.View) bool { return v.Master() == addr2 }, t0))
		operation = append(operation, untilAll(nodes[1:], inOperation(addr2), t0))
		b.StopTimer()
		stopAll(nodes[1:])
	}
	reportTimes(b, masters)
	slices.Sort(operation)
	b.ReportMetric(ms(operation[len(operation)/2]), "p50-operation-ms")
	b.ReportMetric(ms(operation[len(operation)-1]), "max-operation-ms")
}

// BenchmarkClusterStart: three nodes started together; time from the last
// start until every node is in OPERATION.
func BenchmarkClusterStart(b *testing.B) {
	var times []time.Duration
	for range b.N {
		b.StopTimer()
		nodes := testCluster(b, 3, nil)
		b.StartTimer()
		var wg sync.WaitGroup
		for _, n := range nodes {
			wg.Add(1)
			go func() { defer wg.Done(); n.start(sleeper("app", "a")) }()
		}
		wg.Wait()
		t0 := time.Now()
		times = append(times, untilAll(nodes, inOperation(addr1), t0))
		b.StopTimer()
		stopAll(nodes)
	}
	reportTimes(b, times)
}

// BenchmarkPropagation3 and BenchmarkPropagation30: a process changes
// state on node 1; time until the change is visible on every other node.
func BenchmarkPropagation3(b *testing.B)  { benchmarkPropagation(b, 3) }
func BenchmarkPropagation30(b *testing.B) { benchmarkPropagation(b, 30) }

func benchmarkPropagation(b *testing.B, n int) {
	nodes := startedNodes(b, n)
	p := nodes[0].sup.Group("app").Process("a")
	ctx, cancel := contextWithTimeout()
	defer cancel()
	var times []time.Duration
	b.ResetTimer()
	for i := range b.N {
		want := enums.ProcessRunning
		if i%2 == 0 {
			if err := p.Start(""); err != nil {
				b.Fatal(err)
			}
			_ = p.WaitStarted(ctx)
		} else {
			want = enums.ProcessStopped
			if err := p.Stop(); err != nil {
				b.Fatal(err)
			}
			_ = p.WaitStopped(ctx)
		}
		changed := time.Now()
		times = append(times, untilAll(nodes[1:], func(v *view.View) bool {
			info, ok := v.Process(view.Key{Group: "app", Name: "a"})
			return ok && info.State == want
		}, changed))
	}
	reportTimes(b, times)
}

// startedNodes starts n nodes and waits until all are in OPERATION.
func startedNodes(tb testing.TB, n int) []*testNode {
	nodes := testCluster(tb, n, nil)
	for _, node := range nodes {
		node.start(sleeper("app", "a"))
	}
	for _, node := range nodes {
		node.waitFor("OPERATION", inOperation(addr1))
	}
	return nodes
}

// untilAll waits until cond holds on every node and returns the time since
// t0 at which the last one got there.
func untilAll(nodes []*testNode, cond func(*view.View) bool, t0 time.Time) time.Duration {
	var mu sync.Mutex
	var last time.Duration
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.await("benchmark condition", cond); err != nil {
				n.tb.Error(err)
				return
			}
			d := time.Since(t0)
			mu.Lock()
			last = max(last, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return last
}

func stopAll(nodes []*testNode) {
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() { defer wg.Done(); n.stopNow(n.c, n.sup, false) }()
	}
	wg.Wait()
}

func reportTimes(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
	b.ReportMetric(ms(times[(len(times)*99)/100]), "p99-ms")
	b.ReportMetric(ms(times[len(times)-1]), "max-ms")
	b.ReportMetric(0, "ns/op")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkConciliation: a process is started on a second node; time until
// every node is in CONCILIATION, then from conciliate(SENICIDE) until every
// node is back in OPERATION.
func BenchmarkConciliation(b *testing.B) {
	var detect, resolve []time.Duration
	for range b.N {
		b.StopTimer()
		nodes := testCluster(b, 3, func(c *Config) { c.Supvisors.ConciliationStrategy = "USER" })
		for _, n := range nodes {
			n.start(sleeper("app", "a"))
		}
		for _, n := range nodes {
			n.waitFor("OPERATION", inOperation(addr1))
		}
		start(b, nodes[0], "app", "a")
		untilAll(nodes, func(v *view.View) bool {
			p, _ := v.Process(view.Key{Group: "app", Name: "a"})
			return len(p.Addresses) == 1
		}, time.Now())
		b.StartTimer()
		t0 := time.Now()
		start(b, nodes[1], "app", "a")
		detect = append(detect, untilAll(nodes, func(v *view.View) bool { return v.State() == enums.SupvisorsConciliation }, t0))
		t1 := time.Now()
		if _, err := nodes[0].c.Conciliate(enums.ConciliateSenicide); err != nil {
			b.Fatal(err)
		}
		resolve = append(resolve, untilAll(nodes, inOperation(addr1), t1))
		b.StopTimer()
		stopAll(nodes)
	}
	reportTimes(b, detect)
	slices.Sort(resolve)
	b.ReportMetric(ms(resolve[len(resolve)/2]), "p50-conciliate-ms")
	b.ReportMetric(ms(resolve[len(resolve)-1]), "max-conciliate-ms")
}
