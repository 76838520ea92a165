package integration

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freeze stops the agent of s (SIGSTOP) until the returned function
// resumes it (SIGCONT); the test's cleanup resumes it in any case, so that
// it can be stopped.
func freeze(t testing.TB, s *server) (resume func()) {
	t.Helper()
	pid := s.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP agent of %s: %v", s.host, err)
	}
	resume = func() { _ = syscall.Kill(pid, syscall.SIGCONT) }
	t.Cleanup(resume)
	return resume
}

// operationCluster starts 3 agents with the [supvisors] lines supvisors
// and the programs of body, logs their logs if the test fails, and waits
// until every one is in OPERATION.
func operationCluster(t testing.TB, supvisors, body string) (clusterPlan, []*server) {
	t.Helper()
	p := planCluster(t, 3, supvisors)
	nodes := []*server{p.startNode(t, 0, body), p.startNode(t, 1, body), p.startNode(t, 2, body)}
	t.Cleanup(func() {
		if t.Failed() {
			logsOf(t, nodes)
		}
	})
	inOperation(t, nodes...)
	return p, nodes
}

// inOperation waits until every node is in OPERATION.
func inOperation(t testing.TB, nodes ...*server) {
	t.Helper()
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
	}
}

// kill9 kills the agent of s and its children, as a crash would, and
// waits until it is gone.
func kill9(t testing.TB, s *server) {
	t.Helper()
	if err := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.exited
}

// svcRules and svcBody are an application svc of one process s, restarted
// on failure, on the addresses listed first in the rules' order.
func svcRules(addresses string) string {
	return `<root>
  <application name="svc">
    <program name="s">
      <addresses>` + addresses + `</addresses>
      <running_failure_strategy>RESTART_PROCESS</running_failure_strategy>
    </program>
  </application>
</root>`
}

const svcBody = `
[group:svc]
programs=s

[program:s]
command=/bin/sleep 1000
autostart=false
autorestart=false
startsecs=0
`

// slowDetection is a failure detection of seconds, not the shipped second:
// a test that must act before a node's loss is found out has time to.
const slowDetection = "probe_interval=1s\nprobe_timeout=500ms\nsuspicion_mult=4\n"

// TestRestartWithAFrozenNode: restart() while a node's agent is frozen for
// 3 s right after the call. Its agent gets the order when it resumes (the
// kernel held the connection), restarts like the others, and the cluster
// ends as it would have without the fault: every agent restarted, in
// OPERATION, h deployed again with new children.
func TestRestartWithAFrozenNode(t *testing.T) {
	t.Parallel()
	nodes, children := hashedCluster(t)
	before := children()
	if out := strings.TrimSpace(nodes[0].python(t, "print(p.supvisors.restart())")); out != "True" {
		t.Fatalf("restart() on 127.0.0.1: %s", out)
	}
	resume := freeze(t, nodes[1])
	time.Sleep(3 * time.Second) // the fault itself: frozen for 3 s
	resume()
	for _, n := range nodes {
		waitFor(t, 30*time.Second, func() (bool, string) {
			return len(grepLog(t, n, "supvisors: restarting")) > 0, n.host + " logged no restart"
		})
	}
	inOperation(t, nodes...)
	after := children()
	for i, n := range nodes {
		if after[i] == before[i] {
			t.Errorf("h:h_%d on %s kept pid %d across restart()", i, n.host, before[i])
		}
	}
}

// TestLateNodeGetsItsPinnedProcess: a node that is down when the cluster
// deploys (past synchro_timeout) has a process pinned to it; the process
// waits, get_process_info says why, and it starts as soon as the node
// joins.
func TestLateNodeGetsItsPinnedProcess(t *testing.T) {
	t.Parallel()
	p := planCluster(t, 3, writeRulesFile(t, hashedRules)+"\nsynchro_timeout=2\n")
	nodes := []*server{p.startNode(t, 0, hashedPrograms), nil, p.startNode(t, 2, hashedPrograms)}
	t.Cleanup(func() {
		if t.Failed() {
			logsOf(t, []*server{nodes[0], nodes[2]})
		}
	})
	inOperation(t, nodes[0], nodes[2])
	runsOn(t, nodes[2], "h:h_0", "127.0.0.1")
	runsOn(t, nodes[0], "h:h_2", "127.0.0.3")
	waiting := "p.supvisors.get_process_info('h:h_1')[0]['waiting']"
	for _, i := range []int{0, 2} {
		waitFor(t, 10*time.Second, func() (bool, string) {
			out := strings.TrimSpace(nodes[i].python(t, "print("+waiting+")"))
			return strings.Contains(out, "127.0.0.2: SILENT"), fmt.Sprintf("waiting on %s: %q", nodes[i].host, out)
		})
	}

	nodes[1] = p.startNode(t, 1, hashedPrograms)
	runsOn(t, nodes[0], "h:h_1", "127.0.0.2")
	if info := local(t, nodes[1], "h:h_1"); info.State != "RUNNING" {
		t.Errorf("h:h_1 on 127.0.0.2 itself: %+v", info)
	}
	nodes[2].waitPython(t, waiting, "")
}

// TestFailoverStartToAFrozenNode: a RESTART_PROCESS process crashes while
// the address its rules prefer is frozen, but not yet found out: the
// master's start is sent there, the address is lost meanwhile, and the
// start is placed again on the next address. When the frozen node resumes,
// the start it got too late leaves no copy (dropped, or cancelled by the
// stop the master sent when it gave the node up): the process runs once.
func TestFailoverStartToAFrozenNode(t *testing.T) {
	t.Parallel()
	// The master surely handles the crash before it finds out about the
	// frozen node.
	_, nodes := operationCluster(t, writeRulesFile(t, svcRules("127.0.0.2,127.0.0.1,127.0.0.3"))+"\n"+slowDetection, svcBody)
	expectCalls(t, nodes[2], map[string]string{"s": "OK True"}, pyCall{"s", "p.supvisors.start_process('LOCAL', 'svc:s')"})
	runsOn(t, nodes[0], "svc:s", "127.0.0.3")
	pid := local(t, nodes[2], "svc:s").PID

	resume := freeze(t, nodes[1])
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, func() (bool, string) {
		return len(grepLog(t, nodes[0], "starting: process=svc:s address=127.0.0.2")) > 0, "the master sent no start to the frozen 127.0.0.2"
	})
	runsOn(t, nodes[0], "svc:s", "127.0.0.1")
	resume()
	nodes[0].waitPython(t, "p.supvisors.get_address_info('127.0.0.2')['statename']", "RUNNING")
	// The late start is dropped (too old, or overtaken by the stop that
	// cancels it), or cancelled by that stop once done.
	waitFor(t, 10*time.Second, func() (bool, string) {
		info := local(t, nodes[1], "svc:s")
		return info.State == "STOPPED", fmt.Sprintf("svc:s on the resumed 127.0.0.2: %+v, want STOPPED", info)
	})
	runsOn(t, nodes[2], "svc:s", "127.0.0.1")
}

// TestOperatorStartPlacedAgain: an operator's start_process goes (CONFIG:
// the first address its rules allow) to a node frozen before anyone
// noticed. The address failed the start, not the process: it is placed
// again on the next address and the call succeeds (chaos netns seed 7177,
// fault #97: ra:ra_cache, an optional process of an operator's
// start_application, was left stopped when its node did not answer). The
// start the frozen node gets late leaves no copy there.
func TestOperatorStartPlacedAgain(t *testing.T) {
	t.Parallel()
	_, nodes := operationCluster(t, writeRulesFile(t, svcRules("127.0.0.2,127.0.0.3"))+"\n"+slowDetection, svcBody)
	resume := freeze(t, nodes[1])
	expectCalls(t, nodes[2], map[string]string{"s": "OK True"}, pyCall{"s", "p.supvisors.start_process('CONFIG', 'svc:s')"})
	runsOn(t, nodes[0], "svc:s", "127.0.0.3")
	resume()
	nodes[0].waitPython(t, "p.supvisors.get_address_info('127.0.0.2')['statename']", "RUNNING")
	waitFor(t, 10*time.Second, func() (bool, string) {
		info := local(t, nodes[1], "svc:s")
		return info.State == "STOPPED", fmt.Sprintf("svc:s on the resumed 127.0.0.2: %+v, want STOPPED", info)
	})
	runsOn(t, nodes[0], "svc:s", "127.0.0.3")
}

// TestClockSetBack: a node's agent is killed and comes back with its clock
// set back by ten minutes (its new incarnation, taken from its clock, is
// lower than the last one): the others take it for the new agent it is.
func TestClockSetBack(t *testing.T) {
	t.Parallel()
	body := sleeper("p", "")
	p, nodes := operationCluster(t, "", body)
	addressState := "p.supvisors.get_address_info('127.0.0.2')['statename']"
	kill9(t, nodes[1])
	nodes[0].waitPython(t, addressState, "SILENT")

	back := p.node(t, 1, body)
	back.cmd.Args = append(back.cmd.Args, "--clock-offset", "-10m")
	back.launch(t)
	back.waitAnswering(t)
	for _, n := range []*server{nodes[0], nodes[2], back} {
		n.waitPython(t, addressState, "RUNNING")
	}
	inOperation(t, nodes[0], nodes[2], back)
	// Its clock is ten minutes behind the others' for all to see, from
	// its first heartbeat on (RUNNING may come before it).
	nodes[0].waitPython(t, "(lambda a: 590 <= a['local_time'] - a['remote_time'] <= 610)(p.supvisors.get_address_info('127.0.0.2'))", "True")
}

// TestStopApplicationAllOrNothing: an application under STOP_APPLICATION
// loses a process with its node. Its copies elsewhere stop; a copy on a
// node that was only frozen stops when the node resumes (the master held
// that stop), and a node that was killed comes back without one: the
// application stays stopped, and never half running.
func TestStopApplicationAllOrNothing(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="sa">
    <start_sequence>1</start_sequence>
    <running_failure_strategy>STOP_APPLICATION</running_failure_strategy>
    <program name="a"><addresses>127.0.0.2</addresses><start_sequence>1</start_sequence></program>
    <program name="b"><addresses>127.0.0.3</addresses><start_sequence>1</start_sequence></program>
    <program name="c"><addresses>127.0.0.1</addresses><start_sequence>1</start_sequence></program>
  </application>
</root>`
	body := "\n[group:sa]\nprograms=a,b,c\n" + sleeper("a", "autorestart=false") + sleeper("b", "autorestart=false") + sleeper("c", "autorestart=false")
	p, nodes := operationCluster(t, writeRulesFile(t, rules), body)
	appState(t, nodes[0], "sa", "RUNNING")

	// 127.0.0.2 frozen long enough to be lost: b (127.0.0.3) and c (the
	// master's) stop; a, frozen with its node, stops once it resumes.
	resume := freeze(t, nodes[1])
	nodes[0].waitPython(t, "p.supvisors.get_address_info('127.0.0.2')['statename']", "SILENT")
	for _, namespec := range []string{"sa:b", "sa:c"} {
		nodes[0].waitPython(t, fmt.Sprintf("p.supvisors.get_process_info(%q)[0]['statename']", namespec), "STOPPED")
	}
	resume()
	nodes[0].waitPython(t, "p.supvisors.get_address_info('127.0.0.2')['statename']", "RUNNING")
	waitFor(t, 10*time.Second, func() (bool, string) {
		info := local(t, nodes[1], "sa:a")
		return info.State == "STOPPED", fmt.Sprintf("sa:a on the resumed 127.0.0.2: %+v", info)
	})
	appState(t, nodes[2], "sa", "STOPPED")

	// Started again, then 127.0.0.3 killed and relaunched.
	expectCalls(t, nodes[0], map[string]string{"sa": "OK True"}, pyCall{"sa", "p.supvisors.start_application(0, 'sa')"})
	appState(t, nodes[0], "sa", "RUNNING")
	kill9(t, nodes[2])
	appState(t, nodes[0], "sa", "STOPPED")
	nodes[2] = p.startNode(t, 2, body)
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_address_info('127.0.0.3')['statename']", "RUNNING")
	}
	inOperation(t, nodes...)
	appState(t, nodes[1], "sa", "STOPPED")
}

// TestRestartApplicationWithAFrozenNode: an application under
// RESTART_APPLICATION loses a process pinned to a node that froze: the
// application restarts, its pinned process waiting for its node. When the
// node resumes with the old copy, that copy is stopped (the restart holds
// its stop) and not taken for the new one, which starts then: every
// process runs once, anew.
func TestRestartApplicationWithAFrozenNode(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="ra">
    <start_sequence>1</start_sequence>
    <running_failure_strategy>RESTART_APPLICATION</running_failure_strategy>
    <program name="x"><addresses>127.0.0.2</addresses><start_sequence>1</start_sequence><required>true</required></program>
    <program name="y"><addresses>127.0.0.3</addresses><start_sequence>1</start_sequence><required>true</required></program>
  </application>
</root>`
	body := "\n[group:ra]\nprograms=x,y\n" + sleeper("x", "autorestart=false") + sleeper("y", "autorestart=false")
	nodes := rulesCluster(t, rules, body)
	runsOn(t, nodes[0], "ra:x", "127.0.0.2")
	runsOn(t, nodes[0], "ra:y", "127.0.0.3")
	oldX, oldY := local(t, nodes[1], "ra:x").PID, local(t, nodes[2], "ra:y").PID

	resume := freeze(t, nodes[1])
	nodes[0].waitPython(t, "p.supvisors.get_address_info('127.0.0.2')['statename']", "SILENT")
	waitFor(t, 10*time.Second, func() (bool, string) {
		info := local(t, nodes[2], "ra:y")
		return info.State == "RUNNING" && info.PID != oldY, fmt.Sprintf("ra:y not restarted: %+v", info)
	})
	nodes[0].waitPython(t, "p.supvisors.get_process_info('ra:x')[0]['waiting'] != ''", "True")
	resume()
	for _, n := range nodes {
		runsOn(t, n, "ra:x", "127.0.0.2")
		runsOn(t, n, "ra:y", "127.0.0.3")
	}
	if info := local(t, nodes[1], "ra:x"); info.PID == oldX {
		t.Errorf("ra:x is still the old copy (pid %d): the restart took it for the new one", oldX)
	}
}

// TestMasterRelaunchedBeforeDetection: the master's agent is killed with a
// RESTART_PROCESS process and relaunched before the others found out. Its
// new agent, elected again, never saw the process run: the others report
// the failure to it, and the process runs again, once.
func TestMasterRelaunchedBeforeDetection(t *testing.T) {
	t.Parallel()
	// The relaunch surely comes before the loss is found out.
	p, nodes := operationCluster(t, writeRulesFile(t, svcRules("127.0.0.1,127.0.0.2"))+"\n"+slowDetection, svcBody)
	expectCalls(t, nodes[0], map[string]string{"s": "OK True"}, pyCall{"s", "p.supvisors.start_process('CONFIG', 'svc:s')"})
	runsOn(t, nodes[2], "svc:s", "127.0.0.1")

	kill9(t, nodes[0])
	nodes[0] = p.startNode(t, 0, svcBody)
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_master_address()", "127.0.0.1")
	}
	inOperation(t, nodes...)
	waitFor(t, 30*time.Second, func() (bool, string) {
		var infos []clusterProcess
		nodes[2].pyJSON(t, "p.supvisors.get_process_info('svc:s')", &infos)
		return len(infos) == 1 && infos[0].State == "RUNNING" && len(infos[0].Addresses) == 1,
			fmt.Sprintf("svc:s after the master's relaunch: %+v", infos)
	})
}

// TestOperatorStopOutlivesRepairs: an operator stops a process of an
// application under RESTART_APPLICATION; another of its processes then
// fails, and the application is restarted without the one the operator
// stopped. An operator's start brings it back.
func TestOperatorStopOutlivesRepairs(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="ra">
    <start_sequence>1</start_sequence>
    <running_failure_strategy>RESTART_APPLICATION</running_failure_strategy>
    <program name="x"><start_sequence>1</start_sequence></program>
    <program name="y"><start_sequence>1</start_sequence></program>
  </application>
</root>`
	body := "\n[group:ra]\nprograms=x,y\n" + sleeper("x", "autorestart=false") + sleeper("y", "autorestart=false")
	nodes := rulesCluster(t, rules, body)
	x := where(t, nodes[0], "ra:x")
	y := where(t, nodes[0], "ra:y")
	expectCalls(t, nodes[1], map[string]string{"x": "OK True"}, pyCall{"x", "p.supvisors.stop_process('ra:x')"})
	nodes[0].waitPython(t, "p.supvisors.get_process_info('ra:x')[0]['statename']", "STOPPED")

	oldY := local(t, nodeAt(t, nodes, y), "ra:y").PID
	if err := syscall.Kill(oldY, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() (bool, string) {
		var infos []clusterProcess
		nodes[2].pyJSON(t, "p.supvisors.get_process_info('ra:y')", &infos)
		if len(infos) != 1 || infos[0].State != "RUNNING" || len(infos[0].Addresses) != 1 {
			return false, fmt.Sprintf("ra:y not restarted: %+v", infos)
		}
		return local(t, nodeAt(t, nodes, infos[0].Addresses[0]), "ra:y").PID != oldY, "ra:y has its old pid"
	})
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_process_info('ra:x')[0]['statename']", "STOPPED")
	}
	if info := local(t, nodeAt(t, nodes, x), "ra:x"); info.State != "STOPPED" {
		t.Errorf("ra:x, stopped by the operator, on %s: %+v", x, info)
	}
	expectCalls(t, nodes[2], map[string]string{"x": "OK True"}, pyCall{"x", "p.supvisors.start_process(0, 'ra:x')"})
	nodes[0].waitPython(t, "p.supvisors.get_process_info('ra:x')[0]['statename']", "RUNNING")
}

// TestFailureWhileItsApplicationStarts: a process fails once RUNNING while
// its application still starts its later phases; its running failure
// strategy applies once the start is over (it was dropped as the start's
// business).
func TestFailureWhileItsApplicationStarts(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="ph">
    <program name="x"><start_sequence>1</start_sequence><running_failure_strategy>RESTART_PROCESS</running_failure_strategy></program>
    <program name="y"><start_sequence>2</start_sequence></program>
  </application>
</root>`
	body := "\n[group:ph]\nprograms=x,y\n" + sleeper("x", "autorestart=false") +
		"\n[program:y]\ncommand=/bin/sleep 1000\nautostart=false\nautorestart=false\nstartsecs=5\n"
	_, nodes := operationCluster(t, writeRulesFile(t, rules), body)
	expectCalls(t, nodes[0], map[string]string{"ph": "OK True"}, pyCall{"ph", "p.supvisors.start_application(0, 'ph', False)"})
	var pid int
	waitFor(t, 10*time.Second, func() (bool, string) {
		var infos []clusterProcess
		nodes[0].pyJSON(t, "p.supvisors.get_process_info('ph:x')", &infos)
		if len(infos) != 1 || infos[0].State != "RUNNING" {
			return false, fmt.Sprintf("ph:x: %+v", infos)
		}
		pid = local(t, nodeAt(t, nodes, infos[0].Addresses[0]), "ph:x").PID
		return true, ""
	})
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	appState(t, nodes[0], "ph", "RUNNING")
	waitFor(t, 30*time.Second, func() (bool, string) {
		var infos []clusterProcess
		nodes[1].pyJSON(t, "p.supvisors.get_process_info('ph:x')", &infos)
		if len(infos) != 1 || infos[0].State != "RUNNING" || len(infos[0].Addresses) != 1 {
			return false, fmt.Sprintf("ph:x not restarted: %+v", infos)
		}
		return local(t, nodeAt(t, nodes, infos[0].Addresses[0]), "ph:x").PID != pid, "ph:x still has its old pid"
	})
}

// TestRestartApplicationNodeBackDuringItsStop: RESTART_APPLICATION after a
// node froze, the node resuming while the application still stops (a
// slow process). The copy it kept running is held for stopping: the
// restart must not take it for a running one, else the held stop leaves
// the process running nowhere (chaos netns seed 6160, fault #9: loss 21%).
func TestRestartApplicationNodeBackDuringItsStop(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="ra">
    <start_sequence>1</start_sequence>
    <running_failure_strategy>RESTART_APPLICATION</running_failure_strategy>
    <program name="c"><addresses>127.0.0.3,127.0.0.2</addresses><start_sequence>1</start_sequence><stop_sequence>1</stop_sequence></program>
    <program name="slow"><addresses>127.0.0.1</addresses><start_sequence>1</start_sequence><stop_sequence>2</stop_sequence></program>
  </application>
</root>`
	// slow takes 3 s to stop: the frozen node is back before the restart
	// starts anything.
	slow := "\n[program:slow]\ncommand=/bin/sh -c 'trap \"sleep 3; exit 0\" TERM; while :; do sleep 0.2; done'\n" +
		"autostart=false\nautorestart=false\nstartsecs=0\nstopwaitsecs=10\n"
	body := "\n[group:ra]\nprograms=c,slow\n" + sleeper("c", "autorestart=false") + slow
	nodes := rulesCluster(t, rules, body)
	runsOn(t, nodes[0], "ra:c", "127.0.0.3")
	runsOn(t, nodes[0], "ra:slow", "127.0.0.1")
	oldC := local(t, nodes[2], "ra:c").PID

	resume := freeze(t, nodes[2])
	waitFor(t, 20*time.Second, func() (bool, string) {
		return len(grepLog(t, nodes[0], "stopping: process=ra:slow")) > 0, "the master did not restart ra"
	})
	resume()
	nodes[0].waitPython(t, "p.supvisors.get_address_info('127.0.0.3')['statename']", "RUNNING")
	for _, n := range nodes {
		n.waitPython(t, "[(i['statename'], len(i['addresses'])) for i in p.supvisors.get_process_info('ra:c')]", "[('RUNNING', 1)]")
		runsOn(t, n, "ra:slow", "127.0.0.1")
	}
	if info := local(t, nodes[2], "ra:c"); info.State == "RUNNING" && info.PID == oldC {
		t.Errorf("ra:c is still the old copy (pid %d): the restart took it for the new one", oldC)
	}
}
