package logfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenNoFollow checks what OpenNoFollow opens, creates and refuses, and
// that a refusal leaves the file behind the obstacle untouched.
func TestOpenNoFollow(t *testing.T) {
	const victimText = "the victim's bytes\n"
	tests := []struct {
		name    string
		plant   func(tb testing.TB, path, victim string)
		flag    int
		created bool
		want    error  // nil: opened
		content string // of path once opened and written "new"
	}{
		{name: "missing", flag: os.O_WRONLY | os.O_APPEND, created: true, content: "new"},
		{name: "missing, exclusive", flag: os.O_WRONLY | os.O_APPEND | os.O_EXCL, created: true, content: "new"},
		{name: "existing appended", plant: plantFile, flag: os.O_WRONLY | os.O_APPEND, content: "old\nnew"},
		{name: "existing truncated", plant: plantFile, flag: os.O_WRONLY | os.O_TRUNC, content: "new"},
		{name: "existing, exclusive", plant: plantFile, flag: os.O_WRONLY | os.O_APPEND | os.O_EXCL, want: fs.ErrExist},
		{name: "link", plant: plantLink, flag: os.O_WRONLY | os.O_APPEND, want: ErrSymlink},
		{name: "link, truncating", plant: plantLink, flag: os.O_WRONLY | os.O_TRUNC, want: ErrSymlink},
		{name: "link, exclusive", plant: plantLink, flag: os.O_WRONLY | os.O_APPEND | os.O_EXCL, want: ErrSymlink},
		{name: "dangling link", plant: plantDanglingLink, flag: os.O_WRONLY | os.O_APPEND, want: ErrSymlink},
		{name: "hard link", plant: plantHardLink, flag: os.O_WRONLY | os.O_TRUNC, want: errNotPlain},
		{name: "fifo without reader", plant: plantFIFO, flag: os.O_WRONLY | os.O_APPEND, want: syscall.ENXIO},
		{name: "directory", plant: plantDir, flag: os.O_WRONLY | os.O_APPEND, want: syscall.EISDIR},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, victim := filepath.Join(dir, "app.log"), filepath.Join(dir, "victim")
			writeFile(t, victim, victimText)
			if tc.plant != nil {
				tc.plant(t, path, victim)
			}
			f, created, err := OpenNoFollow(path, tc.flag, 0o600)
			if got := readFile(t, victim); got != victimText {
				t.Errorf("the victim was changed: %q", got)
			}
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Errorf("OpenNoFollow = %v; want %v", err, tc.want)
				}
				if f != nil {
					f.Close()
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if created != tc.created {
				t.Errorf("created = %v; want %v", created, tc.created)
			}
			if _, err := f.WriteString("new"); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); got != tc.content {
				t.Errorf("file = %q; want %q", got, tc.content)
			}
			if st, err := os.Stat(path); err != nil || tc.created && st.Mode().Perm() != 0o600&^umask(t) {
				t.Errorf("mode of the created file: %v, %v; want %v", st.Mode(), err, 0o600&^umask(t))
			}
		})
	}
}

func plantFile(tb testing.TB, path, _ string) { writeFile(tb, path, "old\n") }

func plantLink(tb testing.TB, path, victim string) { symlink(tb, victim, path) }

func plantDanglingLink(tb testing.TB, path, victim string) {
	symlink(tb, victim+".missing", path)
}

func plantHardLink(tb testing.TB, path, victim string) {
	tb.Helper()
	if err := os.Link(victim, path); err != nil {
		tb.Fatal(err)
	}
}

func plantFIFO(tb testing.TB, path, _ string) {
	tb.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func plantDir(tb testing.TB, path, _ string) {
	tb.Helper()
	if err := os.Mkdir(path, 0o700); err != nil {
		tb.Fatal(err)
	}
}

func symlink(tb testing.TB, target, path string) {
	tb.Helper()
	if err := os.Symlink(target, path); err != nil {
		tb.Fatal(err)
	}
}

// TestRotationRefusesPlantedLink plants a link where a log without backups
// is opened again at its rotation (Supervisor reopens it by name): the
// rotation is refused, the link's target never written, and the log comes
// back once the link is gone.
func TestRotationRefusesPlantedLink(t *testing.T) {
	dir := t.TempDir()
	path, victim := filepath.Join(dir, "app.log"), filepath.Join(dir, "victim")
	writeFile(t, victim, "victim")
	f := New(path, 4, 0)
	defer f.Close()
	mustWrite(t, f, "ab")
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	symlink(t, victim, path)
	if _, err := f.Write([]byte("cd")); !errors.Is(err, ErrSymlink) {
		t.Errorf("Write that rotates onto a link: %v; want %v", err, ErrSymlink)
	}
	if _, err := f.Write([]byte("ef")); !errors.Is(err, ErrSymlink) {
		t.Errorf("Write after the refusal: %v; want %v", err, ErrSymlink)
	}
	if got := readFile(t, victim); got != "victim" {
		t.Errorf("the link's target was written: %q", got)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "gh")
	if got := readFile(t, path); got != "gh" {
		t.Errorf("log once the link is gone = %q; want gh", got)
	}
}

// TestRecreatedLogNeverFollowsLinks checks that once a File has re-created
// its log (a rotation, a Clear), no later open of it (a reopen at the next
// spawn, after SIGUSR2) follows a link planted there.
func TestRecreatedLogNeverFollowsLinks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		recreate func(tb testing.TB, f *File)
		reopen   func(f *File) error
	}{
		{"rotation, then open", func(tb testing.TB, f *File) { mustWrite(tb, f, "abcd") }, (*File).Open},
		{"clear, then reopen", func(tb testing.TB, f *File) {
			tb.Helper()
			if err := f.Clear(); err != nil {
				tb.Fatal(err)
			}
		}, (*File).Reopen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, victim := filepath.Join(dir, "app.log"), filepath.Join(dir, "victim")
			writeFile(t, victim, "victim")
			f := New(path, 4, 1)
			defer f.Close()
			tc.recreate(t, f)
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			symlink(t, victim, path)
			if err := tc.reopen(f); !errors.Is(err, ErrSymlink) {
				t.Errorf("reopen onto a link: %v; want %v", err, ErrSymlink)
			}
			if _, err := f.Write([]byte("x")); !errors.Is(err, ErrSymlink) {
				t.Errorf("Write onto a link: %v; want %v", err, ErrSymlink)
			}
			if got := readFile(t, victim); got != "victim" {
				t.Errorf("the link's target was written: %q", got)
			}
		})
	}
}

// TestRecreatedLogKeepsItsMode checks that a log re-created by a rotation
// or a Clear has the mode of the file it replaces (an AUTO log is created
// 0600 by mkstemp), not 0666 less the umask; the umask cannot narrow it.
func TestRecreatedLogKeepsItsMode(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o666} {
		t.Run(mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, "")
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			wantMode := func(what string) {
				t.Helper()
				if st, err := os.Stat(path); err != nil || st.Mode().Perm() != mode {
					t.Errorf("after %s: %v, %v; want mode %v", what, st.Mode(), err, mode)
				}
			}
			f := New(path, 4, 1)
			defer f.Close()
			if err := f.Clear(); err != nil { // before any open
				t.Fatal(err)
			}
			wantMode("a clear of a log never opened")
			mustWrite(t, f, "abcd")
			if _, err := os.Stat(path + ".1"); err != nil {
				t.Fatalf("no rotation: %v", err)
			}
			wantMode("a rotation")
			if err := f.Clear(); err != nil {
				t.Fatal(err)
			}
			wantMode("a clear")
		})
	}
}
