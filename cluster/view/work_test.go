package view

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// TestViewJobsReplicate: the master's jobs are stamped with its deployment
// and a version above every one seen; another node keeps the latest write
// of each job, drops those of another deployment or from outside
// address_list, and a tombstone wins over the older job.
func TestViewJobsReplicate(t *testing.T) {
	m, _ := upCluster(t, a1, nil)
	f, _ := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation})
	f.adoptDeployment(m.Deployment())
	k := Key{"web", "server"}

	j := m.PutJob(Job{Key: k, Reason: "deployment"})
	if j.Deployment != m.Deployment() || j.Version != 1 || j.Writer != a1 {
		t.Errorf("stamped %+v", j)
	}
	if !f.ApplyJob(j) || f.ApplyJob(j) {
		t.Error("a job is news once")
	}
	done := m.PutJob(Job{Key: k, Done: true})
	if !f.ApplyJob(done) || f.ApplyJob(j) {
		t.Error("an older write undid the tombstone")
	}
	if _, waits := f.Waiting(k); waits {
		t.Error("a done start still waits")
	}

	other := j
	other.Key, other.Deployment, other.Version = Key{"web", "worker"}, m.Deployment()+1, 9
	outsider := j
	outsider.Key, outsider.Writer, outsider.Version = Key{"web", "worker"}, "10.9.9.9", 9
	badStop := j
	badStop.Key, badStop.Address, badStop.Version = Key{"web", "worker"}, "10.9.9.9", 9
	// One near the clock's end would leave no write newer than it.
	farAhead := j
	farAhead.Key, farAhead.Version = Key{"web", "worker"}, math.MaxUint64
	for _, bad := range []Job{other, outsider, badStop, farAhead} {
		if f.ApplyJob(bad) {
			t.Errorf("accepted %+v", bad)
		}
	}
	// A new master goes on with the clock of the jobs it saw.
	if got := f.PutJob(Job{Key: k}); got.Version != done.Version+1 {
		t.Errorf("version %d after seeing %d", got.Version, done.Version)
	}
}

// TestViewWaitingStarts: only the starts not done, in Jobs' order.
func TestViewWaitingStarts(t *testing.T) {
	m, _ := upCluster(t, a1, nil)
	m.PutJob(Job{Key: Key{"web", "worker"}, Reason: "deployment"})
	m.PutJob(Job{Key: Key{"web", "server"}, Reason: "deployment"})
	m.PutJob(Job{Key: Key{"db", "db"}, Done: true})
	m.PutJob(Job{Key: Key{"db", "cache"}, Done: true, Held: true})
	m.PutJob(Job{Key: Key{"web", "cache"}, Address: a2})
	var got []string
	for _, j := range m.WaitingStarts() {
		got = append(got, j.Key.Namespec())
	}
	wantStrings(t, "waiting starts", got, []string{"web:server", "web:worker"})
}

// TestViewJobsOfAnotherDeploymentDropped: a node that adopts another
// deployment forgets the jobs of the one before, waiting or not.
func TestViewJobsOfAnotherDeploymentDropped(t *testing.T) {
	v, _ := upCluster(t, a1, nil)
	v.PutJob(Job{Key: Key{"web", "server"}, Reason: "deployment"})
	v.PutJob(Job{Key: Key{"web", "cache"}, Address: a2})
	v.PutJob(Job{Key: Key{"db", "db"}, Done: true})
	v.adoptDeployment(v.Deployment() + 1)
	if jobs, waiting, p := v.Jobs(), v.WaitingStarts(), v.PlanJobs(); len(jobs)+len(waiting)+len(p.Run)+len(p.Over) != 0 {
		t.Errorf("after another deployment: jobs %+v, waiting %+v, plan %+v", jobs, waiting, p)
	}
}

// TestViewPlanJobs: what the acting master does about its jobs.
func TestViewPlanJobs(t *testing.T) {
	web := func(name string) Key { return Key{"web", name} }
	cfg := func(c *Config) {
		c.Required = func(k Key) bool { return k.Name != "opt" }
		c.StartSequence = func(k Key) int { return map[string]int{"db": 1, "opt": 1, "server": 2, "pinned": 2}[k.Name] }
		c.Addresses = func(k Key) []string {
			if k.Name == "pinned" {
				return []string{a3}
			}
			return []string{a1, a2, a3}
		}
		c.Loading = func(k Key) int { return map[string]int{"big": 60, "big2": 60}[k.Name] }
	}
	v, now := upCluster(t, a1, nil, cfg)
	configured := func(node string, names ...string) {
		for i, name := range names {
			update(v, node, rec("web", name, enums.ProcessStopped, uint64(10+i), now))
		}
	}
	configured(a2, "db", "opt", "server", "big", "big2")
	configured(a3, "pinned")
	names := func(js []Job) []string {
		var out []string
		for _, j := range js {
			out = append(out, j.Key.Name+"@"+j.Address)
		}
		return out
	}
	plan := func() (run, over []string) {
		p := v.PlanJobs()
		return names(p.Run), names(p.Over)
	}

	for _, name := range []string{"db", "opt", "server", "pinned"} {
		v.PutJob(Job{Key: web(name), Application: true})
	}
	run, over := plan()
	wantStrings(t, "run, phase 1 first", run, []string{"db@", "opt@"})
	wantStrings(t, "over", over, nil)

	// The optional process of phase 1 does not hold phase 2 back; the
	// required one does until it runs.
	update(v, a2, rec("web", "db", enums.ProcessRunning, 20, now))
	run, over = plan()
	wantStrings(t, "run once db runs", run, []string{"opt@", "pinned@", "server@"})
	wantStrings(t, "over once db runs", over, []string{"db@"})
	// Marked Done (the caller marks what is over), it is planned no more.
	v.PutJob(Job{Key: web("db"), Application: true, Done: true})
	run, over = plan()
	wantStrings(t, "run once db's start is done", run, []string{"opt@", "pinned@", "server@"})
	wantStrings(t, "over once db's start is done", over, nil)

	// No address may take it: its only address lost, or full.
	v.MemberDead(a3, now.Add(time.Second))
	v.PutJob(Job{Key: web("big2")})
	update(v, a2, rec("web", "big", enums.ProcessRunning, 21, now))
	run, _ = plan()
	if slices.Contains(run, "pinned@") || slices.Contains(run, "big2@") {
		t.Errorf("run %v: no address can take pinned (its address lost) or big2 (60+60 ≥ 100)", run)
	}

	// A copy to stop on an address lost: carried out once the address is
	// back in the same incarnation, over once it restarted.
	start := now.Add(-time.Minute)
	running := rec("web", "pinned", enums.ProcessRunning, 30, now)
	running.Start = start
	v.PutJob(Job{Key: web("pinned"), Address: a3, Incarnation: incOf(a3), Start: start})
	run, over = plan()
	if slices.Contains(run, "pinned@"+a3) || slices.Contains(over, "pinned@"+a3) {
		t.Errorf("stop of a copy on a lost address: run %v over %v", run, over)
	}
	v.MemberAlive(a3, Meta{Incarnation: incOf(a3), State: enums.SupvisorsOperation, Master: a1}, now.Add(2*time.Second))
	v.ApplyFullState(full(a3, running), now.Add(2*time.Second))
	tick(v, now.Add(2*time.Second))
	run, _ = plan()
	if !slices.Contains(run, "pinned@"+a3) {
		t.Errorf("run %v: the copy back in the same incarnation is to stop", run)
	}
	v.MemberAlive(a3, Meta{Incarnation: incOf(a3) + 1}, now.Add(3*time.Second))
	_, over = plan()
	if !slices.Contains(over, "pinned@"+a3) {
		t.Errorf("over %v: the copy died with its agent", over)
	}

	// Nothing but on the acting master.
	f, _ := upCluster(t, a2, map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation}, cfg)
	f.PutJob(Job{Key: web("db")})
	if p := f.PlanJobs(); len(p.Run)+len(p.Over) != 0 {
		t.Errorf("a follower plans %+v", p)
	}
}

// TestViewRunsBesidesHeldCopies: a copy held for stopping (a node that
// comes back with what it ran before a RESTART_APPLICATION) does not make
// the start of its process needless, and its address does not take it.
func TestViewRunsBesidesHeldCopies(t *testing.T) {
	v, now := upCluster(t, a1, nil, func(c *Config) { c.Addresses = func(Key) []string { return []string{a3} } })
	k := Key{"ra", "web"}
	start := now.Add(-time.Minute)
	ghost := rec("ra", "web", enums.ProcessRunning, 3, now)
	ghost.Start = start
	update(v, a3, ghost)
	if !v.Runs(k) {
		t.Fatal("a copy nobody holds does not run")
	}
	v.PutJob(Job{Key: k, Address: a3, Incarnation: incOf(a3), Start: start})
	v.PutJob(Job{Key: k, Application: true})
	if v.Runs(k) {
		t.Error("a copy held for stopping runs")
	}
	p := v.PlanJobs()
	var got []string
	for _, j := range p.Run {
		got = append(got, j.Key.Name+"@"+j.Address)
	}
	wantStrings(t, "run: the stop only (a3, where the copy runs, cannot take the start)", got, []string{"web@" + a3})
	if len(p.Over) != 0 {
		t.Errorf("over %+v: the start is not over while the only copy is held", p.Over)
	}
	// Another copy started since (another Start): it runs.
	other := rec("ra", "web", enums.ProcessRunning, 4, now)
	other.Start = now
	update(v, a3, other)
	if !v.Runs(k) {
		t.Error("a copy started after the one held does not run")
	}
}

// TestViewConflictWithAHeldCopy: two copies, one held for stopping: the
// conflict shows which goes away already, so that conciliation leaves the
// other one alone.
func TestViewConflictWithAHeldCopy(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	k := Key{"ra", "cache"}
	held := rec("ra", "cache", enums.ProcessRunning, 3, now)
	held.Start = now.Add(-time.Minute)
	update(v, a3, held)
	update(v, a2, rec("ra", "cache", enums.ProcessRunning, 3, now))
	v.PutJob(Job{Key: k, Address: a3, Incarnation: incOf(a3), Start: held.Start})
	conflicts := v.Conflicts()
	if len(conflicts) != 1 {
		t.Fatalf("conflicts %+v, want ra:cache", conflicts)
	}
	stopping := map[string]bool{}
	for _, c := range conflicts[0].Copies {
		stopping[c.Address] = c.Stopping
	}
	if !stopping[a3] || stopping[a2] {
		t.Errorf("stopping %v: want the copy of 10.0.0.3 only", stopping)
	}
}

// BenchmarkPlanJobs: the plan the acting master makes at every change of
// its view, with the tombstones of a deployment of 1,000 processes and
// 0 or 100 jobs still pending.
func BenchmarkPlanJobs(b *testing.B) {
	for _, pending := range []int{0, 100} {
		b.Run(fmt.Sprintf("1000done/%dpending", pending), func(b *testing.B) {
			v, now := upCluster(b, a1, nil)
			for i := range 1000 {
				k := Key{"g", fmt.Sprintf("p%04d", i)}
				update(v, a2, rec(k.Group, k.Name, enums.ProcessStopped, uint64(i+1), now))
				v.PutJob(Job{Key: k, Application: true, Done: i >= pending})
			}
			b.ResetTimer()
			for range b.N {
				v.PlanJobs()
			}
		})
	}
}

// TestViewHeldByTheOperator: a process an operator stopped is not repaired
// by the cluster: its failure is dropped, reported or not, until an
// operator starts it again.
func TestViewHeldByTheOperator(t *testing.T) {
	v, now := upCluster(t, a1, nil)
	k := Key{"g", "p"}
	update(v, a2, rec("g", "p", enums.ProcessRunning, 1, now))
	update(v, a2, rec("g", "p", enums.ProcessFatal, 2, now))
	v.PutJob(Job{Key: k, Done: true, Held: true})
	if !v.Held(k) {
		t.Fatal("not held")
	}
	if eff := tick(v, now.Add(time.Second)); len(eff.Crashed) != 0 {
		t.Errorf("Crashed %v: the failure of a process an operator stopped", eff.Crashed)
	}
	v.ReportedCrashes([]Key{k})
	if eff := tick(v, now.Add(2*time.Second)); len(eff.Crashed) != 0 {
		t.Errorf("Crashed %v: a reported failure of a process an operator stopped", eff.Crashed)
	}
	v.PutJob(Job{Key: k, Done: true}) // an operator starts it
	v.ReportedCrashes([]Key{k})
	if eff := tick(v, now.Add(3*time.Second)); !slices.Equal(eff.Crashed, []Key{k}) {
		t.Errorf("Crashed %v once no longer held", eff.Crashed)
	}
}

// TestViewPlanReplaceStops: a stop held so that another copy runs in its
// place (Job.Replace), the acting master's or another's (of the other side
// of a partition), is carried out once another copy runs, waits while a
// start of the process is to come that another address can take (it makes
// room for one that none can), and is over when none is: the copy is then
// the only one, kept. A stop for good ends the copy in any case.
func TestViewPlanReplaceStops(t *testing.T) {
	k := Key{"ra", "web"}
	tests := []struct {
		name string
		// replace: the stop's intent; own: written by the acting master;
		// elsewhere: another copy runs on a2, heldElsewhere: and a stop
		// holds it too; starting: a start of k waits; pinned: only a3
		// may take it.
		replace, own, elsewhere, heldElsewhere, starting, pinned bool
		wantRun, wantOver                                        bool
	}{
		{name: "for good, only copy", wantRun: true},
		{name: "for good, another copy", elsewhere: true, wantRun: true},
		{name: "replace, another copy", replace: true, elsewhere: true, wantRun: true},
		{name: "replace, only copy, a start to come", replace: true, starting: true},
		{name: "replace, only copy, a start to come that only its address can take", replace: true, starting: true, pinned: true, wantRun: true},
		{name: "replace, only copy, nothing to come", replace: true, wantOver: true},
		{name: "replace, the other copy held too", replace: true, elsewhere: true, heldElsewhere: true, wantOver: true},
		{name: "own replace, only copy, a start to come", replace: true, own: true, starting: true},
		{name: "own replace, only copy, nothing to come", replace: true, own: true, wantOver: true},
		{name: "own for good, only copy", own: true, wantRun: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, now := upCluster(t, a1, nil, func(c *Config) {
				if tt.pinned {
					c.Addresses = func(Key) []string { return []string{a3} }
				}
			})
			copyOn := func(node string, seq uint64, start time.Time) {
				r := rec("ra", "web", enums.ProcessRunning, seq, now)
				r.Start = start
				update(v, node, r)
			}
			// written is a job as the acting master (own) or the master
			// of the other side wrote it.
			version := uint64(0)
			written := func(j Job) Job {
				if tt.own {
					return v.PutJob(j)
				}
				version++
				j.Deployment, j.Version, j.Writer = v.Deployment(), version, a2
				if !v.ApplyJob(j) {
					t.Fatalf("job refused: %+v", j)
				}
				return j
			}
			start := now.Add(-time.Minute)
			copyOn(a3, 3, start)
			stop := written(Job{Key: k, Address: a3, Incarnation: incOf(a3), Start: start, Replace: tt.replace})
			if tt.elsewhere {
				copyOn(a2, 3, now)
			} else {
				update(v, a2, rec("ra", "web", enums.ProcessStopped, 3, now))
			}
			if tt.heldElsewhere {
				written(Job{Key: k, Address: a2, Incarnation: incOf(a2), Start: now, Replace: true})
			}
			if tt.starting {
				written(Job{Key: k, Application: true})
			}
			p := v.PlanJobs()
			has := func(js []Job) bool {
				return slices.ContainsFunc(js, func(j Job) bool { return j.key() == stop.key() })
			}
			if has(p.Run) != tt.wantRun || has(p.Over) != tt.wantOver {
				t.Errorf("the stop of the copy on a3: run %v over %v, want run %v over %v", has(p.Run), has(p.Over), tt.wantRun, tt.wantOver)
			}
			if tt.starting && !tt.pinned && !slices.ContainsFunc(p.Run, Job.IsStart) {
				t.Errorf("run %+v: the start that is to replace the copy does not run", p.Run)
			}
		})
	}
}

// TestViewMasterKeepsItsJobsAgainstAnotherMaster: after a partition heals,
// the master of the other side's newer writes do not undo the work this
// master has in hand nor an operator's stop it recorded (it writes them
// again, newer, for the others); an operator's stop from the other side
// stands over this master's start, and a node that is not the master
// takes the latest write.
func TestViewMasterKeepsItsJobsAgainstAnotherMaster(t *testing.T) {
	k := Key{"ra", "web"}
	start := time.Unix(1000, 0)
	tests := []struct {
		name     string
		master   bool
		own, its Job // the local node's write, then the other master's
		wantKept bool
	}{
		{"pending start against a done one", true, Job{Key: k, Application: true}, Job{Key: k, Done: true}, true},
		{"pending stop against a done one", true, Job{Key: k, Address: a3, Start: start, Replace: true}, Job{Key: k, Address: a3, Start: start, Done: true}, true},
		{"pending stop against another copy's", true, Job{Key: k, Address: a3, Start: start}, Job{Key: k, Address: a3, Start: start.Add(time.Second)}, true},
		{"operator's stop against a start", true, Job{Key: k, Done: true, Held: true}, Job{Key: k, Reason: "RESTART_PROCESS"}, true},
		{"start against an operator's stop", true, Job{Key: k}, Job{Key: k, Done: true, Held: true}, false},
		{"done start against a pending one", true, Job{Key: k, Done: true}, Job{Key: k}, false},
		{"not the master", false, Job{Key: k}, Job{Key: k, Done: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			states := map[string]enums.SupvisorsState{a3: enums.SupvisorsOperation}
			local := a1
			if !tt.master {
				local = a2
				states = map[string]enums.SupvisorsState{a1: enums.SupvisorsOperation}
			}
			v, _ := upCluster(t, local, states)
			own := v.PutJob(tt.own)
			its := tt.its
			its.Deployment, its.Version, its.Writer = v.Deployment(), own.Version+5, a3
			news := v.ApplyJob(its)
			got := v.Jobs()[0]
			reasserted := v.Reasserted()
			if tt.wantKept {
				if news || got.Done != own.Done || got.Held != own.Held || got.Start != own.Start || got.Writer != local {
					t.Errorf("news %v, kept %+v: want the master's own %+v", news, got, own)
				}
				if len(reasserted) != 1 || reasserted[0] != got || got.Version <= its.Version {
					t.Errorf("reasserted %+v: want the kept job, newer than %d", reasserted, its.Version)
				}
			} else if !news || got != its || len(reasserted) != 0 {
				t.Errorf("news %v, kept %+v, reasserted %+v: want the other's write %+v", news, got, reasserted, its)
			}
			if again := v.Reasserted(); len(again) != 0 {
				t.Errorf("reasserted twice: %+v", again)
			}
		})
	}
}
