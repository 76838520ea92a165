package agent

import (
	"testing"

	"github.com/supvisors/supvisors-go/config"
)

func TestListenAddress(t *testing.T) {
	for port, want := range map[string]string{
		"127.0.0.1:9001": "127.0.0.1:9001",
		":9001":          ":9001",
		"*:9001":         ":9001",
		"9001":           ":9001",
		"localhost:80":   "localhost:80",
	} {
		if got := listenAddress(port); got != want {
			t.Errorf("listenAddress(%q) = %q, want %q", port, got, want)
		}
	}
}

func TestChildServerURL(t *testing.T) {
	inet := &config.InetHTTPServer{Port: "*:9001"}
	unix := &config.UnixHTTPServer{File: "/run/s.sock"}
	for _, c := range []struct {
		cfg  config.Config
		want string
	}{
		{config.Config{}, ""},
		{config.Config{InetHTTPServer: inet}, "http://localhost:9001"},
		{config.Config{InetHTTPServer: &config.InetHTTPServer{Port: "127.0.0.2:60000"}}, "http://127.0.0.2:60000"},
		{config.Config{InetHTTPServer: &config.InetHTTPServer{Port: "127.0.0.2:60000", TLS: &config.TLS{}}}, "https://127.0.0.2:60000"},
		{config.Config{InetHTTPServer: inet, UnixHTTPServer: unix}, "unix:///run/s.sock"},
	} {
		if got := childServerURL(&c.cfg); got != c.want {
			t.Errorf("childServerURL(%+v) = %q, want %q", c.cfg, got, c.want)
		}
	}
}

func TestLogLevel(t *testing.T) {
	for name, want := range map[string]string{
		"critical": "error", "error": "error", "warn": "warn", "info": "info",
		"debug": "debug", "trace": "trace", "blather": "trace", "INFO": "info",
	} {
		if got := logLevel(name).String(); got != want {
			t.Errorf("logLevel(%q) = %s, want %s", name, got, want)
		}
	}
}
