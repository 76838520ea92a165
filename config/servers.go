package config

import (
	"errors"
	"fmt"
)

var errIncompleteAuth = errors.New("contains incomplete authentication: if a username or a password is specified, both the username and password must be specified")

// inetHTTPServer reads [inet_http_server] as Supervisor's
// server_configs_from_parser: credentials complete or absent, then a port
// as host:port, :port, *:port or port.
func (l *loader) inetHTTPServer() (*InetHTTPServer, error) {
	sec, ok := l.doc.section("inet_http_server")
	if !ok {
		return nil, nil
	}
	r := l.reader(sec, l.env, false)
	s := &InetHTTPServer{}
	s.Username, s.Password = credentials(r)
	port, v, ok := r.get("port")
	if r.err == nil && !ok {
		r.fail("port", nil, fmt.Errorf("section [%s] has no port value", sec.name))
	}
	if r.err == nil {
		if _, _, err := inetAddress(port); err != nil {
			r.fail("port", v, err)
		}
	}
	s.Port = port
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// unixHTTPServer reads [unix_http_server]: file (made absolute; the only
// key with %(here)s), credentials, chown as user or user:group, chmod in
// octal (default 0700).
func (l *loader) unixHTTPServer() (*UnixHTTPServer, error) {
	sec, ok := l.doc.section("unix_http_server")
	if !ok {
		return nil, nil
	}
	fileReader := l.reader(sec, l.env, true)
	file, v, ok := fileReader.get("file")
	if fileReader.err == nil && !ok {
		fileReader.fail("file", nil, fmt.Errorf("section [%s] has no file value", sec.name))
	}
	if fileReader.err != nil {
		return nil, fileReader.err
	}
	s := &UnixHTTPServer{}
	var err error
	if s.File, err = l.paths.normalize(pyStrip(file)); err != nil {
		fileReader.fail("file", v, err)
		return nil, fileReader.err
	}
	r := l.reader(sec, l.env, false)
	s.Username, s.Password = credentials(r)
	s.Chown = optional(r, "chown", func(s string) (string, error) {
		if checkUserGroup(s) != nil {
			return "", fmt.Errorf("invalid sockchown value %s", s)
		}
		return s, nil
	})
	s.Chmod = option(r, "chmod", "0700", parseOctal)
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// credentials reads username and password, which go together.
func credentials(r *reader) (username, password string) {
	username, _, hasUser := r.get("username")
	password, _, hasPassword := r.get("password")
	if r.err == nil && hasUser != hasPassword {
		present := "username"
		if hasPassword {
			present = "password"
		}
		v, _ := r.sec.lookup(present)
		r.fail(present, v, fmt.Errorf("section [%s] %w", r.sec.name, errIncompleteAuth))
	}
	return username, password
}
