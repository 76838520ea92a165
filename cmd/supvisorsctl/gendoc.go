//go:build gendoc

package main

import (
	"bufio"
	"os"

	"github.com/supvisors/supvisors-go/internal/gendoc"
)

// A gendoc build writes the command's man pages and completions (make deb)
// instead of running. Its options are the defaults, whatever the builder's
// environment says (SUPERVISOR_SERVER_URL...), so that the pages show them.
func init() {
	c := &ctl{in: bufio.NewReader(os.Stdin), stdout: os.Stdout, stderr: os.Stderr, stdinFd: -1}
	c.opts.serverURL = defaultServerURL
	gendoc.Main(c.newRoot())
}
