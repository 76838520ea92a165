package rpcinterface

import (
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
