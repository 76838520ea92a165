package agent

import (
	"slices"
	"testing"
)

// TestRequests checks what the loop takes after a sequence of asks: a
// shutdown is never lost nor overtaken, a restart is never lost and is
// done once however often it is asked until the next generation starts,
// and reloads coalesce.
func TestRequests(t *testing.T) {
	const (
		S    = requestShutdown
		R    = requestRestart
		L    = requestReload
		take = request(-1) // the loop takes everything pending
		gen  = request(-2) // the next generation starts (restarted)
	)
	for _, c := range []struct {
		name  string
		steps []request
		want  []request
	}{
		{"nothing", []request{take}, nil},
		{"a shutdown after a burst of reloads", []request{L, L, L, L, L, L, S, take}, []request{S}},
		{"a shutdown stays", []request{S, take, take}, []request{S, S}},
		{"a shutdown before reloads", []request{S, L, L, take}, []request{S}},
		{"a restart after a burst of reloads covers them", []request{L, L, L, L, L, R, take}, []request{R}},
		{"reloads after a restart is taken", []request{R, take, L, gen, take}, []request{R, L}},
		{"restarts asked together are one", []request{R, R, L, R, take}, []request{R}},
		{"a restart asked while one is under way is the same", []request{R, take, R, R, gen, take}, []request{R}},
		{"a restart asked of the next generation", []request{R, take, gen, R, take}, []request{R, R}},
		{"a shutdown while a restart is under way", []request{R, take, S, take}, []request{R, S}},
		{"a shutdown wins over a pending restart", []request{R, S, take}, []request{S}},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := newRequests()
			var got []request
			for _, s := range c.steps {
				switch s {
				case take:
					for {
						r, ok := q.take()
						if !ok {
							break
						}
						got = append(got, r)
						if r == S {
							break // Run ends
						}
					}
				case gen:
					q.restarted()
				default:
					q.ask(s)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("took %v, want %v", got, c.want)
			}
		})
	}
}
