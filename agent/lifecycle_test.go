package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/process"
)

const sleeper = "[program:one]\ncommand=/bin/sleep 1000\nstartsecs=0\n"

// TestShutdownAfterABurstOfReloads checks a shutdown asked after many
// reloads (a burst of SIGHUPs) still ends Run, children stopped.
func TestShutdownAfterABurstOfReloads(t *testing.T) {
	t.Parallel()
	r := startAgent(t, writeConfig(t, t.TempDir(), sleeper))
	pid := r.waitState(t, "one", enums.ProcessRunning).Info().PID
	for range 100 {
		r.Reload()
	}
	r.Shutdown()
	r.wait(t, 30*time.Second)
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("child %d still alive after Run returned", pid)
	}
}

// TestShutdownWinsOverARestart checks a shutdown asked while a restart is
// under way (the old generation stopping) ends Run instead of starting the
// next generation.
func TestShutdownWinsOverARestart(t *testing.T) {
	t.Parallel()
	r := startAgent(t, writeConfig(t, t.TempDir(), slowStopper))
	r.waitSlowStopper(t)
	r.Restart()
	r.waitState(t, "one", enums.ProcessStopping)
	r.Shutdown()
	r.wait(t, 30*time.Second)
	if log := r.log(t); strings.Contains(log, "restarting") {
		t.Errorf("the agent restarted after the shutdown:\n%s", log)
	}
}

// slowStopper is a program that stays STOPPING for stopwaitsecs: it
// ignores SIGTERM (once it has made the file trapped.PID), and SIGKILL
// comes 2 s later.
const slowStopper = "[program:one]\ncommand=/bin/sh -c 'trap \"\" TERM; touch %(here)s/trapped.$$; exec /bin/sleep 1000'\nstartsecs=0\nstopwaitsecs=2\n"

// waitSlowStopper waits until the slowStopper of the running generation
// ignores SIGTERM, and returns it.
func (r *running) waitSlowStopper(tb testing.TB) *process.Process {
	tb.Helper()
	p := r.waitState(tb, "one", enums.ProcessRunning)
	trapped := filepath.Join(r.dir, "trapped."+strconv.Itoa(p.Info().PID))
	waitFor(tb, 20*time.Second, func() (bool, string) {
		_, err := os.Stat(trapped)
		return err == nil, fmt.Sprint(err)
	})
	return p
}

// TestRestartIsDoneOnce checks a restart asked among many reloads is not
// lost, and that asking it again, before it is carried out or while the
// old generation stops, does not restart twice.
func TestRestartIsDoneOnce(t *testing.T) {
	t.Parallel()
	r := startAgent(t, writeConfig(t, t.TempDir(), slowStopper))
	old := r.waitSlowStopper(t)
	for range 50 {
		r.Reload()
	}
	r.Restart()
	r.Restart()
	for range 50 {
		r.Reload()
	}
	waitFor(t, 20*time.Second, func() (bool, string) {
		return old.State() == enums.ProcessStopping, old.State().String()
	})
	r.Restart() // the restart under way
	r.Restart()
	p := r.waitState(t, "one", enums.ProcessRunning)
	if p == old {
		t.Fatal("the process of the old generation runs on")
	}
	// A reload is served only once no restart is pending (a restart
	// comes first, and covers the reloads asked before it).
	r.Reload()
	r.waitLog(t, "restarting", 1)
	log := r.log(t)
	reloads := strings.Count(log[strings.Index(log, "restarting"):], "reload request")
	r.waitLog(t, "reload request", strings.Count(log, "reload request")-reloads+1)
	r.Shutdown()
	r.wait(t, 30*time.Second)
	if n := strings.Count(r.log(t), "restarting"); n != 1 {
		t.Errorf("restarted %d times, want 1:\n%s", n, r.log(t))
	}
}
