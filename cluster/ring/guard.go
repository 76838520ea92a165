package ring

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// frameTimeout bounds how long a connection may take to send its first
// byte, and a frame to arrive whole.
const frameTimeout = 10 * time.Second

// maxPacket is the largest UDP payload.
const maxPacket = 65535

// udpReadBuffer is the socket buffer asked for incoming gossip: a burst (a
// whole cluster starting) waits there rather than being lost.
const udpReadBuffer = 2 << 20

// acceptBackoff is how long the listener waits after a failed accept (out
// of file descriptors): it retries rather than spinning or giving up.
const acceptBackoff = 100 * time.Millisecond

// guard is memberlist's transport: UDP packets and TCP streams on the
// ring's address and port, with the ring's checks in front: a packet or a
// connection from an address outside the cluster is dropped before
// memberlist reads it (memberlist hands every message to its delegate
// whatever its sender), and a connection that starts with channelMagic is
// the ring's channel, not memberlist's; a packet is screened (Ring.screen)
// before memberlist queues its messages. It dials from the ring's own
// address, so that the others know it by its source address. Each packet
// is read into one buffer and handed on in a copy of its size (memberlist's
// own transport hands on a fresh 64 KiB buffer per packet, the most
// garbage an idle node made).
type guard struct {
	r       *Ring
	udp     *net.UDPConn
	raw     *rawUDP // udp's reads and writes
	tcp     *net.TCPListener
	packets chan *memberlist.Packet
	streams chan net.Conn
	// done closes when the transport shuts down: what the listeners still
	// read is dropped.
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// newGuard listens on ip and port (UDP and TCP).
func newGuard(r *Ring, ip net.IP, port int) (*guard, error) {
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: port})
	if err != nil {
		return nil, err
	}
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
	if err != nil {
		tcp.Close()
		return nil, err
	}
	// The kernel caps it (net.core.rmem_max): less is still a buffer.
	_ = udp.SetReadBuffer(udpReadBuffer)
	raw, err := newRawUDP(udp)
	if err != nil {
		tcp.Close()
		udp.Close()
		return nil, err
	}
	g := &guard{r: r, udp: udp, raw: raw, tcp: tcp, packets: make(chan *memberlist.Packet), streams: make(chan net.Conn),
		done: make(chan struct{})}
	g.wg.Add(2)
	go g.readPackets()
	go g.sortStreams()
	return g, nil
}

func (g *guard) PacketCh() <-chan *memberlist.Packet { return g.packets }
func (g *guard) StreamCh() <-chan net.Conn           { return g.streams }

// FinalAdvertiseAddr is the address the ring advertises: its own (the ring
// always sets it).
func (g *guard) FinalAdvertiseAddr(ip string, port int) (net.IP, int, error) {
	addr := net.ParseIP(ip)
	if addr == nil {
		return nil, 0, fmt.Errorf("advertise address %q is not an IP", ip)
	}
	if v4 := addr.To4(); v4 != nil {
		addr = v4
	}
	return addr, port, nil
}

func (g *guard) WriteTo(b []byte, addr string) (time.Time, error) {
	return g.WriteToAddress(b, memberlist.Address{Addr: addr})
}

func (g *guard) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	to, err := netip.ParseAddrPort(a.Addr)
	if err != nil {
		return time.Time{}, fmt.Errorf("gossip to %q: %w", a.Addr, err)
	}
	err = g.raw.writeTo(b, to)
	return time.Now(), err
}

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
		err = errors.Join(g.udp.Close(), g.tcp.Close())
		g.wg.Wait()
	})
	return err
}

func (g *guard) closed() bool {
	select {
	case <-g.done:
		return true
	default:
		return false
	}
}

func (g *guard) readPackets() {
	defer g.wg.Done()
	buf := make([]byte, maxPacket)
	for {
		n, from, err := g.raw.readFrom(buf)
		at := time.Now()
		if err != nil {
			if g.closed() {
				return
			}
			g.r.log.Error("reading a gossip packet", "error", err)
			continue
		}
		addr := net.UDPAddrFromAddrPort(from)
		name, ok := g.r.addrs.nameOf(addr.IP)
		switch {
		case !ok:
			g.r.drops.Note(addr.String(), "gossip packet from outside address_list", nil)
			continue
		case g.r.deaf(name):
			g.r.drops.Note(name, "gossip packet from a fenced address", nil)
			continue
		case n == 0:
			continue
		}
		packet := g.r.screen(buf[:n], at)
		if packet == nil {
			continue
		}
		select {
		case g.packets <- &memberlist.Packet{Buf: bytes.Clone(packet), From: addr, Timestamp: at}:
		case <-g.done:
			return
		}
	}
}

func (g *guard) sortStreams() {
	defer g.wg.Done()
	for {
		conn, err := g.tcp.AcceptTCP()
		if err != nil {
			if g.closed() {
				return
			}
			g.r.log.Error("accepting a gossip connection", "error", err)
			select {
			case <-g.done:
				return
			case <-time.After(acceptBackoff):
			}
			continue
		}
		from, ok := g.r.addrs.nameOf(ipOf(conn.RemoteAddr()))
		if !ok {
			g.r.drops.Note(conn.RemoteAddr().String(), "connection from outside address_list", nil)
			conn.Close()
			continue
		}
		go g.sort(conn, from)
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
