package process

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"
)

// testSpawner is a spawner of the test's own, which ends with the test.
// (Its thread exits then, killing what it forked, unless the goroutine ran
// on the main thread, which the runtime never ends.)
func testSpawner(tb testing.TB) *spawner {
	tb.Helper()
	s, err := newSpawner()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { unix.Shutdown(s.sock, unix.SHUT_RDWR) })
	return s
}

// forkedBy reports whether the spawner s's thread forked pid.
func forkedBy(s *spawner, pid int) bool {
	children, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(s.tid) + "/children")
	return err == nil && slices.Contains(strings.Fields(string(children)), strconv.Itoa(pid))
}

// spawnThrough forks argv from s (in place when nil) with fresh pipes, and
// returns the child's pid and the parent's ends.
func spawnThrough(tb testing.TB, s *spawner, argv ...string) (int, *childPipes) {
	tb.Helper()
	p, err := openPipes(true)
	if err != nil {
		tb.Fatal(err)
	}
	defer p.closeChildEnds()
	attr := &syscall.ProcAttr{
		Files: []uintptr{uintptr(p.child[0]), uintptr(p.child[1]), uintptr(p.child[2])},
		Sys:   &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	}
	pid, err := spawnFrom(s, spawnSpec{name: "t", filename: argv[0], argv: argv}, attr)
	if err != nil {
		p.closeParentEnds()
		tb.Fatalf("spawn %v: %v", argv, err)
	}
	return pid, p
}

// growTable opens bigTable descriptors (pipes), so that the next child's
// pipe ends lie past bigTable; it returns them, whatever it could open.
func growTable() ([]int, error) {
	var opened []int
	for range bigTable / 2 {
		var fds [2]int
		if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
			return opened, err
		}
		opened = append(opened, fds[:]...)
	}
	return opened, nil
}

// killAndReap ends a child no reaper watches.
func killAndReap(pid int) {
	syscall.Kill(pid, syscall.SIGKILL)
	syscall.Wait4(pid, nil, 0, nil)
}

func threadFDs(tb testing.TB, tid int) int {
	tb.Helper()
	entries, err := os.ReadDir("/proc/self/task/" + strconv.Itoa(tid) + "/fd")
	if err != nil {
		tb.Fatal(err)
	}
	return len(entries)
}

// TestSpawnChildUsesTheSpawnerForBigTables: an agent with few descriptors
// forks in place; with more than bigTable, from the spawner's thread, whose
// table holds only a few. Either way the child gets its pipes as 0-2 and
// nothing else.
func TestSpawnChildUsesTheSpawnerForBigTables(t *testing.T) {
	s := theSpawner(hclog.NewNullLogger())
	if s == nil {
		t.Fatal("no spawner on this system")
	}
	spawn := func() int {
		t.Helper()
		child, failure := spawnChild(spawnSpec{name: "t", filename: "/bin/sh", argv: []string{"sh", "-c", "ls /proc/self/fd; exec cat"}}, hclog.NewNullLogger())
		if failure != nil {
			t.Fatal(failure.text)
		}
		t.Cleanup(func() {
			killAndReap(child.pid)
			closeFDs([]int{child.stdin, child.stdout, child.stderr})
		})
		// ls lists 0-3 (3 being its listing of the directory); cat keeps
		// the child alive, so that it stays among its thread's children.
		if got := readLines(t, child.stdout, 4); got != "0\n1\n2\n3\n" {
			t.Errorf("the child's descriptors: %q", got)
		}
		return child.pid
	}
	if pid := spawn(); forkedBy(s, pid) {
		t.Errorf("child %d of a small table was forked by the spawner", pid)
	}
	padding, err := growTable()
	t.Cleanup(func() { closeFDs(padding) })
	if err != nil {
		t.Fatal(err)
	}
	if pid := spawn(); !forkedBy(s, pid) {
		t.Errorf("child %d of a big table was not forked by the spawner's thread %d", pid, s.tid)
	}
	if n, all := threadFDs(t, s.tid), threadFDs(t, unix.Gettid()); n > 16 || all < bigTable {
		t.Errorf("the spawner's thread holds %d descriptors, the others %d", n, all)
	}
}

// readLines reads the non-blocking fd until it gave n lines or ended,
// waiting with poll.
func readLines(tb testing.TB, fd, n int) string {
	tb.Helper()
	var out []byte
	buf := make([]byte, 4096)
	for {
		k, err := unix.Read(fd, buf)
		switch {
		case k > 0:
			out = append(out, buf[:k]...)
			if strings.Count(string(out), "\n") >= n {
				return string(out)
			}
		case errors.Is(err, unix.EAGAIN):
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			if ready, _ := unix.Poll(pfd, int(waitTimeout.Milliseconds())); ready == 0 {
				tb.Fatalf("no output within %v: %q", waitTimeout, out)
			}
		default:
			return string(out)
		}
	}
}

// TestSpawnerHoldsNothingTheAgentCloses: a pipe open when the spawner starts
// and closed by the agent after it reaches end of file: the thread's own
// table kept no copy of its write end.
func TestSpawnerHoldsNothingTheAgentCloses(t *testing.T) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	testSpawner(t)
	unix.Close(fds[1])
	if n, err := unix.Read(fds[0], make([]byte, 1)); n != 0 || err != nil {
		t.Errorf("read after the last writer closed = %d, %v; want end of file", n, err)
	}
}

// TestSpawnerDropsAStrayMessage: a message that is not the current
// request's (a bug's) forks nothing, answers nothing and does not stand in
// for the next request.
func TestSpawnerDropsAStrayMessage(t *testing.T) {
	s := testSpawner(t)
	pending := &spawnRequest{seq: 999, files: []int{0, 1, 2}}
	s.req.Store(pending) // under way, and the message that comes is not its
	stray, err := openPipes(true)
	if err != nil {
		t.Fatal(err)
	}
	defer stray.closeParentEnds()
	var body [8]byte
	binary.NativeEndian.PutUint64(body[:], 12345)
	err = unix.Sendmsg(s.sock, body[:], unix.UnixRights(stray.child[0], stray.child[1], stray.child[2]), nil, 0)
	stray.closeChildEnds()
	if err != nil {
		t.Fatal(err)
	}
	pid, p := spawnThrough(t, s, "/bin/sh", "-c", "echo ok")
	defer p.closeParentEnds()
	defer killAndReap(pid)
	if got := readLines(t, p.parent[1], 1); got != "ok\n" {
		t.Errorf("the child's output: %q", got)
	}
	if n, err := unix.Read(stray.parent[1], make([]byte, 16)); n != 0 || err != nil {
		t.Errorf("the stray message's pipe: read %d, %v; want end of file (no child on it)", n, err)
	}
	if pending.done.Load() {
		t.Error("the stray message was taken for the request under way")
	}
}

// BenchmarkSpawn forks /bin/true, in place and from the spawner, with no
// more descriptors open, then 1,000 and 3,000 processes' worth (3 each: a
// log file and two pipe ends).
func BenchmarkSpawn(b *testing.B) {
	s := testSpawner(b)
	dir := b.TempDir()
	opened := 0
	for _, processes := range []int{0, 1000, 3000} {
		for ; opened < processes; opened++ {
			f, err := os.Create(dir + "/" + strconv.Itoa(opened))
			if err != nil {
				b.Fatal(err)
			}
			var fds [2]int
			if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { f.Close(); closeFDs(fds[:]) })
		}
		for _, c := range []struct {
			name string
			s    *spawner
		}{{"in place", nil}, {"spawner", s}} {
			b.Run(fmt.Sprintf("%s/%d processes open", c.name, processes), func(b *testing.B) {
				for range b.N {
					pid, p := spawnThrough(b, c.s, "/bin/true")
					var ws syscall.WaitStatus
					if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
						b.Fatal(err)
					}
					p.closeParentEnds()
				}
			})
		}
	}
}
