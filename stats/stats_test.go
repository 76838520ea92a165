package stats

import (
	"context"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// startTree starts sh with a child that burns CPU: the figures of sh must
// include its descendant's.
func startTree(t testing.TB) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sh", "-c", "while :; do :; done & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // sh and its loop
		_ = cmd.Wait()
	})
	return cmd
}

// samples runs c until the test ends and returns its samples as they come.
func samples(t *testing.T, c *Collector) <-chan []ProcessStats {
	ch := make(chan []ProcessStats, 100)
	c.OnSample(func(_ Host, ps []ProcessStats) {
		select {
		case ch <- ps:
		default:
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go c.Run(ctx)
	return ch
}

func TestCollectorHostAndProcessTree(t *testing.T) {
	cmd := startTree(t)
	pid := cmd.Process.Pid
	running := make(chan []Process, 1)
	running <- []Process{{Namespec: "app:burn", PID: pid}}
	c, err := New(Options{Periods: []int{1, 7}, Histo: 3, Processes: func() []Process {
		ps := <-running
		running <- ps
		return ps
	}})
	if err != nil {
		t.Fatal(err)
	}
	ch := samples(t, c)
	deadline := time.After(20 * time.Second)
	var got ProcessStats
	for got.CPU < 5 || len(got.History.Time) < 3 {
		select {
		case ps := <-ch:
			for _, p := range ps {
				if p.Period == 1 && len(p.History.Time) != 1 {
					t.Errorf("a sample's history has %d samples, want the latest only", len(p.History.Time))
				}
			}
			got, _, _ = c.Process("app:burn", pid, 1)
		case <-deadline:
			t.Fatalf("no CPU measured for the tree of sh (its child burns a core): last %+v", got)
		}
	}
	if got.Namespec != "app:burn" || got.PID != pid || got.CPU > 100 || got.Mem <= 0 || got.Mem > 100 {
		t.Errorf("process stats = %+v", got)
	}
	if len(got.History.Time) != 3 || len(got.History.CPU) != 3 || len(got.History.Mem) != 3 {
		t.Errorf("history = %+v, want the last 3 samples (stats_histo)", got.History)
	}
	h, ok, err := c.Host(1)
	if err != nil || !ok {
		t.Fatalf("Host(1) = %v, %v", ok, err)
	}
	if len(h.CPU) != runtime.NumCPU()+1 || h.CPU[0] <= 0 || h.Mem <= 0 || h.Mem > 100 {
		t.Errorf("host = %+v: want the total then %d cores, memory in (0;100]", h, runtime.NumCPU())
	}
	if _, ok := h.IO["lo"]; !ok {
		t.Errorf("io = %v, want the loopback interface", h.IO)
	}
	// The second period was sampled at the start, on its own schedule.
	if _, ok, err := c.Host(7); err != nil || !ok {
		t.Errorf("Host(7) = %v, %v: want the early sample", ok, err)
	}
	if _, _, err := c.Host(10); err != ErrPeriod {
		t.Errorf("Host(10) error = %v, want ErrPeriod", err)
	}

	// Once the process no longer runs, it has no statistics: none stale.
	<-running
	running <- nil
	for {
		select {
		case <-ch:
			if _, ok, _ := c.Process("app:burn", pid, 1); !ok {
				return
			}
		case <-deadline:
			t.Fatal("statistics kept for a process that no longer runs")
		}
	}
}

func TestCollectorIrixMode(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("IRIX mode differs from the host share only with 2 cores or more")
	}
	cmd := startTree(t)
	c, err := New(Options{Periods: []int{1}, Histo: 10, IrixMode: true, Processes: func() []Process {
		return []Process{{Namespec: "burn", PID: cmd.Process.Pid}}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ch := samples(t, c)
	deadline := time.After(20 * time.Second)
	// A busy loop takes more than a host share of 100/NumCPU % of one core
	// when the machine is not saturated: IRIX mode shows it above that.
	limit := 100/float64(runtime.NumCPU()) + 1
	for {
		select {
		case ps := <-ch:
			if len(ps) == 1 && ps[0].CPU > limit {
				return
			}
		case <-deadline:
			t.Fatalf("IRIX mode never showed more than %.0f%% for a busy loop", limit)
		}
	}
}

func TestRingKeepsTheLastSamplesInOrder(t *testing.T) {
	r := newRing(3)
	for i := 1; i <= 7; i++ {
		r.push(float64(i), float64(10*i), float64(100*i))
		want := max(i-2, 1)
		h := r.history()
		if len(h.Time) != min(i, 3) || h.Time[0] != float64(want) || h.CPU[0] != float64(10*want) ||
			h.Mem[len(h.Mem)-1] != float64(100*i) {
			t.Fatalf("after %d pushes: %+v", i, h)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{{Histo: 10}, {Periods: []int{1, 2, 3, 4}, Histo: 10}, {Periods: []int{0}, Histo: 10},
		{Periods: []int{3601}, Histo: 10}, {Periods: []int{10}}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}
