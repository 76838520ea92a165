package integration

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supvisors/supvisors-go/api"
)

// The chaos harness's invariants: after each fault, once the cluster has
// settled, every agent is alive (the harness relaunches what it kills) and
//   - answers, is in OPERATION, names the same master, sees every address
//     RUNNING and shows the same process view (states and addresses);
//   - runs no process STARTING, BACKOFF or STOPPING: nothing is under way;
//   - the view's addresses of each process are the nodes whose own
//     supervisor.getAllProcessInfo shows it running;
//   - each process runs as the model (chaos_model_test.go) expects,
//     counted on the nodes' own process lists: exactly once, not at all
//     (the operator stopped it), or at most once;
//   - a STOP_APPLICATION application runs all or nothing;
//   - no child the harness killed is listed running.
// They must all hold at once, in one poll, within chaosDeadline of the
// end of the fault; CONCILIATION is allowed on the way, not at the end.

const (
	// chaosDeadline bounds the recovery from a fault: well above the
	// cluster's figures (a deployment after a relaunch of every agent waits
	// synchro_timeout, 5 s) so that only a cluster that does not heal hits
	// it, even on a loaded machine.
	chaosDeadline = 30 * time.Second
	// chaosPollEvery is the cadence of the invariant polls.
	chaosPollEvery = 100 * time.Millisecond
	// chaosCallTimeout bounds one poll call.
	chaosCallTimeout = 3 * time.Second
)

// nodeReport is what one agent says in a poll.
type nodeReport struct {
	err       error
	state     api.SupvisorsStateInfo
	master    string
	addresses []api.AddressInfo
	view      []api.ClusterProcessInfo
	local     []api.ProcessInfo
}

// poll asks every agent at once.
func (r *chaosRun) poll() []nodeReport {
	reports := make([]nodeReport, len(r.nodes))
	var wg sync.WaitGroup
	for i, n := range r.nodes {
		wg.Go(func() {
			rep := &reports[i]
			for _, c := range []struct {
				method string
				reply  any
			}{
				{"supvisors.get_supvisors_state", &rep.state},
				{"supvisors.get_master_address", &rep.master},
				{"supvisors.get_all_addresses_info", &rep.addresses},
				{"supvisors.get_all_process_info", &rep.view},
				{"supervisor.getAllProcessInfo", &rep.local},
			} {
				ctx, cancel := context.WithTimeout(context.Background(), chaosCallTimeout)
				rep.err = n.client.Call(ctx, c.method, nil, c.reply)
				cancel()
				if rep.err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return reports
}

// awaitHealth polls until every invariant holds, and returns how long
// after since it was first seen; past since + chaosDeadline, it returns
// what the last poll found wrong.
func (r *chaosRun) awaitHealth(since time.Time) (time.Duration, []string) {
	for {
		violations := r.violations(r.poll())
		if len(violations) == 0 {
			return time.Since(since), nil
		}
		if time.Since(since) > chaosDeadline {
			return 0, violations
		}
		time.Sleep(chaosPollEvery)
	}
}

// violations are the invariants a poll shows broken, each as
// "invariant: evidence".
func (r *chaosRun) violations(reports []nodeReport) []string {
	var v []string
	for i, rep := range reports {
		if rep.err != nil {
			v = append(v, fmt.Sprintf("agents answer: %s: %v", r.name(i), rep.err))
		}
	}
	if len(v) > 0 {
		return v
	}
	first := reports[0]
	firstView := viewLines(first.view)
	for i, rep := range reports {
		if rep.state.StateName != "OPERATION" {
			v = append(v, fmt.Sprintf("state: %s is in %s", r.name(i), rep.state.StateName))
		}
		if rep.master == "" || rep.master != first.master {
			v = append(v, fmt.Sprintf("master: %s names %q, %s %q", r.name(i), rep.master, r.name(0), first.master))
		}
		for _, a := range rep.addresses {
			if a.StateName != "RUNNING" {
				v = append(v, fmt.Sprintf("addresses: %s sees %s %s", r.name(i), a.AddressName, a.StateName))
			}
		}
		if view := viewLines(rep.view); i > 0 && !slices.Equal(view, firstView) {
			v = append(v, fmt.Sprintf("same view: %s shows %s where %s shows %s", r.name(i),
				strings.Join(difference(view, firstView), ", "), r.name(0), strings.Join(difference(firstView, view), ", ")))
		}
	}

	// Where each process runs, by the nodes' own lists.
	on := map[string][]string{}
	for i, rep := range reports {
		for _, p := range rep.local {
			namespec := p.Group + ":" + p.Name
			switch p.StateName {
			case "STARTING", "BACKOFF", "STOPPING":
				v = append(v, fmt.Sprintf("settled: %s is %s on %s", namespec, p.StateName, r.name(i)))
			}
			switch p.StateName {
			case "STARTING", "BACKOFF", "RUNNING":
				on[namespec] = append(on[namespec], r.nodes[i].srv.host)
				if what, ok := r.model.gone[p.PID]; ok && p.PID > 0 {
					v = append(v, fmt.Sprintf("killed children gone: pid %d (%s) is %s %s on %s", p.PID, what, namespec, p.StateName, r.name(i)))
				}
			}
		}
	}
	viewOn := map[string][]string{}
	for _, p := range first.view {
		viewOn[p.ApplicationName+":"+p.ProcessName] = slices.Sorted(slices.Values(p.Addresses))
	}
	type share struct{ running, all int }
	apps := map[string]*share{} // a STOP_APPLICATION application's processes
	for _, p := range r.model.programs {
		nodes := slices.Sorted(slices.Values(on[p.namespec]))
		if !slices.Equal(nodes, viewOn[p.namespec]) {
			v = append(v, fmt.Sprintf("view matches the nodes: %s runs on %v, the view says %v", p.namespec, nodes, viewOn[p.namespec]))
		}
		switch e := r.model.expect[p.namespec]; {
		case e == running && len(nodes) != 1:
			v = append(v, fmt.Sprintf("exactly once: %s runs on %v, want exactly one node", p.namespec, nodes))
		case e == stopped && len(nodes) != 0:
			v = append(v, fmt.Sprintf("stopped stays stopped: %s (stopped by the operator, or never started) runs on %v", p.namespec, nodes))
		case e == either && len(nodes) > 1:
			v = append(v, fmt.Sprintf("at most once: %s runs on %v", p.namespec, nodes))
		}
		if p.failure == "STOP_APPLICATION" {
			if apps[p.app] == nil {
				apps[p.app] = &share{}
			}
			apps[p.app].all++
			if len(nodes) > 0 {
				apps[p.app].running++
			}
		}
	}
	for _, app := range slices.Sorted(maps.Keys(apps)) {
		if s := apps[app]; s.running != 0 && s.running != s.all {
			v = append(v, fmt.Sprintf("all or nothing: %d of the %d processes of %s run", s.running, s.all, app))
		}
	}
	for pid, what := range r.model.gone {
		if processAlive(pid) {
			v = append(v, fmt.Sprintf("killed children gone: pid %d (%s) is alive", pid, what))
		}
	}
	return v
}

// viewLines is a process view as sorted lines: namespec, state, addresses.
func viewLines(view []api.ClusterProcessInfo) []string {
	lines := make([]string, len(view))
	for i, p := range view {
		lines[i] = fmt.Sprintf("%s:%s %s %v", p.ApplicationName, p.ProcessName, p.StateName, slices.Sorted(slices.Values(p.Addresses)))
	}
	slices.Sort(lines)
	return lines
}

// difference is the lines of a not in b.
func difference(a, b []string) []string {
	var d []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			d = append(d, l)
		}
	}
	return d
}
