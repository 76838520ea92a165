package view

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/supvisors/supvisors-go/enums"
)

func TestKeyNamespec(t *testing.T) {
	r := ProcessRecord{Group: "web", Name: "server_01"}
	if got := r.Key(); got != (Key{"web", "server_01"}) {
		t.Errorf("Key() = %v", got)
	}
	if got := r.Key().Namespec(); got != "web:server_01" {
		t.Errorf("Namespec() = %q", got)
	}
}

func TestSameContent(t *testing.T) {
	a := rec("g", "p", enums.ProcessRunning, 3, at(ms))
	b := a
	b.Seq = 9
	if !a.sameContent(b) {
		t.Error("records differing by Seq only: not the same content")
	}
	b.PID = 42
	if a.sameContent(b) {
		t.Error("records differing by PID: the same content")
	}
	c := a
	c.Removed = true
	if a.sameContent(c) {
		t.Error("a record and its tombstone: the same content")
	}
}

// step is one input to a nodeRecords: an update of the incarnation inc, or
// a full state, and the keys (by name, group "g") it must report touched.
type step struct {
	inc         uint64
	upd         *ProcessRecord
	full        *FullState
	wantTouched []string
}

func upd(inc uint64, r ProcessRecord, touched ...string) step {
	return step{inc: inc, upd: &r, wantTouched: touched}
}

func fullStep(inc, seq uint64, recs []ProcessRecord, touched ...string) step {
	return step{inc: inc, full: &FullState{Incarnation: inc, Seq: seq, Records: recs}, wantTouched: touched}
}

// live is a live record of g:name at seq in state st.
func live(name string, seq uint64, st enums.ProcessState) ProcessRecord {
	return ProcessRecord{Group: "g", Name: name, State: st, Seq: seq}
}

func runRec(name string, seq uint64) ProcessRecord { return live(name, seq, enums.ProcessRunning) }

func tomb(name string, seq uint64) ProcessRecord {
	return ProcessRecord{Group: "g", Name: name, State: enums.ProcessStopped, Seq: seq, Removed: true}
}

func recs(rs ...ProcessRecord) []ProcessRecord { return rs }

func TestNodeRecords(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		// want lists the live records at the end, by name; wantStored the
		// Seq of every stored entry (tombstones too) when not nil.
		want       []ProcessRecord
		wantStored map[string]uint64
		wantInc    uint64
		wantFull   uint64
	}{
		{
			name:    "updates in order",
			steps:   []step{upd(1, runRec("a", 1), "a"), upd(1, live("a", 2, enums.ProcessStopping), "a")},
			want:    recs(live("a", 2, enums.ProcessStopping)),
			wantInc: 1,
		},
		{
			name:    "an older Seq never replaces a newer one",
			steps:   []step{upd(1, live("a", 2, enums.ProcessStopping), "a"), upd(1, runRec("a", 1))},
			want:    recs(live("a", 2, enums.ProcessStopping)),
			wantInc: 1,
		},
		{
			name:    "a duplicate is ignored and touches nothing",
			steps:   []step{upd(1, runRec("a", 1), "a"), upd(1, runRec("a", 1))},
			want:    recs(runRec("a", 1)),
			wantInc: 1,
		},
		{
			name:    "a different record with the same Seq is ignored",
			steps:   []step{upd(1, runRec("a", 4), "a"), upd(1, live("a", 4, enums.ProcessFatal))},
			want:    recs(runRec("a", 4)),
			wantInc: 1,
		},
		{
			name:    "records of different keys are independent",
			steps:   []step{upd(1, runRec("b", 5), "b"), upd(1, runRec("a", 3), "a")},
			want:    recs(runRec("a", 3), runRec("b", 5)),
			wantInc: 1,
		},
		{
			name: "a newer incarnation drops every record, even newer-numbered ones",
			steps: []step{
				upd(1, runRec("a", 5), "a"), upd(1, runRec("b", 6), "b"),
				upd(2, runRec("c", 1), "a", "b", "c"),
			},
			want:    recs(runRec("c", 1)),
			wantInc: 2,
		},
		{
			name: "a newer incarnation does not report tombstones as touched",
			steps: []step{
				upd(1, runRec("a", 1), "a"), upd(1, tomb("a", 2), "a"), upd(1, runRec("b", 3), "b"),
				upd(2, runRec("c", 1), "b", "c"),
			},
			want:    recs(runRec("c", 1)),
			wantInc: 2,
		},
		{
			name:    "an older incarnation is ignored",
			steps:   []step{upd(2, runRec("a", 1), "a"), upd(1, runRec("b", 9)), upd(1, live("a", 9, enums.ProcessFatal))},
			want:    recs(runRec("a", 1)),
			wantInc: 2,
		},
		{
			name:    "a tombstone hides the record",
			steps:   []step{upd(1, runRec("a", 1), "a"), upd(1, tomb("a", 2), "a")},
			want:    nil,
			wantInc: 1, wantStored: map[string]uint64{"a": 2},
		},
		{
			name:    "a tombstone cannot be resurrected by an older update",
			steps:   []step{upd(1, tomb("a", 5), "a"), upd(1, runRec("a", 3)), upd(1, runRec("a", 5))},
			want:    nil,
			wantInc: 1, wantStored: map[string]uint64{"a": 5},
		},
		{
			name:    "a newer update brings a removed process back",
			steps:   []step{upd(1, runRec("a", 1), "a"), upd(1, tomb("a", 2), "a"), upd(1, runRec("a", 3), "a")},
			want:    recs(runRec("a", 3)),
			wantInc: 1,
		},
		{
			name: "a full state removes the records it lacks that are not newer than it",
			steps: []step{
				upd(1, runRec("a", 1), "a"), upd(1, runRec("b", 2), "b"),
				upd(1, runRec("c", 5), "c"), upd(1, runRec("d", 7), "d"),
				fullStep(1, 5, recs(runRec("a", 1)), "b", "c"),
			},
			want:     recs(runRec("a", 1), runRec("d", 7)),
			wantInc:  1,
			wantFull: 5,
		},
		{
			name: "a full state merges its newer records and keeps newer known ones",
			steps: []step{
				upd(1, runRec("a", 1), "a"), upd(1, live("b", 9, enums.ProcessStopping), "b"),
				fullStep(1, 6, recs(live("a", 4, enums.ProcessExited), runRec("b", 3), runRec("c", 6)), "a", "c"),
			},
			want:     recs(live("a", 4, enums.ProcessExited), live("b", 9, enums.ProcessStopping), runRec("c", 6)),
			wantInc:  1,
			wantFull: 6,
		},
		{
			name: "a repeated full state touches nothing",
			steps: []step{
				fullStep(1, 4, recs(runRec("a", 2), runRec("b", 4)), "a", "b"),
				fullStep(1, 4, recs(runRec("a", 2), runRec("b", 4))),
			},
			want:     recs(runRec("a", 2), runRec("b", 4)),
			wantInc:  1,
			wantFull: 4,
		},
		{
			name: "after a full state, an older update of a key it lacks is ignored",
			steps: []step{
				fullStep(1, 10, recs(runRec("a", 2)), "a"),
				upd(1, runRec("b", 7)),
				upd(1, runRec("b", 10)),
			},
			want:     recs(runRec("a", 2)),
			wantInc:  1,
			wantFull: 10,
		},
		{
			name: "after a full state, a newer update of a key it lacks is taken",
			steps: []step{
				fullStep(1, 10, recs(runRec("a", 2)), "a"),
				upd(1, runRec("b", 11), "b"),
			},
			want:     recs(runRec("a", 2), runRec("b", 11)),
			wantInc:  1,
			wantFull: 10,
		},
		{
			name: "a full state drops old tombstones and still blocks their resurrection",
			steps: []step{
				upd(1, runRec("a", 1), "a"), upd(1, tomb("a", 5), "a"),
				fullStep(1, 6, nil),
				upd(1, runRec("a", 4)),
			},
			want:       nil,
			wantStored: map[string]uint64{},
			wantInc:    1,
			wantFull:   6,
		},
		{
			name: "a full state keeps a tombstone newer than it",
			steps: []step{
				fullStep(1, 4, recs(runRec("a", 1)), "a"),
				upd(1, tomb("a", 8), "a"),
				fullStep(1, 6, recs(runRec("a", 1))),
			},
			want:       nil,
			wantStored: map[string]uint64{"a": 8},
			wantInc:    1,
			wantFull:   6,
		},
		{
			name: "an older full state after a newer one removes nothing newer than it",
			steps: []step{
				fullStep(1, 10, recs(runRec("a", 2), runRec("b", 8)), "a", "b"),
				fullStep(1, 5, recs(runRec("a", 2))),
			},
			want:     recs(runRec("a", 2), runRec("b", 8)),
			wantInc:  1,
			wantFull: 10,
		},
		{
			name: "a full state of a newer incarnation replaces everything",
			steps: []step{
				upd(1, runRec("a", 1), "a"), upd(1, runRec("b", 30), "b"),
				fullStep(2, 3, recs(runRec("c", 3)), "a", "b", "c"),
			},
			want:     recs(runRec("c", 3)),
			wantInc:  2,
			wantFull: 3,
		},
		{
			name: "a full state of an older incarnation is ignored",
			steps: []step{
				fullStep(2, 3, recs(runRec("a", 3)), "a"),
				fullStep(1, 9, recs(runRec("b", 9))),
			},
			want:     recs(runRec("a", 3)),
			wantInc:  2,
			wantFull: 3,
		},
		{
			name: "a newer incarnation forgets the previous full state's Seq",
			steps: []step{
				fullStep(1, 50, recs(runRec("a", 50)), "a"),
				upd(2, runRec("b", 1), "a", "b"),
			},
			want:     recs(runRec("b", 1)),
			wantInc:  2,
			wantFull: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The ring's news, as address.current takes it, is stood for
			// here by each step's incarnation when it is not older.
			n := newNodeRecords(0)
			for i, s := range tt.steps {
				tc := touched{}
				if s.inc >= n.incarnation {
					n.adopt(s.inc, tc)
					switch {
					case s.upd != nil:
						n.apply(*s.upd, tc)
					case s.full != nil:
						n.applyFull(*s.full, tc)
					}
				}
				var got []string
				for k := range tc {
					got = append(got, k.Name)
				}
				slices.Sort(got)
				want := slices.Clone(s.wantTouched)
				slices.Sort(want)
				wantStrings(t, fmt.Sprintf("step %d touched", i), got, want)
			}
			if n.incarnation != tt.wantInc {
				t.Errorf("incarnation %d, want %d", n.incarnation, tt.wantInc)
			}
			if n.fullSeq != tt.wantFull {
				t.Errorf("fullSeq %d, want %d", n.fullSeq, tt.wantFull)
			}
			var gotLive []ProcessRecord
			for _, k := range slices.SortedFunc(maps.Keys(n.byKey), compareKeys) {
				if r, ok := n.get(k); ok {
					gotLive = append(gotLive, r)
				}
			}
			if !slices.Equal(gotLive, tt.want) {
				t.Errorf("live records\n got %+v\nwant %+v", gotLive, tt.want)
			}
			if tt.wantStored != nil {
				stored := map[string]uint64{}
				for k, r := range n.byKey {
					stored[k.Name] = r.Seq
				}
				if !maps.Equal(stored, tt.wantStored) {
					t.Errorf("stored %v, want %v", stored, tt.wantStored)
				}
			}
		})
	}
}

func TestNodeRecordsAdopt(t *testing.T) {
	n := newNodeRecords(5)
	n.apply(runRec("a", 1), touched{})
	tc := touched{}
	if n.adopt(5, tc); len(tc) != 0 || len(n.byKey) != 1 {
		t.Errorf("adopt(current): nothing touched, records kept; touched %v, records %v", tc, n.byKey)
	}
	// Any other incarnation is another agent, a lower one too (its clock
	// was set back).
	if n.adopt(4, tc); n.incarnation != 4 || len(n.byKey) != 0 || len(tc) != 1 {
		t.Errorf("adopt(lower): incarnation %d, records %v, touched %v", n.incarnation, n.byKey, tc)
	}
}

// TestAddressCurrent: the ring says which incarnation is current; before
// it says anything, none is (a forged record of an incarnation no agent
// has would hide the real ones).
func TestAddressCurrent(t *testing.T) {
	a := &address{records: newNodeRecords(5)}
	if a.current(5) || a.current(6) || a.current(math.MaxUint64) {
		t.Error("without the ring's news: no incarnation is current")
	}
	a.meta.Incarnation = 3
	if !a.current(3) || a.current(5) || a.current(6) || a.current(math.MaxUint64) {
		t.Error("with the ring's news: its incarnation only is current")
	}
}
