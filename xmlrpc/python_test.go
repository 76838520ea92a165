package xmlrpc

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// supervisordLoads decodes each hex line of its input as supervisord does a
// request body (medusa's as_string, then the handler's loads) and prints
// the outcome as a JSON line.
const supervisordLoads = `
import json, sys
from supervisor.compat import as_string
from supervisor.xmlrpc import supervisor_xmlrpc_handler
h = supervisor_xmlrpc_handler.__new__(supervisor_xmlrpc_handler)
for line in sys.stdin:
    try:
        params, method = h.loads(as_string(bytes.fromhex(line.strip())))
        print(json.dumps({'ok': True, 'method': method, 'params': list(params or ())}))
    except Exception as e:
        print(json.dumps({'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}))
`

// TestEncodingsAgainstSupervisord decodes the calls of every encoding with
// supervisord's own code: what it decodes, the server decodes the same.
// supervisord reads every body as UTF-8 whatever its declaration (so
// us-ascii with UTF-8 text works), and drops the connection on a body that
// is not UTF-8 (latin-1 text, UTF-16); those the server decodes as
// declared (TestDecodeEncodings).
func TestEncodingsAgainstSupervisord(t *testing.T) {
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no %s: %v", python, err)
	}
	calls := encodedCalls()
	var in strings.Builder
	for _, c := range calls {
		in.WriteString(hex.EncodeToString([]byte(c.doc)) + "\n")
	}
	cmd := exec.Command(python, "-c", supervisordLoads)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("supervisord's loads: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(calls) {
		t.Fatalf("%d outcomes for %d calls:\n%s", len(lines), len(calls), out)
	}
	agreed := 0
	for i, c := range calls {
		var got struct {
			OK     bool
			Method string
			Params []string
			Error  string
		}
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatalf("%s: %v: %s", c.name, err, lines[i])
		}
		if !got.OK {
			t.Logf("%s: supervisord cannot read it (%s)", c.name, got.Error)
			continue
		}
		req, err := decodeRequest(strings.NewReader(c.doc), requestLimits)
		if err != nil {
			t.Errorf("%s: supervisord reads %q %q, the server: %v", c.name, got.Method, got.Params, err)
			continue
		}
		if req.method != got.Method || len(req.params) != len(got.Params) || req.params[0].str != got.Params[0] {
			t.Errorf("%s: supervisord reads %q %q, the server %+v", c.name, got.Method, got.Params, req)
		}
		agreed++
	}
	if agreed == 0 {
		t.Error("supervisord read none of the calls: the comparison compared nothing")
	}
}
