package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/internal/version"
)

// Exit codes: supervisorctl's LSBInitExitStatuses, and the LSB status codes
// that status and sstatus use.
const (
	exitOK           = 0
	exitGeneric      = 1 // a fault, a refused authentication, an unexpected error
	exitInvalidArgs  = 2 // usage errors
	exitUnimplOrDown = 3 // the server lacks the namespace (status/sstatus: a process is stopped)
	exitUnreachable  = 4 // connection refused, no route (status/sstatus: an unknown name)
	exitNotInstalled = 5 // the server speaks another API version
	exitNotRunning   = 7 // no unix socket; a process that is not running (start, stop, pid)

	statusNotRunning = 3
	statusUnknown    = 4
)

const defaultServerURL = "http://localhost:9001"

// options are the global flags.
type options struct {
	serverURL, username, password string
	// cacert is the CA file that verifies an https:// agent ("": the
	// system's roots).
	cacert  string
	json    bool
	timeout time.Duration
}

// ctl is one run of the program: its options, streams and the exit status
// the commands set, as supervisorctl's Controller keeps them.
type ctl struct {
	opts        options
	in          *bufio.Reader
	stdout      io.Writer
	stderr      io.Writer
	stderrTTY   bool
	stdinFd     int // -1 when stdin is not a file
	interactive bool
	quit        bool
	exit        int
	authFailed  bool // the last command met HTTP 401

	client    *client.Client
	clientFor options

	// doc is the JSON document of the current command (--json), printed
	// once it is done when docSet.
	doc    any
	docSet bool
}

// errAbort is what a command returns when it stopped on an error whose
// message is out and exit status set (supervisorctl's raised exceptions).
var errAbort = errors.New("command aborted")

// usageError is a wrong use of a command: cobra prints it with the usage
// and the program exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run is the whole program: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &ctl{in: bufio.NewReader(stdin), stdout: stdout, stderr: stderr, stdinFd: -1}
	if f, ok := stderr.(*os.File); ok {
		c.stderrTTY = isTerminal(int(f.Fd()))
	}
	if f, ok := stdin.(*os.File); ok {
		c.stdinFd = int(f.Fd())
	}
	c.opts.serverURL = getenv(client.EnvServerURL)
	if c.opts.serverURL == "" {
		c.opts.serverURL = defaultServerURL
	}
	c.opts.username = getenv(client.EnvUsername)
	c.opts.password = getenv(client.EnvPassword)
	defer func() {
		if c.client != nil {
			c.client.Close()
		}
	}()
	code, usage := c.runArgs(args)
	if usage {
		return exitInvalidArgs
	}
	if c.interactive {
		return exitOK // like supervisorctl's shell
	}
	return code
}

// runArgs runs one command line; usage reports a usage error.
func (c *ctl) runArgs(args []string) (code int, usage bool) {
	c.exit = exitOK
	c.doc, c.docSet = nil, false
	c.authFailed = false
	root := c.newRoot()
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err != nil {
		fmt.Fprintf(c.stderr, "Error: %v\n", err)
		if cmd != nil && cmd != root {
			fmt.Fprint(c.stderr, cmd.UsageString())
		} else {
			fmt.Fprintf(c.stderr, "Run '%s --help' for usage.\n", root.Name())
		}
		return exitInvalidArgs, true
	}
	if c.opts.json && c.docSet {
		c.printJSON(c.doc)
	}
	return c.exit, false
}

// newRoot builds the command tree, its flags bound to c.opts (their
// defaults are the current values, so that a line of the interactive mode
// starts from the program's options).
func (c *ctl) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:     "supvisorsctl [flags] [command [args...]]",
		Short:   "Control supvisors agents: Supervisor's commands and the cluster's",
		Version: version.Version,
		Long: `supvisorsctl controls a supvisors agent (or any supervisord) over XML-RPC.

The supervisorctl commands act on the processes of the agent named by -s and
print what Debian's supervisorctl 4.2.5 prints, with its exit codes. The
Supvisors commands show and control the whole cluster from that agent.
Without a command, supvisorsctl reads commands from its input (prompt
"supvisors> "), after showing the status, until quit, exit or end of file.`,
		TraverseChildren:  true,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if suggestions := cmd.SuggestionsFor(args[0]); len(suggestions) > 0 {
				msg += "\n\nDid you mean this?\n\t" + strings.Join(suggestions, "\n\t")
			}
			return errors.New(msg)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if c.interactive {
				return nil
			}
			c.repl()
			return nil
		},
	}
	root.SetIn(c.in)
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	root.SetContext(context.Background())
	pf := root.PersistentFlags()
	pf.StringVarP(&c.opts.serverURL, "serverurl", "s", c.opts.serverURL,
		"URL of the agent: http://host:port, https://host:port or unix:///path (env SUPERVISOR_SERVER_URL)")
	pf.StringVarP(&c.opts.username, "username", "u", c.opts.username, "user name for HTTP basic auth (env SUPERVISOR_USERNAME)")
	pf.StringVarP(&c.opts.password, "password", "p", c.opts.password, "password for HTTP basic auth (env SUPERVISOR_PASSWORD)")
	pf.Lookup("password").DefValue = "" // never shown in the help
	pf.StringVar(&c.opts.cacert, "cacert", c.opts.cacert, "CA certificate file (PEM) that verifies an https:// agent (default: the system's roots)")
	pf.BoolVar(&c.opts.json, "json", c.opts.json, "print the replies as one JSON document (errors go to stderr)")
	pf.DurationVar(&c.opts.timeout, "timeout", c.opts.timeout, "bound each XML-RPC call, e.g. 30s (0: none)")
	root.AddGroup(
		&cobra.Group{ID: groupSupervisor, Title: "Supervisor commands (as supervisorctl, on the agent's own processes):"},
		&cobra.Group{ID: groupSupvisors, Title: "Supvisors commands (the whole cluster, from any agent):"},
	)
	for _, v := range supervisorVerbs() {
		root.AddCommand(c.command(v, groupSupervisor))
	}
	for _, v := range slices.Concat(supvisorsVerbs(), opsVerbs(), placementVerbs(), statsVerbs()) {
		root.AddCommand(c.command(v, groupSupvisors))
	}
	root.AddCommand(c.eventsCommand())
	root.AddCommand(
		&cobra.Command{Use: "quit", Short: "Leave the interactive mode", Args: cobra.ArbitraryArgs,
			Run: func(*cobra.Command, []string) { c.line(""); c.quit = true }},
		&cobra.Command{Use: "exit", Short: "Leave the interactive mode", Args: cobra.ArbitraryArgs,
			Run: func(*cobra.Command, []string) { c.line(""); c.quit = true }},
	)
	return root
}

const (
	groupSupervisor = "supervisor"
	groupSupvisors  = "supvisors"
)

// verb is one command.
type verb struct {
	use   string // "start <name>..." (the first word is the command)
	short string
	long  string
	args  cobra.PositionalArgs
	// raw commands get their arguments unparsed (tail -100 x).
	raw      bool
	run      func(c *ctl, args []string) error
	complete func(c *ctl, args []string, toComplete string) ([]string, cobra.ShellCompDirective)
}

func (c *ctl) command(v verb, group string) *cobra.Command {
	cmd := &cobra.Command{
		Use:                v.use,
		Short:              v.short,
		Long:               v.long,
		GroupID:            group,
		Args:               v.args,
		DisableFlagParsing: v.raw,
		RunE: func(cmd *cobra.Command, args []string) error {
			err := v.run(c, args)
			var u *usageError
			if errors.As(err, &u) {
				return err
			}
			return nil
		},
	}
	if cmd.Args == nil {
		cmd.Args = cobra.ArbitraryArgs
	}
	if v.complete != nil {
		cmd.ValidArgsFunction = func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return v.complete(c, args, toComplete)
		}
	}
	return cmd
}

// repl is the interactive mode: status first, then a line at a time.
func (c *ctl) repl() {
	c.interactive = true
	defer func() { c.doc, c.docSet = nil, false }()
	c.runLine([]string{"status"})
	for !c.quit {
		fmt.Fprint(c.stdout, "supvisors> ")
		text, err := c.in.ReadString('\n')
		if words := strings.Fields(text); len(words) > 0 {
			if words[0] == "EOF" {
				c.line("")
				return
			}
			c.runLine(words)
		}
		if err != nil {
			if !c.quit {
				c.line("") // supervisorctl's do_EOF
			}
			return
		}
	}
}

// runLine runs one line of the interactive mode with the program's
// options (flags on the line last for that line only), and asks for
// credentials when the server refuses them, as supervisorctl does.
func (c *ctl) runLine(words []string) {
	for {
		saved := c.opts
		c.runArgs(words)
		c.opts = saved
		if !c.authFailed || c.quit {
			return
		}
		user, ok := c.prompt("Username:", true)
		if !ok {
			return
		}
		password, ok := c.prompt("Password:", false)
		if !ok {
			return
		}
		c.line("")
		c.opts.username, c.opts.password = user, password
	}
}

// prompt writes question and reads an answer line; echo false turns the
// terminal's echo off while it is typed. ok is false at end of input.
func (c *ctl) prompt(question string, echo bool) (string, bool) {
	fmt.Fprint(c.stdout, question)
	if !echo && c.stdinFd >= 0 {
		if restore := noEcho(c.stdinFd); restore != nil {
			defer restore()
		}
	}
	text, err := c.in.ReadString('\n')
	if err != nil && text == "" {
		return "", false
	}
	return strings.TrimRight(text, "\r\n"), true
}

// confirm asks question in the interactive mode (yes only for an answer
// starting with y); outside it, the answer is yes.
func (c *ctl) confirm(question string) bool {
	if !c.interactive {
		return true
	}
	answer, ok := c.prompt(question, true)
	return ok && strings.HasPrefix(strings.ToLower(answer), "y")
}

// line writes one line of output: stdout, or stderr with --json so that
// stdout holds the document only.
func (c *ctl) line(msg string) {
	w := c.stdout
	if c.opts.json {
		w = c.stderr
	}
	fmt.Fprintln(w, msg)
}

// lines writes a multi-line text (a help) as line does.
func (c *ctl) lines(text string) {
	for _, l := range strings.Split(text, "\n") {
		c.line(l)
	}
}

// setDoc makes v the command's JSON document.
func (c *ctl) setDoc(v any) { c.doc, c.docSet = v, true }

// addDoc appends v to the command's JSON document, an array.
func (c *ctl) addDoc(v any) {
	list, _ := c.doc.([]any)
	c.doc, c.docSet = append(list, v), true
}

// rpc is the client of the server the options name, made on first use.
func (c *ctl) rpc() (*client.Client, error) {
	if c.client != nil && c.clientFor == c.opts {
		return c.client, nil
	}
	if c.client != nil {
		c.client.Close()
	}
	tlsConfig, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	cl, err := client.New(c.opts.serverURL, client.Options{
		Username: c.opts.username, Password: c.opts.password, Timeout: c.opts.timeout, TLSConfig: tlsConfig,
	})
	if err != nil {
		return nil, err
	}
	c.client, c.clientFor = cl, c.opts
	return cl, nil
}

// tlsConfig verifies https:// agents with the certificates of --cacert;
// nil without it (the system's roots).
func (c *ctl) tlsConfig() (*tls.Config, error) {
	if c.opts.cacert == "" {
		return nil, nil
	}
	data, err := os.ReadFile(c.opts.cacert)
	if err != nil {
		return nil, fmt.Errorf("--cacert: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("--cacert %s: no PEM certificate", c.opts.cacert)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// ctx is the context of the calls.
func (c *ctl) ctx() context.Context { return context.Background() }

// shownURL is the server URL as messages name it (without credentials).
func (c *ctl) shownURL() string {
	if c.client != nil {
		return c.client.URL()
	}
	return c.opts.serverURL
}

// badURL reports a server URL the client cannot use.
func (c *ctl) badURL(err error) error {
	c.line("ERROR: " + strings.TrimPrefix(err.Error(), "client: "))
	c.exit = exitInvalidArgs
	return errAbort
}

// fail reports an error no command handles (supervisorctl's exceptions
// that reach onecmd): it prints the message, sets the exit status and
// returns errAbort.
func (c *ctl) fail(err error) error {
	if errors.Is(err, errAbort) {
		return err
	}
	if f, ok := errors.AsType[*fault.Fault](err); ok {
		c.line(fmt.Sprintf("error: <Fault %d: '%s'>", int(f.Code), f.String))
		c.exit = exitGeneric
		return errAbort
	}
	if msg, code, ok := c.transport(err); ok {
		c.line(msg)
		c.exit = code
		return errAbort
	}
	c.line("error: " + err.Error())
	c.exit = exitGeneric
	return errAbort
}

// transport tells the message and exit code of an error reaching the
// server: refused credentials, refused connection, missing socket, no
// route, a timeout, a certificate not trusted.
func (c *ctl) transport(err error) (string, int, bool) {
	url := c.shownURL()
	switch {
	case errors.Is(err, client.ErrUnauthorized):
		c.authFailed = true
		return "Server requires authentication", exitGeneric, true
	case isRefused(err):
		return url + " refused connection", exitUnreachable, true
	case isNoSocket(err, url):
		return url + " no such file", exitNotRunning, true
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("error: %s did not answer within %v", url, c.opts.timeout), exitGeneric, true
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return fmt.Sprintf("%s unreachable (%v)", url, op.Err), exitUnreachable, true
	}
	if dns, ok := errors.AsType[*net.DNSError](err); ok {
		return fmt.Sprintf("%s unreachable (%v)", url, dns), exitUnreachable, true
	}
	if cert, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return fmt.Sprintf("%s: certificate refused (%v): give the CA that signed it with --cacert FILE", url, cert.Err),
			exitUnreachable, true
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return url + " does not speak HTTPS", exitUnreachable, true
	}
	return "", 0, false
}

// words splits the arguments as supervisorctl does: joined by spaces, then
// split on white space.
func words(args []string) []string { return strings.Fields(strings.Join(args, " ")) }
