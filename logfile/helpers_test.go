package logfile

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitTimeout bounds every wait on a condition in these tests.
const waitTimeout = 10 * time.Second

// supervisorPython is Debian's interpreter, which has the supervisor package.
const supervisorPython = "/usr/bin/python3"

// runSupervisorPython runs a script of testdata with Supervisor's Python,
// feeding it in as JSON and decoding its JSON output into out (if not nil).
// The test is skipped when that Python or its supervisor package is missing.
func runSupervisorPython(tb testing.TB, script string, in, out any) {
	tb.Helper()
	if err := exec.Command(supervisorPython, "-c", "import supervisor").Run(); err != nil {
		tb.Skipf("no Supervisor to compare with: %v", err)
	}
	input, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(supervisorPython, filepath.Join("testdata", script))
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", script, err, stderr.String())
	}
	if out != nil {
		if err := json.Unmarshal(output, out); err != nil {
			tb.Fatalf("%s: decode %q: %v", script, output, err)
		}
	}
}

// dirFile is what a test compares of one file in a directory.
type dirFile struct {
	Name    string
	Mode    os.FileMode
	Content string
}

// readDir returns the regular files of dir, sorted by name.
func readDir(tb testing.TB, dir string) []dirFile {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var files []dirFile
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			tb.Fatal(err)
		}
		content, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, dirFile{Name: e.Name(), Mode: info.Mode(), Content: string(content)})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func mustWrite(tb testing.TB, f *File, s string) {
	tb.Helper()
	if n, err := f.Write([]byte(s)); err != nil || n != len(s) {
		tb.Fatalf("Write(%q) = %d, %v", s, n, err)
	}
}

// umask returns the process's umask without changing it.
func umask(tb testing.TB) os.FileMode {
	tb.Helper()
	status := readFile(tb, "/proc/self/status")
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, "Umask:"); ok {
			m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			if err != nil {
				tb.Fatal(err)
			}
			return os.FileMode(m)
		}
	}
	tb.Fatal("no Umask in /proc/self/status")
	return 0
}

// syncBuffer is a Follow destination that tests can wait on.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
	fail    error // returned by Write when set
	flushes int
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return 0, b.fail
	}
	b.buf.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return len(p), nil
}

func (b *syncBuffer) flush() {
	b.mu.Lock()
	b.flushes++
	b.mu.Unlock()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until cond holds for the buffer's content and returns it.
func (b *syncBuffer) waitFor(tb testing.TB, what string, cond func(string) bool) string {
	tb.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		s, ch := b.buf.String(), b.changed
		b.mu.Unlock()
		if cond(s) {
			return s
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("timed out waiting for %s; got %d bytes ending in %q", what, len(s), s[max(0, len(s)-200):])
		}
	}
}
