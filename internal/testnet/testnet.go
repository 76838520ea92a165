// Package testnet finds ports for tests that run several agents on the
// loopback addresses 127.0.0.1, 127.0.0.2, ... (Linux routes all of
// 127.0.0.0/8 to the loopback).
package testnet

import (
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
)

// The ports handed out lie below Linux's ephemeral range (32768-60999 by
// default), from which the kernel takes the source port of every outgoing
// connection: a port found free there can be taken by one of the other
// tests' connections before its agent binds it ("address already in use").
const (
	firstPort = 20000
	lastPort  = 32767
)

// given are the ports handed out in this process: none twice.
var (
	givenMu sync.Mutex
	given   = map[int]bool{}
)

// FreePortOnAll returns a port free in TCP and UDP on 127.0.0.1 to
// 127.0.0.n, for n agents that share their ports as hosts would, and not
// handed out before in this process. It is safe for concurrent use;
// another process may take the port meanwhile.
func FreePortOnAll(tb testing.TB, n int) int {
	tb.Helper()
	for range 1000 {
		port := firstPort + rand.IntN(lastPort-firstPort+1)
		givenMu.Lock()
		taken := given[port]
		given[port] = true
		givenMu.Unlock()
		if !taken && PortFree(port, n) {
			return port
		}
	}
	tb.Fatal("no port free on every loopback address")
	return 0
}

// FreePort returns a port free in TCP and UDP on 127.0.0.1 (see
// FreePortOnAll).
func FreePort(tb testing.TB) int {
	tb.Helper()
	return FreePortOnAll(tb, 1)
}

// PortFree tells whether port is free for TCP and UDP on each of
// 127.0.0.1 to 127.0.0.n.
func PortFree(port, n int) bool {
	for i := 1; i <= n; i++ {
		addr := fmt.Sprintf("127.0.0.%d:%d", i, port)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return false
		}
		l.Close()
		u, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		u.Close()
	}
	return true
}
