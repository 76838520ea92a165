package httpserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// The tests of slow clients shrink the server's timeouts to these.
const (
	slowHeaderTimeout = 300 * time.Millisecond
	slowReadTimeout   = 500 * time.Millisecond
	slowWriteTimeout  = 500 * time.Millisecond
	// settle bounds the wait for the server to drop a slow client: the
	// timeouts above, with room for a loaded machine.
	settle = 10 * time.Second
)

// openConns counts the server's open connections: each is served by one
// goroutine, which reports the connection closed just before it returns.
type openConns struct {
	mu           sync.Mutex
	open, opened int
}

func (c *openConns) track(_ net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch state {
	case http.StateNew:
		c.open++
		c.opened++
	case http.StateClosed, http.StateHijacked:
		c.open--
	}
}

// countConns counts the connections s serves, on top of its own hook.
func countConns(s *Server) *openConns {
	conns := &openConns{}
	hook := s.http.ConnState
	s.http.ConnState = func(c net.Conn, state http.ConnState) {
		conns.track(c, state)
		hook(c, state)
	}
	return conns
}

func (c *openConns) counts() (open, opened int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open, c.opened
}

// waitDropped waits until the server has accepted n connections and closed
// them all, and fails the test if it still holds one after settle.
func (c *openConns) waitDropped(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		open, opened := c.counts()
		if opened >= n && open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server still holds %d of the %d connections it accepted %v after the clients stalled", open, opened, settle)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// smallBuffers is a listener whose connections have a small send buffer,
// so that a reply fills it and the kernel's, not the test machine's
// memory, decides when a write blocks.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tcp, ok := c.(*net.TCPConn); ok {
		_ = tcp.SetWriteBuffer(4 << 10)
	}
	return c, err
}

// slowServer serves a test server with short timeouts, small socket
// buffers and routes, and counts its connections.
func slowServer(t *testing.T, routes map[string]http.Handler) (addr string, conns *openConns) {
	t.Helper()
	s, _ := newTestServer(t, Options{})
	s.http.ReadHeaderTimeout, s.http.ReadTimeout, s.writeTimeout = slowHeaderTimeout, slowReadTimeout, slowWriteTimeout
	conns = countConns(s)
	for pattern, h := range routes {
		s.Handle(pattern, h)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, s, smallBuffers{l}), conns
}

// dial connects to addr with a receive buffer of size bytes.
func dial(t *testing.T, addr string, size int) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tcp := c.(*net.TCPConn)
	if err := tcp.SetReadBuffer(size); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return tcp
}

// TestSlowlorisIsDropped: clients that send their headers a byte at a time
// are dropped once the header timeout passes, however steadily they send.
func TestSlowlorisIsDropped(t *testing.T) {
	addr, conns := slowServer(t, nil)
	headers := "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nX-Padding: " + strings.Repeat("x", 1<<10)
	var wg sync.WaitGroup
	failed := make(chan error, 5)
	for range 5 {
		c := dial(t, addr, 4<<10)
		wg.Go(func() {
			for i := range len(headers) {
				if _, err := c.Write([]byte{headers[i]}); err != nil {
					return // dropped
				}
				time.Sleep(20 * time.Millisecond)
			}
			failed <- errors.New("the server took 1 KiB of headers a byte at a time")
		})
	}
	conns.waitDropped(t, 5)
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Error(err)
	}
}

// TestSlowBodyIsDropped: a client that sends its body a byte at a time is
// dropped once the read timeout passes.
func TestSlowBodyIsDropped(t *testing.T) {
	addr, conns := slowServer(t, nil)
	body := testxmlrpc.CallXML("test.echo", "<string>"+strings.Repeat("x", 1<<10)+"</string>")
	c := dial(t, addr, 4<<10)
	fmt.Fprintf(c, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n", len(body))
	go func() {
		for i := range len(body) {
			if _, err := c.Write([]byte{body[i]}); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	conns.waitDropped(t, 1)
	// What the server said before it hung up, if anything, is a 400.
	if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil && resp.StatusCode != http.StatusBadRequest {
		t.Errorf("HTTP %d, want 400 or nothing", resp.StatusCode)
	}
}

// TestReaderThatNeverReadsIsDropped: a client that sends a call whose reply
// is large (getAllProcessInfo of 1,000 processes) and never reads it is
// dropped once the write timeout passes, and the server keeps serving.
func TestReaderThatNeverReadsIsDropped(t *testing.T) {
	addr, conns := slowServer(t, nil)
	c := dial(t, addr, 4<<10)
	body := testxmlrpc.CallXML("test.info", "<int>1000</int>", "<int>0</int>")
	fmt.Fprintf(c, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	conns.waitDropped(t, 1)
	var sum int
	if err := newClient(t, "http://"+addr, xmlrpc.ClientOptions{}).Call(context.Background(), "test.add", []any{1, 2}, &sum); err != nil || sum != 3 {
		t.Fatalf("server unhealthy: %d, %v", sum, err)
	}
}

// TestStreamToReaderThatNeverReadsIsDropped: a stream (as /logtail) whose
// client stops reading ends with a write error once the write timeout
// passes, instead of blocking its handler forever.
func TestStreamToReaderThatNeverReadsIsDropped(t *testing.T) {
	ended := make(chan error, 1)
	addr, conns := slowServer(t, map[string]http.Handler{"/stream": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("log line\n", 1<<10))
		for {
			if _, err := w.Write(chunk); err != nil {
				ended <- err
				return
			}
			w.(http.Flusher).Flush()
		}
	})})
	c := dial(t, addr, 4<<10)
	fmt.Fprintf(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	conns.waitDropped(t, 1)
	select {
	case err := <-ended:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("the stream ended with %v, want a write past its deadline", err)
		}
	default:
		t.Fatal("the connection is closed but the stream's handler has not returned")
	}
}

// TestLongCallsAndStreamsAreNotCut: the write timeout runs only while
// something is written: a call that takes longer gets its reply, a stream
// silent for as long between its writes and before its end goes on, and a
// client that reads a large reply slowly but steadily gets all of it.
func TestLongCallsAndStreamsAreNotCut(t *testing.T) {
	idle := 2 * slowWriteTimeout
	addr, _ := slowServer(t, map[string]http.Handler{"/stream": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, part := range []string{"first ", "second"} {
			io.WriteString(w, part)
			w.(http.Flusher).Flush()
			select {
			case <-time.After(idle):
			case <-r.Context().Done():
				return
			}
		}
	})})
	url := "http://" + addr
	t.Run("call", func(t *testing.T) {
		t.Parallel()
		c := newClient(t, url, xmlrpc.ClientOptions{})
		var sum int
		if err := c.Call(context.Background(), "test.add", []any{1, 2}, &sum); err != nil {
			t.Fatal(err)
		}
		// On the same connection, where the deadline the first reply armed
		// passes while the call runs.
		var got string
		if err := c.Call(context.Background(), "test.step", []any{"slow", int(idle / time.Millisecond)}, &got); err != nil || got != "slow" {
			t.Fatalf("a call of %v: got %q, %v", idle, got, err)
		}
	})
	t.Run("stream", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Get(url + "/stream")
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(out) != "first second" {
			t.Fatalf("a stream silent for %v: got %q, %v", idle, out, err)
		}
	})
	t.Run("slow reader", func(t *testing.T) {
		t.Parallel()
		// 1,500 process infos (about 1.6 MiB) read 16 KiB every 10 ms:
		// longer than the write timeout in all, never that long without
		// progress. (With a smaller receive buffer, loopback's delayed
		// acknowledgements alone would slow a 64 KiB chunk past it.)
		conn := dial(t, addr, 64<<10)
		body := testxmlrpc.CallXML("test.info", "<int>1500</int>", "<int>0</int>")
		fmt.Fprintf(conn, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		start := time.Now()
		reply, err := http.ReadResponse(bufio.NewReaderSize(conn, 16<<10), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer reply.Body.Close()
		buf := make([]byte, 16<<10)
		total := 0
		for {
			n, err := io.ReadFull(reply.Body, buf)
			total += n
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				t.Fatalf("after %d bytes in %v: %v", total, time.Since(start), err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if int64(total) != reply.ContentLength || total < 1<<20 {
			t.Fatalf("read %d bytes of %d", total, reply.ContentLength)
		}
		if took := time.Since(start); took < slowWriteTimeout {
			t.Fatalf("the reply took %v to read, not longer than the write timeout: the test shows nothing", took)
		}
	})
}
