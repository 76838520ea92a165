package logfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"unicode/utf8"

	"github.com/supvisors/supvisors-go/fault"
)

// errBadArguments is readRange's refusal, reported as BAD_ARGUMENTS.
var errBadArguments = errors.New("bad arguments")

// Read returns length bytes of the log at path from offset, as Supervisor's
// readLog and readProcess{Stdout,Stderr}Log do (options.py readFile):
// offset >= 0 reads length bytes from offset (length 0: up to the end);
// offset < 0 reads the last -offset bytes (length must then be 0). Faults:
// NO_FILE: path when path does not exist (NO_FILE: None for an empty path),
// BAD_ARGUMENTS, and FAILED when the file cannot be opened or read.
// Bytes that are not UTF-8 are replaced (see asString). Read is safe for
// concurrent use.
func Read(path string, offset, length int64) (string, error) {
	if path == "" {
		return "", fault.New(fault.NoFile, "None")
	}
	if _, err := os.Stat(path); err != nil {
		return "", fault.New(fault.NoFile, path)
	}
	f, size, err := openForRead(path)
	if err != nil {
		return "", fault.New(fault.Failed, "")
	}
	defer f.Close()
	pos, n, err := readRange(size, offset, length)
	if err != nil {
		return "", fault.New(fault.BadArguments, "")
	}
	data, err := readAt(f, pos, n)
	if err != nil {
		return "", fault.New(fault.Failed, "")
	}
	return asString(data), nil
}

// Tail is Supervisor's tailProcess{Stdout,Stderr}Log (options.py tailFile):
// it returns up to length bytes of the end of the log, the offset to ask
// from next time (the log's size) and whether the log has grown beyond
// offset+length since then. A missing file gives ("", 0, false); a file that
// cannot be opened or read gives ("", offset, false). Bytes that are not
// UTF-8 are replaced (see asString). Tail is safe for concurrent use.
func Tail(path string, offset, length int64) (data string, newOffset int64, overflow bool) {
	if path == "" {
		return "", 0, false
	}
	if _, err := os.Stat(path); err != nil {
		return "", 0, false
	}
	f, size, err := openForRead(path)
	if err != nil {
		return "", offset, false
	}
	defer f.Close()
	pos, n, overflow := tailRange(size, offset, length)
	raw, err := readAt(f, pos, n)
	if err != nil {
		return "", pos, false
	}
	return asString(raw), size, overflow
}

// openForRead opens path for reading and measures it by seeking to its end,
// as Python's open(path, 'rb') and seek(0, 2) do: a directory or a pipe
// fails, /dev/null is empty.
func openForRead(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = fmt.Errorf("open %s: is a directory", path)
	}
	var size int64
	if err == nil {
		size, err = f.Seek(0, io.SeekEnd)
	}
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, size, nil
}

// readAt reads up to n bytes at pos, fewer if the file ends first.
func readAt(f *os.File, pos, n int64) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	buf := make([]byte, n)
	got, err := f.ReadAt(buf, pos)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:got], nil
}

// readRange maps readFile's arguments onto the bytes [pos, pos+n) of a file
// of size bytes, or errBadArguments for a negative offset with a length, or
// a negative length.
func readRange(size, offset, length int64) (pos, n int64, err error) {
	if offset < 0 {
		if length != 0 {
			return 0, 0, errBadArguments
		}
		pos = satAdd(size, offset)
		if pos < 0 {
			pos = 0
		}
		return pos, size - pos, nil
	}
	if length < 0 {
		return 0, 0, errBadArguments
	}
	if offset >= size {
		return offset, 0, nil
	}
	n = size - offset
	if length != 0 && length < n {
		n = length
	}
	return offset, n, nil
}

// tailRange is tailFile's arithmetic for a file of size bytes: the bytes
// [pos, pos+n) to return and the overflow flag.
func tailRange(size, offset, length int64) (pos, n int64, overflow bool) {
	if size > satAdd(offset, length) {
		overflow = true
		offset = size - 1
	}
	if satAdd(offset, length) > size {
		if offset > size-1 {
			length = 0
		}
		offset = size - length // length > size-offset > 0 here: no overflow
	}
	if offset < 0 {
		offset = 0
	}
	if length < 0 {
		length = 0
	}
	n = min(length, max(size-offset, 0))
	return offset, n, overflow
}

// satAdd returns a+b clamped to the int64 range, so that comparisons with
// client-chosen offsets behave like Python's unbounded integers.
func satAdd(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}

// asString turns log bytes into the reply string. Supervisor decodes them as
// strict UTF-8 and answers HTTP 500 when that fails (for instance when an
// offset cuts a multi-byte character); here each run of invalid bytes
// becomes U+FFFD instead, so the reply is always valid UTF-8.
func asString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}
