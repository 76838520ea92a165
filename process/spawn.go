package process

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"
)

// spawnSpec is everything one fork and exec needs.
type spawnSpec struct {
	name           string // the process name, for messages
	filename       string // resolved program
	argv           []string
	env            []string
	dir            string       // "" keeps the agent's
	umask          *os.FileMode // nil keeps the agent's
	uid            int          // -1 keeps the agent's
	redirectStderr bool
}

// spawned is a running child and the parent's ends of its pipes
// (non-blocking; stderr is -1 when redirected into stdout).
type spawned struct {
	pid                   int
	stdin, stdout, stderr int
}

// spawnError is a failed spawn. When inChild is false it failed in
// Supervisor itself and text is the spawnerr; when true Supervisor's forked
// child would have failed (setuid, chdir, exec): text is what that child
// writes to its stderr before exiting 127.
type spawnError struct {
	inChild bool
	text    string
}

func childFailed(format string, args ...any) *spawnError {
	return &spawnError{inChild: true, text: "supervisor: " + fmt.Sprintf(format, args...) +
		"\nsupervisor: child process was not spawned\n"}
}

// dispatchersError is the spawnerr of a failure to set up a child's pipes
// or log files (make_dispatchers).
func dispatchersError(name string, err error) string {
	if errors.Is(err, unix.EMFILE) {
		return fmt.Sprintf("too many open files to spawn '%s'", name)
	}
	return fmt.Sprintf("unknown error making dispatchers for '%s': %s", name, errnoName(err))
}

// umaskMu serializes forks against a swapped process umask: a spawn that
// sets the umask holds it exclusively, the others share it.
var umaskMu sync.RWMutex

// spawnChild forks and execs a child as Supervisor's spawn and
// _spawn_as_child do: its own process group, stdin/stdout/stderr pipes,
// the program's user, directory and umask, and SIGKILL when the agent dies.
func spawnChild(spec spawnSpec, log hclog.Logger) (spawned, *spawnError) {
	cred, failure := credential(spec.uid, os.Getuid())
	if failure != nil {
		return spawned{}, failure
	}
	p, err := openPipes(!spec.redirectStderr)
	if err != nil {
		return spawned{}, &spawnError{text: dispatchersError(spec.name, err)}
	}
	defer p.closeChildEnds()
	files := []uintptr{uintptr(p.child[0]), uintptr(p.child[1]), uintptr(p.child[2])}
	if spec.redirectStderr {
		files[2] = files[1]
	}
	attr := &syscall.ProcAttr{
		Dir:   spec.dir,
		Env:   spec.env,
		Files: files,
		Sys: &syscall.SysProcAttr{
			Setpgid:    true,
			Pdeathsig:  syscall.SIGKILL,
			Credential: cred,
		},
	}
	pid, err := spawnFrom(spawnerFor(p.child[:], log), spec, attr)
	if err != nil {
		p.closeParentEnds()
		return spawned{}, classifyForkError(spec, cred, err)
	}
	return spawned{pid: pid, stdin: p.parent[0], stdout: p.parent[1], stderr: p.parent[2]}, nil
}

// bigTable is the descriptor number from which a fork goes through the
// spawner. New descriptors take the lowest free numbers, so a child's pipe
// ends at or past it tell of a table of about as many. Handing a fork to the
// spawner's thread costs 0.11 ms, copying the table 0.07 ms per 1,000
// descriptors (BenchmarkSpawn, on an idle machine: even at 1,550); agents
// spawning side by side pay more per descriptor, hence a round number below.
const bigTable = 1024

// spawnerFor is the spawner for a child whose pipe ends are childEnds; nil
// (in place) for a small table, or where there is no spawner (see
// theSpawner for log).
func spawnerFor(childEnds []int, log hclog.Logger) *spawner {
	if slices.Max(childEnds) < bigTable {
		return nil
	}
	return theSpawner(log)
}

// spawnFrom forks from s's thread, in place when there is none.
func spawnFrom(s *spawner, spec spawnSpec, attr *syscall.ProcAttr) (int, error) {
	if s == nil {
		return forkExec(spec, attr)
	}
	return s.spawn(spec, attr)
}

// ownTimerSlack is the timer slack the agent was started with (its main
// thread's: package initialisation runs there), 0 if unknown.
var ownTimerSlack, _ = unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)

func forkExec(spec spawnSpec, attr *syscall.ProcAttr) (int, error) {
	// A child takes the timer slack of the thread that forks it, and the
	// agent widens its threads' while its host's CPU is full
	// (cmd/supvisors): the child gets the agent's own, as it would from
	// supervisord.
	if ownTimerSlack > 0 {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		_ = unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(ownTimerSlack), 0, 0, 0)
	}
	if spec.umask == nil {
		umaskMu.RLock()
		defer umaskMu.RUnlock()
		return syscall.ForkExec(spec.filename, spec.argv, attr)
	}
	umaskMu.Lock()
	defer umaskMu.Unlock()
	old := syscall.Umask(int(*spec.umask))
	defer syscall.Umask(old)
	return syscall.ForkExec(spec.filename, spec.argv, attr)
}

// credential is drop_privileges for a child of an agent running as
// current: nothing to do for the agent's own uid; a non-root agent cannot
// switch; root takes the user's primary group first, then every group that
// lists the user.
func credential(uid, current int) (*syscall.Credential, *spawnError) {
	if uid < 0 || uid == current {
		return nil, nil
	}
	if current != 0 {
		return nil, childFailed("couldn't setuid to %d: Can't drop privilege as nonroot user", uid)
	}
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return nil, childFailed("couldn't setuid to %d: Can't find uid %d", uid, uid)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, childFailed("couldn't setuid to %d: Could not set group id of effective user", uid)
	}
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{uint32(gid)}}
	ids, _ := u.GroupIds() // a user in no group file keeps its primary group only
	for _, id := range ids {
		if g, err := strconv.ParseUint(id, 10, 32); err == nil && uint32(g) != cred.Gid {
			cred.Groups = append(cred.Groups, uint32(g))
		}
	}
	return cred, nil
}

// classifyForkError turns a ForkExec error into Supervisor's outcome. Go
// reports only an errno, from fork or from the child; the child's steps run
// in Supervisor's order (credentials, directory, exec), so a directory the
// child cannot enter explains a failure before exec is blamed.
func classifyForkError(spec spawnSpec, cred *syscall.Credential, err error) *spawnError {
	switch {
	case errors.Is(err, unix.EAGAIN):
		return &spawnError{text: fmt.Sprintf("Too many processes in process table to spawn '%s'", spec.name)}
	case cred != nil && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EINVAL)):
		return childFailed("couldn't setuid to %d: Could not set groups of effective user", spec.uid)
	}
	if spec.dir != "" {
		if cdErr := chdirError(spec.dir, cred); cdErr != nil {
			return childFailed("couldn't chdir to %s: %s", spec.dir, errnoName(cdErr))
		}
	}
	return childFailed("couldn't exec %s: %s", spec.argv[0], errnoName(err))
}

// chdirError predicts the error a child with cred (nil: the agent's) gets
// from chdir(dir).
func chdirError(dir string, cred *syscall.Credential) error {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return unix.ENOTDIR
	}
	if cred == nil {
		return unix.Access(dir, unix.X_OK)
	}
	if cred.Uid == 0 {
		return nil
	}
	for p := dir; ; p = filepath.Dir(p) {
		if err := unix.Stat(p, &st); err != nil {
			return err
		}
		if !searchable(&st, cred) {
			return unix.EACCES
		}
		if p == "/" || p == "." {
			return nil
		}
	}
}

// searchable reports whether cred may traverse a directory with st's mode.
func searchable(st *unix.Stat_t, cred *syscall.Credential) bool {
	switch {
	case st.Uid == cred.Uid:
		return st.Mode&0o100 != 0
	case st.Gid == cred.Gid || slices.Contains(cred.Groups, st.Gid):
		return st.Mode&0o010 != 0
	}
	return st.Mode&0o001 != 0
}

// childPipes are the three pipes of one child (make_pipes): index 0 stdin,
// 1 stdout, 2 stderr (-1 when stderr is redirected). The parent's ends are
// non-blocking; all ends are close-on-exec (the child's are dup'ed to 0-2).
type childPipes struct {
	parent, child [3]int
}

func openPipes(withStderr bool) (*childPipes, error) {
	p := &childPipes{parent: [3]int{-1, -1, -1}, child: [3]int{-1, -1, -1}}
	n := 2
	if withStderr {
		n = 3
	}
	for i := 0; i < n; i++ {
		var fds [2]int
		if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
			p.closeParentEnds()
			p.closeChildEnds()
			return nil, fmt.Errorf("make pipes: %w", err)
		}
		if i == 0 { // the child reads its stdin
			p.child[i], p.parent[i] = fds[0], fds[1]
		} else {
			p.parent[i], p.child[i] = fds[0], fds[1]
		}
		if err := unix.SetNonblock(p.parent[i], true); err != nil {
			p.closeParentEnds()
			p.closeChildEnds()
			return nil, fmt.Errorf("make pipes: %w", err)
		}
	}
	return p, nil
}

func (p *childPipes) closeParentEnds() { closeFDs(p.parent[:]) }

func (p *childPipes) closeChildEnds() { closeFDs(p.child[:]) }

func closeFDs(fds []int) {
	for i, fd := range fds {
		if fd >= 0 {
			unix.Close(fd)
			fds[i] = -1
		}
	}
}
