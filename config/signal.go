package config

import (
	"fmt"
	"strings"
	"syscall"
)

// signalNames are the SIG* names of Python's signal module on Linux, which
// Supervisor resolves stopsignal= and signalProcess names against (the
// SIG_DFL/SIG_IGN/SIG_* handler and mask constants included, as it does).
var signalNames = map[string]syscall.Signal{
	"SIGABRT": 6, "SIGALRM": 14, "SIGBUS": 7, "SIGCHLD": 17, "SIGCLD": 17,
	"SIGCONT": 18, "SIGFPE": 8, "SIGHUP": 1, "SIGILL": 4, "SIGINT": 2,
	"SIGIO": 29, "SIGIOT": 6, "SIGKILL": 9, "SIGPIPE": 13, "SIGPOLL": 29,
	"SIGPROF": 27, "SIGPWR": 30, "SIGQUIT": 3, "SIGRTMAX": 64, "SIGRTMIN": 34,
	"SIGSEGV": 11, "SIGSTKFLT": 16, "SIGSTOP": 19, "SIGSYS": 31, "SIGTERM": 15,
	"SIGTRAP": 5, "SIGTSTP": 20, "SIGTTIN": 21, "SIGTTOU": 22, "SIGURG": 23,
	"SIGUSR1": 10, "SIGUSR2": 12, "SIGVTALRM": 26, "SIGWINCH": 28,
	"SIGXCPU": 24, "SIGXFSZ": 25,
	"SIG_BLOCK": 0, "SIG_DFL": 0, "SIG_IGN": 1, "SIG_SETMASK": 2, "SIG_UNBLOCK": 1,
}

// validSignal is the set of numbers those names take.
func validSignal(n int) bool {
	return (n >= 0 && n <= 31) || n == 34 || n == 64
}

// ParseSignal is Supervisor's signal_number: a number, or a name with or
// without its SIG prefix in any case ("TERM", "sigusr1", "9"). It is what
// stopsignal= and supervisor.signalProcess accept. Safe for concurrent use.
func ParseSignal(value string) (syscall.Signal, error) {
	if n, ok := pyInt(value, 10); ok {
		if !validSignal(n) {
			return 0, fmt.Errorf("value %q is not a valid signal number", value)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(pyStrip(value))
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	sig, ok := signalNames[name]
	if !ok {
		return 0, fmt.Errorf("value %q is not a valid signal name", value)
	}
	return sig, nil
}
