package stats

import (
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSample measures one sample (the reading of the host and of the
// trees of n supervised processes, then the figures and history of each):
// the collector takes one per period, so the share of a core it costs is
// the CPU time per sample over the period. It reports that share
// at the default period of 10 s as "%core@10s", from the CPU time (user and
// system) the process spent, not the wall clock.
func BenchmarkSample(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			procs := make([]Process, n)
			for i := range procs {
				cmd := exec.Command("sleep", "3600")
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
				procs[i] = Process{Namespec: fmt.Sprintf("g:p%d", i), PID: cmd.Process.Pid}
			}
			c, err := New(Options{Periods: []int{10}, Histo: 200, Processes: func() []Process { return procs }})
			if err != nil {
				b.Fatal(err)
			}
			c.sample([]int{10})
			var before syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			for b.Loop() {
				c.sample([]int{10})
			}
			if got := len(c.periods[10].procs); got != n {
				b.Fatalf("%d processes sampled, want %d", got, n)
			}
			var after syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			cpu := time.Duration(syscall.TimevalToNsec(after.Utime) - syscall.TimevalToNsec(before.Utime) +
				syscall.TimevalToNsec(after.Stime) - syscall.TimevalToNsec(before.Stime))
			perRead := cpu.Seconds() / float64(b.N)
			b.ReportMetric(perRead/10*100, "%core@10s")
		})
	}
}
