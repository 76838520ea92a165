package eventstream

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultHeartbeat is how often an idle stream gets a comment line, so
// that proxies and clients see it alive (well under the usual 30 to 60 s
// idle timeouts).
const DefaultHeartbeat = 15 * time.Second

// Handler serves GET /events as Server-Sent Events: each event is
// "id: N", "event: TOPIC", "data: JSON". ?topics=a,b filters the topics
// (an unknown one is HTTP 400 listing the valid ones); a Last-Event-ID
// header resumes after that event when it is still kept, else the stream
// starts with the snapshot. A subscriber that lags too far behind gets a
// comment saying so and the stream ends.
type Handler struct {
	Hub *Hub
	// Heartbeat is the period of the keep-alive comment (0:
	// DefaultHeartbeat).
	Heartbeat time.Duration
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	topics, err := ParseTopics(r.URL.Query().Get("topics"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	since, resume := uint64(0), false
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		since, err = strconv.ParseUint(strings.TrimSpace(id), 10, 64)
		resume = err == nil
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	sub := h.Hub.Subscribe(topics, since, resume)
	defer sub.Close()
	stream(r.Context(), w, sub, h.heartbeat())
}

func (h *Handler) heartbeat() time.Duration {
	if h.Heartbeat > 0 {
		return h.Heartbeat
	}
	return DefaultHeartbeat
}

// stream writes sub to w until the client goes, a write fails, or sub
// ends. Writes are buffered and flushed whenever the queue is empty, so
// that a burst costs few syscalls and a lone event goes out at once.
func stream(ctx context.Context, w http.ResponseWriter, sub *Subscription, heartbeat time.Duration) {
	rc := http.NewResponseController(w)
	bw := bufio.NewWriterSize(w, 32<<10)
	flush := func() bool { return bw.Flush() == nil && rc.Flush() == nil }
	if !sub.Resumed && len(sub.Backlog) > 0 {
		bw.WriteString(": snapshot\n\n")
	}
	for _, e := range sub.Backlog {
		writeEvent(bw, e)
	}
	sub.Backlog = nil
	if !flush() {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			bw.WriteString(": heartbeat\n\n")
			if !flush() {
				return
			}
		case e, ok := <-sub.C():
			if !ok {
				if sub.Lagged() {
					bw.WriteString(": dropped: this consumer fell too far behind; reconnect with Last-Event-ID to resume\n\n")
					flush()
				}
				return
			}
			writeEvent(bw, e)
			if len(sub.C()) == 0 && !flush() {
				return
			}
		}
	}
}

func writeEvent(bw *bufio.Writer, e Event) {
	bw.WriteString("id: ")
	bw.WriteString(strconv.FormatUint(e.ID, 10))
	bw.WriteString("\nevent: ")
	bw.WriteString(e.Topic)
	bw.WriteString("\ndata: ")
	bw.Write(e.Data)
	bw.WriteString("\n\n")
}
