package conciliation

import (
	"reflect"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

func TestResolve(t *testing.T) {
	web, db := view.Key{Group: "web", Name: "server"}, view.Key{Group: "db", Name: "db"}
	// web: a RUNNING copy up 1 h on .1, a STARTING one up 2 s on .2, a
	// BACKOFF one (its last attempt 5 s ago) on .3; db: a tie on .2 and .3.
	conflicts := []Conflict{
		{web, []Copy{{"10.0.0.1", time.Hour}, {"10.0.0.2", 2 * time.Second}, {"10.0.0.3", 5 * time.Second}}},
		{db, []Copy{{"10.0.0.2", time.Minute}, {"10.0.0.3", time.Minute}}},
	}
	// all is every copy stopped; replaced is every copy stopped for one
	// to start again in its place.
	all := []Target{{web, "10.0.0.1", false}, {web, "10.0.0.2", false}, {web, "10.0.0.3", false}, {db, "10.0.0.2", false}, {db, "10.0.0.3", false}}
	replaced := make([]Target, len(all))
	for i, t := range all {
		replaced[i] = Target{t.Key, t.Address, true}
	}
	tests := []struct {
		s    enums.ConciliationStrategy
		want Plan
	}{
		{enums.ConciliateSenicide, Plan{Stop: []Target{{web, "10.0.0.1", true}, {web, "10.0.0.3", true}, {db, "10.0.0.3", true}}}},
		{enums.ConciliateInfanticide, Plan{Stop: []Target{{web, "10.0.0.2", true}, {web, "10.0.0.3", true}, {db, "10.0.0.3", true}}}},
		{enums.ConciliateUser, Plan{}},
		{enums.ConciliateStop, Plan{Stop: all}},
		{enums.ConciliateRestart, Plan{Stop: replaced, Restart: []view.Key{web, db}}},
		{enums.ConciliateRunningFailure, Plan{Stop: all, RunningFailure: []view.Key{web, db}}},
	}
	for _, tt := range tests {
		t.Run(tt.s.String(), func(t *testing.T) {
			got := Resolve(tt.s, conflicts)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve:\n got %+v\nwant %+v", got, tt.want)
			}
			if got.Empty() != (tt.s == enums.ConciliateUser) {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}
	if p := Resolve(enums.ConciliateSenicide, nil); !p.Empty() {
		t.Errorf("no conflicts: %+v", p)
	}
}
