package process

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// exitStatus is a reaped child's status decoded like Supervisor's
// options.decode_wait_status: Code is the exit status, or -1 when the child
// was killed by a signal; Text says what happened ("exit status 1",
// "terminated by SIGTERM", "terminated by SIGSEGV (core dumped)").
type exitStatus struct {
	Code int
	Text string
}

// decodeWaitStatus decodes a wait4 status.
func decodeWaitStatus(ws syscall.WaitStatus) exitStatus {
	switch {
	case ws.Exited():
		es := ws.ExitStatus() & 0xffff
		return exitStatus{Code: es, Text: fmt.Sprintf("exit status %d", es)}
	case ws.Signaled():
		text := "terminated by " + signame(ws.Signal())
		if ws.CoreDump() {
			text += " (core dumped)"
		}
		return exitStatus{Code: -1, Text: text}
	}
	return exitStatus{Code: -1, Text: fmt.Sprintf("unknown termination cause 0x%04x", uint32(ws))}
}

// pythonSignalNames are the names Python's signal module gives where x/sys
// has none or another alias.
var pythonSignalNames = map[syscall.Signal]string{
	syscall.SIGIO:      "SIGPOLL",
	syscall.Signal(34): "SIGRTMIN",
	syscall.Signal(64): "SIGRTMAX",
}

// signame names a signal as Supervisor's options.signame does: "SIGTERM", or
// "signal 40" for a number Python's signal module has no name for.
func signame(sig syscall.Signal) string {
	name, ok := pythonSignalNames[sig]
	if !ok {
		name = unix.SignalName(sig)
	}
	if name == "" {
		return "signal " + strconv.Itoa(int(sig))
	}
	return name
}

// pythonErrnoNames are errno names where Python's errno.errorcode differs
// from x/sys (Python keeps the last alias; it lacks EHWPOISON).
var pythonErrnoNames = map[syscall.Errno]string{
	syscall.EDEADLK: "EDEADLOCK",
	117:             "EUCLEAN",
	133:             "",
}

// errnoName names err's errno as Python's errno.errorcode.get(code, code)
// does ("ENOENT", or the number when Python has no name for it); an error
// that carries no errno is rendered with its text.
func errnoName(err error) string {
	var e syscall.Errno
	if !errors.As(err, &e) {
		return err.Error()
	}
	name, ok := pythonErrnoNames[e]
	if !ok {
		name = unix.ErrnoName(e)
	}
	if name == "" {
		return strconv.Itoa(int(e))
	}
	return name
}
