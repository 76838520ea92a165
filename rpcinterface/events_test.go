package rpcinterface

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/cluster"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/process"
)

// sleepers is a group of long-running programs that do not start with it.
func sleepers(group string, names ...string) *config.Group {
	g := &config.Group{Name: group, Priority: 999}
	for i, name := range names {
		g.Processes = append(g.Processes, &config.Process{
			Name: name, Group: group, Program: name, Index: i,
			Command: "/bin/sleep 1000", Priority: 999, Autorestart: config.AutorestartFalse,
			Startretries: 3, Stopsignal: 15, Stopwaitsecs: 10, Exitcodes: []int{0}, UID: -1, GID: -1,
		})
	}
	return g
}

// TestChangeReader follows a one-node cluster of real processes: the first
// reading describes everything, later ones only what changed (a process
// started: it and its application; a group removed: gone), each as the
// whole view says it.
func TestChangeReader(t *testing.T) {
	sup := process.New(process.Options{Childlogdir: t.TempDir(), BaseEnv: os.Environ()})
	sup.SetConfigs([]*config.Group{sleepers("a", "x", "y"), sleepers("b", "z")})
	c, err := cluster.Create(cluster.Config{Local: "127.0.0.1", Supervisor: sup})
	if err != nil {
		t.Fatal(err)
	}
	c.Start()
	sup.Start()
	c.Ready()
	t.Cleanup(func() {
		_ = sup.Shutdown(t.Context(), false)
		_ = c.Shutdown(false)
	})
	r := NewChangeReader(c)

	first := r.Read()
	if got := namespecs(first.Processes); !slices.Equal(got, []string{"a:x", "a:y", "b:z"}) {
		t.Fatalf("first reading: processes %v, want all three", got)
	}
	if len(first.Applications) != 2 || len(first.Addresses) != 1 {
		t.Fatalf("first reading: %d applications, %d addresses; want 2 and 1", len(first.Applications), len(first.Addresses))
	}

	if err := sup.Group("a").Process("x").Start(""); err != nil {
		t.Fatal(err)
	}
	// The change reaches the view shortly (the cluster applies local
	// changes in batches): read until a:x is RUNNING.
	deadline := time.Now().Add(10 * time.Second)
	for running := false; !running; {
		if time.Now().After(deadline) {
			t.Fatal("a:x not RUNNING in the readings after 10s")
		}
		changed := c.Changed() // before reading: no change is missed
		s := r.Read()
		for _, p := range s.Processes {
			if p.Namespec() != "a:x" {
				t.Fatalf("a reading describes %s, which did not change", p.Namespec())
			}
			running = p.State == enums.ProcessRunning
		}
		for _, a := range s.Applications {
			if a.ApplicationName != "a" {
				t.Fatalf("a reading aggregates application %s, none of whose processes changed", a.ApplicationName)
			}
		}
		if len(s.Processes) > 0 && len(s.Applications) != 1 {
			t.Fatalf("a:x changed, applications %v", s.Applications)
		}
		sameAsWhole(t, c, s)
		if !running {
			<-changed
		}
	}

	if err := sup.RemoveGroup("b"); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		changed := c.Changed()
		s := r.Read()
		if slices.Equal(s.GoneProcesses, []string{"b:z"}) && slices.Equal(s.GoneApplications, []string{"b"}) {
			break
		}
		if len(s.Processes) > 0 || len(s.GoneProcesses) > 0 || time.Now().After(deadline) {
			t.Fatalf("group b removed: reading %+v", s)
		}
		<-changed
	}
}

// sameAsWhole checks that what a reading says of processes and
// applications is what a reading of the whole view says of them.
func sameAsWhole(t *testing.T, c *cluster.Cluster, s ClusterChanges) {
	t.Helper()
	whole := ReadClusterState(c)
	for _, p := range s.Processes {
		i := slices.IndexFunc(whole.Processes, func(w api.ClusterProcessInfo) bool { return w.Namespec() == p.Namespec() })
		if i < 0 || whole.Processes[i].State != p.State || !slices.Equal(whole.Processes[i].Addresses, p.Addresses) {
			t.Fatalf("reading says %+v of %s; the whole view %+v", p, p.Namespec(), whole.Processes)
		}
	}
	for _, a := range s.Applications {
		if !slices.Contains(whole.Applications, a) {
			t.Fatalf("reading says %+v; the whole view %+v", a, whole.Applications)
		}
	}
}

func namespecs(ps []api.ClusterProcessInfo) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Namespec()
	}
	return out
}
