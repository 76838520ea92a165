package logfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// follower is a Follow running in the background for a test.
type follower struct {
	out    *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startFollow runs Follow and, when changed is not nil, returns once Follow
// has measured the file and asked for its first change channel, so that
// later writes are certain to come after the head.
func startFollow(tb testing.TB, path string, head int64, changed func() <-chan struct{}) *follower {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	fl := &follower{out: newSyncBuffer(), cancel: cancel, done: make(chan error, 1)}
	started := make(chan struct{})
	var once sync.Once
	watched := changed
	if changed != nil {
		watched = func() <-chan struct{} {
			once.Do(func() { close(started) })
			return changed()
		}
	} else {
		close(started)
	}
	go func() { fl.done <- Follow(ctx, fl.out, fl.out.flush, path, head, watched) }()
	tb.Cleanup(func() { fl.stop(tb) })
	select {
	case <-started:
	case err := <-fl.done:
		tb.Fatalf("Follow returned at once: %v", err)
	case <-time.After(waitTimeout):
		tb.Fatal("Follow did not start")
	}
	return fl
}

// stop cancels Follow and returns what it returned.
func (fl *follower) stop(tb testing.TB) error {
	tb.Helper()
	fl.cancel()
	select {
	case err := <-fl.done:
		fl.done <- err // later calls see it too
		return err
	case <-time.After(waitTimeout):
		tb.Fatal("Follow did not return after its context ended")
		return nil
	}
}

func (fl *follower) waitEqual(tb testing.TB, want string) {
	tb.Helper()
	fl.out.waitFor(tb, fmt.Sprintf("%q", want), func(s string) bool { return s == want })
}

func numbered(i int) string { return fmt.Sprintf("line %09d\n", i) } // 15 bytes

func TestFollowHead(t *testing.T) {
	content := strings.Repeat("0123456789", 200)
	tests := []struct {
		name    string
		content string
		head    int64
		want    string
	}{
		{"longer than head", content, 1024, content[len(content)-1024:]},
		{"shorter than head", content[:100], 1024, content[:100]},
		{"head equal to size", content[:100], 100, content[:100]},
		{"no head", content, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, tt.content)
			f := New(path, 0, 0)
			defer f.Close()
			fl := startFollow(t, path, tt.head, f.Changed)
			fl.waitEqual(t, tt.want)
			mustWrite(t, f, "more\n")
			fl.waitEqual(t, tt.want+"more\n")
			if err := fl.stop(t); err != nil {
				t.Errorf("Follow returned %v after cancel; want nil", err)
			}
		})
	}
}

// TestFollowAcrossRotation writes line by line through a rotating File and
// checks that the follower gets every line once, in order: the line that
// fills a file is read from the rotated file before the follower moves on.
func TestFollowAcrossRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f := New(path, 4*15, 2)
	defer f.Close()
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	fl := startFollow(t, path, 1024, f.Changed)
	var want strings.Builder
	for i := range 30 {
		mustWrite(t, f, numbered(i))
		want.WriteString(numbered(i))
		fl.waitEqual(t, want.String())
	}
	if _, err := os.Stat(path + ".2"); err != nil {
		t.Errorf("the test did not rotate twice: %v", err)
	}
}

// TestFollowFastWriter lets a writer outrun the follower across many
// rotations: lines may be skipped when several rotations happen between two
// wake-ups, but the follower never repeats, reorders or tears a line, and
// sees the last one (which stays in the current file: 3010 is not a multiple
// of the 40 lines a file holds).
func TestFollowFastWriter(t *testing.T) {
	const lines = 3010
	path := filepath.Join(t.TempDir(), "app.log")
	f := New(path, 40*15, 3)
	defer f.Close()
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	fl := startFollow(t, path, 0, f.Changed)
	go func() {
		for i := range lines {
			if _, err := f.Write([]byte(numbered(i))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	out := fl.out.waitFor(t, "the last line", func(s string) bool { return strings.HasSuffix(s, numbered(lines-1)) })
	last := -1
	for _, line := range strings.SplitAfter(out, "\n") {
		if line == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "line "), "\n"))
		if err != nil || line != numbered(n) || n <= last {
			t.Fatalf("line %q after line %d", line, last)
		}
		last = n
	}
}

// TestFollowTruncation uses backups=0 (rotation truncates in place): the
// follower announces the truncation like Supervisor and restarts at 0.
func TestFollowTruncation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f := New(path, 50, 0)
	defer f.Close()
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	a, b, c := strings.Repeat("A", 30), strings.Repeat("B", 30), strings.Repeat("C", 10)
	fl := startFollow(t, path, 1024, f.Changed)
	mustWrite(t, f, a)
	fl.waitEqual(t, a)
	mustWrite(t, f, b) // 60 >= 50: truncated right after the write
	mustWrite(t, f, c)
	out := fl.out.waitFor(t, "C after a truncation", func(s string) bool { return strings.HasSuffix(s, truncatedNotice+c) })
	// B may or may not have been read (whole or in part) before the truncation.
	middle := strings.TrimSuffix(strings.TrimPrefix(out, a), truncatedNotice+c)
	if !strings.HasPrefix(out, a) || !strings.HasPrefix(b, middle) || strings.Count(out, truncatedNotice) != 1 {
		t.Errorf("follower wrote %q; want A, part of B, one notice, C", out)
	}
}

func TestFollowExternalTruncate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f := New(path, 0, 0)
	defer f.Close()
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	fl := startFollow(t, path, 1024, f.Changed)
	mustWrite(t, f, "0123456789\n")
	fl.waitEqual(t, "0123456789\n")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "abc\n")
	fl.waitEqual(t, "0123456789\n"+truncatedNotice+"abc\n")
}

func TestFollowAcrossClear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f := New(path, 0, 0)
	defer f.Close()
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	fl := startFollow(t, path, 1024, f.Changed)
	mustWrite(t, f, "before\n")
	fl.waitEqual(t, "before\n")
	if err := f.Clear(); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "after\n")
	fl.waitEqual(t, "before\nafter\n")
}

func TestFollowAcrossExternalRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	f := New(path, 0, 0)
	defer f.Close()
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	fl := startFollow(t, path, 1024, f.Changed)
	mustWrite(t, f, "one\n")
	fl.waitEqual(t, "one\n")
	if err := os.Rename(path, path+".old"); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "two\n") // into the moved file: path is missing meanwhile
	fl.waitEqual(t, "one\ntwo\n")
	if err := f.Reopen(); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "three\n")
	fl.waitEqual(t, "one\ntwo\nthree\n")
}

func TestFollowFlushesEachChunk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	big := strings.Repeat("x", 3*followChunk+5)
	writeFile(t, path, big)
	fl := startFollow(t, path, int64(len(big)), nil)
	fl.waitEqual(t, big)
	if err := fl.stop(t); err != nil {
		t.Fatal(err)
	}
	fl.out.mu.Lock()
	defer fl.out.mu.Unlock()
	if fl.out.flushes != 4 {
		t.Errorf("%d flushes for 4 chunks", fl.out.flushes)
	}
}

func TestFollowErrors(t *testing.T) {
	dir := t.TempDir()
	if err := Follow(context.Background(), newSyncBuffer(), nil, filepath.Join(dir, "missing.log"), 1024, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Follow of a missing file: %v; want not exist", err)
	}
	path := filepath.Join(dir, "app.log")
	writeFile(t, path, "hello\n")
	if err := Follow(context.Background(), newSyncBuffer(), nil, path, -1, nil); err == nil {
		t.Error("Follow with a negative head: no error")
	}
	broken := newSyncBuffer()
	broken.fail = errors.New("client went away")
	if err := Follow(context.Background(), broken, nil, path, 1024, nil); !errors.Is(err, broken.fail) {
		t.Errorf("Follow into a failing writer: %v; want its error", err)
	}
}
