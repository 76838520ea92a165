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

// memory is the resident memory of a process, in kB: all of it (VmRSS),
// and its anonymous pages (heap, stacks) and file pages (the binary's, which
// the agents of a host share) apart.
type memory struct{ rss, anon, file int64 }

// residentKB reads the resident memory of pid from /proc/PID/status.
func residentKB(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	fields := map[string]*int64{"VmRSS:": &m.rss, "RssAnon:": &m.anon, "RssFile:": &m.file}
	found := 0
	for line := range strings.Lines(string(b)) {
		name, rest, _ := strings.Cut(line, "\t")
		if dst := fields[name]; dst != nil {
			if *dst, err = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64); err != nil {
				return memory{}, fmt.Errorf("/proc/%d/status: %s %w", pid, name, err)
			}
			found++
		}
	}
	if found != len(fields) {
		return memory{}, fmt.Errorf("/proc/%d/status: no VmRSS, RssAnon or RssFile", pid)
	}
	return m, nil
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
// target, and then its goroutines and its heap (with runtime.MemStats).
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
			if errs[i] == nil {
				errs[i] = p.fetch(ctx, base+"heap?debug=1", "heap-"+a+".txt")
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

// saveSmaps copies /proc/PID/smaps of the target at address into dir, so
// that its resident memory can be told apart mapping by mapping.
func (p profiler) saveSmaps(address string, pid int) error {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.dir, "smaps-"+address+".txt"), b, 0o644)
}

// memStatsShown are the lines of runtime.MemStats that report prints: what
// the Go heap holds and may grow to, the goroutine stacks, what the runtime
// took from the system.
var memStatsShown = []string{"# HeapInuse", "# HeapIdle", "# HeapReleased", "# Stack", "# GCSys", "# OtherSys", "# NextGC", "# NumGC", "# Sys"}

// report prints, for each target, the goroutine count, a summary of its
// memory (runtime.MemStats, resident kB per mapping), and the top CPU and
// allocation entries (go tool pprof).
func (p profiler) report(w io.Writer, bin string) {
	for _, a := range p.targets {
		fmt.Fprintf(w, "\n## profiles of %s (%s)\n", a, p.dir)
		if b, err := os.ReadFile(filepath.Join(p.dir, "goroutines-"+a+".txt")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			fmt.Fprintln(w, first)
		}
		if b, err := os.ReadFile(filepath.Join(p.dir, "heap-"+a+".txt")); err == nil {
			var shown []string
			for line := range strings.Lines(string(b)) {
				name, value, _ := strings.Cut(strings.TrimSpace(line), " = ")
				if slices.Contains(memStatsShown, name) {
					shown = append(shown, name[2:]+" "+value)
				}
			}
			fmt.Fprintln(w, "MemStats:", strings.Join(shown, ", "))
		}
		if b, err := os.ReadFile(filepath.Join(p.dir, "smaps-"+a+".txt")); err == nil {
			fmt.Fprintln(w, "resident kB by mapping:", smapsSummary(string(b)))
		}
		p.pprofTop(w, "CPU", bin, "-sample_index=cpu", filepath.Join(p.dir, "cpu-"+a))
		p.pprofTop(w, "allocations", bin, "-sample_index=alloc_space",
			"-diff_base="+filepath.Join(p.dir, "allocs-before-"+a), filepath.Join(p.dir, "allocs-after-"+a))
	}
}

// smapsSummary sums the Rss of the mappings of a smaps file by name and
// permissions (the binary's text is r-xp, its read-only data r--p; the
// anonymous mappings, heap and stacks, have no name).
func smapsSummary(smaps string) string {
	var order []string
	rss := map[string]int64{}
	key := ""
	for line := range strings.Lines(smaps) {
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			name := "anonymous"
			if len(fields) >= 6 {
				name = filepath.Base(fields[5])
			}
			key = name + " " + fields[1]
			if _, ok := rss[key]; !ok {
				order = append(order, key)
				rss[key] = 0
			}
		case len(fields) == 3 && fields[0] == "Rss:":
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			rss[key] += kb
		}
	}
	var parts []string
	for _, k := range order {
		if rss[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, rss[k]))
		}
	}
	return strings.Join(parts, ", ")
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
