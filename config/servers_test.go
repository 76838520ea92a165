package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/supvisors/supvisors-go/internal/testpki"
)

func TestInetHTTPServer(t *testing.T) {
	_, _, err := loadMain(t, "[supervisord]\n[inet_http_server]\nport = *:9001\nusername = %(ENV_USER)s\npassword = {SHA}abc\n")
	if err == nil {
		t.Fatal("want an error: ENV_USER is not in the test environment")
	}
	cfg, _ := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n[inet_http_server]\nport = *:9001\nusername = %(ENV_USER)s\npassword = {SHA}abc\n"},
		testOptions("USER=bob"))
	if want := (InetHTTPServer{Port: "*:9001", Username: "bob", Password: "{SHA}abc", MaxConnections: DefaultMaxConnections}); *cfg.InetHTTPServer != want {
		t.Errorf("inet_http_server = %+v, want %+v", *cfg.InetHTTPServer, want)
	}
}

func TestUnixHTTPServer(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n[unix_http_server]\nfile = %(here)s/run/../s.sock \nchmod = 0770\nchown = root:0\nusername = u\npassword = p\n"},
		testOptions())
	if want := (UnixHTTPServer{File: dir + "/s.sock", Chmod: 0o770, Chown: "root:0", Username: "u", Password: "p", MaxConnections: DefaultMaxConnections}); *cfg.UnixHTTPServer != want {
		t.Errorf("unix_http_server = %+v, want %+v", *cfg.UnixHTTPServer, want)
	}
	cfg, _, err := loadMain(t, "[supervisord]\n[unix_http_server]\nfile = rel.sock\n")
	cwd, _ := os.Getwd()
	if err != nil || cfg.UnixHTTPServer.File != filepath.Join(cwd, "rel.sock") || cfg.UnixHTTPServer.Chmod != 0o700 {
		t.Errorf("unix_http_server = %+v, %v; want the file made absolute and chmod 0700", cfg.UnixHTTPServer, err)
	}
}

// TestHereInServerSections checks Supervisor's quirk: [inet_http_server]
// has %(here)s only when the main file has an [include] section (whose
// processing substitutes it everywhere).
func TestHereInServerSections(t *testing.T) {
	_, dir, err := loadMain(t, "[supervisord]\n[inet_http_server]\nport = 9001\nusername = %(here)s\npassword = p\n")
	wantConfigError(t, err, dir, 4, "[inet_http_server] username: format string \"%(here)s\" contains name \"here\"")

	cfg, dir := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n[include]\nfiles=none/*.conf\n[inet_http_server]\nport = 9001\nusername = %(here)s\npassword = p\n"},
		testOptions())
	if cfg.InetHTTPServer.Username != dir {
		t.Errorf("username = %q, want %q", cfg.InetHTTPServer.Username, dir)
	}
}

func TestServerErrors(t *testing.T) {
	cases := []struct {
		name, text string
		line       int
		want       string
	}{
		{"no port", "[supervisord]\n[inet_http_server]\nusername=u\npassword=p\n", 2, "[inet_http_server] port: section [inet_http_server] has no port value"},
		{"bad port", "[supervisord]\n[inet_http_server]\nport=localhost:http\n", 3, `[inet_http_server] port: not a valid port number: "http"`},
		{"port out of range", "[supervisord]\n[inet_http_server]\nport=70000\n", 3, "not a valid port number"},
		{"username without password", "[supervisord]\n[inet_http_server]\nport=1\nusername=u\n", 4, "[inet_http_server] username: section [inet_http_server] contains incomplete authentication"},
		{"password without username", "[supervisord]\n[unix_http_server]\nfile=/tmp/x\n\npassword=p\n", 5, "[unix_http_server] password: section [unix_http_server] contains incomplete authentication"},
		{"no file", "[supervisord]\n[unix_http_server]\nchmod=0700\n", 2, "[unix_http_server] file: section [unix_http_server] has no file value"},
		{"bad chmod", "[supervisord]\n[unix_http_server]\nfile=/tmp/x\nchmod=rw\n", 4, "[unix_http_server] chmod: rw can not be converted to an octal type"},
		{"bad chown", "[supervisord]\n[unix_http_server]\nfile=/tmp/x\nchown=root:no-such-group-xyz\n", 4, "[unix_http_server] chown: invalid sockchown value root:no-such-group-xyz"},
		{"named server sections are unknown", "[supervisord]\n[inet_http_server:two]\nport=1\n", 2, "unknown section"},
		{"max_connections 0", "[supervisord]\n[inet_http_server]\nport=1\nmax_connections=0\n", 4, "[inet_http_server] max_connections: max_connections must be at least 1, not 0"},
		{"max_connections not a number", "[supervisord]\n[unix_http_server]\nfile=/tmp/x\nmax_connections=many\n", 4, `[unix_http_server] max_connections: invalid integer "many"`},
		{"tls keys on the unix socket", "[supervisord]\n[unix_http_server]\nfile=/tmp/x\ncertfile=/tmp/c\n", 4, "[unix_http_server] certfile: unknown key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, dir, err := loadMain(t, tc.text)
			wantConfigError(t, err, dir, tc.line, tc.want)
		})
	}
}

func TestServerLimits(t *testing.T) {
	cfg, _, err := loadMain(t, "[supervisord]\n[inet_http_server]\nport=1\nmax_connections=1000\n[unix_http_server]\nfile=/tmp/x\nmax_connections = 8\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.InetHTTPServer.MaxConnections != 1000 || cfg.UnixHTTPServer.MaxConnections != 8 {
		t.Errorf("max_connections: inet %d, unix %d; want 1000 and 8", cfg.InetHTTPServer.MaxConnections, cfg.UnixHTTPServer.MaxConnections)
	}
}

func TestServerTLS(t *testing.T) {
	pki := t.TempDir()
	ca := testpki.NewCA(t, pki, "ca")
	cert, key := ca.Issue(t, pki, "node", "127.0.0.1")
	_, otherKey := ca.Issue(t, pki, "other", "127.0.0.1")
	section := "[supervisord]\n[inet_http_server]\nport=1\n"

	cfg, _, err := loadMain(t, section+"certfile="+cert+"\nkeyfile="+key+"\ncafile="+ca.File+"\n")
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.InetHTTPServer.TLS
	if got == nil || got.CertFile != cert || got.KeyFile != key || got.CAFile != ca.File || got.RootCAs == nil ||
		got.Certificate.Leaf == nil || got.Certificate.Leaf.Subject.CommonName != "node" {
		t.Fatalf("tls = %+v, want node's pair and the CA", got)
	}
	cfg, _, err = loadMain(t, section+"certfile="+cert+"\nkeyfile="+key+"\n")
	if err != nil || cfg.InetHTTPServer.TLS == nil || cfg.InetHTTPServer.TLS.RootCAs != nil {
		t.Fatalf("without cafile: %+v, %v; want the system's roots (nil)", cfg.InetHTTPServer.TLS, err)
	}
	cfg, _, err = loadMain(t, section)
	if err != nil || cfg.InetHTTPServer.TLS != nil {
		t.Fatalf("without certfile: %+v, %v; want plain HTTP", cfg.InetHTTPServer.TLS, err)
	}

	missing := filepath.Join(pki, "missing.pem")
	for _, tc := range []struct {
		name, keys string
		line       int
		want       string
	}{
		{"certfile without keyfile", "certfile=" + cert + "\n", 4, "[inet_http_server] certfile: certfile and keyfile go together"},
		{"keyfile without certfile", "\nkeyfile=" + key + "\n", 5, "[inet_http_server] keyfile: certfile and keyfile go together"},
		{"cafile alone", "cafile=" + ca.File + "\n", 4, "[inet_http_server] cafile: cafile verifies the agents' certificates: it needs certfile and keyfile"},
		{"certfile missing", "certfile=" + missing + "\nkeyfile=" + key + "\n", 4, "[inet_http_server] certfile: cannot read certfile: open " + missing + ": no such file"},
		{"keyfile missing", "certfile=" + cert + "\nkeyfile=" + missing + "\n", 5, "[inet_http_server] keyfile: cannot read keyfile: open " + missing},
		{"certfile is a key", "certfile=" + key + "\nkeyfile=" + key + "\n", 4, "[inet_http_server] certfile: " + key + ": no PEM certificate"},
		{"key of another certificate", "certfile=" + cert + "\nkeyfile=" + otherKey + "\n", 5,
			"[inet_http_server] keyfile: " + otherKey + " is not the key of certificate " + cert + ": tls: private key does not match public key"},
		{"cafile missing", "certfile=" + cert + "\nkeyfile=" + key + "\ncafile=" + missing + "\n", 6, "[inet_http_server] cafile: cannot read cafile"},
		{"cafile is a key", "certfile=" + cert + "\nkeyfile=" + key + "\ncafile=" + key + "\n", 6, "[inet_http_server] cafile: " + key + ": no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, dir, err := loadMain(t, section+tc.keys)
			wantConfigError(t, err, dir, tc.line, tc.want)
		})
	}
}
