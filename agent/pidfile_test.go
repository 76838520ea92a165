package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/supvisors/supvisors-go/logfile"
)

// TestWritePid checks the pidfile as supervisord writes it (a stale one
// overwritten, a new one 0666 less the umask), and that a symbolic link in
// its place is refused and its target left alone.
func TestWritePid(t *testing.T) {
	pid := strconv.Itoa(os.Getpid()) + "\n"
	mask := syscall.Umask(0)
	syscall.Umask(mask)
	for _, tc := range []struct {
		name  string
		plant func(tb testing.TB, path, victim string)
		want  error
	}{
		{name: "new"},
		{name: "stale", plant: func(tb testing.TB, path, _ string) {
			tb.Helper()
			if err := os.WriteFile(path, []byte("4194304\nstale and longer\n"), 0o644); err != nil {
				tb.Fatal(err)
			}
		}},
		{name: "symbolic link", plant: func(tb testing.TB, path, victim string) {
			tb.Helper()
			if err := os.Symlink(victim, path); err != nil {
				tb.Fatal(err)
			}
		}, want: logfile.ErrSymlink},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, victim := filepath.Join(dir, "supervisord.pid"), filepath.Join(dir, "victim")
			if err := os.WriteFile(victim, []byte("victim"), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.plant != nil {
				tc.plant(t, path, victim)
			}
			err := writePid(path)
			if data, _ := os.ReadFile(victim); string(data) != "victim" {
				t.Errorf("the victim was written: %q", data)
			}
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Errorf("writePid = %v; want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if data, err := os.ReadFile(path); err != nil || string(data) != pid {
				t.Errorf("pidfile holds %q, %v; want %q", data, err, pid)
			}
			if st, err := os.Stat(path); tc.plant == nil && (err != nil || st.Mode().Perm() != 0o666&^os.FileMode(mask)) {
				t.Errorf("new pidfile: %v, %v; want mode %v", st.Mode(), err, 0o666&^os.FileMode(mask))
			}
		})
	}
}
