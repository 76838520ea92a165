package process

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCredential(t *testing.T) {
	tests := []struct {
		uid, current int
		want         *syscall.Credential
		failure      string
	}{
		{-1, 1000, nil, ""},
		{1000, 1000, nil, ""},
		{0, 1000, nil, "supervisor: couldn't setuid to 0: Can't drop privilege as nonroot user\nsupervisor: child process was not spawned\n"},
		{987654, 0, nil, "supervisor: couldn't setuid to 987654: Can't find uid 987654\nsupervisor: child process was not spawned\n"},
	}
	for _, tt := range tests {
		cred, failure := credential(tt.uid, tt.current)
		var text string
		if failure != nil {
			text = failure.text
			if !failure.inChild {
				t.Errorf("credential(%d, %d): failure not in the child", tt.uid, tt.current)
			}
		}
		if text != tt.failure || !reflect.DeepEqual(cred, tt.want) {
			t.Errorf("credential(%d, %d) = %+v, %q; want %+v, %q", tt.uid, tt.current, cred, text, tt.want, tt.failure)
		}
	}
	if _, err := user.LookupId("65534"); err != nil {
		t.Skip("no user 65534")
	}
	cred, failure := credential(65534, 0)
	if failure != nil || cred.Uid != 65534 || len(cred.Groups) == 0 || cred.Groups[0] != cred.Gid {
		t.Errorf("credential(65534, 0) = %+v, %v", cred, failure)
	}
}

func TestChdirError(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	private := filepath.Join(dir, "private")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534}
	owner := &syscall.Credential{Uid: uint32(os.Getuid()), Gid: 65534}
	tests := []struct {
		dir  string
		cred *syscall.Credential
		want error
	}{
		{dir, nil, nil},
		{filepath.Join(dir, "missing"), nil, syscall.ENOENT},
		{file, nil, syscall.ENOTDIR},
		{private, owner, nil},
		{private, nobody, syscall.EACCES},
		{private, &syscall.Credential{Uid: 0}, nil},
		{"/tmp", nobody, nil},
		{filepath.Join(dir, "."), nobody, syscall.EACCES}, // t.TempDir's parent is private
	}
	for _, tt := range tests {
		if err := chdirError(tt.dir, tt.cred); !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
			t.Errorf("chdirError(%s, %+v) = %v, want %v", tt.dir, tt.cred, err, tt.want)
		}
	}
}

func TestErrnoNameOfPlainError(t *testing.T) {
	if got := errnoName(errors.New("no errno here")); got != "no errno here" {
		t.Errorf("errnoName = %q", got)
	}
}

// TestChildTakesTheAgentsTimerSlack: a child forked by a thread whose
// timer slack is not the process's own (the agent widens its threads' while
// starved) gets the process's own.
func TestChildTakesTheAgentsTimerSlack(t *testing.T) {
	if ownTimerSlack <= 0 {
		t.Skip("the process's timer slack is unknown")
	}
	out := filepath.Join(t.TempDir(), "slack")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, 7_000_000, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(ownTimerSlack), 0, 0, 0) }()
	spec := spawnSpec{name: "slack", filename: "/bin/sh", argv: []string{"sh", "-c", "cat /proc/self/timerslack_ns > " + out}}
	pid, err := forkExec(spec, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil || ws.ExitStatus() != 0 {
		t.Fatalf("child: %v, exit status %d", err, ws.ExitStatus())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(ownTimerSlack); strings.TrimSpace(string(got)) != want {
		t.Fatalf("the child's timer slack is %s ns, want the process's %s", strings.TrimSpace(string(got)), want)
	}
}
