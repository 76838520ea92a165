// Command clientbench times the Go client's supervisor.getAllProcessInfo
// (package client) against one agent, for make bench-clients
// (scripts/bench-clients.sh): clientbench HOST PORT USER PASSWORD N
// [WARMUP] prints "p50=<ms> p99=<ms> n=<N>", as the other clients' benches
// do.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/supvisors/supvisors-go/client"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "clientbench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 5 || len(args) > 6 {
		return fmt.Errorf("usage: clientbench HOST PORT USER PASSWORD N [WARMUP]")
	}
	n, err := strconv.Atoi(args[4])
	if err != nil || n < 1 {
		return fmt.Errorf("N: %q is not a positive number", args[4])
	}
	warmup := 200
	if len(args) == 6 {
		if warmup, err = strconv.Atoi(args[5]); err != nil || warmup < 0 {
			return fmt.Errorf("WARMUP: %q is not a number", args[5])
		}
	}
	c, err := client.New("http://"+net.JoinHostPort(args[0], args[1]), client.Options{Username: args[2], Password: args[3]})
	if err != nil {
		return err
	}
	ctx := context.Background()
	for range warmup {
		if _, err := c.Supervisor().GetAllProcessInfo(ctx); err != nil {
			return err
		}
	}
	took := make([]time.Duration, n)
	for i := range took {
		start := time.Now()
		if _, err := c.Supervisor().GetAllProcessInfo(ctx); err != nil {
			return err
		}
		took[i] = time.Since(start)
	}
	slices.Sort(took)
	fmt.Printf("p50=%.2f p99=%.2f n=%d\n", rank(took, 50), rank(took, 99), n)
	return nil
}

// rank is the p-th percentile of sorted, nearest rank, in milliseconds.
func rank(sorted []time.Duration, p int) float64 {
	i := max(0, (p*len(sorted)+99)/100-1)
	return float64(sorted[i]) / float64(time.Millisecond)
}
