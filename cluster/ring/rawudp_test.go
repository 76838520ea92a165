package ring

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"
)

// TestRawUDPCarriesPacketsBothWays sends packets between two sockets of
// each family with raw system calls and checks what arrives and whom it
// says it is from; and that a socket of one family refuses an address of
// the other.
func TestRawUDPCarriesPacketsBothWays(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "::1"} {
		t.Run(ip, func(t *testing.T) {
			a, b := listenRaw(t, ip), listenRaw(t, ip)
			for i, size := range []int{1, 1400, 60000} {
				msg := bytes.Repeat([]byte{byte(i + 1)}, size)
				if err := a.raw.writeTo(msg, b.addr); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, maxPacket)
				if err := b.conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
					t.Fatal(err)
				}
				n, from, err := b.raw.readFrom(buf)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf[:n], msg) || from != a.addr {
					t.Fatalf("got %d bytes from %v, want %d from %v", n, from, size, a.addr)
				}
			}
			other := netip.MustParseAddrPort("[::2]:9")
			if ip == "::1" {
				other = netip.MustParseAddrPort("10.0.0.1:9") // mapped: accepted by an IPv6 socket
				if _, _, err := a.raw.sockaddr(other); err != nil {
					t.Fatalf("an IPv6 socket refused %v: %v", other, err)
				}
				return
			}
			if err := a.raw.writeTo([]byte("x"), other); err == nil {
				t.Fatalf("an IPv4 socket sent to %v", other)
			}
		})
	}
}

// TestRawUDPReadEndsAtClose checks that a read waiting on the poller ends
// with an error when the socket closes (the guard's shutdown).
func TestRawUDPReadEndsAtClose(t *testing.T) {
	s := listenRaw(t, "127.0.0.1")
	done := make(chan error, 1)
	go func() {
		_, _, err := s.raw.readFrom(make([]byte, 16))
		done <- err
	}()
	s.conn.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a read on a closed socket returned no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a read on a closed socket still waits")
	}
}

type rawSocket struct {
	conn *net.UDPConn
	raw  *rawUDP
	addr netip.AddrPort
}

func listenRaw(t testing.TB, ip string) rawSocket {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Skipf("no UDP socket on %s: %v", ip, err)
	}
	t.Cleanup(func() { conn.Close() })
	raw, err := newRawUDP(conn)
	if err != nil {
		t.Fatal(err)
	}
	return rawSocket{conn: conn, raw: raw, addr: conn.LocalAddr().(*net.UDPAddr).AddrPort()}
}
