package eventstream

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func publishN(t *testing.T, h *Hub, topic string, n int) {
	t.Helper()
	for i := range n {
		if err := h.Publish(topic, map[string]int{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHubFansOutInOrderByTopic(t *testing.T) {
	h := NewHub(Options{})
	all := h.Subscribe(nil, 0, false)
	procs := h.Subscribe([]string{TopicProcess}, 0, false)
	publishN(t, h, TopicProcess, 2)
	publishN(t, h, TopicAddress, 1)
	var ids []uint64
	for range 3 {
		e := <-all.C()
		ids = append(ids, e.ID)
	}
	if ids[1] != ids[0]+1 || ids[2] != ids[1]+1 {
		t.Errorf("IDs %v are not consecutive", ids)
	}
	if e := <-procs.C(); e.Topic != TopicProcess || string(e.Data) != `{"i":0}` {
		t.Errorf("first process event: %+v", e)
	}
	if e := <-procs.C(); e.Topic != TopicProcess || string(e.Data) != `{"i":1}` {
		t.Errorf("second process event: %+v", e)
	}
	if n := len(procs.C()); n != 0 {
		t.Errorf("the process subscriber got %d events of another topic", n)
	}
}

func TestHubResumesFromHistoryOrSnapshots(t *testing.T) {
	snap := []Event{{Topic: TopicSupvisors, Data: []byte(`{}`)}, {Topic: TopicProcess, Data: []byte(`{}`)}}
	h := NewHub(Options{History: 8, Snapshot: func() []Event { return snap }})
	first := h.Subscribe(nil, 0, false)
	if first.Resumed || len(first.Backlog) != 2 || first.Backlog[0].Topic != TopicSupvisors {
		t.Fatalf("a new subscriber gets the snapshot: %+v", first.Backlog)
	}
	base := first.Backlog[0].ID
	publishN(t, h, TopicEvent, 5)
	s := h.Subscribe(nil, base+2, true)
	if !s.Resumed || len(s.Backlog) != 3 || s.Backlog[0].ID != base+3 {
		t.Errorf("resume after %d: resumed %v, backlog %+v", base+2, s.Resumed, s.Backlog)
	}
	if s := h.Subscribe([]string{TopicProcess}, base+2, true); !s.Resumed || len(s.Backlog) != 0 {
		t.Errorf("resume filtered on process: %+v", s.Backlog)
	}
	publishN(t, h, TopicEvent, 10) // base+1 .. base+5 are no longer kept
	if s := h.Subscribe(nil, base+2, true); s.Resumed || len(s.Backlog) != 2 {
		t.Errorf("a resumption point no longer kept gets the snapshot: resumed %v, %d events", s.Resumed, len(s.Backlog))
	}
	if s := h.Subscribe(nil, base+1000, true); s.Resumed {
		t.Errorf("an ID from the future (another agent's) gets the snapshot")
	}
}

// TestHubDropsALaggingSubscriber: a subscriber that never reads holds at
// most its queue, and the publisher never waits for it.
func TestHubDropsALaggingSubscriber(t *testing.T) {
	h := NewHub(Options{Queue: 4})
	slow := h.Subscribe(nil, 0, false)
	fast := h.Subscribe(nil, 0, false)
	for range 100 {
		publishN(t, h, TopicEvent, 1)
		<-fast.C()
	}
	if n, dropped := h.Stats(); n != 1 || dropped != 1 {
		t.Errorf("after the burst: %d subscribers, %d dropped; want 1, 1", n, dropped)
	}
	got := 0
	for range slow.C() {
		got++
	}
	if got != 4 || !slow.Lagged() {
		t.Errorf("the slow subscriber kept %d events (want its queue, 4), lagged %v", got, slow.Lagged())
	}
	fast.Close()
	if _, open := <-fast.C(); open || fast.Lagged() {
		t.Error("a subscriber that closes did not lag")
	}
}

// TestHubUnwatched: the channel of a Hub without subscribers is closed by
// the next subscription, and there is none while one lasts.
func TestHubUnwatched(t *testing.T) {
	h := NewHub(Options{})
	unwatched := h.Unwatched()
	if unwatched == nil || h.Unwatched() != unwatched {
		t.Fatal("a Hub without subscribers: want one channel, until a subscription")
	}
	select {
	case <-unwatched:
		t.Fatal("closed before any subscription")
	default:
	}
	s := h.Subscribe(nil, 0, false)
	if _, open := <-unwatched; open {
		t.Fatal("not closed by the subscription")
	}
	if h.Unwatched() != nil {
		t.Error("a Hub with a subscriber is watched")
	}
	s.Close()
	if next := h.Unwatched(); next == nil || next == unwatched {
		t.Error("after the last subscriber left: want a new channel")
	}
}

// TestHubCatchUp: the first subscriber of a Hub without subscribers has
// the publisher catch up before its backlog is taken; the next do not.
func TestHubCatchUp(t *testing.T) {
	var h *Hub
	caught := 0
	h = NewHub(Options{CatchUp: func() {
		caught++
		publishN(t, h, TopicProcess, 1)
	}})
	first := h.SubscribeLive(nil)
	if caught != 1 || len(first.Backlog) != 1 || first.Backlog[0].Topic != TopicProcess {
		t.Fatalf("first subscriber: %d catch-ups, backlog %+v; want 1 and the process event", caught, first.Backlog)
	}
	if second := h.SubscribeLive(nil); caught != 1 || len(second.Backlog) != 0 {
		t.Errorf("second subscriber: %d catch-ups, backlog %+v; want none", caught, second.Backlog)
	}
}

func TestParseTopics(t *testing.T) {
	got, err := ParseTopics("process, address,process")
	if err != nil || strings.Join(got, ",") != "process,address" {
		t.Errorf("ParseTopics: %v, %v", got, err)
	}
	if _, err := ParseTopics("process,stats"); err == nil || !strings.Contains(err.Error(), `"stats"`) ||
		!strings.Contains(err.Error(), strings.Join(Topics, ", ")) {
		t.Errorf("an unknown topic: %v", err)
	}
}

// sseLines reads the stream's lines into a channel.
func sseLines(t *testing.T, body io.Reader) <-chan string {
	t.Helper()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// expectLine waits for a line that has prefix.
func expectLine(t *testing.T, lines <-chan string, prefix string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended before a line %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			t.Fatalf("no line %q", prefix)
		}
	}
}

func TestSSEHeartbeatAndDrop(t *testing.T) {
	h := NewHub(Options{Queue: 2})
	srv := httptest.NewServer(&Handler{Hub: h, Heartbeat: 20 * time.Millisecond})
	defer srv.Close()
	resp, err := http.Get(srv.URL + "?topics=event")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type %q", ct)
	}
	lines := sseLines(t, resp.Body)
	expectLine(t, lines, ": heartbeat")
	publishN(t, h, TopicEvent, 1)
	expectLine(t, lines, "event: event")
	if l := expectLine(t, lines, "data: "); l != `data: {"i":0}` {
		t.Errorf("data line %q", l)
	}
	// Nothing reads the stream now: once the connection's buffers are full
	// the handler blocks, its queue fills, and the hub drops it.
	for i := 0; ; i++ {
		if n, dropped := h.Stats(); n == 0 && dropped == 1 {
			break
		}
		if i > 1_000_000 {
			t.Fatal("the subscriber was never dropped")
		}
		publishN(t, h, TopicEvent, 1)
	}
	expectLine(t, lines, ": dropped")
	for range lines {
	}
}

func TestSSEUnknownTopic(t *testing.T) {
	srv := httptest.NewServer(&Handler{Hub: NewHub(Options{})})
	defer srv.Close()
	resp, err := http.Get(srv.URL + "?topics=process,nope")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "valid topics: supvisors, address") {
		t.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
}
