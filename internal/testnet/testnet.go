// Package testnet finds ports for tests that run several agents on the
// loopback addresses 127.0.0.1, 127.0.0.2, ... (Linux routes all of
// 127.0.0.0/8 to the loopback).
package testnet

import (
	"fmt"
	"net"
	"testing"
)

// FreePortOnAll returns a port free in TCP and UDP on 127.0.0.1 to
// 127.0.0.n, for n agents that share their ports as hosts would. It is
// safe for concurrent use; another process may take the port meanwhile.
func FreePortOnAll(tb testing.TB, n int) int {
	tb.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if portFree(port, n) {
			return port
		}
	}
	tb.Fatal("no port free on every loopback address")
	return 0
}

func portFree(port, n int) bool {
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
