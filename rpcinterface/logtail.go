package rpcinterface

import (
	"net/http"
	"os"
	"strings"

	"github.com/supvisors/supvisors-go/logfile"
)

// followHead is how much of the existing log a tail -f client sees first,
// as in Supervisor's logtail handler.
const followHead = 1024

// LogtailHandler serves GET /logtail/{namespec}[/{stdout|stderr}], the stream
// `supervisorctl tail -f` reads. Safe for concurrent use.
func (s *SupervisorService) LogtailHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		rest := strings.TrimLeft(strings.TrimPrefix(r.URL.Path, "/logtail"), "/")
		namespec, channel, found := strings.Cut(rest, "/")
		if !found {
			channel = "stdout"
		}
		_, p, err := s.lookup(namespec)
		if err != nil || p == nil || (channel != "stdout" && channel != "stderr") {
			http.NotFound(w, r)
			return
		}
		follow(w, r, p.Log(channel))
	})
}

// MainLogtailHandler serves GET /mainlogtail, the stream `supervisorctl
// maintail -f` reads. Safe for concurrent use.
func (s *SupervisorService) MainLogtailHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		follow(w, r, s.control.MainLog())
	})
}

// follow streams log until the client goes away; 404 while the file does not
// exist (a process that never started has no log yet).
func follow(w http.ResponseWriter, r *http.Request, log *logfile.File) {
	if log == nil {
		http.NotFound(w, r)
		return
	}
	st, err := os.Stat(log.Path())
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Last-Modified", st.ModTime().UTC().Format(http.TimeFormat))
	h.Set("Content-Type", "text/plain;charset=utf-8")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flush := func() {}
	if f, ok := w.(http.Flusher); ok {
		flush = f.Flush
		flush()
	}
	_ = logfile.Follow(r.Context(), w, flush, log.Path(), followHead, log.Changed)
}
