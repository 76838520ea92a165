package integration

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The browser tests drive the dashboard in a real headless Chromium
// (Debian's chromium, which make deps installs) through the DevTools
// protocol, against real agents. They find the page's elements only by the
// hooks of DESIGN.md's "Dashboard (contracts)": [data-supvisors-state],
// [data-address], [data-application], [data-namespec], [data-conflict],
// button[data-action] and [data-strategy].

// chromiumNames are the commands a Chromium may be installed as, Debian's
// first.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// chromiumPath finds the browser, or says how to install it.
func chromiumPath() (string, error) {
	for _, name := range chromiumNames {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (%s): install Debian's chromium package (make deps does, as root)",
		strings.Join(chromiumNames, ", "))
}

// startBrowser starts one headless Chromium for a test and its subtests,
// with the extra options given, closed by the test's cleanup. Without a Chromium the test is skipped,
// saying why, except under CI (CI set), where .ci/run installs it and its
// absence is a failure.
func startBrowser(tb testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	tb.Helper()
	path, err := chromiumPath()
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(tb.TempDir()),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root with its sandbox.
		opts = append(opts, chromedp.NoSandbox)
	}
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// browserPage is one tab of the browser on one agent's dashboard. It
// records what must never happen: a console error, an uncaught exception, a
// request to anywhere but the agent; and counts the requests it watched.
type browserPage struct {
	ctx    context.Context
	origin *url.URL // the agent's

	mu       sync.Mutex
	problems []string
	requests int
	// agentDown says the agent is restarting or gone: the browser's
	// failures to reach it are expected then, not problems.
	agentDown bool
}

// openPage opens a tab that talks to agent s with its credentials. The
// tab closes with the test's cleanup, which also fails the test for every
// problem the tab recorded.
func openPage(tb testing.TB, browser context.Context, s *server) *browserPage {
	tb.Helper()
	origin, err := url.Parse(s.url)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(browser)
	p := &browserPage{ctx: ctx, origin: origin}
	tb.Cleanup(func() {
		cancel()
		p.checkClean(tb)
	})
	if err := chromedp.Listen(ctx, p.onEvent); err != nil {
		tb.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.mu.Lock()
			expected := p.agentDown && m.Source == "network"
			p.mu.Unlock()
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !expected {
				p.problem("console %s at %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text)
			}
		}
	}()
	sendCredentials(tb, ctx, s)
	return p
}

// sendCredentials makes the tab of ctx send s's credentials with every
// request, as a browser does once a person has typed them (credentials in
// the URL would break the page's relative fetches).
func sendCredentials(tb testing.TB, ctx context.Context, s *server) {
	tb.Helper()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.user+":"+s.password))
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}}); err != nil {
		tb.Fatal(err)
	}
}

// onEvent runs in the tab's event loop: it must return at once.
func (p *browserPage) onEvent(ev any) {
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		p.mu.Lock()
		p.requests++
		p.mu.Unlock()
		u, err := url.Parse(ev.Request.URL)
		switch {
		case err != nil:
			p.problem("request to a URL that does not parse: %q", ev.Request.URL)
		case u.Scheme == "data" || u.Scheme == "blob" || u.Scheme == "about":
			// In the page itself: nothing leaves it.
		case u.Host != p.origin.Host || (u.Scheme != "http" && u.Scheme != "https"):
			p.problem("request to %s, outside the agent %s", ev.Request.URL, p.origin.Host)
		}
	}
}

// expectAgentDown says whether the agent may be unreachable from now on
// (restarting, shut down): failed requests are no problem then.
func (p *browserPage) expectAgentDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.agentDown = down
}

func (p *browserPage) problem(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

// checkClean fails tb for every problem recorded so far, once, and if the
// tab has seen no request at all (its watch would be blind).
func (p *browserPage) checkClean(tb testing.TB) {
	tb.Helper()
	p.mu.Lock()
	problems, requests := p.problems, p.requests
	p.problems = nil
	p.mu.Unlock()
	for _, pr := range problems {
		tb.Error(pr)
	}
	if requests == 0 {
		tb.Error("the tab saw no request: nothing checks where its requests go")
	}
}

// open loads ref (a path and query from the agent's root) in the tab and
// waits for its document.
func (p *browserPage) open(tb testing.TB, ref string) {
	tb.Helper()
	u, err := url.Parse(ref)
	if err != nil {
		tb.Fatal(err)
	}
	p.navigate(tb, p.origin.ResolveReference(u).String())
}

// navigate loads an absolute URL of the agent, checks that it answered
// 200, and marks the document so that a reload is seen (noReload).
func (p *browserPage) navigate(tb testing.TB, target string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(target))
	if err != nil {
		tb.Fatalf("open %s: %v", target, err)
	}
	if resp.Status != 200 {
		tb.Fatalf("open %s: HTTP %d %s", target, resp.Status, resp.StatusText)
	}
	p.eval(tb, `window.__supvisorsTestDocument = true`, nil)
}

// noReload fails tb if the document was replaced since the last open: a
// live page updates itself, it never reloads.
func (p *browserPage) noReload(tb testing.TB) {
	tb.Helper()
	var same bool
	p.eval(tb, `window.__supvisorsTestDocument === true`, &same)
	if !same {
		tb.Error("the page reloaded itself")
	}
}

// eval evaluates a JavaScript expression in the page (the value of a
// promise, once it settles) and decodes its JSON value into out (nil:
// ignored).
func (p *browserPage) eval(tb testing.TB, expr string, out any) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("evaluate %s: %s: %v", expr, raw, err)
		}
	}
}

// waitScript is a promise that settles true once cond holds, evaluating it
// again at each change of the document, or false at the timeout. The
// pages' Content-Security-Policy forbids eval (what chromedp's Poll
// relies on), so the condition comes in the expression itself.
const waitScript = `new Promise(resolve => {
	const cond = () => { try { return !!(%s); } catch (e) { return false; } };
	if (cond()) return resolve(true);
	const timer = setTimeout(() => { observer.disconnect(); resolve(false); }, %d);
	const observer = new MutationObserver(() => {
		if (cond()) { observer.disconnect(); clearTimeout(timer); resolve(true); }
	});
	observer.observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
})`

// waitJS waits until the JavaScript expression cond is true in the page:
// the page evaluates it again at each change of its document, so the wait
// ends at the change that makes it true. Past timeout, it fails tb with
// what the expression describe says of the page then.
func (p *browserPage) waitJS(tb testing.TB, timeout time.Duration, cond, describe string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout+10*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(waitScript, cond, timeout.Milliseconds()),
		chromedp.EvalAwaitPromise))
	if err == nil && ok {
		return
	}
	var now string
	p.eval(tb, `String(`+describe+`)`, &now)
	if err != nil {
		tb.Fatalf("wait for %s: %v; the page has %s", cond, err, now)
	}
	tb.Fatalf("not within %v: %s; the page has %s", timeout, cond, now)
}

// hook is the CSS selector of a contract hook: hook("data-namespec",
// "web:server") is [data-namespec="web:server"].
func hook(attr, value string) string {
	return fmt.Sprintf("[%s=%s]", attr, jsString(value))
}

// jsString quotes s for JavaScript (and CSS: the same double-quoted form).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// waitHookState waits until the element of selector shows state in its
// data-state and, if texts are given, has each of them in its text.
func (p *browserPage) waitHookState(tb testing.TB, timeout time.Duration, selector, state string, texts ...string) {
	tb.Helper()
	cond := fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.dataset.state === %s`,
		jsString(selector), jsString(state))
	for _, text := range texts {
		cond += fmt.Sprintf(` && e.textContent.includes(%s)`, jsString(text))
	}
	cond += `; })()`
	p.waitJS(tb, timeout, cond, describeHook(selector))
}

// describeHook is a JavaScript expression saying what the page shows of
// selector: its data-state and text, or that it is missing.
func describeHook(selector string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%[1]s);
		return e ? %[1]s + ' data-state=' + e.dataset.state + ' text=' + JSON.stringify(e.textContent.replace(/\s+/g, ' ').trim())
		         : 'no ' + %[1]s; })()`, jsString(selector))
}

// follow opens the link of the element of selector, once the page has it:
// the element itself if it is a link, else the first link in it; what a
// person clicks to go from the cluster to an application, a process or an
// address.
func (p *browserPage) follow(tb testing.TB, selector string) {
	tb.Helper()
	link := fmt.Sprintf(`(() => { const e = document.querySelector(%s);
		const a = !e ? null : e.matches('a[href]') ? e : e.querySelector('a[href]');
		return a ? a.href : ''; })()`, jsString(selector))
	p.waitJS(tb, liveDeadline, link, describeHook(selector))
	var href string
	p.eval(tb, link, &href)
	p.navigate(tb, href)
}

// location is the page's URL.
func (p *browserPage) location(tb testing.TB) string {
	tb.Helper()
	var loc string
	p.eval(tb, `location.href`, &loc)
	return loc
}

// actionScript finds, in the row of the hook element of scope, the
// button[data-action] of the action, and picks the strategy: the button
// that carries it (data-strategy on the button) or, in the nearest
// select[data-strategy] around the button, the option of that name. A
// button belongs to the innermost hook element around it, so an
// application's button is not one of its processes'. It answers the
// button, or a string that says why there is none.
const actionScript = `(scope, action, strategy) => {
	const row = document.querySelector(scope);
	if (!row) return 'no element ' + scope;
	const hooks = '[data-address],[data-application],[data-namespec],[data-conflict]';
	const buttons = [...row.querySelectorAll('button[data-action="' + action + '"]')]
		.filter(b => b.closest(hooks) === row);
	if (buttons.length === 0) return 'no button[data-action=' + action + '] in ' + scope;
	if (!strategy) return buttons[0];
	const carrying = buttons.filter(b => b.dataset.strategy !== undefined);
	if (carrying.length > 0) {
		return carrying.find(b => b.dataset.strategy === strategy) ||
			'no button[data-action=' + action + '][data-strategy=' + strategy + '] in ' + scope;
	}
	for (let up = buttons[0].parentElement; up; up = up.parentElement) {
		const select = up.querySelector('select[data-strategy]');
		if (!select) continue;
		const option = [...select.options].find(o => o.value === strategy || o.textContent.trim() === strategy);
		if (!option) return 'no option ' + strategy + ' in the strategy chooser of ' + scope;
		if (select.value !== option.value) {
			select.value = option.value;
			select.dispatchEvent(new Event('input', {bubbles: true}));
			select.dispatchEvent(new Event('change', {bubbles: true}));
		}
		return buttons[0];
	}
	return 'no [data-strategy] for the ' + action + ' button of ' + scope;
}`

// act clicks, as a person does (mouse events at the button's centre), the
// action button of the hook element of scope, with strategy picked first
// ("" for none).
func (p *browserPage) act(tb testing.TB, scope, action, strategy string) {
	tb.Helper()
	call := fmt.Sprintf(`(%s)(%s, %s, %s)`, actionScript, jsString(scope), jsString(action), jsString(strategy))
	var why string
	p.eval(tb, `(() => { const r = `+call+`; return typeof r === 'string' ? r : ''; })()`, &why)
	if why != "" {
		tb.Fatalf("%s %s (%s) on %s: %s", action, scope, strategy, p.location(tb), why)
	}
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(call), chromedp.NodeVisible)); err != nil {
		tb.Fatalf("click %s of %s: %v", action, scope, err)
	}
}

// layoutShiftsScript answers which elements of a CSS selector moved since
// the page loaded (the browser's Layout Instability entries, kept from the
// load on): a description of each shift of an element that is one, holds
// one or lies in one.
const layoutShiftsScript = `new Promise(resolve => {
	const selector = %s;
	const moved = [];
	const observer = new PerformanceObserver(list => {
		for (const entry of list.getEntries()) {
			for (const s of entry.sources || []) {
				const e = s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement);
				if (!e || !(e.closest(selector) || e.querySelector(selector))) continue;
				moved.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' +
					e.textContent.replace(/\s+/g, ' ').trim().slice(0, 60) + '" from y=' + Math.round(s.previousRect.y) +
					' to y=' + Math.round(s.currentRect.y) + ' at ' + Math.round(entry.startTime) + ' ms');
			}
		}
	});
	observer.observe({type: 'layout-shift', buffered: true});
	// The entries kept from before come in the observer's first callback,
	// a task later; none may come at all.
	setTimeout(() => { observer.disconnect(); resolve(moved); }, 200);
})`

// noLayoutShiftOf fails tb if an element of selector moved since the page
// loaded: a button that moves under the pointer between a press and its
// release loses the click, so what a person acts on must stay where it
// first showed while the page fills the rest.
func (p *browserPage) noLayoutShiftOf(tb testing.TB, selector string) {
	tb.Helper()
	var moved []string
	p.eval(tb, fmt.Sprintf(layoutShiftsScript, jsString(selector)), &moved)
	for _, m := range moved {
		tb.Errorf("%s: %s moved after it showed", p.location(tb), m)
	}
}

// click clicks, as a person does, the element of a CSS selector.
func (p *browserPage) click(tb testing.TB, selector string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible)); err != nil {
		tb.Fatalf("click %s on %s: %v", selector, p.location(tb), err)
	}
}

// screenshot saves the whole page as dir/name.png.
func (p *browserPage) screenshot(tb testing.TB, dir, name string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// screenshotDirs are where the tests write their screenshots: a directory
// for a person to look at (the same one at every run, its path logged)
// and, when SUPVISORS_SCREENSHOTS names one (make screenshots:
// docs/screenshots), the README's.
func screenshotDirs(tb testing.TB) (look, readme string) {
	tb.Helper()
	look = filepath.Join(os.TempDir(), "supvisors-dashboard-screenshots")
	if err := os.MkdirAll(look, 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshots in %s", look)
	if readme = os.Getenv("SUPVISORS_SCREENSHOTS"); readme != "" {
		if err := os.MkdirAll(readme, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	return look, readme
}
