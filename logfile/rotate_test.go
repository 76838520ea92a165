package logfile

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func TestShiftBackups(t *testing.T) {
	type move struct {
		from, to string
		evict    bool
	}
	tests := []struct {
		backups int
		want    []move
	}{
		{backups: -1},
		{backups: 0},
		{backups: 1, want: []move{{"p", "p.1", true}}},
		{backups: 3, want: []move{{"p.2", "p.3", false}, {"p.1", "p.2", false}, {"p", "p.1", true}}},
	}
	for _, tt := range tests {
		var got []move
		err := shiftBackups("p", tt.backups, func(from, to string, evict bool) error {
			got = append(got, move{from, to, evict})
			return nil
		})
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("shiftBackups(p, %d) = %v, %v; want %v", tt.backups, got, err, tt.want)
		}
	}

	boom := errors.New("boom")
	calls := 0
	err := shiftBackups("p", 5, func(string, string, bool) error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("a failing move: err %v after %d calls; want boom after 1", err, calls)
	}
}

// rotationCase replays writes (write i: writes[i] bytes of the letter 'a'+i%26)
// into a log that starts with the files of initial.
type rotationCase struct {
	name         string
	maxBytes     int64
	backups      int
	writes       []int
	initial      map[string]string // file name -> content, created before the writes
	unlinkBefore []int             // remove the log just before these writes
}

// TestRotationMatchesSupervisor runs the same writes through Supervisor's
// RotatingFileHandler and through File and compares the files left behind:
// names, modes and bytes.
func TestRotationMatchesSupervisor(t *testing.T) {
	random := rand.New(rand.NewPCG(1, 2))
	randomWrites := make([]int, 300)
	for i := range randomWrites {
		randomWrites[i] = 1 + random.IntN(40)
	}
	cases := []rotationCase{
		{name: "basic", maxBytes: 10, backups: 2, writes: []int{5, 5, 3, 20, 1}},
		{name: "exact boundaries", maxBytes: 10, backups: 3, writes: []int{9, 1, 10, 11, 1, 9, 1}},
		{name: "one byte short", maxBytes: 10, backups: 3, writes: []int{9, 9, 1}},
		{name: "no backups truncates", maxBytes: 10, backups: 0, writes: []int{4, 4, 4, 4, 10, 3}},
		{name: "max 0 never rotates", maxBytes: 0, backups: 3, writes: []int{100, 200, 1}},
		{name: "one backup", maxBytes: 8, backups: 1, writes: []int{8, 8, 8, 3}},
		{name: "more backups than rotations", maxBytes: 5, backups: 10, writes: []int{5, 5, 5, 2}},
		{name: "backups overflow", maxBytes: 5, backups: 2, writes: []int{5, 5, 5, 5, 5, 2}},
		{
			name: "existing log over max", maxBytes: 10, backups: 2, writes: []int{1, 1},
			initial: map[string]string{"app.log": "0123456789abcdefghij"},
		},
		{
			name: "existing log under max", maxBytes: 10, backups: 2, writes: []int{1, 1},
			initial: map[string]string{"app.log": "01234567"},
		},
		{
			name: "gaps and strays", maxBytes: 4, backups: 3, writes: []int{4, 4, 4, 1},
			initial: map[string]string{"app.log.2": "two", "app.log.5": "five", "app.log.x": "x"},
		},
		{
			name: "log removed under one backup", maxBytes: 6, backups: 1, writes: []int{6, 3, 3, 1},
			unlinkBefore: []int{2},
		},
		{
			name: "log removed under backups", maxBytes: 6, backups: 3, writes: []int{6, 3, 3, 6, 1},
			unlinkBefore: []int{2},
		},
		{name: "random", maxBytes: 100, backups: 4, writes: randomWrites},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pyDir, goDir := t.TempDir(), t.TempDir()
			for _, dir := range []string{pyDir, goDir} {
				for name, content := range tc.initial {
					writeFile(t, filepath.Join(dir, name), content)
				}
			}
			runSupervisorPython(t, "rotate.py", map[string]any{
				"path":         filepath.Join(pyDir, "app.log"),
				"maxBytes":     tc.maxBytes,
				"backups":      tc.backups,
				"writes":       tc.writes,
				"unlinkBefore": tc.unlinkBefore,
			}, nil)

			path := filepath.Join(goDir, "app.log")
			f := New(path, tc.maxBytes, tc.backups)
			for i, size := range tc.writes {
				if slices.Contains(tc.unlinkBefore, i) {
					if err := os.Remove(path); err != nil {
						t.Fatal(err)
					}
				}
				mustWrite(t, f, string(bytes.Repeat([]byte{byte('a' + i%26)}, size)))
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}

			want, got := readDir(t, pyDir), readDir(t, goDir)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("files differ from Supervisor's\n got: %+v\nwant: %+v", got, want)
			}
		})
	}
}

func TestRotationNeverMovesDevices(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "null.log")
	if err := os.Symlink("/dev/null", path); err != nil {
		t.Fatal(err)
	}
	f := New(path, 10, 2)
	defer f.Close()
	for range 5 {
		mustWrite(t, f, "0123456789")
	}
	if _, err := os.Lstat(path + ".1"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a log on /dev/null was rotated: %s.1: %v", path, err)
	}
	if st, err := os.Lstat(path); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the /dev/null link was replaced: %v, %v", st, err)
	}
}

// TestRotationFailureRecovers makes the rename fail and checks that Write
// reports it and that rotation succeeds once the obstacle is gone.
func TestRotationFailureRecovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	blocker := filepath.Join(path+".1", "keep")
	if err := os.MkdirAll(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	f := New(path, 4, 1)
	defer f.Close()
	if n, err := f.Write([]byte("abcd")); err == nil || n != 4 {
		t.Fatalf("Write over a blocked rotation = %d, %v; want 4 and an error", n, err)
	}
	if got := readFile(t, path); got != "abcd" {
		t.Fatalf("log after a failed rotation = %q; want abcd", got)
	}
	if err := os.RemoveAll(path + ".1"); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, f, "e")
	if got, old := readFile(t, path), readFile(t, path+".1"); got != "" || old != "abcde" {
		t.Errorf("after recovery: log %q, backup %q; want \"\" and abcde", got, old)
	}
}
