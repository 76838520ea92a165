package config

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strconv"
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
	s.MaxConnections = maxConnections(r)
	s.TLS = l.tlsFiles(r)
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
	s.MaxConnections = maxConnections(r)
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// maxConnections reads max_connections, a positive integer.
func maxConnections(r *reader) int {
	return option(r, "max_connections", strconv.Itoa(DefaultMaxConnections), func(s string) (int, error) {
		n, err := parseInteger(s)
		if err == nil && n < 1 {
			err = fmt.Errorf("max_connections must be at least 1, not %d", n)
		}
		return n, err
	})
}

// tlsFiles reads certfile, keyfile and cafile: nil without certfile, else the
// key pair loaded and checked (and the CA's certificates), each error at
// the line of the file it is about.
func (l *loader) tlsFiles(r *reader) *TLS {
	cert, certValue, hasCert := r.get("certfile")
	key, keyValue, hasKey := r.get("keyfile")
	ca, caValue, hasCA := r.get("cafile")
	switch {
	case r.err != nil:
		return nil
	case hasCert != hasKey:
		present, v := "certfile", certValue
		if hasKey {
			present, v = "keyfile", keyValue
		}
		r.fail(present, v, errors.New("certfile and keyfile go together: set both to serve HTTPS"))
		return nil
	case hasCA && !hasCert:
		r.fail("cafile", caValue, errors.New("cafile verifies the agents' certificates: it needs certfile and keyfile"))
		return nil
	case !hasCert:
		return nil
	}
	t := &TLS{}
	certPEM := l.readPEM(r, "certfile", certValue, cert, &t.CertFile)
	keyPEM := l.readPEM(r, "keyfile", keyValue, key, &t.KeyFile)
	if r.err != nil {
		return nil
	}
	if block, _ := pem.Decode(certPEM); block == nil || block.Type != "CERTIFICATE" {
		r.fail("certfile", certValue, fmt.Errorf("%s: no PEM certificate", t.CertFile))
		return nil
	}
	var err error
	if t.Certificate, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		r.fail("keyfile", keyValue, fmt.Errorf("%s is not the key of certificate %s: %w", t.KeyFile, t.CertFile, err))
		return nil
	}
	if hasCA {
		caPEM := l.readPEM(r, "cafile", caValue, ca, &t.CAFile)
		if r.err != nil {
			return nil
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(caPEM) {
			r.fail("cafile", caValue, fmt.Errorf("%s: no PEM certificate", t.CAFile))
			return nil
		}
	}
	return t
}

// readPEM reads the file option key names (made absolute into *path).
func (l *loader) readPEM(r *reader, key string, v *iniValue, name string, path *string) []byte {
	if r.err != nil {
		return nil
	}
	var err error
	if *path, err = l.paths.normalize(pyStrip(name)); err != nil {
		r.fail(key, v, err)
		return nil
	}
	data, err := os.ReadFile(*path)
	if err != nil {
		r.fail(key, v, fmt.Errorf("cannot read %s: %w", key, err))
		return nil
	}
	return data
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
