package ring

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawUDP reads and writes the ring's UDP socket (non-blocking, on the
// runtime's poller) with raw system calls, which do not tell the Go
// runtime that a system call starts: the package syscall's do, and, while
// the runtime's monitor (sysmon) waits for the next timer of an idle
// agent, that wakes it, and it then checks every 20 µs for as long as the
// agent runs. On an idle agent of 20 on 2 cores, those checks were over
// half of the agent's thread switches, and every probe and ack is a
// packet. A raw call that would block (EAGAIN) waits on the poller like
// any read or write of package net. Safe for concurrent use.
type rawUDP struct {
	rc    syscall.RawConn
	inet6 bool // the socket is AF_INET6: IPv4 peers are written to as mapped addresses
}

func newRawUDP(conn *net.UDPConn) (*rawUDP, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("raw udp socket: %w", err)
	}
	var family int
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		family, ferr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN)
	}); err != nil {
		return nil, fmt.Errorf("raw udp socket: %w", err)
	}
	if ferr != nil {
		return nil, fmt.Errorf("raw udp socket's family: %w", ferr)
	}
	return &rawUDP{rc: rc, inet6: family == unix.AF_INET6}, nil
}

// readFrom reads one packet into buf.
func (u *rawUDP) readFrom(buf []byte) (int, netip.AddrPort, error) {
	if len(buf) == 0 {
		return 0, netip.AddrPort{}, errors.New("read into an empty buffer")
	}
	var (
		n     uintptr
		errno syscall.Errno
		rsa   unix.RawSockaddrAny
	)
	err := u.rc.Read(func(fd uintptr) bool {
		for {
			size := uint32(unix.SizeofSockaddrAny)
			n, _, errno = syscall.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0,
				uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&size)))
			if errno != unix.EINTR {
				return errno != unix.EAGAIN
			}
		}
	})
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	if errno != 0 {
		return 0, netip.AddrPort{}, fmt.Errorf("recvfrom: %w", errno)
	}
	from, err := addrPortOf(&rsa)
	return int(n), from, err
}

// writeTo sends b to to.
func (u *rawUDP) writeTo(b []byte, to netip.AddrPort) error {
	sa, size, err := u.sockaddr(to)
	if err != nil {
		return err
	}
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	var errno syscall.Errno
	err = u.rc.Write(func(fd uintptr) bool {
		for {
			_, _, errno = syscall.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(p), uintptr(len(b)), 0, uintptr(sa), uintptr(size))
			if errno != unix.EINTR {
				return errno != unix.EAGAIN
			}
		}
	})
	if err != nil {
		return err
	}
	if errno != 0 {
		return fmt.Errorf("sendto %v: %w", to, errno)
	}
	return nil
}

// sockaddr is to in the socket's family.
func (u *rawUDP) sockaddr(to netip.AddrPort) (unsafe.Pointer, uint32, error) {
	addr, port := to.Addr(), to.Port()
	if !u.inet6 {
		addr = addr.Unmap()
		if !addr.Is4() {
			return nil, 0, fmt.Errorf("sendto %v: not an IPv4 address, on an IPv4 socket", to)
		}
		sa := &unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: addr.As4()}
		putPort(&sa.Port, port)
		return unsafe.Pointer(sa), unix.SizeofSockaddrInet4, nil
	}
	sa := &unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: addr.As16()}
	putPort(&sa.Port, port)
	if zone := addr.Zone(); zone != "" {
		ifi, err := net.InterfaceByName(zone)
		if err != nil {
			return nil, 0, fmt.Errorf("sendto %v: %w", to, err)
		}
		sa.Scope_id = uint32(ifi.Index)
	}
	return unsafe.Pointer(sa), unix.SizeofSockaddrInet6, nil
}

// addrPortOf is the address a packet came from.
func addrPortOf(rsa *unix.RawSockaddrAny) (netip.AddrPort, error) {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), getPort(&sa.Port)), nil
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		addr := netip.AddrFrom16(sa.Addr)
		if sa.Scope_id != 0 {
			if ifi, err := net.InterfaceByIndex(int(sa.Scope_id)); err == nil {
				addr = addr.WithZone(ifi.Name)
			}
		}
		return netip.AddrPortFrom(addr, getPort(&sa.Port)), nil
	}
	return netip.AddrPort{}, fmt.Errorf("recvfrom: address family %d", rsa.Addr.Family)
}

// putPort and getPort write and read a port in network byte order.
func putPort(field *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(field))
	b[0], b[1] = byte(port>>8), byte(port)
}

func getPort(field *uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(field))
	return uint16(b[0])<<8 | uint16(b[1])
}
