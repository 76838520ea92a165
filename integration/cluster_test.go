package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/internal/testnet"
)

// clusterPlan is a cluster of agents on 127.0.0.1..n: the ports they
// share and their [supvisors] section.
type clusterPlan struct {
	list                   []string
	httpPort, internalPort int
	eventPort              int
	section                string
}

// planCluster picks ports free on 127.0.0.1..n for a cluster whose
// [supvisors] section has the extra lines supvisors.
func planCluster(t testing.TB, n int, supvisors string) clusterPlan {
	t.Helper()
	p := clusterPlan{httpPort: testnet.FreePortOnAll(t, n)}
	for p.internalPort == 0 || p.internalPort == p.httpPort {
		p.internalPort = testnet.FreePortOnAll(t, n)
	}
	for p.eventPort == 0 || p.eventPort == p.httpPort || p.eventPort == p.internalPort {
		p.eventPort = testnet.FreePortOnAll(t, n)
	}
	for i := 1; i <= n; i++ {
		p.list = append(p.list, fmt.Sprintf("127.0.0.%d", i))
	}
	p.section = fmt.Sprintf("\n[supvisors]\naddress_list=%s\ninternal_port=%d\nevent_port=%d\n%s\n",
		strings.Join(p.list, ","), p.internalPort, p.eventPort, supvisors)
	return p
}

// node prepares the agent of the i-th address (from 0) with the programs
// of body; launch it and wait for it with the server's methods.
func (p clusterPlan) node(t testing.TB, i int, body string) *server {
	t.Helper()
	return newServer(t, "supvisors", p.section+body, func(s *server) {
		s.host, s.port = p.list[i], p.httpPort
	})
}

// startNode starts the agent of the i-th address and waits until it
// answers.
func (p clusterPlan) startNode(t testing.TB, i int, body string) *server {
	t.Helper()
	s := p.node(t, i, body)
	s.launch(t)
	s.waitAnswering(t)
	return s
}

// startClusterNodes starts n real agents on 127.0.0.1..n sharing one
// configuration body (programs) and a [supvisors] section, one after the
// other.
func startClusterNodes(t testing.TB, n int, supvisors, body string) []*server {
	t.Helper()
	p := planCluster(t, n, supvisors)
	nodes := make([]*server, n)
	for i := range nodes {
		nodes[i] = p.startNode(t, i, body)
	}
	return nodes
}

// waitPython polls a python expression (p is the node's proxy) until it
// prints want. A fault or a refused connection counts as not yet: around a
// fault, a node may be back in INITIALIZATION, or restarting, for a moment.
func (s *server) waitPython(t testing.TB, expr, want string) {
	t.Helper()
	code := "try:\n    print(" + expr + ")\nexcept (xmlrpc.client.Fault, OSError) as e:\n    print('not yet:', e)"
	waitFor(t, 30*time.Second, func() (bool, string) {
		out := strings.TrimSpace(s.python(t, code))
		return out == want, fmt.Sprintf("%s on %s: %s, want %s", expr, s.host, out, want)
	})
}

// TestClusterWithPythonClients runs three real agents and asks each, with
// Python's xmlrpc.client, about the whole cluster.
func TestClusterWithPythonClients(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 3, "", `
[program:web]
command=/bin/sleep 1000
autostart=false
startsecs=0
`)
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "OPERATION")
		n.waitPython(t, "p.supvisors.get_master_address()", "127.0.0.1")
		n.waitPython(t, "[a['statename'] for a in p.supvisors.get_all_addresses_info()]", "['RUNNING', 'RUNNING', 'RUNNING']")
	}
	out := nodes[0].python(t, `print(p.system.listMethods())
print(p.supvisors.get_strategies())
print(p.supvisors.get_api_version())`)
	for _, want := range []string{"'supvisors.get_all_process_info'", "'supvisors.readmit_address'",
		"{'auto-fencing': False, 'starting': 'CONFIG', 'conciliation': 'USER'}", "0.1"} {
		if !strings.Contains(out, want) {
			t.Errorf("node 1 answered without %s:\n%s", want, out)
		}
	}

	// A process started on node 2 is seen from node 3, also by
	// get_all_process_info, whose reply node 3 kept before (it is kept
	// while the view does not change).
	allProcesses := "[(i['process_name'], i['statename'], i['addresses']) for i in p.supvisors.get_all_process_info()]"
	nodes[2].waitPython(t, allProcesses, "[('web', 'STOPPED', [])]")
	nodes[1].python(t, "p.supervisor.startProcess('web')")
	nodes[2].waitPython(t, "[(i['application_name'], i['process_name'], i['statename'], i['addresses']) for i in p.supvisors.get_process_info('web')]",
		"[('web', 'web', 'RUNNING', ['127.0.0.2'])]")
	nodes[2].waitPython(t, allProcesses, "[('web', 'RUNNING', ['127.0.0.2'])]")
	nodes[2].waitPython(t, "p.supvisors.get_application_info('web')['statename']", "RUNNING")
	nodes[0].waitPython(t, "p.supvisors.get_address_info('127.0.0.2')['loading']", "0") // no rules: loading 0

	// Faults: unknown address and name.
	out = nodes[0].python(t, `import xmlrpc.client
for call in (lambda: p.supvisors.get_address_info('10.9.9.9'), lambda: p.supvisors.get_process_info('nosuch')):
    try:
        call()
    except xmlrpc.client.Fault as f:
        print(f.faultCode, f.faultString)`)
	if !strings.Contains(out, "102 BAD_ADDRESS: 10.9.9.9") || !strings.Contains(out, "10 BAD_NAME: nosuch") {
		t.Errorf("faults:\n%s", out)
	}

	// kill -9 node 2: the others see it SILENT and its process FATAL.
	_ = nodes[1].cmd.Process.Kill()
	for _, n := range []*server{nodes[0], nodes[2]} {
		n.waitPython(t, "p.supvisors.get_address_info('127.0.0.2')['statename']", "SILENT")
		n.waitPython(t, "[(i['statename'], i['addresses']) for i in p.supvisors.get_process_info('web:web')]", "[('FATAL', [])]")
		n.waitPython(t, allProcesses, "[('web', 'FATAL', [])]")
	}
}
