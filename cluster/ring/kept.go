package ring

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// A message (not a request) to a peer goes on the one connection this
// node keeps open to the peer's channel, not on a connection of its own:
// with 10 nodes of 1,000 processes starting, dialling for every message
// was a tenth of each agent's CPU, with as much again in the kernel for
// the peer's accept and both closes. A request (Exchange) still takes a
// connection of its own, which its answer comes back on. The receiver
// reads the frames of a kept connection in order, one message after the
// other, and keeps one connection per sender.

// keptIdle is how long a kept connection may stay unused: the sender
// closes it at its next message and dials again. The receiver closes a
// connection idle for receiverIdle, longer, so that a sender never writes
// on one its receiver closed for being idle.
const (
	keptIdle     = 10 * time.Second
	receiverIdle = 3 * keptIdle
)

// errRingShut is returned for a message sent after Shutdown.
var errRingShut = errors.New("the ring is shut down")

// keptConn is the connection kept to one peer. Its mutex is held for a
// whole send: the frames of two messages never interleave.
type keptConn struct {
	mu   sync.Mutex
	conn net.Conn // nil: none open
	used time.Time
	shut bool // the ring is shut down: no more dialling
}

// keptConns holds the connections kept to the peers (by address) and
// from them (by sender name). Safe for concurrent use.
type keptConns struct {
	mu   sync.Mutex
	out  map[string]*keptConn
	in   map[string]net.Conn
	shut bool
}

func newKeptConns() *keptConns {
	return &keptConns{out: map[string]*keptConn{}, in: map[string]net.Conn{}}
}

// to returns the connection kept to addr, nil once shut down.
func (kc *keptConns) to(addr string) *keptConn {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.shut {
		return nil
	}
	k := kc.out[addr]
	if k == nil {
		k = &keptConn{}
		kc.out[addr] = k
	}
	return k
}

// keepFrom records conn as the connection kept from the sender from,
// closing the one it kept before (its sender dialled again: that one is
// dead, or the sender is not ours), and tells whether to read on (not
// once shut down).
func (kc *keptConns) keepFrom(from string, conn net.Conn) bool {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.shut {
		return false
	}
	if old := kc.in[from]; old != nil && old != conn {
		old.Close()
	}
	kc.in[from] = conn
	return true
}

// forget forgets conn as the connection kept from from, unless another
// took its place.
func (kc *keptConns) forget(from string, conn net.Conn) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.in[from] == conn {
		delete(kc.in, from)
	}
}

// shutdown closes every kept connection; none is kept or dialled after.
func (kc *keptConns) shutdown() {
	kc.mu.Lock()
	kc.shut = true
	out := kc.out
	for _, conn := range kc.in {
		conn.Close()
	}
	kc.in = map[string]net.Conn{}
	kc.mu.Unlock()
	for _, k := range out {
		k.mu.Lock()
		k.shut = true
		if k.conn != nil {
			k.conn.Close()
			k.conn = nil
		}
		k.mu.Unlock()
	}
}

// sendKept writes the frame f on the connection kept to the ring's port
// at ip, dialling one if none is open, the one open is idle or its peer
// closed it.
func (r *Ring) sendKept(ip net.IP, f []byte) error {
	addr := net.JoinHostPort(ip.String(), strconv.Itoa(r.cfg.Port))
	k := r.kept.to(addr)
	if k == nil {
		return errRingShut
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.shut {
		return errRingShut
	}
	now := time.Now()
	if k.conn != nil && (now.Sub(k.used) > keptIdle || !stillOpen(k.conn)) {
		k.conn.Close()
		k.conn = nil
	}
	if k.conn == nil {
		conn, err := r.dialer(r.cfg.TCPTimeout).Dial("tcp", addr)
		if err != nil {
			return err
		}
		k.conn = conn
	}
	err := k.conn.SetWriteDeadline(now.Add(r.cfg.TCPTimeout))
	if err == nil {
		_, err = k.conn.Write(f)
	}
	if err != nil {
		// A frame cut short: the receiver drops it with the connection.
		k.conn.Close()
		k.conn = nil
		return err
	}
	k.used = now
	return nil
}

// stillOpen tells whether the peer has not closed conn (its agent exited
// or restarted): a write on such a connection would succeed and the
// message be lost. The receiver never writes on a kept connection, so
// anything to read means it is closed, or not ours to trust.
func stillOpen(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := false
	var b [1]byte
	err = raw.Read(func(fd uintptr) bool {
		_, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = errors.Is(rerr, syscall.EAGAIN)
		return true
	})
	return err == nil && open
}
