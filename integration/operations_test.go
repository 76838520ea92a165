package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

)

// These tests drive the operations beyond Supvisors 0.1 on real agents:
// disable and enable with the state file, update_numprocs and
// rolling_restart, every fault, persistence across a kill -9 of an agent
// and its relaunch.

// opsRules deploys web (one process, placed by CONFIG), worker (a
// homogeneous program, its i-th process on the i-th address) and roll
// (four workers anywhere).
const opsRules = `<root>
  <application name="web"><start_sequence>1</start_sequence>
    <program name="web"><start_sequence>1</start_sequence></program>
  </application>
  <application name="worker"><start_sequence>1</start_sequence>
    <pattern name="worker_"><addresses>#</addresses><start_sequence>1</start_sequence></pattern>
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
`

// TestDisableEnable disables a running program cluster-wide: stopped
// everywhere, every start refused with DISABLED, disabled: true; kept by a
// node across its kill -9; enabled again, it starts.
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

	expectCalls(t, nodes[2], map[string]string{"enable": "OK True", "start_process": "OK True"},
		pyCall{"enable", "p.supvisors.enable('web')"},
		pyCall{"start_process", "p.supvisors.start_process(0, 'web:web')"},
	)
	nodes[1].waitPython(t, "[(i['statename'], i['addresses'], i['disabled']) for i in p.supvisors.get_process_info('web:web')]",
		"[('RUNNING', ['127.0.0.1'], False)]")
}

// killHard kills an agent with SIGKILL and waits for its end; its children
// die with it.
func killHard(t testing.TB, s *server) {
	t.Helper()
	_ = s.cmd.Process.Kill()
	<-s.exited
}
