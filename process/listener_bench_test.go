package process

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
)

// benchListener is a listener that tells the benchmark, by a UDP datagram
// to the port in argv[1], the moment it has read each event.
const benchListener = `import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    sys.stdout.write('READY\n'); sys.stdout.flush()
    header = sys.stdin.readline()
    n = int(header.rsplit('len:', 1)[1])
    sys.stdin.read(n)
    s.sendto(b'x', ('127.0.0.1', int(sys.argv[1])))
    sys.stdout.write('RESULT 2\nOK'); sys.stdout.flush()
`

// BenchmarkStateChangeToListener measures the latency from a process state
// change (STARTING -> RUNNING of a program with startsecs=0) to a listener
// subscribed to PROCESS_STATE_RUNNING having read the event; it reports
// p50 and p99. The listener's datagram adds a loopback hop.
func BenchmarkStateChangeToListener(b *testing.B) {
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		b.Skip("no /usr/bin/python3")
	}
	h := newHarness(b)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	script := filepath.Join(h.dir, "listener.py")
	if err := os.WriteFile(script, []byte(benchListener), 0o644); err != nil {
		b.Fatal(err)
	}
	lc := h.program("ev", fmt.Sprintf("%s %s %d", python, script, conn.LocalAddr().(*net.UDPAddr).Port),
		func(c *config.Process) { c.Startsecs = 0 })
	pool := group("ev", -1, lc)
	pool.Listener = &config.ListenerPool{BufferSize: 10, Events: []string{"PROCESS_STATE_RUNNING"}}
	procs := h.run(b, pool, group("p", 999, h.program("p", "sleep 1000", func(c *config.Process) { c.Startsecs = 0 })))
	listener, p := procs["ev"], procs["p"]
	if err := listener.Start(""); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 16)
	receive := func() time.Time {
		if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			b.Fatal(err)
		}
		if _, _, err := conn.ReadFrom(buf); err != nil {
			b.Fatalf("listener sent nothing: %v\n%s", err, h.log.String())
		}
		return time.Now()
	}
	receive() // the listener's own RUNNING: it is ready
	changed := make(chan time.Time, 1)
	cancel := h.Subscribe(func(e Event) {
		if e.Process == p && e.To == enums.ProcessRunning {
			changed <- e.Time
		}
	})
	defer cancel()
	ctx := context.Background()
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		if err := p.Start(""); err != nil {
			b.Fatal(err)
		}
		got := receive()
		latencies = append(latencies, got.Sub(<-changed))
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
