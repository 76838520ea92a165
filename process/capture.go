package process

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// errStdinClosed is the EPIPE Supervisor turns into NO_FILE: the child's
// stdin is closed (the child closed it or exited).
var errStdinClosed = errors.New("stdin closed")

// sink receives what a child writes on one channel ("stdout", "stderr").
// output runs on the capture goroutine and must not keep data.
type sink interface {
	output(channel string, data []byte)
}

// capture is the one goroutine of the Go process that moves every child's
// output to its sink and buffered stdin input to the child: an epoll loop
// over the parent's non-blocking pipe ends with one shared read buffer, so
// memory does not grow with the number of children. It is safe for
// concurrent use.
//
// Only the loop reads or closes an output pipe, so a descriptor number is
// never reused under a read. A stdin pipe is written and closed under its
// own mutex, which the loop takes too.
type capture struct {
	epfd   int
	wakefd int // eventfd that wakes the loop for requests

	mu       sync.Mutex
	pipes    map[int32]*pipe // by epoll id
	nextID   int32
	requests []func()

	buf []byte // the loop's read buffer
}

// wakeID is the epoll id of the wake-up eventfd; pipes get ids from 1.
const wakeID = 0

// pipe is the parent's end of one channel of one child.
type pipe struct {
	id      int32
	fd      int // -1 once closed
	channel string
	sink    sink

	// mu guards the stdin fields and fd of a stdin pipe.
	mu       sync.Mutex
	pending  []byte // stdin input not yet accepted by the pipe
	writable bool   // EPOLLOUT is being watched
	closed   bool
}

// pipeSet is one child's pipes.
type pipeSet struct {
	c      *capture
	stdin  *pipe
	output []*pipe // stdout, and stderr unless redirected
}

var (
	captureOnce   sync.Once
	sharedCapture *capture
	captureErr    error
)

// theCapture starts the capture loop on first use.
func theCapture() (*capture, error) {
	captureOnce.Do(func() {
		sharedCapture, captureErr = newCapture()
		if captureErr == nil {
			go sharedCapture.run()
		}
	})
	return sharedCapture, captureErr
}

func newCapture() (*capture, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("start output capture: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("start output capture: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: wakeID}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, fmt.Errorf("start output capture: %w", err)
	}
	return &capture{epfd: epfd, wakefd: wakefd, pipes: make(map[int32]*pipe), buf: make([]byte, 64<<10)}, nil
}

// attach starts capturing a freshly spawned child's pipes (those >= 0). On
// error the pipes that could not be watched are closed (the child sees EPIPE
// there).
func (c *capture) attach(s sink, child spawned) (*pipeSet, error) {
	ps := &pipeSet{c: c}
	var errs []error
	for _, ch := range []struct {
		fd     int
		name   string
		events uint32
	}{{child.stdin, "stdin", 0}, {child.stdout, "stdout", unix.EPOLLIN}, {child.stderr, "stderr", unix.EPOLLIN}} {
		if ch.fd < 0 {
			continue
		}
		p, err := c.add(ch.fd, ch.name, s, ch.events)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ch.name == "stdin":
			ps.stdin = p
		default:
			ps.output = append(ps.output, p)
		}
	}
	return ps, errors.Join(errs...)
}

func (c *capture) add(fd int, channel string, s sink, events uint32) (*pipe, error) {
	c.mu.Lock()
	for {
		c.nextID++
		if c.nextID <= wakeID {
			c.nextID = wakeID + 1
		}
		if c.pipes[c.nextID] == nil {
			break
		}
	}
	p := &pipe{id: c.nextID, fd: fd, channel: channel, sink: s}
	c.pipes[p.id] = p
	c.mu.Unlock()
	ev := unix.EpollEvent{Events: events, Fd: p.id}
	if err := unix.EpollCtl(c.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		c.forget(p.id)
		unix.Close(fd)
		return nil, fmt.Errorf("capture %s: %w", channel, err)
	}
	return p, nil
}

func (c *capture) forget(id int32) {
	c.mu.Lock()
	delete(c.pipes, id)
	c.mu.Unlock()
}

// write queues data for the child's stdin and writes what the pipe takes
// now; the rest follows when the pipe drains. It returns errStdinClosed if
// the pipe is (or turns out to be) closed.
func (ps *pipeSet) write(data []byte) error {
	p := ps.stdin
	if p == nil {
		return errStdinClosed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errStdinClosed
	}
	p.pending = append(p.pending, data...)
	return ps.c.flush(p)
}

// release drains what the child wrote before it ended into its sink, then
// closes all its pipes, as Supervisor's finish() drains and closes the
// dispatchers. It returns once that is done.
func (ps *pipeSet) release() { <-ps.releaseAsync() }

// releaseAsync queues release's work on the loop and returns a channel
// closed when it is done.
func (ps *pipeSet) releaseAsync() <-chan struct{} {
	done := make(chan struct{})
	ps.c.request(func() {
		for _, p := range ps.output {
			ps.c.drain(p)
		}
		if p := ps.stdin; p != nil {
			p.mu.Lock()
			ps.c.closeStdin(p)
			p.mu.Unlock()
		}
		close(done)
	})
	return done
}

// request runs f on the loop.
func (c *capture) request(f func()) {
	c.mu.Lock()
	c.requests = append(c.requests, f)
	c.mu.Unlock()
	one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
	for {
		if _, err := unix.Write(c.wakefd, one); !errors.Is(err, unix.EINTR) {
			return // EAGAIN: the counter is already non-zero, the loop will wake
		}
	}
}

func (c *capture) run() {
	events := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(c.epfd, events, -1)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return // only a broken epoll descriptor gets here
		}
		for _, ev := range events[:n] {
			if ev.Fd == wakeID {
				c.runRequests()
				continue
			}
			c.mu.Lock()
			p := c.pipes[ev.Fd]
			c.mu.Unlock()
			switch {
			case p == nil:
			case p.channel == "stdin":
				c.stdinEvent(p, ev.Events)
			default:
				c.readOnce(p)
			}
		}
	}
}

func (c *capture) runRequests() {
	var counter [8]byte
	_, _ = unix.Read(c.wakefd, counter[:])
	c.mu.Lock()
	requests := c.requests
	c.requests = nil
	c.mu.Unlock()
	for _, f := range requests {
		f()
	}
}

// readOnce reads what one output pipe has (up to the buffer's size); end of
// file or an error closes it. It reports whether more may follow at once.
func (c *capture) readOnce(p *pipe) bool {
	if p.fd < 0 {
		return false
	}
	n, err := unix.Read(p.fd, c.buf)
	switch {
	case n > 0:
		p.sink.output(p.channel, c.buf[:n])
		return true
	case errors.Is(err, unix.EAGAIN):
		return false
	case errors.Is(err, unix.EINTR):
		return true
	}
	c.forget(p.id)
	unix.Close(p.fd)
	p.fd = -1
	return false
}

// drainReads bounds a drain at release (64 buffers, 4 MiB), so that a
// grandchild that keeps the pipe open and writes cannot hold up the exit of
// its parent.
const drainReads = 64

func (c *capture) drain(p *pipe) {
	for i := 0; i < drainReads && c.readOnce(p); i++ {
	}
	if p.fd >= 0 {
		c.forget(p.id)
		unix.Close(p.fd)
		p.fd = -1
	}
}

func (c *capture) stdinEvent(p *pipe, events uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
	case events&(unix.EPOLLERR|unix.EPOLLHUP) != 0:
		c.closeStdin(p)
	case events&unix.EPOLLOUT != 0:
		_ = c.flush(p) // a failure closes the pipe; the next write reports it
	}
}

// flush writes pending stdin input until the pipe is full; p.mu is held.
func (c *capture) flush(p *pipe) error {
	for len(p.pending) > 0 {
		n, err := unix.Write(p.fd, p.pending)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			return c.watchWritable(p, true)
		case errors.Is(err, unix.EPIPE):
			c.closeStdin(p)
			return errStdinClosed
		case err != nil:
			return fmt.Errorf("write to stdin: %w", err)
		}
		p.pending = p.pending[n:]
	}
	p.pending = nil
	return c.watchWritable(p, false)
}

// watchWritable turns EPOLLOUT interest on or off; p.mu is held.
func (c *capture) watchWritable(p *pipe, on bool) error {
	if p.writable == on {
		return nil
	}
	var events uint32
	if on {
		events = unix.EPOLLOUT
	}
	ev := unix.EpollEvent{Events: events, Fd: p.id}
	if err := unix.EpollCtl(c.epfd, unix.EPOLL_CTL_MOD, p.fd, &ev); err != nil {
		return fmt.Errorf("watch stdin: %w", err)
	}
	p.writable = on
	return nil
}

// closeStdin closes a stdin pipe and drops its pending input; p.mu is held.
func (c *capture) closeStdin(p *pipe) {
	if p.closed {
		return
	}
	p.closed = true
	p.pending = nil
	c.forget(p.id)
	unix.Close(p.fd)
	p.fd = -1
}
