// Package fault defines the XML-RPC faults of Supervisor and Supvisors: the
// one error form every layer returns when a client must see a fault code.
package fault

import (
	"errors"
	"fmt"
)

// Code is a fault code as sent in faultCode.
type Code int

// Supervisor's fault codes (supervisor/xmlrpc.py) and Supvisors' additions.
const (
	UnknownMethod        Code = 1
	IncorrectParameters  Code = 2
	BadArguments         Code = 3
	SignatureUnsupported Code = 4
	ShutdownState        Code = 6
	BadName              Code = 10
	BadSignal            Code = 11
	NoFile               Code = 20
	NotExecutable        Code = 21
	Failed               Code = 30
	AbnormalTermination  Code = 40
	SpawnError           Code = 50
	AlreadyStarted       Code = 60
	NotRunning           Code = 70
	Success              Code = 80
	AlreadyAdded         Code = 90
	StillRunning         Code = 91
	CantReread           Code = 92

	SupvisorsConfError Code = 100
	BadSupvisorsState  Code = 101
	BadAddress         Code = 102
	BadStrategy        Code = 103
	BadExtraArguments  Code = 104
	// Disabled: a start of a process whose program is disabled
	// (supvisors.disable). Later Supvisors releases number it 103, which
	// the spec gives to BAD_STRATEGY: it takes the first free code.
	Disabled Code = 105
)

var names = map[Code]string{
	UnknownMethod:        "UNKNOWN_METHOD",
	IncorrectParameters:  "INCORRECT_PARAMETERS",
	BadArguments:         "BAD_ARGUMENTS",
	SignatureUnsupported: "SIGNATURE_UNSUPPORTED",
	ShutdownState:        "SHUTDOWN_STATE",
	BadName:              "BAD_NAME",
	BadSignal:            "BAD_SIGNAL",
	NoFile:               "NO_FILE",
	NotExecutable:        "NOT_EXECUTABLE",
	Failed:               "FAILED",
	AbnormalTermination:  "ABNORMAL_TERMINATION",
	SpawnError:           "SPAWN_ERROR",
	AlreadyStarted:       "ALREADY_STARTED",
	NotRunning:           "NOT_RUNNING",
	Success:              "SUCCESS",
	AlreadyAdded:         "ALREADY_ADDED",
	StillRunning:         "STILL_RUNNING",
	CantReread:           "CANT_REREAD",
	SupvisorsConfError:   "SUPVISORS_CONF_ERROR",
	BadSupvisorsState:    "BAD_SUPVISORS_STATE",
	BadAddress:           "BAD_ADDRESS",
	BadStrategy:          "BAD_STRATEGY",
	BadExtraArguments:    "BAD_EXTRA_ARGUMENTS",
	Disabled:             "DISABLED",
}

// String returns the fault's name, e.g. "BAD_NAME", or "FAULT_<n>" for a code
// outside the tables.
func (c Code) String() string {
	if n, ok := names[c]; ok {
		return n
	}
	return fmt.Sprintf("FAULT_%d", int(c))
}

// Fault is an XML-RPC fault. Only *Fault implements error, so a Fault is
// always handled by pointer and errors.As(err, &f) finds it through wrapping.
// A Fault is immutable once made and safe for concurrent use.
type Fault struct {
	Code   Code
	String string // "NAME" or "NAME: detail", as Supervisor formats it
}

// New returns the fault for code, with String "NAME" or "NAME: detail" when
// detail is not empty.
func New(code Code, detail string) *Fault {
	s := code.String()
	if detail != "" {
		s += ": " + detail
	}
	return &Fault{Code: code, String: s}
}

// Newf is New with a formatted detail.
func Newf(code Code, format string, args ...any) *Fault {
	return New(code, fmt.Sprintf(format, args...))
}

// Error implements error.
func (f *Fault) Error() string { return f.String }

// Detail returns what follows "NAME: " in the fault string, or "".
func (f *Fault) Detail() string {
	prefix := f.Code.String() + ": "
	if len(f.String) > len(prefix) && f.String[:len(prefix)] == prefix {
		return f.String[len(prefix):]
	}
	return ""
}

// From is the fault an error is sent as: the *Fault it is or wraps, else
// FAILED with its message.
func From(err error) *Fault {
	var f *Fault
	if errors.As(err, &f) && f != nil {
		return f
	}
	return New(Failed, err.Error())
}
