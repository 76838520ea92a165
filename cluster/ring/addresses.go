package ring

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// resolveInterval is how often the host names of the cluster are resolved
// again (a host that moved).
const resolveInterval = 30 * time.Second

// lookupTimeout bounds one resolution of a host name.
const lookupTimeout = 5 * time.Second

// addresses knows the IPs of the cluster's addresses: the only sources the
// ring takes packets and connections from, and what a member's advertised
// IP must be. An IP address stands for itself; a host name for what it
// resolves to. Its methods are safe for concurrent use.
type addresses struct {
	lookup func(ctx context.Context, host string) ([]net.IP, error)
	log    hclog.Logger

	mu    sync.RWMutex
	ips   map[string][]net.IP // name → IPs (none while a host name is unresolved)
	names map[string]string   // IP → the first name that stands for it
}

func newAddresses(names []string, lookup func(ctx context.Context, host string) ([]net.IP, error), log hclog.Logger) *addresses {
	a := &addresses{lookup: lookup, log: log, ips: map[string][]net.IP{}}
	for _, name := range names {
		a.ips[name] = nil
	}
	a.resolve()
	return a
}

// resolve resolves every name again; a name that fails keeps its last IPs.
func (a *addresses) resolve() {
	a.mu.RLock()
	names := make([]string, 0, len(a.ips))
	for name := range a.ips {
		names = append(names, name)
	}
	a.mu.RUnlock()
	slices.Sort(names)
	resolved := map[string][]net.IP{}
	for _, name := range names {
		if ip := net.ParseIP(name); ip != nil {
			resolved[name] = []net.IP{ip}
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
		ips, err := a.lookup(ctx, name)
		cancel()
		if err != nil || len(ips) == 0 {
			a.log.Warn("cannot resolve an address of address_list: nothing is taken from it until it resolves", "address", name, "error", err)
			continue
		}
		resolved[name] = ips
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for name, ips := range resolved {
		a.ips[name] = ips
	}
	a.names = map[string]string{}
	for _, name := range names {
		for _, ip := range a.ips[name] {
			if _, taken := a.names[ip.String()]; !taken {
				a.names[ip.String()] = name
			}
		}
	}
}

// nameOf returns the address an IP stands for.
func (a *addresses) nameOf(ip net.IP) (string, bool) {
	if ip == nil {
		return "", false
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	name, ok := a.names[ip.String()]
	return name, ok
}

// ip returns the IP to reach name at: its first IPv4 address, else its
// first.
func (a *addresses) ip(name string) (net.IP, error) {
	a.mu.RLock()
	ips, known := a.ips[name]
	a.mu.RUnlock()
	switch {
	case !known:
		return nil, fmt.Errorf("%s is not in address_list", name)
	case len(ips) == 0:
		return nil, fmt.Errorf("%s does not resolve", name)
	}
	if i := slices.IndexFunc(ips, func(ip net.IP) bool { return ip.To4() != nil }); i >= 0 {
		return ips[i], nil
	}
	return ips[0], nil
}

// onThisHost returns the addresses (this node's included) whose IP is
// this host's: a loopback address, or one of its interfaces' (loopback
// ones only if the interfaces cannot be read).
func (a *addresses) onThisHost() map[string]bool {
	local := map[string]bool{}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, addr := range addrs {
			if ipNet, ok := addr.(*net.IPNet); ok {
				local[ipNet.IP.String()] = true
			}
		}
	}
	a.mu.RLock()
	names := make([]string, 0, len(a.ips))
	for name := range a.ips {
		names = append(names, name)
	}
	a.mu.RUnlock()
	out := map[string]bool{}
	for _, name := range names {
		if ip, err := a.ip(name); err == nil && (ip.IsLoopback() || local[ip.String()]) {
			out[name] = true
		}
	}
	return out
}

// check tells whether a member named name may advertise ip.
func (a *addresses) check(name string, ip net.IP) error {
	a.mu.RLock()
	ips, known := a.ips[name]
	a.mu.RUnlock()
	switch {
	case !known:
		return fmt.Errorf("%s is not in address_list", name)
	case len(ips) == 0:
		return fmt.Errorf("%s does not resolve, so its IP cannot be checked", name)
	case !slices.ContainsFunc(ips, ip.Equal):
		return fmt.Errorf("node %s advertises address %s, but %s stands for %v", name, ip, name, ips)
	}
	return nil
}

// LookupIP resolves a host name with the system's resolver (the default
// Config.LookupIP).
func LookupIP(ctx context.Context, host string) ([]net.IP, error) {
	return net.DefaultResolver.LookupIP(ctx, "ip", host)
}
