package ring

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// frameTimeout bounds how long a connection may take to send its first
// byte, and a frame to arrive whole.
const frameTimeout = 10 * time.Second

// guard is memberlist's transport with the ring's checks in front: a
// packet or a connection from an address outside the cluster is dropped
// before memberlist reads it (memberlist hands every message to its
// delegate whatever its sender), and a connection that starts with
// channelMagic is the ring's channel, not memberlist's. It dials from the
// ring's own address, so that the others know it by its source address.
type guard struct {
	*memberlist.NetTransport
	r       *Ring
	packets chan *memberlist.Packet
	streams chan net.Conn
	// done closes when the transport shuts down, stopped once the inner
	// transport's listeners have ended: in between, what they still
	// deliver is dropped, or their shutdown would wait on it for ever.
	done, stopped chan struct{}
	once          sync.Once
}

func newGuard(r *Ring, inner *memberlist.NetTransport) *guard {
	g := &guard{NetTransport: inner, r: r, packets: make(chan *memberlist.Packet), streams: make(chan net.Conn),
		done: make(chan struct{}), stopped: make(chan struct{})}
	go g.filterPackets()
	go g.sortStreams()
	return g
}

func (g *guard) PacketCh() <-chan *memberlist.Packet { return g.packets }
func (g *guard) StreamCh() <-chan net.Conn           { return g.streams }

func (g *guard) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return g.r.dialer(timeout).Dial("tcp", addr)
}

func (g *guard) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	return g.DialTimeout(a.Addr, timeout)
}

func (g *guard) Shutdown() error {
	var err error
	g.once.Do(func() {
		close(g.done)
		err = g.NetTransport.Shutdown()
		close(g.stopped)
	})
	return err
}

func (g *guard) filterPackets() {
	for {
		select {
		case <-g.stopped:
			return
		case p := <-g.NetTransport.PacketCh():
			name, ok := g.r.addrs.nameOf(ipOf(p.From))
			if !ok {
				g.r.drops.Note(p.From.String(), "gossip packet from outside address_list", nil)
				continue
			}
			if g.r.deaf(name) {
				g.r.drops.Note(name, "gossip packet from a fenced address", nil)
				continue
			}
			select {
			case g.packets <- p:
			case <-g.done:
			}
		}
	}
}

func (g *guard) sortStreams() {
	for {
		select {
		case <-g.stopped:
			return
		case conn := <-g.NetTransport.StreamCh():
			from, ok := g.r.addrs.nameOf(ipOf(conn.RemoteAddr()))
			if !ok {
				g.r.drops.Note(conn.RemoteAddr().String(), "connection from outside address_list", nil)
				conn.Close()
				continue
			}
			go g.sort(conn, from)
		}
	}
}

// sort reads the first byte of conn: the ring's channel, or memberlist's.
func (g *guard) sort(conn net.Conn, from string) {
	if err := conn.SetReadDeadline(time.Now().Add(frameTimeout)); err != nil {
		conn.Close()
		return
	}
	br := bufio.NewReader(conn)
	first, err := br.Peek(1)
	if err != nil {
		conn.Close()
		return
	}
	if first[0] == channelMagic {
		if g.r.deaf(from) {
			g.r.drops.Note(from, "message from a fenced address", nil)
			conn.Close()
			return
		}
		g.r.receive(conn, br, from)
		return
	}
	// memberlist's streams (a join's push/pull) go through, from a deaf
	// address too: it learns from them that it is fenced, and its news of
	// deaths in a push/pull only make the others suspect, which the
	// suspected refute, unlike its gossip.
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		conn.Close()
		return
	}
	select {
	case g.streams <- &peekedConn{Conn: conn, r: br}:
	case <-g.done:
		conn.Close()
	}
}

// deaf tells whether the ring hears nothing from name (Config.Deaf).
func (r *Ring) deaf(name string) bool { return r.cfg.Deaf != nil && r.cfg.Deaf(name) }

// peekedConn is a connection whose first bytes were buffered.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// ipOf is the IP of a network address (nil if it has none).
func ipOf(a net.Addr) net.IP {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.IP
	case *net.TCPAddr:
		return a.IP
	}
	if a == nil {
		return nil
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return nil
	}
	return net.ParseIP(host)
}
