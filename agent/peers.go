package agent

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/rpc"
)

// peers reaches the XML-RPC of the other agents: every node listens on the
// same [inet_http_server] port with the same credentials. Safe for
// concurrent use.
type peers struct {
	inet *config.InetHTTPServer // nil: there is no way to reach the others

	mu      sync.Mutex
	clients map[string]*rpc.Client
}

func newPeers(inet *config.InetHTTPServer) *peers {
	return &peers{inet: inet, clients: map[string]*rpc.Client{}}
}

// forward is an rpc.Forwarder over the peers' XML-RPC.
func (p *peers) forward(ctx context.Context, address, method string, params []any, reply any) error {
	c, err := p.client(address)
	if err != nil {
		return err
	}
	return c.Call(ctx, method, params, reply)
}

func (p *peers) client(address string) (*rpc.Client, error) {
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
	c, err := rpc.NewClient("http://"+net.JoinHostPort(address, port), rpc.ClientOptions{Username: p.inet.Username, Password: p.inet.Password})
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
