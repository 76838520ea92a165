package rpcinterface

import (
	"cmp"
	"slices"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/cluster"
	"github.com/supvisors/supvisors-go/cluster/view"
)

// ClusterState is the cluster as one node sees it, in the replies of
// get_supvisors_state, get_all_addresses_info, get_all_applications_info
// and get_all_process_info: what the event stream's topics carry.
type ClusterState struct {
	Supvisors    api.SupvisorsStateInfo
	Addresses    []api.AddressInfo     // sorted by name
	Applications []api.ApplicationInfo // sorted by name
	Processes    []api.ClusterProcessInfo
}

// ChangeReader follows the changes of a cluster's view, for the event
// feed: each reading describes the processes that changed since the last
// one (at 10,000 processes, reading them all at every change held the
// view's lock and a core for milliseconds each time), and aggregates the
// applications of those from the processes it keeps. Not safe for
// concurrent use.
type ChangeReader struct {
	c *cluster.Cluster
	// groups holds every process of the view, by application, sorted by
	// name.
	groups map[string][]view.ProcessInfo
}

// NewChangeReader returns a reader of c's changes; its first reading
// describes the whole view.
func NewChangeReader(c *cluster.Cluster) *ChangeReader {
	return &ChangeReader{c: c}
}

// ClusterChanges is what a reading of a ChangeReader found: the Supvisors
// state and every address, and the processes and applications that
// changed (or may have), sorted by name; Gone names the processes and
// applications that no longer exist.
type ClusterChanges struct {
	ClusterState
	GoneProcesses    []string // namespecs
	GoneApplications []string
}

// Read reads the view, whatever its state (the queries' INITIALIZATION
// gate does not apply to events).
func (r *ChangeReader) Read() ClusterChanges {
	var out ClusterChanges
	var procs []view.ProcessInfo
	var apps []view.ApplicationInfo
	r.c.ReadChanged(func(v *view.View, changed map[view.Key]struct{}) {
		st := v.State()
		out.Supvisors = api.SupvisorsStateInfo{State: st, StateName: st.String(), Quorum: v.HasQuorum(), GossipEncrypted: r.c.Encrypted()}
		out.Addresses = addressInfos(v)
		if r.groups == nil {
			procs = v.Processes()
			r.groups = map[string][]view.ProcessInfo{}
			for _, p := range procs {
				r.groups[p.Group] = append(r.groups[p.Group], p)
			}
			apps = v.ApplicationsOf(procs)
			return
		}
		keys := make([]view.Key, 0, len(changed))
		for k := range changed {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b view.Key) int { return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Name, b.Name)) })
		for i, k := range keys {
			p, ok := v.Process(k)
			if ok {
				procs = append(procs, p)
			} else {
				out.GoneProcesses = append(out.GoneProcesses, api.Namespec(k.Group, k.Name))
			}
			r.keep(k, p, ok)
			if i+1 < len(keys) && keys[i+1].Group == k.Group {
				continue
			}
			// The last of its application: aggregate it.
			if group := r.groups[k.Group]; len(group) > 0 {
				apps = append(apps, v.ApplicationsOf(group)...)
			} else {
				delete(r.groups, k.Group)
				out.GoneApplications = append(out.GoneApplications, k.Group)
			}
		}
	})
	// Made outside the lock: procs and apps are copies.
	out.Applications = make([]api.ApplicationInfo, len(apps))
	for i, a := range apps {
		out.Applications[i] = applicationInfo(a)
	}
	out.Processes = clusterProcessInfos(procs)
	return out
}

// keep records p as the description of k, or that k is gone.
func (r *ChangeReader) keep(k view.Key, p view.ProcessInfo, exists bool) {
	group := r.groups[k.Group]
	i, found := slices.BinarySearchFunc(group, k.Name, func(p view.ProcessInfo, name string) int { return cmp.Compare(p.Name, name) })
	switch {
	case found && exists:
		group[i] = p
	case found:
		group = slices.Delete(group, i, i+1)
	case exists:
		group = slices.Insert(group, i, p)
	}
	r.groups[k.Group] = group
}

// ReadClusterState reads c's view at once, whatever its state (the
// queries' INITIALIZATION gate does not apply to events).
func ReadClusterState(c *cluster.Cluster) ClusterState {
	var s ClusterState
	var procs []view.ProcessInfo
	var apps []view.ApplicationInfo
	c.Read(func(v *view.View) {
		st := v.State()
		s.Supvisors = api.SupvisorsStateInfo{State: st, StateName: st.String(), Quorum: v.HasQuorum(), GossipEncrypted: c.Encrypted()}
		s.Addresses = addressInfos(v)
		procs = v.Processes()
		apps = v.ApplicationsOf(procs)
	})
	// Made outside the lock: procs and apps are copies.
	s.Applications = make([]api.ApplicationInfo, len(apps))
	for i, a := range apps {
		s.Applications[i] = applicationInfo(a)
	}
	s.Processes = clusterProcessInfos(procs)
	return s
}
