package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// writeRulesFile writes rules into a scratch file and returns the
// [supvisors] line that names it.
func writeRulesFile(tb testing.TB, rules string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "rules.xml")
	if err := os.WriteFile(path, []byte(rules), 0o644); err != nil {
		tb.Fatal(err)
	}
	return "rules_file=" + path
}

// processIs: get_process_info(namespec) shows it in state on exactly the
// addresses given.
func processIs(namespec, state string, addresses ...string) probe {
	return func(c *xmlrpc.Client) (bool, string) {
		var infos []api.ClusterProcessInfo
		if err := call(c, "supvisors.get_process_info", &infos, namespec); err != nil {
			return false, err.Error()
		}
		if len(infos) != 1 {
			return false, fmt.Sprintf("%d processes", len(infos))
		}
		return infos[0].StateName == state && slices.Equal(infos[0].Addresses, addresses),
			fmt.Sprintf("%s %s on %v", namespec, infos[0].StateName, infos[0].Addresses)
	}
}

// BenchmarkFailoverRestartProcess: a RESTART_PROCESS program (startsecs=0)
// runs on 127.0.0.2 of its addresses 127.0.0.2,127.0.0.3; kill -9 the agent
// of 127.0.0.2 and measure until the master reports it RUNNING on
// 127.0.0.3. Target: ≤ 2 s + startsecs.
func BenchmarkFailoverRestartProcess(b *testing.B) {
	const rules = `<root>
  <application name="fo">
    <start_sequence>1</start_sequence>
    <program name="fo">
      <addresses>127.0.0.2,127.0.0.3</addresses><start_sequence>1</start_sequence>
      <running_failure_strategy>RESTART_PROCESS</running_failure_strategy>
    </program>
  </application>
</root>`
	var took, silent []time.Duration
	for range b.N {
		nodes := startClusterNodes(b, 3, writeRulesFile(b, rules), idleProgram+sleeper("fo", ""))
		clients := clientsOf(b, nodes)
		watch(b, clients, clusterReady(3, "127.0.0.1"), processIs("fo", "RUNNING", "127.0.0.2"))

		t0 := time.Now()
		_ = nodes[1].cmd.Process.Kill()
		// The master's view: 127.0.0.2 lost, then the process RUNNING again.
		at := watch(b, clients[:1], addressIs("127.0.0.2", "SILENT"), processIs("fo", "RUNNING", "127.0.0.3"))
		silent = append(silent, latest(at, 0).Sub(t0))
		took = append(took, latest(at, 1).Sub(t0))
		b.Logf("SILENT after %v, RUNNING on 127.0.0.3 %v after the kill", silent[len(silent)-1], took[len(took)-1])

		stopAll(b, nodes, clients)
	}
	reportP50Max(b, took, "ms")
	reportP50Max(b, silent, "silent-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkStartApplication50: an application of 50 programs (startsecs=0,
// addresses *) in 5 phases of 10 on 3 nodes, asked of the master:
// start_application(wait=true) (total, and per phase: total/5), the same
// programs started in one go by start_process("big:*", wait=true) (flat),
// and stop_application(wait=true) (target ≤ 20 ms). The per-phase overhead
// beyond startsecs (target ≤ 2 ms) is measured two ways: what the phases
// add to the flat start, per phase, (start − flat)/5 (overhead), which
// also counts that a phase waits for its slowest spawn where the flat
// start keeps spawning; and, from the agents' logs, the time from the last
// process of a phase entering RUNNING to the first start of the next
// (gap): event latency, the master's bookkeeping and the next placement;
// and per phase, the time of the call when no process of a phase was being
// spawned (idle): (start − the sum over phases of the time from its first
// start to its last RUNNING)/5, which the spawns' own pace, from one start
// to another, does not change; of it, the call's head (from the call to
// the first start) and tail (from the last RUNNING to the reply).
func BenchmarkStartApplication50(b *testing.B) { benchStartApplication(b, 50, 5) }

// BenchmarkStartApplication1000 is BenchmarkStartApplication50 at 1,000
// programs in 10 phases of 100.
func BenchmarkStartApplication1000(b *testing.B) { benchStartApplication(b, 1000, 10) }

// benchStartApplication measures, with the CONFIG and LESS_LOADED
// strategies, the start of an application of n programs in phases of
// n/phases on 3 nodes, its flat start, and its stop (see
// BenchmarkStartApplication50).
func benchStartApplication(b *testing.B, n, phases int) {
	var rules, body strings.Builder
	rules.WriteString("<root>\n  <application name=\"big\">\n")
	var names []string
	for i := range n {
		name := fmt.Sprintf("p%04d", i)
		names = append(names, name)
		fmt.Fprintf(&rules, "    <program name=\"%s\"><start_sequence>%d</start_sequence></program>\n", name, i/(n/phases)+1)
		body.WriteString(sleeper(name, ""))
	}
	rules.WriteString("  </application>\n</root>\n")
	body.WriteString("\n[group:big]\nprograms=" + strings.Join(names, ",") + "\n")

	nodes := startClusterNodes(b, 3, writeRulesFile(b, rules.String()), body.String())
	clients := clientsOf(b, nodes)
	defer stopAll(b, nodes, clients)
	watch(b, clients, clusterReady(3, "127.0.0.1"))
	master := clients[0]

	// timed runs the call and checks that it answered true.
	timed := func(b *testing.B, method string, params ...any) time.Duration {
		var ok bool
		t0 := time.Now()
		if err := callWithin(master, clusterTimeout, method, &ok, params...); err != nil || !ok {
			b.Fatalf("%s: %v %v", method, ok, err)
		}
		return time.Since(t0)
	}
	// started checks that every process runs on one address, and tells
	// how many run on each.
	started := func(b *testing.B) map[string]int {
		var infos []api.ClusterProcessInfo
		if err := call(master, "supvisors.get_process_info", &infos, "big:*"); err != nil {
			b.Fatal(err)
		}
		where := map[string]int{}
		for _, p := range infos {
			if p.StateName != "RUNNING" || len(p.Addresses) != 1 {
				b.Fatalf("after the start: %+v", p)
			}
			where[p.Addresses[0]]++
		}
		return where
	}
	stop := func(b *testing.B) time.Duration {
		d := timed(b, "supvisors.stop_application", "big", true)
		watch(b, clients[:1], applicationIs("big", "STOPPED"))
		return d
	}

	for _, strategy := range []string{"CONFIG", "LESS_LOADED"} {
		b.Run(strategy, func(b *testing.B) {
			var starts, perPhase, overhead, gaps, idle, heads, tails, stops []time.Duration
			for range b.N {
				began := time.Now()
				start := timed(b, "supvisors.start_application", strategy, "big", true)
				p := phaseGaps(b, nodes, began, phases, n/phases)
				gaps = append(gaps, p.gaps...)
				idle = append(idle, (start-p.spawning)/time.Duration(phases))
				heads = append(heads, p.firstStart.Sub(began))
				tails = append(tails, began.Add(start).Sub(p.lastRunning))
				where := started(b)
				stops = append(stops, stop(b))
				flat := timed(b, "supvisors.start_process", strategy, "big:*", "", true)
				started(b)
				stop(b)
				starts = append(starts, start)
				perPhase = append(perPhase, start/time.Duration(phases))
				overhead = append(overhead, (start-flat)/time.Duration(phases))
				b.Logf("start %v (%v per phase, placement %v), flat %v: overhead %v per phase, idle %v per phase; stop %v",
					start, perPhase[len(perPhase)-1], where, flat, overhead[len(overhead)-1], idle[len(idle)-1], stops[len(stops)-1])
			}
			reportP50Max(b, starts, "start-ms")
			reportP50Max(b, perPhase, "phase-ms")
			reportP50Max(b, overhead, "overhead-ms")
			reportP50Max(b, gaps, "gap-ms")
			reportP50Max(b, idle, "idle-ms")
			reportP50Max(b, heads, "head-ms")
			reportP50Max(b, tails, "tail-ms")
			reportP50Max(b, stops, "stop-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// phaseGaps returns, for the start of phases of size programs p0000,
// p0001... that began at began, the time from the last process of each
// phase entering RUNNING to the first start of the next, as the logs of
// nodes tell it (to the millisecond): what the phases add beyond the
// spawning of their processes and startsecs; and the sum over phases of
// the time from its first start to its last RUNNING.
func phaseGaps(tb testing.TB, nodes []*server, began time.Time, phases, size int) phaseTimes {
	tb.Helper()
	firstStart, lastRunning := make([]time.Time, phases), make([]time.Time, phases)
	for _, n := range nodes {
		data, err := os.ReadFile(filepath.Join(n.dir, "supervisord.log"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if len(line) < 23 {
				continue
			}
			t, err := time.ParseInLocation("2006-01-02 15:04:05.000", line[:23], time.Local)
			if err != nil || t.Before(began.Truncate(time.Millisecond)) {
				continue
			}
			var i int
			switch {
			case strings.Contains(line, "starting: process=big:p"):
				if _, err := fmt.Sscanf(line[strings.Index(line, "big:p")+5:], "%d", &i); err == nil && i/size < phases {
					if first := &firstStart[i/size]; first.IsZero() || t.Before(*first) {
						*first = t
					}
				}
			case strings.Contains(line, "entered RUNNING state"):
				if _, err := fmt.Sscanf(line[strings.Index(line, "success: p")+10:], "%d", &i); err == nil && i/size < phases {
					if last := &lastRunning[i/size]; t.After(*last) {
						*last = t
					}
				}
			}
		}
	}
	var gaps []time.Duration
	for k := 0; k+1 < phases && !firstStart[k+1].IsZero() && !lastRunning[k].IsZero(); k++ {
		gaps = append(gaps, firstStart[k+1].Sub(lastRunning[k]))
	}
	var spawning time.Duration
	for k := range phases {
		if firstStart[k].IsZero() || lastRunning[k].IsZero() {
			tb.Fatalf("phase %d not found in the logs", k)
		}
		spawning += lastRunning[k].Sub(firstStart[k])
	}
	return phaseTimes{gaps: gaps, spawning: spawning, firstStart: firstStart[0], lastRunning: lastRunning[phases-1]}
}

// phaseTimes is what the logs tell of a start in phases: the gaps between
// phases, the sum of the phases' spawning, the first start and the last
// RUNNING (the head and the tail of the call are what comes before and
// after them).
type phaseTimes struct {
	gaps                    []time.Duration
	spawning                time.Duration
	firstStart, lastRunning time.Time
}

// callWithin is call with a timeout of its own: an application of 1,000
// processes may take longer than a call's usual one to start or stop.
func callWithin(c *xmlrpc.Client, timeout time.Duration, method string, reply any, params ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.Call(ctx, method, params, reply)
}

func applicationIs(app, state string) probe {
	return func(c *xmlrpc.Client) (bool, string) {
		var info api.ApplicationInfo
		if err := call(c, "supvisors.get_application_info", &info, app); err != nil {
			return false, err.Error()
		}
		return info.StateName == state, app + " " + info.StateName
	}
}
