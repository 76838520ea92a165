package rpcinterface

import (
	"math"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/api"
)

// TestCheckPeerStatistics checks that a peer's statistics are refused when
// they answer another question, are out of bounds or not finite.
func TestCheckPeerStatistics(t *testing.T) {
	good := func() api.HostStatistics {
		return api.HostStatistics{AddressName: "b", Period: 10, CPU: []float64{50, 40, 60}, Mem: 30,
			IO:      map[string][]float64{"lo": {1.5, 2}},
			History: api.StatsHistory{Time: []float64{1e9}, CPU: []float64{50}, Mem: []float64{30}}}
	}
	if err := checkPeerHost(good(), "b", 10); err != nil {
		t.Fatalf("good host refused: %v", err)
	}
	hosts := map[string]func(h *api.HostStatistics){
		"other address":  func(h *api.HostStatistics) { h.AddressName = "c" },
		"other period":   func(h *api.HostStatistics) { h.Period = 5 },
		"cpu over 100":   func(h *api.HostStatistics) { h.CPU[1] = 100.5 },
		"cpu NaN":        func(h *api.HostStatistics) { h.CPU[0] = math.NaN() },
		"negative mem":   func(h *api.HostStatistics) { h.Mem = -1 },
		"too many cores": func(h *api.HostStatistics) { h.CPU = make([]float64, maxPeerCores+2) },
		"infinite rate":  func(h *api.HostStatistics) { h.IO["lo"][0] = math.Inf(1) },
		"one rate":       func(h *api.HostStatistics) { h.IO["lo"] = []float64{1} },
		"long interface": func(h *api.HostStatistics) { h.IO[strings.Repeat("x", maxPeerIfaceName+1)] = []float64{0, 0} },
		"uneven history": func(h *api.HostStatistics) { h.History.CPU = nil },
		"long history": func(h *api.HostStatistics) {
			h.History = api.StatsHistory{Time: make([]float64, maxPeerHistory+1), CPU: make([]float64, maxPeerHistory+1), Mem: make([]float64, maxPeerHistory+1)}
		},
		"negative time":   func(h *api.HostStatistics) { h.History.Time[0] = -1 },
		"history mem 101": func(h *api.HostStatistics) { h.History.Mem[0] = 101 },
	}
	for name, spoil := range hosts {
		h := good()
		spoil(&h)
		if err := checkPeerHost(h, "b", 10); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	proc := func() []api.ProcessStatistics {
		return []api.ProcessStatistics{{Namespec: "g:p", AddressName: "b", PID: 42, Period: 10, CPU: 150, Mem: 1}}
	}
	if err := checkPeerProcesses(proc(), "g:p", "b", 10); err != nil {
		t.Fatalf("good process refused (IRIX mode goes past 100): %v", err)
	}
	if err := checkPeerProcesses(nil, "g:p", "b", 10); err != nil {
		t.Fatalf("no entry (stopped meanwhile) refused: %v", err)
	}
	procs := map[string]func(p []api.ProcessStatistics) []api.ProcessStatistics{
		"two entries":   func(p []api.ProcessStatistics) []api.ProcessStatistics { return append(p, p[0]) },
		"other process": func(p []api.ProcessStatistics) []api.ProcessStatistics { p[0].Namespec = "x"; return p },
		"other address": func(p []api.ProcessStatistics) []api.ProcessStatistics { p[0].AddressName = "c"; return p },
		"no pid":        func(p []api.ProcessStatistics) []api.ProcessStatistics { p[0].PID = 0; return p },
		"cpu NaN":       func(p []api.ProcessStatistics) []api.ProcessStatistics { p[0].CPU = math.NaN(); return p },
		"mem over 100":  func(p []api.ProcessStatistics) []api.ProcessStatistics { p[0].Mem = 200; return p },
	}
	for name, spoil := range procs {
		if err := checkPeerProcesses(spoil(proc()), "g:p", "b", 10); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
