package agent

import (
	"os"
	"os/exec"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"
)

// written is an initialised variable: it lives in the binary's writable
// data, a private mapping of the file, where a write makes a private copy
// of the page; releasing that mapping would bring the file's value back.
var written = 1

// rssFileKB is this process's resident file pages (RssFile), in kB.
func rssFileKB(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("/proc/self/status: no RssFile")
	return 0
}

// TestReleaseBinaryPages releases the pages of the test's own binary: its
// resident file pages shrink (the code that runs afterwards is mapped
// again, a fraction of what initialising the binary's packages mapped), and
// what the process wrote to its data is still there.
func TestReleaseBinaryPages(t *testing.T) {
	written = 42
	before := rssFileKB(t)
	if err := releaseBinaryPages(); err != nil {
		t.Fatal(err)
	}
	after := rssFileKB(t)
	t.Logf("resident file pages: %d kB before, %d kB after", before, after)
	if after > before/2 {
		t.Errorf("resident file pages: %d kB after the release, %d kB before: not released", after, before)
	}
	if written != 42 {
		t.Errorf("written = %d after the release, want 42: the writable data was released", written)
	}
}

// TestReleaseBinaryPagesInAPositionIndependentBuild runs
// TestReleaseBinaryPages in a position-independent build of the package's
// tests, whose read-only data is relocated (written) at start, then made
// read-only: releasing those pages would bring the file's unrelocated
// values back, and the process would crash.
func TestReleaseBinaryPagesInAPositionIndependentBuild(t *testing.T) {
	if os.Getenv("SUPVISORS_TEST_PIE") != "" {
		t.Skip("running inside the position-independent build")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the tests with -buildmode=pie")
	}
	cmd := exec.Command(goTool, "test", "-count=1", "-buildmode=pie", "-run", "^TestReleaseBinaryPages$", ".")
	cmd.Env = append(os.Environ(), "SUPVISORS_TEST_PIE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -buildmode=pie: %v\n%s", err, out)
	}
}

// gcPercent reads the garbage collector's GOGC without changing it.
func gcPercent() int64 {
	sample := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(sample)
	return int64(sample[0].Value.Uint64())
}

// TestGCPercentOnceSettled: the agent sets Options.GCPercent once its
// cluster (of one) has held still in OPERATION for releaseCalm, not before.
func TestGCPercentOnceSettled(t *testing.T) {
	t.Parallel()
	old := debug.SetGCPercent(400)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	a, err := Create(Options{ConfigPath: writeConfig(t, t.TempDir(), ""), Environ: os.Environ(), GCPercent: 77})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	started := time.Now()
	go func() { done <- a.Run(t.Context()) }()
	t.Cleanup(func() { a.Shutdown(); <-done })
	for gcPercent() != 77 {
		if time.Since(started) > releaseCalm+20*time.Second {
			t.Fatalf("GOGC %d %v after the start, want 77", gcPercent(), time.Since(started))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if took := time.Since(started); took < releaseCalm {
		t.Errorf("GOGC set %v after the start, before the cluster held still for %v", took, releaseCalm)
	}
}
