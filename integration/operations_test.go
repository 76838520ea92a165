package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

// These tests drive the operations beyond Supvisors 0.1 on real agents:
// disable and enable with the state file, update_numprocs and
// rolling_restart, every fault, persistence across a kill -9 of an agent
// and its relaunch.

// opsRules deploys web (one process, placed by CONFIG), worker (a
// homogeneous program, its i-th process on the i-th address), roll (four
// workers anywhere) and bad (whose second process fails to start again
// once a file named fail exists in the agent's directory); idle is not
// deployed.
const opsRules = `<root>
  <application name="web"><start_sequence>1</start_sequence>
    <program name="web"><start_sequence>1</start_sequence></program>
  </application>
  <application name="worker"><start_sequence>1</start_sequence>
    <pattern name="worker_"><addresses>#</addresses><start_sequence>1</start_sequence></pattern>
  </application>
  <application name="roll"><start_sequence>1</start_sequence>
    <pattern name="roll_"><start_sequence>1</start_sequence></pattern>
  </application>
  <application name="bad"><start_sequence>1</start_sequence>
    <program name="first"><start_sequence>1</start_sequence><stop_sequence>1</stop_sequence></program>
    <program name="second"><start_sequence>1</start_sequence><stop_sequence>2</stop_sequence></program>
  </application>
</root>`

const opsPrograms = `
[program:web]
command=/bin/sleep 1000
autostart=false
startsecs=0

[program:worker]
process_name=%(program_name)s_%(process_num)d
numprocs=2
command=/bin/sleep 1000
autostart=false
startsecs=0
stopwaitsecs=2

[program:roll]
process_name=%(program_name)s_%(process_num)d
numprocs=4
command=/bin/sleep 1000
autostart=false
startsecs=1

[group:bad]
programs=first,second

[program:first]
command=/bin/sleep 1000
autostart=false
startsecs=0

[program:second]
command=/bin/sh -c 'test -e fail && exit 1; exec /bin/sleep 1000'
autostart=false
startsecs=1
startretries=0

[program:idle]
command=/bin/sleep 1000
autostart=false
`

// TestDisableEnable disables a running program cluster-wide: stopped
// everywhere, every start refused with DISABLED, disabled: true; kept by a
// node across its kill -9, and by the cluster across restart() (the
// deployment waits for an address); enabled again, that start goes on.
func TestDisableEnable(t *testing.T) {
	t.Parallel()
	nodes := rulesCluster(t, opsRules, opsPrograms)
	nodes[2].waitPython(t, "[(i['statename'], i['addresses'], i['disabled']) for i in p.supvisors.get_process_info('web:web')]",
		"[('RUNNING', ['127.0.0.1'], False)]")

	expectCalls(t, nodes[1], map[string]string{
		"disable_unknown": "10 BAD_NAME: nosuch",
		"enable_unknown":  "10 BAD_NAME: nosuch",
		"disable":         "OK True",
		"again":           "OK True",
		"start_process":   "105 DISABLED: web:web",
	},
		pyCall{"disable_unknown", "p.supvisors.disable('nosuch')"},
		pyCall{"enable_unknown", "p.supvisors.enable('nosuch', True)"},
		pyCall{"disable", "p.supvisors.disable('web')"},
		pyCall{"again", "p.supvisors.disable('web', True)"},
		pyCall{"start_process", "p.supvisors.start_process(0, 'web:web')"},
	)
	for _, n := range nodes {
		n.waitPython(t, "[(i['statename'], i['addresses'], i['disabled']) for i in p.supvisors.get_process_info('web:web')]",
			"[('STOPPED', [], True)]")
		expectCalls(t, n, map[string]string{
			"supervisor": "105 DISABLED: web",
			"start_args": "105 DISABLED: web",
		},
			pyCall{"supervisor", "p.supervisor.startProcess('web')"},
			pyCall{"start_args", "p.supvisors.start_args('web:web')"},
		)
	}
	// Placement, which every start of the cluster goes through (RPC,
	// deployment, failure strategies, conciliation), takes no address.
	expectCalls(t, nodes[0], map[string]string{"restart_process": "40 ABNORMAL_TERMINATION: web:web: no address can take it (127.0.0.1: disabled, 127.0.0.2: disabled, 127.0.0.3: disabled)"},
		pyCall{"restart_process", "p.supvisors.restart_process(0, 'web:web')"})

	// kill -9 a node and relaunch it: its state file keeps web disabled
	// (not autostarted, refused), and the cluster still sees it so.
	node := nodes[1]
	killHard(t, node)
	node.relaunch(t, node.cmd.Args)
	node.waitAnswering(t)
	node.waitPython(t, supvisorsStateExpr, "OPERATION")
	expectCalls(t, node, map[string]string{"supervisor": "105 DISABLED: web"}, pyCall{"supervisor", "p.supervisor.startProcess('web')"})
	nodes[0].waitPython(t, "[i['disabled'] for i in p.supvisors.get_process_info('web:web')]", "[True]")
	data, err := os.ReadFile(filepath.Join(node.dir, "supvisors.state"))
	if err != nil || !strings.Contains(string(data), `"web"`) {
		t.Errorf("state file of %s: %v\n%s", node.host, err, data)
	}

	// The whole cluster restarts: the deployment does not start it, and
	// waits for an address.
	expectCalls(t, nodes[0], map[string]string{"restart": "OK True"}, pyCall{"restart", "p.supvisors.restart()"})
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_application_info('worker')['statename']", "RUNNING")
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
	}
	nodes[0].waitPython(t, "[(i['statename'], i['disabled'], i['waiting']) for i in p.supvisors.get_process_info('web:web')]",
		"[('STOPPED', True, 'web:web: no address can take it (127.0.0.1: disabled, 127.0.0.2: disabled, 127.0.0.3: disabled)')]")

	// Enabled, the start the deployment waits with goes on.
	expectCalls(t, nodes[2], map[string]string{"enable": "OK True"}, pyCall{"enable", "p.supvisors.enable('web')"})
	nodes[1].waitPython(t, "[(i['statename'], i['addresses'], i['disabled'], i['waiting']) for i in p.supvisors.get_process_info('web:web')]",
		"[('RUNNING', ['127.0.0.1'], False, '')]")
	data, err = os.ReadFile(filepath.Join(node.dir, "supvisors.state"))
	if err != nil || strings.Contains(string(data), `"web"`) {
		t.Errorf("state file of %s after enable: %v\n%s", node.host, err, data)
	}
}

// killHard kills an agent with SIGKILL and waits for its end; its children
// die with it.
func killHard(t testing.TB, s *server) {
	t.Helper()
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// workersExpr lists the worker processes with their state and addresses.
const workersExpr = "[(i['process_name'], i['statename'], i['addresses']) for i in p.supvisors.get_process_info('worker:*')]"

// TestUpdateNumprocs scales a homogeneous program up (the new processes
// start where '#' places them: the i-th on the i-th address) and down (the
// extra ones stopped, then removed everywhere), with every fault; a node
// killed with -9 and relaunched keeps the new numprocs.
func TestUpdateNumprocs(t *testing.T) {
	t.Parallel()
	nodes := rulesCluster(t, opsRules, opsPrograms)
	nodes[2].waitPython(t, workersExpr, "[('worker_0', 'RUNNING', ['127.0.0.1']), ('worker_1', 'RUNNING', ['127.0.0.2'])]")

	expectCalls(t, nodes[1], map[string]string{
		"unknown":       "10 BAD_NAME: nosuch",
		"zero":          "3 BAD_ARGUMENTS: numprocs 0: expected in [1;10000]",
		"huge":          "3 BAD_ARGUMENTS: numprocs 10001: expected in [1;10000]",
		"heterogeneous": "3 BAD_ARGUMENTS: web is not a homogeneous program (its process_name lacks %(process_num))",
		"up":            "OK True",
	},
		pyCall{"unknown", "p.supvisors.update_numprocs('nosuch', 2)"},
		pyCall{"zero", "p.supvisors.update_numprocs('worker', 0)"},
		pyCall{"huge", "p.supvisors.update_numprocs('worker', 10001, True)"},
		pyCall{"heterogeneous", "p.supvisors.update_numprocs('web', 2)"},
		pyCall{"up", "p.supvisors.update_numprocs('worker', 3)"},
	)
	nodes[0].waitPython(t, workersExpr,
		"[('worker_0', 'RUNNING', ['127.0.0.1']), ('worker_1', 'RUNNING', ['127.0.0.2']), ('worker_2', 'RUNNING', ['127.0.0.3'])]")
	for _, n := range nodes {
		n.waitPython(t, "[i['name'] for i in p.supervisor.getAllProcessInfo() if i['group'] == 'worker']", "['worker_0', 'worker_1', 'worker_2']")
	}

	expectCalls(t, nodes[2], map[string]string{"down": "OK True"}, pyCall{"down", "p.supvisors.update_numprocs('worker', 1)"})
	for _, n := range nodes {
		// The others' records of a removed process come by gossip.
		n.waitPython(t, "p.supvisors.get_process_info('worker:worker_2')", "not yet: <Fault 10: 'BAD_NAME: worker:worker_2'>")
		n.waitPython(t, "[i['name'] for i in p.supervisor.getAllProcessInfo() if i['group'] == 'worker']", "['worker_0']")
		n.waitPython(t, workersExpr, "[('worker_0', 'RUNNING', ['127.0.0.1'])]")
	}

	// kill -9 a node and relaunch it: its state file keeps numprocs=1.
	node := nodes[2]
	killHard(t, node)
	node.relaunch(t, node.cmd.Args)
	node.waitAnswering(t)
	node.waitPython(t, supvisorsStateExpr, "OPERATION")
	node.waitPython(t, "[i['name'] for i in p.supervisor.getAllProcessInfo() if i['group'] == 'worker']", "['worker_0']")
	nodes[0].waitPython(t, workersExpr, "[('worker_0', 'RUNNING', ['127.0.0.1'])]")
}

// TestRollingRestart restarts a group of 4 workers (startsecs=1) one at a
// time while a probe reads them every 50 ms: never fewer than 3 RUNNING,
// and every one was down once. A failure stops the rollout and names the
// process; the faults.
func TestRollingRestart(t *testing.T) {
	t.Parallel()
	nodes := rulesCluster(t, opsRules, opsPrograms)
	for _, app := range []string{"roll", "bad"} {
		nodes[0].waitPython(t, "p.supvisors.get_application_info('"+app+"')['statename']", "RUNNING")
	}
	sv := newTestClient(t, nodes[1].url, nodes[1]).Supvisors()

	ctx, cancel := context.WithCancel(context.Background())
	type probe struct {
		minRunning int
		down       map[string]bool
		reads      int
		err        error
	}
	probed := make(chan probe, 1)
	go func() {
		p := probe{minRunning: 4, down: map[string]bool{}}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			infos, err := sv.GetProcessInfo(ctx, "roll:*")
			if ctx.Err() != nil {
				probed <- p
				return
			}
			if err != nil {
				p.err = err
				probed <- p
				return
			}
			running := 0
			for _, i := range infos {
				if i.StateName == "RUNNING" {
					running++
				} else {
					p.down[i.ProcessName] = true
				}
			}
			p.minRunning = min(p.minRunning, running)
			p.reads++
			<-tick.C
		}
	}()
	start := time.Now()
	ok, err := sv.RollingRestart(context.Background(), "roll", true)
	took := time.Since(start)
	cancel()
	p := <-probed
	if !ok || err != nil {
		t.Fatalf("rolling_restart(roll): %v, %v", ok, err)
	}
	t.Logf("rolling_restart of 4 processes with startsecs=1: %v; %d probes, at least %d RUNNING", took, p.reads, p.minRunning)
	if p.err != nil {
		t.Errorf("probe: %v", p.err)
	}
	if p.minRunning < 3 {
		t.Errorf("%d processes RUNNING at one probe, want at least 3", p.minRunning)
	}
	if len(p.down) != 4 {
		t.Errorf("processes seen restarting: %v, want the 4", p.down)
	}
	nodes[2].waitPython(t, "[i['statename'] for i in p.supvisors.get_process_info('roll:*')]", "['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']")

	for _, n := range nodes {
		if err := os.WriteFile(filepath.Join(n.dir, "fail"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	expectCalls(t, nodes[2], map[string]string{
		"unknown": "10 BAD_NAME: nosuch",
		"stopped": "70 NOT_RUNNING: idle",
		"failure": "40 ABNORMAL_TERMINATION: bad:second: start: FATAL on ...",
	},
		pyCall{"unknown", "p.supvisors.rolling_restart('nosuch')"},
		pyCall{"stopped", "p.supvisors.rolling_restart('idle', True)"},
		pyCall{"failure", "p.supvisors.rolling_restart('bad')"},
	)
	// first (stop_sequence 1) went before second, and runs again.
	nodes[0].waitPython(t, "[(i['process_name'], i['statename']) for i in p.supvisors.get_process_info('bad:*')]", "[('first', 'RUNNING'), ('second', 'FATAL')]")
}

// TestOperationsGate: before OPERATION (here INITIALIZATION, waiting for
// the other address), the operations answer BAD_SUPVISORS_STATE; they are
// listed, with their help.
func TestOperationsGate(t *testing.T) {
	t.Parallel()
	plan := planCluster(t, 2, "synchro_timeout=60")
	node := plan.startNode(t, 0, opsPrograms)
	expectCalls(t, node, map[string]string{
		"disable":  "101 BAD_SUPVISORS_STATE: Supvisors is in state INITIALIZATION",
		"enable":   "101 BAD_SUPVISORS_STATE: Supvisors is in state INITIALIZATION",
		"numprocs": "101 BAD_SUPVISORS_STATE: Supvisors is in state INITIALIZATION",
		"rolling":  "101 BAD_SUPVISORS_STATE: Supvisors is in state INITIALIZATION",
		"help":     "OK 'Change the number of processes of a homogeneous program on every node that has it...",
		"listed":   "OK ['supvisors.disable', 'supvisors.enable', 'supvisors.rolling_restart', 'supvisors.update_numprocs']",
	},
		pyCall{"disable", "p.supvisors.disable('web')"},
		pyCall{"enable", "p.supvisors.enable('web')"},
		pyCall{"numprocs", "p.supvisors.update_numprocs('worker', 3)"},
		pyCall{"rolling", "p.supvisors.rolling_restart('roll')"},
		pyCall{"help", "p.system.methodHelp('supvisors.update_numprocs')"},
		pyCall{"listed", "[m for m in p.system.listMethods() if m in ('supvisors.disable', 'supvisors.enable', 'supvisors.update_numprocs', 'supvisors.rolling_restart')]"},
	)
}

// TestSupvisorsctlOperations drives the operations with supvisorsctl: the
// rollout's steps, tables and --json, a fault, a bad argument.
func TestSupvisorsctlOperations(t *testing.T) {
	t.Parallel()
	nodes := rulesCluster(t, opsRules, opsPrograms)
	nodes[0].waitPython(t, "p.supvisors.get_application_info('roll')['statename']", "RUNNING")
	ctl := func(args ...string) (string, string, int) {
		t.Helper()
		return nodes[1].runClient(t, ctlBinary, "", nodes[1].credentials(), args...)
	}

	out, errOut, code := ctl("rolling_restart", "roll")
	if code != 0 || !strings.HasSuffix(out, "roll rolling restarted: True\n") {
		t.Errorf("rolling_restart roll: exit %d\n%s%s", code, out, errOut)
	}
	// Each process is seen going down and coming back, one after the other.
	for _, name := range []string{"roll:roll_0", "roll:roll_1", "roll:roll_2", "roll:roll_3"} {
		down := strings.Index(out, "  "+name+" ST")
		up := strings.Index(out, "  "+name+" RUNNING on ")
		if down < 0 || up < down {
			t.Errorf("rolling_restart roll: no step of %s down then up in:\n%s", name, out)
		}
	}

	out, errOut, code = ctl("disable", "web", "nosuch")
	if code != 1 || out != "web disabled: True\nnosuch: ERROR (BAD_NAME: nosuch)\n" {
		t.Errorf("disable web nosuch: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = ctl("--json", "enable", "web")
	if code != 0 || strings.Join(strings.Fields(out), "") != `[{"name":"web","result":true}]` {
		t.Errorf("--json enable web: exit %d\n%s", code, out)
	}
	out, errOut, code = ctl("update_numprocs", "worker", "3")
	if code != 0 || out != "worker numprocs=3: True\n" {
		t.Errorf("update_numprocs worker 3: exit %d\n%s%s", code, out, errOut)
	}
	_, errOut, code = ctl("update_numprocs", "worker", "three")
	if code != 2 || !strings.Contains(errOut, `update_numprocs: "three" is not a number of processes`) {
		t.Errorf("update_numprocs worker three: exit %d\n%s", code, errOut)
	}
}

// TestDamagedStateFile: an agent whose state file is damaged says so, with
// its path, and starts as configured.
func TestDamagedStateFile(t *testing.T) {
	t.Parallel()
	plan := planCluster(t, 1, "")
	node := plan.node(t, 0, "\n[program:auto]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	path := filepath.Join(node.dir, "supvisors.state")
	if err := os.WriteFile(path, []byte(`{"disabled": ["auto"`), 0o644); err != nil {
		t.Fatal(err)
	}
	node.launch(t)
	node.waitAnswering(t)
	node.waitPython(t, "p.supervisor.getProcessInfo('auto')['statename']", "RUNNING")
	if lines := grepLog(t, node, "state file not applied", "state file "+path+" is damaged, ignored"); len(lines) != 1 {
		t.Errorf("log lines about the damaged state file: %q", lines)
	}
}

// clientOperations calls the operations with the Go client against
// TestClientSupvisors' cluster (clientRules): man:tool disabled and
// enabled, app rolled, and their faults; sup is 127.0.0.2's supervisor
// namespace.
func clientOperations(t *testing.T, sv client.Supvisors, sup client.Supervisor) {
	ctx := t.Context()
	if ok, err := sv.Disable(ctx, "tool", true); err != nil || !ok {
		t.Fatalf("disable(tool): %v, %v", ok, err)
	}
	_, err := sv.StartProcess(ctx, enums.StartConfig, "man:tool", "", true)
	faultIs(t, "start_process(man:tool), disabled", err, fault.Disabled)
	_, err = sup.StartProcess(ctx, "man:tool", true)
	faultIs(t, "startProcess(man:tool) on 127.0.0.2, disabled", err, fault.Disabled)
	if infos, err := sv.GetProcessInfo(ctx, "man:tool"); err != nil || len(infos) != 1 || !infos[0].Disabled {
		t.Errorf("get_process_info(man:tool), disabled: %+v, %v", infos, err)
	}
	if ok, err := sv.Enable(ctx, "tool", true); err != nil || !ok {
		t.Errorf("enable(tool): %v, %v", ok, err)
	}
	_, err = sv.Disable(ctx, "nosuch", true)
	faultIs(t, "disable(nosuch)", err, fault.BadName)
	_, err = sv.Enable(ctx, "nosuch", true)
	faultIs(t, "enable(nosuch)", err, fault.BadName)

	_, err = sv.UpdateNumprocs(ctx, "wrk", 2, true)
	faultIs(t, "update_numprocs(wrk), not homogeneous", err, fault.BadArguments)
	_, err = sv.UpdateNumprocs(ctx, "nosuch", 2, true)
	faultIs(t, "update_numprocs(nosuch)", err, fault.BadName)

	before := replyOf[api.ProcessInfo](t, "getProcessInfo app:srv")(sup.GetProcessInfo(ctx, "app:srv"))
	if ok, err := sv.RollingRestart(ctx, "app", true); err != nil || !ok {
		t.Fatalf("rolling_restart(app): %v, %v", ok, err)
	}
	after := replyOf[api.ProcessInfo](t, "getProcessInfo app:srv")(sup.GetProcessInfo(ctx, "app:srv"))
	if after.State != enums.ProcessRunning || after.PID == before.PID {
		t.Errorf("app:srv after rolling_restart: %s pid %d, before pid %d", after.State, after.PID, before.PID)
	}
	_, err = sv.RollingRestart(ctx, "man", true)
	faultIs(t, "rolling_restart(man), stopped", err, fault.NotRunning)
	_, err = sv.RollingRestart(ctx, "nosuch", true)
	faultIs(t, "rolling_restart(nosuch)", err, fault.BadName)
}
