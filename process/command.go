package process

import (
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/supvisors/supvisors-go/fault"
)

// commandError is one of Supervisor's ProcessExceptions about a command: the
// fault startProcess raises for it (NO_FILE or NOT_EXECUTABLE) and the
// message, which is also the spawnerr when an automatic start meets it.
type commandError struct {
	code fault.Code
	msg  string
}

func (e *commandError) Error() string { return e.msg }

func (e *commandError) fault() *fault.Fault { return fault.New(e.code, e.msg) }

// resolveCommand is Supervisor's get_execv_args and check_execv_args: split
// the command like shlex, look a program name without '/' up in path (the
// first entry where it exists wins, even a directory), and check that the
// result is an executable file, with Supervisor's messages.
func resolveCommand(command string, path []string) (filename string, argv []string, cerr *commandError) {
	argv, err := splitCommand(command)
	if err != nil {
		return "", nil, &commandError{fault.NotExecutable, fmt.Sprintf("can't parse command %s: %v", pyRepr(command), err)}
	}
	if len(argv) == 0 {
		return "", nil, &commandError{fault.NotExecutable, "command is empty"}
	}
	program := argv[0]
	filename = program
	var st os.FileInfo
	statErr := os.ErrNotExist
	if strings.Contains(program, "/") {
		st, statErr = os.Stat(program)
	} else {
		for _, dir := range path {
			found := pathJoin(dir, program)
			if s, err := os.Stat(found); err == nil {
				filename, st, statErr = found, s, nil
				break
			}
		}
	}
	switch {
	case statErr != nil:
		return "", nil, &commandError{fault.NoFile, fmt.Sprintf("can't find command %s", pyRepr(filename))}
	case st.IsDir():
		return "", nil, &commandError{fault.NotExecutable, fmt.Sprintf("command at %s is a directory", pyRepr(filename))}
	case st.Mode().Perm()&0o111 == 0:
		return "", nil, &commandError{fault.NotExecutable, fmt.Sprintf("command at %s is not executable", pyRepr(filename))}
	case unix.Access(filename, unix.X_OK) != nil:
		return "", nil, &commandError{fault.NotExecutable, fmt.Sprintf("no permission to run command %s", pyRepr(filename))}
	}
	return filename, argv, nil
}

// pathJoin is Python's os.path.join(dir, name) for a name without '/': no
// cleaning, and an empty dir leaves name relative.
func pathJoin(dir, name string) string {
	if dir == "" || strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

// pyRepr formats s as Python's repr(str) does (the %r in Supervisor's
// messages): single quotes unless s contains ' and no ", backslash escapes
// for the quote, '\', \t, \n, \r, and \x, \u or \U escapes for characters
// that are not printable.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		i += size
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f || unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}
