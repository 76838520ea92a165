package integration

import (
	"os/exec"
	"testing"
	"time"
)

// BenchmarkCtlStatus1000 measures a whole command, from exec to exit, with
// 1,000 processes on one agent: supvisorsctl's status and sstatus, and
// Debian's supervisorctl status against the same agent.
func BenchmarkCtlStatus1000(b *testing.B) {
	s := startServer(b, "supvisors", thousandSleepers)
	waitAllRunning(b, s, 1000)
	for _, c := range []struct {
		name, tool, verb string
	}{
		{"supvisorsctl-status", ctlBinary, "status"},
		{"supvisorsctl-sstatus", ctlBinary, "sstatus"},
		{"supervisorctl-status", "supervisorctl", "status"},
	} {
		b.Run(c.name, func(b *testing.B) {
			latencies := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				t0 := time.Now()
				cmd := exec.Command(c.tool, append(s.credentials(), c.verb)...)
				cmd.Env = cleanEnv()
				if out, err := cmd.Output(); err != nil || len(out) < 1000*40 {
					b.Fatalf("%s %s: %v, %d bytes", c.tool, c.verb, err, len(out))
				}
				latencies = append(latencies, time.Since(t0))
			}
			reportLatencies(b, latencies, time.Since(start))
		})
	}
}
