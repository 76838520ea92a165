package process

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
)

// BenchmarkStartToRunning measures startProcess(wait) for a program with
// startsecs=0: Start then WaitStarted.
func BenchmarkStartToRunning(b *testing.B) {
	h := newHarness(b)
	p := h.one(b, h.program("bench", "sleep 1000", func(c *config.Process) { c.Startsecs = 0 }))
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := p.Start(""); err != nil {
			b.Fatal(err)
		}
		if err := p.WaitStarted(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := p.Stop(); err != nil {
			b.Fatal(err)
		}
		if err := p.WaitStopped(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkStopToStopped measures stopProcess(wait) for a program that
// exits at once on SIGTERM: Stop then WaitStopped.
func BenchmarkStopToStopped(b *testing.B) {
	h := newHarness(b)
	p := h.one(b, h.program("bench", "sleep 1000", func(c *config.Process) { c.Startsecs = 0 }))
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		if err := p.Start(""); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := p.Stop(); err != nil {
			b.Fatal(err)
		}
		if err := p.WaitStopped(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleChildren1000 starts 1,000 idle children with stdout and
// stderr log files and reports the agent's resident memory with them.
func BenchmarkIdleChildren1000(b *testing.B) {
	const n = 1000
	for range b.N {
		b.StopTimer()
		runtime.GC()
		before := rssKB(b)
		b.StartTimer()
		h := newHarness(b)
		var cfgs []*config.Process
		for i := range n {
			cfgs = append(cfgs, h.program(fmt.Sprintf("idle%04d", i), "sleep 1000", func(c *config.Process) {
				c.Autostart, c.Startsecs = true, 0
			}))
		}
		h.run(b, group("idle", 1, cfgs...))
		b.StopTimer()
		for _, p := range h.Processes() {
			if p.State() != enums.ProcessRunning {
				b.Fatalf("%s: %v", p.Name(), p.State())
			}
		}
		runtime.GC()
		after := rssKB(b)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(after)/1024, "RSS-MB")
		b.ReportMetric(float64(after-before)/n, "RSS-KB/child")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		h.shutdown(b)
		b.StartTimer()
	}
}

// rssKB reads VmRSS from /proc/self/status.
func rssKB(tb testing.TB) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				tb.Fatal(err)
			}
			return kb
		}
	}
	tb.Fatal("no VmRSS")
	return 0
}
