package agent

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// peers reaches the XML-RPC of the other agents: every node listens on the
// same [inet_http_server] port with the same credentials. Safe for
// concurrent use.
type peers struct {
	inet *config.InetHTTPServer // nil: there is no way to reach the others
	// tls verifies the others' certificates with [inet_http_server] cafile
	// (the system's roots without it); nil for plain HTTP.
	tls *tls.Config

	mu      sync.Mutex
	clients map[string]*xmlrpc.Client
}

func newPeers(inet *config.InetHTTPServer) *peers {
	p := &peers{inet: inet, clients: map[string]*xmlrpc.Client{}}
	if inet != nil && inet.TLS != nil {
		p.tls = &tls.Config{RootCAs: inet.TLS.RootCAs, MinVersion: tls.VersionTLS12}
	}
	return p
}

// inetScheme is the scheme of the agents' URLs: https when
// [inet_http_server] has certfile, http otherwise.
func inetScheme(s *config.InetHTTPServer) string {
	if s.TLS != nil {
		return "https"
	}
	return "http"
}

// serverTLS is the TLS configuration of an inet server with t (nil for
// plain HTTP): HTTP/1.1 only, as every XML-RPC client speaks it.
func serverTLS(t *config.TLS) *tls.Config {
	if t == nil {
		return nil
	}
	return &tls.Config{
		Certificates: []tls.Certificate{t.Certificate},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	}
}

// forward is an rpcinterface.Forwarder over the peers' XML-RPC.
func (p *peers) forward(ctx context.Context, address, method string, params []any, reply any) error {
	c, err := p.client(address)
	if err != nil {
		return err
	}
	return c.Call(ctx, method, params, reply)
}

func (p *peers) client(address string) (*xmlrpc.Client, error) {
	if p.inet == nil {
		return nil, fmt.Errorf("no [inet_http_server] to reach %s", address)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.clients[address]; c != nil {
		return c, nil
	}
	_, port, err := net.SplitHostPort(listenAddress(p.inet.Port))
	if err != nil {
		return nil, fmt.Errorf("inet_http_server port %q: %w", p.inet.Port, err)
	}
	c, err := xmlrpc.NewClient(inetScheme(p.inet)+"://"+net.JoinHostPort(address, port), xmlrpc.ClientOptions{
		Username: p.inet.Username, Password: p.inet.Password, TLSConfig: p.tls,
	})
	if err != nil {
		return nil, err
	}
	p.clients[address] = c
	return c, nil
}

// close releases the clients' connections.
func (p *peers) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.clients {
		c.Close()
	}
	clear(p.clients)
}
