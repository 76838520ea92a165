package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/enums"
)

// These tests need no agent; integration/supvisorsctl_test.go drives the
// binary against real ones.

// runCtl runs the program with args, input stdin and environment env.
func runCtl(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr, func(k string) string { return env[k] })
	return stdout.String(), stderr.String(), code
}

func TestFormatTable(t *testing.T) {
	got := formatTable([]string{"Application", "State", "Addresses"}, [][]string{
		{"web", "RUNNING", "127.0.0.1,127.0.0.2"},
		{"a_long_application", "STOPPED", ""},
	})
	want := []string{
		"Application         State    Addresses",
		"web                 RUNNING  127.0.0.1,127.0.0.2",
		"a_long_application  STOPPED",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("table:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNamespecs(t *testing.T) {
	for _, c := range []struct {
		in, group, process string
		has                bool
		made               string
	}{
		{"foo", "foo", "foo", true, "foo"},
		{"g:p", "g", "p", true, "g:p"},
		{"g:*", "g", "", false, "g:None"},
		{"g:", "g", "", false, "g:None"},
		{"g:p:q", "g", "p:q", true, "g:p:q"},
	} {
		g, p, has := splitNamespec(c.in)
		if g != c.group || p != c.process || has != c.has {
			t.Errorf("splitNamespec(%q) = %q, %q, %v", c.in, g, p, has)
		}
		if m := makeNamespec(g, p, has); m != c.made {
			t.Errorf("makeNamespec(%q, %q, %v) = %q, want %q", g, p, has, m, c.made)
		}
	}
}

func TestPyInt(t *testing.T) {
	for in, want := range map[string]int{"100": 100, "+5": 5, "-5": -5, " 7 ": 7, "1_000": 1000, "0": 0} {
		if got, ok := pyInt(in); !ok || got != want {
			t.Errorf("pyInt(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "x", "f", "1.5", "_1", "1_", "1__0", "--5", "5-"} {
		if got, ok := pyInt(in); ok {
			t.Errorf("pyInt(%q) = %d, want an error", in, got)
		}
	}
}

func TestStrategies(t *testing.T) {
	for in, want := range map[string]enums.StartingStrategy{
		"CONFIG": enums.StartConfig, "less_loaded": enums.StartLessLoaded, "Most_Loaded": enums.StartMostLoaded,
		"3": enums.StartLocal, "0": enums.StartConfig, "4": enums.StartLessLoadedNode, "most_loaded_node": enums.StartMostLoadedNode,
	} {
		if got, err := parseStarting("start_process", in); err != nil || got != want {
			t.Errorf("parseStarting(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "BOGUS", "6", "-1", "SENICIDE"} {
		if _, err := parseStarting("start_process", in); err == nil {
			t.Errorf("parseStarting(%q): no error", in)
		}
	}
	if got, err := parseConciliation("running_failure"); err != nil || got != enums.ConciliateRunningFailure {
		t.Errorf("parseConciliation(running_failure) = %v, %v", got, err)
	}
	if _, err := parseConciliation("6"); err == nil {
		t.Error("parseConciliation(6): no error")
	}
}

func TestJSONKeysAreTheReplyMembers(t *testing.T) {
	data, err := json.Marshal(wire([]api.ClusterProcessInfo{{ApplicationName: "web", ProcessName: "server",
		State: enums.ProcessRunning, StateName: "RUNNING"}}))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"application_name":"web","process_name":"server","statecode":20,"statename":"RUNNING",` +
		`"expected_exit":false,"last_event_time":0,"addresses":[],"waiting":"","disabled":false}]`
	if string(data) != want {
		t.Errorf("JSON:\n%s\nwant:\n%s", data, want)
	}
}

func TestProgress(t *testing.T) {
	var b lockedBuffer
	stop := showProgress(&b, "starting web", 10*time.Millisecond)
	// The line is rewritten at each period.
	for deadline := time.Now().Add(5 * time.Second); strings.Count(b.String(), "starting web") < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("progress not rewritten within 5s: %q", b.String())
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	stop() // twice is fine
	out := b.String()
	if !strings.HasPrefix(out, "\rstarting web... 0s\x1b[K") || !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("progress output %q", out)
	}
	c := &ctl{stderr: &b}
	c.progress("silent")() // stderr is not a terminal: nothing
	if b.String() != out {
		t.Errorf("progress without a terminal wrote %q", strings.TrimPrefix(b.String(), out))
	}
}

func TestCompletion(t *testing.T) {
	for shell, mark := range map[string]string{"bash": "__start_supvisorsctl", "zsh": "#compdef supvisorsctl", "fish": "complete -c supvisorsctl"} {
		out, errOut, code := runCtl(t, nil, "", "completion", shell)
		if code != 0 || !strings.Contains(out, mark) {
			t.Errorf("completion %s: exit %d, no %q in %d bytes; stderr %q", shell, code, mark, len(out), errOut)
		}
	}
}

func TestUsage(t *testing.T) {
	out, errOut, code := runCtl(t, map[string]string{client.EnvPassword: "s3cret"}, "", "--help")
	if code != 0 || !strings.Contains(out, "start_application") || !strings.Contains(out, "Supvisors commands") {
		t.Errorf("--help: exit %d:\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("--help shows the password of SUPERVISOR_PASSWORD:\n%s", out)
	}
	for _, args := range [][]string{{"nosuch"}, {"sstate", "x"}, {"start_application"}, {"conciliate"},
		{"start_process", "NEVER", "x"}, {"readmit"}, {"--bogus"}} {
		out, errOut, code := runCtl(t, nil, "", args...)
		if code != exitInvalidArgs || out != "" || !strings.HasPrefix(errOut, "Error: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, an error", args, code, out, errOut)
		}
	}
}

// TestUnreachable: port 1 of the loopback refuses connections.
func TestUnreachable(t *testing.T) {
	env := map[string]string{client.EnvServerURL: "http://127.0.0.1:1"}
	for _, args := range [][]string{{"status"}, {"sstatus"}, {"start_application", "CONFIG", "web"}, {"avail"}, {"tail", "-f", "x"}} {
		out, _, code := runCtl(t, env, "", args...)
		if code != exitUnreachable || out != "http://127.0.0.1:1 refused connection\n" {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	out, _, code := runCtl(t, env, "", "shutdown")
	if code != exitGeneric || out != "ERROR: http://127.0.0.1:1 refused connection (already shut down?)\n" {
		t.Errorf("shutdown: exit %d, %q", code, out)
	}
	// The interactive mode: status first, then the lines; exit 0.
	out, _, code = runCtl(t, env, "sstate\n\nquit\n")
	want := "http://127.0.0.1:1 refused connection\nsupvisors> http://127.0.0.1:1 refused connection\nsupvisors> supvisors> \n"
	if code != 0 || out != want {
		t.Errorf("interactive: exit %d, %q, want %q", code, out, want)
	}
	out, _, _ = runCtl(t, env, "shutdown\nno\n")
	if want := "http://127.0.0.1:1 refused connection\nsupvisors> Really shut the remote supervisord process down y/N? supvisors> \n"; out != want {
		t.Errorf("interactive shutdown answered no: %q, want %q", out, want)
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
