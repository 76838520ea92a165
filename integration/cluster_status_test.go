package integration

import (
	"strings"
	"testing"
)

// TestSupvisorsGatesInInitialization runs one agent of a 3-address cluster
// whose peers never come: it stays in INITIALIZATION, where the spec gates
// the application and process queries with BAD_SUPVISORS_STATE, while the
// status calls answer.
func TestSupvisorsGatesInInitialization(t *testing.T) {
	t.Parallel()
	s := planCluster(t, 3, "synchro_timeout=1000").startNode(t, 0, "[program:web]\ncommand=/bin/sleep 1000\nautostart=false\n")
	out := s.python(t, `import xmlrpc.client
print(p.supvisors.get_supvisors_state())
print(repr(p.supvisors.get_master_address()))
print(p.supvisors.get_strategies())
print(sorted(p.supvisors.get_address_info('127.0.0.2').items()))
for name, call in [('app', lambda: p.supvisors.get_application_info('web')),
                   ('apps', lambda: p.supvisors.get_all_applications_info()),
                   ('proc', lambda: p.supvisors.get_process_info('web')),
                   ('procs', lambda: p.supvisors.get_all_process_info()),
                   ('conflicts', lambda: p.supvisors.get_conflicts()),
                   ('address', lambda: p.supvisors.get_address_info('10.1.1.1')),
                   ('readmit unknown', lambda: p.supvisors.readmit_address('10.1.1.1')),
                   ('readmit running', lambda: p.supvisors.readmit_address('127.0.0.1'))]:
    try:
        print(name, 'answered', call())
    except xmlrpc.client.Fault as f:
        print(name, f.faultCode, f.faultString)`)
	for _, want := range []string{
		"{'statecode': 0, 'statename': 'INITIALIZATION', 'quorum': True, 'gossip_encrypted': False}",
		"''",
		"{'auto-fencing': False, 'starting': 'CONFIG', 'conciliation': 'USER'}",
		"[('address_name', '127.0.0.2'), ('loading', 0), ('local_time', 0), ('remote_time', 0), ('statecode', 0), ('statename', 'UNKNOWN')]",
		"app 101 BAD_SUPVISORS_STATE: Supvisors is in state INITIALIZATION",
		"apps 101 BAD_SUPVISORS_STATE",
		"proc 101 BAD_SUPVISORS_STATE",
		"procs 101 BAD_SUPVISORS_STATE",
		"conflicts 101 BAD_SUPVISORS_STATE",
		"address 102 BAD_ADDRESS: 10.1.1.1",
		"readmit unknown 102 BAD_ADDRESS: 10.1.1.1",
		"readmit running 102 BAD_ADDRESS: 127.0.0.1 (RUNNING): address not fenced by this node",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// TestSupvisorsReplies checks the key sets and types of every status
// reply, and the introspection of the namespace, on a running cluster.
func TestSupvisorsReplies(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 2, "", `
[group:web]
programs=server,worker

[program:server]
command=/bin/sleep 1000
startsecs=0

[program:worker]
command=/bin/sleep 1000
autostart=false
`)
	// web:server runs on both nodes (autostart): a conflict.
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "CONCILIATION")
	}
	out := nodes[1].python(t, `def shape(d):
    return sorted((k, type(v).__name__) for k, v in d.items())
print('address', shape(p.supvisors.get_address_info('127.0.0.1')))
print('addresses', [a['address_name'] for a in p.supvisors.get_all_addresses_info()])
print('app', shape(p.supvisors.get_application_info('web')))
print('apps', p.supvisors.get_all_applications_info())
print('proc', [shape(i) for i in p.supvisors.get_process_info('web:server')])
print('group', [i['process_name'] for i in p.supvisors.get_process_info('web:*')])
print('all', [(i['application_name'], i['process_name'], i['statename'], i['addresses']) for i in p.supvisors.get_all_process_info()])
print('conflicts', [(i['process_name'], i['addresses']) for i in p.supvisors.get_conflicts()])
print('state', p.supvisors.get_supvisors_state())
print('loading', p.supvisors.get_address_info('127.0.0.2')['loading'])
print('help', p.system.methodHelp('supvisors.get_process_info').splitlines()[0])
print('signature', p.system.methodSignature('supvisors.get_address_info'))`)
	for _, want := range []string{
		"address [('address_name', 'str'), ('loading', 'int'), ('local_time', 'int'), ('remote_time', 'int'), ('statecode', 'int'), ('statename', 'str')]",
		"addresses ['127.0.0.1', '127.0.0.2']",
		"app [('application_name', 'str'), ('major_failure', 'bool'), ('minor_failure', 'bool'), ('statecode', 'int'), ('statename', 'str')]",
		"apps [{'application_name': 'web', 'statecode': 4, 'statename': 'RUNNING', 'major_failure': False, 'minor_failure': False}]",
		"proc [[('addresses', 'list'), ('application_name', 'str'), ('disabled', 'bool'), ('expected_exit', 'bool'), ('last_event_time', 'int'), ('process_name', 'str'), ('statecode', 'int'), ('statename', 'str'), ('waiting', 'str')]]",
		"group ['server', 'worker']",
		"all [('web', 'server', 'RUNNING', ['127.0.0.1', '127.0.0.2']), ('web', 'worker', 'STOPPED', [])]",
		"conflicts [('server', ['127.0.0.1', '127.0.0.2'])]",
		"state {'statecode': 3, 'statename': 'CONCILIATION', 'quorum': True, 'gossip_encrypted': False}",
		"loading 0", // a process without rules weighs nothing (loading 0 by default)
		"help Describe processes across the cluster.",
		"signature ['struct', 'string']",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}

	// conciliate(), from the node that is not the master.
	out = nodes[1].python(t, `import xmlrpc.client
for s in ('SOMETIMES', 9, 2, 'user', 'SENICIDE'):
    try:
        print(s, p.supvisors.conciliate(s))
    except xmlrpc.client.Fault as f:
        print(s, f.faultCode, f.faultString)`)
	for _, want := range []string{"SOMETIMES 103 BAD_STRATEGY: SOMETIMES", "9 103 BAD_STRATEGY: 9", "2 False", "user False", "SENICIDE True"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_supvisors_state()['statename'], len(p.supvisors.get_process_info('web:server')[0]['addresses'])", "OPERATION 1")
	}
	out = nodes[0].python(t, `import xmlrpc.client
try:
    p.supvisors.conciliate(0)
except xmlrpc.client.Fault as f:
    print(f.faultCode, f.faultString)`)
	if !strings.Contains(out, "101 BAD_SUPVISORS_STATE: Supvisors is in state OPERATION") {
		t.Errorf("conciliate in OPERATION: %s", out)
	}
}

// TestFenceAndReadmit: under auto_fence, a node killed with -9 is ISOLATED
// by the others; restarted, it stays out (and shows them ISOLATED, since
// they fence it) until an operator calls readmit_address on any node.
func TestFenceAndReadmit(t *testing.T) {
	t.Parallel()
	const body = "[program:web]\ncommand=/bin/sleep 1000\nautostart=false\n"
	plan := planCluster(t, 3, "auto_fence=true")
	var nodes []*server
	for i := range 3 {
		nodes = append(nodes, plan.startNode(t, i, body))
	}
	allRunning := "['RUNNING', 'RUNNING', 'RUNNING']"
	states := "[a['statename'] for a in p.supvisors.get_all_addresses_info()]"
	for _, n := range nodes {
		n.waitPython(t, states, allRunning)
	}
	_ = nodes[2].cmd.Process.Kill()
	for _, n := range nodes[:2] {
		n.waitPython(t, states, "['RUNNING', 'RUNNING', 'ISOLATED']")
	}
	nodes[2] = plan.startNode(t, 2, body)
	nodes[2].waitPython(t, states, "['ISOLATED', 'ISOLATED', 'RUNNING']")
	for _, n := range nodes[:2] {
		n.waitPython(t, states, "['RUNNING', 'RUNNING', 'ISOLATED']")
	}
	if out := strings.TrimSpace(nodes[1].python(t, "print(p.supvisors.readmit_address('127.0.0.3'))")); out != "True" {
		t.Fatalf("readmit_address: %s", out)
	}
	for _, n := range nodes {
		n.waitPython(t, states, allRunning)
	}
}
