package integration

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// thousandSleepers is a configuration of 1,000 idle processes (a second
// [supervisord] section merges into the first, as in ConfigParser).
const thousandSleepers = `
[supervisord]
minfds=10000

[program:idle]
command=/bin/sleep 100000
process_name=%(program_name)s_%(process_num)04d
numprocs=1000
startsecs=0
stdout_logfile_maxbytes=1MB
stderr_logfile_maxbytes=1MB
`

// BenchmarkGetAllProcessInfo measures supervisor.getAllProcessInfo with 1,000
// processes over loopback, for supvisors and for Debian's supervisord with
// the same configuration, and reports p50/p99 latency and the ratio.
func BenchmarkGetAllProcessInfo(b *testing.B) {
	for _, kind := range []string{"supvisors", "supervisord"} {
		b.Run(kind, func(b *testing.B) {
			s := startServer(b, kind, thousandSleepers)
			waitAllRunning(b, s, 1000)
			benchmarkCall(b, s, `<?xml version='1.0'?><methodCall><methodName>supervisor.getAllProcessInfo</methodName><params></params></methodCall>`)
			if kind == "supvisors" {
				b.ReportMetric(float64(rssKB(b, s.cmd.Process.Pid))/1024, "agent-RSS-MB")
			}
		})
	}
}

// BenchmarkSupvisorsGetAllProcessInfo measures supvisors.get_all_process_info
// with 1,000 processes over loopback (a cluster of one: the call answers
// from the same replicated view as in a cluster).
func BenchmarkSupvisorsGetAllProcessInfo(b *testing.B) {
	s := startServer(b, "supvisors", thousandSleepers)
	waitAllRunning(b, s, 1000)
	body := `<?xml version='1.0'?><methodCall><methodName>supvisors.get_all_process_info</methodName><params></params></methodCall>`
	if reply := postRPC(b, &http.Client{}, s, body); strings.Count(reply, "<name>addresses</name>") != 1000 {
		b.Fatalf("get_all_process_info: %.300s", reply)
	}
	benchmarkCall(b, s, body)
	b.ReportMetric(float64(rssKB(b, s.cmd.Process.Pid))/1024, "agent-RSS-MB")
}

// BenchmarkStartProcessWait measures startProcess(name, wait=true) of a
// process with startsecs=0, stop included, from request to reply.
func BenchmarkStartProcessWait(b *testing.B) {
	s := startServer(b, "supvisors", "[program:quick]\ncommand=/bin/sleep 100000\nstartsecs=0\nautostart=false\n")
	client := &http.Client{}
	start := `<?xml version='1.0'?><methodCall><methodName>supervisor.startProcess</methodName><params><param><value><string>quick</string></value></param></params></methodCall>`
	stop := strings.Replace(start, "startProcess", "stopProcess", 1)
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	t := time.Now()
	for range b.N {
		t0 := time.Now()
		if reply := postRPC(b, client, s, start); !strings.Contains(reply, "<boolean>1</boolean>") {
			b.Fatalf("startProcess: %s", reply)
		}
		latencies = append(latencies, time.Since(t0))
		b.StopTimer()
		postRPC(b, client, s, stop)
		b.StartTimer()
	}
	reportLatencies(b, latencies, time.Since(t))
}

// benchmarkCall posts body to s b.N times over one client and reports the
// latencies.
func benchmarkCall(b *testing.B, s *server, body string) {
	client := &http.Client{}
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		t0 := time.Now()
		postRPC(b, client, s, body)
		latencies = append(latencies, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatencies(b, latencies, elapsed)
}

var replyBuf bytes.Buffer

func postRPC(tb testing.TB, client *http.Client, s *server, body string) string {
	req, err := http.NewRequest(http.MethodPost, s.url+"/RPC2", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.SetBasicAuth(s.user, s.password)
	req.Header.Set("Content-Type", "text/xml")
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	// A reused buffer keeps the client's allocations out of the figures.
	replyBuf.Reset()
	if _, err := replyBuf.ReadFrom(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	return replyBuf.String()
}

func reportLatencies(b *testing.B, latencies []time.Duration, elapsed time.Duration) {
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
}

// waitAllRunning waits until n processes are RUNNING (starting 1,000
// processes takes supervisord a while).
func waitAllRunning(tb testing.TB, s *server, n int) {
	tb.Helper()
	running := regexp.MustCompile(`(?m)\sRUNNING\s`)
	waitFor(tb, 5*time.Minute, func() (bool, string) {
		out, _ := s.ctl(tb, "status")
		got := len(running.FindAllString(out, -1))
		return got == n, fmt.Sprintf("%d of %d running", got, n)
	})
}

// rssKB reads VmRSS of pid from /proc.
func rssKB(tb testing.TB, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(data)
	if m == nil {
		tb.Fatal("no VmRSS")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
