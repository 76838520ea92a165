package stats

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// ErrPeriod is returned for a period that is not configured.
var ErrPeriod = errors.New("period not configured")

// Process is a supervised process that runs on this node.
type Process struct {
	Namespec string
	PID      int
}

// History is the samples kept for one period, oldest first: Time holds
// epoch seconds, CPU and Mem percentages.
type History struct {
	Time, CPU, Mem []float64
}

// Host is the host's statistics over one period.
type Host struct {
	Period int
	// Time is when the latest sample was taken.
	Time time.Time
	// CPU is the total then each core's use, in %.
	CPU []float64
	// Mem is the memory used, in %.
	Mem float64
	// IO maps each network interface to its received then sent kbit/s.
	IO      map[string][2]float64
	History History
}

// ProcessStats is the statistics of a process and all its descendants over
// one period.
type ProcessStats struct {
	Namespec string
	PID      int
	Period   int
	Time     time.Time
	// CPU is the share of the host (0-100), or of one core in IRIX mode.
	CPU float64
	// Mem is the resident memory, in % of the host's.
	Mem     float64
	History History
}

// Options configure a Collector.
type Options struct {
	// Periods are the sampling periods in seconds (1 to 3 values, each in
	// [1;3600]); Histo is the number of samples kept per period.
	Periods []int
	Histo   int
	// IrixMode reports a process's CPU as a share of one core.
	IrixMode bool
	// Processes lists the local processes that run, at each sample.
	Processes func() []Process
	Logger    hclog.Logger
}

// Collector samples the host and the local processes on each period and
// keeps their latest figures and history. Safe for concurrent use.
type Collector struct {
	opts Options

	mu      sync.Mutex
	periods map[int]*periodStats
	hooks   []func(Host, []ProcessStats)
}

// periodStats is what one period keeps between its samples.
type periodStats struct {
	prev    *reading // nil before the first sample
	host    *Host    // nil before the second sample (a rate needs two)
	hostHis ring
	procs   map[procKey]*procStats
}

type procKey struct {
	namespec string
	pid      int
}

type procStats struct {
	last ProcessStats
	his  ring
}

// New returns a collector; Run starts it.
func New(opts Options) (*Collector, error) {
	if len(opts.Periods) == 0 || len(opts.Periods) > 3 {
		return nil, fmt.Errorf("stats: %d periods, expected 1 to 3", len(opts.Periods))
	}
	if opts.Histo < 1 {
		return nil, fmt.Errorf("stats: history of %d samples", opts.Histo)
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.Processes == nil {
		opts.Processes = func() []Process { return nil }
	}
	c := &Collector{opts: opts, periods: map[int]*periodStats{}}
	for _, p := range opts.Periods {
		if p < 1 || p > 3600 {
			return nil, fmt.Errorf("stats: period %d, expected in [1;3600]", p)
		}
		c.periods[p] = &periodStats{hostHis: newRing(opts.Histo), procs: map[procKey]*procStats{}}
	}
	return c, nil
}

// Periods returns the configured periods, sorted.
func (c *Collector) Periods() []int {
	out := slices.Clone(c.opts.Periods)
	slices.Sort(out)
	return out
}

// OnSample registers fn, called after each sample of a period with the
// host's figures (history included) and every local process's, whose
// History holds the latest sample only (a copy of every process's history
// at every sample would cost more than the sampling): the hstats and pstats
// event topics publish Host.Reply and ProcessStats.Reply of them. fn runs on the collector's goroutine: it must
// not block, nor call the collector back.
func (c *Collector) OnSample(fn func(Host, []ProcessStats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, fn)
}

// Run samples until ctx ends. The first reading is taken at once and the
// second one a second later for every period, so that figures exist soon
// after the start whatever the periods; then each period samples on its
// own schedule. Readings due at the same second are shared: periods of 5
// and 10 s cost one reading every 5 s, not three every 10 s.
func (c *Collector) Run(ctx context.Context) {
	c.sample(c.opts.Periods)
	if !sleep(ctx, time.Second) {
		return
	}
	c.sample(c.opts.Periods)
	step := c.opts.Periods[0]
	for _, p := range c.opts.Periods[1:] {
		step = gcd(step, p)
	}
	tick := time.NewTicker(time.Duration(step) * time.Second)
	defer tick.Stop()
	for elapsed := step; ; elapsed += step {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var due []int
		for _, p := range c.opts.Periods {
			if elapsed%p == 0 {
				due = append(due, p)
			}
		}
		if len(due) > 0 {
			c.sample(due)
		}
		elapsed %= 3600 * 3600 // every period divides it: no overflow in a long life
	}
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// sample takes one reading and feeds it to each period of due.
func (c *Collector) sample(due []int) {
	r, err := read(c.opts.Processes())
	if err != nil {
		c.opts.Logger.Warn("statistics: reading the host failed", "error", err)
		return
	}
	c.mu.Lock()
	type out struct {
		host  Host
		procs []ProcessStats
	}
	var outs []out
	for _, p := range due {
		ps := c.periods[p]
		if ps.prev != nil {
			h, procs := c.update(p, ps, ps.prev, r)
			outs = append(outs, out{h, procs})
		}
		ps.prev = r
	}
	hooks := slices.Clone(c.hooks)
	c.mu.Unlock()
	for _, o := range outs {
		for _, fn := range hooks {
			fn(o.host, o.procs)
		}
	}
}

// update computes period's figures between two readings. Processes that no
// longer run are dropped: a process has no statistics but for the copy that
// runs now.
func (c *Collector) update(period int, ps *periodStats, prev, cur *reading) (Host, []ProcessStats) {
	epoch := float64(cur.Time.UnixNano()) / 1e9
	h := Host{Period: period, Time: cur.Time, CPU: cpuPercents(prev.CPU, cur.CPU), Mem: cur.MemPercent,
		IO: map[string][2]float64{}}
	secs := cur.Time.Sub(prev.Time).Seconds()
	for name, now := range cur.Net {
		if before, ok := prev.Net[name]; ok && secs > 0 {
			h.IO[name] = [2]float64{kbits(before[0], now[0], secs), kbits(before[1], now[1], secs)}
		}
	}
	total := 0.0
	if len(h.CPU) > 0 {
		total = h.CPU[0]
	}
	ps.hostHis.push(epoch, total, h.Mem)
	h.History = ps.hostHis.history()
	ps.host = &h

	cores := float64(max(len(cur.CPU)-1, 1))
	seen := map[procKey]bool{}
	var procs []ProcessStats
	for k, pr := range cur.Procs {
		seen[k] = true
		before, ok := prev.Procs[k]
		if !ok || secs <= 0 {
			continue // started since the previous reading: no rate yet
		}
		cpu := processCPU(pr.CPUSeconds-before.CPUSeconds, secs, cores, c.opts.IrixMode)
		mem := 0.0
		if cur.MemTotal > 0 {
			mem = float64(pr.RSS) / float64(cur.MemTotal) * 100
		}
		st := ps.procs[k]
		if st == nil {
			st = &procStats{his: newRing(c.opts.Histo)}
			ps.procs[k] = st
		}
		st.his.push(epoch, cpu, mem)
		st.last = ProcessStats{Namespec: pr.Namespec, PID: pr.PID, Period: period, Time: cur.Time, CPU: cpu, Mem: mem}
		latest := st.last
		latest.History = History{Time: []float64{epoch}, CPU: []float64{cpu}, Mem: []float64{mem}}
		procs = append(procs, latest)
	}
	for k := range ps.procs {
		if !seen[k] {
			delete(ps.procs, k)
		}
	}
	slices.SortFunc(procs, func(a, b ProcessStats) int {
		return cmp.Or(cmp.Compare(a.Namespec, b.Namespec), cmp.Compare(a.PID, b.PID))
	})
	return h, procs
}

func kbits(before, now uint64, secs float64) float64 {
	if now < before { // the counter wrapped or the interface was reset
		return 0
	}
	return float64(now-before) * 8 / 1000 / secs
}

// cpuPercents turns two readings of busy/total jiffies into percentages.
func cpuPercents(prev, cur []cpuTimes) []float64 {
	if len(prev) != len(cur) {
		return nil // a core went on or off line: next time
	}
	out := make([]float64, len(cur))
	for i := range cur {
		dt := cur[i].Total - prev[i].Total
		if dt > 0 {
			out[i] = min(max((cur[i].Busy-prev[i].Busy)/dt*100, 0), 100)
		}
	}
	return out
}

// Host returns the host's latest figures over period; false before its
// second reading.
func (c *Collector) Host(period int) (Host, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ps := c.periods[period]
	if ps == nil {
		return Host{}, false, ErrPeriod
	}
	if ps.host == nil {
		return Host{}, false, nil
	}
	return *ps.host, true, nil
}

// Process returns the latest figures over period of the copy of namespec
// with pid; false when there is none yet (it started since the last
// reading) or it no longer runs.
func (c *Collector) Process(namespec string, pid, period int) (ProcessStats, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ps := c.periods[period]
	if ps == nil {
		return ProcessStats{}, false, ErrPeriod
	}
	st := ps.procs[procKey{namespec, pid}]
	if st == nil {
		return ProcessStats{}, false, nil
	}
	out := st.last
	out.History = st.his.history()
	return out, true, nil
}

// ring keeps the last n samples of a period, in place: its memory is
// bounded by n whatever the number of samples pushed.
type ring struct {
	n       int
	samples []sample // grows to n, then wraps
	next    int      // where the next sample goes once full
}

type sample struct{ time, cpu, mem float64 }

func newRing(n int) ring { return ring{n: n} }

func (r *ring) push(t, cpu, mem float64) {
	if len(r.samples) < r.n {
		r.samples = append(r.samples, sample{t, cpu, mem})
		return
	}
	r.samples[r.next] = sample{t, cpu, mem}
	r.next = (r.next + 1) % r.n
}

// history copies the samples, oldest first: the copy is handed out of the
// lock.
func (r *ring) history() History {
	n := len(r.samples)
	h := History{Time: make([]float64, n), CPU: make([]float64, n), Mem: make([]float64, n)}
	for i := range n {
		s := r.samples[(r.next+i)%n]
		h.Time[i], h.CPU[i], h.Mem[i] = s.time, s.cpu, s.mem
	}
	return h
}

// processCPU is a process's CPU over a period of secs seconds in which it
// used used seconds of CPU: a share of the host's cores (0-100), or in
// IRIX mode of one core (up to 100 per core).
func processCPU(used, secs, cores float64, irix bool) float64 {
	cpu := max(used, 0) / secs * 100
	if !irix {
		cpu /= cores
	}
	return cpu
}
