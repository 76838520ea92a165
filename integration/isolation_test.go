package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestChildrenDoNotSeeAgentVariables starts the agent with SUPVISORS_*
// variables in its environment (the gossip key among them) and checks that
// a child sees none of them, while it still gets the SUPERVISOR_* variables
// and the SUPVISORS_* ones its own environment= line sets.
func TestChildrenDoNotSeeAgentVariables(t *testing.T) {
	t.Parallel()
	const key = "c2VjcmV0LWdvc3NpcC1rIQ==" // 16 bytes, base64
	s := newServer(t, "supvisors", `[program:env]
command=/usr/bin/env
startsecs=0
autorestart=false
stdout_logfile={{DIR}}/env.log
environment=SUPVISORS_OWN="kept"
`, func(*server) {})
	s.cmd.Env = append(os.Environ(), "SUPVISORS_GOSSIP_KEY="+key, "SUPVISORS_NOTE=agent-only")
	s.launch(t)
	s.waitAnswering(t)
	out := childOutput(t, s, "env")
	for _, want := range []string{"SUPERVISOR_ENABLED=1", "SUPERVISOR_PROCESS_NAME=env", "SUPVISORS_OWN=kept"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("the child's environment lacks %s:\n%s", want, out)
		}
	}
	for _, leak := range []string{"SUPVISORS_GOSSIP_KEY", key, "agent-only"} {
		if strings.Contains(out, leak) {
			t.Errorf("the child's environment shows %q:\n%s", leak, out)
		}
	}
}

// childOutput waits until program name (startsecs=0, autorestart=false,
// stdout_logfile={{DIR}}/NAME.log) has exited, and returns its log.
func childOutput(t testing.TB, s *server, name string) string {
	t.Helper()
	waitFor(t, 20*time.Second, func() (bool, string) {
		out, _ := s.ctl(t, "status", name)
		return strings.Contains(out, "EXITED"), out
	})
	data, err := os.ReadFile(filepath.Join(s.dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestChildrenDoNotInheritDescriptors starts the agent with a descriptor
// left open on a file only the test opened (fd 3 in the agent), and checks
// that a child neither has it nor can read through it.
func TestChildrenDoNotInheritDescriptors(t *testing.T) {
	t.Parallel()
	s := newServer(t, "supvisors", `[program:fds]
command=/bin/sh -c 'ls -l /proc/self/fd/; cat <&3'
startsecs=0
autorestart=false
redirect_stderr=true
stdout_logfile={{DIR}}/fds.log
`, func(*server) {})
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("the agent's secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(secret)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s.cmd.ExtraFiles = []*os.File{f}
	s.launch(t)
	s.waitAnswering(t)
	out := childOutput(t, s, "fds")
	if !strings.Contains(out, " 1 -> ") {
		t.Fatalf("the child did not list its descriptors:\n%s", out)
	}
	for _, leak := range []string{secret, "the agent's secret"} {
		if strings.Contains(out, leak) {
			t.Errorf("the child reached the agent's inherited descriptor (%q):\n%s", leak, out)
		}
	}
}
