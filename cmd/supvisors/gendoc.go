//go:build gendoc

package main

import "github.com/supvisors/supvisors-go/internal/gendoc"

// A gendoc build writes the command's man pages and completions (make deb)
// instead of running the agent.
func init() { gendoc.Main(newCommand()) }
