package config

import (
	"net"
	"strings"
	"testing"
)

func TestResolveAddress(t *testing.T) {
	hostIPs := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("192.168.1.20"), net.ParseIP("::1")}
	list := []string{"10.0.0.1", "192.168.1.20", "Node1", "127.0.0.1"}
	cases := []struct {
		name             string
		list             []string
		flag, port, host string
		want, wantErr    string
	}{
		{name: "flag in the list", list: list, flag: "10.0.0.1", want: "10.0.0.1"},
		{name: "flag wins over the port", list: list, flag: "10.0.0.1", port: "127.0.0.1:9001", want: "10.0.0.1"},
		{name: "flag matches by case", list: list, flag: "node1", want: "Node1"},
		{name: "flag not in the list", list: list, flag: "10.0.0.9", wantErr: "--address 10.0.0.9 is not in address_list (10.0.0.1, 192.168.1.20, Node1, 127.0.0.1)"},
		{name: "inet port host", list: list, port: "127.0.0.1:9001", want: "127.0.0.1"},
		{name: "inet port host name", list: list, port: "NODE1:9001", host: "other", want: "Node1"},
		{name: "port host not listed: own address", list: list, port: "10.9.9.9:9001", want: "192.168.1.20"},
		{name: "all interfaces: own address", list: list, port: "*:9001", want: "192.168.1.20"},
		{name: "port only: own address", list: list, port: "9001", want: "192.168.1.20"},
		{name: "host name before a later own IP", list: []string{"10.0.0.1", "node1", "127.0.0.1"}, host: "NODE1", want: "node1"},
		{name: "IPv6 entry", list: []string{"10.0.0.1", "[::1]"}, want: "[::1]"},
		{name: "entry not a valid IP", list: []string{"10.0.0.1", "127.000.000.001"}, port: "127.0.0.1:1", wantErr: "cannot tell"},
		{name: "nothing matches", list: []string{"10.0.0.1", "10.0.0.2"}, host: "node1", wantErr: `cannot tell which entry of address_list (10.0.0.1, 10.0.0.2) this node is`},
		{name: "empty list", wantErr: "address_list is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			host := tc.host
			if host == "" {
				host = "node1"
			}
			got, err := ResolveAddress(tc.list, tc.flag, tc.port, hostIPs, host)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ResolveAddress = %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ResolveAddress = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
