package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/internal/testwait"
	"github.com/supvisors/supvisors-go/process"
)

// writeConfig writes a supervisord.conf of a cluster of one into dir, its
// main log in dir/main.log at debug level, with body appended.
func writeConfig(tb testing.TB, dir, body string) string {
	tb.Helper()
	path := filepath.Join(dir, "supervisord.conf")
	text := "[supervisord]\nlogfile=%(here)s/main.log\npidfile=%(here)s/supervisord.pid\nloglevel=debug\nsilent=true\n" + body
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// running is an Agent whose Run goes on in its own goroutine.
type running struct {
	*Agent
	dir  string
	done chan error // receives what Run returned
}

// startAgent creates an agent on the configuration at path and runs it;
// the cleanup shuts it down and waits for Run.
func startAgent(tb testing.TB, path string) *running {
	tb.Helper()
	a, err := Create(Options{ConfigPath: path, Environ: os.Environ()})
	if err != nil {
		tb.Fatal(err)
	}
	r := &running{Agent: a, dir: filepath.Dir(path), done: make(chan error, 1)}
	go func() { r.done <- a.Run(context.Background()) }()
	tb.Cleanup(func() {
		a.Shutdown()
		select {
		case <-r.done:
		case <-time.After(time.Minute):
			tb.Error("Run did not return at the end of the test")
		}
	})
	return r
}

// wait fails tb unless Run returns nil within timeout.
func (r *running) wait(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	select {
	case err := <-r.done:
		if err != nil {
			tb.Fatalf("Run: %v", err)
		}
		r.done <- nil // for the cleanup
	case <-time.After(timeout):
		tb.Fatalf("Run did not return within %v\n%s", timeout, r.log(tb))
	}
}

// process returns the process name of the generation that runs, nil
// between generations.
func (r *running) process(name string) *process.Process {
	r.mu.Lock()
	gen := r.gen
	r.mu.Unlock()
	if gen == nil {
		return nil
	}
	g := gen.sup.Group(name)
	if g == nil {
		return nil
	}
	return g.Processes()[0]
}

// waitState waits until the process name of the running generation is in
// state, and returns it.
func (r *running) waitState(tb testing.TB, name string, state enums.ProcessState) *process.Process {
	tb.Helper()
	var p *process.Process
	waitFor(tb, 20*time.Second, func() (bool, string) {
		p = r.process(name)
		if p == nil {
			return false, "no process " + name
		}
		return p.State() == state, p.State().String() + "\n" + r.log(tb)
	})
	return p
}

// log returns the agent's main log so far.
func (r *running) log(tb testing.TB) string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(r.dir, "main.log"))
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// waitLog waits until the main log holds want n times.
func (r *running) waitLog(tb testing.TB, want string, n int) {
	tb.Helper()
	waitFor(tb, 20*time.Second, func() (bool, string) {
		text := r.log(tb)
		return strings.Count(text, want) >= n, text
	})
}

// waitFor polls cond until it holds, at most timeout (testwait.For).
var waitFor = testwait.For
