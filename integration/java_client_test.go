package integration

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Java client (clients/java, built by make clients-java into
// bin/java) runs its own test suites (clients/java/test) against real
// agents: offline (value classes and the wire, against servers of the
// suite's own), supervisor (one agent), supvisors (a 3-node cluster), and
// the spec's example unchanged.

// javaSpecSnippet is the spec's Java example ("XML-RPC Clients / JAVA
// Client") but its import, verbatim: SpecSnippet.java must hold it.
const javaSpecSnippet = `// create proxy
SupervisorXmlRpcClient client = new SupervisorXmlRpcClient("10.0.0.1", 60000, "toto", "p@$$w0rd");

// Supervisor XML-RPC
SupervisorXmlRpc supervisor = new SupervisorXmlRpc(client);
System.out.println(supervisor.getState());

// Supvisors XML-RPC
SupvisorsXmlRpc supvisors = new SupvisorsXmlRpc(client);
System.out.println(supvisors.getSupvisorsState());
`

// javaClosingLine is the last line of a Java test run.
var javaClosingLine = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed\n?\z`)

// javaTestClasspath compiles clients/java/test against the client that
// make clients-java built (bin/java/classpath) into a directory of t's, and
// returns the classpath that runs the tests.
func javaTestClasspath(t *testing.T) string {
	t.Helper()
	line, err := os.ReadFile("../bin/java/classpath")
	if err != nil {
		t.Fatalf("the Java client is not built (make clients-java, which make test runs): %v", err)
	}
	classpath := strings.TrimSpace(string(line))
	for _, jar := range filepath.SplitList(classpath) {
		if _, err := os.Stat(jar); err != nil {
			t.Fatalf("bin/java/classpath names %s: %v (make clients-java)", jar, err)
		}
	}
	var sources []string
	err = filepath.WalkDir("../clients/java/test", func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".java") {
			sources = append(sources, path)
		}
		return err
	})
	if err != nil || len(sources) == 0 {
		t.Fatalf("the Java tests' sources: %v, %d files", err, len(sources))
	}
	classes := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"--release", "17", "-Xlint:all", "-Werror", "-cp", classpath, "-d", classes}, sources...)
	if out, err := exec.CommandContext(ctx, "javac", args...).CombinedOutput(); err != nil {
		t.Fatalf("javac of the Java tests (a JDK: make deps-java): %v\n%s", err, out)
	}
	return classpath + string(filepath.ListSeparator) + classes
}

// runJavaTests runs the Java suites and settings of args (ClientTests'
// arguments) and fails t unless every test passed; it returns the output.
func runJavaTests(t *testing.T, classpath string, args ...string) string {
	t.Helper()
	out, err := runJava(t, nil, classpath, "org.supvisors.test.ClientTests", args...)
	m := javaClosingLine.FindStringSubmatch(out)
	switch {
	case m == nil:
		t.Fatalf("the Java tests (%v) ended without their closing line: %v\n%s", args, err, out)
	case m[2] != "0" || err != nil:
		t.Fatalf("the Java tests (%v): %s passed, %s failed (%v):\n%s", args, m[1], m[2], err, out)
	}
	t.Logf("the Java tests (%v):\n%s", args, out)
	return out
}

// runJava runs a Java class and returns its output, inside s's network
// namespace when s is not nil.
func runJava(t *testing.T, s *server, classpath, class string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	full := append([]string{"-cp", classpath, class}, args...)
	cmd := exec.CommandContext(ctx, "java", full...)
	if s != nil {
		cmd = s.command(ctx, "java", full...)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// hostPort splits the host and port of a URL.
func hostPort(t *testing.T, u string) (string, string) {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Hostname(), parsed.Port()
}

// TestJavaClient runs the Java client's suites against real agents.
func TestJavaClient(t *testing.T) {
	t.Parallel()
	classpath := javaTestClasspath(t)

	t.Run("offline", func(t *testing.T) {
		t.Parallel()
		runJavaTests(t, classpath, "offline")
	})

	t.Run("supervisor", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, "supvisors", supervisorBody)
		s.waitStable(t)
		methods := replyOf[[]string](t, "listMethods")(newTestClient(t, s.url, s).System().ListMethods(t.Context()))
		rec, _ := newMethodRecorder(t, s.url, false)
		host, port := hostPort(t, rec.url)
		runJavaTests(t, classpath, "supervisor", "host="+host, "port="+port, "user="+s.user, "password="+s.password,
			"pid="+strconv.Itoa(s.cmd.Process.Pid), "conf="+s.conf)
		if missing := rec.missing(methods, "system.", "supervisor."); len(missing) > 0 {
			t.Errorf("methods the Java tests never called: %v", missing)
		}
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			t.Fatal("agent still running 30 s after supervisor.shutdown()")
		}
	})

	t.Run("events", func(t *testing.T) {
		t.Parallel()
		s := planCluster(t, 1, "stats_periods=1").startNode(t, 0, "\n[program:web]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
		s.waitStable(t)
		s.waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "OPERATION")
		runJavaTests(t, classpath, "events", "host="+s.host, "port="+strconv.Itoa(s.port), "user="+s.user,
			"password="+s.password)
	})

	t.Run("supvisors", func(t *testing.T) {
		t.Parallel()
		nodes := startClusterNodes(t, 3, writeRulesFile(t, clientRules), clientBody)
		t.Cleanup(func() {
			if t.Failed() {
				logsOf(t, nodes)
			}
		})
		methods := replyOf[[]string](t, "listMethods")(newTestClient(t, nodes[0].url, nodes[0]).System().ListMethods(t.Context()))
		rec, _ := newMethodRecorder(t, nodes[0].url, false)
		args := []string{"supvisors"}
		for i, n := range nodes {
			host, port := n.host, strconv.Itoa(n.port)
			if i == 0 {
				host, port = hostPort(t, rec.url)
			}
			p := strconv.Itoa(i+1) + "."
			args = append(args, p+"host="+host, p+"port="+port, p+"user="+n.user, p+"password="+n.password)
		}
		runJavaTests(t, classpath, args...)
		if missing := rec.missing(methods, "supvisors."); len(missing) > 0 {
			t.Errorf("methods the Java tests never called: %v", missing)
		}
		for _, n := range nodes {
			select {
			case <-n.exited:
			case <-time.After(30 * time.Second):
				t.Fatalf("agent of %s still running 30 s after supvisors.shutdown()", n.host)
			}
		}
	})

	t.Run("spec snippet", func(t *testing.T) {
		t.Parallel()
		source, err := os.ReadFile("../clients/java/test/SpecSnippet.java")
		if err != nil {
			t.Fatal(err)
		}
		indented := regexp.MustCompile(`(?m)^(.)`).ReplaceAllString(javaSpecSnippet, "        $1")
		if !strings.HasPrefix(string(source), "import org.supvisors.rpc.*;\n") || !strings.Contains(string(source),
			"public static void main(String[] args) throws Exception {\n"+indented+"    }\n") {
			t.Fatalf("SpecSnippet.java does not hold the spec's example verbatim in main:\n%s", source)
		}
		// The example calls 10.0.0.1:60000: a network namespace of the
		// test's own holds that address, the agent and the example.
		ns := specNamespace(t)
		s := newServer(t, "supvisors", "\n[supvisors]\naddress_list=10.0.0.1\ninternal_port=60001\nevent_port=60002\n"+
			sleeper("web", ""), func(s *server) {
			s.host, s.port, s.user, s.password = "10.0.0.1", 60000, "toto", "p@$$w0rd"
		})
		s.enterNamespace(ns)
		s.launch(t)
		s.waitAnswering(t)
		s.waitPython(t, supvisorsStateExpr, "OPERATION")
		out, err := runJava(t, s, classpath, "SpecSnippet")
		if err != nil || out != "SupervisorState(state=RUNNING)\nSupvisorsState(state=OPERATION)\n" {
			t.Errorf("the spec's example printed %q, %v; want Supervisor RUNNING and Supvisors OPERATION", out, err)
		}
	})
}

// specNamespace makes a network namespace whose loopback also holds
// 10.0.0.1, for the spec's example, and a blackhole route for that address
// in the host's namespace while it lasts, so that a call made from the
// wrong namespace never leaves the machine; the test's cleanup deletes
// both. It needs root and iproute2, and a host that has no use of
// 10.0.0.1 itself: the test is skipped otherwise.
func specNamespace(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the spec's example calls 10.0.0.1: making a network namespace with that address needs root (make test in CI runs as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("the spec's example calls 10.0.0.1: a network namespace with that address needs iproute2's ip")
	}
	spec := netip.MustParsePrefix("10.0.0.1/32")
	if used, err := hostUses(spec); err != nil || used {
		t.Skipf("the spec's example calls 10.0.0.1, which this host routes or holds (%v): it is not taken over", err)
	}
	if out, err := ipCommand("route", "add", "blackhole", spec.String(), "proto", labRouteProto); err != nil {
		t.Fatalf("ip route add blackhole %s: %v\n%s", spec, err, out)
	}
	t.Cleanup(func() {
		if out, err := ipCommand("route", "del", "blackhole", spec.String(), "proto", labRouteProto); err != nil {
			t.Errorf("ip route del blackhole %s: %v\n%s", spec, err, out)
		}
	})
	ns := fmt.Sprintf("svjava%d", os.Getpid())
	if out, err := ipCommand("netns", "add", ns); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", ns, err, out)
	}
	t.Cleanup(func() {
		if out, err := ipCommand("netns", "del", ns); err != nil {
			t.Errorf("ip netns del %s: %v\n%s", ns, err, out)
		}
	})
	for _, args := range [][]string{{"-n", ns, "link", "set", "lo", "up"}, {"-n", ns, "addr", "add", "10.0.0.1/32", "dev", "lo"}} {
		if out, err := ipCommand(args...); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	return ns
}
