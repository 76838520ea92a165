package integration

import (
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
// addresses *) in 5 phases of 10 on 3 nodes: start_application(wait=true)
// (total, and per phase: total/5 since startsecs=0 — the overhead beyond
// startsecs, target ≤ 5 ms) and stop_application(wait=true) (target ≤ 20
// ms), asked of the master.
func BenchmarkStartApplication50(b *testing.B) {
	const n, phases = 50, 5
	var rules, body strings.Builder
	rules.WriteString("<root>\n  <application name=\"big\">\n")
	var names []string
	for i := range n {
		name := fmt.Sprintf("p%02d", i)
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

	for _, strategy := range []string{"CONFIG", "LESS_LOADED"} {
		b.Run(strategy, func(b *testing.B) {
			var start, stop []time.Duration
			for range b.N {
				var ok bool
				t0 := time.Now()
				if err := call(master, "supvisors.start_application", &ok, strategy, "big", true); err != nil || !ok {
					b.Fatalf("start_application: %v %v", ok, err)
				}
				start = append(start, time.Since(t0))
				var infos []api.ClusterProcessInfo
				if err := call(master, "supvisors.get_process_info", &infos, "big:*"); err != nil {
					b.Fatal(err)
				}
				where := map[string]int{}
				for _, p := range infos {
					if p.StateName != "RUNNING" || len(p.Addresses) != 1 {
						b.Fatalf("after start_application: %+v", p)
					}
					where[p.Addresses[0]]++
				}
				t0 = time.Now()
				if err := call(master, "supvisors.stop_application", &ok, "big", true); err != nil || !ok {
					b.Fatalf("stop_application: %v %v", ok, err)
				}
				stop = append(stop, time.Since(t0))
				b.Logf("start %v (placement %v), stop %v", start[len(start)-1], where, stop[len(stop)-1])
				watch(b, clients[:1], applicationIs("big", "STOPPED"))
			}
			reportP50Max(b, start, "start-ms")
			perPhase := make([]time.Duration, len(start))
			for i, d := range start {
				perPhase[i] = d / phases
			}
			reportP50Max(b, perPhase, "phase-ms")
			reportP50Max(b, stop, "stop-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
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
