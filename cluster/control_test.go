package cluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/strategy"
)

// appCluster starts n nodes that all have the programs of ini and the
// rules, the way config.Load reads them (so rules turn autorestart off
// where they should), and waits until all are in OPERATION.
func appCluster(t *testing.T, n int, ini, rules string) []*testNode {
	t.Helper()
	return appClusterWith(t, n, ini, rules, nil)
}

// appClusterWith is appCluster with a change of every node's Config.
func appClusterWith(t *testing.T, n int, ini, rules string, configure func(*Config)) []*testNode {
	t.Helper()
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.xml")
	if err := os.WriteFile(rulesFile, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	nodes := testCluster(t, n, configure)
	for _, node := range nodes {
		list := strings.Join(node.cfg.Supvisors.AddressList, ",")
		conf := filepath.Join(dir, "supervisord.conf")
		body := fmt.Sprintf("[supervisord]\n[supvisors]\naddress_list=%s\nrules_file=%s\n%s", list, rulesFile, ini)
		if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(conf, config.LoadOptions{Environ: os.Environ()})
		if err != nil {
			t.Fatal(err)
		}
		node.cfg.Rules = cfg.Rules
		node.start(cfg.Groups...)
	}
	for _, node := range nodes {
		node.waitFor("OPERATION", inOperation(addr1))
	}
	return nodes
}

// program is a [program:x] section of a long-running sleeper.
func program(name string, lines ...string) string {
	return fmt.Sprintf("[program:%s]\ncommand=/bin/sleep 1000\nautostart=false\nstartsecs=0\n%s\n", name, strings.Join(lines, "\n"))
}

// runningOn is true when k runs on exactly the addresses.
func runningOn(k view.Key, addresses ...string) func(*view.View) bool {
	return func(v *view.View) bool {
		p, ok := v.Process(k)
		return ok && p.State == enums.ProcessRunning && slices.Equal(p.Addresses, addresses)
	}
}

func key(group, name string) view.Key { return view.Key{Group: group, Name: name} }

// startTime is when k last started on address.
func startTime(n *testNode, address string, k view.Key) time.Time {
	var rec view.ProcessRecord
	n.c.Read(func(v *view.View) { rec, _ = v.Record(address, k) })
	return rec.Start
}

// TestDeployment: the master starts the applications of start_sequence 1,
// then 2, each by its programs' start_sequence; 0 stays stopped.
func TestDeployment(t *testing.T) {
	t.Parallel()
	nodes := appCluster(t, 3,
		program("db")+program("server")+program("worker")+program("tool")+
			"[group:web]\nprograms=server,worker\n",
		`<root>
  <application name="db"><start_sequence>1</start_sequence>
    <program name="db"><start_sequence>1</start_sequence><required>true</required></program></application>
  <application name="web"><start_sequence>2</start_sequence>
    <program name="server"><start_sequence>1</start_sequence><addresses>127.0.0.2</addresses></program>
    <program name="worker"><start_sequence>2</start_sequence><addresses>127.0.0.3</addresses></program></application>
  <application name="tool"><program name="tool"><start_sequence>1</start_sequence></program></application>
</root>`)
	n := nodes[2]
	n.waitFor("db on 127.0.0.1", runningOn(key("db", "db"), addr1))
	n.waitFor("web:server on 127.0.0.2", runningOn(key("web", "server"), addr2))
	n.waitFor("web:worker on 127.0.0.3", runningOn(key("web", "worker"), addr3))
	n.c.Read(func(v *view.View) {
		if p, _ := v.Process(key("tool", "tool")); p.State != enums.ProcessStopped {
			t.Errorf("tool (application start_sequence 0) is %v", p.State)
		}
	})
	db, server, worker := startTime(n, addr1, key("db", "db")), startTime(n, addr2, key("web", "server")), startTime(n, addr3, key("web", "worker"))
	if server.Before(db) || worker.Before(server) {
		t.Errorf("start order: db %v, server %v, worker %v", db, server, worker)
	}
}

// TestPlacementByLoading: with loading 60, one address takes one process.
func TestPlacementByLoading(t *testing.T) {
	t.Parallel()
	nodes := appCluster(t, 3, program("heavy", "numprocs=3", "process_name=%(program_name)s_%(process_num)d"),
		`<root><application name="heavy"><pattern name="heavy_"><loading>60</loading></pattern></application></root>`)
	master := nodes[0].c
	ctx, cancel := contextWithTimeout()
	defer cancel()
	for i, want := range []string{addr1, addr2, addr3} {
		k := key("heavy", fmt.Sprintf("heavy_%d", i))
		if err := master.StartProcesses(ctx, strategy.Placement{Strategy: enums.StartConfig}, []view.Key{k}, "", true); err != nil {
			t.Fatal(err)
		}
		nodes[1].waitFor(k.Namespec()+" on "+want, runningOn(k, want))
	}
	// No room left: the 4th 60 % process cannot be placed.
	if err := master.StopProcesses(ctx, []view.Key{key("heavy", "heavy_2")}, true); err != nil {
		t.Fatal(err)
	}
	err := master.StartProcesses(ctx, strategy.Placement{Strategy: enums.StartMostLoaded}, []view.Key{key("heavy", "heavy_2")}, "", true)
	if err != nil {
		t.Fatalf("MOST_LOADED with 127.0.0.3 free: %v", err)
	}
	nodes[1].waitFor("heavy_2 back on 127.0.0.3", runningOn(key("heavy", "heavy_2"), addr3))

	// Control is the master's.
	if _, err := nodes[1].c.StartApplication(ctx, strategy.Placement{Strategy: enums.StartConfig}, "heavy", true); err != ErrNotMaster {
		t.Errorf("StartApplication on a non-master: %v", err)
	}
}

// TestStartingFailureStrategies: a required program that fails in phase 1
// of an application started with wait.
func TestStartingFailureStrategies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		strategy    string
		phase2Runs  bool
		appAfterall enums.ApplicationState
	}{
		{"ABORT", false, enums.ApplicationRunning},
		{"STOP", false, enums.ApplicationStopped},
		{"CONTINUE", true, enums.ApplicationRunning},
	} {
		t.Run(tt.strategy, func(t *testing.T) {
			t.Parallel()
			ini := "[program:bad]\ncommand=/bin/false\nautostart=false\nstartsecs=1\nstartretries=0\n" +
				program("first") + program("second") + "[group:app]\nprograms=bad,first,second\n"
			rules := fmt.Sprintf(`<root><application name="app"><starting_failure_strategy>%s</starting_failure_strategy>
  <program name="bad"><start_sequence>1</start_sequence><required>true</required></program>
  <program name="first"><start_sequence>1</start_sequence></program>
  <program name="second"><start_sequence>2</start_sequence></program></application></root>`, tt.strategy)
			nodes := appCluster(t, 2, ini, rules)
			ctx, cancel := contextWithTimeout()
			defer cancel()
			// With CONTINUE the application ends RUNNING (with a major
			// failure): start_application succeeds, as in Supvisors.
			_, err := nodes[0].c.StartApplication(ctx, strategy.Placement{Strategy: enums.StartConfig}, "app", true)
			if tt.phase2Runs && err != nil || !tt.phase2Runs && !isFault(err, fault.AbnormalTermination) {
				t.Fatalf("StartApplication: %v", err)
			}
			n := nodes[1]
			if tt.phase2Runs {
				n.waitFor("second running", runningOn(key("app", "second"), addr1))
			}
			n.waitFor("application "+tt.appAfterall.String(), func(v *view.View) bool {
				a, _ := v.Application("app")
				p, _ := v.Process(key("app", "second"))
				return a.State == tt.appAfterall && (len(p.Addresses) > 0) == tt.phase2Runs &&
					a.MajorFailure == (a.State == enums.ApplicationRunning)
			})
		})
	}
}

// TestRestartProcessOnNodeLoss: the node running a RESTART_PROCESS program
// dies; the master starts it on the other allowed address.
func TestRestartProcessOnNodeLoss(t *testing.T) {
	t.Parallel()
	nodes := appCluster(t, 3, program("svc"),
		`<root><application name="svc"><start_sequence>1</start_sequence>
  <program name="svc"><start_sequence>1</start_sequence><addresses>127.0.0.2,127.0.0.3</addresses>
    <running_failure_strategy>RESTART_PROCESS</running_failure_strategy></program></application></root>`)
	k := key("svc", "svc")
	nodes[0].waitFor("svc on 127.0.0.2", runningOn(k, addr2))
	nodes[1].kill()
	nodes[0].waitFor("svc on 127.0.0.3", runningOn(k, addr3))
}

// TestStopApplicationOnCrash: a STOP_APPLICATION program crashes (its
// autorestart is off): its whole application is stopped.
func TestStopApplicationOnCrash(t *testing.T) {
	t.Parallel()
	nodes := appCluster(t, 2, program("main", "autorestart=true")+program("helper")+"[group:app]\nprograms=main,helper\n",
		`<root><application name="app"><start_sequence>1</start_sequence>
  <program name="main"><start_sequence>1</start_sequence><running_failure_strategy>STOP_APPLICATION</running_failure_strategy></program>
  <program name="helper"><start_sequence>1</start_sequence></program></application></root>`)
	main := key("app", "main")
	nodes[1].waitFor("app running", func(v *view.View) bool {
		a, _ := v.Application("app")
		return a.State == enums.ApplicationRunning && runningOn(main, addr1)(v) && runningOn(key("app", "helper"), addr1)(v)
	})
	p := nodes[0].sup.Group("app").Process("main")
	if p.Config().Autorestart != config.AutorestartFalse {
		t.Errorf("autorestart of a STOP_APPLICATION program: %v", p.Config().Autorestart)
	}
	if err := p.Signal(9); err != nil {
		t.Fatal(err)
	}
	nodes[1].waitFor("app stopped", func(v *view.View) bool {
		a, _ := v.Application("app")
		h, _ := v.Process(key("app", "helper"))
		return a.State == enums.ApplicationStopped && h.State == enums.ProcessStopped
	})
}

// TestRestartProcessOnMasterLoss: the master itself dies with a
// RESTART_PROCESS program; the next master starts it again.
func TestRestartProcessOnMasterLoss(t *testing.T) {
	t.Parallel()
	nodes := appCluster(t, 3, program("svc"),
		`<root><application name="svc"><start_sequence>1</start_sequence>
  <program name="svc"><start_sequence>1</start_sequence><running_failure_strategy>RESTART_PROCESS</running_failure_strategy></program></application></root>`)
	k := key("svc", "svc")
	nodes[2].waitFor("svc on 127.0.0.1", runningOn(k, addr1))
	nodes[0].kill()
	nodes[2].waitFor("svc on 127.0.0.2 under the new master", func(v *view.View) bool {
		return v.Master() == addr2 && runningOn(k, addr2)(v)
	})
}

// TestRequestsInOrder: a node carries out the master's requests for a
// process in the order the master sent them, by its clock; a request of
// another agent (the master relaunched, its clock maybe set back) is not
// compared with the old agent's.
func TestRequestsInOrder(t *testing.T) {
	c := newClusterOfOne(t, hclogDiscard())
	k := view.Key{Group: "g", Name: "p"}
	at := func(s int64) time.Time { return time.Unix(1_700_000_000+s, 0) }
	for _, step := range []struct {
		cmd  command
		want bool
	}{
		{command{key: k, from: "10.0.0.1", incarnation: 1, sentAt: at(10)}, true},
		{command{key: k, from: "10.0.0.1", incarnation: 1, sentAt: at(5)}, false}, // overtaken by the one of 10
		{command{key: view.Key{Group: "g", Name: "q"}, from: "10.0.0.1", incarnation: 1, sentAt: at(5)}, true},
		{command{key: k, from: "10.0.0.1", incarnation: 1, sentAt: at(11)}, true},
		{command{key: k, from: "10.0.0.1", incarnation: 2, sentAt: at(3)}, true}, // a new agent, its clock set back
		{command{key: k, from: "10.0.0.2", incarnation: 7, sentAt: at(1)}, true},
	} {
		if got := c.inOrder(step.cmd); got != step.want {
			t.Errorf("inOrder(%+v) = %v, want %v", step.cmd, got, step.want)
		}
	}
}

// TestCancelStopsOnlyTheCopyOfItsStart: the master cancels a start it gave
// up on (cancelStart), and the node stops the process only if the copy
// running is the one that start made: not one it never made (the start
// never came, the process was started otherwise, by its own side's master
// in a partition: chaos netns seed 6160, fault #203).
func TestCancelStopsOnlyTheCopyOfItsStart(t *testing.T) {
	t.Parallel()
	var log logBuffer
	nodes := testCluster(t, 3, func(c *Config) {
		if c.Local == addr2 {
			c.Logger = hclog.New(&hclog.LoggerOptions{Name: c.Local, Output: &log, Level: hclog.Info})
		}
	})
	for _, n := range nodes {
		n.start(sleeper("app", "a"))
	}
	for _, n := range nodes {
		n.waitFor("OPERATION", inOperation(addr1))
	}
	k := key("app", "a")
	p := nodes[1].sup.Group("app").Process("a")

	start(t, nodes[1], "app", "a")
	before := p.Info().Start
	nodes[0].c.cancelStart(k, addr2, time.Now())
	deadline := time.Now().Add(waitTimeout)
	for !strings.Contains(log.String(), "cancel of a start that made no copy running here") {
		if time.Now().After(deadline) {
			t.Fatalf("the cancel was not handled within %v:\n%s", waitTimeout, log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if info := p.Info(); info.State != enums.ProcessRunning || !info.Start.Equal(before) {
		t.Fatalf("the copy started by hand was stopped by the cancel of a start that never came: %v", info.State)
	}

	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithTimeout()
	defer cancel()
	if err := p.WaitStopped(ctx); err != nil {
		t.Fatal(err)
	}
	cmd := nodes[0].c.stamp(command{key: k})
	if err := nodes[0].c.command(addr2, msgStart, cmd); err != nil {
		t.Fatal(err)
	}
	nodes[0].waitFor("a started on 127.0.0.2 by the master", runningOn(k, addr2))
	nodes[0].c.cancelStart(k, addr2, cmd.sentAt)
	nodes[0].waitFor("a stopped by the cancel of its start", func(v *view.View) bool {
		info, _ := v.Process(k)
		return len(info.Addresses) == 0
	})
	if err := p.WaitStopped(ctx); err != nil {
		t.Fatal(err)
	}

	// A cancel carried out before its start (a node frozen meanwhile gets
	// both when it resumes, each carried out in a goroutine of its own):
	// the start does not run.
	late := nodes[0].c.stamp(command{key: k})
	cancelLate := late
	cancelLate.sentAt, cancelLate.cancels = late.sentAt.Add(time.Second), late.sentAt
	if !nodes[1].c.inOrder(late) || !nodes[1].c.inOrder(cancelLate) {
		t.Fatal("the start and its cancel were not taken in order")
	}
	if err := nodes[1].c.carryOutCommand(msgStop, cancelLate); err != nil {
		t.Fatal(err)
	}
	if err := nodes[1].c.carryOutCommand(msgStart, late); err != nil {
		t.Fatal(err)
	}
	if info := p.Info(); info.State != enums.ProcessStopped {
		t.Errorf("a start cancelled before it was carried out ran: %v", info.State)
	}
}

// TestFailureDuringAStartElsewhere: the running copy of a process fails
// while a start of it that has made no copy yet is under way on another
// address (the start was refused as too late, or is slow to come): the
// start deals with the process then, but if it fails, the failure stands:
// the process runs again by its failure strategy (chaos netns seed 6160,
// fault #277: the start's job was over, the process running again when it
// was checked, and nothing repaired it).
func TestFailureDuringAStartElsewhere(t *testing.T) {
	t.Parallel()
	const rules = `<root><application name="p"><program name="p"><addresses>127.0.0.2</addresses>` +
		`<running_failure_strategy>RESTART_PROCESS</running_failure_strategy></program></application></root>`
	nodes := appCluster(t, 3, program("p"), rules)
	k := key("p", "p")
	start(t, nodes[1], "p", "p")
	nodes[0].waitFor("p on 127.0.0.2", runningOn(k, addr2))
	master := nodes[0].c
	master.mu.Lock()
	attempt := master.beginStartLocked(k, addr3, 0)
	master.mu.Unlock()
	p := nodes[1].sup.Group("p").Process("p")
	if err := syscall.Kill(p.Info().PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	nodes[0].waitFor("p failed on 127.0.0.2", func(v *view.View) bool {
		info, _ := v.Process(k)
		return len(info.Addresses) == 0
	})
	master.endStart(k, attempt, startFailed(k, strategy.AddressFailed, "%s did not answer", addr3))
	nodes[0].waitFor("p started again on 127.0.0.2", runningOn(k, addr2))
}

// TestRelaunchedMasterKeepsItsJobs: the master's agent restarts; the jobs
// it wrote before (an operator's stop, which no repair may undo) come back
// to it from the others before it acts, and what it writes next is newer
// than them
// (chaos loopback seed 5150, fault #148: the relaunched master took a
// failure reported by the others for one to repair, and started a service
// an operator had stopped).
func TestRelaunchedMasterKeepsItsJobs(t *testing.T) {
	t.Parallel()
	nodes := started(t, 3)
	k := key("app", "a")
	start(t, nodes[1], "app", "a")
	nodes[0].waitFor("app:a on 127.0.0.2", runningOn(k, addr2))
	ctx, cancel := contextWithTimeout()
	defer cancel()
	if err := nodes[0].c.StopProcesses(ctx, []view.Key{k}, true); err != nil {
		t.Fatal(err)
	}
	held := func(want bool) func(*view.View) bool {
		return func(v *view.View) bool { return v.Held(k) == want }
	}
	nodes[2].waitFor("app:a held", held(true))
	nodes[0].kill()
	nodes[2].waitFor("127.0.0.1 SILENT", addressIs(addr1, enums.AddressSilent))
	relaunched := testCluster(t, 3, func(c *Config) { c.Supvisors.InternalPort = nodes[0].cfg.Supvisors.InternalPort })[0]
	relaunched.start(sleeper("app", "a", "b"))
	relaunched.waitFor("OPERATION under 127.0.0.1", inOperation(addr1))
	// Before it acts: a start it writes then must be newer than the jobs
	// its previous agent wrote (chaos netns seed 6160, fault #103).
	relaunched.c.Read(func(v *view.View) {
		if !v.Held(k) {
			t.Error("the relaunched master acts before it has the jobs its previous agent wrote")
		}
	})
	if err := relaunched.c.StartProcesses(ctx, relaunched.c.defaultPlacement(), []view.Key{k}, "", true); err != nil {
		t.Fatal(err)
	}
	nodes[2].waitFor("app:a no longer held: the relaunched master's write is newer", held(false))
}

// TestStartJobSettledByItsStart: a start job whose process shows running
// while a start of it is in flight is not over yet: the copy may be the
// start's, STARTING, and fail (its node lost); the start's outcome settles
// the job (chaos netns seed 6160, fault #148: a job marked over at STARTING
// left nothing to start ra:ra_db again when the start failed).
func TestStartJobSettledByItsStart(t *testing.T) {
	t.Parallel()
	nodes := started(t, 1)
	c, k := nodes[0].c, key("app", "a")
	c.mu.Lock()
	at := c.beginStartLocked(k, addr1, 0)
	c.mu.Unlock()
	c.putJobs(view.Job{Key: k, Reason: "a start in flight"})
	start(t, nodes[0], "app", "a")
	nodes[0].waitFor("app:a running", runningOn(k, addr1))
	c.update(func(time.Time) view.Effects { return view.Effects{} })
	c.Read(func(v *view.View) {
		if _, waits := v.Waiting(k); !waits {
			t.Error("the job is over while its start is in flight")
		}
	})
	c.endStart(k, at, nil)
	nodes[0].waitFor("the job over once its start ended", func(v *view.View) bool {
		_, waits := v.Waiting(k)
		return !waits
	})
}

// TestStopDropsTheWaitingStart: a stop of a process marks done the start
// of it that waits as a job (dropStart), and leaves the others.
func TestStopDropsTheWaitingStart(t *testing.T) {
	t.Parallel()
	nodes := started(t, 1)
	c, k, other := nodes[0].c, key("app", "a"), key("app", "b")
	// Starts in flight: the jobs wait (planJobsLocked leaves a busy key).
	c.mu.Lock()
	atK, atOther := c.beginStartLocked(k, addr1, 0), c.beginStartLocked(other, addr1, 0)
	c.mu.Unlock()
	defer c.endStart(k, atK, nil)
	defer c.endStart(other, atOther, nil)
	c.putJobs(view.Job{Key: k, Reason: "a start that waits"}, view.Job{Key: other, Reason: "another"})
	if err := c.stopProcess(t.Context(), k, forGood); err != nil {
		t.Fatal(err)
	}
	c.Read(func(v *view.View) {
		if _, waits := v.Waiting(k); waits {
			t.Error("app:a: its start still waits after its stop")
		}
		if _, waits := v.Waiting(other); !waits {
			t.Error("app:b: its start was dropped by the stop of app:a")
		}
	})
}

// TestRequestOfAPreviousAgentNotDone: a request that a node held until its
// sender was seen as its master is void once that sender's agent has
// restarted: a stop or start of the previous agent (its own side's
// master in a partition) is not carried out when the new agent is the
// master (chaos netns seed 6160, fault #215: svc:svc_2, stopped by an
// operator, was started by such a start after restart()); one of the
// current agent, or of a later one with its clock set back, is.
func TestRequestOfAPreviousAgentNotDone(t *testing.T) {
	t.Parallel()
	nodes := started(t, 2)
	var master view.AddressInfo
	nodes[1].c.Read(func(v *view.View) { master, _ = v.Address(addr1, time.Time{}) })
	born := time.Unix(0, int64(master.Incarnation))
	k := key("app", "a")
	for _, step := range []struct {
		name string
		cmd  command
		want bool
	}{
		{"a previous agent's", command{key: k, from: addr1, incarnation: master.Incarnation - 1, sentAt: born.Add(-time.Second)}, false},
		{"the current agent's", command{key: k, from: addr1, incarnation: master.Incarnation, sentAt: time.Now()}, true},
		{"a later agent's, its clock set back", command{key: view.Key{Group: "app", Name: "b"}, from: addr1, incarnation: master.Incarnation - 5, sentAt: time.Now()}, true},
	} {
		if got := nodes[1].c.request(msgStop, step.cmd); got != step.want {
			t.Errorf("%s request: carried out %v, want %v", step.name, got, step.want)
		}
	}
}

// TestStartPlacedAgainOnlyForTheMaster: a start that its address fails
// (the node's agent is gone) is placed again on the master while the
// process is wanted, and not by a node that is not the master any more,
// nor once an operator stopped the process (chaos loopback seed 20260304,
// fault #25: a node that had lost the mastership placed again, for 15 s,
// a start of ra:ra_web it had carried on as the master, and ran it after
// the new master stopped the application for an operator).
func TestStartPlacedAgainOnlyForTheMaster(t *testing.T) {
	t.Parallel()
	nodes := testCluster(t, 3, nil)
	for _, node := range nodes {
		node.start(sleeper("app", "wanted", "held", "other"))
	}
	for _, node := range nodes {
		node.waitFor("OPERATION", inOperation(addr1))
	}
	nodes[1].kill()
	startOnGone := func(n *testNode, k view.Key) error {
		n.c.mu.Lock()
		at := n.c.beginStartLocked(k, addr2, 0)
		n.c.mu.Unlock()
		planned := plannedStart{key: k, address: addr2, at: at}
		return n.c.runStarts(t.Context(), n.c.defaultPlacement(), []plannedStart{planned}, "")[0]
	}
	runsNowhere := func(n *testNode, k view.Key) {
		t.Helper()
		n.c.Read(func(v *view.View) {
			if info, _ := v.Process(k); len(info.Addresses) > 0 {
				t.Errorf("%s placed again: runs on %v", k.Namespec(), info.Addresses)
			}
		})
	}

	wanted := key("app", "wanted")
	if err := startOnGone(nodes[0], wanted); err != nil {
		t.Fatalf("the master did not place the start again: %v", err)
	}
	nodes[0].waitFor("app:wanted running elsewhere", func(v *view.View) bool {
		info, _ := v.Process(wanted)
		return info.State == enums.ProcessRunning && !slices.Contains(info.Addresses, addr2)
	})

	held := key("app", "held")
	nodes[0].c.holdStopped([]view.Key{held}, true)
	if err := startOnGone(nodes[0], held); outcomeOf(err) != strategy.AddressFailed {
		t.Errorf("start of a process an operator stopped: %v, want its address's failure", err)
	}
	runsNowhere(nodes[0], held)

	other := key("app", "other")
	if err := startOnGone(nodes[2], other); outcomeOf(err) != strategy.AddressFailed {
		t.Errorf("start by a node that is not the master: %v, want its address's failure", err)
	}
	runsNowhere(nodes[2], other)
}

// TestNoPhaseStartedByANodeNotMaster: an application's start carried on by
// a node that is not the master (it lost the mastership during the start)
// starts no further phase: it returns ErrNotMaster and leaves the
// application to the new master.
func TestNoPhaseStartedByANodeNotMaster(t *testing.T) {
	t.Parallel()
	const rules = `<root><application name="two">` +
		`<program name="first"><start_sequence>1</start_sequence></program>` +
		`<program name="second"><start_sequence>2</start_sequence></program>` +
		`</application></root>`
	nodes := appCluster(t, 2, "[group:two]\nprograms=first,second\n"+program("first")+program("second"), rules)
	ctx, cancel := contextWithTimeout()
	defer cancel()
	if err := nodes[1].c.startApplication(ctx, nodes[1].c.defaultPlacement(), "two"); !errors.Is(err, ErrNotMaster) {
		t.Errorf("start of an application by a node not the master: %v, want %v", err, ErrNotMaster)
	}
	nodes[1].c.Read(func(v *view.View) {
		for _, k := range []view.Key{key("two", "first"), key("two", "second")} {
			if info, _ := v.Process(k); len(info.Addresses) > 0 {
				t.Errorf("%s started by a node not the master: runs on %v", k.Namespec(), info.Addresses)
			}
		}
	})
}

// TestStopLeavesANewerCopy: a stop names the copy it stops (its start);
// one that reaches its node after that copy is gone (held there until its
// sender was the master again, or retransmitted once a partition healed)
// leaves the copy running now alone (chaos netns seed 95426098, fault #26:
// the master of one side stopped ra:ra_cache on a node cut off from it,
// the stop arrived 6 s later and ended the copy that the other side's
// master had started there since, the only one left after conciliation).
func TestStopLeavesANewerCopy(t *testing.T) {
	t.Parallel()
	nodes := started(t, 2)
	k := key("app", "a")
	start(t, nodes[1], "app", "a")
	p := nodes[1].sup.Group("app").Process("a")
	now := p.Info().Start
	stop := func(copy time.Time) error {
		return nodes[1].c.carryOutCommand(msgStop, nodes[0].c.stamp(command{key: k, copy: copy}))
	}
	if err := stop(now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if st := p.Info().State; st != enums.ProcessRunning {
		t.Fatalf("a stop of an older copy ended the one running now: %v", st)
	}
	if err := stop(now); err != nil {
		t.Fatal(err)
	}
	nodes[0].waitFor("app:a stopped", func(v *view.View) bool {
		info, _ := v.Process(k)
		return len(info.Addresses) == 0
	})
}

// TestStopHeldForALostAddress: a stop sent to a node that is lost before
// its copy is seen stopped (here the node holds the request, its sender not
// being its master, and its agent dies) is held as a stop job, as one that
// could not be sent is (chaos netns seed 95426098, fault #1: the stop of
// sa:sa_a went out as the partition began, and no job was left to stop it
// once the partition healed).
func TestStopHeldForALostAddress(t *testing.T) {
	t.Parallel()
	nodes := started(t, 3)
	k := key("app", "a")
	start(t, nodes[2], "app", "a")
	nodes[1].waitFor("app:a on 127.0.0.3", runningOn(k, addr3))
	stopped := make(chan error, 1)
	go func() { stopped <- nodes[1].c.stopCopies(t.Context(), k, []string{addr3}, forGood) }()
	held := func() bool {
		p := &nodes[2].c.pending
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.cmds) > 0
	}
	for deadline := time.Now().Add(waitTimeout); !held(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("127.0.0.3 holds no request from 127.0.0.2")
		}
	}
	nodes[2].kill()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	nodes[1].c.Read(func(v *view.View) {
		for _, j := range v.Jobs() {
			if j.Key == k && j.Address == addr3 && !j.Done {
				return
			}
		}
		t.Error("no stop held for the copy on the lost 127.0.0.3")
	})
}

// TestApplicationStopWaitsForStartsInHand: a start job of one of its
// processes handed out before an application's stop dropped its jobs (in
// the pass that saw the failure whose strategy the stop is) may spawn the
// process after the drop: the stop waits for it, then stops what it
// started (chaos netns seed 20260359, fault #9: sa:sa_a ran alone).
func TestApplicationStopWaitsForStartsInHand(t *testing.T) {
	t.Parallel()
	nodes := started(t, 1)
	c, k := nodes[0].c, key("app", "a")
	c.mu.Lock()
	c.jobs.inHand[jobID{key: k}] = true // as planJobsLocked hands it to runJob
	c.mu.Unlock()
	c.putJobs(view.Job{Key: k, Reason: "deployment"})
	stopped := make(chan error, 1)
	go func() { stopped <- c.stopApplication(t.Context(), "app", forGood) }()
	nodes[0].waitFor("app:a's start dropped", func(v *view.View) bool {
		_, waits := v.Waiting(k)
		return !waits
	})
	start(t, nodes[0], "app", "a") // the job in hand spawns it now
	nodes[0].waitFor("app:a on 127.0.0.1", runningOn(k, addr1))
	c.mu.Lock()
	delete(c.jobs.inHand, jobID{key: k})
	c.mu.Unlock()
	c.update(func(time.Time) view.Effects { return view.Effects{} }) // as runJob ends
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	nodes[0].waitFor("app:a stopped by its application's stop", func(v *view.View) bool {
		p, ok := v.Process(k)
		return ok && p.State == enums.ProcessStopped
	})
}
