package strategy

import (
	"reflect"
	"testing"

	"github.com/supvisors/supvisors-go/enums"
)

func TestAfterPhase(t *testing.T) {
	for _, c := range []struct {
		s      enums.StartingFailureStrategy
		failed int
		want   PhaseOutcome
	}{
		{enums.FailAbort, 0, NextPhase},
		{enums.FailStop, 0, NextPhase},
		{enums.FailContinue, 0, NextPhase},
		{enums.FailAbort, 1, Abort},
		{enums.FailStop, 2, StopAndAbort},
		{enums.FailContinue, 3, NextPhase},
	} {
		if got := AfterPhase(c.s, c.failed); got != c.want {
			t.Errorf("AfterPhase(%v, %d) = %v, want %v", c.s, c.failed, got, c.want)
		}
	}
}

func TestRunningFailures(t *testing.T) {
	f := func(process, app string, s enums.RunningFailureStrategy) Failure[string] {
		return Failure[string]{Process: process, Application: app, Strategy: s}
	}
	busy := func(x Failure[string]) Failure[string] { x.Busy = true; return x }
	for _, c := range []struct {
		name     string
		failures []Failure[string]
		want     Repairs[string]
	}{
		{name: "none"},
		{name: "continue only logs", failures: []Failure[string]{f("a:x", "a", enums.RunContinue)}},
		{name: "restart process",
			failures: []Failure[string]{f("a:x", "a", enums.RunRestartProcess), f("a:y", "a", enums.RunContinue), f("a:x", "a", enums.RunRestartProcess)},
			want:     Repairs[string]{RestartProcesses: []string{"a:x"}}},
		{name: "stop application once",
			failures: []Failure[string]{f("a:x", "a", enums.RunStopApplication), f("a:y", "a", enums.RunStopApplication)},
			want:     Repairs[string]{StopApplications: []string{"a"}}},
		{name: "restart application over restart process",
			failures: []Failure[string]{f("a:x", "a", enums.RunRestartProcess), f("a:y", "a", enums.RunRestartApplication)},
			want:     Repairs[string]{RestartApplications: []string{"a"}}},
		{name: "stop application over restart application",
			failures: []Failure[string]{f("a:x", "a", enums.RunRestartApplication), f("a:y", "a", enums.RunStopApplication), f("a:z", "a", enums.RunRestartProcess)},
			want:     Repairs[string]{StopApplications: []string{"a"}}},
		{name: "applications apart",
			failures: []Failure[string]{f("a:x", "a", enums.RunStopApplication), f("b:x", "b", enums.RunRestartProcess),
				f("c:x", "c", enums.RunRestartApplication), f("b:y", "b", enums.RunRestartProcess)},
			want: Repairs[string]{StopApplications: []string{"a"}, RestartApplications: []string{"c"}, RestartProcesses: []string{"b:x", "b:y"}}},
		{name: "busy left out",
			failures: []Failure[string]{busy(f("a:x", "a", enums.RunStopApplication)), f("a:y", "a", enums.RunRestartProcess)},
			want:     Repairs[string]{RestartProcesses: []string{"a:y"}}},
	} {
		got := RunningFailures(c.failures)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: RunningFailures = %+v, want %+v", c.name, got, c.want)
		}
		if got.Empty() != (len(c.want.StopApplications)+len(c.want.RestartApplications)+len(c.want.RestartProcesses) == 0) {
			t.Errorf("%s: Empty() = %v", c.name, got.Empty())
		}
	}
}

func TestAfterStart(t *testing.T) {
	for _, c := range []struct {
		o    StartOutcome
		ever bool
		want JobNext
	}{
		{Started, true, JobDone},
		{Started, false, JobDone},
		{NoAddress, true, JobWait},
		{AddressFailed, true, JobWait},
		{ProcessFailed, true, JobGiveUp},
		{NoAddress, false, JobGiveUp},
		{AddressFailed, false, JobGiveUp},
	} {
		if got := AfterStart(c.o, c.ever); got != c.want {
			t.Errorf("AfterStart(%v, %v) = %v, want %v", c.o, c.ever, got, c.want)
		}
	}
}
