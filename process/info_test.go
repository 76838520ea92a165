package process

import (
	"testing"
	"time"
)

func TestTimedeltaMatchesPython(t *testing.T) {
	seconds := []int64{0, 5, 59, 60, 155, 3599, 3600, 86399, 86400, 86400 + 7384, 2 * 86400, 400*86400 + 1}
	var want []string
	python(t, `import datetime, json, sys; print(json.dumps([str(datetime.timedelta(seconds=s)) for s in json.load(sys.stdin)]))`, seconds, &want)
	for i, s := range seconds {
		if got := timedelta(s); got != want[i] {
			t.Errorf("timedelta(%d) = %q, want %q", s, got, want[i])
		}
	}
}

func TestDescribe(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	stop := start.Add(90 * time.Minute)
	tests := []struct {
		name string
		info Info
		want string
	}{
		{"running", Info{State: Running, PID: 42, Start: start, Now: start.Add(26*time.Hour + 3*time.Minute + 4*time.Second)}, "pid 42, uptime 1 day, 2:03:04"},
		{"running, clock set back", Info{State: Running, PID: 42, Start: start, Now: start.Add(-time.Hour)}, "pid 42, uptime 0:00:00"},
		{"fatal", Info{Name: "x", State: Fatal, SpawnErr: "Exited too quickly (process log may have details)"}, "Exited too quickly (process log may have details)"},
		{"backoff without spawnerr", Info{Name: "x", State: Backoff}, `unknown error (try "tail x")`},
		{"never started", Info{State: Stopped}, "Not started"},
		{"exited", Info{State: Exited, Start: start, Stop: stop}, stop.Local().Format("Jan 02 03:04 PM")},
		{"stopped without an exit", Info{State: Stopped, Start: start}, time.Unix(0, 0).Local().Format("Jan 02 03:04 PM")},
		{"starting", Info{State: Starting, Start: start}, ""},
		{"stopping", Info{State: Stopping, Start: start}, ""},
		{"unknown", Info{State: Unknown, Start: start}, ""},
	}
	for _, tt := range tests {
		if got := describe(tt.info); got != tt.want {
			t.Errorf("%s: describe = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStopTimeFormatMatchesPython(t *testing.T) {
	stamps := []int64{0, 1_700_000_000, 1_700_040_000, 1_710_000_000}
	var want []string
	python(t, `
import datetime, json, sys, time
print(json.dumps([datetime.datetime(*time.localtime(s)[:7]).strftime('%b %d %I:%M %p') for s in json.load(sys.stdin)]))`, stamps, &want)
	for i, s := range stamps {
		info := Info{State: Stopped, Start: time.Unix(1, 0), Stop: time.Unix(s, 0)}
		if s == 0 {
			info.Stop = time.Time{}
		}
		if got := describe(info); got != want[i] {
			t.Errorf("stop %d: %q, want %q", s, got, want[i])
		}
	}
}

func TestStateNames(t *testing.T) {
	for s, want := range map[State]string{Stopped: "STOPPED", Starting: "STARTING", Running: "RUNNING", Backoff: "BACKOFF",
		Stopping: "STOPPING", Exited: "EXITED", Fatal: "FATAL", Unknown: "UNKNOWN", 7: "STATE_7"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
	for s, want := range map[SupervisorState]string{SupervisorFatal: "FATAL", SupervisorRunning: "RUNNING",
		SupervisorRestarting: "RESTARTING", SupervisorShutdown: "SHUTDOWN", 9: "STATE_9"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
	groups := map[State][3]bool{ // running, stopped, signallable
		Stopped: {false, true, false}, Starting: {true, false, true}, Running: {true, false, true}, Backoff: {true, false, false},
		Stopping: {false, false, true}, Exited: {false, true, false}, Fatal: {false, true, false}, Unknown: {false, true, false},
	}
	for s, want := range groups {
		if got := [3]bool{s.IsRunning(), s.IsStopped(), s.IsSignallable()}; got != want {
			t.Errorf("%v: running/stopped/signallable %v, want %v", s, got, want)
		}
	}
}
