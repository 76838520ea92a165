package integration

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestRotatedAutoLogKeepsItsMode checks that an AUTO child log, created
// 0600 like supervisord's mkstemp, is re-created 0600 by its rotation.
func TestRotatedAutoLogKeepsItsMode(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", `[program:auto]
command=/bin/sh -c 'head -c 150 /dev/zero | tr "\0" x'
startsecs=0
autorestart=false
stdout_logfile_maxbytes=100
stdout_logfile_backups=1
`)
	matches, err := filepath.Glob(filepath.Join(s.dir, "auto-stdout---it-*.log"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("AUTO log: %v, %v", matches, err)
	}
	path := matches[0]
	waitFor(t, 20*time.Second, func() (bool, string) {
		_, err1 := os.Stat(path + ".1")
		_, err2 := os.Stat(path)
		return err1 == nil && err2 == nil, "rotation of " + path
	})
	for _, p := range []string{path, path + ".1"} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", p, st.Mode(), err)
		}
	}
}

// TestRotationRefusesPlantedLink plants a link to a file the test owns
// where a child's log is opened again at its rotation (no backups: by
// name, as supervisord does): the agent logs the refusal and never writes
// the link's target.
func TestRotationRefusesPlantedLink(t *testing.T) {
	t.Parallel()
	s := startServer(t, "supvisors", `[program:chatty]
command=/bin/sh -c 'echo first; read go; head -c 150 /dev/zero | tr "\0" y; read end'
startsecs=0
stdout_logfile={{DIR}}/chatty.log
stdout_logfile_maxbytes=100
stdout_logfile_backups=0
`)
	path := filepath.Join(s.dir, "chatty.log")
	waitFor(t, 20*time.Second, func() (bool, string) {
		data, _ := os.ReadFile(path)
		return string(data) == "first\n", "the child's first line: " + string(data)
	})
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("the test's own file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	s.sendStdin(t, "chatty", "go\n")
	waitFor(t, 20*time.Second, func() (bool, string) {
		if data, err := os.ReadFile(victim); err != nil || string(data) != "the test's own file\n" {
			t.Fatalf("the link's target was written: %q, %v", data, err)
		}
		data, _ := os.ReadFile(filepath.Join(s.dir, "supervisord.log"))
		return strings.Contains(string(data), path+": refusing to follow a symbolic link"), string(data)
	})
}

// TestPidfileRefusesLink plants a link to a file the test owns where the
// agent writes its pidfile: the agent logs the refusal, runs on without a
// pidfile as supervisord does, never writes the target, and leaves the link
// alone at exit (it removes only a pidfile it wrote).
func TestPidfileRefusesLink(t *testing.T) {
	t.Parallel()
	s := newServer(t, "supvisors", "", func(*server) {})
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("the test's own file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pidfile := filepath.Join(s.dir, "supervisord.pid")
	if err := os.Symlink(victim, pidfile); err != nil {
		t.Fatal(err)
	}
	s.launch(t)
	s.waitAnswering(t)
	log, _ := os.ReadFile(filepath.Join(s.dir, "supervisord.log"))
	if !strings.Contains(string(log), "could not write pidfile "+pidfile) || !strings.Contains(string(log), "refusing to follow a symbolic link") {
		t.Errorf("the refusal is not in the main log:\n%s", log)
	}
	s.kill(t)
	if data, err := os.ReadFile(victim); err != nil || string(data) != "the test's own file\n" {
		t.Errorf("the link's target was written: %q, %v", data, err)
	}
	if st, err := os.Lstat(pidfile); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was not left alone: %v, %v", st, err)
	}
}

// TestUnixSocketAppearsWithItsMode starts the agent with a permissive umask
// and [unix_http_server] chmod's default, 0700, and watches the directory:
// the socket must appear under its final name with its mode already set (no
// attribute change there after its creation), answer, and leave no
// temporary name behind.
func TestUnixSocketAppearsWithItsMode(t *testing.T) {
	t.Parallel()
	s := newServer(t, "supvisors", "", func(*server) {})
	conf, err := os.ReadFile(s.conf)
	if err != nil {
		t.Fatal(err)
	}
	conf = bytes.Replace(conf, []byte("[supervisord]\n"), []byte("[supervisord]\numask=000\n"), 1)
	if err := os.WriteFile(s.conf, conf, 0o644); err != nil {
		t.Fatal(err)
	}
	watch, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(watch)
	if _, err := unix.InotifyAddWatch(watch, s.dir, unix.IN_CREATE|unix.IN_MOVED_TO|unix.IN_ATTRIB); err != nil {
		t.Fatal(err)
	}
	s.launch(t)
	s.waitAnswering(t)
	if out, code := s.ctlURL(t, "unix://"+s.sock, "pid"); code != 0 {
		t.Fatalf("pid over the unix socket: exit %d\n%s", code, out)
	}
	name := filepath.Base(s.sock)
	var created bool
	for _, e := range dirEvents(t, watch) {
		switch {
		case e.name != name:
		case e.mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0:
			created = true
		case e.mask&unix.IN_ATTRIB != 0:
			t.Errorf("the socket's mode or owner changed under its final name: it was there with other ones first")
		}
	}
	if !created {
		t.Errorf("no creation of %s seen", name)
	}
	if st, err := os.Lstat(s.sock); err != nil || st.Mode().Type() != os.ModeSocket || st.Mode().Perm() != 0o700 {
		t.Errorf("socket: %v, %v; want a socket of mode 0700", st.Mode(), err)
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), name+".") {
			t.Errorf("temporary name left behind: %s", e.Name())
		}
	}
}

// dirEvent is one inotify event of a watched directory.
type dirEvent struct {
	name string
	mask uint32
}

// dirEvents returns the events queued on the non-blocking inotify
// descriptor watch.
func dirEvents(t testing.TB, watch int) []dirEvent {
	t.Helper()
	var events []dirEvent
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(watch, buf)
		if errors.Is(err, unix.EAGAIN) {
			return events
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			raw := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(raw.Len)]
			events = append(events, dirEvent{name: string(bytes.TrimRight(nameBytes, "\x00")), mask: raw.Mask})
			off += unix.SizeofInotifyEvent + int(raw.Len)
		}
	}
}
