package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
)

// BenchmarkTestStartApplication200: the dry run of an application of 200
// programs (4 phases of 50, loadings 0 to 4, addresses *) on 3 nodes,
// asked of the master and of another node (which forwards it), with every
// strategy but LOCAL; p50 and max per call.
func BenchmarkTestStartApplication200(b *testing.B) {
	const n, phases = 200, 4
	var rules, body strings.Builder
	rules.WriteString("<root>\n  <application name=\"big\">\n")
	var names []string
	for i := range n {
		name := fmt.Sprintf("p%03d", i)
		names = append(names, name)
		fmt.Fprintf(&rules, "    <program name=\"%s\"><start_sequence>%d</start_sequence><loading>%d</loading></program>\n", name, i/(n/phases)+1, i%5)
		body.WriteString(sleeper(name, ""))
	}
	rules.WriteString("  </application>\n</root>\n")
	body.WriteString("\n[group:big]\nprograms=" + strings.Join(names, ",") + "\n")

	nodes := startClusterNodes(b, 3, writeRulesFile(b, rules.String()), body.String())
	clients := clientsOf(b, nodes)
	defer stopAll(b, nodes, clients)
	watch(b, clients, clusterReady(3, "127.0.0.1"))

	for _, asked := range []struct {
		name string
		node int
	}{{"master", 0}, {"forwarded", 1}} {
		b.Run(asked.name, func(b *testing.B) {
			var took []time.Duration
			for i := range b.N {
				strategy := []string{"CONFIG", "LESS_LOADED", "MOST_LOADED", "LESS_LOADED_NODE", "MOST_LOADED_NODE"}[i%5]
				var plan []api.PlannedStart
				t0 := time.Now()
				if err := call(clients[asked.node], "supvisors.test_start_application", &plan, strategy, "big"); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
				if len(plan) != n {
					b.Fatalf("test_start_application(%s, big): %d entries", strategy, len(plan))
				}
			}
			reportP50Max(b, took, "ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
