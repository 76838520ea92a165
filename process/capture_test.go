package process

import (
	"bytes"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// recordingSink keeps what it receives; block, when set, holds output
// until it is closed, after telling entered.
type recordingSink struct {
	mu      sync.Mutex
	data    bytes.Buffer
	entered chan struct{}
	block   chan struct{}
}

func (s *recordingSink) output(_ string, data []byte) {
	if s.block != nil {
		close(s.entered)
		<-s.block
		s.block = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.Write(data)
}

func (s *recordingSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.String()
}

// testPipe returns a non-blocking read end and a blocking write end.
func testPipe(t *testing.T) (r, w int) {
	t.Helper()
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		t.Fatal(err)
	}
	return fds[0], fds[1]
}

// TestReleaseDrains holds the loop busy while a child's last output and its
// release request arrive, the request first: release must still deliver
// the output before closing.
func TestReleaseDrains(t *testing.T) {
	c, err := newCapture()
	if err != nil {
		t.Fatal(err)
	}
	go c.run()

	busyR, busyW := testPipe(t)
	defer unix.Close(busyW)
	busy := &recordingSink{entered: make(chan struct{}), block: make(chan struct{})}
	if _, err := c.attach(busy, spawned{stdin: -1, stdout: busyR, stderr: -1}); err != nil {
		t.Fatal(err)
	}
	outR, outW := testPipe(t)
	out := &recordingSink{}
	ps, err := c.attach(out, spawned{stdin: -1, stdout: outR, stderr: -1})
	if err != nil {
		t.Fatal(err)
	}

	unix.Write(busyW, []byte("x"))
	<-busy.entered // the loop is stuck in busy's output
	released := ps.releaseAsync()
	unix.Write(outW, []byte("last words"))
	unix.Close(outW)
	close(busy.block)
	<-released
	if got := out.String(); got != "last words" {
		t.Errorf("drained %q", got)
	}
}
