package process

import (
	"fmt"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/config"
)

// TestTicksAlignLikeSupervisord checks TICK_5, TICK_60 and TICK_3600 on a
// fake clock: none at start-up, then one per slice of each period, with the
// slice's start as "when", in the order 5, 60, 3600 at a shared boundary.
// The pool's listener never runs, so the events stay in its buffer.
func TestTicksAlignLikeSupervisord(t *testing.T) {
	h := newHarness(t, withFakeClock)
	start := h.clock.Now().Unix() // 1,700,000,000: 20 s into a minute, 800 s into an hour
	pool := group("ev", -1, h.program("ev", "sleep 1000"))
	pool.Listener = &config.ListenerPool{BufferSize: 1000, Events: []string{"TICK"}}
	h.run(t, pool)
	g := h.Group("ev")
	buffered := func() []string {
		h.bus.mu.Lock()
		defer h.bus.mu.Unlock()
		var out []string
		for _, n := range g.pool.buffer {
			out = append(out, n.name+" "+n.payload)
		}
		return out
	}
	if got := buffered(); len(got) != 0 {
		t.Fatalf("ticks at start-up: %q", got)
	}
	for range 3600 / 5 {
		h.clock.Advance(5 * time.Second)
	}
	got := buffered()
	counts := map[string]int{}
	for _, e := range got {
		var name string
		var when int64
		if _, err := fmt.Sscanf(e, "%s when:%d", &name, &when); err != nil {
			t.Fatalf("event %q: %v", e, err)
		}
		counts[name]++
		period := map[string]int64{"TICK_5": 5, "TICK_60": 60, "TICK_3600": 3600}[name]
		if when%period != 0 || when <= start-period || when > start+3600 {
			t.Errorf("%s when:%d: not a slice of %d s in the hour from %d", name, when, period, start)
		}
	}
	if counts["TICK_5"] != 720 || counts["TICK_60"] != 60 || counts["TICK_3600"] != 1 {
		t.Errorf("ticks in an hour: %v, want 720, 60, 1", counts)
	}
	// 2,800 s in, the hour and its minute and 5 s slice begin together.
	at := fmt.Sprintf("when:%d", start+2800)
	var order []string
	for _, e := range got {
		if len(e) > len(at) && e[len(e)-len(at):] == at {
			order = append(order, e)
		}
	}
	if fmt.Sprint(order) != fmt.Sprintf("[TICK_5 %[1]s TICK_60 %[1]s TICK_3600 %[1]s]", at) {
		t.Errorf("events at the hour: %q", order)
	}
}
