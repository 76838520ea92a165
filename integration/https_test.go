package integration

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/internal/testpki"
)

// TestHTTPSCluster runs three agents whose port serves HTTPS only, each
// with its own certificate from a CA the test makes. Node 3's cafile is
// another CA: it cannot verify the master. A control call made on node 2
// is forwarded to the master over TLS; the same call on node 3 is refused
// with the certificate error. supvisorsctl with --cacert, the Go client
// and the Python module work over HTTPS, and refuse a wrong CA with a
// clear error; supervisorctl and plain HTTP get nothing from the port.
func TestHTTPSCluster(t *testing.T) {
	t.Parallel()
	pki := t.TempDir()
	ca := testpki.NewCA(t, pki, "ca")
	other := testpki.NewCA(t, pki, "other")
	p := planCluster(t, 3, "")
	nodes := make([]*server, len(p.list))
	for i := range nodes {
		cert, key := ca.Issue(t, pki, fmt.Sprintf("node%d", i+1), p.list[i])
		cafile := ca.File
		if i == 2 {
			cafile = other.File
		}
		nodes[i] = newServer(t, "supvisors", p.section+sleeper("web", "")+sleeper("api", ""), func(s *server) {
			s.host, s.port = p.list[i], p.httpPort
			s.inetTLS = fmt.Sprintf("certfile=%s\nkeyfile=%s\ncafile=%s\n", cert, key, cafile)
		})
		nodes[i].launch(t)
	}
	ctl := func(s *server, cacert string, args ...string) (string, int) {
		t.Helper()
		global := s.credentials()
		if cacert != "" {
			global = append(global, "--cacert", cacert)
		}
		stdout, stderr, code := s.runClient(t, ctlBinary, "", global, args...)
		return stdout + stderr, code
	}
	for _, n := range nodes {
		n.waitAnswering(t)
		waitFor(t, 30*time.Second, func() (bool, string) {
			out, _ := ctl(n, ca.File, "sstate")
			return strings.Contains(out, "OPERATION"), n.url + " sstate: " + out
		})
	}

	// Node 2 forwards to the master (node 1), over TLS.
	if out, code := ctl(nodes[1], ca.File, "start_process", "CONFIG", "web"); code != 0 || !strings.Contains(out, "web started: True") {
		t.Errorf("start_process on node 2: exit %d\n%s", code, out)
	}
	if out, _ := ctl(nodes[0], ca.File, "sstatus", "web"); !strings.Contains(out, "RUNNING") {
		t.Errorf("web after its start through node 2:\n%s", out)
	}
	// Node 3 cannot verify the master's certificate: its forward fails,
	// saying why.
	out, code := ctl(nodes[2], ca.File, "start_process", "CONFIG", "api")
	if code == 0 || !strings.Contains(out, "certificate signed by unknown authority") {
		t.Errorf("start_process on node 3, which trusts another CA: exit %d\n%s", code, out)
	}
	t.Logf("start_process on node 3: exit %d: %s", code, out)

	// supvisorsctl with a wrong CA, or the system's roots.
	for _, cacert := range []string{other.File, ""} {
		out, code := ctl(nodes[0], cacert, "sstate")
		if code != 4 || !strings.Contains(out, nodes[0].url+": certificate refused (x509: certificate signed by unknown authority)") {
			t.Errorf("supvisorsctl --cacert %q: exit %d\n%s", cacert, code, out)
		}
		t.Logf("supvisorsctl --cacert %q: exit %d: %s", cacert, code, out)
	}
	if out, code := ctl(nodes[0], filepath.Join(pki, "missing.pem"), "sstate"); code != 2 || !strings.Contains(out, "--cacert: open") {
		t.Errorf("supvisorsctl with a missing --cacert: exit %d\n%s", code, out)
	}

	// The Go client.
	roots := x509.NewCertPool()
	pem, err := os.ReadFile(ca.File)
	if err != nil || !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("ca: %v", err)
	}
	for _, c := range []struct {
		roots *x509.CertPool
		want  string
	}{{roots, "127.0.0.1"}, {nil, "certificate signed by unknown authority"}} {
		cl, err := client.New(nodes[1].url, client.Options{Username: nodes[1].user, Password: nodes[1].password,
			TLSConfig: &tls.Config{RootCAs: c.roots}})
		if err != nil {
			t.Fatal(err)
		}
		master, err := cl.Supvisors().GetMasterAddress(context.Background())
		if got := fmt.Sprint(master, err); !strings.Contains(got, c.want) {
			t.Errorf("the Go client, roots %v: %s, want %q", c.roots != nil, got, c.want)
		}
		cl.Close()
	}

	// The Python module, from node 1's URL to node 2.
	env := pythonEnv("PYTHONPATH="+pythonClientPath(t), "SUPERVISOR_SERVER_URL="+nodes[0].url,
		"SUPERVISOR_USERNAME="+nodes[0].user, "SUPERVISOR_PASSWORD="+nodes[0].password)
	out = runPython(t, env, `import os, ssl, sys
from supvisors.rpcrequests import getRPCInterface
print(getRPCInterface('127.0.0.2', os.environ, cafile=sys.argv[1]).supvisors.get_supvisors_state()['statename'])
try:
    getRPCInterface('127.0.0.2', os.environ, cafile=sys.argv[2]).supervisor.getState()
except ssl.SSLCertVerificationError as e:
    print('refused:', e.verify_message)
`, ca.File, other.File)
	if want := "OPERATION\nrefused: unable to get local issuer certificate\n"; out != want {
		t.Errorf("the Python module: %q, want %q", out, want)
	}

	// Debian's supervisorctl cannot speak HTTPS; plain HTTP to the port
	// gets a 400 and no XML-RPC.
	out, code = nodes[0].ctlURL(t, nodes[0].url, "status")
	if code == 0 || strings.Contains(out, "web") {
		t.Errorf("supervisorctl -s %s: exit %d\n%s", nodes[0].url, code, out)
	}
	t.Logf("supervisorctl -s %s: exit %d: %s", nodes[0].url, code, out)
	plain := "http://" + net.JoinHostPort(nodes[0].host, strconv.Itoa(nodes[0].port))
	if out, code := nodes[0].ctlURL(t, plain, "status"); code == 0 || strings.Contains(out, "web") {
		t.Errorf("supervisorctl -s %s: exit %d\n%s", plain, code, out)
	}
	conn, err := net.Dial("tcp", net.JoinHostPort(nodes[0].host, strconv.Itoa(nodes[0].port)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	body := "<?xml version='1.0'?><methodCall><methodName>supervisor.getState</methodName></methodCall>"
	fmt.Fprintf(conn, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		var b strings.Builder
		_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(b.String(), "methodResponse") {
			t.Errorf("plain HTTP to the HTTPS port: HTTP %d %s", resp.StatusCode, b.String())
		}
	}
}
