package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// listenerScript is testdata/listener.py, a listener written with
// supervisor.childutils that records the events it is sent.
func listenerScript(t *testing.T) string {
	t.Helper()
	path, err := filepath.Abs("testdata/listener.py")
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// waitRecord waits until the record file has at least n lines holding
// every one of parts.
func waitRecord(t *testing.T, s *server, file string, n int, parts ...string) {
	t.Helper()
	waitFor(t, 20*time.Second, func() (bool, string) {
		data, _ := os.ReadFile(filepath.Join(s.dir, file))
		count := 0
		for _, line := range strings.Split(string(data), "\n") {
			all := line != ""
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				count++
			}
		}
		return count >= n, fmt.Sprintf("%s: %d lines with %q in %s:\n%s", s.name, count, parts, file, data)
	})
}

// listenerLogLines returns the main log's lines about listeners and pools
// (results, protocol violations, overflows) as "LEVEL message", without
// timestamps: supervisord writes "date time LEVEL message", supvisors
// "date time [LEVEL]  logger: message".
func listenerLogLines(t *testing.T, s *server) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir, "supervisord.log"))
	if err != nil {
		t.Fatal(err)
	}
	about := regexp.MustCompile(`event was rejected|bad result line|UNKNOWN state|event buffer overflowed`)
	theirs := regexp.MustCompile(`^\S+ \S+ (\S+) (.*)$`)
	ours := regexp.MustCompile(`\[(TRACE|DEBUG|INFO|WARN|ERROR)\]\s+[\w.]+: (.*)$`)
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if !about.MatchString(line) {
			continue
		}
		m := ours.FindStringSubmatch(line)
		if m != nil && m[1] == "ERROR" {
			m[1] = "ERRO" // supervisord's name of the level
		}
		if m == nil {
			m = theirs.FindStringSubmatch(line)
		}
		if m == nil {
			t.Fatalf("%s: log line in no known format: %q", s.name, line)
		}
		out = append(out, m[1]+" "+m[2])
	}
	return strings.Join(out, "\n")
}

// compareListeners runs scenario against Debian's supervisord and against
// supvisors with the same configuration, in parallel, and requires the
// same records (the files scenario returns) and the same listener log
// lines.
func compareListeners(t *testing.T, body string, scenario func(s *server) []string) {
	t.Helper()
	results := map[string][]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, kind := range []string{"supervisord", "supvisors"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := startServer(t, kind, body)
			var out []string
			for _, file := range scenario(s) {
				data, err := os.ReadFile(filepath.Join(s.dir, file))
				if err != nil {
					t.Errorf("%s: %v", kind, err)
				}
				out = append(out, file+":\n"+string(data))
			}
			out = append(out, "log:\n"+listenerLogLines(t, s))
			mu.Lock()
			results[kind] = out
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	want, got := results["supervisord"], results["supvisors"]
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("differs from supervisord\n--- supervisord:\n%s\n--- supvisors:\n%s", want[i], got[i])
		}
	}
}

// TestEventListenerMatchesSupervisord has the same childutils listener
// record what each daemon sends it: PROCESS_STATE_* of every kind (the
// listener's own too), PROCESS_GROUP_ADDED/REMOVED and
// SUPERVISOR_STATE_CHANGE_RUNNING, an event the listener FAILs (sent
// again), and an event whose listener dies before answering (sent again to
// its next child); the listener writes READY and its results in pieces.
func TestEventListenerMatchesSupervisord(t *testing.T) {
	t.Parallel()
	body := fmt.Sprintf(`
[eventlistener:rec]
command=/usr/bin/python3 %s {{DIR}}/rec.log fail=PROCESS_STATE_STOPPING exit=PROCESS_GROUP_REMOVED fragments
events=PROCESS_STATE,PROCESS_GROUP,SUPERVISOR_STATE_CHANGE
startsecs=0

[program:f]
; startsecs far beyond the exit: a loaded supervisord reaps late
command=/bin/sh -c "exit 1"
autostart=false
startsecs=10
startretries=0

[program:p]
command=/bin/sleep 1000
autostart=false
startsecs=0

[program:q]
command=/bin/sh -c "sleep 0.2; exit 3"
autostart=false
autorestart=false
startsecs=0
`, listenerScript(t))
	compareListeners(t, body, func(s *server) []string {
		const rec = "rec.log"
		waitRecord(t, s, rec, 1, "eventname:PROCESS_STATE_RUNNING", "processname:rec")
		s.ctl(t, "start", "p")
		waitRecord(t, s, rec, 1, "eventname:PROCESS_STATE_RUNNING", "processname:p")
		s.ctl(t, "stop", "p")
		waitRecord(t, s, rec, 1, "eventname:PROCESS_STATE_STOPPED", "processname:p")
		s.ctl(t, "start", "q")
		waitRecord(t, s, rec, 1, "eventname:PROCESS_STATE_EXITED", "processname:q")
		s.ctl(t, "start", "f")
		waitRecord(t, s, rec, 1, "eventname:PROCESS_STATE_FATAL", "processname:f")
		s.ctl(t, "remove", "q")
		waitRecord(t, s, rec, 2, "eventname:PROCESS_GROUP_REMOVED")
		waitRecord(t, s, rec, 2, "eventname:PROCESS_STATE_RUNNING", "processname:rec")
		s.ctl(t, "add", "q")
		waitRecord(t, s, rec, 2, "eventname:PROCESS_GROUP_ADDED", "groupname:q")
		return []string{rec}
	})
}

// waitLogLines waits until the main log has at least n listener lines
// (listenerLogLines) holding part.
func waitLogLines(t *testing.T, s *server, n int, part string) {
	t.Helper()
	waitFor(t, 20*time.Second, func() (bool, string) {
		lines := listenerLogLines(t, s)
		return strings.Count(lines, part) >= n, fmt.Sprintf("%s: %d log lines with %q:\n%s", s.name, strings.Count(lines, part), part, lines)
	})
}

// TestEventListenerBadInputMatchesSupervisord checks a listener that
// answers with garbage (it goes UNKNOWN and its pool's buffer overflows,
// with Supervisor's lines and the same events dropped) and one that never
// answers (only its own pool stops), against supervisord, while a third
// pool gets every event.
func TestEventListenerBadInputMatchesSupervisord(t *testing.T) {
	t.Parallel()
	script := listenerScript(t)
	body := fmt.Sprintf(`
[eventlistener:bad]
command=/usr/bin/python3 %[1]s {{DIR}}/bad.log garbage
events=PROCESS_STATE
buffer_size=2
startsecs=0

[eventlistener:good]
command=/usr/bin/python3 %[1]s {{DIR}}/good.log
events=PROCESS_STATE
autostart=false
startsecs=0

[eventlistener:mute]
command=/usr/bin/python3 %[1]s {{DIR}}/mute.log mute
events=PROCESS_STATE
buffer_size=3
autostart=false
startsecs=0

[program:p]
command=/bin/sleep 1000
autostart=false
startsecs=0
`, script)
	compareListeners(t, body, func(s *server) []string {
		waitLogLines(t, s, 1, "bad result line")
		s.ctl(t, "start", "good")
		waitRecord(t, s, "good.log", 1, "eventname:PROCESS_STATE_RUNNING", "processname:good")
		s.ctl(t, "start", "mute")
		waitRecord(t, s, "good.log", 1, "eventname:PROCESS_STATE_RUNNING", "processname:mute")
		waitRecord(t, s, "mute.log", 1, "eventname:")
		s.ctl(t, "start", "p")
		s.ctl(t, "stop", "p")
		waitRecord(t, s, "good.log", 1, "eventname:PROCESS_STATE_STOPPED", "processname:p")
		return []string{"bad.log", "good.log", "mute.log"}
	})
}

// TestEventListenerPoolsInSupervisorctl checks that pools show in status,
// avail, reread, update, add and remove as supervisord shows them.
func TestEventListenerPoolsInSupervisorctl(t *testing.T) {
	t.Parallel()
	script := listenerScript(t)
	before := fmt.Sprintf(`
[eventlistener:ev]
command=/usr/bin/python3 %[1]s {{DIR}}/ev.log
events=PROCESS_STATE
numprocs=2
process_name=%%(program_name)s_%%(process_num)d
startsecs=0

[eventlistener:drop]
command=/usr/bin/python3 %[1]s {{DIR}}/drop.log
events=TICK_60
startsecs=0

[program:p]
command=/bin/sleep 1000
startsecs=0
`, script)
	after := fmt.Sprintf(`
[eventlistener:ev]
command=/usr/bin/python3 %[1]s {{DIR}}/ev.log
events=PROCESS_STATE
buffer_size=5
numprocs=2
process_name=%%(program_name)s_%%(process_num)d
startsecs=0

[eventlistener:new]
command=/usr/bin/python3 %[1]s {{DIR}}/new.log
events=PROCESS_GROUP
startsecs=0

[program:p]
command=/bin/sleep 1000
startsecs=0
`, script)
	compareWithSupervisord(t, before, []step{
		ctl("status"),
		ctl("avail"),
		rewrite(after),
		ctl("reread"),
		ctl("update"),
		stable(),
		ctl("status"),
		ctl("stop", "new"),
		ctl("remove", "new"),
		ctl("add", "new"),
		stable(),
		ctl("status"),
	})
}

// TestEventListenerTicksAndRemoteCommMatchSupervisord checks TICK_5 (its
// header; its time is a multiple of 5 s) and REMOTE_COMMUNICATION from
// supervisor.sendRemoteCommEvent, with text beyond ASCII (4.2.5's len
// counts characters) against supervisord.
func TestEventListenerTicksAndRemoteCommMatchSupervisord(t *testing.T) {
	t.Parallel()
	body := fmt.Sprintf(`
[eventlistener:rec]
command=/usr/bin/python3 %s {{DIR}}/rec.log
events=TICK_5,REMOTE_COMMUNICATION
startsecs=0
`, listenerScript(t))
	compareListeners(t, body, func(s *server) []string {
		waitRecord(t, s, "rec.log", 1, "eventname:TICK_5")
		runPython(t, nil, `import sys, xmlrpc.client
proxy = xmlrpc.client.ServerProxy(sys.argv[1])
assert proxy.supervisor.sendRemoteCommEvent('kind é', 'data\nwith ünïcode') is True`,
			fmt.Sprintf("http://%s:%s@127.0.0.1:%d/RPC2", s.user, s.password, s.port))
		waitRecord(t, s, "rec.log", 1, "eventname:REMOTE_COMMUNICATION")
		return []string{"rec.log"}
	})
}

// TestEventListenerOutputEventsMatchSupervisord checks PROCESS_LOG_STDOUT
// and PROCESS_LOG_STDERR (stdout_events_enabled, stderr_events_enabled)
// and PROCESS_COMMUNICATION_STDOUT from a capture between
// <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END--> (with
// stdout_capture_maxbytes, output shorter than a token waits for more),
// against supervisord.
func TestEventListenerOutputEventsMatchSupervisord(t *testing.T) {
	t.Parallel()
	body := fmt.Sprintf(`
[eventlistener:rec]
command=/usr/bin/python3 %s {{DIR}}/rec.log
events=PROCESS_LOG,PROCESS_COMMUNICATION
startsecs=0

[program:talk]
command=/bin/sh %s
autostart=false
startsecs=0
stdout_events_enabled=true
stderr_events_enabled=true
stdout_capture_maxbytes=32
`, listenerScript(t), filepath.Join(filepath.Dir(listenerScript(t)), "talk.sh"))
	compareListeners(t, body, func(s *server) []string {
		s.ctl(t, "start", "talk")
		waitRecord(t, s, "rec.log", 3, "eventname:PROCESS_COMMUNICATION_STDOUT")
		waitRecord(t, s, "rec.log", 2, "eventname:PROCESS_LOG_STDERR")
		return []string{"rec.log"}
	})
}
