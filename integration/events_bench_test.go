package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// benchEvent is the part of an event topic's payload the benchmarks read.
type benchEvent struct {
	Name      string `json:"name"`
	StateName string `json:"statename"`
	PID       int    `json:"pid"`
}

// openEvents opens s's /events stream of topics, until ctx ends.
func openEvents(tb testing.TB, ctx context.Context, s *server, topics string) *http.Response {
	tb.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/events?topics="+topics, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.SetBasicAuth(s.user, s.password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}

// benchSubscribers connects n subscribers of the event topic over SSE
// ("sse") or ZeroMQ ("zmq") and calls got(i, event) for each event
// subscriber i receives, from its own goroutine.
func benchSubscribers(b *testing.B, s *server, eventPort int, kind string, n int, topics string,
	got func(i int, topic string, data []byte)) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	for i := range n {
		switch kind {
		case "sse":
			resp := openEvents(b, ctx, s, topics)
			b.Cleanup(func() { resp.Body.Close() })
			go func() {
				sc := bufio.NewScanner(resp.Body)
				sc.Buffer(make([]byte, 64<<10), 1<<20)
				topic := ""
				for sc.Scan() {
					line := sc.Bytes()
					if t, ok := strings.CutPrefix(string(line), "event: "); ok {
						topic = t
					} else if d, ok := strings.CutPrefix(string(line), "data: "); ok {
						got(i, topic, []byte(d))
					} else if strings.HasPrefix(string(line), ": dropped") {
						got(i, ":dropped", nil)
					}
				}
			}()
		case "zmq":
			sub := zmq4.NewSub(ctx)
			b.Cleanup(func() { sub.Close() })
			if err := sub.Dial(fmt.Sprintf("tcp://127.0.0.1:%d", eventPort)); err != nil {
				b.Fatal(err)
			}
			for t := range strings.SplitSeq(topics, ",") {
				if err := sub.SetOption(zmq4.OptionSubscribe, t); err != nil {
					b.Fatal(err)
				}
			}
			go func() {
				for {
					m, err := sub.Recv()
					if err != nil {
						return
					}
					got(i, string(m.Frames[0]), m.Frames[1])
				}
			}()
		}
	}
}

// BenchmarkEventLatency measures the time from a process's death (the
// benchmark's SIGKILL) to the matching EXITED event at every subscriber,
// over SSE and ZeroMQ, with 1 and 100 subscribers: one agent, one
// process that autorestarts. It reports the p50 and p99 of every
// subscriber's latency.
func BenchmarkEventLatency(b *testing.B) {
	for _, kind := range []string{"sse", "zmq"} {
		for _, n := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) { benchLatency(b, kind, n) })
		}
	}
}

func benchLatency(b *testing.B, kind string, n int) {
	p := planCluster(b, 1, "")
	s := p.startNode(b, 0, `
[program:victim]
command=/bin/sleep 1000
startsecs=0
autorestart=true
`)
	s.waitStable(b)
	type arrival struct {
		i     int
		state string
		pid   int
		at    time.Time
	}
	arrivals := make(chan arrival, 100*n)
	benchSubscribers(b, s, p.eventPort, kind, n, "event", func(i int, topic string, data []byte) {
		var e benchEvent
		if topic == "event" && json.Unmarshal(data, &e) == nil && e.Name == "victim" {
			arrivals <- arrival{i, e.StateName, e.PID, time.Now()}
		}
	})
	// kill kills the victim and waits for every subscriber's EXITED and
	// subscriber 0's RUNNING (the next pid); it returns the latencies.
	pid := 0
	kill := func(deadline time.Duration) ([]time.Duration, bool) {
		if pid == 0 {
			out := strings.TrimSpace(s.python(b, "print(p.supervisor.getProcessInfo('victim')['pid'])"))
			pid, _ = strconv.Atoi(out)
		}
		start := time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			b.Fatal(err)
		}
		var lat []time.Duration
		exited := map[int]bool{}
		pid = 0
		timeout := time.After(deadline)
		for len(exited) < n || pid == 0 {
			select {
			case a := <-arrivals:
				if a.state == "EXITED" && !exited[a.i] {
					exited[a.i] = true
					lat = append(lat, a.at.Sub(start))
				}
				if a.state == "RUNNING" && a.i == 0 {
					pid = a.pid
				}
			case <-timeout:
				return nil, false
			}
		}
		return lat, true
	}
	// Until every subscriber gets the events (a ZeroMQ subscription
	// reaches the agent some time after it is made).
	for !func() bool { _, ok := kill(3 * time.Second); return ok }() {
		for len(arrivals) > 0 {
			<-arrivals
		}
	}
	var all []time.Duration
	b.ResetTimer()
	for range b.N {
		lat, ok := kill(30 * time.Second)
		if !ok {
			b.Fatal("an EXITED event did not reach every subscriber within 30s")
		}
		all = append(all, lat...)
	}
	b.StopTimer()
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkEventThroughput measures the events one agent publishes per
// second with 1,000 processes restarting in a loop (each exits at once
// and autorestarts), 10 SSE clients and 10 ZeroMQ subscribers of every
// topic, over 10 s, with the agent's CPU (% of one core) and RSS.
func BenchmarkEventThroughput(b *testing.B) {
	var body strings.Builder
	body.WriteString("[program:churn]\ncommand=/bin/true\nnumprocs=1000\nprocess_name=%(program_name)s_%(process_num)03d\nstartsecs=0\nautorestart=true\n")
	p := planCluster(b, 1, "")
	s := p.startNode(b, 0, body.String())
	var mu sync.Mutex
	received := make([]int, 20)
	dropped := 0
	benchSubscribers(b, s, p.eventPort, "sse", 10, "", func(i int, topic string, _ []byte) {
		mu.Lock()
		defer mu.Unlock()
		if topic == ":dropped" {
			dropped++
			return
		}
		received[i]++
	})
	benchSubscribers(b, s, p.eventPort, "zmq", 10, "", func(i int, _ string, _ []byte) {
		mu.Lock()
		received[10+i]++
		mu.Unlock()
	})
	// The window opens once every subscriber gets events (a ZeroMQ
	// subscription reaches the agent some time after it is made).
	waitFor(b, 30*time.Second, func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return slices.Min(received) > 0, fmt.Sprintf("events received by each subscriber: %v", received)
	})
	b.ResetTimer()
	for range b.N {
		mu.Lock()
		before := slices.Clone(received)
		mu.Unlock()
		cpu0, start := agentCPU(b, s.cmd.Process.Pid), time.Now()
		time.Sleep(10 * time.Second) // the measurement window, not a synchronisation
		cpu1, elapsed := agentCPU(b, s.cmd.Process.Pid), time.Since(start)
		mu.Lock()
		var counts []int
		for i := range received {
			counts = append(counts, received[i]-before[i])
		}
		d := dropped
		mu.Unlock()
		b.ReportMetric(float64(slices.Max(counts[:10]))/elapsed.Seconds(), "sse-events/s")
		b.ReportMetric(float64(slices.Min(counts[:10]))/elapsed.Seconds(), "sse-min-events/s")
		b.ReportMetric(float64(slices.Max(counts[10:]))/elapsed.Seconds(), "zmq-events/s")
		b.ReportMetric(float64(slices.Min(counts[10:]))/elapsed.Seconds(), "zmq-min-events/s")
		b.ReportMetric(100*(cpu1-cpu0).Seconds()/elapsed.Seconds(), "agent-cpu-%")
		b.ReportMetric(float64(agentRSS(b, s.cmd.Process.Pid))/(1<<20), "agent-rss-MiB")
		b.ReportMetric(float64(d), "sse-dropped")
	}
}

// agentCPU is the CPU time (user + system) pid has used.
func agentCPU(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// agentRSS is pid's resident set, in bytes.
func agentRSS(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
