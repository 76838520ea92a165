package integration

import (
	"context"
	"testing"
	"time"
)

// BenchmarkRollingRestart: rolling_restart of an application of 10
// processes with startsecs=1 spread over 3 agents (LESS_LOADED), measured
// from the call to its reply with wait: the total, and its overhead beyond
// 10 × startsecs (the stops, the placements, the news of each RUNNING).
func BenchmarkRollingRestart(b *testing.B) {
	const rules = `<root>
  <application name="p"><start_sequence>1</start_sequence>
    <pattern name="p_"><start_sequence>1</start_sequence><loading>5</loading></pattern>
  </application>
</root>`
	const body = `
[program:p]
process_name=%(program_name)s_%(process_num)d
numprocs=10
command=/bin/sleep 1000
autostart=false
startsecs=1
`
	nodes := startClusterNodes(b, 3, writeRulesFile(b, rules)+"\nstarting_strategy=LESS_LOADED", body)
	nodes[0].waitPython(b, "p.supvisors.get_application_info('p')['statename']", "RUNNING")
	sv := newTestClient(b, nodes[0].url, nodes[0]).Supvisors()
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if ok, err := sv.RollingRestart(context.Background(), "p", true); err != nil || !ok {
			b.Fatalf("rolling_restart(p): %v, %v", ok, err)
		}
		total += time.Since(start)
	}
	mean := total / time.Duration(b.N)
	b.ReportMetric(mean.Seconds(), "s/rollout")
	b.ReportMetric((mean-10*time.Second).Seconds()*1000/10, "ms-overhead/process")
}
