package integration

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// step is one thing a transcript does: a supervisorctl command whose output
// and exit code are recorded, or an action on the server (rewrite its
// configuration, wait until no process is in a transitional state).
type step struct {
	ctl []string
	// anyOrder compares the output's lines as a set: the order of results
	// that complete at nearly the same time depends on timing, in
	// supervisord as in supvisors.
	anyOrder bool
	config   string // when set: rewrite the configuration body
	stable   bool   // when set: wait until no process is transitional
	// follow runs ctl until its output shows follow (or it ends), then
	// interrupts it with SIGINT (tail -f; see supvisorsctl_test.go).
	follow string
	// answering waits until the server answers again (after reload);
	// gone until it has exited (after shutdown).
	answering, gone bool
}

func ctl(args ...string) step         { return step{ctl: args} }
func ctlAnyOrder(args ...string) step { return step{ctl: args, anyOrder: true} }
func stable() step                    { return step{stable: true} }
func rewrite(body string) step {
	return step{config: body}
}

// transcript runs steps against s and returns one normalized entry per step.
func transcript(t *testing.T, s *server, steps []step) []string {
	return transcriptWith(t, s, steps, func(st step) (string, int) { return s.ctl(t, st.ctl...) })
}

// transcriptWith is transcript with another client than Debian's
// supervisorctl: run runs the command of a step and returns its output and
// exit code.
func transcriptWith(t *testing.T, s *server, steps []step, run func(step) (string, int)) []string {
	var out []string
	for _, st := range steps {
		switch {
		case st.config != "":
			s.writeConfig(t, st.config)
			out = append(out, "(config rewritten)")
		case st.stable:
			s.waitStable(t)
			out = append(out, "(stable)")
		case st.answering:
			s.waitAnswering(t)
			out = append(out, "(answering)")
		case st.gone:
			select {
			case <-s.exited:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s still running 30 s after shutdown", s.name)
			}
			out = append(out, "(exited)")
		default:
			text, code := run(st)
			if st.anyOrder {
				lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
				slices.Sort(lines)
				text = strings.Join(lines, "\n") + "\n"
			}
			out = append(out, fmt.Sprintf("$ supervisorctl %s\n%s[exit %d]", strings.Join(st.ctl, " "), normalize(text, s.dir), code))
		}
	}
	return out
}

// compareWithSupervisord runs the same steps against Debian's supervisord and
// against supvisors, each with the same configuration, and requires the same
// output and exit code at every step.
func compareWithSupervisord(t *testing.T, body string, steps []step) {
	t.Helper()
	var want, got []string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		oracle := startServer(t, "supervisord", body)
		oracle.waitStable(t)
		want = transcript(t, oracle, steps)
	}()
	go func() {
		defer wg.Done()
		ours := startServer(t, "supvisors", body)
		ours.waitStable(t)
		got = transcript(t, ours, steps)
	}()
	wg.Wait()
	if t.Failed() {
		return
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("step %d differs from supervisord\n--- supervisord:\n%s\n--- supvisors:\n%s", i, want[i], got[i])
		}
	}
}

const basicPrograms = `
[program:sleeper]
command=/bin/sleep 1000
startsecs=0

[program:echo]
command=/bin/sh -c "echo hello; echo err >&2; exec /bin/sleep 1000"
startsecs=0

[program:fail]
; not /bin/false: whether an instant exit is seen before startProcess
; returns is a race in supervisord (it reaps once right after the spawn),
; and the order of the results, hence supervisorctl's exit code, with it.
command=/bin/sh -c "sleep 0.1; exit 1"
autostart=false
startsecs=1
startretries=0

[program:nofile]
command=/no/such/command
autostart=false

[program:notexec]
command=/etc/passwd
autostart=false

[program:multi]
command=/bin/sleep 1000
process_name=%(program_name)s_%(process_num)02d
numprocs=2
startsecs=0

[group:grp]
programs=a,b
priority=10

[program:a]
command=/bin/sleep 1000
startsecs=0

[program:b]
command=/bin/sleep 1000
autostart=false
startsecs=0
`

func TestSupervisorctlMatchesSupervisord(t *testing.T) {
	t.Parallel()
	compareWithSupervisord(t, basicPrograms, []step{
		ctl("status"),
		ctl("version"),
		ctl("status", "sleeper", "grp:*"),
		ctl("start", "sleeper"),
		ctl("stop", "sleeper"),
		ctl("stop", "sleeper"),
		ctl("status", "sleeper"),
		ctl("start", "sleeper"),
		ctl("start", "nosuch"),
		ctl("stop", "nosuch"),
		ctl("start", "nofile"),
		ctl("start", "notexec"),
		ctl("start", "fail"),
		ctl("status", "fail"),
		ctlAnyOrder("start", "grp:*"),
		ctlAnyOrder("stop", "grp:*"),
		ctl("start", "grp:a", "grp:b"),
		ctl("status", "multi:*"),
		ctl("stop", "multi:multi_01"),
		ctl("restart", "sleeper"),
		ctl("signal", "USR1", "nosuch"),
		ctl("signal", "NOSUCHSIG", "sleeper"),
		ctlAnyOrder("signal", "HUP", "multi:*"),
		stable(),
		ctl("pid", "sleeper"),
		ctl("pid", "nosuch"),
		ctl("pid", "b"),
		ctl("tail", "echo"),
		ctl("tail", "echo", "stderr"),
		ctl("tail", "-3", "echo"),
		ctl("clear", "echo"),
		ctl("tail", "echo"),
		ctl("clear", "nosuch"),
		ctl("avail"),
		ctlAnyOrder("stop", "all"),
		ctl("status"),
		ctlAnyOrder("start", "all"),
		stable(),
		ctlAnyOrder("restart", "all"),
		stable(),
		ctl("status"),
	})
}

func TestUpdateMatchesSupervisord(t *testing.T) {
	t.Parallel()
	before := `
[program:keep]
command=/bin/sleep 1000
startsecs=0

[program:change]
command=/bin/sleep 1000
startsecs=0

[program:drop]
command=/bin/sleep 1000
startsecs=0

[group:grp]
programs=a

[program:a]
command=/bin/sleep 1000
startsecs=0
`
	after := `
[program:keep]
command=/bin/sleep 1000
startsecs=0

[program:change]
command=/bin/sleep 999
startsecs=0

[program:added]
command=/bin/sleep 1000
startsecs=0

[program:a]
command=/bin/sleep 1000
startsecs=0
`
	compareWithSupervisord(t, before, []step{
		ctl("reread"),
		rewrite(after),
		ctl("reread"),
		ctl("avail"),
		ctl("update", "added"),
		ctl("status"),
		ctl("update"),
		stable(),
		ctl("status"),
		ctl("reread"),
		ctl("update"),
	})
}

// TestRereadOfABrokenFile checks that reread reports a configuration error
// with its file and line, keeps what runs, and exits like supervisorctl does
// against supervisord.
func TestRereadOfABrokenFile(t *testing.T) {
	t.Parallel()
	good := "[program:keep]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
	broken := good + "\n[program:broken]\ncommand=/bin/sleep 1\nstartsecs=soon\n"
	exitCodes := map[string]int{}
	for _, kind := range []string{"supervisord", "supvisors"} {
		s := startServer(t, kind, good)
		s.waitStable(t)
		s.writeConfig(t, broken)
		out, code := s.ctl(t, "reread")
		exitCodes[kind] = code
		if !strings.Contains(out, "ERROR: CANT_REREAD:") {
			t.Errorf("%s: reread of a broken file printed:\n%s", kind, out)
		}
		if kind == "supvisors" && !regexp.MustCompile(`supervisord\.conf:\d+: \[program:broken\] startsecs`).MatchString(out) {
			t.Errorf("the error does not name file, line, section and key:\n%s", out)
		}
		if out, code := s.ctl(t, "status", "keep"); code != 0 {
			t.Errorf("%s: keep no longer running after a failed reread:\n%s", kind, out)
		}
	}
	if exitCodes["supvisors"] != exitCodes["supervisord"] {
		t.Errorf("reread exit code %d, supervisord's %d", exitCodes["supvisors"], exitCodes["supervisord"])
	}
}
