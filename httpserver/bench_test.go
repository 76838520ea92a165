package httpserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// BenchmarkRoundTrip is one call over loopback HTTP with the Go client, on
// a kept-alive connection: encode, HTTP, decode, dispatch through gorilla,
// encode the reply, decode it.
func BenchmarkRoundTrip(b *testing.B) {
	s, _ := newTestServer(b, Options{Username: "u", Password: "p"})
	c := newClient(b, serve(b, s), xmlrpc.ClientOptions{Username: "u", Password: "p"})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var sum int
		if err := c.Call(ctx, "test.add", []any{1, 2}, &sum); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoundTripProcessInfos is getAllProcessInfo-shaped with 1,000
// processes, over loopback HTTP.
func BenchmarkRoundTripProcessInfos(b *testing.B) {
	s, _ := newTestServer(b, Options{})
	c := newClient(b, serve(b, s), xmlrpc.ClientOptions{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var infos []api.ProcessInfo
		if err := c.Call(ctx, "test.info", []any{1000, 0}, &infos); err != nil || len(infos) != 1000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuth checks one wrong password against secrets of several
// lengths, its own among them: the time does not depend on the secret's
// length, which a comparison that stops at a length mismatch would tell.
func BenchmarkAuth(b *testing.B) {
	const given = "guess-twelve"
	for _, c := range []struct{ name, secret string }{
		{"secret-shorter", "x"},
		{"secret-same-length", "guess-twelvX"},
		{"secret-longer", strings.Repeat("x", 64)},
		{"secret-sha", "{SHA}2d6f2d9f1b8e9b7c3a6a1e2f6c5b9e1d4a3c2b1a"},
	} {
		b.Run(c.name, func(b *testing.B) {
			a := newBasicAuth("admin", c.secret)
			r := httptest.NewRequest(http.MethodPost, "/RPC2", nil)
			r.SetBasicAuth("admin", given)
			for b.Loop() {
				if a.allows(r) {
					b.Fatal("wrong credentials allowed")
				}
			}
		})
	}
}
