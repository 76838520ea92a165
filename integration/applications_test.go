package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests drive the application and process control of the supvisors
// namespace on three real agents (127.0.0.1..3) sharing a rules file, with
// Python's xmlrpc.client: deployment, placement, control from a node that
// is not the master, every fault, the starting and running failure
// strategies, restart() and shutdown().

const supvisorsStateExpr = "p.supvisors.get_supvisors_state()['statename']"

// rulesCluster starts 3 agents whose configuration is body and whose
// [supvisors] section names a rules file holding rules, then waits until
// every one is in OPERATION (deployment done).
func rulesCluster(t testing.TB, rules, body string) []*server {
	t.Helper()
	nodes := startClusterNodes(t, 3, writeRulesFile(t, rules), body)
	t.Cleanup(func() {
		if t.Failed() {
			logsOf(t, nodes)
		}
	})
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
	}
	return nodes
}

// logsOf logs the agents' main logs but memberlist's, to tell what
// happened when a test fails.
func logsOf(t testing.TB, nodes []*server) {
	for _, n := range nodes {
		for _, l := range grepLog(t, n, "") {
			if !strings.Contains(l, "memberlist") {
				t.Log(l)
			}
		}
	}
}

// pyJSON evaluates a Python expression on s (p is its proxy) and decodes it
// into v through JSON.
func (s *server) pyJSON(t testing.TB, expr string, v any) {
	t.Helper()
	out := strings.TrimSpace(s.python(t, "import json\nprint(json.dumps("+expr+"))"))
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%s on %s: %v: %s", expr, s.host, err, out)
	}
}

// pyCall is one labelled call of pyCalls: expr is a Python expression.
type pyCall struct{ label, expr string }

// pyCalls runs the calls on s in order and returns, by label, what each
// came to: "OK <repr of the reply>" or "<faultCode> <faultString>".
func (s *server) pyCalls(t testing.TB, calls ...pyCall) map[string]string {
	t.Helper()
	var code strings.Builder
	code.WriteString(`import xmlrpc.client
def call(label, f):
    try:
        print(label, 'OK', repr(f()))
    except xmlrpc.client.Fault as e:
        print(label, e.faultCode, e.faultString.replace('\n', ' '))
`)
	for _, c := range calls {
		fmt.Fprintf(&code, "call(%q, lambda: %s)\n", c.label, c.expr)
	}
	out := s.python(t, code.String())
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		label, rest, _ := strings.Cut(line, " ")
		got[label] = rest
	}
	return got
}

// expectCalls checks the outcome of each call: want is the exact outcome,
// or a prefix of it when it ends with "...".
func expectCalls(t testing.TB, s *server, want map[string]string, calls ...pyCall) {
	t.Helper()
	got := s.pyCalls(t, calls...)
	for _, c := range calls {
		t.Logf("%s on %s: %s", c.expr, s.host, got[c.label])
		w := want[c.label]
		g, ok := got[c.label]
		switch {
		case !ok:
			t.Errorf("%s (%s) on %s: no outcome", c.label, c.expr, s.host)
		case strings.HasSuffix(w, "..."):
			if !strings.HasPrefix(g, strings.TrimSuffix(w, "...")) {
				t.Errorf("%s (%s) on %s: %s, want %s", c.label, c.expr, s.host, g, w)
			}
		case g != w:
			t.Errorf("%s (%s) on %s: %s, want %s", c.label, c.expr, s.host, g, w)
		}
	}
}

// nodeAt is the agent of address.
func nodeAt(t testing.TB, nodes []*server, address string) *server {
	t.Helper()
	for _, n := range nodes {
		if n.host == address {
			return n
		}
	}
	t.Fatalf("no agent at %q", address)
	return nil
}

// clusterProcess is an entry of supvisors.get_process_info.
type clusterProcess struct {
	Application string   `json:"application_name"`
	Name        string   `json:"process_name"`
	State       string   `json:"statename"`
	Addresses   []string `json:"addresses"`
}

// localProcess is what supervisor.getProcessInfo says on one node.
type localProcess struct {
	State      string `json:"statename"`
	PID        int    `json:"pid"`
	Start      int64  `json:"start"`
	ExitStatus int    `json:"exitstatus"`
	Spawnerr   string `json:"spawnerr"`
}

// where returns the single address namespec runs on, as s sees it.
func where(t testing.TB, s *server, namespec string) string {
	t.Helper()
	var infos []clusterProcess
	s.pyJSON(t, fmt.Sprintf("p.supvisors.get_process_info(%q)", namespec), &infos)
	if len(infos) != 1 || len(infos[0].Addresses) != 1 {
		t.Fatalf("get_process_info(%q) on %s: %+v, want one process on one address", namespec, s.host, infos)
	}
	return infos[0].Addresses[0]
}

// local returns supervisor.getProcessInfo(namespec) on s.
func local(t testing.TB, s *server, namespec string) localProcess {
	t.Helper()
	var info localProcess
	s.pyJSON(t, fmt.Sprintf("p.supervisor.getProcessInfo(%q)", namespec), &info)
	return info
}

// runsOn waits until s sees namespec RUNNING on exactly address.
func runsOn(t testing.TB, s *server, namespec, address string) {
	t.Helper()
	s.waitPython(t, fmt.Sprintf("[(i['statename'], i['addresses']) for i in p.supvisors.get_process_info(%q)]", namespec),
		"[('RUNNING', ['"+address+"'])]")
}

// appState waits until s sees application app in state.
func appState(t testing.TB, s *server, app, state string) {
	t.Helper()
	s.waitPython(t, fmt.Sprintf("p.supvisors.get_application_info(%q)['statename']", app), state)
}

// sleeper is a cheap program section.
func sleeper(name, extra string) string {
	return fmt.Sprintf("\n[program:%s]\ncommand=/bin/sleep 1000\nautostart=false\nstartsecs=0\n%s", name, extra)
}

// TestDeploymentOrder: the master deploys the applications of start_sequence
// > 0 when the cluster starts, by ascending application then program
// start_sequence, each phase once the previous one is RUNNING; an
// application of start_sequence 0 stays STOPPED.
func TestDeploymentOrder(t *testing.T) {
	t.Parallel()
	const rules = `<?xml version="1.0" encoding="UTF-8"?>
<root>
  <application name="web">
    <start_sequence>2</start_sequence>
    <program name="worker"><start_sequence>2</start_sequence></program>
    <program name="server"><start_sequence>1</start_sequence></program>
  </application>
  <application name="db">
    <start_sequence>1</start_sequence>
    <program name="db"><start_sequence>1</start_sequence><required>true</required></program>
  </application>
  <application name="manual">
    <start_sequence>0</start_sequence>
    <program name="manual"><start_sequence>1</start_sequence></program>
  </application>
</root>`
	// startsecs=1: each phase takes a second at least, so the start times
	// (whole seconds) of successive phases differ.
	body := "\n[group:web]\nprograms=server,worker\n" +
		sleeper("db", "startsecs=1\n") + sleeper("server", "startsecs=1\n") + sleeper("worker", "startsecs=1\n") +
		sleeper("manual", "")
	nodes := rulesCluster(t, rules, body)

	apps := "[(a['application_name'], a['statename']) for a in p.supvisors.get_all_applications_info()]"
	want := "[('db', 'RUNNING'), ('manual', 'STOPPED'), ('web', 'RUNNING')]"
	// The master is done deploying when it is in OPERATION.
	if got := strings.TrimSpace(nodes[0].python(t, "print("+apps+")")); got != want {
		t.Errorf("applications on the master once in OPERATION: %s, want %s", got, want)
	}
	for _, n := range nodes[1:] {
		n.waitPython(t, apps, want)
	}

	var starts []int64
	for _, namespec := range []string{"db:db", "web:server", "web:worker"} {
		address := where(t, nodes[2], namespec)
		info := local(t, nodeAt(t, nodes, address), namespec)
		if info.State != "RUNNING" || info.Start == 0 {
			t.Errorf("%s on %s: %+v", namespec, address, info)
		}
		starts = append(starts, info.Start)
	}
	if !(starts[0] < starts[1] && starts[1] < starts[2]) {
		t.Errorf("start times db %d, web:server %d, web:worker %d: want each phase after the previous one", starts[0], starts[1], starts[2])
	}
	var manual []clusterProcess
	nodes[1].pyJSON(t, "p.supvisors.get_process_info('manual')", &manual)
	if len(manual) != 1 || manual[0].State != "STOPPED" || len(manual[0].Addresses) != 0 {
		t.Errorf("manual: %+v, want STOPPED nowhere", manual)
	}
	for _, n := range nodes {
		if info := local(t, n, "manual"); info.Start != 0 {
			t.Errorf("manual was started on %s: %+v", n.host, info)
		}
	}
}

// TestPlacement: the starting strategies choose the address by the
// processes' loading: CONFIG the first with room (load + loading < 100),
// LESS_LOADED and MOST_LOADED the lowest and highest load, LOCAL the node
// that received the request (DESIGN.md).
func TestPlacement(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="hp">
    <pattern name="hp_"><addresses>*</addresses><loading>60</loading></pattern>
  </application>
  <application name="pl">
    <program name="pin2"><addresses>127.0.0.2</addresses><loading>20</loading></program>
    <program name="less"><loading>10</loading></program>
    <program name="most"><expected_loading>10</expected_loading></program>
    <program name="nofit"><addresses>127.0.0.1,127.0.0.2</addresses><loading>50</loading></program>
    <program name="local1"><loading>5</loading></program>
    <program name="local3"><loading>5</loading></program>
  </application>
</root>`
	body := `
[program:hp]
command=/bin/sleep 1000
process_name=%(program_name)s_%(process_num)d
numprocs=2
autostart=false
startsecs=0

[group:pl]
programs=pin2,less,most,nofit,local1,local3
` + sleeper("pin2", "") + sleeper("less", "") + sleeper("most", "") + sleeper("nofit", "") +
		sleeper("local1", "") + sleeper("local3", "")
	nodes := rulesCluster(t, rules, body)
	loads := "[a['loading'] for a in p.supvisors.get_all_addresses_info()]"

	// CONFIG, by code then by name: 60 + 60 >= 100, so the second copy of
	// the homogeneous group goes to the next address.
	expectCalls(t, nodes[0], map[string]string{"hp0": "OK True"}, pyCall{"hp0", "p.supvisors.start_process(0, 'hp:hp_0')"})
	expectCalls(t, nodes[1], map[string]string{"hp1": "OK True"}, pyCall{"hp1", "p.supvisors.start_process('CONFIG', 'hp:hp_1')"})
	runsOn(t, nodes[2], "hp:hp_0", "127.0.0.1")
	runsOn(t, nodes[2], "hp:hp_1", "127.0.0.2")
	nodes[2].waitPython(t, loads, "[60, 60, 0]")

	// Loads 60, 80, 0 then: LESS_LOADED picks .3, MOST_LOADED .2 (CONFIG
	// would pick .1 for both).
	expectCalls(t, nodes[2], map[string]string{"pin2": "OK True", "less": "OK True", "most": "OK True",
		"nofit": "40 ABNORMAL_TERMINATION: pl:nofit: no address can take it (127.0.0.1: no room, 127.0.0.2: no room)"},
		pyCall{"pin2", "p.supvisors.start_process(0, 'pl:pin2')"},
		pyCall{"less", "p.supvisors.start_process('LESS_LOADED', 'pl:less')"},
		pyCall{"most", "p.supvisors.start_process(2, 'pl:most')"},
		pyCall{"nofit", "p.supvisors.start_process(0, 'pl:nofit')"})
	runsOn(t, nodes[0], "pl:pin2", "127.0.0.2")
	runsOn(t, nodes[0], "pl:less", "127.0.0.3")
	runsOn(t, nodes[0], "pl:most", "127.0.0.2")
	nodes[0].waitPython(t, "[(i['statename'], i['addresses']) for i in p.supvisors.get_process_info('pl:nofit')]", "[('STOPPED', [])]")
	nodes[0].waitPython(t, loads, "[60, 90, 10]")

	t.Run("LOCAL on the master", func(t *testing.T) {
		expectCalls(t, nodes[0], map[string]string{"local1": "OK True"}, pyCall{"local1", "p.supvisors.start_process('LOCAL', 'pl:local1')"})
		runsOn(t, nodes[1], "pl:local1", "127.0.0.1")
	})
	t.Run("LOCAL on a node that is not the master", func(t *testing.T) {
		// DESIGN.md: LOCAL is the node that received the request, here
		// 127.0.0.3 (which has room: load 10).
		expectCalls(t, nodes[2], map[string]string{"local3": "OK True"}, pyCall{"local3", "p.supvisors.start_process(3, 'pl:local3')"})
		nodes[2].waitPython(t, "[i['statename'] for i in p.supvisors.get_process_info('pl:local3')]", "['RUNNING']")
		if got := where(t, nodes[2], "pl:local3"); got != "127.0.0.3" {
			t.Errorf("start_process(LOCAL) sent to 127.0.0.3 started the process on %s, want 127.0.0.3", got)
		}
	})
}

// TestControlFromNonMaster drives every control method from 127.0.0.3, which
// forwards them to the master, and reads the rules.
func TestControlFromNonMaster(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="ctl">
    <stop_sequence>3</stop_sequence>
    <starting_failure_strategy>CONTINUE</starting_failure_strategy>
    <running_failure_strategy>RESTART_APPLICATION</running_failure_strategy>
    <program name="a">
      <addresses>127.0.0.2,127.0.0.3</addresses>
      <start_sequence>1</start_sequence><stop_sequence>2</stop_sequence>
      <required>true</required><wait_exit>false</wait_exit><loading>7</loading>
    </program>
    <program name="b">
      <start_sequence>2</start_sequence><loading>3</loading>
      <running_failure_strategy>CONTINUE</running_failure_strategy>
    </program>
  </application>
  <application name="solo">
    <program name="solo"><loading>1</loading></program>
  </application>
</root>`
	body := "\n[group:ctl]\nprograms=a,b\n" + sleeper("a", "") + sleeper("b", "") + sleeper("solo", "")
	nodes := rulesCluster(t, rules, body)
	n3 := nodes[2]
	if got := strings.TrimSpace(n3.python(t, "print(p.supvisors.get_master_address())")); got != "127.0.0.1" {
		t.Fatalf("master %s, want 127.0.0.1", got)
	}

	t.Run("rules", func(t *testing.T) {
		out := n3.python(t, `
def show(d):
    print(sorted(d.items()))
show(p.supvisors.get_application_rules('ctl'))
show(p.supvisors.get_application_rules('solo'))
for r in p.supvisors.get_process_rules('ctl:*'):
    show(r)
for r in p.supvisors.get_process_rules('solo'):
    show(r)
print([r['process_name'] for r in p.supvisors.get_process_rules('ctl:b')])`)
		want := []string{
			"[('application_name', 'ctl'), ('running_failure_strategy', 'RESTART_APPLICATION'), ('start_sequence', 0), ('starting_failure_strategy', 'CONTINUE'), ('stop_sequence', 3)]",
			"[('application_name', 'solo'), ('running_failure_strategy', 'CONTINUE'), ('start_sequence', 0), ('starting_failure_strategy', 'ABORT'), ('stop_sequence', 0)]",
			"[('addresses', ['127.0.0.2', '127.0.0.3']), ('application_name', 'ctl'), ('expected_loading', 7), ('loading', 7), ('process_name', 'a'), ('required', True), ('running_failure_strategy', 'RESTART_APPLICATION'), ('start_sequence', 1), ('stop_sequence', 2), ('wait_exit', False)]",
			"[('addresses', ['127.0.0.1', '127.0.0.2', '127.0.0.3']), ('application_name', 'ctl'), ('expected_loading', 3), ('loading', 3), ('process_name', 'b'), ('required', False), ('running_failure_strategy', 'CONTINUE'), ('start_sequence', 2), ('stop_sequence', 0), ('wait_exit', False)]",
			"[('addresses', ['127.0.0.1', '127.0.0.2', '127.0.0.3']), ('application_name', 'solo'), ('expected_loading', 1), ('loading', 1), ('process_name', 'solo'), ('required', False), ('running_failure_strategy', 'CONTINUE'), ('start_sequence', 0), ('stop_sequence', 0), ('wait_exit', False)]",
			"['b']",
		}
		if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("rules from 127.0.0.3:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	ok := func(labels ...string) map[string]string {
		m := map[string]string{}
		for _, l := range labels {
			m[l] = "OK True"
		}
		return m
	}
	pidOf := func(namespec string) int {
		t.Helper()
		return local(t, nodeAt(t, nodes, where(t, n3, namespec)), namespec).PID
	}

	t.Run("applications", func(t *testing.T) {
		expectCalls(t, n3, ok("start"), pyCall{"start", "p.supvisors.start_application(0, 'ctl')"})
		appState(t, n3, "ctl", "RUNNING")
		runsOn(t, n3, "ctl:a", "127.0.0.2")
		runsOn(t, n3, "ctl:b", "127.0.0.1")
		expectCalls(t, n3, ok("stop"), pyCall{"stop", "p.supvisors.stop_application('ctl')"})
		appState(t, n3, "ctl", "STOPPED")
		expectCalls(t, n3, ok("restart-stopped"), pyCall{"restart-stopped", "p.supvisors.restart_application('CONFIG', 'ctl')"})
		appState(t, n3, "ctl", "RUNNING")
		a, b := pidOf("ctl:a"), pidOf("ctl:b")
		expectCalls(t, n3, ok("restart"), pyCall{"restart", "p.supvisors.restart_application(0, 'ctl', True)"})
		appState(t, n3, "ctl", "RUNNING")
		if a2, b2 := pidOf("ctl:a"), pidOf("ctl:b"); a2 == a || b2 == b {
			t.Errorf("restart_application kept the pids: a %d → %d, b %d → %d", a, a2, b, b2)
		}
		// Without waiting: the reply comes at once, the stop follows.
		expectCalls(t, n3, ok("stop-nowait"), pyCall{"stop-nowait", "p.supvisors.stop_application('ctl', False)"})
		appState(t, n3, "ctl", "STOPPED")
		expectCalls(t, n3, ok("start-nowait"), pyCall{"start-nowait", "p.supvisors.start_application(0, 'ctl', False)"})
		appState(t, n3, "ctl", "RUNNING")
		expectCalls(t, n3, ok("stop-again"), pyCall{"stop-again", "p.supvisors.stop_application('ctl')"})
		appState(t, n3, "ctl", "STOPPED")
	})

	t.Run("process by name", func(t *testing.T) {
		expectCalls(t, n3, ok("start"), pyCall{"start", "p.supvisors.start_process(0, 'solo')"})
		runsOn(t, n3, "solo", "127.0.0.1")
		expectCalls(t, n3, ok("stop"), pyCall{"stop", "p.supvisors.stop_process('solo')"})
		n3.waitPython(t, "[(i['statename'], i['addresses']) for i in p.supvisors.get_process_info('solo')]", "[('STOPPED', [])]")
		expectCalls(t, n3, ok("restart-stopped"), pyCall{"restart-stopped", "p.supvisors.restart_process(0, 'solo')"})
		runsOn(t, n3, "solo", "127.0.0.1")
		pid := pidOf("solo")
		expectCalls(t, n3, ok("restart"), pyCall{"restart", "p.supvisors.restart_process('CONFIG', 'solo')"})
		runsOn(t, n3, "solo", "127.0.0.1")
		if pid2 := pidOf("solo"); pid2 == pid {
			t.Errorf("restart_process kept pid %d", pid)
		}
	})

	t.Run("process by group:name", func(t *testing.T) {
		// Loads: .1 has solo (1), nothing else runs: LESS_LOADED → .2
		// (tie with .3, the earlier wins).
		expectCalls(t, n3, ok("start"), pyCall{"start", "p.supvisors.start_process('LESS_LOADED', 'ctl:b')"})
		runsOn(t, n3, "ctl:b", "127.0.0.2")
		// The restart stops b first, so the loads are .1 1, .2 0, .3 0
		// when it starts again: MOST_LOADED picks .1.
		expectCalls(t, n3, ok("restart"), pyCall{"restart", "p.supvisors.restart_process(2, 'ctl:b')"})
		runsOn(t, n3, "ctl:b", "127.0.0.1")
		expectCalls(t, n3, ok("stop"), pyCall{"stop", "p.supvisors.stop_process('ctl:b')"})
		n3.waitPython(t, "[(i['statename'], i['addresses']) for i in p.supvisors.get_process_info('ctl:b')]", "[('STOPPED', [])]")
	})

	t.Run("process by group:*", func(t *testing.T) {
		expectCalls(t, n3, ok("start"), pyCall{"start", "p.supvisors.start_process(0, 'ctl:*')"})
		runsOn(t, n3, "ctl:a", "127.0.0.2")
		runsOn(t, n3, "ctl:b", "127.0.0.1")
		a, b := pidOf("ctl:a"), pidOf("ctl:b")
		expectCalls(t, n3, ok("restart"), pyCall{"restart", "p.supvisors.restart_process(0, 'ctl:*', True)"})
		runsOn(t, n3, "ctl:a", "127.0.0.2")
		runsOn(t, n3, "ctl:b", "127.0.0.1")
		if a2, b2 := pidOf("ctl:a"), pidOf("ctl:b"); a2 == a || b2 == b {
			t.Errorf("restart_process(ctl:*) kept the pids: a %d → %d, b %d → %d", a, a2, b, b2)
		}
		expectCalls(t, n3, ok("stop"), pyCall{"stop", "p.supvisors.stop_process('ctl:*')"})
		n3.waitPython(t, "[(i['statename'], i['addresses']) for i in p.supvisors.get_process_info('ctl:*')]", "[('STOPPED', []), ('STOPPED', [])]")
		appState(t, n3, "ctl", "STOPPED")
	})
}

// TestFaults checks every fault of the application and process control.
func TestFaults(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="f">
    <program name="f_a"><start_sequence>1</start_sequence></program>
    <program name="f_b"><start_sequence>1</start_sequence></program>
  </application>
  <application name="broken">
    <program name="broken_bad"><start_sequence>1</start_sequence><required>true</required></program>
  </application>
  <application name="seqd">
    <program name="seqd"><start_sequence>1</start_sequence></program>
  </application>
</root>`
	body := "\n[group:f]\nprograms=f_a,f_b\n" + sleeper("f_a", "") + sleeper("f_b", "") + `
[group:broken]
programs=broken_bad

[program:broken_bad]
command=/bin/false
autostart=false
startsecs=1
startretries=0

[program:echo]
command=/bin/sh -c 'echo "$0 $1"; exec sleep 1000'
autostart=false
autorestart=false
startsecs=0

[program:nofile]
command=/nonexistent/bin/prog
autostart=false
autorestart=false
startsecs=0
` + sleeper("seqd", "autorestart=false\n") + sleeper("conf", "")
	nodes := rulesCluster(t, rules, body)
	n3 := nodes[2]

	t.Run("BAD_STRATEGY", func(t *testing.T) {
		want := map[string]string{}
		var calls []pyCall
		for _, s := range []string{"9", "'SOMETIMES'", "-1", "'LOCAL:'", "'CONFIG:127.0.0.1'"} {
			detail := strings.Trim(s, "'")
			for _, c := range []pyCall{
				{"start_application", "p.supvisors.start_application(%s, 'f')"},
				{"restart_application", "p.supvisors.restart_application(%s, 'f')"},
				{"start_process", "p.supvisors.start_process(%s, 'f:f_a')"},
				{"restart_process", "p.supvisors.restart_process(%s, 'f:*')"},
			} {
				label := c.label + "/" + detail
				calls = append(calls, pyCall{label, fmt.Sprintf(c.expr, s)})
				want[label] = "103 BAD_STRATEGY: " + detail
			}
		}
		expectCalls(t, n3, want, calls...)
	})

	t.Run("BAD_NAME", func(t *testing.T) {
		calls := []pyCall{
			{"start_application", "p.supvisors.start_application(0, 'nosuch')"},
			{"stop_application", "p.supvisors.stop_application('nosuch')"},
			{"restart_application", "p.supvisors.restart_application(0, 'nosuch')"},
			{"start_process", "p.supvisors.start_process(0, 'nosuch')"},
			{"start_process2", "p.supvisors.start_process(0, 'f:nosuch')"},
			{"stop_process", "p.supvisors.stop_process('nosuch:*')"},
			{"restart_process", "p.supvisors.restart_process(0, 'nosuch:x')"},
			{"start_args", "p.supvisors.start_args('nosuch')"},
			{"get_application_rules", "p.supvisors.get_application_rules('nosuch')"},
			{"get_process_rules", "p.supvisors.get_process_rules('f:nosuch')"},
		}
		want := map[string]string{
			"start_application": "10 BAD_NAME: nosuch", "stop_application": "10 BAD_NAME: nosuch",
			"restart_application": "10 BAD_NAME: nosuch", "start_process": "10 BAD_NAME: nosuch",
			"start_process2": "10 BAD_NAME: f:nosuch", "stop_process": "10 BAD_NAME: nosuch:*",
			"restart_process": "10 BAD_NAME: nosuch:x", "start_args": "10 BAD_NAME: nosuch...",
			"get_application_rules": "10 BAD_NAME: nosuch", "get_process_rules": "10 BAD_NAME: f:nosuch",
		}
		expectCalls(t, n3, want, calls...)
	})

	t.Run("NOT_RUNNING and ALREADY_STARTED", func(t *testing.T) {
		expectCalls(t, n3, map[string]string{
			"stop_application": "70 NOT_RUNNING: f", "stop_process": "70 NOT_RUNNING: f:f_a",
			"stop_group": "70 NOT_RUNNING: f:*", "start": "OK True",
		},
			pyCall{"stop_application", "p.supvisors.stop_application('f')"},
			pyCall{"stop_process", "p.supvisors.stop_process('f:f_a')"},
			pyCall{"stop_group", "p.supvisors.stop_process('f:*')"},
			pyCall{"start", "p.supvisors.start_application(0, 'f')"})
		appState(t, n3, "f", "RUNNING")
		runsOn(t, n3, "f:f_a", "127.0.0.1")
		expectCalls(t, n3, map[string]string{
			"start_application": "60 ALREADY_STARTED: f", "start_process": "60 ALREADY_STARTED: f:f_a",
			"start_group": "60 ALREADY_STARTED: f:f_a",
		},
			pyCall{"start_application", "p.supvisors.start_application(0, 'f')"},
			pyCall{"start_process", "p.supvisors.start_process(0, 'f:f_a')"},
			pyCall{"start_group", "p.supvisors.start_process('LESS_LOADED', 'f:*')"})
	})

	t.Run("ABNORMAL_TERMINATION", func(t *testing.T) {
		expectCalls(t, n3, map[string]string{
			"start_application": "40 ABNORMAL_TERMINATION: broken: ...",
			"start_process":     "40 ABNORMAL_TERMINATION: broken:broken_bad: FATAL on 127.0.0.1...",
		},
			pyCall{"start_application", "p.supvisors.start_application(0, 'broken')"},
			pyCall{"start_process", "p.supvisors.start_process(0, 'broken:broken_bad')"})
		n3.waitPython(t, "[(i['statename'], i['addresses']) for i in p.supvisors.get_process_info('broken:*')]", "[('FATAL', [])]")
		// The fault string is "NAME: detail" (DESIGN.md); the detail
		// should not repeat the name.
		got := n3.pyCalls(t, pyCall{"again", "p.supvisors.start_application(0, 'broken')"})["again"]
		if strings.Count(got, "ABNORMAL_TERMINATION") != 1 {
			t.Errorf("start_application(broken): %q names ABNORMAL_TERMINATION more than once", got)
		}
	})

	t.Run("start_args", func(t *testing.T) {
		expectCalls(t, n3, map[string]string{
			"autorestart":  "104 BAD_EXTRA_ARGUMENTS: f:f_b",
			"sequence":     "104 BAD_EXTRA_ARGUMENTS: seqd",
			"extra":        "OK True",
			"again":        "60 ALREADY_STARTED: echo...",
			"nofile":       "20 NO_FILE: can't find command '/nonexistent/bin/prog'",
			"nofile-state": "OK 'FATAL'",
		},
			pyCall{"autorestart", "p.supvisors.start_args('f:f_b', 'x')"},
			pyCall{"sequence", "p.supvisors.start_args('seqd', 'x')"},
			pyCall{"extra", "p.supvisors.start_args('echo', 'hello world')"},
			pyCall{"again", "p.supvisors.start_args('echo')"},
			pyCall{"nofile", "p.supvisors.start_args('nofile')"},
			pyCall{"nofile-state", "p.supervisor.getProcessInfo('nofile')['statename']"})
		// The extra arguments reach the command line: $0 and $1 of sh -c.
		n3.waitPython(t, "p.supervisor.readProcessStdoutLog('echo', 0, 1000)", "hello world")
		runsOn(t, nodes[0], "echo", "127.0.0.3")
		nodes[0].waitPython(t, "[i['statename'] for i in p.supvisors.get_process_info('nofile')]", "['FATAL']")
		// Neither f:f_b nor seqd was started by the refused calls.
		for _, namespec := range []string{"f:f_b", "seqd"} {
			if info := local(t, n3, namespec); info.State != "STOPPED" {
				t.Errorf("%s on 127.0.0.3 after a refused start_args: %+v", namespec, info)
			}
		}
	})

	// Last, as it leaves the cluster in CONCILIATION for a while.
	t.Run("BAD_SUPVISORS_STATE", func(t *testing.T) {
		for _, n := range nodes[:2] {
			if out := strings.TrimSpace(n.python(t, "print(p.supervisor.startProcess('conf'))")); out != "True" {
				t.Fatalf("startProcess(conf) on %s: %s", n.host, out)
			}
		}
		for _, n := range nodes {
			n.waitPython(t, supvisorsStateExpr, "CONCILIATION")
		}
		state := "101 BAD_SUPVISORS_STATE: Supvisors is in state CONCILIATION"
		expectCalls(t, n3, map[string]string{
			"start_application": state, "restart_application": state, "start_process": state, "restart_process": state,
			"stop_process": "OK True",
		},
			pyCall{"start_application", "p.supvisors.start_application(0, 'broken')"},
			pyCall{"restart_application", "p.supvisors.restart_application(0, 'f')"},
			pyCall{"start_process", "p.supvisors.start_process(0, 'seqd')"},
			pyCall{"restart_process", "p.supvisors.restart_process(0, 'f:*')"},
			// Stopping is allowed in CONCILIATION: it ends the conflict.
			pyCall{"stop_process", "p.supvisors.stop_process('conf')"})
		for _, n := range nodes {
			n.waitPython(t, supvisorsStateExpr, "OPERATION")
		}
	})
}

// TestStartingFailureStrategies: a required process of phase 1 fails while
// its application starts. ABORT: phase 2 is never started; STOP: the
// application is stopped; CONTINUE: phase 2 is started.
func TestStartingFailureStrategies(t *testing.T) {
	t.Parallel()
	var rules, body strings.Builder
	rules.WriteString("<root>\n")
	apps := []string{"abort", "stop", "continue"}
	for _, app := range apps {
		fmt.Fprintf(&rules, `  <application name="%[1]s">
    <starting_failure_strategy>%[2]s</starting_failure_strategy>
    <program name="%[1]s_bad"><start_sequence>1</start_sequence><required>true</required></program>
    <program name="%[1]s_ok1"><start_sequence>1</start_sequence></program>
    <program name="%[1]s_ok2"><start_sequence>2</start_sequence></program>
  </application>
`, app, strings.ToUpper(app))
		fmt.Fprintf(&body, "\n[group:%[1]s]\nprograms=%[1]s_bad,%[1]s_ok1,%[1]s_ok2\n", app)
		fmt.Fprintf(&body, "\n[program:%s_bad]\ncommand=/bin/false\nautostart=false\nstartsecs=1\nstartretries=0\n", app)
		body.WriteString(sleeper(app+"_ok1", "") + sleeper(app+"_ok2", ""))
	}
	rules.WriteString("</root>\n")
	nodes := rulesCluster(t, rules.String(), body.String())
	n2 := nodes[1]

	got := n2.pyCalls(t,
		pyCall{"abort", "p.supvisors.start_application(0, 'abort')"},
		pyCall{"stop", "p.supvisors.start_application(0, 'stop')"},
		pyCall{"continue", "p.supvisors.start_application(0, 'continue')"})
	for _, app := range apps[:2] {
		if !strings.HasPrefix(got[app], "40 ABNORMAL_TERMINATION: "+app+": ") {
			t.Errorf("start_application(%s): %s, want ABNORMAL_TERMINATION", app, got[app])
		}
	}
	t.Logf("start_application(continue): %s", got["continue"])

	procs := func(app string) string {
		return fmt.Sprintf("[(i['process_name'], i['statename'], i['addresses']) for i in p.supvisors.get_process_info('%s:*')]", app)
	}
	neverStarted := func(namespec string) {
		t.Helper()
		for _, n := range nodes {
			if info := local(t, n, namespec); info.State != "STOPPED" || info.Start != 0 {
				t.Errorf("%s on %s: %+v, want never started", namespec, n.host, info)
			}
		}
	}

	t.Run("ABORT", func(t *testing.T) {
		n2.waitPython(t, procs("abort"),
			"[('abort_bad', 'FATAL', []), ('abort_ok1', 'RUNNING', ['127.0.0.1']), ('abort_ok2', 'STOPPED', [])]")
		neverStarted("abort:abort_ok2")
	})
	t.Run("STOP", func(t *testing.T) {
		n2.waitPython(t, procs("stop"), "[('stop_bad', 'FATAL', []), ('stop_ok1', 'STOPPED', []), ('stop_ok2', 'STOPPED', [])]")
		appState(t, n2, "stop", "STOPPED")
		if info := local(t, nodes[0], "stop:stop_ok1"); info.Start == 0 {
			t.Errorf("stop_ok1 was never started: %+v", info)
		}
		neverStarted("stop:stop_ok2")
	})
	t.Run("CONTINUE", func(t *testing.T) {
		n2.waitPython(t, procs("continue"),
			"[('continue_bad', 'FATAL', []), ('continue_ok1', 'RUNNING', ['127.0.0.1']), ('continue_ok2', 'RUNNING', ['127.0.0.1'])]")
		n2.waitPython(t, "[(a['statename'], a['major_failure']) for a in [p.supvisors.get_application_info('continue')]]", "[('RUNNING', True)]")
	})
}

// TestRunningFailureStrategies: a RESTART_PROCESS program whose node is
// lost (kill -9 of its agent) starts again on another allowed node; a
// STOP_APPLICATION program that crashes stops its application, and is not
// restarted by its supervisor (autorestart is off for it).
func TestRunningFailureStrategies(t *testing.T) {
	t.Parallel()
	const rules = `<root>
  <application name="rp">
    <start_sequence>1</start_sequence>
    <program name="rp">
      <addresses>127.0.0.2,127.0.0.3</addresses><start_sequence>1</start_sequence>
      <running_failure_strategy>RESTART_PROCESS</running_failure_strategy>
    </program>
  </application>
  <application name="sa">
    <start_sequence>1</start_sequence>
    <program name="sa1"><start_sequence>1</start_sequence><running_failure_strategy>STOP_APPLICATION</running_failure_strategy></program>
    <program name="sa2"><start_sequence>1</start_sequence></program>
  </application>
  <application name="ctrl">
    <start_sequence>1</start_sequence>
    <program name="ctrl"><start_sequence>1</start_sequence></program>
  </application>
</root>`
	body := "\n[group:sa]\nprograms=sa1,sa2\n" + sleeper("rp", "") + sleeper("sa1", "") + sleeper("sa2", "") + sleeper("ctrl", "")
	nodes := rulesCluster(t, rules, body)
	n1, n3 := nodes[0], nodes[2]
	runsOn(t, n3, "rp", "127.0.0.2")
	runsOn(t, n3, "sa:sa1", "127.0.0.1")
	runsOn(t, n3, "sa:sa2", "127.0.0.1")
	runsOn(t, n3, "ctrl", "127.0.0.1")

	t.Run("CONTINUE with autorestart (control)", func(t *testing.T) {
		pid := local(t, n1, "ctrl").PID
		if out := strings.TrimSpace(n1.python(t, "print(p.supervisor.signalProcess('ctrl', 'KILL'))")); out != "True" {
			t.Fatalf("signalProcess(ctrl, KILL): %s", out)
		}
		// Its supervisor restarts it (autorestart=unexpected), where it was.
		waitFor(t, 30*time.Second, func() (bool, string) {
			info := local(t, n1, "ctrl")
			return info.State == "RUNNING" && info.PID != pid, fmt.Sprintf("%+v (pid before %d)", info, pid)
		})
		runsOn(t, n3, "ctrl", "127.0.0.1")
	})

	t.Run("STOP_APPLICATION", func(t *testing.T) {
		if out := strings.TrimSpace(n1.python(t, "print(p.supervisor.signalProcess('sa:sa1', 'KILL'))")); out != "True" {
			t.Fatalf("signalProcess(sa:sa1, KILL): %s", out)
		}
		appState(t, n3, "sa", "STOPPED")
		n3.waitPython(t, "[(i['process_name'], i['statename'], i['addresses']) for i in p.supvisors.get_process_info('sa:*')]",
			"[('sa1', 'EXITED', []), ('sa2', 'STOPPED', [])]")
		// Supervisor 4.2.5's getAllConfigInfo has no autorestart key; the
		// proof that it is off is that sa1 stayed EXITED where it crashed
		// (with autorestart on, it would have been restarted, then stopped
		// with its application: STOPPED).
		var autorestart []any
		n1.pyJSON(t, "[c.get('autorestart') for c in p.supervisor.getAllConfigInfo() if c['name'] == 'sa1']", &autorestart)
		if len(autorestart) != 1 || autorestart[0] != nil && autorestart[0] != false {
			t.Errorf("getAllConfigInfo: autorestart %v for sa1, want false (or no such key, as in Supervisor 4.2.5)", autorestart)
		}
		if info := local(t, n1, "sa:sa1"); info.State != "EXITED" || info.PID != 0 {
			t.Errorf("sa:sa1 on 127.0.0.1 after its crash: %+v, want EXITED (not restarted)", info)
		}
	})

	t.Run("RESTART_PROCESS on node loss", func(t *testing.T) {
		_ = nodes[1].cmd.Process.Kill()
		for _, n := range []*server{n1, n3} {
			runsOn(t, n, "rp", "127.0.0.3")
		}
		if info := local(t, n3, "rp"); info.State != "RUNNING" {
			t.Errorf("rp on 127.0.0.3: %+v", info)
		}
	})
}

// hashedRules deploy application h, whose i-th process goes to the i-th
// address ("#"), and hashedPrograms are its three programs on each node.
const (
	hashedRules = `<root>
  <application name="h">
    <start_sequence>1</start_sequence>
    <pattern name="h_"><addresses>#</addresses><start_sequence>1</start_sequence></pattern>
  </application>
</root>`
	hashedPrograms = `
[program:h]
command=/bin/sleep 1000
process_name=%(program_name)s_%(process_num)d
numprocs=3
autostart=false
startsecs=0
`
)

// hashedCluster is a 3-node cluster deploying application h: one process
// per node (addresses "#"). children waits until each runs where it should
// and returns their pids, in node order.
func hashedCluster(t *testing.T) (nodes []*server, children func() []int) {
	t.Helper()
	nodes = rulesCluster(t, hashedRules, hashedPrograms)
	children = func() []int {
		t.Helper()
		var pids []int
		for i, n := range nodes {
			namespec := fmt.Sprintf("h:h_%d", i)
			runsOn(t, nodes[2], namespec, n.host)
			info := local(t, n, namespec)
			if info.State != "RUNNING" {
				t.Fatalf("%s on %s: %+v", namespec, n.host, info)
			}
			pids = append(pids, info.PID)
		}
		return pids
	}
	return nodes, children
}

// TestRestart: restart() asked of a node that is not the master restarts
// every agent (in the same process, with new children) and the cluster
// comes back to OPERATION with its applications deployed again.
func TestRestart(t *testing.T) {
	t.Parallel()
	nodes, children := hashedCluster(t)
	agentPID := func(n *server) int {
		var pid int
		n.pyJSON(t, "p.supervisor.getPID()", &pid)
		return pid
	}
	before := children()
	var agents []int
	for _, n := range nodes {
		agents = append(agents, agentPID(n))
	}

	t0 := time.Now()
	if out := strings.TrimSpace(nodes[2].python(t, "print(p.supvisors.restart())")); out != "True" {
		t.Fatalf("restart() on 127.0.0.3: %s", out)
	}
	for _, n := range nodes {
		waitFor(t, 30*time.Second, func() (bool, string) {
			return len(grepLog(t, n, "supvisors: restarting")) > 0, n.host + " logged no restart"
		})
	}
	for _, n := range nodes {
		n.waitPython(t, supvisorsStateExpr, "OPERATION")
		n.waitPython(t, "p.supervisor.getState()['statename']", "RUNNING")
	}
	after := children()
	t.Logf("restart() → OPERATION with h deployed again in %v", time.Since(t0))
	for i, n := range nodes {
		if pid := agentPID(n); pid != agents[i] {
			t.Errorf("agent of %s: pid %d after restart, %d before (want the same process)", n.host, pid, agents[i])
		}
		if after[i] == before[i] {
			t.Errorf("h:h_%d on %s kept pid %d across restart()", i, n.host, before[i])
		}
		if alive(before[i]) {
			t.Errorf("h:h_%d's old child %d on %s survived restart()", i, before[i], n.host)
		}
	}
}

// TestShutdown: shutdown() asked of a node that is not the master makes
// every agent exit with code 0, their children gone.
func TestShutdown(t *testing.T) {
	t.Parallel()
	nodes, children := hashedCluster(t)
	pids := children()
	t0 := time.Now()
	if out := strings.TrimSpace(nodes[1].python(t, "print(p.supvisors.shutdown())")); out != "True" {
		t.Fatalf("shutdown() on 127.0.0.2: %s", out)
	}
	deadline := time.After(30 * time.Second)
	for _, n := range nodes {
		select {
		case <-n.exited:
		case <-deadline:
			t.Fatalf("agent of %s still running 30 s after shutdown()", n.host)
		}
		if code := n.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("agent of %s exited with code %d, want 0:\n%s", n.host, code, n.stderr.String())
		}
	}
	t.Logf("shutdown() → every agent exited in %v", time.Since(t0))
	for i, pid := range pids {
		waitFor(t, 10*time.Second, func() (bool, string) {
			return !alive(pid), fmt.Sprintf("h:h_%d's child %d on %s still alive after shutdown()", i, pid, nodes[i].host)
		})
	}
}

// alive tells whether a process of that pid exists (a zombie counts).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
