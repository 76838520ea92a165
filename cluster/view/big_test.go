package view

import (
	"fmt"
	"testing"

	"github.com/supvisors/supvisors-go/enums"
)

// bigView is the view of the first of 10 RUNNING addresses that run 1,000
// processes each, an application per address (the integration's
// BenchmarkBigView).
func bigView(tb testing.TB) *View {
	tb.Helper()
	var list []string
	for i := range 10 {
		list = append(list, fmt.Sprintf("10.0.1.%d", i+1))
	}
	cfg := testConfig(list[0])
	cfg.AddressList = list
	v := New(cfg, localInc, t0)
	now := at(100 * ms)
	for i, name := range list {
		var recs []ProcessRecord
		for j := range 1000 {
			recs = append(recs, rec(fmt.Sprintf("n%02d", i+1), fmt.Sprintf("n%02d_%04d", i+1, j), enums.ProcessRunning, uint64(j+1), now))
		}
		if i == 0 {
			for _, r := range recs {
				v.SetLocal(r)
			}
			continue
		}
		v.MemberAlive(name, Meta{Incarnation: 100 + uint64(i), State: enums.SupvisorsInitialization}, now)
		fs := FullState{Node: name, Incarnation: 100 + uint64(i), Records: recs, Seq: 1000, Ready: true}
		if err := v.ApplyFullState(fs, now); err != nil {
			tb.Fatal(err)
		}
	}
	if n := len(v.Processes()); n != 10_000 {
		tb.Fatalf("%d processes, want 10,000", n)
	}
	return v
}

// BenchmarkProcesses10000: what get_all_process_info and the event feed
// read of the view at every call, at 10,000 processes.
func BenchmarkProcesses10000(b *testing.B) {
	v := bigView(b)
	b.ResetTimer()
	for range b.N {
		v.Processes()
	}
}

// BenchmarkApplications10000: the applications of 10,000 processes.
func BenchmarkApplications10000(b *testing.B) {
	v := bigView(b)
	b.ResetTimer()
	for range b.N {
		v.Applications()
	}
}
