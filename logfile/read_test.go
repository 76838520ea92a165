package logfile

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/fault"
)

func TestReadRange(t *testing.T) {
	tests := []struct {
		size, offset, length int64
		pos, n               int64
		bad                  bool
	}{
		{size: 50, offset: 0, length: 0, pos: 0, n: 50},
		{size: 50, offset: 10, length: 0, pos: 10, n: 40},
		{size: 50, offset: 10, length: 5, pos: 10, n: 5},
		{size: 50, offset: 45, length: 10, pos: 45, n: 5},
		{size: 50, offset: 50, length: 0, pos: 50, n: 0},
		{size: 50, offset: 99, length: 3, pos: 99, n: 0},
		{size: 50, offset: -10, length: 0, pos: 40, n: 10},
		{size: 50, offset: -50, length: 0, pos: 0, n: 50},
		{size: 50, offset: -1600, length: 0, pos: 0, n: 50},
		{size: 50, offset: math.MinInt64, length: 0, pos: 0, n: 50},
		{size: 0, offset: -1600, length: 0, pos: 0, n: 0},
		{size: 50, offset: -10, length: 1, bad: true},
		{size: 50, offset: -10, length: -1, bad: true},
		{size: 50, offset: 0, length: -1, bad: true},
		{size: 50, offset: math.MaxInt64, length: math.MaxInt64, pos: math.MaxInt64, n: 0},
	}
	for _, tt := range tests {
		pos, n, err := readRange(tt.size, tt.offset, tt.length)
		if tt.bad {
			if !errors.Is(err, errBadArguments) {
				t.Errorf("readRange(%d, %d, %d) = %d, %d, %v; want bad arguments", tt.size, tt.offset, tt.length, pos, n, err)
			}
			continue
		}
		if err != nil || pos != tt.pos || n != tt.n {
			t.Errorf("readRange(%d, %d, %d) = %d, %d, %v; want %d, %d", tt.size, tt.offset, tt.length, pos, n, err, tt.pos, tt.n)
		}
	}
}

func TestTailRange(t *testing.T) {
	tests := []struct {
		size, offset, length int64
		pos, n               int64
		overflow             bool
	}{
		// what supervisorctl-like clients do: start at 0, then follow the returned offset.
		{size: 50, offset: 0, length: 100, pos: 0, n: 50},
		{size: 50, offset: 0, length: 10, pos: 40, n: 10, overflow: true},
		{size: 50, offset: 50, length: 10, pos: 50, n: 0},
		{size: 50, offset: 45, length: 10, pos: 40, n: 10},
		{size: 50, offset: 60, length: 10, pos: 50, n: 0},
		{size: 0, offset: 0, length: 10, pos: 0, n: 0},
		{size: 50, offset: -10, length: 5, pos: 45, n: 5, overflow: true},
		{size: 10, offset: 15, length: -5, pos: 15, n: 0},
		{size: 50, offset: 15, length: -5, pos: 49, n: 0, overflow: true},
		{size: 50, offset: 0, length: 0, pos: 49, n: 0, overflow: true},
		{size: 50, offset: math.MaxInt64, length: math.MaxInt64, pos: 50, n: 0},
		{size: 50, offset: math.MinInt64, length: math.MinInt64, pos: 49, n: 0, overflow: true},
		{size: 50, offset: 0, length: math.MaxInt64, pos: 0, n: 50},
	}
	for _, tt := range tests {
		pos, n, overflow := tailRange(tt.size, tt.offset, tt.length)
		if pos != tt.pos || n != tt.n || overflow != tt.overflow {
			t.Errorf("tailRange(%d, %d, %d) = %d, %d, %v; want %d, %d, %v",
				tt.size, tt.offset, tt.length, pos, n, overflow, tt.pos, tt.n, tt.overflow)
		}
	}
}

// TestReadAndTailMatchSupervisor compares Read and Tail with Supervisor's
// readFile and tailFile over a grid of arguments around the file's edges.
func TestReadAndTailMatchSupervisor(t *testing.T) {
	values := []int64{-1600, -51, -50, -49, -10, -1, 0, 1, 10, 49, 50, 51, 1600}
	var cases [][2]int64
	for _, offset := range values {
		for _, length := range values {
			cases = append(cases, [2]int64{offset, length})
		}
	}
	for _, content := range []string{"", strings.Repeat("0123456789", 5)} {
		path := filepath.Join(t.TempDir(), "app.log")
		writeFile(t, path, content)
		var want []struct {
			Read  *string
			Fault *string
			Tail  [3]any
		}
		runSupervisorPython(t, "readtail.py", map[string]any{"path": path, "cases": cases}, &want)
		if len(want) != len(cases) {
			t.Fatalf("Supervisor answered %d cases of %d", len(want), len(cases))
		}
		for i, c := range cases {
			offset, length := c[0], c[1]
			got, err := Read(path, offset, length)
			switch w := want[i]; {
			case w.Fault != nil:
				var f *fault.Fault
				if !errors.As(err, &f) || f.String != *w.Fault {
					t.Errorf("size %d: Read(%d, %d) = %q, %v; want fault %s", len(content), offset, length, got, err, *w.Fault)
				}
			case err != nil || got != *w.Read:
				t.Errorf("size %d: Read(%d, %d) = %q, %v; want %q", len(content), offset, length, got, err, *w.Read)
			}
			data, newOffset, overflow := Tail(path, offset, length)
			gotTail := [3]any{data, float64(newOffset), overflow}
			if gotTail != want[i].Tail {
				t.Errorf("size %d: Tail(%d, %d) = %v; want %v", len(content), offset, length, gotTail, want[i].Tail)
			}
		}
	}
}

func TestReadFaults(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.log")
	log := filepath.Join(dir, "app.log")
	writeFile(t, log, "hello")
	tests := []struct {
		path           string
		offset, length int64
		want           string
	}{
		{path: "", want: "NO_FILE: None"},
		{path: missing, want: "NO_FILE: " + missing},
		{path: dir, want: "FAILED"},
		{path: dir, offset: -1, length: 1, want: "FAILED"}, // open fails before the arguments are checked
		{path: log, offset: -1, length: 1, want: "BAD_ARGUMENTS"},
		{path: log, offset: 1, length: -1, want: "BAD_ARGUMENTS"},
	}
	for _, tt := range tests {
		got, err := Read(tt.path, tt.offset, tt.length)
		var f *fault.Fault
		if !errors.As(err, &f) || f.String != tt.want {
			t.Errorf("Read(%q, %d, %d) = %q, %v; want fault %s", tt.path, tt.offset, tt.length, got, err, tt.want)
		}
	}
}

func TestTailUnreadable(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		path       string
		wantOffset int64
	}{
		{path: "", wantOffset: 0},
		{path: filepath.Join(dir, "missing.log"), wantOffset: 0},
		{path: dir, wantOffset: 7}, // exists but cannot be read: the offset comes back
	}
	for _, tt := range tests {
		data, offset, overflow := Tail(tt.path, 7, 10)
		if data != "" || offset != tt.wantOffset || overflow {
			t.Errorf("Tail(%q, 7, 10) = %q, %d, %v; want \"\", %d, false", tt.path, data, offset, overflow, tt.wantOffset)
		}
	}
}

func TestReadDevices(t *testing.T) {
	if got, err := Read("/dev/null", -1600, 0); err != nil || got != "" {
		t.Errorf("Read(/dev/null) = %q, %v; want empty", got, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	pipe := "/proc/self/fd/" + strconv.Itoa(int(w.Fd()))
	var f *fault.Fault
	if got, err := Read(pipe, -1600, 0); !errors.As(err, &f) || f.Code != fault.Failed {
		t.Errorf("Read(a pipe) = %q, %v; want FAILED", got, err)
	}
	if data, offset, overflow := Tail(pipe, 7, 10); data != "" || offset != 7 || overflow {
		t.Errorf("Tail(a pipe, 7, 10) = %q, %d, %v; want \"\", 7, false", data, offset, overflow)
	}
	if data, offset, overflow := Tail("/dev/null", 7, 10); data != "" || offset != 0 || overflow {
		t.Errorf("Tail(/dev/null, 7, 10) = %q, %d, %v; want \"\", 0, false", data, offset, overflow)
	}
}

func TestReadReplacesInvalidUTF8(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "h\u00e9llo \xff\xfe end")
	tests := []struct {
		offset, length int64
		want           string
	}{
		{offset: 0, want: "h\u00e9llo \ufffd end"},
		{offset: 2, length: 4, want: "\ufffdllo"}, // starts inside é
		{offset: -4, want: " end"},
	}
	for _, tt := range tests {
		if got, err := Read(path, tt.offset, tt.length); err != nil || got != tt.want {
			t.Errorf("Read(%d, %d) = %q, %v; want %q", tt.offset, tt.length, got, err, tt.want)
		}
	}
	if data, _, _ := Tail(path, 0, 5); data != "\ufffd end" {
		t.Errorf("Tail(0, 5) = %q; want %q", data, "\ufffd end")
	}
}

// FuzzRanges checks that any arguments give ranges inside the file, or
// BAD_ARGUMENTS, and never panic.
func FuzzRanges(f *testing.F) {
	f.Add(int64(50), int64(-1600), int64(0))
	f.Add(int64(50), int64(0), int64(1600))
	f.Add(int64(0), int64(0), int64(0))
	f.Add(int64(50), int64(math.MinInt64), int64(math.MinInt64))
	f.Add(int64(50), int64(math.MaxInt64), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, size, offset, length int64) {
		if size < 0 {
			return
		}
		pos, n, err := readRange(size, offset, length)
		wantBad := (offset < 0 && length != 0) || (offset >= 0 && length < 0)
		if (err != nil) != wantBad {
			t.Fatalf("readRange(%d, %d, %d) error %v; want bad %v", size, offset, length, err, wantBad)
		}
		if err == nil && (pos < 0 || n < 0 || (n > 0 && pos+n > size)) {
			t.Fatalf("readRange(%d, %d, %d) = [%d, +%d) outside the file", size, offset, length, pos, n)
		}
		pos, n, _ = tailRange(size, offset, length)
		if pos < 0 || n < 0 || (n > 0 && pos+n > size) {
			t.Fatalf("tailRange(%d, %d, %d) = [%d, +%d) outside the file", size, offset, length, pos, n)
		}
	})
}
