package logfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestOpenCreatesLikePython(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f := New(path, 0, 0)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("New touched the disk: %v", err)
	}
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Open(); err != nil {
		t.Fatalf("second Open: %v", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := 0o666 &^ umask(t); st.Mode().Perm() != want {
		t.Errorf("mode %v; want %v (0666 &^ umask, as Python's open)", st.Mode().Perm(), want)
	}
	if f.Path() != path {
		t.Errorf("Path() = %q; want %q", f.Path(), path)
	}
}

func TestOpenNeedsParentDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "app.log")
	f := New(path, 0, 0)
	if err := f.Open(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open under a missing directory: %v; want not exist", err)
	}
	if n, err := f.Write([]byte("x")); n != 0 || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write under a missing directory = %d, %v; want 0, not exist", n, err)
	}
}

// TestWriteAppendsAndCountsExistingBytes checks that an existing log is
// appended to and that its size counts toward the rotation threshold.
func TestWriteAppendsAndCountsExistingBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "12345678")
	f := New(path, 10, 1)
	defer f.Close()
	mustWrite(t, f, "9")
	if got := readFile(t, path); got != "123456789" {
		t.Fatalf("log = %q; want the old bytes then the new", got)
	}
	mustWrite(t, f, "0")
	if got, old := readFile(t, path), readFile(t, path+".1"); got != "" || old != "1234567890" {
		t.Errorf("log %q, backup %q; want a rotation at 10 bytes", got, old)
	}
}

func TestCloseThenWriteReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f := New(path, 0, 0)
	mustWrite(t, f, "a")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	mustWrite(t, f, "b")
	defer f.Close()
	if got := readFile(t, path); got != "ab" {
		t.Errorf("log = %q; want ab", got)
	}
}

func TestClear(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	f := New(path, 10, 2)
	defer f.Close()
	mustWrite(t, f, "0123456789") // rotated into app.log.1
	mustWrite(t, f, "abc")
	old, err := os.Open(path) // held open so that its inode cannot be reused
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	before, err := old.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Clear(); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no log after Clear: %v", err)
	}
	if after.Size() != 0 || os.SameFile(before, after) {
		t.Errorf("Clear left size %d, same file %v; want a new empty file", after.Size(), os.SameFile(before, after))
	}
	if got := readFile(t, path+".1"); got != "0123456789" {
		t.Errorf("Clear touched the backup: %q", got)
	}
	// The size restarts from zero: rotation is 10 bytes away again.
	mustWrite(t, f, "012345678")
	if _, err := os.Stat(path + ".2"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rotated too early after Clear: %v", err)
	}
}

// TestClearCreatesMissingLog follows clearProcessLogs: a log removed
// behind the File's back is no error and exists again afterwards.
func TestClearCreatesMissingLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f := New(path, 0, 0)
	defer f.Close()
	if err := f.Clear(); err != nil {
		t.Fatalf("Clear of a never-opened log: %v", err)
	}
	mustWrite(t, f, "a")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := f.Clear(); err != nil {
		t.Fatalf("Clear of a removed log: %v", err)
	}
	mustWrite(t, f, "b")
	if got := readFile(t, path); got != "b" {
		t.Errorf("log = %q; want b", got)
	}
}

func TestClearKeepsDevices(t *testing.T) {
	path := filepath.Join(t.TempDir(), "null.log")
	if err := os.Symlink("/dev/null", path); err != nil {
		t.Fatal(err)
	}
	f := New(path, 0, 0)
	defer f.Close()
	mustWrite(t, f, "x")
	if err := f.Clear(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(path); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("Clear replaced the /dev/null link: %v, %v", st, err)
	}
}

func TestClearFailureLeavesFileClosed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "app.log")
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f := New(path, 0, 0)
	defer f.Close()
	mustWrite(t, f, "a")
	if err := os.RemoveAll(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	if err := f.Clear(); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Clear without a directory: %v; want not exist", err)
	}
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "b")
	if got := readFile(t, path); got != "b" {
		t.Errorf("log = %q; want b", got)
	}
}

func TestReopenAfterExternalMove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	moved := filepath.Join(dir, "app.log.old")
	f := New(path, 10, 1)
	defer f.Close()
	mustWrite(t, f, "12345")
	if err := os.Rename(path, moved); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "67") // still the moved file until Reopen
	if err := f.Reopen(); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "abcdefgh")
	if got, old := readFile(t, path), readFile(t, moved); got != "abcdefgh" || old != "1234567" {
		t.Errorf("log %q, moved %q; want abcdefgh and 1234567", got, old)
	}
	mustWrite(t, f, "ij") // 10 bytes in the new file: rotation
	if got := readFile(t, path+".1"); got != "abcdefghij" {
		t.Errorf("backup %q; want the reopened file's 10 bytes", got)
	}
}

func TestChanged(t *testing.T) {
	dir := t.TempDir()
	f := New(filepath.Join(dir, "app.log"), 0, 0)
	defer f.Close()
	fired := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	steps := []struct {
		name   string
		do     func() error
		change bool
	}{
		{"Open", f.Open, false},
		{"empty Write", func() error { _, err := f.Write(nil); return err }, false},
		{"Write", func() error { _, err := f.Write([]byte("x")); return err }, true},
		{"Close", f.Close, false},
		{"Clear", f.Clear, true},
		{"Reopen", f.Reopen, true},
	}
	for _, s := range steps {
		ch, again := f.Changed(), f.Changed()
		if ch != again {
			t.Fatalf("before %s: Changed returned two channels", s.name)
		}
		if fired(ch) {
			t.Fatalf("before %s: a fresh channel has fired", s.name)
		}
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if fired(ch) != s.change {
			t.Errorf("%s: fired %v; want %v", s.name, fired(ch), s.change)
		}
		if s.change && fired(f.Changed()) {
			t.Errorf("after %s: the next channel has fired already", s.name)
		}
	}
}

// TestConcurrentWriters has several goroutines write lines through one
// rotating File while others read and follow it, then checks that every line
// landed exactly once, whole, and that every backup rotated at the threshold.
func TestConcurrentWriters(t *testing.T) {
	const (
		writers  = 8
		lines    = 300
		lineSize = 32
		maxBytes = 4096
	)
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	f := New(path, maxBytes, 1000)
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-f.Changed():
				_, _ = Read(path, -100, 0)
				_, _, _ = Tail(path, 0, 100)
			}
		}
	})

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				line := fmt.Sprintf("writer %d line %05d", w, i)
				line += strings.Repeat(".", lineSize-1-len(line)) + "\n"
				if _, err := f.Write([]byte(line)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	var all []string
	for i := 1000; i >= 1; i-- {
		name := backupName(path, i)
		content, err := os.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(content) < maxBytes || len(content) >= maxBytes+lineSize {
			t.Errorf("%s has %d bytes; want [%d, %d)", name, len(content), maxBytes, maxBytes+lineSize)
		}
		all = append(all, scanLines(t, string(content))...)
	}
	all = append(all, scanLines(t, readFile(t, path))...)
	if len(all) != writers*lines {
		t.Fatalf("%d lines in the log files; want %d", len(all), writers*lines)
	}
	slices.Sort(all)
	if len(slices.Compact(all)) != writers*lines {
		t.Errorf("duplicate lines")
	}
	for _, line := range all {
		if len(line) != lineSize-1 || !strings.HasPrefix(line, "writer ") {
			t.Fatalf("torn line %q", line)
		}
	}
}

func scanLines(tb testing.TB, s string) []string {
	tb.Helper()
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if s != "" && !strings.HasSuffix(s, "\n") {
		tb.Errorf("log ends inside a line: %q", s[max(0, len(s)-40):])
	}
	return lines
}
