package config

import (
	"strconv"
	"strings"
)

// Error is a configuration error with the place it comes from. Every error
// Load and Parse return is an *Error. Its message reads like
//
//	/etc/supervisor/conf.d/x.conf:12: [program:foo] startsecs: invalid integer "abc"
//
// Fields that do not apply are empty (Line 0 for a file-level error). An
// Error is immutable once returned and safe to share between goroutines.
type Error struct {
	// File is the file holding the offending line; "" when the value came
	// from the environment.
	File string
	// Line is the 1-based line of the key (the first line of a multi-line
	// value) or of the section header; 0 when no line applies.
	Line int
	// Section is the section name without brackets, Key the option name.
	Section, Key string
	// Env names the environment variable the value came from, if it did.
	Env string
	// Err says what is wrong.
	Err error
}

// Error formats the location, then the reason. Safe for concurrent use.
func (e *Error) Error() string {
	var parts []string
	switch {
	case e.Env != "":
		parts = append(parts, "environment variable "+e.Env)
	case e.File != "" && e.Line > 0:
		parts = append(parts, e.File+":"+strconv.Itoa(e.Line))
	case e.File != "":
		parts = append(parts, e.File)
	}
	var what []string
	if e.Section != "" {
		what = append(what, "["+e.Section+"]")
	}
	if e.Key != "" {
		what = append(what, e.Key)
	}
	if len(what) > 0 {
		parts = append(parts, strings.Join(what, " "))
	}
	msg := "<nil>"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	return strings.Join(append(parts, msg), ": ")
}

// Unwrap returns the reason, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }
