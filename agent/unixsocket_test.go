package agent

import (
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/supvisors/supvisors-go/config"
)

// TestListenUnixSocket checks how the socket takes its final name: over a
// stale file, with its mode and owner, never over a socket that answers, and
// without leaving its temporary name behind.
func TestListenUnixSocket(t *testing.T) {
	stale := func(tb testing.TB, path string) {
		tb.Helper()
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		plant func(tb testing.TB, path string)
		chown string
		want  string // an error that contains it; "" for success
	}{
		{name: "fresh"},
		{name: "stale file", plant: stale},
		{name: "stale socket", plant: func(tb testing.TB, path string) {
			tb.Helper()
			l, err := net.Listen("unix", path)
			if err != nil {
				tb.Fatal(err)
			}
			l.(*net.UnixListener).SetUnlinkOnClose(false)
			l.Close()
		}},
		{name: "socket in use", plant: func(tb testing.TB, path string) {
			tb.Helper()
			l, err := net.Listen("unix", path)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { l.Close() })
		}, want: "another program is already listening on"},
		{name: "chown", chown: "nobody"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var uid int
			if tc.chown != "" {
				u, err := user.Lookup(tc.chown)
				if err != nil || os.Getuid() != 0 {
					t.Skipf("needs root and user %s: %v", tc.chown, err)
				}
				uid, _ = strconv.Atoi(u.Uid)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "s.sock")
			if tc.plant != nil {
				tc.plant(t, path)
			}
			l, err := listenUnixSocket(&config.UnixHTTPServer{File: path, Chmod: 0o750, Chown: tc.chown})
			if names := dirNames(t, dir); len(names) != 1 || names[0] != "s.sock" {
				t.Errorf("directory holds %q; want only s.sock", names)
			}
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("listenUnixSocket = %v; want an error with %q", err, tc.want)
				}
				if c, err := net.Dial("unix", path); err != nil {
					t.Errorf("the running socket no longer answers: %v", err)
				} else {
					c.Close()
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if l.Addr().String() != path {
				t.Errorf("Addr() = %s; want %s", l.Addr(), path)
			}
			st, err := os.Lstat(path)
			if err != nil || st.Mode().Type() != os.ModeSocket || st.Mode().Perm() != 0o750 {
				t.Fatalf("socket: %v, %v; want a socket of mode 0750", st.Mode(), err)
			}
			if tc.chown != "" && int(st.Sys().(*syscall.Stat_t).Uid) != uid {
				t.Errorf("socket owner %d; want %d", st.Sys().(*syscall.Stat_t).Uid, uid)
			}
			accepted := make(chan error, 1)
			go func() {
				c, err := l.Accept()
				if err == nil {
					c.Close()
				}
				accepted <- err
			}()
			c, err := net.Dial("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			if err := <-accepted; err != nil {
				t.Errorf("Accept: %v", err)
			}
		})
	}
}

func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
