//go:build pprof

package main

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

// A build with -tags pprof (make scale's) serves Go's profiles at the
// address SUPVISORS_PPROF names (host:port), when set: only for measuring,
// never in the shipped binary.
func init() {
	addr := os.Getenv("SUPVISORS_PPROF")
	if addr == "" {
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			os.Stderr.WriteString("pprof: " + err.Error() + "\n")
		}
	}()
}
