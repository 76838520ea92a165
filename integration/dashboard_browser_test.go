package integration

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/internal/testpki"
)

// browserRules and browserBody are the cluster the browser tests look
// at: backend:db pinned to 127.0.0.1 (loading 30), web:server pinned to
// 127.0.0.2 (20) and a worker on each node (10 each), so that the loads
// are 40, 30 and 10; tools:probe, started on demand, may go anywhere, in
// the order 127.0.0.2, 127.0.0.1, 127.0.0.3: CONFIG puts it on 127.0.0.2,
// MOST_LOADED on 127.0.0.1, LESS_LOADED on 127.0.0.3. solo, outside the
// rules, is the process the tests start by hand on two nodes: a conflict.
const browserRules = `<root>
  <application name="backend">
    <start_sequence>1</start_sequence>
    <program name="db">
      <addresses>127.0.0.1</addresses>
      <start_sequence>1</start_sequence>
      <required>true</required>
      <loading>30</loading>
    </program>
  </application>
  <application name="web">
    <start_sequence>2</start_sequence>
    <program name="server">
      <addresses>127.0.0.2</addresses>
      <start_sequence>1</start_sequence>
      <required>true</required>
      <loading>20</loading>
    </program>
    <pattern name="worker_">
      <addresses>#</addresses>
      <start_sequence>2</start_sequence>
      <loading>10</loading>
    </pattern>
  </application>
  <application name="tools">
    <program name="probe">
      <addresses>127.0.0.2,127.0.0.1,127.0.0.3</addresses>
      <start_sequence>1</start_sequence>
      <loading>5</loading>
    </program>
  </application>
</root>`

const browserBody = `
[group:backend]
programs=db

[program:db]
command=/bin/sh -c 'echo "db: accepting connections"; exec sleep 1000'
autostart=false
startsecs=0

[group:web]
programs=server,worker

[program:server]
command=/bin/sh -c 'echo "server: listening on port 8080"; exec sleep 1000'
autostart=false
startsecs=0

[program:worker]
process_name=worker_%(process_num)d
numprocs=3
numprocs_start=0
command=/bin/sleep 1000
autostart=false
startsecs=0

[group:tools]
programs=probe

[program:probe]
command=/bin/sleep 1000
autostart=false
startsecs=0

[program:solo]
command=/bin/sleep 1000
autostart=false
startsecs=0
`

// liveDeadline is how long a change may take to show on the page: the
// issue's target is 1 s; the deadline leaves room for a loaded machine,
// and the tests log what they measured.
const liveDeadline = 10 * time.Second

// chartsDrawn is true once a page's charts (figures of SVG lines) have
// their first points; chartsDescribed says how many lines it has.
const (
	chartsDrawn     = `[...document.querySelectorAll('figure svg polyline')].some(l => (l.getAttribute('points') || '').trim() !== '')`
	chartsDescribed = `document.querySelectorAll('svg polyline').length + ' chart lines'`
)

// TestDashboardInBrowser runs a 3-node cluster and one headless Chromium
// on the dashboard of 127.0.0.2 (not the master: its actions are
// forwarded), and checks, through the contract's hooks, that every page
// shows what XML-RPC says, that changes show live without a reload, that
// every action button does what its XML-RPC method does, that a conflict is
// conciliated from the page, that Supervisor's URLs work, that the pages
// are usable with the keyboard and readable in both themes, that another
// site cannot act, that the page outlives a cluster restart, that a node
// killed with -9 turns SILENT, that a shutdown shows; and, all along, that
// no console error is logged and no request goes anywhere but to the
// agent. It writes the README's screenshots.
func TestDashboardInBrowser(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 3, writeRulesFile(t, browserRules)+"\nstats_periods=1,10", browserBody)
	t.Cleanup(func() {
		if t.Failed() {
			logsOf(t, nodes)
		}
	})
	agent := nodes[1]
	c := newTestClient(t, agent.url, agent)
	waitSupvisorsState(t, c, enums.SupvisorsOperation)
	for ns, where := range map[string]string{"backend:db": "127.0.0.1", "web:server": "127.0.0.2",
		"web:worker_0": "127.0.0.1", "web:worker_1": "127.0.0.2", "web:worker_2": "127.0.0.3"} {
		waitRunningOn(t, c, ns, where)
	}
	browser := startBrowser(t)
	p := openPage(t, browser, agent)
	look, readme := screenshotDirs(t)
	shoot := func(t *testing.T, name string, forReadme bool) {
		if forReadme && readme != "" {
			// The README's pictures show charts with a few samples (a
			// second apart: stats_periods=1), where the page has charts.
			p.waitJS(t, 30*time.Second, `(() => { const lines = [...document.querySelectorAll('svg polyline')];
				return lines.length === 0 || lines.some(l => (l.getAttribute('points') || '').trim().split(' ').length >= 3); })()`,
				chartsDescribed)
			p.screenshot(t, readme, name)
		}
		p.screenshot(t, look, name)
	}

	t.Run("cluster page", func(t *testing.T) {
		p.open(t, "/")
		waitPageAgrees(t, p, c, wholePage)
		shoot(t, "cluster", true)
	})

	t.Run("address page", func(t *testing.T) {
		p.open(t, "/")
		p.follow(t, hook("data-address", "127.0.0.1"))
		p.waitHookState(t, liveDeadline, hook("data-address", "127.0.0.1"), "RUNNING")
		// Its processes, as Supervisor's page shows them.
		p.waitHookState(t, liveDeadline, hook("data-namespec", "backend:db"), "RUNNING")
		p.waitHookState(t, liveDeadline, hook("data-namespec", "web:worker_0"), "RUNNING")
		// Its charts come after: nothing to click moved for them.
		p.waitJS(t, liveDeadline, chartsDrawn, chartsDescribed)
		p.noLayoutShiftOf(t, "button")
		shoot(t, "address", false)
	})

	t.Run("application page", func(t *testing.T) {
		p.open(t, "/")
		p.follow(t, hook("data-application", "web"))
		p.waitHookState(t, liveDeadline, hook("data-application", "web"), "RUNNING")
		waitPageAgrees(t, p, c, partOf)
		// Its rules come after: nothing to click moved for them.
		p.waitJS(t, liveDeadline, `document.querySelectorAll('dl dt').length > 0`, `document.querySelectorAll('dl dt').length + ' rules'`)
		p.noLayoutShiftOf(t, "button")
		for _, ns := range []string{"web:server", "web:worker_0", "web:worker_1", "web:worker_2"} {
			if !p.has(t, hook("data-namespec", ns)) {
				t.Errorf("the page of application web has no %s", hook("data-namespec", ns))
			}
		}
		shoot(t, "application", true)
	})

	t.Run("process page", func(t *testing.T) {
		p.open(t, "/")
		p.follow(t, hook("data-namespec", "web:server"))
		p.waitHookState(t, liveDeadline, hook("data-namespec", "web:server"), "RUNNING", "127.0.0.2")
		// The live log tail (/logtail) shows what the process wrote.
		p.waitJS(t, liveDeadline, `document.body.innerText.includes("server: listening on port 8080")`,
			`document.body.innerText.replace(/\s+/g, ' ').slice(0, 2000)`)
		p.waitJS(t, liveDeadline, chartsDrawn, chartsDescribed)
		p.noLayoutShiftOf(t, "button")
		shoot(t, "process", true)
		// Clear log, then a signal, on the copy of this node.
		sup := c.Supervisor()
		p.click(t, `#clear-log`)
		waitFor(t, liveDeadline, func() (bool, string) {
			out, err := sup.ReadProcessStdoutLog(t.Context(), "web:server", 0, 1000)
			return err == nil && out == "", fmt.Sprintf("web:server's log after Clear log: %q, %v", out, err)
		})
		p.waitJS(t, liveDeadline, `!document.body.innerText.includes("server: listening on port 8080")`,
			`document.body.innerText.replace(/\s+/g, ' ').slice(0, 2000)`)
		before := replyOf[api.ProcessInfo](t, "getProcessInfo web:server")(sup.GetProcessInfo(t.Context(), "web:server"))
		ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("signal"), "KILL")); err != nil {
			t.Fatal(err)
		}
		p.click(t, `#send-signal`)
		// Killed, it is started again (autorestart): a new pid, which
		// writes its line again, in the live tail too.
		waitFor(t, 30*time.Second, func() (bool, string) {
			now, err := sup.GetProcessInfo(t.Context(), "web:server")
			return err == nil && now.StateName == "RUNNING" && now.PID != before.PID,
				fmt.Sprintf("web:server %s pid %d (%v), before pid %d", now.StateName, now.PID, err, before.PID)
		})
		p.waitJS(t, liveDeadline, `document.body.innerText.includes("server: listening on port 8080")`,
			`document.body.innerText.replace(/\s+/g, ' ').slice(0, 2000)`)
	})

	t.Run("themes follow the system, readable, nothing cut off", func(t *testing.T) {
		defer p.emulateColorScheme(t, "")
		for _, scheme := range []string{"light", "dark"} {
			p.emulateColorScheme(t, scheme)
			for _, path := range []string{"/", "/application.html?application=web", "/process.html?namespec=web:server",
				"/address.html?address=127.0.0.1", "/address.html?address=" + agent.host} {
				p.open(t, path)
				if address, ok := strings.CutPrefix(path, "/address.html?address="); ok {
					// This node's address page shows its own processes'
					// states, not the cluster's.
					p.waitHookState(t, liveDeadline, hook("data-address", address), "RUNNING")
					p.waitJS(t, liveDeadline, `document.querySelectorAll('[data-namespec][data-state]').length >= 2`,
						`document.querySelectorAll('[data-namespec][data-state]').length + ' processes'`)
				} else {
					waitPageAgrees(t, p, c, path == "/")
				}
				var got struct {
					Background float64  `json:"background"`
					Unreadable []string `json:"unreadable"`
				}
				p.eval(t, contrastScript, &got)
				var cut []string
				p.eval(t, cutOffScript, &cut)
				for _, c := range cut {
					t.Errorf("%s: %s", path, c)
				}
				if dark := got.Background < 0.2; dark != (scheme == "dark") {
					t.Errorf("%s in a %s system: the page's background has a luminance of %.2f", path, scheme, got.Background)
				}
				for _, u := range got.Unreadable {
					t.Errorf("%s in a %s system: %s", path, scheme, u)
				}
			}
			p.open(t, "/")
			waitPageAgrees(t, p, c, wholePage)
			shoot(t, "cluster-"+scheme, false)
		}
	})

	t.Run("process page actions", func(t *testing.T) {
		p.open(t, "/")
		p.follow(t, hook("data-namespec", "tools:probe"))
		probe := hook("data-namespec", "tools:probe")
		p.waitHookState(t, liveDeadline, probe, "STOPPED")
		// start_process(LESS_LOADED): 127.0.0.3 (load 10).
		p.act(t, probe, "start", "LESS_LOADED")
		waitRunningOn(t, c, "tools:probe", "127.0.0.3")
		p.waitHookState(t, liveDeadline, probe, "RUNNING", "127.0.0.3")
		p.act(t, probe, "stop", "")
		waitStoppedEverywhere(t, c, "tools:probe")
		p.waitHookState(t, liveDeadline, probe, "STOPPED")
		p.noReload(t)
	})

	t.Run("this node's address page acts on this node", func(t *testing.T) {
		// Supervisor's page: its buttons call the supervisor namespace of
		// the agent that serves the page.
		p.open(t, "/")
		p.follow(t, hook("data-address", agent.host))
		solo := hook("data-namespec", "solo")
		p.waitHookState(t, liveDeadline, solo, "STOPPED")
		p.waitJS(t, liveDeadline, chartsDrawn, chartsDescribed)
		p.noLayoutShiftOf(t, "button")
		sup := c.Supervisor()
		p.act(t, solo, "start", "")
		waitRunningOn(t, c, "solo", agent.host)
		p.waitHookState(t, liveDeadline, solo, "RUNNING")
		before := replyOf[api.ProcessInfo](t, "getProcessInfo solo")(sup.GetProcessInfo(t.Context(), "solo"))
		p.act(t, solo, "restart", "")
		waitFor(t, 30*time.Second, func() (bool, string) {
			now, err := sup.GetProcessInfo(t.Context(), "solo")
			return err == nil && now.StateName == "RUNNING" && now.PID != before.PID,
				fmt.Sprintf("solo %s pid %d (%v), before pid %d", now.StateName, now.PID, err, before.PID)
		})
		p.act(t, solo, "stop", "")
		waitStoppedEverywhere(t, c, "solo")
		p.waitHookState(t, liveDeadline, solo, "STOPPED")
		// Clear log: supervisor.clearProcessLogs.
		server := hook("data-namespec", "web:server")
		if out, err := sup.ReadProcessStdoutLog(t.Context(), "web:server", 0, 1000); err != nil || out == "" {
			t.Fatalf("web:server's log before clear log: %q, %v", out, err)
		}
		p.act(t, server, "clearlog", "")
		waitFor(t, liveDeadline, func() (bool, string) {
			out, err := sup.ReadProcessStdoutLog(t.Context(), "web:server", 0, 1000)
			return err == nil && out == "", fmt.Sprintf("web:server's log after clear log: %q, %v", out, err)
		})
		p.noReload(t)
	})

	t.Run("Supervisor's URLs", func(t *testing.T) {
		p.open(t, "/index.html")
		waitPageAgrees(t, p, c, wholePage)
		// tail.html is the process page (whose log tail the process page
		// test saw; the address page's Clear log has emptied it since).
		p.open(t, "/tail.html?processname=web:server")
		p.waitHookState(t, liveDeadline, hook("data-namespec", "web:server"), "RUNNING", "127.0.0.2")
		// An old action link only asks; its form, posted by the browser,
		// acts and lands on the cluster page with the outcome.
		p.open(t, "/index.html?processname=web:worker_1&action=stop")
		sup := c.Supervisor()
		if info := replyOf[api.ProcessInfo](t, "getProcessInfo web:worker_1")(sup.GetProcessInfo(t.Context(), "web:worker_1")); info.StateName != "RUNNING" {
			t.Fatalf("web:worker_1 %s after the GET of an old stop link", info.StateName)
		}
		p.click(t, `form button[type="submit"]`)
		waitStoppedEverywhere(t, c, "web:worker_1")
		p.waitJS(t, liveDeadline, `location.pathname.endsWith('/index.html') && new URLSearchParams(location.search).has('message')`, `location.href`)
		if _, err := c.Supvisors().StartProcess(t.Context(), enums.StartConfig, "web:worker_1", "", true); err != nil {
			t.Fatal(err)
		}
		waitRunningOn(t, c, "web:worker_1", "127.0.0.2")
	})

	t.Run("live state change", func(t *testing.T) {
		p.open(t, "/")
		waitPageAgrees(t, p, c, wholePage)
		sv := c.Supvisors()
		t0 := time.Now()
		if _, err := sv.StopProcess(t.Context(), "web:worker_1", false); err != nil {
			t.Fatal(err)
		}
		p.waitHookState(t, liveDeadline, hook("data-namespec", "web:worker_1"), "STOPPED")
		t.Logf("stop_process(web:worker_1): STOPPED on the page %v after the call", time.Since(t0).Round(time.Millisecond))
		t0 = time.Now()
		if _, err := sv.StartProcess(t.Context(), enums.StartConfig, "web:worker_1", "", false); err != nil {
			t.Fatal(err)
		}
		p.waitHookState(t, liveDeadline, hook("data-namespec", "web:worker_1"), "RUNNING", "127.0.0.2")
		t.Logf("start_process(web:worker_1): RUNNING on the page %v after the call", time.Since(t0).Round(time.Millisecond))
		waitPageAgrees(t, p, c, wholePage)
		p.noReload(t)
	})

	t.Run("application actions", func(t *testing.T) {
		p.open(t, "/")
		p.follow(t, hook("data-application", "tools"))
		app := hook("data-application", "tools")
		probe := hook("data-namespec", "tools:probe")
		p.waitHookState(t, liveDeadline, app, "STOPPED")
		// start_application(MOST_LOADED): 127.0.0.1 (load 40).
		p.act(t, app, "start", "MOST_LOADED")
		waitRunningOn(t, c, "tools:probe", "127.0.0.1")
		p.waitHookState(t, liveDeadline, app, "RUNNING")
		p.waitHookState(t, liveDeadline, probe, "RUNNING", "127.0.0.1")
		// Its answer shows as a notification: here, a second start's
		// fault, by name.
		p.act(t, app, "start", "CONFIG")
		p.waitJS(t, liveDeadline, `[...document.querySelectorAll('#notes .note.error')].some(n => n.textContent.includes('ALREADY_STARTED'))`,
			`document.getElementById('notes').textContent`)
		// restart_application(LESS_LOADED): stopped, then on 127.0.0.3 (load 10).
		p.act(t, app, "restart", "LESS_LOADED")
		waitRunningOn(t, c, "tools:probe", "127.0.0.3")
		p.waitHookState(t, liveDeadline, probe, "RUNNING", "127.0.0.3")
		p.act(t, app, "stop", "")
		waitStoppedEverywhere(t, c, "tools:probe")
		p.waitHookState(t, liveDeadline, app, "STOPPED")
		p.waitHookState(t, liveDeadline, probe, "STOPPED")
		p.noReload(t)
	})

	t.Run("process actions", func(t *testing.T) {
		p.open(t, "/")
		probe := hook("data-namespec", "tools:probe")
		p.waitHookState(t, liveDeadline, probe, "STOPPED")
		// start_process(CONFIG): the first of its addresses, 127.0.0.2.
		p.act(t, probe, "start", "CONFIG")
		waitRunningOn(t, c, "tools:probe", "127.0.0.2")
		p.waitHookState(t, liveDeadline, probe, "RUNNING", "127.0.0.2")
		// restart_process(MOST_LOADED): stopped, then on 127.0.0.1.
		p.act(t, probe, "restart", "MOST_LOADED")
		waitRunningOn(t, c, "tools:probe", "127.0.0.1")
		p.waitHookState(t, liveDeadline, probe, "RUNNING", "127.0.0.1")
		p.act(t, probe, "stop", "")
		waitStoppedEverywhere(t, c, "tools:probe")
		p.waitHookState(t, liveDeadline, probe, "STOPPED")
		p.noReload(t)
	})

	t.Run("keyboard only", func(t *testing.T) {
		p.open(t, "/")
		waitPageAgrees(t, p, c, wholePage)
		app := hook("data-application", "tools")
		// Tab to the strategy chooser of tools, type to pick MOST_LOADED,
		// Tab to its Start button, Enter.
		p.tabTo(t, fmt.Sprintf(`document.querySelector(%s).querySelector('select[data-strategy]')`, jsString(app)))
		p.keys(t, "MOST")
		var chosen string
		p.eval(t, `document.activeElement.value`, &chosen)
		if chosen != "MOST_LOADED" {
			t.Fatalf("typing MOST in the strategy chooser picked %q", chosen)
		}
		p.tabTo(t, fmt.Sprintf(`document.querySelector(%s).querySelector('button[data-action="start"]')`, jsString(app)))
		p.keys(t, "\r")
		waitRunningOn(t, c, "tools:probe", "127.0.0.1")
		p.waitHookState(t, liveDeadline, app, "RUNNING")
		p.tabTo(t, fmt.Sprintf(`document.querySelector(%s).querySelector('button[data-action="stop"]')`, jsString(app)))
		p.keys(t, "\r")
		waitStoppedEverywhere(t, c, "tools:probe")
		p.waitHookState(t, liveDeadline, app, "STOPPED")
	})

	t.Run("filter and sort the processes", func(t *testing.T) {
		p.open(t, "/")
		waitPageAgrees(t, p, c, wholePage)
		shown := `[...document.querySelectorAll('#processes [data-namespec]')].filter(r => r.checkVisibility())`
		ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
		defer cancel()
		filter := chromedp.CSS(`input[data-filter="processes"]`)
		if err := chromedp.Do(ctx, chromedp.SendKeys(filter, "worker")); err != nil {
			t.Fatal(err)
		}
		p.waitJS(t, liveDeadline, shown+`.map(r => r.dataset.namespec).join() === "web:worker_0,web:worker_1,web:worker_2"`,
			shown+`.map(r => r.dataset.namespec).join()`)
		// Backspaces erase "worker", as a person does.
		if err := chromedp.Do(ctx, chromedp.SendKeys(filter, strings.Repeat("\b", len("worker"))+"stopped")); err != nil {
			t.Fatal(err)
		}
		p.waitJS(t, liveDeadline, shown+`.map(r => r.dataset.namespec).join() === "solo,tools:probe"`,
			shown+`.map(r => r.dataset.namespec).join()`)
		if err := chromedp.Do(ctx, chromedp.SendKeys(filter, strings.Repeat("\b", len("stopped")))); err != nil {
			t.Fatal(err)
		}
		p.waitJS(t, liveDeadline, shown+`.length === 7`, shown+`.length + ' rows shown'`)
		// Sorted by state (a click on its header), then the other way (a
		// second click): the rows of one state together, in reverse order.
		states := `[...document.querySelectorAll('#processes [data-namespec]')].map(r => r.dataset.state).join()`
		p.click(t, `#processes [data-sort="state"] button`)
		p.waitJS(t, liveDeadline, states+` === "STOPPED,STOPPED,RUNNING,RUNNING,RUNNING,RUNNING,RUNNING"`+
			` || `+states+` === "RUNNING,RUNNING,RUNNING,RUNNING,RUNNING,STOPPED,STOPPED"`, states)
		var first string
		p.eval(t, states, &first)
		p.click(t, `#processes [data-sort="state"] button`)
		p.waitJS(t, liveDeadline, states+` !== `+jsString(first), states)
		var second string
		p.eval(t, states, &second)
		reversed := strings.Split(first, ",")
		slices.Reverse(reversed)
		if second != strings.Join(reversed, ",") {
			t.Errorf("sorted by state: %s, then the other way: %s", first, second)
		}
	})

	t.Run("a page of another site cannot act", func(t *testing.T) {
		// What the HTTP tests forge, a real browser does: a page of
		// another site (127.0.0.1 is another site than 127.0.0.2) posts
		// to the agent with the browser's credentials, but without the
		// session's token, which it cannot read.
		before := replyOf[api.ProcessInfo](t, "getProcessInfo web:server")(c.Supervisor().GetProcessInfo(t.Context(), "web:server"))
		refused := crossSiteAttack(t, browser, agent, "web:server")
		if len(refused) != 2 {
			t.Fatalf("the other site's requests got %v, want two 403", refused)
		}
		for _, r := range refused {
			if !strings.HasSuffix(r, " 403") {
				t.Errorf("the other site's request %s, want 403", r)
			}
		}
		after := replyOf[api.ProcessInfo](t, "getProcessInfo web:server")(c.Supervisor().GetProcessInfo(t.Context(), "web:server"))
		if after.StateName != "RUNNING" || after.PID != before.PID {
			t.Errorf("web:server after the other site's requests: %s pid %d, was RUNNING pid %d", after.StateName, after.PID, before.PID)
		}
	})

	t.Run("conflict conciliated from the page", func(t *testing.T) {
		p.open(t, "/")
		waitPageAgrees(t, p, c, wholePage)
		// solo started by hand on two nodes (supervisor.startProcess): a
		// conflict.
		for _, n := range []*server{nodes[0], nodes[2]} {
			if _, err := newTestClient(t, n.url, n).Supervisor().StartProcess(t.Context(), "solo", true); err != nil {
				t.Fatalf("startProcess(solo) on %s: %v", n.host, err)
			}
		}
		waitSupvisorsState(t, c, enums.SupvisorsConciliation)
		// solo is alone in its application: its namespec is "solo".
		conflict := hook("data-conflict", "solo")
		p.waitJS(t, liveDeadline, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(conflict)), `'no '+`+jsString(conflict))
		p.waitHookState(t, liveDeadline, hook("data-namespec", "solo"), "RUNNING", "127.0.0.1", "127.0.0.3")
		p.waitJS(t, liveDeadline, `document.querySelector('[data-supvisors-state]')?.textContent.trim() === "CONCILIATION"`,
			`document.querySelector('[data-supvisors-state]')?.textContent`)
		shoot(t, "conflict", false)
		// INFANTICIDE keeps the oldest copy: the one of 127.0.0.1, started
		// first (and the one of the earlier address on a tie).
		p.act(t, conflict, "conciliate", "INFANTICIDE")
		waitSupvisorsState(t, c, enums.SupvisorsOperation)
		waitRunningOn(t, c, "solo", "127.0.0.1")
		p.waitJS(t, liveDeadline, fmt.Sprintf(`!document.querySelector(%s)`, jsString(conflict)), describeHook(conflict))
		waitPageAgrees(t, p, c, wholePage)
		// Again (solo started on 127.0.0.3 too), conciliated with "Conciliate
		// all" and STOP, picked in the chooser beside it: no copy is left.
		if _, err := newTestClient(t, nodes[2].url, nodes[2]).Supervisor().StartProcess(t.Context(), "solo", true); err != nil {
			t.Fatalf("startProcess(solo) on %s: %v", nodes[2].host, err)
		}
		p.waitJS(t, liveDeadline, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(conflict)), `'no '+`+jsString(conflict))
		p.eval(t, `(() => { const s = document.querySelector('button[data-cluster-action="conciliate"]').parentElement.querySelector('select');
			s.value = 'STOP'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, nil)
		p.click(t, `button[data-cluster-action="conciliate"]`)
		waitSupvisorsState(t, c, enums.SupvisorsOperation)
		waitStoppedEverywhere(t, c, "solo")
		p.waitJS(t, liveDeadline, fmt.Sprintf(`!document.querySelector(%s)`, jsString(conflict)), describeHook(conflict))
		waitPageAgrees(t, p, c, wholePage)
		p.noReload(t)
	})

	t.Run("cluster restart from the page", func(t *testing.T) {
		p.open(t, "/")
		waitPageAgrees(t, p, c, wholePage)
		sup := c.Supervisor()
		before := replyOf[api.ProcessInfo](t, "getProcessInfo web:server")(sup.GetProcessInfo(t.Context(), "web:server"))
		// The page records each state of its live-connection indicator.
		p.eval(t, `(() => { const live = document.getElementById('live'); window.__live = [live.dataset.live];
			new MutationObserver(() => window.__live.push(live.dataset.live)).observe(live, {attributes: true}); })()`, nil)
		p.expectAgentDown(true)
		p.click(t, `button[data-cluster-action="restart"]`)
		p.click(t, `dialog#confirm[open] button[data-confirm="ok"]`)
		// Every agent restarts in its process and deploys again.
		waitFor(t, 30*time.Second, func() (bool, string) {
			st, err := c.Supvisors().GetSupvisorsState(t.Context())
			if err != nil {
				return false, err.Error()
			}
			now, err := sup.GetProcessInfo(t.Context(), "web:server")
			if err != nil {
				return false, err.Error()
			}
			return st.StateName == "OPERATION" && now.StateName == "RUNNING" && now.PID != before.PID,
				fmt.Sprintf("%s, web:server %s pid %d (before %d)", st.StateName, now.StateName, now.PID, before.PID)
		})
		// The page lost its stream and took it up again by itself.
		p.waitJS(t, liveDeadline, `window.__live.includes('down') && document.getElementById('live').dataset.live === 'live'`,
			`window.__live.join(' → ')`)
		p.expectAgentDown(false)
		waitPageAgrees(t, p, c, wholePage)
		// The page, not reloaded, still acts: its session outlives the
		// agents' restart.
		probe := hook("data-namespec", "tools:probe")
		p.act(t, probe, "start", "CONFIG")
		waitRunningOn(t, c, "tools:probe", "127.0.0.2")
		p.act(t, probe, "stop", "")
		waitStoppedEverywhere(t, c, "tools:probe")
		p.noReload(t)
	})

	t.Run("node killed turns SILENT", func(t *testing.T) {
		p.open(t, "/")
		waitPageAgrees(t, p, c, wholePage)
		t0 := time.Now()
		if err := syscall.Kill(nodes[2].cmd.Process.Pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		p.waitHookState(t, liveDeadline, hook("data-address", "127.0.0.3"), "SILENT")
		t.Logf("kill -9 of 127.0.0.3: SILENT on the page %v after", time.Since(t0).Round(time.Millisecond))
		waitPageAgrees(t, p, c, wholePage)
		shoot(t, "silent", false)
		p.noReload(t)
	})

	t.Run("cluster shutdown from the page", func(t *testing.T) {
		p.open(t, "/")
		// Once the page has every row, nothing moves the button away
		// from under the click.
		waitPageAgrees(t, p, c, wholePage)
		p.waitJS(t, liveDeadline, `document.getElementById('live').dataset.live === 'live'`, `document.getElementById('live').dataset.live`)
		p.expectAgentDown(true)
		p.click(t, `button[data-cluster-action="shutdown"]`)
		p.click(t, `dialog#confirm[open] button[data-confirm="ok"]`)
		for _, n := range nodes[:2] {
			select {
			case <-n.exited:
			case <-time.After(30 * time.Second):
				t.Fatalf("the agent of %s still runs 30 s after the shutdown", n.host)
			}
			if code := n.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("the agent of %s exited %d after the shutdown", n.host, code)
			}
		}
		// The page says that its stream is down.
		p.waitJS(t, liveDeadline, `document.getElementById('live').dataset.live === 'down'`, `document.getElementById('live').dataset.live`)
		shoot(t, "shutdown", false)
	})
	p.checkClean(t)
}

// The pages that waitPageAgrees checks: the cluster page shows every hook
// (wholePage); a page of one application or process shows some (partOf).
const (
	wholePage = true
	partOf    = false
)

// pageViewScript collects what the page shows through the hooks: the
// Supvisors state; each address's, application's and process's data-state
// (the first element of each that has one) and text; the conflicts.
const pageViewScript = `(() => {
	const text = e => e.textContent.replace(/\s+/g, ' ').trim();
	const view = {supvisors: null, addresses: {}, applications: {}, processes: {}, conflicts: []};
	const s = document.querySelector('[data-supvisors-state]');
	if (s) view.supvisors = text(s);
	for (const [attr, key] of [['address', 'addresses'], ['application', 'applications'], ['namespec', 'processes']]) {
		for (const e of document.querySelectorAll('[data-' + attr + '][data-state]')) {
			const name = e.getAttribute('data-' + attr);
			if (!(name in view[key])) view[key][name] = {state: e.dataset.state, text: text(e)};
		}
	}
	view.conflicts = [...new Set([...document.querySelectorAll('[data-conflict]')].map(e => e.dataset.conflict))].sort();
	return view;
})()`

// hookView is what the page shows of one address, application or process.
type hookView struct {
	State string `json:"state"`
	Text  string `json:"text"`
}

// pageView is what pageViewScript answers.
type pageView struct {
	Supvisors    *string             `json:"supvisors"`
	Addresses    map[string]hookView `json:"addresses"`
	Applications map[string]hookView `json:"applications"`
	Processes    map[string]hookView `json:"processes"`
	Conflicts    []string            `json:"conflicts"`
}

// waitPageAgrees waits until the page shows what c's agent answers over
// XML-RPC: states, where each process runs, conflicts; whole says it must
// show every hook (else those it has must agree).
func waitPageAgrees(t *testing.T, p *browserPage, c *client.Client, whole bool) {
	t.Helper()
	waitFor(t, liveDeadline, func() (bool, string) {
		var view pageView
		p.eval(t, pageViewScript, &view)
		diff, err := pageDiff(t, c, view, whole)
		if err != nil {
			return false, err.Error()
		}
		return len(diff) == 0, "the page differs from XML-RPC:\n" + strings.Join(diff, "\n")
	})
}

// pageDiff lists where view differs from what c's agent answers.
func pageDiff(t *testing.T, c *client.Client, view pageView, whole bool) ([]string, error) {
	ctx := t.Context()
	sv := c.Supvisors()
	state, err := sv.GetSupvisorsState(ctx)
	if err != nil {
		return nil, err
	}
	addresses, err := sv.GetAllAddressesInfo(ctx)
	if err != nil {
		return nil, err
	}
	apps, err := sv.GetAllApplicationsInfo(ctx)
	if err != nil {
		return nil, err
	}
	procs, err := sv.GetAllProcessInfo(ctx)
	if err != nil {
		return nil, err
	}
	conflicts, err := sv.GetConflicts(ctx)
	if err != nil {
		return nil, err
	}
	var diff []string
	// check compares the element of one hook with its state (and texts
	// it must show); required says the page must have it.
	check := func(what string, shown map[string]hookView, name, state string, required bool, texts ...string) {
		got, ok := shown[name]
		switch {
		case !ok && required:
			diff = append(diff, fmt.Sprintf("%s %s: missing, want %s", what, name, state))
		case !ok:
		case got.State != state:
			diff = append(diff, fmt.Sprintf("%s %s: data-state %s, want %s", what, name, got.State, state))
		default:
			for _, text := range texts {
				if !strings.Contains(got.Text, text) {
					diff = append(diff, fmt.Sprintf("%s %s: text %q without %s", what, name, got.Text, text))
				}
			}
		}
	}
	if whole {
		switch {
		case view.Supvisors == nil:
			diff = append(diff, "no [data-supvisors-state]")
		case *view.Supvisors != state.StateName:
			diff = append(diff, fmt.Sprintf("[data-supvisors-state] %q, want %s", *view.Supvisors, state.StateName))
		}
	}
	for _, a := range addresses {
		check("address", view.Addresses, a.AddressName, a.StateName, whole)
	}
	for _, a := range apps {
		check("application", view.Applications, a.ApplicationName, a.StateName, whole)
	}
	for _, pr := range procs {
		check("process", view.Processes, pr.Namespec(), pr.StateName, whole, pr.Addresses...)
	}
	if whole {
		want := []string{}
		for _, cf := range conflicts {
			want = append(want, cf.Namespec())
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if !slices.Equal(view.Conflicts, want) {
			diff = append(diff, fmt.Sprintf("conflicts %v, want %v", view.Conflicts, want))
		}
	}
	// The page shows nothing that XML-RPC does not know of.
	known := map[string]bool{}
	for _, pr := range procs {
		known[pr.Namespec()] = true
	}
	for _, ns := range slices.Sorted(maps.Keys(view.Processes)) {
		if !known[ns] {
			diff = append(diff, "process "+ns+" on the page, unknown to XML-RPC")
		}
	}
	return diff, nil
}

// has says whether the page has an element of selector.
func (p *browserPage) has(t *testing.T, selector string) bool {
	t.Helper()
	var found bool
	p.eval(t, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(selector)), &found)
	return found
}

// waitRunningOn waits until c's agent sees namespec RUNNING on address
// alone.
func waitRunningOn(t testing.TB, c *client.Client, namespec, address string) {
	t.Helper()
	waitFor(t, 30*time.Second, func() (bool, string) {
		infos, err := c.Supvisors().GetProcessInfo(t.Context(), namespec)
		if err != nil || len(infos) != 1 {
			return false, fmt.Sprintf("get_process_info(%s): %+v, %v", namespec, infos, err)
		}
		i := infos[0]
		return i.StateName == "RUNNING" && slices.Equal(i.Addresses, []string{address}),
			fmt.Sprintf("%s %s on %v, want RUNNING on %s", namespec, i.StateName, i.Addresses, address)
	})
}

// waitStoppedEverywhere waits until c's agent sees namespec STOPPED.
func waitStoppedEverywhere(t testing.TB, c *client.Client, namespec string) {
	t.Helper()
	waitFor(t, 30*time.Second, func() (bool, string) {
		infos, err := c.Supvisors().GetProcessInfo(t.Context(), namespec)
		if err != nil || len(infos) != 1 {
			return false, fmt.Sprintf("get_process_info(%s): %+v, %v", namespec, infos, err)
		}
		return infos[0].StateName == "STOPPED" && len(infos[0].Addresses) == 0,
			fmt.Sprintf("%s %s on %v, want STOPPED", namespec, infos[0].StateName, infos[0].Addresses)
	})
}

// crossSiteAttack serves, on 127.0.0.1, a page that tries to stop
// namespec on agent: a fetch to the actions' endpoint and a form posted to
// index.html (Supervisor's action), neither with a token. It opens that
// page in a tab that sends agent's credentials with every request (as a
// browser that has them cached does) and answers "METHOD URL STATUS" for
// each request that reached the agent.
func crossSiteAttack(t *testing.T, browser context.Context, agent *server, namespec string) []string {
	t.Helper()
	page := fmt.Sprintf(`<!DOCTYPE html><html><body>
<form id="f" method="post" action="%[1]s/index.html" target="sink">
<input name="action" value="stop"/><input name="processname" value=%[2]q/></form>
<iframe name="sink"></iframe>
<script>
fetch(%[3]q, {method: 'POST', mode: 'no-cors', credentials: 'include', headers: {'Content-Type': 'text/plain'},
	body: JSON.stringify({method: 'supvisors.stop_process', params: [%[2]q, false]})})
	.catch(() => {}).finally(() => document.getElementById('f').submit());
</script></body></html>`, agent.url, namespec, agent.url+"/dashboard/call")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})}
	go func() { _ = other.Serve(l) }()
	t.Cleanup(func() { _ = other.Close() })

	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	var mu sync.Mutex
	requests := map[network.RequestID]string{}
	var answered []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if strings.HasPrefix(ev.Request.URL, agent.url+"/") {
				requests[ev.RequestID] = ev.Request.Method + " " + ev.Request.URL
			}
		case *network.EventResponseReceived:
			if r, ok := requests[ev.RequestID]; ok {
				answered = append(answered, fmt.Sprintf("%s %d", r, ev.Response.Status))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	sendCredentials(t, ctx, agent)
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+l.Addr().String()+"/")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, liveDeadline, func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(answered) >= 2, fmt.Sprintf("answers %v to the requests %v", answered, slices.Collect(maps.Values(requests)))
	})
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(answered)
}

// contrastScript answers the luminance of the page's background and, for
// each visible element with text of its own, whether its text is readable
// on its background: a contrast ratio of at least 4.5:1 (3:1 for large
// text), WCAG 2's AA level.
const contrastScript = `(() => {
	const parse = c => {
		const m = /^rgba?\(([^)]*)\)$/.exec(c);
		if (!m) return null;
		const v = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
		return {r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1};
	};
	const over = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
		b: top.b * top.a + under.b * (1 - top.a), a: 1});
	const luminance = c => {
		const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
	};
	const canvas = matchMedia('(prefers-color-scheme: dark)').matches ? {r: 18, g: 18, b: 18, a: 1} : {r: 255, g: 255, b: 255, a: 1};
	// background is the colour an element's text is drawn on: its own
	// and its ancestors' backgrounds, blended, over the canvas.
	const background = e => {
		const layers = [];
		for (; e; e = e.parentElement) {
			const c = parse(getComputedStyle(e).backgroundColor);
			if (c && c.a > 0) { layers.push(c); if (c.a === 1) break; }
		}
		return layers.reduceRight((under, top) => over(top, under), canvas);
	};
	const unreadable = [];
	const seen = new Set();
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const e = n.parentElement;
		if (!n.textContent.trim() || seen.has(e) || e.closest('option, [hidden]') || !e.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
		seen.add(e);
		const style = getComputedStyle(e);
		const color = parse(style.color);
		const bg = background(e);
		if (!color) { unreadable.push(e.tagName + ' ' + JSON.stringify(n.textContent.trim().slice(0, 40)) + ': colour ' + style.color); continue; }
		const [l1, l2] = [luminance(over(color, bg)), luminance(bg)];
		const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
		const size = parseFloat(style.fontSize);
		const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
		if (ratio < (large ? 3 : 4.5)) {
			unreadable.push(e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + JSON.stringify(n.textContent.trim().slice(0, 40)) +
				': contrast ' + ratio.toFixed(2) + ':1 (' + style.color + ' on rgb(' + [bg.r, bg.g, bg.b].map(Math.round) + '))');
		}
	}
	return {background: luminance(background(document.body)), unreadable: unreadable};
})()`

// cutOffScript lists the visible controls (buttons, selects, inputs,
// links) that the page's edge cuts (the browser's window is 1,280 px
// wide): a person would not see them whole. One wholly outside (a skip
// link until it has the focus) is hidden on purpose.
const cutOffScript = `(() => {
	const width = document.documentElement.clientWidth;
	return [...document.querySelectorAll('button, select, input, a[href]')]
		.filter(e => e.checkVisibility())
		.map(e => [e, e.getBoundingClientRect()])
		.filter(([e, r]) => r.right > 0 && r.left < width && (r.left < -0.5 || r.right > width + 0.5))
		.map(([e, r]) => e.tagName.toLowerCase() + ' ' + JSON.stringify(e.textContent.trim().slice(0, 30)) +
			' spans ' + Math.round(r.left) + ' to ' + Math.round(r.right) + ' px, the page ' + width + ' px wide');
})()`

// emulateColorScheme makes the tab's system prefer a light or dark colour
// scheme ("": the system's own again).
func (p *browserPage) emulateColorScheme(t *testing.T, scheme string) {
	t.Helper()
	params := emulation.SetEmulatedMediaParams{}
	if scheme != "" {
		params.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, params); err != nil {
		t.Fatal(err)
	}
}

// tabTo presses Tab until the element of the JavaScript expression target
// has the focus (at most 300 times), and checks that the focus shows.
func (p *browserPage) tabTo(t *testing.T, target string) {
	t.Helper()
	for range 300 {
		var there bool
		p.eval(t, `document.activeElement === `+target, &there)
		if there {
			var outline string
			p.eval(t, `(() => { const s = getComputedStyle(document.activeElement);
				return s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0 ? '' : s.outlineStyle + ' ' + s.outlineWidth; })()`, &outline)
			if outline == "" {
				t.Errorf("the focus on %s does not show (no outline)", target)
			}
			return
		}
		p.keys(t, "\t")
	}
	var at string
	p.eval(t, `document.activeElement.outerHTML.slice(0, 200)`, &at)
	t.Fatalf("300 Tabs never reached %s; the focus is on %s", target, at)
}

// keys types keys in the tab, as a keyboard does, to the focused element.
func (p *browserPage) keys(t *testing.T, keys string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(keys)); err != nil {
		t.Fatalf("type %q: %v", keys, err)
	}
}

// TestDashboardInBrowserHTTPS opens the dashboard of an agent whose port
// serves HTTPS only, in a Chromium that trusts its certificate's key and
// nothing more (as a person who accepted it): the page shows the cluster
// live (the event stream over TLS), its button acts (the Secure session
// cookie and the token), with no console error and every request to the
// agent's https origin.
func TestDashboardInBrowserHTTPS(t *testing.T) {
	t.Parallel()
	pki := t.TempDir()
	ca := testpki.NewCA(t, pki, "ca")
	plan := planCluster(t, 1, "")
	cert, key := ca.Issue(t, pki, "node1", plan.list[0])
	s := newServer(t, "supvisors", plan.section+sleeper("solo", ""), func(s *server) {
		s.host, s.port = plan.list[0], plan.httpPort
		s.inetTLS = fmt.Sprintf("certfile=%s\nkeyfile=%s\ncafile=%s\n", cert, key, ca.File)
	})
	s.launch(t)
	s.waitAnswering(t)
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("the agent's URL %s is not https", s.url)
	}
	c, err := client.New(s.url, client.Options{Username: s.user, Password: s.password, TLSConfig: &tls.Config{RootCAs: ca.Pool()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	waitSupvisorsState(t, c, enums.SupvisorsOperation)

	browser := startBrowser(t, chromedp.Flag("ignore-certificate-errors-spki-list", spkiHash(t, cert)))
	p := openPage(t, browser, s)
	p.open(t, "/")
	waitPageAgrees(t, p, c, wholePage)
	solo := hook("data-namespec", "solo")
	p.act(t, solo, "start", "CONFIG")
	waitRunningOn(t, c, "solo", plan.list[0])
	p.waitHookState(t, liveDeadline, solo, "RUNNING", plan.list[0])
	p.noReload(t)
	p.checkClean(t)
}

// spkiHash is what Chromium's ignore-certificate-errors-spki-list takes
// to trust the key of the PEM certificate file: the base64 SHA-256 of its
// SubjectPublicKeyInfo.
func spkiHash(t *testing.T, certFile string) string {
	t.Helper()
	data, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", certFile)
	}
	crt, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(crt.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}
