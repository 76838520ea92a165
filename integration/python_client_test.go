package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// specSnippet is the spec's second Python client example ("XML-RPC Clients /
// Python Client"), verbatim: it needs address bound beforehand.
const specSnippet = `import os
from supvisors.rpcrequests import getRPCInterface

proxy = getRPCInterface(address, os.environ)
proxy.supervisor.getState()
proxy.supvisors.get_supvisors_state()
`

// pythonClientPath is clients/python of the repository, for PYTHONPATH.
func pythonClientPath(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("../clients/python")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "supvisors", "rpcrequests.py")); err != nil {
		t.Fatalf("python client: %v", err)
	}
	return dir
}

// pythonEnv is the test's environment without any SUPERVISOR_* or
// PYTHONPATH of its own, plus extra.
func pythonEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SUPERVISOR_") || strings.HasPrefix(kv, "PYTHONPATH=") {
			continue
		}
		env = append(env, kv)
	}
	// No __pycache__ left in the repository's clients/python.
	return append(append(env, "PYTHONDONTWRITEBYTECODE=1"), extra...)
}

// runPython runs Debian's python3 on code with env; it returns the combined
// output and fails the test if python3 fails.
func runPython(t testing.TB, env []string, code string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", append([]string{"-c", code}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	return string(out)
}

// replSnippet runs the statements of a snippet in Python's interactive
// console, which prints the value of every expression statement as the
// REPL does: the snippet runs unchanged and its results are shown.
const replSnippet = `import code, sys
console = code.InteractiveConsole({'address': sys.argv[1]})
for line in sys.argv[2].splitlines():
    console.push(line)
console.push('')
`

// TestPythonClientFromOutside runs the spec's snippet verbatim, with the
// environment a child of node 1 would have, against node 2.
func TestPythonClientFromOutside(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 2, "", sleeper("web", ""))
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "OPERATION")
	}
	path := pythonClientPath(t)
	env := pythonEnv("PYTHONPATH="+path, "SUPERVISOR_SERVER_URL="+nodes[0].url,
		"SUPERVISOR_USERNAME="+nodes[0].user, "SUPERVISOR_PASSWORD="+nodes[0].password)

	out := runPython(t, env, replSnippet, "127.0.0.2", specSnippet)
	t.Logf("the spec's snippet against 127.0.0.2:\n%s", out)
	if strings.Contains(out, "Traceback") {
		t.Fatalf("the snippet failed:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != "{'statecode': 1, 'statename': 'RUNNING'}" ||
		!strings.HasPrefix(lines[1], "{'statecode': 2, 'statename': 'OPERATION'") {
		t.Errorf("the snippet printed %q, want getState() RUNNING then get_supvisors_state() OPERATION", lines)
	}

	// The proxy reached node 2 (its agent's pid), from node 1's URL.
	out = runPython(t, env, "address = '127.0.0.2'\n"+specSnippet+`
print(proxy.supervisor.getPID())
print(proxy.supvisors.get_master_address())
proxy.supervisor.startProcess('web')
print([(i['statename'], i['addresses']) for i in getRPCInterface('127.0.0.1', os.environ).supvisors.get_process_info('web')])
`)
	want := fmt.Sprintf("%d\n127.0.0.1\n", nodes[1].cmd.Process.Pid)
	if !strings.HasPrefix(out, want) {
		t.Errorf("getPID, get_master_address through 127.0.0.2: %q, want prefix %q", out, want)
	}
	nodes[0].waitPython(t, "[(i['statename'], i['addresses']) for i in p.supvisors.get_process_info('web')]",
		"[('RUNNING', ['127.0.0.2'])]")

	// Wrong credentials are refused with the agent's 401; a unix URL
	// cannot reach another node.
	bad := pythonEnv("PYTHONPATH="+path, "SUPERVISOR_SERVER_URL="+nodes[0].url,
		"SUPERVISOR_USERNAME="+nodes[0].user, "SUPERVISOR_PASSWORD=wrong")
	out = runPython(t, bad, `import os, xmlrpc.client
from supvisors.rpcrequests import getRPCInterface
try:
    getRPCInterface('127.0.0.2', os.environ).supervisor.getState()
except xmlrpc.client.ProtocolError as e:
    print('refused', e.errcode)
os.environ['SUPERVISOR_SERVER_URL'] = 'unix:///tmp/supervisor.sock'
try:
    getRPCInterface('127.0.0.2', os.environ)
except ValueError as e:
    print('ValueError', e)
`)
	if !strings.Contains(out, "refused 401") || !strings.Contains(out, "ValueError SUPERVISOR_SERVER_URL=unix:///tmp/supervisor.sock is a unix socket") {
		t.Errorf("bad credentials, unix URL:\n%s", out)
	}
}

// childScript is what a supervised child runs: the spec's snippet against
// another node, through the SUPERVISOR_SERVER_URL its agent gave it.
const childScript = `import os, sys
address = sys.argv[1]
` + specSnippet + `
print('url', os.environ['SUPERVISOR_SERVER_URL'])
print('state', proxy.supvisors.get_supvisors_state()['statename'])
print('pid', proxy.supervisor.getPID())
sys.stdout.flush()
`

// unixChildScript runs on a node whose children get a unix:// URL: another
// node is refused clearly, the local one is reached over the socket.
const unixChildScript = `import os, sys
from supvisors.rpcrequests import getRPCInterface
print('url', os.environ['SUPERVISOR_SERVER_URL'])
try:
    getRPCInterface('127.0.0.1', os.environ)
except ValueError as e:
    print('refused', e)
proxy = getRPCInterface(None, os.environ)
print('local', proxy.supervisor.getPID(), proxy.supvisors.get_supvisors_state()['statename'])
sys.stdout.flush()
`

// unixServerSection is the harness's [unix_http_server] section.
var unixServerSection = regexp.MustCompile(`(?s)\[unix_http_server\]\n.*?\n(\[rpcinterface:supervisor\])`)

// TestPythonClientFromChild runs children of the agents that use
// supvisors.rpcrequests with the environment their agent gives them: on
// node 1 (inet server only: SUPERVISOR_SERVER_URL is http://127.0.0.1:PORT)
// a child reaches node 2; on node 2 (with a unix socket, which children get
// instead) a child is refused node 1 and reaches its own agent.
func TestPythonClientFromChild(t *testing.T) {
	t.Parallel()
	path := pythonClientPath(t)
	scripts := t.TempDir()
	for name, text := range map[string]string{"child.py": childScript, "unixchild.py": unixChildScript} {
		if err := os.WriteFile(filepath.Join(scripts, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	program := func(name, script, args string) string {
		return fmt.Sprintf(`
[program:%s]
command=/usr/bin/python3 %s %s
autostart=false
startsecs=0
autorestart=false
environment=PYTHONPATH="%s",PYTHONDONTWRITEBYTECODE="1",SUPERVISOR_USERNAME="user",SUPERVISOR_PASSWORD="123"
`, name, filepath.Join(scripts, script), args, strings.ReplaceAll(path, "%", "%%"))
	}
	body := program("pyclient", "child.py", "127.0.0.2") + program("pyunix", "unixchild.py", "")

	p := planCluster(t, 2, "")
	node1 := p.node(t, 0, body)
	conf, err := os.ReadFile(node1.conf)
	if err != nil {
		t.Fatal(err)
	}
	inetOnly := unixServerSection.ReplaceAllString(string(conf), "$1")
	if inetOnly == string(conf) {
		t.Fatalf("no [unix_http_server] section to remove in:\n%s", conf)
	}
	if err := os.WriteFile(node1.conf, []byte(inetOnly), 0o644); err != nil {
		t.Fatal(err)
	}
	node1.launch(t)
	node1.waitAnswering(t)
	node2 := p.startNode(t, 1, body)
	for _, n := range []*server{node1, node2} {
		n.waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "OPERATION")
	}

	tail := func(s *server, name, until string) string {
		t.Helper()
		if out, _ := s.ctl(t, "start", name); !strings.Contains(out, "started") {
			t.Fatalf("start %s on %s: %s", name, s.host, out)
		}
		waitFor(t, 20*time.Second, func() (bool, string) {
			out, _ := s.ctl(t, "tail", name)
			return strings.Contains(out, until), out
		})
		out, _ := s.ctl(t, "tail", name)
		if errOut, _ := s.ctl(t, "tail", name, "stderr"); strings.Contains(errOut, "Traceback") {
			t.Errorf("%s on %s failed:\n%s", name, s.host, errOut)
		}
		t.Logf("%s on %s printed:\n%s", name, s.host, out)
		return out
	}

	out := tail(node1, "pyclient", "pid ")
	for _, want := range []string{"url " + node1.url + "\n", "state OPERATION\n", "pid " + strconv.Itoa(node2.cmd.Process.Pid) + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("child of node 1 lacks %q:\n%s", want, out)
		}
	}

	out = tail(node2, "pyunix", "local ")
	for _, want := range []string{
		"url unix://" + node2.sock + "\n",
		"refused SUPERVISOR_SERVER_URL=unix://" + node2.sock + " is a unix socket, which reaches the local Supervisor daemon only: it cannot reach the address '127.0.0.1'",
		fmt.Sprintf("local %d OPERATION\n", node2.cmd.Process.Pid),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("child of node 2 lacks %q:\n%s", want, out)
		}
	}
}

// TestPythonUnitTests runs the Python client's unit tests (no network), so
// that make test covers them.
func TestPythonUnitTests(t *testing.T) {
	t.Parallel()
	path := pythonClientPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", "-m", "unittest", "discover", "-v", "-s", filepath.Join(path, "tests"))
	cmd.Env = pythonEnv("PYTHONPATH=" + path)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 -m unittest: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^Ran \d+ tests? in`).Match(out) || !strings.Contains(string(out), "\nOK") {
		t.Errorf("python3 -m unittest printed:\n%s", out)
	}
}
