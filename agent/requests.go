package agent

import "sync"

// request is what the loop in Run is asked to do next.
type request int

const (
	requestShutdown request = iota
	requestRestart
	requestReload
)

// requests holds what Run has been asked to do and not done yet. Nothing
// asked is ever dropped, however many requests come at once:
//   - a shutdown is sticky: once asked, it wins over everything else, for
//     the rest of the agent's life (a SIGTERM after a burst of SIGHUPs, or
//     during a restart, still ends the agent);
//   - a restart is asked of the generation that runs: asking again before
//     it is carried out, or while it is (the old generation stops), is the
//     same restart, not a second one;
//   - reloads coalesce: one pending reload re-reads the file after every
//     change made before it was asked, and a restart re-reads it anyway.
//
// Safe for concurrent use.
type requests struct {
	// wake has room for one token: there is something to look at.
	wake chan struct{}

	mu         sync.Mutex
	shutdown   bool
	restart    bool
	restarting bool // a restart was taken and the next generation has not started
	reload     bool
}

func newRequests() *requests { return &requests{wake: make(chan struct{}, 1)} }

// ask records r and wakes the loop.
func (q *requests) ask(r request) {
	q.mu.Lock()
	switch r {
	case requestShutdown:
		q.shutdown = true
	case requestRestart:
		q.restart = q.restart || !q.restarting
	case requestReload:
		q.reload = true
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default: // a token is already there: the loop will look at everything
	}
}

// take returns the most urgent request and marks it done; false when
// nothing is pending.
func (q *requests) take() (request, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.shutdown:
		return requestShutdown, true
	case q.restart:
		q.restart, q.restarting, q.reload = false, true, false
		return requestRestart, true
	case q.reload:
		q.reload = false
		return requestReload, true
	}
	return 0, false
}

// shuttingDown tells whether a shutdown was asked.
func (q *requests) shuttingDown() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.shutdown
}

// restarted ends the restart taken last: the next generation is about to
// start, and a restart asked from now on is asked of it.
func (q *requests) restarted() {
	q.mu.Lock()
	q.restarting = false
	q.mu.Unlock()
}
