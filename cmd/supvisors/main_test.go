package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/internal/testwait"
)

// asAgent in the environment makes the test binary run main: the tests
// drive a real agent process, signals and all.
const asAgent = "SUPVISORS_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asAgent) != "" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestTermAfterABurstOfHangups checks SIGTERM ends the agent (exit 0,
// child stopped) even right after many SIGHUPs, each a reload.
func TestTermAfterABurstOfHangups(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := filepath.Join(dir, "supervisord.conf")
	text := "[supervisord]\nlogfile=%(here)s/main.log\npidfile=%(here)s/supervisord.pid\nsilent=true\n" +
		"[program:one]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
	// Programs that are never started make each reload take a while, so
	// that SIGHUPs pile up during it.
	for i := range 500 {
		text += fmt.Sprintf("[program:idle%d]\ncommand=/bin/sleep 1000\nautostart=false\n", i)
	}
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-c", conf)
	cmd.Env = append(os.Environ(), asAgent+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	log := func() string {
		data, _ := os.ReadFile(filepath.Join(dir, "main.log"))
		return string(data)
	}
	spawned := regexp.MustCompile(`spawned: 'one' with pid (\d+)`)
	var child int
	waitFor(t, 20*time.Second, func() (bool, string) {
		m := spawned.FindStringSubmatch(log())
		if m == nil {
			return false, log()
		}
		child, _ = strconv.Atoi(m[1])
		return true, ""
	})
	for range 200 {
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		// Signals of one kind sent together are delivered once: spread
		// them over the reloads.
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("agent: %v\n%s", err, log())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("agent did not exit on SIGTERM\n%s", log())
	}
	if syscall.Kill(child, 0) == nil {
		t.Errorf("child %d still alive after the agent exited", child)
	}
}

// waitFor polls cond until it holds, at most timeout (testwait.For).
var waitFor = testwait.For
