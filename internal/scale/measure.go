package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's times.
const clockTicks = 100

// cpuTicks returns the user and system time pid has used, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name (in parentheses, which may hold
	// spaces): state is the 3rd field, utime and stime the 14th and 15th.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad times", pid)
	}
	return utime + stime, nil
}

// rssKB returns the resident set size of pid, in kB.
func rssKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// stats is the mean and the maximum of a sample.
type stats struct{ mean, max float64 }

func meanMax(xs []float64) stats {
	var s stats
	for _, x := range xs {
		s.mean += x / float64(len(xs))
		s.max = max(s.max, x)
	}
	return s
}

// percentile is the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(ds))
	return sorted[max(0, (p*len(sorted)+99)/100-1)]
}

// profiler fetches the profiles of a few agents from their pprof server (a
// build with -tags pprof) into dir, and prints their top entries.
type profiler struct {
	dir     string
	port    int
	targets []string // addresses
}

// capture takes, over window, a CPU profile and the allocations of each
// target, and counts its goroutines.
func (p profiler) capture(ctx context.Context, window time.Duration) error {
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(p.targets))
	for i, a := range p.targets {
		wg.Go(func() {
			base := fmt.Sprintf("http://%s:%d/debug/pprof/", a, p.port)
			errs[i] = p.fetch(ctx, base+"allocs", "allocs-before-"+a)
			if errs[i] == nil {
				errs[i] = p.fetch(ctx, fmt.Sprintf("%sprofile?seconds=%d", base, int(window.Seconds())), "cpu-"+a)
			}
			if errs[i] == nil {
				errs[i] = p.fetch(ctx, base+"allocs", "allocs-after-"+a)
			}
			if errs[i] == nil {
				errs[i] = p.fetch(ctx, base+"goroutine?debug=1", "goroutines-"+a+".txt")
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (p profiler) fetch(ctx context.Context, url, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("profile %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile %s: %s", name, resp.Status)
	}
	f, err := os.Create(filepath.Join(p.dir, name))
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("profile %s: %w", name, err)
	}
	return f.Close()
}

// report prints, for each target, the top CPU and allocation entries
// (go tool pprof) and the goroutine count.
func (p profiler) report(w io.Writer, bin string) {
	for _, a := range p.targets {
		fmt.Fprintf(w, "\n## profiles of %s (%s)\n", a, p.dir)
		if b, err := os.ReadFile(filepath.Join(p.dir, "goroutines-"+a+".txt")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			fmt.Fprintln(w, first)
		}
		p.pprofTop(w, "CPU", bin, "-sample_index=cpu", filepath.Join(p.dir, "cpu-"+a))
		p.pprofTop(w, "allocations", bin, "-sample_index=alloc_space",
			"-diff_base="+filepath.Join(p.dir, "allocs-before-"+a), filepath.Join(p.dir, "allocs-after-"+a))
	}
}

func (p profiler) pprofTop(w io.Writer, what, bin string, args ...string) {
	args = append([]string{"tool", "pprof", "-top", "-nodecount=15"}, args...)
	args = append(args[:len(args)-1], bin, args[len(args)-1])
	out, err := exec.Command("go", args...).CombinedOutput()
	fmt.Fprintf(w, "### %s\n", what)
	if err != nil {
		fmt.Fprintf(w, "go tool pprof: %v\n", err)
	}
	w.Write(out)
}
