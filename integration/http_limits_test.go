package integration

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// agentFdLimit is the descriptor limit TestConnectionFlood runs its agent
// with: supervisord's default minfds, which the agent needs to start.
const agentFdLimit = 1024

// TestConnectionFlood reproduces finding #7 of issue 11: thousands of
// connections that stay idle, or sent wrong credentials, against an agent
// with 1,024 descriptors. They used to be kept (30 minutes after a 401),
// until the agent could neither accept nor spawn: a program that restarts
// all the time went FATAL for good. Now a 401 closes its connection, those
// over max_connections are closed at once and the idle ones after a few
// seconds: the program goes on restarting, the established client and the
// unix socket are served at once, a new TCP client soon.
func TestConnectionFlood(t *testing.T) {
	t.Parallel()
	s := newServer(t, "supvisors", `
[program:flap]
command=/bin/sh -c 'sleep 0.2'
startsecs=0
autorestart=true
`, func(*server) {})
	// The agent under a lower descriptor limit (Go raises the soft limit
	// to the hard one: both are set).
	s.cmd.Args = append([]string{"/bin/sh", "-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, agentFdLimit)}, s.cmd.Args...)
	s.cmd.Path = "/bin/sh"
	s.launch(t)
	s.waitAnswering(t)
	unix := "unix://" + s.sock

	established := dialAuthenticated(t, s)
	established.call(t)

	const idle, refused = 1000, 1000
	flood := make([]net.Conn, 0, idle+refused)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	wrongAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.user+":wrong"))
	for i := range idle + refused {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", net.JoinHostPort(s.host, strconv.Itoa(s.port)), 5*time.Second)
			if err != nil {
				return // the agent's backlog is full: it does not accept
			}
			if i%2 == 1 {
				body := "<?xml version='1.0'?><methodCall><methodName>supervisor.getState</methodName></methodCall>"
				fmt.Fprintf(c, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n%s", wrongAuth, len(body), body)
			}
			mu.Lock()
			flood = append(flood, c)
			mu.Unlock()
		})
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range flood {
			c.Close()
		}
	})
	t.Logf("%d connections opened, held by the test; the agent has %d descriptors open", len(flood), openFds(t, s))

	// While the flood is held: the established client, the unix socket,
	// the program's restarts.
	established.call(t)
	pid := func() string {
		out, _ := s.ctlURL(t, unix, "status", "flap")
		return out
	}
	first := pid()
	waitFor(t, 30*time.Second, func() (bool, string) {
		now := pid()
		return regexp.MustCompile(`flap\s+(RUNNING|STARTING)\s+pid \d+`).MatchString(now) && now != first,
			"flap restarting over the unix socket: " + now
	})
	if n := openFds(t, s); n > 2*agentFdLimit/3 {
		t.Errorf("the agent holds %d descriptors of its %d", n, agentFdLimit)
	}
	// A new client over TCP gets in once the idle connections are gone.
	waitFor(t, 30*time.Second, func() (bool, string) {
		out, code := s.ctl(t, "status", "flap")
		return code == 0 || strings.Contains(out, "flap "), fmt.Sprintf("supervisorctl over TCP: exit %d %s", code, out)
	})
	out, _ := s.ctlURL(t, unix, "status", "flap")
	if strings.Contains(out, "FATAL") || strings.Contains(out, "BACKOFF") {
		t.Errorf("flap after the flood: %s", out)
	}
	if log, err := os.ReadFile(s.dir + "/supervisord.log"); err == nil && strings.Contains(string(log), "too many open files") {
		t.Errorf("the agent ran out of descriptors:\n%s", grepLines(string(log), "too many open files"))
	}
}

// authenticated is a keep-alive connection with the right credentials.
type authenticated struct {
	s *server
	c net.Conn
	r *bufio.Reader
}

func dialAuthenticated(t testing.TB, s *server) *authenticated {
	t.Helper()
	c, err := net.Dial("tcp", net.JoinHostPort(s.host, strconv.Itoa(s.port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &authenticated{s: s, c: c, r: bufio.NewReader(c)}
}

// call asks supervisor.getState on the connection and fails the test
// unless it gets HTTP 200 within 30 s.
func (a *authenticated) call(t testing.TB) {
	t.Helper()
	body := "<?xml version='1.0'?><methodCall><methodName>supervisor.getState</methodName></methodCall>"
	auth := base64.StdEncoding.EncodeToString([]byte(a.s.user + ":" + a.s.password))
	_ = a.c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(a.c, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\nContent-Length: %d\r\n\r\n%s", auth, len(body), body)
	resp, err := http.ReadResponse(a.r, nil)
	if err != nil {
		t.Fatalf("the established connection: %v", err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
	if resp.StatusCode != http.StatusOK || !strings.Contains(b.String(), "RUNNING") {
		t.Fatalf("the established connection: HTTP %d %s", resp.StatusCode, b.String())
	}
}

// openFds counts the agent's open descriptors.
func openFds(t testing.TB, s *server) int {
	t.Helper()
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// grepLines is the lines of text that contain word, the first ten.
func grepLines(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) && len(out) < 10 {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
