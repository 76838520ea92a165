package config

import (
	"fmt"
	"net"
	"strings"
)

// ResolveAddress picks which entry of address_list (list) the local node
// is, by DESIGN.md's --address rule: flag (--address or SUPVISORS_ADDRESS)
// when given, which must then be in the list; else the entry equal to the
// host part of the [inet_http_server] port (inetPort, "" when there is no
// such section); else the first entry that is one of hostIPs or equals
// hostname. Host names compare without regard to case. It is a pure
// function, safe for concurrent use.
func ResolveAddress(list []string, flag string, inetPort string, hostIPs []net.IP, hostname string) (string, error) {
	if len(list) == 0 {
		return "", fmt.Errorf("address_list is empty")
	}
	if flag != "" {
		if entry, ok := findAddress(list, flag); ok {
			return entry, nil
		}
		return "", fmt.Errorf("--address %s is not in address_list (%s)", flag, strings.Join(list, ", "))
	}
	if host, _, err := inetAddress(inetPort); inetPort != "" && err == nil && host != "" {
		if entry, ok := findAddress(list, host); ok {
			return entry, nil
		}
	}
	for _, entry := range list {
		if hostname != "" && strings.EqualFold(entry, hostname) {
			return entry, nil
		}
		if ip := net.ParseIP(strings.Trim(entry, "[]")); ip != nil {
			for _, own := range hostIPs {
				if ip.Equal(own) {
					return entry, nil
				}
			}
		}
	}
	return "", fmt.Errorf("cannot tell which entry of address_list (%s) this node is: none is the host of [inet_http_server] port, "+
		"one of this host's addresses or its host name %q; pass --address (or set SUPVISORS_ADDRESS)", strings.Join(list, ", "), hostname)
}

// findAddress returns the entry of list that names the same node as addr:
// equal text (case-insensitive), or the same IP written differently.
func findAddress(list []string, addr string) (string, bool) {
	addrIP := net.ParseIP(strings.Trim(addr, "[]"))
	for _, entry := range list {
		if strings.EqualFold(entry, addr) {
			return entry, true
		}
		if ip := net.ParseIP(strings.Trim(entry, "[]")); ip != nil && addrIP != nil && ip.Equal(addrIP) {
			return entry, true
		}
	}
	return "", false
}
