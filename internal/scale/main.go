// Command scale measures a cluster of N agents on loopback (make scale
// N=...; README "Scale"): each agent on its own address 127.0.0.x with one
// program of its own, all launched at once. It prints:
//   - when the last agent answered XML-RPC, after the launch;
//   - how long after that every node was in OPERATION with N RUNNING
//     addresses (polling every node every 0.5 s, as clients would), and how
//     many RUNNING addresses 3 observers saw;
//   - the CPU each agent used while idle, and its resident memory, once
//     the agents settled (they return what starting used once the cluster
//     has held still for 5 s, the agents of a host a second apart);
//   - false SILENT: addresses that any node declared lost while settling
//     and idle;
//   - propagation: how long a process change (a stop, a start) took to be
//     seen on each node's event stream (p50, p99, and the p99 of the time
//     to reach every node);
//   - detection: how long a kill -9 of an agent (the last, then the
//     master) took to be seen on the other nodes (median, every node).
//
// With -profile DIR (a build with -tags pprof), CPU and allocation profiles
// of 3 agents taken while idle are written there and their top entries
// printed. It exits 1 when the cluster does not converge or a measure
// fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"
)

// options are the harness's flags.
type options struct {
	n, procs  int
	bin       string
	dir       string
	converge  time.Duration
	idle      time.Duration
	settle    time.Duration
	changes   int
	kills     int
	profile   string
	basePort  int
	keepFiles bool
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 20, "agents, on 127.0.0.1 to 127.0.0.N")
	flag.IntVar(&o.procs, "procs", 1, "processes per agent")
	flag.StringVar(&o.bin, "bin", "bin/supvisors", "the agent binary")
	flag.StringVar(&o.dir, "dir", "", "where configurations and logs go (default: a new temporary directory, removed on success)")
	flag.DurationVar(&o.converge, "converge", 60*time.Second, "how long after the last agent answers to wait for OPERATION everywhere")
	flag.DurationVar(&o.idle, "idle", 30*time.Second, "the idle window (CPU, false SILENT, profiles)")
	flag.DurationVar(&o.settle, "settle", -1, "the wait from OPERATION everywhere to the idle window (default: 5 s + a second per agent + 5 s, while the agents return what starting used)")
	flag.IntVar(&o.changes, "changes", 20, "process changes timed for propagation")
	flag.IntVar(&o.kills, "kills", 2, "agents killed with SIGKILL for detection (0 to 2: the last one, then the master)")
	flag.StringVar(&o.profile, "profile", "", "directory for profiles of 3 agents (the binary must be built with -tags pprof)")
	flag.IntVar(&o.basePort, "port", 21000, "the first port to try (4 ports, free on every address)")
	flag.BoolVar(&o.keepFiles, "keep", false, "keep the configurations and logs")
	flag.Parse()
	if o.settle < 0 {
		o.settle = settleOf(o.n)
	}
	if o.n < 2 || o.n > 250 || o.procs < 1 || o.kills < 0 || o.kills > 2 || o.idle < time.Second {
		fmt.Fprintln(os.Stderr, "scale: -n 2..250, -procs ≥ 1, -kills 0..2, -idle ≥ 1s")
		os.Exit(2)
	}
	// A Ctrl-C or a kill ends the run, and the agents with it.
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		<-ch
		fmt.Fprintln(os.Stderr, "scale: interrupted, stopping the agents")
		stop(launched.all(), 30*time.Second)
		os.Exit(1)
	}()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// result holds the figures of a run; a zero duration was not measured.
type result struct {
	n, procs     int
	lastAnswer   time.Duration // after the launch
	operation    time.Duration // after the last answer
	converged    bool
	seen         [3]int // RUNNING addresses seen by 3 observers
	cpuPercent   stats  // of a core, per agent, idle
	rssMB        stats
	anonMB       stats // of which anonymous pages
	fileMB       stats // and file pages
	falseSilent  int
	silentWindow time.Duration   // over which falseSilent was counted
	propagation  []time.Duration // each (change, node)
	everyNode    []time.Duration // each change, until every node saw it
	detection    [][]time.Duration
	detectionWho []string
}

func run(o options) (err error) {
	list := addresses(o.n)
	p, err := freePorts(list, o.basePort)
	if err != nil {
		return err
	}
	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "supvisors-scale-"); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil || o.keepFiles {
			fmt.Fprintln(os.Stderr, "scale: configurations and logs in", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	confs := make([]string, o.n)
	for i := range list {
		if confs[i], err = writeConfig(dir, list, i, o.procs, p); err != nil {
			return err
		}
	}
	r := &result{n: o.n, procs: o.procs}
	agents := make([]*agent, 0, o.n)
	defer func() { stop(agents, 30*time.Second) }()
	// All at once, as a fleet of hosts booting would: one after the other,
	// the last would start seconds after the first on a loaded machine.
	launchedAt := time.Now()
	started := make([]*agent, o.n)
	answered := make([]time.Time, o.n)
	errs := make([]error, o.n)
	answers, cancel := context.WithTimeout(context.Background(), answerWait)
	defer cancel()
	var wg sync.WaitGroup
	for i, a := range list {
		pprof := ""
		if o.profile != "" {
			pprof = fmt.Sprintf("%s:%d", a, p.pprof)
		}
		// Each agent is polled from its own launch on: a launch waits for
		// its child's exec, one after the other, and the last of 100
		// started 4-12 s after the first on a 2-core machine loaded by the
		// first ones, whose answers no longer wait for it.
		wg.Go(func() {
			started[i], errs[i] = launch(o.bin, confs[i], a, pprof, p)
			if errs[i] == nil {
				launched.add(started[i])
				answered[i], errs[i] = started[i].waitAnswer(answers)
			}
		})
	}
	fmt.Fprintf(os.Stderr, "scale: launching %d agents (%s), waiting for their answers\n", o.n, dir)
	wg.Wait()
	for i := range started {
		if started[i] != nil {
			agents = append(agents, started[i])
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	slices.SortFunc(answered, time.Time.Compare)
	last := answered[len(answered)-1]
	r.lastAnswer = last.Sub(launchedAt)
	fmt.Fprintf(os.Stderr, "scale: every agent answers (median %.1f s, last %.1f s), waiting for OPERATION with %d RUNNING addresses\n",
		answered[len(answered)/2].Sub(launchedAt).Seconds(), r.lastAnswer.Seconds(), o.n)
	at, seen, converged := converge(agents, o.n, last.Add(o.converge))
	r.converged, r.seen = converged, seen
	if converged {
		r.operation = max(at.Sub(last), 0)
	}
	measureErr := measure(o, r, agents, list, p)
	printResult(os.Stdout, r, o)
	if o.profile != "" {
		profiler{dir: o.profile, port: p.pprof, targets: profiled(list)}.report(os.Stdout, o.bin)
	}
	if !converged {
		return fmt.Errorf("the cluster of %d agents did not converge in %v after the last answer", o.n, o.converge)
	}
	return measureErr
}

// profiled are the agents whose profiles are taken: the first, the middle
// and the last.
func profiled(list []string) []string {
	return []string{list[0], list[len(list)/2], list[len(list)-1]}
}

// answerWait bounds the wait for every agent to answer after the launch.
const answerWait = 2 * time.Minute

// nodeStatus is what a poll of one node said.
type nodeStatus struct {
	okSince time.Time // when it was last seen newly in OPERATION with n RUNNING; zero: not now
	running int
}

// converge polls every node every 0.5 s until every one is in OPERATION
// with n RUNNING addresses, or deadline; it returns when that was reached
// (the latest of the nodes' times) and the RUNNING addresses 3 observers
// saw.
func converge(agents []*agent, n int, deadline time.Time) (time.Time, [3]int, bool) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	status := make([]nodeStatus, len(agents))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Go(func() {
			tick := time.NewTicker(500 * time.Millisecond)
			defer tick.Stop()
			for {
				ok, running := pollNode(ctx, a, n)
				mu.Lock()
				switch {
				case !ok:
					status[i].okSince = time.Time{}
				case status[i].okSince.IsZero():
					status[i].okSince = time.Now()
				}
				if running >= 0 {
					status[i].running = running
				}
				mu.Unlock()
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		})
	}
	var at time.Time
	done := false
	tick := time.NewTicker(100 * time.Millisecond)
	for !done && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			mu.Lock()
			at, done = time.Time{}, true
			for _, s := range status {
				if s.okSince.IsZero() {
					done = false
					break
				}
				if s.okSince.After(at) {
					at = s.okSince
				}
			}
			mu.Unlock()
		}
	}
	tick.Stop()
	cancel()
	wg.Wait()
	var seen [3]int
	for j, i := range []int{0, len(agents) / 2, len(agents) - 1} {
		seen[j] = status[i].running
	}
	return at, seen, done
}

// pollNode tells whether the node is in OPERATION with n RUNNING
// addresses, and how many it sees RUNNING (-1: no answer).
func pollNode(ctx context.Context, a *agent, n int) (bool, int) {
	st, err := a.rpc.Supvisors().GetSupvisorsState(ctx)
	if err != nil {
		return false, -1
	}
	infos, err := a.rpc.Supvisors().GetAllAddressesInfo(ctx)
	if err != nil {
		return false, -1
	}
	running := 0
	for _, info := range infos {
		if info.StateName == "RUNNING" {
			running++
		}
	}
	return st.StateName == "OPERATION" && running == n, running
}

// settleOf is the default wait for n agents on one host to settle: the
// cluster holds still for 5 s, then each releases what starting used, a
// second after the one before it (agent's releaseWhenSettled), and 5 s
// more for the last.
func settleOf(n int) time.Duration {
	return 5*time.Second + time.Duration(n)*time.Second + 5*time.Second
}

// measure takes the figures of a cluster: idle cost and false SILENT, then,
// once it converged, propagation and detection. A cluster that did not
// converge is not timed further: in one that flaps, each change and kill
// waited out its deadline, and a run of 100 agents took 16 minutes.
func measure(o options, r *result, agents []*agent, list []string, p ports) error {
	watchers := make([]*watcher, len(agents))
	for i, a := range list {
		w, err := watch(a, p.http)
		if err != nil {
			return err
		}
		watchers[i] = w
		defer w.close()
	}
	// Each stream starts with the current state: one event per address at
	// least.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, w := range watchers {
		if _, err := w.first(ctx, "address", list[len(list)-1], time.Time{}, "UNKNOWN", "CHECKING", "RUNNING", "SILENT", "ISOLATING", "ISOLATED"); err != nil {
			return err
		}
	}
	if err := idle(o, r, agents, list, watchers, p); err != nil || !r.converged {
		return err
	}
	if err := propagate(o, r, agents, watchers); err != nil {
		return err
	}
	return detect(o, r, agents, watchers)
}

// lostStates are the address states of a node declared lost.
var lostStates = []string{"SILENT", "ISOLATING", "ISOLATED"}

// idle measures the agents' CPU and memory over the idle window (and
// profiles them), once a cluster that converged has settled, counting the
// addresses declared lost from settling on.
func idle(o options, r *result, agents []*agent, list []string, watchers []*watcher, p ports) error {
	settling := time.Now()
	if r.converged {
		fmt.Fprintf(os.Stderr, "scale: settling for %v\n", o.settle)
		time.Sleep(o.settle) // the window measured, not a synchronisation
	}
	fmt.Fprintf(os.Stderr, "scale: idle for %v\n", o.idle)
	before := make([]int64, len(agents))
	for i, a := range agents {
		before[i], _ = cpuTicks(a.pid())
	}
	from := time.Now()
	var profErr error
	prof := profiler{dir: o.profile, port: p.pprof, targets: profiled(list)}
	if o.profile != "" {
		ctx, cancel := context.WithTimeout(context.Background(), o.idle+30*time.Second)
		profErr = prof.capture(ctx, o.idle)
		cancel()
	}
	time.Sleep(time.Until(from.Add(o.idle))) // the window measured, not a synchronisation
	elapsed := time.Since(from)
	cpu := make([]float64, len(agents))
	rss := make([]float64, len(agents))
	anon := make([]float64, len(agents))
	file := make([]float64, len(agents))
	for i, a := range agents {
		after, err := cpuTicks(a.pid())
		if err != nil {
			return fmt.Errorf("agent %s: %w", a.address, err)
		}
		cpu[i] = 100 * float64(after-before[i]) / clockTicks / elapsed.Seconds()
		m, err := residentKB(a.pid())
		if err != nil {
			return fmt.Errorf("agent %s: %w", a.address, err)
		}
		rss[i], anon[i], file[i] = float64(m.rss)/1024, float64(m.anon)/1024, float64(m.file)/1024
		if o.profile != "" && slices.Contains(prof.targets, a.address) {
			profErr = errors.Join(profErr, prof.saveSmaps(a.address, a.pid()))
		}
	}
	r.cpuPercent, r.rssMB, r.anonMB, r.fileMB = meanMax(cpu), meanMax(rss), meanMax(anon), meanMax(file)
	to := time.Now()
	for _, w := range watchers {
		r.falseSilent += w.count("address", settling, to, lostStates...)
	}
	r.silentWindow = to.Sub(settling)
	return profErr
}

// propagate stops and starts processes, one at a time on the agents in
// turn, and times when each node's stream shows the change.
func propagate(o options, r *result, agents []*agent, watchers []*watcher) error {
	fmt.Fprintf(os.Stderr, "scale: timing %d process changes\n", o.changes)
	for k := range o.changes {
		i := (k / 2 * 7) % len(agents) // agents spread over the list
		a := agents[i]
		name := processName(i, o.procs)
		namespec := programName(i) + ":" + name
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		start := time.Now()
		var err error
		target := "STOPPED"
		if k%2 == 0 {
			_, err = a.rpc.Supervisor().StopProcess(ctx, namespec, false)
		} else {
			target = "RUNNING"
			_, err = a.rpc.Supervisor().StartProcess(ctx, namespec, false)
		}
		if err != nil {
			cancel()
			return fmt.Errorf("change %s on %s: %w", namespec, a.address, err)
		}
		var every time.Duration
		for _, w := range watchers {
			at, err := w.first(ctx, "process", namespec, start, target)
			if err != nil {
				cancel()
				return err
			}
			r.propagation = append(r.propagation, at.Sub(start))
			every = max(every, at.Sub(start))
		}
		cancel()
		r.everyNode = append(r.everyNode, every)
	}
	return nil
}

// detect kills agents (the last, then the master) with SIGKILL, one at a
// time, and times when each other node's stream shows it lost.
func detect(o options, r *result, agents []*agent, watchers []*watcher) error {
	victims := []int{len(agents) - 1}
	if o.kills > 1 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		master, err := agents[0].rpc.Supvisors().GetMasterAddress(ctx)
		cancel()
		if err != nil {
			return fmt.Errorf("master: %w", err)
		}
		for i, a := range agents {
			if a.address == master && i != victims[0] {
				victims = append(victims, i)
			}
		}
	}
	victims = victims[:min(len(victims), o.kills)]
	dead := map[int]bool{}
	for _, v := range victims {
		fmt.Fprintf(os.Stderr, "scale: kill -9 %s\n", agents[v].address)
		start := time.Now()
		if err := agents[v].cmd.Process.Signal(syscall.SIGKILL); err != nil {
			return err
		}
		dead[v] = true
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		var times []time.Duration
		var errs []error
		for i, w := range watchers {
			if dead[i] {
				continue
			}
			at, err := w.first(ctx, "address", agents[v].address, start, lostStates...)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			times = append(times, at.Sub(start))
		}
		cancel()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		r.detection = append(r.detection, times)
		role := "last"
		if len(r.detectionWho) > 0 {
			role = "master"
		}
		r.detectionWho = append(r.detectionWho, role)
		<-agents[v].exited
	}
	return nil
}

// printResult prints the figures as a Markdown table, then the details.
func printResult(w *os.File, r *result, o options) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
	operation := fmt.Sprintf("never (%v)", o.converge)
	if r.converged {
		operation = fmt.Sprintf("%.2f s", r.operation.Seconds())
	}
	propagation := "-"
	if len(r.propagation) > 0 {
		propagation = fmt.Sprintf("%s / %s, %s", ms(percentile(r.propagation, 50)), ms(percentile(r.propagation, 99)), ms(percentile(r.everyNode, 99)))
	}
	detection := "-"
	for i, ds := range r.detection {
		if i == 0 {
			detection = ""
		} else {
			detection += "; "
		}
		detection += fmt.Sprintf("%s: %s / %s", r.detectionWho[i], ms(percentile(ds, 50)), ms(percentile(ds, 100)))
	}
	fmt.Fprintln(w, "| agents | processes | last answer after launch | OPERATION after last answer | RUNNING seen (of N) | idle CPU per agent, mean (max) | RSS mean (max): anonymous + file | false SILENT | propagation p50 / p99, every node p99 | kill -9 → lost, median / every node |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	fmt.Fprintf(w, "| %d | %d | %.1f s | %s | %d / %d / %d | %.2f %% (%.2f %%) | %.1f MB (%.1f MB): %.1f + %.1f MB | %d in %v | %s | %s |\n",
		r.n, r.n*r.procs, r.lastAnswer.Seconds(), operation, r.seen[0], r.seen[1], r.seen[2],
		r.cpuPercent.mean, r.cpuPercent.max, r.rssMB.mean, r.rssMB.max, r.anonMB.mean, r.fileMB.mean, r.falseSilent, r.silentWindow.Round(time.Second),
		propagation, detection)
}
