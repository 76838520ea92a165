package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"

	"golang.org/x/sys/unix"

	"github.com/supvisors/supvisors-go/config"
)

// listenUnixSocket listens on [unix_http_server] file the way supervisord
// binds it (http.py, supervisor_af_unix_http_server): the socket is bound
// under a temporary name beside it (FILE.PID), given its chmod and chown
// there, then hard-linked to its final name, and listens only once that is
// done. So it never exists under its final name with the umask's mode or
// the wrong owner, and no connection is accepted before its mode is set. A
// socket at the final name that answers belongs to a running program and
// stays (an error); one that does not is stale and replaced.
func listenUnixSocket(s *config.UnixHTTPServer) (net.Listener, error) {
	temp := fmt.Sprintf("%s.%d", s.File, os.Getpid())
	if err := os.Remove(temp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("unix_http_server: %w", err)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("unix_http_server: socket: %w", err)
	}
	sock := os.NewFile(uintptr(fd), s.File)
	defer sock.Close() // the listener has its own descriptor
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: temp}); err != nil {
		return nil, fmt.Errorf("unix_http_server: bind %s: %w", temp, err)
	}
	defer os.Remove(temp) // the final name is a link to the same socket
	if err := os.Chmod(temp, s.Chmod); err != nil {
		return nil, fmt.Errorf("unix_http_server: %w", err)
	}
	if err := chown(temp, s.Chown); err != nil {
		return nil, fmt.Errorf("unix_http_server: %w", err)
	}
	if err := linkSocket(temp, s.File); err != nil {
		return nil, err
	}
	l, err := listenOn(fd, sock)
	if err != nil {
		_ = os.Remove(s.File)
		return nil, fmt.Errorf("unix_http_server: listen on %s: %w", s.File, err)
	}
	return namedListener{l, &net.UnixAddr{Name: s.File, Net: "unix"}}, nil
}

// linkSocket gives the socket bound at temp its final name with a hard
// link, which never replaces a file there: a socket that answers is left
// alone, anything else is removed as stale and the link tried again.
func linkSocket(temp, final string) error {
	for attempt := 1; ; attempt++ {
		err := os.Link(temp, final)
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrExist) || attempt == 3 {
			return fmt.Errorf("unix_http_server: %w", err)
		}
		if c, err := net.Dial("unix", final); err == nil {
			c.Close()
			return fmt.Errorf("unix_http_server: another program is already listening on %s", final)
		}
		if err := os.Remove(final); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("unix_http_server: remove stale socket: %w", err)
		}
	}
}

// listenOn starts listening on the bound socket fd (the descriptor of
// sock) and returns it as a net.Listener.
func listenOn(fd int, sock *os.File) (net.Listener, error) {
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		return nil, err
	}
	return net.FileListener(sock)
}

// namedListener reports the socket's final name as its address, not the
// temporary name it was bound under.
type namedListener struct {
	net.Listener
	addr net.Addr
}

// Addr implements net.Listener.
func (l namedListener) Addr() net.Addr { return l.addr }
