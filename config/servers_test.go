package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInetHTTPServer(t *testing.T) {
	_, _, err := loadMain(t, "[supervisord]\n[inet_http_server]\nport = *:9001\nusername = %(ENV_USER)s\npassword = {SHA}abc\n")
	if err == nil {
		t.Fatal("want an error: ENV_USER is not in the test environment")
	}
	cfg, _ := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n[inet_http_server]\nport = *:9001\nusername = %(ENV_USER)s\npassword = {SHA}abc\n"},
		testOptions("USER=bob"))
	if want := (InetHTTPServer{Port: "*:9001", Username: "bob", Password: "{SHA}abc"}); *cfg.InetHTTPServer != want {
		t.Errorf("inet_http_server = %+v, want %+v", *cfg.InetHTTPServer, want)
	}
}

func TestUnixHTTPServer(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n[unix_http_server]\nfile = %(here)s/run/../s.sock \nchmod = 0770\nchown = root:0\nusername = u\npassword = p\n"},
		testOptions())
	if want := (UnixHTTPServer{File: dir + "/s.sock", Chmod: 0o770, Chown: "root:0", Username: "u", Password: "p"}); *cfg.UnixHTTPServer != want {
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
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, dir, err := loadMain(t, tc.text)
			wantConfigError(t, err, dir, tc.line, tc.want)
		})
	}
}
