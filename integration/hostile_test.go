package integration

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHostileRequests sends the agent malformed and hostile XML-RPC and
// checks every one gets a fault or a 4xx, quickly, while the agent and its
// children keep running.
func TestHostileRequests(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", "[program:up]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
	s.waitStable(t)
	before := childPids(t, s.cmd.Process.Pid)

	call := func(method, params string) string {
		return "<?xml version='1.0'?><methodCall><methodName>" + method + "</methodName><params>" + params + "</params></methodCall>"
	}
	param := func(v string) string { return "<param><value>" + v + "</value></param>" }
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">` +
		`<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>` +
		`<methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>&lol5;</string></value></param></params></methodCall>`
	deep := call("supervisor.getProcessInfo", "<param><value>"+strings.Repeat("<array><data><value>", 10000)+strings.Repeat("</value></data></array>", 10000)+"</value></param>")

	cases := []struct {
		name string
		body io.Reader
		// wantFault is the fault code expected with HTTP 200; 0 means an
		// HTTP 4xx is expected instead.
		wantFault string
	}{
		{"not xml", strings.NewReader("hello"), ""},
		{"truncated", strings.NewReader(call("supervisor.getState", "")[:40]), ""},
		{"no method name", strings.NewReader("<?xml version='1.0'?><methodCall><params></params></methodCall>"), ""},
		{"billion laughs", strings.NewReader(laughs), ""},
		{"10000-deep nesting", strings.NewReader(deep), ""},
		{"50 MB body", io.MultiReader(strings.NewReader(call("supervisor.sendProcessStdin", param("<string>up</string>")+"<param><value><string>")), bytes.NewReader(bytes.Repeat([]byte("A"), 50<<20)), strings.NewReader("</string></value></param>")), ""},
		{"bad base64", strings.NewReader(call("supervisor.getProcessInfo", param("<base64>!!!not base64</base64>"))), ""},
		{"bad int", strings.NewReader(call("supervisor.readLog", param("<int>12x</int>")+param("<int>0</int>"))), ""},
		{"bad boolean", strings.NewReader(call("supervisor.startProcess", param("<string>up</string>")+param("<boolean>yes</boolean>"))), ""},
		{"wrong type", strings.NewReader(call("supervisor.getProcessInfo", param("<int>3</int>"))), "<int>2</int>"},
		{"too many params", strings.NewReader(call("supervisor.getState", param("<int>3</int>"))), "<int>2</int>"},
		{"too few params", strings.NewReader(call("supervisor.signalProcess", param("<string>up</string>"))), "<int>2</int>"},
		{"unknown method", strings.NewReader(call("supervisor.noSuchThing", "")), "<int>1</int>"},
		{"private method", strings.NewReader(call("supervisor._update", "")), "<int>1</int>"},
		{"no namespace", strings.NewReader(call("getState", "")), "<int>1</int>"},
		{"stop with a struct name", strings.NewReader(call("supervisor.stopProcess", param("<struct></struct>"))), "<int>2</int>"},
	}
	client := &http.Client{Timeout: 20 * time.Second}
	for _, c := range cases {
		req, err := http.NewRequest(http.MethodPost, s.url+"/RPC2", c.body)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(s.user, s.password)
		req.Header.Set("Content-Type", "text/xml")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			// A server may close the connection on an oversized body
			// after answering; that still counts as refused.
			if c.name == "50 MB body" {
				continue
			}
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if c.wantFault == "" {
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("%s: HTTP %d, want 4xx\n%s", c.name, resp.StatusCode, body)
			}
		} else if resp.StatusCode != 200 || !strings.Contains(string(body), "<fault>") || !strings.Contains(string(body), c.wantFault) {
			t.Errorf("%s: HTTP %d, want a fault with code %s\n%s", c.name, resp.StatusCode, c.wantFault, body)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s took %v", c.name, d)
		}
	}
	if out, code := s.ctl(t, "status"); code != 0 {
		t.Errorf("agent unhealthy after hostile requests: exit %d\n%s", code, out)
	}
	after := childPids(t, s.cmd.Process.Pid)
	if len(after) != len(before) || after[0] != before[0] {
		t.Errorf("children changed: before %v, after %v", before, after)
	}
}
