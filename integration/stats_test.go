package integration

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

// statsBody has a program whose child burns CPU: its figures must include
// its descendant's. Both are in the program's process group, which the
// test kills at the end (the node is killed with SIGKILL).
const statsBody = `
[program:burn]
command=/bin/sh -c 'sh -c "while :; do :; done" & wait'
autostart=false
startsecs=0
stopasgroup=true
`

// TestStatistics asks node 1 for the statistics of node 2 and of a process
// running there (measured by node 2, forwarded), checks the figures, the
// history depth, the faults, the <double>s on the wire, and that a lost
// node's processes have no statistics left.
func TestStatistics(t *testing.T) {
	t.Parallel()
	nodes := startClusterNodes(t, 2, "stats_periods=1,10\nstats_histo=10", statsBody)
	t.Cleanup(func() {
		if t.Failed() {
			logsOf(t, nodes)
		}
	})
	c1, c2 := newTestClient(t, nodes[0].url, nodes[0]), newTestClient(t, nodes[1].url, nodes[1])
	ctx := t.Context()
	waitSupvisorsState(t, c1, enums.SupvisorsOperation)
	waitSupvisorsState(t, c2, enums.SupvisorsOperation)
	if _, err := c2.Supervisor().StartProcess(ctx, "burn", true); err != nil {
		t.Fatalf("startProcess(burn) on 127.0.0.2: %v", err)
	}
	pid, err := c2.Supervisor().GetProcessInfo(ctx, "burn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-pid.PID, syscall.SIGKILL) })
	sv := c1.Supvisors()

	// The host: the total then each core, a full history after 10 samples.
	var h api.HostStatistics
	waitFor(t, 30*time.Second, func() (bool, string) {
		h, err = sv.GetHostStatistics(ctx, "127.0.0.2", 1)
		return err == nil && len(h.History.Time) == 10, fmt.Sprintf("%+v, %v", h, err)
	})
	if h.AddressName != "127.0.0.2" || h.Period != 1 || len(h.CPU) != runtime.NumCPU()+1 || h.Mem <= 0 || h.Mem > 100 {
		t.Errorf("get_host_statistics(127.0.0.2, 1) = %+v", h)
	}
	if io, ok := h.IO["lo"]; !ok || len(io) != 2 || io[0] <= 0 {
		t.Errorf("io = %v: want lo with its received and sent kbit/s (the gossip goes through it)", h.IO)
	}
	if len(h.History.CPU) != 10 || len(h.History.Mem) != 10 || h.History.Time[9] <= h.History.Time[0] {
		t.Errorf("history = %+v", h.History)
	}

	// The process: its tree (sh and the busy loop it started) on 127.0.0.2.
	waitFor(t, 30*time.Second, func() (bool, string) {
		ps, err := sv.GetProcessStatistics(ctx, "burn", 1)
		ok := err == nil && len(ps) == 1 && ps[0].AddressName == "127.0.0.2" && ps[0].PID == pid.PID &&
			ps[0].Namespec == "burn" && ps[0].CPU > 5 && ps[0].Mem > 0 && len(ps[0].History.Time) > 0
		return ok, fmt.Sprintf("%+v, %v", ps, err)
	})
	// The same from the node that measured.
	if ps, err := c2.Supvisors().GetProcessStatistics(ctx, "burn", 10); err != nil || len(ps) != 1 || ps[0].Period != 10 {
		t.Errorf("get_process_statistics(burn, 10) on 127.0.0.2: %+v, %v", ps, err)
	}

	// Faults.
	_, err = sv.GetHostStatistics(ctx, "127.0.0.2", 5)
	faultIs(t, "get_host_statistics(period 5)", err, fault.BadArguments)
	_, err = sv.GetHostStatistics(ctx, "10.9.9.9", 1)
	faultIs(t, "get_host_statistics(10.9.9.9)", err, fault.BadAddress)
	_, err = sv.GetProcessStatistics(ctx, "nosuch", 1)
	faultIs(t, "get_process_statistics(nosuch)", err, fault.BadName)
	_, err = sv.GetProcessStatistics(ctx, "burn", 0)
	faultIs(t, "get_process_statistics(period 0)", err, fault.BadArguments)

	// Doubles are <double> on the wire, whatever their value.
	body := `<?xml version="1.0"?><methodCall><methodName>supvisors.get_host_statistics</methodName><params>` +
		`<param><value><string>127.0.0.1</string></value></param><param><value><int>10</int></value></param></params></methodCall>`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, nodes[0].url+"/RPC2", strings.NewReader(body))
	req.SetBasicAuth(nodes[0].user, nodes[0].password)
	req.Header.Set("Content-Type", "text/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if s := string(raw); !strings.Contains(s, "<name>mem</name><value><double>") || strings.Contains(s, "<fault>") {
		t.Errorf("get_host_statistics' reply has no <double> mem:\n%s", s)
	}

	// The hstats and pstats topics of node 2's event stream: its samples,
	// with the latest in the history only.
	events := sseStream(t, nodes[1].getEvents(t, "?topics=hstats,pstats", 0).Body)
	he := nextEvent(t, events, "an hstats event", func(e sseEvent) bool { return e.Topic == "hstats" })
	if hist, _ := he.Data["history"].(map[string]any); he.Data["address_name"] != "127.0.0.2" ||
		len(he.Data["cpu"].([]any)) != runtime.NumCPU()+1 || len(hist["time"].([]any)) != 1 {
		t.Errorf("hstats event: %v", he.Data)
	}
	pe := nextEvent(t, events, "a pstats event of burn", func(e sseEvent) bool { return e.Topic == "pstats" && e.Data["namespec"] == "burn" })
	if hist, _ := pe.Data["history"].(map[string]any); pe.Data["address_name"] != "127.0.0.2" || pe.Data["pid"] != float64(pid.PID) ||
		len(hist["cpu"].([]any)) != 1 {
		t.Errorf("pstats event: %v", pe.Data)
	}

	// supvisorsctl hstats and pstats: tables, --json, usage and faults.
	ctl := func(args ...string) (string, string, int) {
		return nodes[0].runClient(t, ctlBinary, "", nodes[0].credentials(), args...)
	}
	out, errOut, code := ctl("hstats", "1")
	if code != 0 || !regexp.MustCompile(`(?m)^Address\s+Period\s+CPU\s+Cores\s+Mem\s+IO_kbit/s\(recv/sent\)\s*\n127\.0\.0\.1\s+1\s+[\d.]+%\s+[\d.%,]+\s+[\d.]+%\s+.*lo:[\d.]+/[\d.]+.*\n127\.0\.0\.2\s+1\s`).MatchString(out) {
		t.Errorf("hstats 1: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = ctl("pstats", "1", "burn")
	if code != 0 || !regexp.MustCompile(fmt.Sprintf(`(?m)^Process\s+Address\s+PID\s+Period\s+CPU\s+Mem\s*\nburn\s+127\.0\.0\.2\s+%d\s+1\s+[\d.]+%%\s+[\d.]+%%\s*$`, pid.PID)).MatchString(out) {
		t.Errorf("pstats 1 burn: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = ctl("--json", "pstats", "10", "all")
	if code != 0 || !strings.Contains(out, `"namespec": "burn"`) || !strings.Contains(out, `"history"`) {
		t.Errorf("--json pstats 10 all: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code = ctl("hstats", "x"); code != 2 || !strings.Contains(errOut, `invalid period "x"`) {
		t.Errorf("hstats x: exit %d, %s", code, errOut)
	}
	if out, errOut, code = ctl("hstats", "5", "127.0.0.1"); code != 1 || !strings.Contains(out+errOut, "BAD_ARGUMENTS") {
		t.Errorf("hstats 5 127.0.0.1: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code = ctl("pstats", "1", "nosuch"); code == 0 || !strings.Contains(out+errOut, "nosuch") {
		t.Errorf("pstats 1 nosuch: exit %d\n%s%s", code, out, errOut)
	}

	// Node 2 lost: its process has no statistics, and its host none.
	_ = nodes[1].cmd.Process.Kill()
	waitFor(t, 30*time.Second, func() (bool, string) {
		ps, err := sv.GetProcessStatistics(ctx, "burn", 1)
		return err == nil && len(ps) == 0, fmt.Sprintf("%+v, %v", ps, err)
	})
	_, err = sv.GetHostStatistics(ctx, "127.0.0.2", 1)
	faultIs(t, "get_host_statistics(lost 127.0.0.2)", err, fault.BadAddress)
}
