package process

import (
	"slices"
	"testing"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

func TestStartRefusal(t *testing.T) {
	cases := []struct {
		state    enums.ProcessState
		disabled bool
		want     string // "" for none
	}{
		{enums.ProcessStopped, false, ""},
		{enums.ProcessExited, false, ""},
		{enums.ProcessFatal, false, ""},
		{enums.ProcessBackoff, false, "ALREADY_STARTED: x"},
		{enums.ProcessRunning, false, "ALREADY_STARTED: x"},
		{enums.ProcessStarting, false, "ALREADY_STARTED: x"},
		{enums.ProcessUnknown, false, "FAILED: x is in an unknown process state"},
		{enums.ProcessStopped, true, "DISABLED: x"},
		{enums.ProcessFatal, true, "DISABLED: x"},
		{enums.ProcessStopping, true, "DISABLED: x"},
		{enums.ProcessRunning, true, "DISABLED: x"},
	}
	for _, tc := range cases {
		err := startRefusal(tc.state, tc.disabled, "x")
		got := ""
		if err != nil {
			got = err.(*fault.Fault).String
		}
		if got != tc.want {
			t.Errorf("startRefusal(%v, disabled %v) = %q, want %q", tc.state, tc.disabled, got, tc.want)
		}
	}
}

func TestNamesDiff(t *testing.T) {
	cases := []struct {
		before, after, add, remove []string
	}{
		{[]string{"w_0", "w_1"}, []string{"w_0", "w_1", "w_2"}, []string{"w_2"}, nil},
		{[]string{"w_0", "w_1", "w_10", "w_2"}, []string{"w_0"}, nil, []string{"w_1", "w_10", "w_2"}},
		{[]string{"w_0"}, []string{"w_0"}, nil, nil},
		{[]string{"w_5", "w_6"}, []string{"w_5", "w_6", "w_7", "w_8"}, []string{"w_7", "w_8"}, nil},
	}
	for _, tc := range cases {
		add, remove := namesDiff(tc.before, tc.after)
		if !slices.Equal(add, tc.add) || !slices.Equal(remove, tc.remove) {
			t.Errorf("namesDiff(%v, %v) = %v, %v; want %v, %v", tc.before, tc.after, add, remove, tc.add, tc.remove)
		}
	}
}

// TestSetDisabled: a disabled program's processes refuse every start and
// are not autostarted, those made later too; enabled, they start.
func TestSetDisabled(t *testing.T) {
	h := newHarness(t)
	auto := h.program("auto", "sleep 1000", func(c *config.Process) { c.Autostart = true; c.Startsecs = 0 })
	other := h.program("other", "sleep 1000", func(c *config.Process) { c.Startsecs = 0 })
	h.SetDisabled("auto", true)
	procs := h.run(t, group("auto", 1, auto), group("other", 2, other))
	if st := procs["auto"].State(); st != enums.ProcessStopped || !procs["auto"].Info().Disabled {
		t.Errorf("disabled autostart program: %v, disabled %v; want STOPPED, disabled", st, procs["auto"].Info().Disabled)
	}
	wantFault(t, procs["auto"].Start(""), fault.Disabled, "DISABLED: auto")
	if got := h.SetDisabled("other", true); len(got) != 1 || got[0] != procs["other"] {
		t.Errorf("SetDisabled(other) returned %v", got)
	}
	wantFault(t, procs["other"].Start(""), fault.Disabled, "DISABLED: other")
	h.SetDisabled("auto", false)
	if err := procs["auto"].Start(""); err != nil {
		t.Errorf("Start once enabled: %v", err)
	}
	h.waitState(t, procs["auto"], enums.ProcessRunning)
}

// TestResizeProgram grows then shrinks a homogeneous program inside its
// group: the processes kept are the same (still running), the new ones
// join stopped, the ones removed must be stopped first.
func TestResizeProgram(t *testing.T) {
	h := newHarness(t)
	worker := func(n int) *config.Group {
		var procs []*config.Process
		for i := range n {
			name := "w_" + string(rune('0'+i))
			procs = append(procs, h.program(name, "sleep 1000", func(c *config.Process) { c.Program, c.Startsecs, c.Homogeneous = "w", 0, true }))
		}
		return group("w", 1, procs...)
	}
	procs := h.run(t, worker(2))
	if err := procs["w_1"].Start(""); err != nil {
		t.Fatal(err)
	}
	h.waitState(t, procs["w_1"], enums.ProcessRunning)

	added, removed, err := h.ResizeProgram(worker(4), "w")
	if err != nil || !slices.Equal(added, []string{"w_2", "w_3"}) || removed != nil {
		t.Fatalf("grow: %v, %v, %v", added, removed, err)
	}
	g := h.Group("w")
	if g.Process("w_1") != procs["w_1"] || g.Process("w_1").State() != enums.ProcessRunning || g.Process("w_3").State() != enums.ProcessStopped {
		t.Errorf("after growing: w_1 %v (same %v), w_3 %v", g.Process("w_1").State(), g.Process("w_1") == procs["w_1"], g.Process("w_3").State())
	}
	_, _, err = h.ResizeProgram(worker(1), "w")
	wantFault(t, err, fault.StillRunning, "STILL_RUNNING: w:w_1")
	if len(h.Group("w").Processes()) != 4 {
		t.Errorf("a refused shrink changed the group")
	}
	if err := procs["w_1"].Stop(); err != nil {
		t.Fatal(err)
	}
	h.waitState(t, procs["w_1"], enums.ProcessStopped)
	added, removed, err = h.ResizeProgram(worker(1), "w")
	if err != nil || added != nil || !slices.Equal(removed, []string{"w_1", "w_2", "w_3"}) {
		t.Fatalf("shrink: %v, %v, %v", added, removed, err)
	}
	var names []string
	for _, p := range h.Processes() {
		names = append(names, p.Name())
	}
	if !slices.Equal(names, []string{"w_0"}) {
		t.Errorf("processes after shrinking: %v", names)
	}
	_, _, err = h.ResizeProgram(group("nosuch", 1), "w")
	wantFault(t, err, fault.BadName, "BAD_NAME: w")
}
