package integration

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/internal/testpki"
)

// dashboardBody is one program, running once the test has started it.
const dashboardBody = `
[program:sleeper]
command=/bin/sleep 1000
autostart=false
startsecs=0
stopwaitsecs=2
`

// dashSession is a browser session of the dashboard: its cookie and the
// CSRF token of the page that started it.
type dashSession struct {
	cookie *http.Cookie
	token  string
}

// dashHTTP is an HTTP client of s's port that shows redirects instead of
// following them, and trusts the cafile of s's HTTPS settings.
func (s *server) dashHTTP(t *testing.T) *http.Client {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if m := regexp.MustCompile(`(?m)^cafile=(.+)$`).FindStringSubmatch(s.inetTLS); m != nil {
		pem, err := os.ReadFile(m[1])
		roots := x509.NewCertPool()
		if err != nil || !roots.AppendCertsFromPEM(pem) {
			t.Fatalf("cafile %s: %v", m[1], err)
		}
		c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	}
	return c
}

// dashGet GETs path (with credentials unless anonymous) and returns the
// response, its body read.
func (s *server) dashGet(t *testing.T, path string, cookie *http.Cookie, anonymous bool) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !anonymous {
		req.SetBasicAuth(s.user, s.password)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return s.doRead(t, req)
}

func (s *server) doRead(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := s.dashHTTP(t).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

var tokenMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"/>`)

// openDashboard loads the cluster page as a browser would the first time:
// it gets a session cookie and the page's token.
func (s *server) openDashboard(t *testing.T) dashSession {
	t.Helper()
	resp, page := s.dashGet(t, "/", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: HTTP %d: %s", resp.StatusCode, page)
	}
	var sess dashSession
	for _, c := range resp.Cookies() {
		if c.Name == "supvisors_session" {
			sess.cookie = c
		}
	}
	m := tokenMeta.FindStringSubmatch(page)
	if sess.cookie == nil || m == nil {
		t.Fatalf("GET /: no session cookie (%v) or no token in the page", resp.Cookies())
	}
	sess.token = m[1]
	return sess
}

// dashCall POSTs an XML-RPC call to /dashboard/call with what the test
// gives: the session's cookie, a token, extra headers.
func (s *server) dashCall(t *testing.T, cookie *http.Cookie, token string, header http.Header, method string, params ...any) (int, string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"method": method, "params": params})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url+"/dashboard/call", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.user, s.password)
	req.Header.Set("Content-Type", "application/json")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, text := s.doRead(t, req)
	return resp.StatusCode, text
}

// sleeperState is the state of the test's program, read over XML-RPC
// (through the unix socket, which never speaks TLS).
func sleeperState(t *testing.T, s *server) enums.ProcessState {
	t.Helper()
	c := newTestClient(t, "unix://"+s.sock, s)
	info, err := c.Supervisor().GetProcessInfo(t.Context(), "sleeper")
	if err != nil {
		t.Fatal(err)
	}
	return info.State
}

// startedNode is a one-node cluster in OPERATION whose sleeper runs.
func startedNode(t *testing.T) *server {
	t.Helper()
	s := startClusterNodes(t, 1, "", dashboardBody)[0]
	c := newTestClient(t, s.url, s)
	waitSupvisorsState(t, c, enums.SupvisorsOperation)
	if _, err := c.Supervisor().StartProcess(t.Context(), "sleeper", true); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDashboardCSRF checks that an action runs only from the dashboard's
// own page: a POST without the session's token, with another session's,
// without the cookie, from another origin, or any GET, is refused with
// HTTP 403 and the process keeps running; the same POST with the token
// stops it.
func TestDashboardCSRF(t *testing.T) {
	t.Parallel()
	s := startedNode(t)
	sess := s.openDashboard(t)
	other := s.openDashboard(t)
	if other.token == sess.token {
		t.Fatal("two sessions got the same token")
	}
	stop := []any{"sleeper", true}
	refused := []struct {
		what   string
		cookie *http.Cookie
		token  string
		header http.Header
	}{
		{"no token", sess.cookie, "", nil},
		{"another session's token", sess.cookie, other.token, nil},
		{"no session cookie", nil, sess.token, nil},
		{"a forged cookie", &http.Cookie{Name: "supvisors_session", Value: strings.Repeat("A", 43)}, sess.token, nil},
		{"a foreign Origin", sess.cookie, sess.token, http.Header{"Origin": {"http://evil.example"}}},
		{"a cross-site fetch", sess.cookie, sess.token, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
	}
	for _, r := range refused {
		code, body := s.dashCall(t, r.cookie, r.token, r.header, "supervisor.stopProcess", stop...)
		if code != http.StatusForbidden {
			t.Errorf("POST with %s: HTTP %d (%s), want 403", r.what, code, body)
		}
	}
	for _, path := range []string{"/dashboard/call", "/dashboard/call?method=supervisor.stopProcess&params=sleeper"} {
		if resp, body := s.dashGet(t, path, sess.cookie, false); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: HTTP %d (%s), want 403", path, resp.StatusCode, body)
		}
	}
	// A legacy action posted without the token.
	form := url.Values{"action": {"stop"}, "processname": {"sleeper"}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url+"/index.html", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.user, s.password)
	req.AddCookie(sess.cookie)
	if resp, body := s.doRead(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /index.html without the token: HTTP %d (%s), want 403", resp.StatusCode, body)
	}
	if st := sleeperState(t, s); st != enums.ProcessRunning {
		t.Fatalf("after the refused requests sleeper is %s, want RUNNING", st)
	}

	// The same call from the page: it acts, and answers as XML-RPC does.
	code, body := s.dashCall(t, sess.cookie, sess.token, http.Header{"Origin": {s.url}}, "supervisor.stopProcess", stop...)
	if code != http.StatusOK || body != `{"result":true}` {
		t.Fatalf("POST with the token: HTTP %d %s, want 200 {\"result\":true}", code, body)
	}
	if st := sleeperState(t, s); st != enums.ProcessStopped {
		t.Errorf("after the page's stop sleeper is %s, want STOPPED", st)
	}
	// A fault comes back with its code and name.
	_, body = s.dashCall(t, sess.cookie, sess.token, nil, "supervisor.stopProcess", stop...)
	var reply struct {
		Fault struct {
			Code   int    `json:"code"`
			Name   string `json:"name"`
			String string `json:"string"`
		} `json:"fault"`
	}
	if err := json.Unmarshal([]byte(body), &reply); err != nil || reply.Fault.Code != 70 || reply.Fault.Name != "NOT_RUNNING" {
		t.Errorf("stopping a stopped process: %s (%v), want the NOT_RUNNING fault", body, err)
	}
	// A reply of the supvisors namespace keeps its wire names.
	_, body = s.dashCall(t, sess.cookie, sess.token, nil, "supvisors.get_all_process_info")
	var procs struct{ Result []api.ClusterProcessInfo }
	if err := json.Unmarshal([]byte(body), &procs); err != nil || len(procs.Result) != 1 || procs.Result[0].Namespec() != "sleeper" {
		t.Errorf("supvisors.get_all_process_info: %s (%v)", body, err)
	}
}

// TestDashboardLegacyActionLink checks that Supervisor's old action links
// only show a confirmation, and that confirming it acts.
func TestDashboardLegacyActionLink(t *testing.T) {
	t.Parallel()
	s := startedNode(t)
	for _, path := range []string{"/index.html?processname=sleeper&action=stop", "/?processname=sleeper&action=stop"} {
		resp, page := s.dashGet(t, path, nil, false)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<form method="post" action="index.html"`) ||
			!strings.Contains(page, "Stop process sleeper") {
			t.Errorf("GET %s: HTTP %d, want 200 and a confirmation form:\n%s", path, resp.StatusCode, page)
		}
	}
	if st := sleeperState(t, s); st != enums.ProcessRunning {
		t.Fatalf("after GETting the old stop links sleeper is %s, want RUNNING", st)
	}
	// Confirming: the form's POST, with the session of the page.
	resp, page := s.dashGet(t, "/index.html?processname=sleeper&action=stop", nil, false)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		cookie = c
	}
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
	if cookie == nil || m == nil {
		t.Fatalf("the confirmation page has no session or no token field:\n%s", page)
	}
	form := url.Values{"csrf_token": {m[1]}, "action": {"stop"}, "processname": {"sleeper"}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url+"/index.html", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.user, s.password)
	req.AddCookie(cookie)
	resp, _ = s.doRead(t, req)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "index.html?message=Process+sleeper+stopped" {
		t.Errorf("confirming: HTTP %d to %q, want 303 to index.html?message=Process+sleeper+stopped", resp.StatusCode, loc)
	}
	if st := sleeperState(t, s); st != enums.ProcessStopped {
		t.Errorf("after confirming sleeper is %s, want STOPPED", st)
	}
}

// TestDashboardPages checks that every page needs the credentials, is
// well-formed (encoding/xml in strict mode: every element closed and
// nested, attributes quoted, no undeclared entity: stricter than HTML5),
// loads nothing from elsewhere, and carries the hooks of the cluster's
// state; and that the assets it loads are served.
func TestDashboardPages(t *testing.T) {
	t.Parallel()
	s := startClusterNodes(t, 1, "", dashboardBody)[0]
	pages := []string{
		"/", "/index.html", "/index.html?message=done", "/index.html?action=restart&processname=sleeper",
		"/index.html?action=restartall", "/address.html?address=127.0.0.1", "/application.html?application=sleeper",
		"/application.html?appli=sleeper", "/process.html?namespec=sleeper", "/tail.html?processname=sleeper",
	}
	for _, path := range pages {
		if resp, _ := s.dashGet(t, path, nil, true); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials: HTTP %d, want 401", path, resp.StatusCode)
		}
		resp, page := s.dashGet(t, path, nil, false)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: HTTP %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
			continue
		}
		if err := wellFormed(page); err != nil {
			t.Errorf("GET %s: not well-formed: %v\n%s", path, err, page)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q lets the page load from elsewhere", path, csp)
		}
		if strings.Contains(page, "://") {
			t.Errorf("GET %s: the page refers to another site:\n%s", path, page)
		}
		if !strings.Contains(page, "data-supvisors-state") {
			t.Errorf("GET %s: no [data-supvisors-state]", path)
		}
	}
	for path, want := range map[string]string{
		"/dashboard/assets/app.js":    "text/javascript",
		"/dashboard/assets/style.css": "text/css",
	} {
		resp, body := s.dashGet(t, path, nil, false)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) || len(body) == 0 {
			t.Errorf("GET %s: HTTP %d %s, want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
		// The SVG namespace names no resource: nothing is fetched from it.
		if strings.Contains(strings.ReplaceAll(body, "http://www.w3.org/2000/svg", ""), "://") {
			t.Errorf("GET %s refers to another site", path)
		}
	}
	if resp, _ := s.dashGet(t, "/dashboard/assets/", nil, false); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /dashboard/assets/: HTTP %d, want 404 (no listing)", resp.StatusCode)
	}
	if resp, _ := s.dashGet(t, "/dashboard/assets/app.js", nil, true); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET app.js without credentials: HTTP %d, want 401", resp.StatusCode)
	}
	if code, _ := s.dashCallAnonymous(t); code != http.StatusUnauthorized {
		t.Errorf("POST /dashboard/call without credentials: HTTP %d, want 401", code)
	}
	// POST / is still XML-RPC.
	c := newTestClient(t, s.url+"/", s)
	if _, err := c.Supervisor().GetState(t.Context()); err != nil {
		t.Errorf("XML-RPC on POST /: %v", err)
	}
}

func (s *server) dashCallAnonymous(t *testing.T) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url+"/dashboard/call",
		strings.NewReader(`{"method":"supervisor.getState","params":[]}`))
	resp, body := s.doRead(t, req)
	return resp.StatusCode, body
}

// wellFormed parses page as XML, strictly.
func wellFormed(page string) error {
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestDashboardHTTPS checks the dashboard over an [inet_http_server] with
// TLS: the page, its session cookie (Secure: never sent in clear), its
// assets and an action with the token.
func TestDashboardHTTPS(t *testing.T) {
	t.Parallel()
	pki := t.TempDir()
	ca := testpki.NewCA(t, pki, "ca")
	p := planCluster(t, 1, "")
	cert, key := ca.Issue(t, pki, "node1", p.list[0])
	s := newServer(t, "supvisors", p.section+dashboardBody, func(s *server) {
		s.host, s.port = p.list[0], p.httpPort
		s.inetTLS = fmt.Sprintf("certfile=%s\nkeyfile=%s\ncafile=%s\n", cert, key, ca.File)
	})
	s.launch(t)
	s.waitAnswering(t)
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("the server's URL %s is not https", s.url)
	}
	sess := s.openDashboard(t)
	if !sess.cookie.Secure || !sess.cookie.HttpOnly || sess.cookie.SameSite != http.SameSiteStrictMode {
		t.Errorf("session cookie over https: %+v, want Secure, HttpOnly, SameSite=Strict", sess.cookie)
	}
	if resp, _ := s.dashGet(t, "/dashboard/assets/app.js", sess.cookie, false); resp.StatusCode != http.StatusOK {
		t.Errorf("GET app.js over https: HTTP %d", resp.StatusCode)
	}
	code, body := s.dashCall(t, sess.cookie, sess.token, nil, "supervisor.startProcess", "sleeper", true)
	if code != http.StatusOK || body != `{"result":true}` {
		t.Fatalf("start over https: HTTP %d %s", code, body)
	}
	if st := sleeperState(t, s); st != enums.ProcessRunning {
		t.Errorf("after the page's start over https sleeper is %s, want RUNNING", st)
	}
}
