package process

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"
)

// spawner forks children from one OS thread whose descriptor table is its own
// (unshare(CLONE_FILES)), holding little more than a socket. A fork copies
// the forking thread's table and the exec closes that copy again: from the
// agent's shared table, which holds ~3 descriptors per process it supervises,
// the k-th spawn cost O(k) and starting 1,000 processes was quadratic. The
// child ends of a child's pipes reach the thread's table by SCM_RIGHTS. As
// the hand-off costs more than copying a small table, only an agent with a
// big one forks here (spawnerFor).
//
// The thread never exits: it is the real parent of every child it forks, so
// their parent-death signal (SIGKILL) follows it. The children are still the
// agent's: the reaper waits for them from any thread. The thread does no I/O
// but on its socket, as the agent's other descriptors are not in its table.
//
// A spawner is safe for concurrent use; spawns run one at a time.
type spawner struct {
	mu   sync.Mutex // one request on the socket at a time
	sock int        // the agent's end, blocking: both sides wait in the kernel
	seq  uint64     // the last request's number, under mu
	req  atomic.Pointer[spawnRequest]
	tid  int // the thread's id, for tests
}

// spawnRequest is one fork for the spawner's thread; files indexes the
// descriptors sent with it (the received ones in order).
type spawnRequest struct {
	seq   uint64 // what its message and its answer carry
	spec  spawnSpec
	attr  syscall.ProcAttr
	files []int
	pid   int
	err   error
	lost  bool // the descriptors did not arrive: nothing was forked
	done  atomic.Bool
}

var (
	spawnerOnce   sync.Once
	sharedSpawner *spawner
)

// theSpawner starts the spawner on first use; nil when this system cannot
// give a thread its own descriptor table: children are then forked in place,
// which log (the first caller's) is told.
func theSpawner(log hclog.Logger) *spawner {
	spawnerOnce.Do(func() {
		var err error
		if sharedSpawner, err = newSpawner(); err != nil {
			log.Warn("children are forked from the agent's whole descriptor table, each spawn copying it", "error", err)
		}
	})
	return sharedSpawner
}

func newSpawner() (*spawner, error) {
	// A pipe of package os brings up the runtime's poller now: the thread
	// must hold the poller's descriptors under their numbers, as the runtime
	// polls from whichever thread starts the world after a GC.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("spawner: %w", err)
	}
	r.Close()
	w.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("spawner socket: %w", err)
	}
	s := &spawner{sock: fds[0]}
	ready := make(chan error)
	go s.run(fds[1], ready)
	err = <-ready
	unix.Close(fds[1]) // the thread's table has its own copy
	if err != nil {
		unix.Close(fds[0])
		return nil, err
	}
	return s, nil
}

// run is the spawner's thread; it reports on ready once its table is its own.
func (s *spawner) run(sock int, ready chan<- error) {
	runtime.LockOSThread() // for good: see spawner
	s.tid = unix.Gettid()
	if err := unix.Unshare(unix.CLONE_FILES); err != nil {
		ready <- fmt.Errorf("spawner: unshare descriptor table: %w", err)
		return
	}
	sock, err := keepOnly(sock)
	if err != nil {
		ready <- err
		return
	}
	ready <- nil
	for s.fork(sock) {
	}
}

// keepOnly closes, in the calling thread's own table, every descriptor but
// stdio, sock and anonymous inodes, and returns where sock is then: what the
// agent closes later must not live on here (a listener would stay bound, a
// pipe would never reach end of file), while the runtime's poller (an epoll
// and an eventfd) must stay under its numbers. sock moves to the lowest free
// number, as a fork copies the table up to its highest descriptor.
func keepOnly(sock int) (int, error) {
	entries, err := os.ReadDir("/proc/thread-self/fd")
	if err != nil {
		return -1, fmt.Errorf("spawner: list descriptors: %w", err)
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 || fd == sock {
			continue
		}
		link, err := os.Readlink("/proc/thread-self/fd/" + e.Name())
		if err != nil || strings.HasPrefix(link, "anon_inode:") {
			continue // an error: the directory's own descriptor, closed by now
		}
		unix.Close(fd)
	}
	low, err := unix.FcntlInt(uintptr(sock), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return -1, fmt.Errorf("spawner: move its socket: %w", err)
	}
	unix.Close(sock)
	return low, nil
}

// fork waits for a request, receives its descriptors into the thread's
// table, forks, closes them again and answers; false once the agent's end is
// closed (tests only): the thread then exits. A message that is not the
// current request's (none is, but by a bug) is dropped unanswered, and a
// failed receive answers lost: the thread never leaves on an error, as its
// children would die with it.
func (s *spawner) fork(sock int) bool {
	var body [8]byte
	oob := make([]byte, unix.CmsgSpace(4*3))
	var n, oobn int
	err := ignoringEINTR(func() (err error) {
		n, oobn, _, _, err = unix.Recvmsg(sock, body[:], oob, unix.MSG_CMSG_CLOEXEC)
		return err
	})
	if err == nil && n == 0 {
		return false
	}
	var received []int
	if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil && len(msgs) == 1 {
		received, _ = unix.ParseUnixRights(&msgs[0])
	}
	defer closeFDs(received)
	req := s.req.Load()
	switch {
	case req == nil || req.done.Load():
		return true
	case err == nil && (n != len(body) || binary.NativeEndian.Uint64(body[:]) != req.seq):
		return true
	case err != nil || len(received) < slices.Max(req.files)+1:
		req.lost = true
	default:
		attr := req.attr
		attr.Files = make([]uintptr, len(req.files))
		for i, at := range req.files {
			attr.Files[i] = uintptr(received[at])
		}
		req.pid, req.err = forkExec(req.spec, &attr)
	}
	req.done.Store(true)
	// Should the answer not go, the agent's end is closed: the next
	// receive says so.
	binary.NativeEndian.PutUint64(body[:], req.seq)
	ignoringEINTR(func() error { _, err := unix.Write(sock, body[:]); return err })
	return true
}

// ignoringEINTR calls f again for as long as a signal interrupts it.
func ignoringEINTR(f func() error) error {
	for {
		if err := f(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// spawn forks and execs as forkExec does, from the spawner's thread; in place
// should the request not reach it (it cannot happen but by a bug).
func (s *spawner) spawn(spec spawnSpec, attr *syscall.ProcAttr) (int, error) {
	req := &spawnRequest{spec: spec, attr: *attr, files: make([]int, len(attr.Files))}
	var send []int
	for i, fd := range attr.Files {
		at := slices.Index(send, int(fd))
		if at < 0 {
			at = len(send)
			send = append(send, int(fd))
		}
		req.files[i] = at
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	req.seq = s.seq
	s.req.Store(req)
	var body [8]byte
	binary.NativeEndian.PutUint64(body[:], req.seq)
	rights := unix.UnixRights(send...)
	if err := ignoringEINTR(func() error { return unix.Sendmsg(s.sock, body[:], rights, nil, 0) }); err != nil {
		return forkExec(spec, attr)
	}
	for { // answers of earlier requests (none, but by a bug) are skipped
		var n int
		err := ignoringEINTR(func() (err error) {
			n, err = unix.Read(s.sock, body[:])
			return err
		})
		if n != len(body) || err != nil { // the request may be under way: no second fork
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return 0, fmt.Errorf("spawner: no answer: %w", err)
		}
		if binary.NativeEndian.Uint64(body[:]) == req.seq && req.done.Load() {
			break
		}
	}
	if req.lost {
		return forkExec(spec, attr)
	}
	return req.pid, req.err
}
