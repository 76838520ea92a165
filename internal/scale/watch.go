package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// event is what a watcher noted of one event of an agent's /events stream.
type event struct {
	at    time.Time
	topic string
	// name is the address (topic address) or the namespec (topic process).
	name  string
	state string
}

// watcher follows the /events stream (topics address and process) of one
// agent and keeps every event with the time it arrived. Safe for
// concurrent use.
type watcher struct {
	address string
	mu      sync.Mutex
	events  []event
	changed chan struct{} // closed and replaced at each event
	err     error         // why the stream ended
	cancel  context.CancelFunc
}

// watch opens the /events stream of the agent at address:port.
func watch(address string, port int) (*watcher, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s:%d/events?topics=address,process", address, port), nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.SetBasicAuth(user, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("events of %s: %w", address, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("events of %s: %s", address, resp.Status)
	}
	w := &watcher{address: address, changed: make(chan struct{}), cancel: cancel}
	go w.read(resp)
	return w, nil
}

// close ends the stream.
func (w *watcher) close() { w.cancel() }

func (w *watcher) read(resp *http.Response) {
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var topic string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			topic = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if e, ok := parseEvent(topic, strings.TrimPrefix(line, "data: ")); ok {
				w.add(e)
			}
		}
	}
	w.mu.Lock()
	w.err = sc.Err()
	if w.err == nil {
		w.err = fmt.Errorf("events of %s: the stream ended", w.address)
	}
	w.mu.Unlock()
}

func parseEvent(topic, data string) (event, bool) {
	var v struct {
		Address     string `json:"address_name"`
		Application string `json:"application_name"`
		Process     string `json:"process_name"`
		State       string `json:"statename"`
	}
	if json.Unmarshal([]byte(data), &v) != nil {
		return event{}, false
	}
	e := event{at: time.Now(), topic: topic, state: v.State}
	switch topic {
	case "address":
		e.name = v.Address
	case "process":
		e.name = v.Application + ":" + v.Process
	default:
		return event{}, false
	}
	return e, true
}

func (w *watcher) add(e event) {
	w.mu.Lock()
	w.events = append(w.events, e)
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
}

// first waits until an event of topic and name in one of states arrived
// at or after since, and returns when it arrived.
func (w *watcher) first(ctx context.Context, topic, name string, since time.Time, states ...string) (time.Time, error) {
	seen := 0
	for {
		w.mu.Lock()
		for _, e := range w.events[seen:] {
			if e.topic == topic && e.name == name && !e.at.Before(since) && slices.Contains(states, e.state) {
				w.mu.Unlock()
				return e.at, nil
			}
		}
		seen = len(w.events)
		changed, err := w.changed, w.err
		w.mu.Unlock()
		if err != nil {
			return time.Time{}, err
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("%s never saw %s %s in %v: %w", w.address, topic, name, states, ctx.Err())
		case <-changed:
		}
	}
}

// count returns how many events of topic in one of states arrived
// between from and to.
func (w *watcher) count(topic string, from, to time.Time, states ...string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.events {
		if e.topic == topic && !e.at.Before(from) && e.at.Before(to) && slices.Contains(states, e.state) {
			n++
		}
	}
	return n
}

// size returns how many events arrived so far.
func (w *watcher) size() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.events)
}
