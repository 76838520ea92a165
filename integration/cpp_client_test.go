package integration

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The C++ client (clients/cpp) is tested by C++ programs compiled against
// the library that make clients-cpp builds, run against real agents.

// cppBuild is the outcome of the one make clients-cpp of the package's run.
var cppBuild struct {
	once sync.Once
	out  []byte
	err  error
}

// cppLibrary builds the C++ client once (nothing to do after make clients,
// as make test runs it) and returns the compiler arguments of a program
// that uses it: the include directory first, then the library and its
// link flags, which come after the program's source.
func cppLibrary(t testing.TB) (include string, link []string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cppBuild.once.Do(func() {
		cmd := exec.Command("make", "-s", "clients-cpp")
		cmd.Dir = root
		// Not the jobserver of a make test that runs this one.
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "MAKEFLAGS=") && !strings.HasPrefix(kv, "MFLAGS=") && !strings.HasPrefix(kv, "MAKELEVEL=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cppBuild.out, cppBuild.err = cmd.CombinedOutput()
	})
	if cppBuild.err != nil {
		t.Fatalf("make clients-cpp: %v\n%s", cppBuild.err, cppBuild.out)
	}
	ldflags, err := os.ReadFile(filepath.Join(root, "bin/cpp/ldflags"))
	if err != nil {
		t.Fatal(err)
	}
	link = append([]string{filepath.Join(root, "bin/cpp/libsupvisors-client.a")}, strings.Fields(string(ldflags))...)
	return filepath.Join(root, "clients/cpp/include"), link
}

// compileCpp compiles the C++ program source into a temporary directory,
// with every warning an error (the client's headers must not warn), and
// returns the executable's path.
func compileCpp(t testing.TB, source string) string {
	t.Helper()
	include, link := cppLibrary(t)
	exe := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(source), ".cpp"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-I", include, source, "-o", exe}, link...)
	if out, err := exec.CommandContext(ctx, "g++", args...).CombinedOutput(); err != nil {
		t.Fatalf("g++ %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return exe
}

// cppSummary is the closing line of a C++ test program.
var cppSummary = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed\n?\z`)

// cppRules deploys nothing (applications of start_sequence 0) but lets
// start_application start app and web.
const cppRules = `<?xml version="1.0" encoding="UTF-8"?>
<root>
  <application name="app">
    <program name="first"><start_sequence>1</start_sequence></program>
    <program name="second"><start_sequence>2</start_sequence></program>
  </application>
  <application name="web">
    <program name="web"><start_sequence>1</start_sequence></program>
  </application>
</root>`

// cppPrograms are the programs clients/cpp/tests/client_test.cpp drives.
var cppPrograms = sleeper("web", "") + sleeper("spare", "") + sleeper("first", "") + sleeper("second", "") +
	sleeper("argv", "autorestart=false\n") + `
[group:app]
programs=first,second

[program:cat]
command=/bin/cat
autostart=false
startsecs=0

[program:talk]
command=/bin/sh -c "echo out-line; echo err-line >&2; exec /bin/sleep 1000"
autostart=false
startsecs=0
`

// TestCppClient runs clients/cpp/tests/client_test.cpp against a cluster of
// three agents, a server that never answers, a port that refuses
// connections and a fixture that answers each method wrongly; the program
// ends by shutting the cluster down.
func TestCppClient(t *testing.T) {
	t.Parallel()
	exe := compileCpp(t, "../clients/cpp/tests/client_test.cpp")
	nodes := startClusterNodes(t, 3, writeRulesFile(t, cppRules), cppPrograms)
	for _, n := range nodes {
		n.waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "OPERATION")
		n.waitPython(t, "[a['statename'] for a in p.supvisors.get_all_addresses_info()]", "['RUNNING', 'RUNNING', 'RUNNING']")
	}
	silent := silentListener(t)
	fixture := httptest.NewServer(http.HandlerFunc(wrongReplies))
	defer fixture.Close()
	fixturePort := fixture.Listener.Addr().(*net.TCPAddr).Port

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, strconv.Itoa(nodes[0].port), nodes[0].user, nodes[0].password,
		strconv.Itoa(nodes[0].cmd.Process.Pid), strconv.Itoa(fixturePort), strconv.Itoa(silent), strconv.Itoa(freePort(t)))
	out, err := cmd.CombinedOutput()
	t.Logf("client_test:\n%s", out)
	m := cppSummary.FindSubmatch(out)
	switch {
	case m == nil:
		t.Fatalf("client_test (%v) did not end with 'N passed, N failed'", err)
	case string(m[2]) != "0" || err != nil:
		t.Fatalf("client_test: %s passed, %s failed (%v)", m[1], m[2], err)
	}
	// supvisors.shutdown(), its last call, stops every agent.
	for _, n := range nodes {
		select {
		case <-n.exited:
		case <-time.After(30 * time.Second):
			t.Errorf("the agent of %s still runs 30 s after supvisors.shutdown()", n.host)
		}
	}
}

// silentListener accepts connections on 127.0.0.1 and never answers; it
// returns its port.
func silentListener(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

var methodName = regexp.MustCompile(`<methodName>([^<]*)</methodName>`)

// wrongReplies answers each method the way client_test.cpp expects of a
// server that is not ours, or is a later version of it.
func wrongReplies(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m := methodName.FindSubmatch(body)
	if m == nil {
		http.Error(w, "no methodName", http.StatusBadRequest)
		return
	}
	reply := func(value string) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><methodResponse><params><param><value>%s</value></param></params></methodResponse>`, value)
	}
	switch string(m[1]) {
	case "supervisor.getState": // a web page
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>Welcome</body></html>")
	case "supervisor.getAPIVersion":
		http.Error(w, "internal error", http.StatusInternalServerError)
	case "supervisor.getIdentification": // another protocol on the port
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			fmt.Fprint(conn, "SSH-2.0-OpenSSH_9.2\r\n")
			conn.Close()
		}
	case "supervisor.getPID":
		reply("<string>42</string>")
	case "supervisor.getProcessInfo":
		reply("<struct><member><name>name</name><value><string>x</string></value></member></struct>")
	case "supvisors.get_supvisors_state":
		reply("<struct><member><name>statecode</name><value><int>42</int></value></member>" +
			"<member><name>statename</name><value><string>HIBERNATING</string></value></member></struct>")
	case "supvisors.get_strategies":
		reply("<struct><member><name>auto-fencing</name><value><boolean>1</boolean></value></member>" +
			"<member><name>starting</name><value><string>NEWEST</string></value></member>" +
			"<member><name>conciliation</name><value><string>VOTE</string></value></member></struct>")
	case "supvisors.get_all_process_info":
		reply("<array><data><value><struct>" +
			"<member><name>application_name</name><value><string>a</string></value></member>" +
			"<member><name>process_name</name><value><string>p</string></value></member>" +
			"<member><name>statecode</name><value><int>77</int></value></member>" +
			"<member><name>statename</name><value><string>NAPPING</string></value></member>" +
			"<member><name>expected_exit</name><value><boolean>1</boolean></value></member>" +
			"<member><name>last_event_time</name><value><i8>1700000000</i8></value></member>" +
			"<member><name>addresses</name><value><array><data></data></array></value></member>" +
			"</struct></value></data></array>")
	default:
		http.NotFound(w, r)
	}
}

// readmeCppExample is the C++ program of README.md's "C++ client" section.
func readmeCppExample(t testing.TB) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)\n## C\\+\\+ client\n.*?```cpp\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no ```cpp block in a '## C++ client' section")
	}
	return string(m[1])
}

// TestCppClientReadmeExample compiles the README's example and runs it
// against a cluster of one agent, as its text says.
func TestCppClientReadmeExample(t *testing.T) {
	t.Parallel()
	source := filepath.Join(t.TempDir(), "example.cpp")
	if err := os.WriteFile(source, []byte(readmeCppExample(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := compileCpp(t, source)
	nodes := startClusterNodes(t, 1, writeRulesFile(t, cppRules), sleeper("web", "")+"\n[program:db]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	s := nodes[0]
	s.waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "OPERATION")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, exe, s.host, strconv.Itoa(s.port), s.user, s.password).CombinedOutput()
	t.Logf("example:\n%s", out)
	if err != nil {
		t.Fatalf("the example failed: %v", err)
	}
	want := "supervisor RUNNING, supvisors OPERATION, master 127.0.0.1\n" +
		"db RUNNING 127.0.0.1\n" +
		"web STOPPED\n" +
		"web started: true\n"
	if string(out) != want {
		t.Errorf("the example printed:\n%s\nwant:\n%s", out, want)
	}
	s.waitPython(t, "p.supvisors.get_process_info('web')[0]['statename']", "RUNNING")

	// With a wrong password, it says why it stopped.
	out, err = exec.CommandContext(ctx, exe, s.host, strconv.Itoa(s.port), s.user, "wrong").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "refused the credentials") {
		t.Errorf("the example with a wrong password: %v\n%s", err, out)
	}
}
