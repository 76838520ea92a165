// Command supvisorsctl is the command-line client of supvisors agents: every
// command of Supervisor's supervisorctl, with its output and exit codes, and
// the commands of Supvisors' supvisorsctl plugin for the whole cluster. See
// the README's supvisorsctl section.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
