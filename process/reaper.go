package process

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"unsafe"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"
)

// reaper is the one goroutine of the Go process that reaps children. Woken
// by SIGCHLD, it reaps exactly the pids it was asked to watch, so that other
// children of the process (os/exec in tests, helpers) are left to their
// owners; only as PID 1 does it also reap every stray orphan. It is safe for
// concurrent use.
type reaper struct {
	log     hclog.Logger
	kick    chan struct{}
	mu      sync.Mutex
	watched map[int]func(syscall.WaitStatus)
	// added are the pids watched since the reaper last looked: each is
	// tried alone (a child that exited before it was watched), not by a
	// peek that scans every child, which at each of 1,000 spawns would
	// cost a scan of those before it.
	added []int
	// forking is held (shared) from a fork until its child is watched: as
	// PID 1 the reaper reaps every exited child, and one that exited at
	// once would otherwise be taken for a stray before it is watched.
	forking sync.RWMutex
}

// holdForks keeps the reaper, as PID 1, from reaping until the returned
// function is called: the caller forks, then watches its child.
func (r *reaper) holdForks() (release func()) {
	r.forking.RLock()
	return r.forking.RUnlock
}

var (
	reaperOnce   sync.Once
	sharedReaper *reaper
)

// theReaper starts the reaper on first use; log (the first caller's) is
// where it reports strays and lost children.
func theReaper(log hclog.Logger) *reaper {
	reaperOnce.Do(func() {
		sharedReaper = &reaper{log: log, kick: make(chan struct{}, 1), watched: make(map[int]func(syscall.WaitStatus))}
		sigc := make(chan os.Signal, 1)
		signal.Notify(sigc, syscall.SIGCHLD)
		go sharedReaper.run(sigc)
	})
	return sharedReaper
}

// watch asks for exited(status) to be called, from the reaper's goroutine,
// once pid has been reaped. A child that exited before watch is still seen.
func (r *reaper) watch(pid int, exited func(syscall.WaitStatus)) {
	r.mu.Lock()
	r.watched[pid] = exited
	r.added = append(r.added, pid)
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (r *reaper) run(sigc <-chan os.Signal) {
	for {
		select {
		case <-sigc:
			// Every watched child is seen: those just added too.
			r.takeAdded()
			if os.Getpid() == 1 {
				r.reapAll()
			} else {
				r.reapWatched()
			}
		case <-r.kick:
			for _, pid := range r.takeAdded() {
				r.reap(pid)
			}
		}
	}
}

func (r *reaper) takeAdded() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	added := r.added
	r.added = nil
	return added
}

// reapWatched peeks at the next exited child without reaping it; while it is
// one of ours it is reaped and the next is peeked at. A foreign one blocks
// the peek, so then each of ours is tried in turn.
func (r *reaper) reapWatched() {
	for {
		pid := peekExited()
		if pid <= 0 {
			return
		}
		if !r.reap(pid) {
			r.mu.Lock()
			pids := make([]int, 0, len(r.watched))
			for pid := range r.watched {
				pids = append(pids, pid)
			}
			r.mu.Unlock()
			for _, pid := range pids {
				r.reap(pid)
			}
			return
		}
	}
}

// reap reaps pid if it is watched and has exited, and reports whether it did.
func (r *reaper) reap(pid int) bool {
	r.mu.Lock()
	exited, ok := r.watched[pid]
	r.mu.Unlock()
	if !ok {
		return false
	}
	var ws syscall.WaitStatus
	got, err := wait4(pid, &ws)
	switch {
	case errors.Is(err, unix.ECHILD):
		// Reaped behind our back: report an end without a known cause.
		r.log.Error("watched child was reaped elsewhere", "pid", pid)
		ws = syscall.WaitStatus(0xffff)
	case err != nil || got != pid:
		return false
	}
	r.mu.Lock()
	delete(r.watched, pid)
	r.mu.Unlock()
	exited(ws)
	return true
}

// reapAll is supervisord's reap() for an agent that is PID 1: every exited
// child, ours or an orphan's.
func (r *reaper) reapAll() {
	for {
		var ws syscall.WaitStatus
		r.forking.Lock()
		pid, err := wait4(-1, &ws)
		r.forking.Unlock()
		if err != nil || pid <= 0 {
			return
		}
		r.mu.Lock()
		exited, ok := r.watched[pid]
		delete(r.watched, pid)
		r.mu.Unlock()
		if ok {
			exited(ws)
		} else {
			r.log.Info(fmt.Sprintf("reaped unknown pid %d (%s)", pid, decodeWaitStatus(ws).Text))
		}
	}
}

// wait4 is a non-blocking wait4 that retries on EINTR.
func wait4(pid int, ws *syscall.WaitStatus) (int, error) {
	for {
		got, err := syscall.Wait4(pid, ws, syscall.WNOHANG, nil)
		if !errors.Is(err, syscall.EINTR) {
			return got, err
		}
	}
}

// siginfoPidOffset is where si_pid sits in Linux's siginfo_t: after three
// int32s, at the alignment of the pointer-holding union.
const siginfoPidOffset = (12 + unsafe.Sizeof(uintptr(0)) - 1) &^ (unsafe.Sizeof(uintptr(0)) - 1)

// peekExited returns the pid of a child that has exited, without reaping
// it, or 0 when there is none.
func peekExited() int {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0
		}
		return int(*(*int32)(unsafe.Add(unsafe.Pointer(&info), siginfoPidOffset)))
	}
}
