package integration

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPythonEventInterface runs the Python client's event interface
// (supvisors.client.subscriber, over Debian's python3-zmq) against a real
// agent's ZeroMQ publication: clients/python/tests/events_e2e.py.
func TestPythonEventInterface(t *testing.T) {
	t.Parallel()
	p := planCluster(t, 1, "stats_periods=1")
	s := p.startNode(t, 0, `
[program:web]
command=/bin/sleep 1000
startsecs=0
`)
	s.waitStable(t)
	path := pythonClientPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", filepath.Join(path, "tests", "events_e2e.py"))
	cmd.Env = pythonEnv("PYTHONPATH="+path, "SUPERVISOR_SERVER_URL="+s.url, "SUPERVISOR_USERNAME="+s.user,
		"SUPERVISOR_PASSWORD="+s.password, "SUPVISORS_EVENT_ADDRESS="+p.list[0],
		"SUPVISORS_EVENT_PORT="+strconv.Itoa(p.eventPort))
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("events_e2e.py: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^Ran 3 tests in`).Match(out) || !strings.Contains(string(out), "\nOK") {
		t.Errorf("events_e2e.py printed:\n%s", out)
	}
}
