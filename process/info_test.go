package process

import (
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
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
		{"running", Info{State: enums.ProcessRunning, PID: 42, Start: start, Now: start.Add(26*time.Hour + 3*time.Minute + 4*time.Second)}, "pid 42, uptime 1 day, 2:03:04"},
		{"running, clock set back", Info{State: enums.ProcessRunning, PID: 42, Start: start, Now: start.Add(-time.Hour)}, "pid 42, uptime 0:00:00"},
		{"fatal", Info{Name: "x", State: enums.ProcessFatal, SpawnErr: "Exited too quickly (process log may have details)"}, "Exited too quickly (process log may have details)"},
		{"backoff without spawnerr", Info{Name: "x", State: enums.ProcessBackoff}, `unknown error (try "tail x")`},
		{"never started", Info{State: enums.ProcessStopped}, "Not started"},
		{"exited", Info{State: enums.ProcessExited, Start: start, Stop: stop}, stop.Local().Format("Jan 02 03:04 PM")},
		{"stopped without an exit", Info{State: enums.ProcessStopped, Start: start}, time.Unix(0, 0).Local().Format("Jan 02 03:04 PM")},
		{"starting", Info{State: enums.ProcessStarting, Start: start}, ""},
		{"stopping", Info{State: enums.ProcessStopping, Start: start}, ""},
		{"unknown", Info{State: enums.ProcessUnknown, Start: start}, ""},
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
		info := Info{State: enums.ProcessStopped, Start: time.Unix(1, 0), Stop: time.Unix(s, 0)}
		if s == 0 {
			info.Stop = time.Time{}
		}
		if got := describe(info); got != want[i] {
			t.Errorf("stop %d: %q, want %q", s, got, want[i])
		}
	}
}
