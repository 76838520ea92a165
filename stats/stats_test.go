package stats

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"slices"
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

// TestProcessCPU: a process's CPU is a share of the host's cores, or in
// IRIX mode of one core; a counter that went back (a reused pid) is no
// negative figure.
func TestProcessCPU(t *testing.T) {
	for _, tt := range []struct {
		used, secs, cores float64
		irix              bool
		want              float64
	}{
		{1, 1, 2, false, 50},
		{1, 1, 2, true, 100},
		{3, 2, 4, false, 37.5},
		{3, 2, 4, true, 150},
		{-1, 1, 2, true, 0},
	} {
		if got := processCPU(tt.used, tt.secs, tt.cores, tt.irix); got != tt.want {
			t.Errorf("processCPU(%v, %v, %v, %v) = %v, want %v", tt.used, tt.secs, tt.cores, tt.irix, got, tt.want)
		}
	}
}

// TestCollectorIrixMode: in IRIX mode, a busy loop's CPU, measured on a
// real process, is a share of one core: above 0, at most 100 per core
// (how much above the host share it gets depends on the machine's load).
func TestCollectorIrixMode(t *testing.T) {
	cmd := startTree(t)
	c, err := New(Options{Periods: []int{1}, Histo: 10, IrixMode: true, Processes: func() []Process {
		return []Process{{Namespec: "burn", PID: cmd.Process.Pid}}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ch := samples(t, c)
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ps := <-ch:
			if len(ps) == 1 && ps[0].CPU > 0 {
				if limit := 100 * float64(runtime.NumCPU()); ps[0].CPU > limit+1 {
					t.Fatalf("IRIX mode showed %.0f%% for a tree on %d cores", ps[0].CPU, runtime.NumCPU())
				}
				return
			}
		case <-deadline:
			t.Fatal("IRIX mode never showed the busy loop's CPU")
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

// TestKernelChildrenMatchTheScan checks that the kernel's lists of
// children (what a reading walks) give a tree's children as the scan of
// every process's parent (the fallback) does.
func TestKernelChildrenMatchTheScan(t *testing.T) {
	if !haveChildLists() {
		t.Skip("this kernel does not list children (CONFIG_PROC_CHILDREN): readings scan every process")
	}
	cmd := exec.Command("sh", "-c", "sleep 100 & sleep 100 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	pid := int32(cmd.Process.Pid)
	var buf procBuffer
	deadline := time.Now().Add(10 * time.Second)
	for len(buf.kernelChildren(pid, 1)) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("sh's children never listed: %v", buf.kernelChildren(pid, 1))
		}
		time.Sleep(10 * time.Millisecond) // polling for the forks, with a deadline
	}
	listed := slices.Sorted(slices.Values(buf.kernelChildren(pid, 1)))
	scanned := slices.Sorted(slices.Values(scanChildren()(pid, 1)))
	if !slices.Equal(listed, scanned) || len(listed) != 2 {
		t.Fatalf("children of sh: listed %v, scanned %v", listed, scanned)
	}
}

// TestChildrenOfEveryThread checks that the children a process of several
// threads forked from any of them are found: the test's own, forked by
// the Go runtime's threads.
func TestChildrenOfEveryThread(t *testing.T) {
	if !haveChildLists() {
		t.Skip("this kernel does not list children (CONFIG_PROC_CHILDREN): readings scan every process")
	}
	var pids []int32
	for range 8 {
		cmd := exec.Command("sleep", "100")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		pids = append(pids, int32(cmd.Process.Pid))
	}
	var buf procBuffer
	self, err := buf.stat(int32(os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	if self.threads < 2 || self.ppid != int32(os.Getppid()) || self.rss == 0 {
		t.Fatalf("own stat: %+v", self)
	}
	children := buf.kernelChildren(int32(os.Getpid()), self.threads)
	for _, pid := range pids {
		if !slices.Contains(children, pid) {
			t.Errorf("child %d not among %v", pid, children)
		}
	}
}

func TestParseStat(t *testing.T) {
	// A command named "a) (b c", as a process may name itself.
	line := "42 (a) (b c) S 7 42 42 0 -1 4194304 100 0 0 0 250 130 0 0 20 0 3 0 1000 123456789 512 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	st, err := parseStat("/proc/42/stat", []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	want := procStat{ppid: 7, cpuSeconds: 3.8, threads: 3, rss: 512 * uint64(os.Getpagesize())}
	if st != want {
		t.Fatalf("got %+v, want %+v", st, want)
	}
	for _, bad := range []string{"42 comm S 7", "42 (sh) S 7 42 42 0 -1", "42 (sh) S 7 42 42 0 -1 4194304 100 0 0 0 x 130 0 0 20 0 3 0 1000 1 512 1"} {
		if _, err := parseStat("/proc/42/stat", []byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
