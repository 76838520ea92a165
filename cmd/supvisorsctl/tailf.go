package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// follow is supervisorctl's tail -f: it prints its banner, then streams
// GET path (/logtail/NAME/CHANNEL or /mainlogtail) from the server to
// stdout until Ctrl-C (which prints an empty line) or the server ends the
// stream. Errors go to stderr and leave the exit status alone, as they do
// in supervisorctl.
func (c *ctl) follow(path string) error {
	c.line("==> Press Ctrl-C to exit <==")
	ctx, stop := signal.NotifyContext(c.ctx(), os.Interrupt)
	defer stop()
	shown := strings.TrimRight(c.opts.serverURL, "/") + path
	req, httpClient, err := c.followRequest(ctx, path)
	if err != nil {
		fmt.Fprintf(c.stderr, "%s Cannot connect, error: %v\n", shown, err)
		return nil
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			c.line("")
			return nil
		}
		fmt.Fprintf(c.stderr, "%s Cannot connect, error: %v\n", shown, unwrapURLError(err))
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(c.stderr, "%s Cannot read, status code %d\n", shown, resp.StatusCode)
		return nil
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := c.stdout.Write(buf[:n]); werr != nil {
				return nil
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				c.line("")
			} else if !errors.Is(err, io.EOF) {
				fmt.Fprintf(c.stderr, "%s Cannot read, error: %v\n", shown, err)
			}
			return nil
		}
	}
}

// followRequest prepares the GET of path on the server, over TCP or its
// unix socket, with basic auth when a password is set (as supervisorctl's
// HTTP client sends it).
func (c *ctl) followRequest(ctx context.Context, path string) (*http.Request, *http.Client, error) {
	tlsConfig, err := c.tlsConfig()
	if err != nil {
		return nil, nil, err
	}
	transport := &http.Transport{DisableCompression: true, TLSClientConfig: tlsConfig}
	target := ""
	user, password := c.opts.username, c.opts.password
	if sock, ok := strings.CutPrefix(c.opts.serverURL, "unix://"); ok {
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}
		target = "http://localhost" + path
	} else {
		u, err := url.Parse(c.opts.serverURL)
		if err != nil {
			return nil, nil, err
		}
		if u.User != nil && user == "" {
			user = u.User.Username()
			password, _ = u.User.Password()
		}
		u.User = nil
		target = u.Scheme + "://" + u.Host + path
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, err
	}
	if password != "" {
		req.SetBasicAuth(user, password)
	}
	return req, &http.Client{Transport: transport}, nil
}

func unwrapURLError(err error) error {
	if u, ok := errors.AsType[*url.Error](err); ok {
		return u.Err
	}
	return err
}

// isRefused reports a connection refused by the server.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// isNoSocket reports a unix socket that does not exist.
func isNoSocket(err error, serverURL string) bool {
	return strings.HasPrefix(serverURL, "unix://") && errors.Is(err, syscall.ENOENT)
}
