package client

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

func TestServerURLFor(t *testing.T) {
	for _, c := range []struct {
		address string
		env     []string
		want    string // "" when an error is expected; then wantErr is in it
		wantErr string
	}{
		{"127.0.0.2", []string{"SUPERVISOR_SERVER_URL=http://127.0.0.1:9001"}, "http://127.0.0.2:9001", ""},
		{"node2", []string{"SUPERVISOR_SERVER_URL=http://localhost:9001/RPC2"}, "http://node2:9001/RPC2", ""},
		{"node2", []string{"SUPERVISOR_SERVER_URL=https://localhost:9443"}, "https://node2:9443", ""},
		{"node2", []string{"SUPERVISOR_SERVER_URL=http://localhost"}, "http://node2", ""},
		{"::1", []string{"SUPERVISOR_SERVER_URL=http://127.0.0.1:9001"}, "http://[::1]:9001", ""},
		{"[fe80::1]", []string{"SUPERVISOR_SERVER_URL=http://127.0.0.1:9001"}, "http://[fe80::1]:9001", ""},
		{"::1", []string{"SUPERVISOR_SERVER_URL=http://localhost"}, "http://[::1]", ""},
		{"10.0.0.3", []string{"SUPERVISOR_SERVER_URL=http://[::1]:9001"}, "http://10.0.0.3:9001", ""},
		// Credentials in the URL stay; only the host changes.
		{"b", []string{"SUPERVISOR_SERVER_URL=http://u:p@a:1"}, "http://u:p@b:1", ""},
		// The last of repeated keys wins, as with os/exec.
		{"b", []string{"SUPERVISOR_SERVER_URL=http://a:1", "PATH=/bin", "SUPERVISOR_SERVER_URL=http://a:2"}, "http://b:2", ""},
		// The local node: the URL as it is, unix sockets included.
		{"", []string{"SUPERVISOR_SERVER_URL=unix:///tmp/s.sock"}, "unix:///tmp/s.sock", ""},
		{"", []string{"SUPERVISOR_SERVER_URL=http://127.0.0.1:9001"}, "http://127.0.0.1:9001", ""},

		{"127.0.0.2", []string{"SUPERVISOR_SERVER_URL=unix:///tmp/s.sock"}, "", "unix socket"},
		{"127.0.0.2", nil, "", "SUPERVISOR_SERVER_URL is not set"},
		{"127.0.0.2", []string{"SUPERVISOR_SERVER_URL="}, "", "SUPERVISOR_SERVER_URL is not set"},
		{"127.0.0.2", []string{"SUPERVISOR_SERVER_URLX=http://a:1", "XSUPERVISOR_SERVER_URL=http://a:1"}, "", "is not set"},
		{"", nil, "", "SUPERVISOR_SERVER_URL is not set"},
		{"127.0.0.2", []string{"SUPERVISOR_SERVER_URL=ftp://a:1"}, "", "want http://"},
		{"127.0.0.2", []string{"SUPERVISOR_SERVER_URL=http://"}, "", "want http://"},
		{"127.0.0.2", []string{"SUPERVISOR_SERVER_URL=http://a:1:2:3/%zz"}, "", "SUPERVISOR_SERVER_URL"},
		{"127.0.0.2:9001", []string{"SUPERVISOR_SERVER_URL=http://a:1"}, "", "without a port"},
		{"user@b", []string{"SUPERVISOR_SERVER_URL=http://a:1"}, "", "without a port"},
		{"[b]", []string{"SUPERVISOR_SERVER_URL=http://a:1"}, "", "not an IP address"},
	} {
		got, err := ServerURLFor(c.address, c.env)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("ServerURLFor(%q, %q): %v", c.address, c.env, err)
		case c.wantErr == "" && got != c.want:
			t.Errorf("ServerURLFor(%q, %q) = %q, want %q", c.address, c.env, got, c.want)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("ServerURLFor(%q, %q) = %q, %v; want an error with %q", c.address, c.env, got, err, c.wantErr)
		}
	}
}

func TestNewFromEnv(t *testing.T) {
	env := []string{"HOME=/root", "SUPERVISOR_SERVER_URL=http://127.0.0.1:9001", "SUPERVISOR_USERNAME=user", "SUPERVISOR_PASSWORD=1=2"}
	c, err := NewFromEnv("127.0.0.3", env)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.URL() != "http://127.0.0.3:9001" {
		t.Errorf("URL() = %q", c.URL())
	}
	if _, err := NewFromEnv("127.0.0.3", []string{"SUPERVISOR_SERVER_URL=unix:///run/s.sock"}); err == nil {
		t.Error("a unix socket URL for another address was accepted")
	}
	local, err := NewFromEnv("", []string{"SUPERVISOR_SERVER_URL=unix:///run/s.sock"})
	if err != nil || local.URL() != "unix:///run/s.sock" {
		t.Errorf("NewFromEnv local unix socket: %v, %v", local, err)
	}
	if _, err := NewFromEnv("127.0.0.3", []string{"HOME=/root"}); err == nil || !strings.Contains(err.Error(), "SUPERVISOR_SERVER_URL") {
		t.Errorf("without SUPERVISOR_SERVER_URL: %v", err)
	}
}

func TestNew(t *testing.T) {
	for _, good := range []string{"http://127.0.0.1:9001", "https://example.com", "http://u:p@h:1/RPC2", "unix:///tmp/s.sock"} {
		c, err := New(good, Options{})
		if err != nil {
			t.Errorf("New(%q): %v", good, err)
			continue
		}
		if strings.Contains(c.URL(), "u:p") {
			t.Errorf("URL() of %q shows the credentials: %s", good, c.URL())
		}
		c.Close()
	}
	for _, bad := range []string{"ftp://host", "unix://", "http://", "://x", "127.0.0.1:9001"} {
		if _, err := New(bad, Options{}); err == nil || !strings.HasPrefix(err.Error(), "client: ") {
			t.Errorf("New(%q): %v, want a client: error", bad, err)
		}
	}
}

func TestCallErrors(t *testing.T) {
	inner := fmt.Errorf("rpc: call supervisor.getState: %w", &xmlrpc.HTTPError{StatusCode: 401, Status: "401 Unauthorized"})
	err := error(&callError{method: "supervisor.getState", server: "http://h:1", err: inner})
	if got, want := err.Error(), "call supervisor.getState on http://h:1: HTTP 401 Unauthorized"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrUnauthorized) {
		t.Error("a 401 is not ErrUnauthorized")
	}
	if h, ok := errors.AsType[*xmlrpc.HTTPError](err); !ok || h.StatusCode != 401 {
		t.Errorf("no HTTPError in %v", err)
	}
	other := &callError{method: "m", server: "s", err: &xmlrpc.HTTPError{StatusCode: 500, Status: "500 Internal Server Error"}}
	if errors.Is(other, ErrUnauthorized) {
		t.Error("a 500 is ErrUnauthorized")
	}
	if _, ok := FaultCode(other); ok {
		t.Error("a transport error has a fault code")
	}
	if code, ok := FaultCode(fmt.Errorf("wrapped: %w", fault.New(fault.BadName, "x"))); !ok || code != fault.BadName {
		t.Errorf("FaultCode of a wrapped BAD_NAME: %v %v", code, ok)
	}
}

func TestMulticallFaults(t *testing.T) {
	for _, c := range []struct {
		v     any
		fault bool
	}{
		{map[string]any{"faultCode": 10, "faultString": "BAD_NAME: x"}, true},
		{map[string]any{"faultCode": 10, "faultString": "BAD_NAME: x", "more": 1}, false},
		{map[string]any{"faultCode": "10", "faultString": "x"}, false},
		{map[string]any{"statecode": 1, "statename": "RUNNING"}, false},
		{true, false}, {"faultCode", false}, {[]any{10, "x"}, false},
	} {
		if got := asFault(c.v) != nil; got != c.fault {
			t.Errorf("asFault(%v) = %v, want %v", c.v, got, c.fault)
		}
	}
}

func TestHelpers(t *testing.T) {
	if api.Namespec("g", "g") != "g" || api.Namespec("g", "p") != "g:p" {
		t.Error("Namespec")
	}
	if !Time(0).IsZero() || Time(1700000000).Unix() != 1700000000 {
		t.Error("Time")
	}
	r, ok := statusResult(map[string]any{"name": "p", "group": "g", "status": 70, "description": "NOT_RUNNING: g:p"})
	if !ok || r.OK() || r.Fault().Code != fault.NotRunning || r.Namespec() != "g:p" {
		t.Errorf("statusResult: %+v %v", r, ok)
	}
	if _, ok := statusResult(map[string]any{"name": "p"}); ok {
		t.Error("an incomplete status result was accepted")
	}
	if ok := (api.StatusResult{Status: fault.Success}); !ok.OK() || ok.Fault() != nil {
		t.Error("SUCCESS is not OK")
	}
}
