package process

import (
	"fmt"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// Info is a snapshot of one process: everything getProcessInfo needs. Times
// are zero when the event never happened. It is a plain value, safe to copy
// and share.
type Info struct {
	Name, Group string
	// Start is the last start, Stop the last exit, Now when the snapshot
	// was taken.
	Start, Stop, Now time.Time
	State            enums.ProcessState
	SpawnErr         string
	// ExitStatus is the last exit status: 0 if none, -1 when the child was
	// killed by a signal (decode_wait_status).
	ExitStatus                   int
	StdoutLogfile, StderrLogfile string
	PID                          int // 0 when not running
	// Description is what rpcinterface._interpretProcessInfo makes of the
	// above (local time zone).
	Description string
	// Expected tells whether the last exit status was in exitcodes.
	Expected bool
	// LastEvent is the time of the last state change.
	LastEvent time.Time
	// Disabled: its program is disabled (supvisors.disable).
	Disabled bool
	// ExtraArgs are the extra arguments of the last start (start_args).
	ExtraArgs string
}

// epoch is capped_int(t) for a Supervisor timestamp: seconds, 0 for never.
func epoch(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// describe is rpcinterface._interpretProcessInfo: the description column of
// supervisorctl status.
func describe(info Info) string {
	switch info.State {
	case enums.ProcessRunning:
		uptime := epoch(info.Now) - epoch(info.Start)
		return fmt.Sprintf("pid %d, uptime %s", info.PID, timedelta(max(uptime, 0)))
	case enums.ProcessFatal, enums.ProcessBackoff:
		if info.SpawnErr != "" {
			return info.SpawnErr
		}
		return fmt.Sprintf(`unknown error (try "tail %s")`, info.Name)
	case enums.ProcessStopped, enums.ProcessExited:
		if epoch(info.Start) == 0 {
			return "Not started"
		}
		return time.Unix(epoch(info.Stop), 0).Local().Format("Jan 02 03:04 PM")
	}
	return ""
}

// timedelta formats a non-negative number of seconds as Python's str() of
// a datetime.timedelta: "0:02:35", "1 day, 2:03:04", "3 days, 0:00:00".
func timedelta(seconds int64) string {
	days, rest := seconds/86400, seconds%86400
	hms := fmt.Sprintf("%d:%02d:%02d", rest/3600, rest%3600/60, rest%60)
	switch days {
	case 0:
		return hms
	case 1:
		return "1 day, " + hms
	}
	return fmt.Sprintf("%d days, %s", days, hms)
}
