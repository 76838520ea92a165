package integration

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// How the chaos harness strikes each fault of the schedule, and makes the
// operator's calls. The waits here are the faults' own durations (how
// long an agent stays frozen, a partition lasts), drawn by the schedule:
// none waits for the cluster, which awaitHealth does.

const (
	// chaosActionTimeout bounds an operator's call: longer than any freeze
	// (5 s) plus a start of two phases.
	chaosActionTimeout = 20 * time.Second
	// chaosExitTimeout bounds the exit of an agent killed or shut down.
	chaosExitTimeout = 30 * time.Second
)

// inject strikes f and returns when it was over: the agents relaunched or
// resumed, the network healed, the call answered, and the operator's call
// racing it answered too (a call may wait long for a node, and the model
// needs its outcome before the invariants can be checked). Its effects on
// the model are applied after that call's, as they may undo what the call
// did. skipped tells that this run cannot strike such a fault.
func (r *chaosRun) inject(f chaosFault) (ended time.Time, skipped bool) {
	var join func() // the racing call's: waits for its reply, applies it to the model
	race := func(cutOff bool) {
		if f.action != nil {
			join = r.operate(f.action, cutOff)
		}
	}
	var crashed string
	switch f.kind {
	case killAgent, killAgents:
		r.killAgents(f, race)
	case freezeAgent:
		r.freeze(f, race)
	case killChild:
		crashed = r.killChild(f, race)
	case restartAll:
		r.restartAll(f.nodes[0])
	case shutdownAll:
		r.shutdownAll(f.nodes[0])
	case operator:
		r.operate(f.action, false)()
	case partition, oneWay, flapping, degraded:
		r.network(f, race)
	case clockSkew:
		if !r.clockOffsets {
			r.logf("skipped: the agent has no --clock-offset flag")
			return time.Time{}, true
		}
		r.kill(f.nodes[0])
		r.nodes[f.nodes[0]].offset = f.offset
		race(false)
		r.relaunch(f.nodes[0])
	}
	if join != nil {
		join()
	}
	ended = time.Now()
	switch f.kind {
	case killChild:
		if crashed != "" {
			r.model.crashed(crashed)
		}
	case restartAll, shutdownAll:
		r.model.deployed()
	case operator:
	default:
		r.model.disrupted()
	}
	return ended, false
}

// killAgents kills f's agents at once, then relaunches each after its
// delay.
func (r *chaosRun) killAgents(f chaosFault, race func(cutOff bool)) {
	for _, i := range f.nodes {
		r.kill(i)
	}
	killed := time.Now()
	race(false)
	order := slices.Clone(f.nodes)
	delay := map[int]time.Duration{}
	for k, i := range f.nodes {
		delay[i] = f.delays[k]
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(delay[a], delay[b]) })
	for _, i := range order {
		time.Sleep(time.Until(killed.Add(delay[i]))) // the fault's drawn delay
		r.relaunch(i)
	}
}

// kill kills node i's agent with SIGKILL and waits for its end; its
// children must die with it.
func (r *chaosRun) kill(i int) {
	n := r.nodes[i]
	r.childrenGone(i)
	r.logf("kill -9 the agent of %s (pid %d)", r.name(i), n.srv.cmd.Process.Pid)
	_ = n.srv.cmd.Process.Kill()
	r.awaitExit(i)
}

// childrenGone records node i's running children as what must be gone.
func (r *chaosRun) childrenGone(i int) {
	var local []api.ProcessInfo
	if err := r.call(i, "supervisor.getAllProcessInfo", nil, &local, chaosCallTimeout); err != nil {
		r.logf("%s's children unknown: %v", r.name(i), err)
	}
	for _, p := range local {
		if p.PID > 0 {
			r.model.gone[p.PID] = fmt.Sprintf("%s:%s of %s", p.Group, p.Name, r.name(i))
		}
	}
}

// awaitExit waits until node i's agent has exited.
func (r *chaosRun) awaitExit(i int) {
	select {
	case <-r.nodes[i].srv.exited:
	case <-time.After(chaosExitTimeout):
		r.fail(fmt.Sprintf("the end of %s's agent", r.name(i)), []string{fmt.Sprintf("agents exit: %s still runs %v later", r.name(i), chaosExitTimeout)})
	}
}

// relaunch starts node i's agent again, with its clock offset.
func (r *chaosRun) relaunch(i int) {
	n := r.nodes[i]
	argv := slices.Clone(n.argv)
	if n.offset != 0 {
		argv = append(argv, "--clock-offset", n.offset.String())
	}
	n.srv.relaunch(r.t, argv)
	n.client.Close() // its connections were to the agent that died
	r.logf("relaunched the agent of %s (pid %d)%s", r.name(i), n.srv.cmd.Process.Pid,
		map[bool]string{true: ", clock off by " + n.offset.String()}[n.offset != 0])
}

// freeze stops f's agent (or the master) with SIGSTOP for the fault's
// duration.
func (r *chaosRun) freeze(f chaosFault, race func(cutOff bool)) {
	i := f.nodes[0]
	if f.master {
		var master string
		if err := r.call(i, "supvisors.get_master_address", nil, &master, chaosCallTimeout); err != nil {
			r.logf("the master is unknown (%v): freezing %s", err, r.name(i))
		}
		if m := slices.IndexFunc(r.nodes, func(n *chaosNode) bool { return n.srv.host == master }); m >= 0 {
			i = m
		}
	}
	p := r.nodes[i].srv.cmd.Process
	r.logf("SIGSTOP the agent of %s", r.name(i))
	_ = p.Signal(syscall.SIGSTOP)
	defer func() {
		_ = p.Signal(syscall.SIGCONT)
		r.logf("SIGCONT the agent of %s", r.name(i))
	}()
	race(true)
	time.Sleep(f.delays[0]) // the fault's drawn duration
}

// killChild kills a child with SIGKILL, picked by the fault's choice among
// those running, and returns its namespec ("" when none runs).
func (r *chaosRun) killChild(f chaosFault, race func(cutOff bool)) string {
	type child struct {
		namespec string
		node     int
		pid      int
	}
	var children []child
	for i, rep := range r.poll() {
		for _, p := range rep.local {
			if p.StateName == "RUNNING" && p.PID > 0 {
				children = append(children, child{p.Group + ":" + p.Name, i, p.PID})
			}
		}
	}
	if len(children) == 0 {
		r.logf("no child runs: nothing to kill")
		race(false)
		return ""
	}
	slices.SortFunc(children, func(a, b child) int {
		return cmp.Or(strings.Compare(a.namespec, b.namespec), cmp.Compare(a.node, b.node))
	})
	c := children[int(f.choice%uint32(len(children)))]
	r.logf("kill -9 %s (pid %d) on %s", c.namespec, c.pid, r.name(c.node))
	_ = syscall.Kill(c.pid, syscall.SIGKILL)
	r.model.gone[c.pid] = c.namespec + " of " + r.name(c.node)
	race(false)
	return c.namespec
}

// restartAll asks node i for supvisors.restart(): every child is stopped
// (they must be gone) and the applications are deployed again.
func (r *chaosRun) restartAll(i int) {
	for k := range r.nodes {
		r.childrenGone(k)
	}
	var ok bool
	if err := r.call(i, "supvisors.restart", nil, &ok, chaosActionTimeout); err != nil || !ok {
		r.fail("supvisors.restart()", []string{fmt.Sprintf("restart() on %s: %v %v", r.name(i), ok, err)})
	}
	r.logf("supvisors.restart() on %s: True", r.name(i))
}

// shutdownAll asks node i for supvisors.shutdown(), waits until every
// agent has exited (with code 0), and relaunches them all.
func (r *chaosRun) shutdownAll(i int) {
	for k := range r.nodes {
		r.childrenGone(k)
	}
	var ok bool
	if err := r.call(i, "supvisors.shutdown", nil, &ok, chaosActionTimeout); err != nil || !ok {
		r.fail("supvisors.shutdown()", []string{fmt.Sprintf("shutdown() on %s: %v %v", r.name(i), ok, err)})
	}
	r.logf("supvisors.shutdown() on %s: True", r.name(i))
	for k, n := range r.nodes {
		r.awaitExit(k)
		if code := n.srv.cmd.ProcessState.ExitCode(); code != 0 {
			r.fail("supvisors.shutdown()", []string{fmt.Sprintf("agents exit 0 on shutdown(): %s exited with code %d", r.name(k), code)})
		}
	}
	r.logf("every agent exited")
	for k := range r.nodes {
		r.relaunch(k)
	}
}

// network applies f's rules to the hub for the fault's duration, then
// heals it.
func (r *chaosRun) network(f chaosFault, race func(cutOff bool)) {
	hit := make([]bool, len(r.nodes)) // f.nodes
	for _, i := range f.nodes {
		hit[i] = true
	}
	side := func(i int) int { return map[bool]int{true: 1, false: 0}[hit[i]] }
	hub := r.lab.hub
	defer func() {
		hub.heal()
		r.logf("network healed")
	}()
	switch f.kind {
	case partition:
		hub.split(sliceOf(len(r.nodes), side))
		r.logf("network split")
		race(true)
		time.Sleep(f.delays[0]) // the fault's drawn duration
	case oneWay:
		hub.set(func(from, to int) linkRule { return linkRule{cut: hit[from] && !hit[to]} }, len(r.nodes))
		r.logf("network: one-way cut")
		race(true)
		time.Sleep(f.delays[0])
	case degraded:
		hub.set(func(from, to int) linkRule {
			if f.allLinks || hit[from] || hit[to] {
				return f.rule
			}
			return linkRule{}
		}, len(r.nodes))
		r.logf("network degraded")
		race(true)
		time.Sleep(f.delays[0])
	case flapping:
		race(true)
		for k, d := range f.delays {
			if k%2 == 0 {
				hub.split(sliceOf(len(r.nodes), side))
			} else {
				hub.heal()
			}
			time.Sleep(d) // the fault's drawn period
		}
	}
}

// sliceOf is [f(0), ..., f(n-1)].
func sliceOf(n int, f func(int) int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = f(i)
	}
	return s
}

// operate makes the operator's call a on its node, in the background, and
// returns what waits for its reply and applies it to the model. cutOff
// tells that part of the cluster cannot be reached meanwhile.
func (r *chaosRun) operate(a *operatorAction, cutOff bool) (join func()) {
	params, targets := r.aim(a)
	what := fmt.Sprintf("%s%v on %s", a.method, params, r.name(a.node))
	r.logf("operator: %s", what)
	reply := make(chan error, 1)
	go func() {
		var result any
		reply <- r.call(a.node, a.method, params, &result, chaosActionTimeout)
	}()
	return func() {
		err := <-reply
		o := outcomeOf(err)
		r.logf("operator: %s → %s", what, map[outcome]string{done: "done", refused: "refused", notRunning: "not running", unsure: "unsure"}[o]+
			map[bool]string{true: fmt.Sprintf(" (%v)", err)}[err != nil])
		if a.method != "supvisors.conciliate" {
			r.model.called(strings.Contains(a.method, "start"), targets, o, cutOff)
		}
	}
}

// aim picks the target of a by its choice, and returns the call's
// parameters and the processes it is about. Starts go preferably to what
// does not run, stops to what does; the operator stops the services and
// optional processes one by one, the applications as a whole
// (chaos_model_test.go says why).
func (r *chaosRun) aim(a *operatorAction) (params []any, targets []string) {
	var apps, singles []string // deployed applications; processes started and stopped alone
	processesOf := map[string][]string{}
	for _, p := range r.model.programs {
		processesOf[p.app] = append(processesOf[p.app], p.namespec)
		if p.deployed && !slices.Contains(apps, p.app) {
			apps = append(apps, p.app)
		}
		if p.failure == "RESTART_PROCESS" || p.failure == "CONTINUE" {
			singles = append(singles, p.namespec)
		}
	}
	start := strings.Contains(a.method, "start")
	// wanted: a target the call would change.
	wanted := func(namespecs ...string) bool {
		for _, n := range namespecs {
			if e := r.model.expect[n]; start && e != running || !start && e != stopped {
				return true
			}
		}
		return false
	}
	pick := func(all []string, of func(string) []string) string {
		candidates := slices.DeleteFunc(slices.Clone(all), func(x string) bool { return !wanted(of(x)...) })
		if len(candidates) == 0 {
			candidates = all
		}
		return candidates[int(a.choice%uint32(len(candidates)))]
	}
	self := func(x string) []string { return []string{x} }
	switch a.method {
	case "supvisors.start_application":
		app := pick(apps, func(x string) []string { return processesOf[x] })
		return []any{"LESS_LOADED", app, true}, processesOf[app]
	case "supvisors.stop_application":
		app := pick(apps, func(x string) []string { return processesOf[x] })
		return []any{app, true}, processesOf[app]
	case "supvisors.start_process":
		p := pick(singles, self)
		return []any{"LESS_LOADED", p, "", true}, []string{p}
	case "supvisors.stop_process":
		p := pick(singles, self)
		return []any{p, true}, []string{p}
	}
	return []any{a.strategy}, nil
}

// call calls method on node i's agent on a connection of its own (so that
// a refused connection means that the call never left), within timeout.
func (r *chaosRun) call(i int, method string, params []any, reply any, timeout time.Duration) error {
	s := r.nodes[i].srv
	c, err := xmlrpc.NewClient("unix://"+s.sock, xmlrpc.ClientOptions{Username: s.user, Password: s.password})
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.Call(ctx, method, params, reply)
}
