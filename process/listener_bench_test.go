package process

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
)

// benchListenerEnv makes the test binary an event listener that sends a
// UDP datagram to the port it names as soon as it has read each event, then
// answers OK (see BenchmarkStateChangeToListener).
const benchListenerEnv = "PROCESS_TEST_BENCH_LISTENER"

func runBenchListener(port string) {
	conn, err := net.Dial("udp", "127.0.0.1:"+port)
	if err != nil {
		os.Exit(1)
	}
	in := bufio.NewReader(os.Stdin)
	for {
		os.Stdout.WriteString("READY\n")
		header, err := in.ReadString('\n')
		if err != nil {
			os.Exit(0)
		}
		_, n, _ := strings.Cut(strings.TrimSpace(header[strings.LastIndex(header, " ")+1:]), ":")
		size, _ := strconv.Atoi(n)
		if _, err := io.CopyN(io.Discard, in, int64(size)); err != nil {
			os.Exit(0)
		}
		_, _ = conn.Write([]byte{1})
		os.Stdout.WriteString("RESULT 2\nOK")
	}
}

// BenchmarkStateChangeToListener measures the latency from a process state
// change (STARTING -> RUNNING of a program with startsecs=0) to listeners
// subscribed to PROCESS_STATE_RUNNING having read the event, with 1 and
// with 100 pools of one listener each; it reports p50 and p99 over every
// listener's receipt. Each listener's datagram adds a loopback hop.
func BenchmarkStateChangeToListener(b *testing.B) {
	for _, pools := range []int{1, 100} {
		b.Run(fmt.Sprintf("pools=%d", pools), func(b *testing.B) { benchListeners(b, pools) })
	}
}

func benchListeners(b *testing.B, pools int) {
	h := newHarness(b)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadBuffer(4 << 20)
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	var groups []*config.Group
	for i := range pools {
		name := fmt.Sprintf("ev%03d", i)
		lc := h.program(name, self, func(c *config.Process) {
			c.Startsecs = 0
			c.Environment = []config.EnvVar{{Key: benchListenerEnv, Value: strconv.Itoa(port)}}
		})
		g := group(name, -1, lc)
		g.Listener = &config.ListenerPool{BufferSize: pools + 10, Events: []string{"PROCESS_STATE_RUNNING"}}
		groups = append(groups, g)
	}
	groups = append(groups, group("p", 999, h.program("p", "sleep 1000", func(c *config.Process) { c.Startsecs = 0 })))
	procs := h.run(b, groups...)
	p := procs["p"]
	buf := make([]byte, 16)
	receive := func(n int) []time.Time {
		var at []time.Time
		for range n {
			if err := conn.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
				b.Fatal(err)
			}
			if _, _, err := conn.ReadFrom(buf); err != nil {
				b.Fatalf("%d of %d events read: %v", len(at), n, err)
			}
			at = append(at, time.Now())
		}
		return at
	}
	for _, g := range groups[:pools] {
		if err := procs[g.Name].Start(""); err != nil {
			b.Fatal(err)
		}
	}
	receive(pools * pools) // every listener's RUNNING, in every pool
	changed := make(chan time.Time, 1)
	cancel := h.Subscribe(func(e Event) {
		if e.Process == p && e.To == enums.ProcessRunning {
			changed <- e.Time
		}
	})
	defer cancel()
	ctx := context.Background()
	latencies := make([]time.Duration, 0, b.N*pools)
	b.ResetTimer()
	for range b.N {
		if err := p.Start(""); err != nil {
			b.Fatal(err)
		}
		got := receive(pools)
		at := <-changed
		for _, r := range got {
			latencies = append(latencies, r.Sub(at))
		}
		b.StopTimer()
		if err := p.Stop(); err != nil {
			b.Fatal(err)
		}
		if err := p.WaitStopped(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
}
