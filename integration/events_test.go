package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sseEvent is one event read from GET /events.
type sseEvent struct {
	ID    uint64
	Topic string
	Data  map[string]any
}

// sseStream reads an event stream: its events, and its comment lines as
// events of topic ":" with the comment in Data["text"].
func sseStream(t *testing.T, body io.Reader) <-chan sseEvent {
	t.Helper()
	out := make(chan sseEvent, 1000)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.Topic != "" {
					out <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, ": "):
				out <- sseEvent{Topic: ":", Data: map[string]any{"text": line[2:]}}
			case strings.HasPrefix(line, "id: "):
				e.ID, _ = strconv.ParseUint(line[4:], 10, 64)
			case strings.HasPrefix(line, "event: "):
				e.Topic = line[7:]
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(line[6:]), &e.Data); err != nil {
					e.Data = map[string]any{"unparsed": line[6:]}
				}
			}
		}
	}()
	return out
}

// getEvents opens GET /events?query with the server's credentials and
// lastID as Last-Event-ID (0: none); the stream ends with the test.
func (s *server) getEvents(t *testing.T, query string, lastID uint64) *http.Response {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/events"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.user, s.password)
	if lastID != 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatUint(lastID, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// nextEvent waits for the next event of the stream matching keep.
func nextEvent(t *testing.T, events <-chan sseEvent, what string, keep func(sseEvent) bool) sseEvent {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended before %s", what)
			}
			if keep(e) {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s within 20s", what)
		}
	}
}

// webProgram is the configuration of the event tests' one process.
const webProgram = `
[program:web]
command=/bin/sleep 1000
startsecs=0
`

// processUpdate matches the process topic's entry of name in state (any
// state when state is "").
func processUpdate(name, state string) func(sseEvent) bool {
	return func(e sseEvent) bool {
		return e.Topic == "process" && e.Data["process_name"] == name && (state == "" || e.Data["statename"] == state)
	}
}

// processEvent matches the event topic's payload for name in state.
func processEvent(name, state string) func(sseEvent) bool {
	return func(e sseEvent) bool {
		return e.Topic == "event" && e.Data["name"] == name && e.Data["statename"] == state
	}
}

// TestEventsSSE follows GET /events on a real agent: auth as on /RPC2, the
// 400 of an unknown topic, the snapshot in its order, the events of a
// restart (the event and process topics), the statistics topics, and the resumption of a second
// stream from the first one's snapshot with Last-Event-ID.
func TestEventsSSE(t *testing.T) {
	t.Parallel()
	// A sample a second: the statistics topics come at once.
	s := planCluster(t, 1, "stats_periods=1").startNode(t, 0, `
[program:web]
command=/bin/sleep 1000
startsecs=0
`)
	s.waitStable(t)
	s.waitPython(t, "p.supvisors.get_supvisors_state()['statename']", "OPERATION")
	resp, err := http.Get(s.url + "/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /events without credentials: HTTP %d, want 401", resp.StatusCode)
	}
	bad := s.getEvents(t, "?topics=process,nope", 0)
	body, _ := io.ReadAll(bad.Body)
	if bad.StatusCode != http.StatusBadRequest || !strings.Contains(string(body),
		`unknown topic "nope"; valid topics: supvisors, address, application, process, event`) {
		t.Errorf("an unknown topic: HTTP %d %s", bad.StatusCode, body)
	}

	resp = s.getEvents(t, "", 0)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("GET /events: HTTP %d, Content-Type %q", resp.StatusCode, ct)
	}
	events := sseStream(t, resp.Body)
	if c := <-events; c.Topic != ":" || c.Data["text"] != "snapshot" {
		t.Errorf("the stream starts with %+v, want the snapshot comment", c)
	}
	order := []string{"supvisors", "address", "application", "process"}
	var snapshot []sseEvent
	for len(snapshot) < 4 {
		e := <-events
		if i := slices.Index(order, e.Topic); i < 0 || (len(snapshot) > 0 && i < slices.Index(order, snapshot[len(snapshot)-1].Topic)) {
			t.Fatalf("snapshot event %+v out of order after %+v", e, snapshot)
		}
		snapshot = append(snapshot, e)
	}
	if snapshot[0].Topic != "supvisors" || snapshot[0].Data["statename"] != "OPERATION" {
		t.Errorf("the snapshot starts with %+v", snapshot[0])
	}
	proc := snapshot[3]
	if proc.Topic != "process" || proc.Data["process_name"] != "web" || proc.Data["statename"] != "RUNNING" {
		t.Errorf("the snapshot's process: %+v", proc)
	}
	snapID := snapshot[0].ID

	if out, code := s.ctl(t, "restart", "web"); code != 0 {
		t.Fatalf("restart web: %s", out)
	}
	stopping := nextEvent(t, events, "event web STOPPING", processEvent("web", "STOPPING"))
	if stopping.ID <= snapID || stopping.Data["group"] != "web" || stopping.Data["pid"].(float64) == 0 {
		t.Errorf("the STOPPING event: %+v (snapshot ID %d)", stopping, snapID)
	}
	running := nextEvent(t, events, "event web RUNNING", processEvent("web", "RUNNING"))
	nextEvent(t, events, "process web RUNNING", func(e sseEvent) bool {
		return e.Topic == "process" && e.Data["statename"] == "RUNNING" && e.ID > running.ID
	})

	statistics := sseStream(t, s.getEvents(t, "?topics=hstats,pstats", 0).Body)
	host := nextEvent(t, statistics, "an hstats event", func(e sseEvent) bool { return e.Topic == "hstats" })
	for _, key := range []string{"address_name", "period", "cpu", "mem", "io", "history"} {
		if _, ok := host.Data[key]; !ok {
			t.Errorf("hstats lacks %s: %v", key, host.Data)
		}
	}
	nextEvent(t, statistics, "a pstats event of web", func(e sseEvent) bool {
		return e.Topic == "pstats" && e.Data["namespec"] == "web" && e.Data["pid"].(float64) > 0
	})

	resumed := sseStream(t, s.getEvents(t, "?topics=event", snapID).Body)
	first := <-resumed
	if first.Topic != "event" || first.ID != stopping.ID || first.Data["statename"] != "STOPPING" {
		t.Errorf("resuming after %d: first %+v, want the STOPPING event %d", snapID, first, stopping.ID)
	}
}

// TestEventsCatchUpAfterNobodyFollowed: while no stream is open the agent
// does not follow the view; a stream that resumes then gets what changed
// meanwhile, in its current state.
func TestEventsCatchUpAfterNobodyFollowed(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", webProgram)
	s.waitStable(t)
	first := s.getEvents(t, "?topics=process", 0)
	events := sseStream(t, first.Body)
	snapshot := nextEvent(t, events, "the snapshot's web", processUpdate("web", ""))
	if snapshot.Data["statename"] != "RUNNING" {
		t.Fatalf("the snapshot's web: %+v", snapshot)
	}
	first.Body.Close()
	waitFor(t, 30*time.Second, func() (bool, string) {
		_, families := s.scrape(t, false)
		subscribers, _ := sample(families, "supvisors_event_subscribers", nil)
		return subscribers == 0, fmt.Sprintf("%v subscribers", subscribers)
	})
	if out, code := s.ctl(t, "stop", "web"); code != 0 {
		t.Fatalf("stop web: %s", out)
	}
	resumed := sseStream(t, s.getEvents(t, "?topics=process", snapshot.ID).Body)
	nextEvent(t, resumed, "process web STOPPED", processUpdate("web", "STOPPED"))
}

// TestEventsCatchUpIsNoBurst: more changes than a stream's queue holds
// (1,024) while nobody followed are caught up among the kept events before
// the next stream starts, not poured through its queue, which would drop
// it.
func TestEventsCatchUpIsNoBurst(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", `
[program:many]
command=/bin/sleep 1000
process_name=%(program_name)s_%(process_num)04d
numprocs=1100
startsecs=0
`)
	s.waitStable(t)
	if out, code := s.ctl(t, "stop", "many:*"); code != 0 {
		t.Fatalf("stop many:*: %.300s", out)
	}
	events := sseStream(t, s.getEvents(t, "?topics=process", 0).Body)
	if out, code := s.ctl(t, "start", "many:many_0000"); code != 0 {
		t.Fatalf("start many:many_0000: %s", out)
	}
	nextEvent(t, events, "process many_0000 RUNNING", processUpdate("many_0000", "RUNNING"))
}

// TestEventsCtl follows the stream with `supvisorsctl events --topics event
// --json` while a process restarts, and checks its refusal of an unknown
// topic.
func TestEventsCtl(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", webProgram)
	s.waitStable(t)
	ctl := func(ctx context.Context, args ...string) *exec.Cmd {
		return exec.CommandContext(ctx, ctlBinary, append([]string{"-s", s.url, "-u", s.user, "-p", s.password}, args...)...)
	}
	out, err := ctl(context.Background(), "events", "--topics", "bogus").CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 || !strings.Contains(string(out), `unknown topic "bogus"`) {
		t.Errorf("events --topics bogus: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := ctl(ctx, "--json", "events", "--topics", "event,process")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	next := func(what string, keep func(topic string, data map[string]any) bool) {
		t.Helper()
		for lines.Scan() {
			var e struct {
				ID    string         `json:"id"`
				Topic string         `json:"topic"`
				Data  map[string]any `json:"data"`
			}
			if err := json.Unmarshal(lines.Bytes(), &e); err != nil || e.ID == "" {
				t.Fatalf("not an event line: %q (%v)", lines.Text(), err)
			}
			if keep(e.Topic, e.Data) {
				return
			}
		}
		t.Fatalf("supvisorsctl events ended before %s: %v", what, lines.Err())
	}
	// The snapshot's process comes first: the stream is open.
	next("the snapshot", func(topic string, d map[string]any) bool { return topic == "process" })
	if out, code := s.ctl(t, "stop", "web"); code != 0 {
		t.Fatalf("stop web: %s", out)
	}
	next("event web STOPPED", func(topic string, d map[string]any) bool {
		return topic == "event" && d["name"] == "web" && d["statename"] == "STOPPED"
	})
	next("process web STOPPED", func(topic string, d map[string]any) bool {
		return topic == "process" && d["process_name"] == "web" && d["statename"] == "STOPPED"
	})
}
