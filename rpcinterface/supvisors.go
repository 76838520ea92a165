package rpcinterface

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/cluster"
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/stats"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// SupvisorsAPIVersion is the version of the Supvisors API the spec documents.
const SupvisorsAPIVersion = "0.1"

// SupvisorsService is the `supvisors` XML-RPC namespace: any node answers
// for the whole cluster. Safe for concurrent use.
type SupvisorsService struct {
	cluster   *cluster.Cluster
	forwarder Forwarder
	stats     *stats.Collector // nil: this node collects no statistics
	// allProcesses is get_all_process_info's last reply.
	allProcesses keptReply
}

// keptReply is a reply encoded at a generation of the view
// (cluster.ReadGeneration), given again while the generation holds: a
// dashboard that polls 10,000 processes gets the same 3 MB until
// something changes, instead of having them described and encoded anew,
// which cost about 10 ms of a core and as much garbage at every call.
// Safe for concurrent use.
type keptReply struct {
	mu         sync.Mutex
	generation uint64
	body       xmlrpc.Encoded
}

// at returns the reply kept at generation, if any, and the size of the
// last one kept.
func (k *keptReply) at(generation uint64) (xmlrpc.Encoded, int, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.body, len(k.body), k.body != nil && k.generation == generation
}

// keep keeps body as the reply at generation, unless a later one is kept.
func (k *keptReply) keep(generation uint64, body xmlrpc.Encoded) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.body == nil || generation >= k.generation {
		k.generation, k.body = generation, body
	}
}

// NewSupvisorsService returns the supvisors namespace over c; control
// requests go to the master through forward (nil: only the master can
// carry them out).
func NewSupvisorsService(c *cluster.Cluster, forward Forwarder) *SupvisorsService {
	return &SupvisorsService{cluster: c, forwarder: forward}
}

// RegisterSupvisors registers svc as the `supvisors` namespace of h.
func RegisterSupvisors(h *xmlrpc.Handler, svc *SupvisorsService) error {
	return h.RegisterService("supvisors", svc, xmlrpc.SnakeCase, supvisorsHelp)
}

// AddressArgs is the single address name parameter.
type AddressArgs struct {
	AddressName string
}

// ApplicationArgs is the single application name parameter.
type ApplicationArgs struct {
	ApplicationName string
}

// NamespecArgs is the single namespec parameter.
type NamespecArgs struct {
	Namespec string
}

// GetAPIVersion returns the Supvisors API version (get_api_version).
func (s *SupvisorsService) GetAPIVersion(_ *http.Request, _ *xmlrpc.NoArgs, reply *string) error {
	*reply = SupvisorsAPIVersion
	return nil
}

// GetSupvisorsState returns the state of Supvisors as this node sees it.
func (s *SupvisorsService) GetSupvisorsState(_ *http.Request, _ *xmlrpc.NoArgs, reply *api.SupvisorsStateInfo) error {
	s.cluster.Read(func(v *view.View) {
		st := v.State()
		*reply = api.SupvisorsStateInfo{State: st, StateName: st.String(), Quorum: v.HasQuorum(), GossipEncrypted: s.cluster.Encrypted()}
	})
	return nil
}

// GetMasterAddress returns the master's address, "" while there is none.
func (s *SupvisorsService) GetMasterAddress(_ *http.Request, _ *xmlrpc.NoArgs, reply *string) error {
	s.cluster.Read(func(v *view.View) { *reply = v.Master() })
	return nil
}

// GetStrategies returns the auto-fencing flag and the default strategies.
func (s *SupvisorsService) GetStrategies(_ *http.Request, _ *xmlrpc.NoArgs, reply *api.Strategies) error {
	autoFence, starting, conciliation := s.cluster.Strategies()
	*reply = api.Strategies{AutoFencing: autoFence, Starting: starting, Conciliation: conciliation}
	return nil
}

func addressInfo(a view.AddressInfo) api.AddressInfo {
	return api.AddressInfo{
		AddressName: a.Name,
		State:       a.State,
		StateName:   a.State.String(),
		RemoteTime:  unixOrZero(a.RemoteTime),
		LocalTime:   unixOrZero(a.LocalTime),
		Loading:     a.Loading,
	}
}

// GetAddressInfo describes one address of address_list.
func (s *SupvisorsService) GetAddressInfo(_ *http.Request, args *AddressArgs, reply *api.AddressInfo) error {
	var found bool
	s.cluster.Read(func(v *view.View) {
		var a view.AddressInfo
		if a, found = v.Address(args.AddressName, time.Now()); found {
			*reply = addressInfo(a)
		}
	})
	if !found {
		return fault.New(fault.BadAddress, args.AddressName)
	}
	return nil
}

// GetAllAddressesInfo describes every address, sorted by name.
func (s *SupvisorsService) GetAllAddressesInfo(_ *http.Request, _ *xmlrpc.NoArgs, reply *[]api.AddressInfo) error {
	s.cluster.Read(func(v *view.View) { *reply = addressInfos(v) })
	return nil
}

// addressInfos describes every address, sorted by name.
func addressInfos(v *view.View) []api.AddressInfo {
	addrs := v.Addresses(time.Now())
	out := make([]api.AddressInfo, len(addrs))
	for i, a := range addrs {
		out[i] = addressInfo(a)
	}
	slices.SortFunc(out, func(a, b api.AddressInfo) int { return cmp.Compare(a.AddressName, b.AddressName) })
	return out
}

// ReadmitAddress lets an address fenced by auto_fence (ISOLATED) back into
// the cluster once its agent has restarted, on every node. An extension:
// Supvisors 0.1 has no way back but restarting every agent.
//
// The master sends it to the others, which take it from the master only:
// another node forwards the request to the master.
func (s *SupvisorsService) ReadmitAddress(r *http.Request, args *AddressArgs, reply *bool) error {
	var master string
	s.cluster.Read(func(v *view.View) { master = v.Master() })
	if master != "" && master != s.cluster.Local() {
		return s.forward(r.Context(), master, "supvisors.readmit_address", []any{args.AddressName}, reply)
	}
	if err := s.cluster.Readmit(args.AddressName); err != nil {
		if errors.Is(err, view.ErrUnknownAddress) {
			return fault.New(fault.BadAddress, args.AddressName)
		}
		return fault.New(fault.BadAddress, err.Error())
	}
	*reply = true
	return nil
}

// checkDeployed is the spec's gate for the application and process queries:
// Supvisors must have left INITIALIZATION (and not be SHUTDOWN).
func checkDeployed(v *view.View) error { return gate(v, deployed) }

// readDeployed runs f on the view once the gate passes.
func (s *SupvisorsService) readDeployed(f func(v *view.View) error) (err error) {
	s.cluster.Read(func(v *view.View) {
		if err = checkDeployed(v); err == nil {
			err = f(v)
		}
	})
	return err
}

func applicationInfo(a view.ApplicationInfo) api.ApplicationInfo {
	return api.ApplicationInfo{
		ApplicationName: a.Name,
		State:           a.State,
		StateName:       a.State.String(),
		MajorFailure:    a.MajorFailure,
		MinorFailure:    a.MinorFailure,
	}
}

// GetApplicationInfo describes one application.
func (s *SupvisorsService) GetApplicationInfo(_ *http.Request, args *ApplicationArgs, reply *api.ApplicationInfo) error {
	return s.readDeployed(func(v *view.View) error {
		a, found := v.Application(args.ApplicationName)
		if !found {
			return fault.New(fault.BadName, args.ApplicationName)
		}
		*reply = applicationInfo(a)
		return nil
	})
}

// GetAllApplicationsInfo describes every application, sorted by name.
func (s *SupvisorsService) GetAllApplicationsInfo(_ *http.Request, _ *xmlrpc.NoArgs, reply *[]api.ApplicationInfo) error {
	return s.readDeployed(func(v *view.View) error {
		apps := v.Applications()
		out := make([]api.ApplicationInfo, len(apps))
		for i, a := range apps {
			out[i] = applicationInfo(a)
		}
		*reply = out
		return nil
	})
}

func clusterProcessInfos(procs []view.ProcessInfo) []api.ClusterProcessInfo {
	out := make([]api.ClusterProcessInfo, len(procs))
	for i, p := range procs {
		out[i] = api.ClusterProcessInfo{
			ApplicationName: p.Group,
			ProcessName:     p.Name,
			State:           p.State,
			StateName:       p.State.String(),
			ExpectedExit:    p.ExpectedExit,
			LastEventTime:   unixOrZero(p.LastEventTime),
			Addresses:       nonNil(p.Addresses),
			Waiting:         p.Waiting,
			Disabled:        disabledEverywhere(p),
		}
	}
	return out
}

// GetProcessInfo describes the processes a namespec names ("name",
// "group:name" or "group:*") across the cluster.
func (s *SupvisorsService) GetProcessInfo(_ *http.Request, args *NamespecArgs, reply *[]api.ClusterProcessInfo) error {
	return s.readDeployed(func(v *view.View) error {
		procs, err := lookupProcesses(v, args.Namespec)
		*reply = clusterProcessInfos(procs)
		return err
	})
}

// lookupProcesses resolves a namespec against the cluster's processes.
func lookupProcesses(v *view.View, namespec string) ([]view.ProcessInfo, error) {
	group, name, whole := splitNamespec(namespec)
	if whole {
		if procs := v.ProcessesOf(group); len(procs) > 0 {
			return procs, nil
		}
	} else if p, found := v.Process(view.Key{Group: group, Name: name}); found {
		return []view.ProcessInfo{p}, nil
	}
	return nil, fault.New(fault.BadName, namespec)
}

// GetAllProcessInfo describes every process of the cluster (an array of
// api.ClusterProcessInfo), encoded once per generation of the view.
func (s *SupvisorsService) GetAllProcessInfo(_ *http.Request, _ *xmlrpc.NoArgs, reply *xmlrpc.Encoded) error {
	var procs []view.ProcessInfo
	var generation uint64
	var size int
	var kept bool
	var err error
	s.cluster.ReadGeneration(func(v *view.View, g uint64) {
		generation = g
		if err = checkDeployed(v); err != nil {
			return
		}
		if *reply, size, kept = s.allProcesses.at(g); !kept {
			procs = v.Processes()
		}
	})
	if err != nil || kept {
		return err
	}
	// Made outside the lock, which every change of the view waits for:
	// procs is a copy.
	body, err := xmlrpc.Encode(clusterProcessInfos(procs), size)
	if err != nil {
		return fmt.Errorf("encode the processes: %w", err)
	}
	s.allProcesses.keep(generation, body)
	*reply = body
	return nil
}

// GetConflicts describes the processes running on more than one address.
func (s *SupvisorsService) GetConflicts(_ *http.Request, _ *xmlrpc.NoArgs, reply *[]api.ClusterProcessInfo) error {
	return s.readDeployed(func(v *view.View) error {
		*reply = clusterProcessInfos(v.Conflicts())
		return nil
	})
}

var supvisorsHelp = map[string]string{
	"supvisors.get_api_version":           "Return the version of the Supvisors XML-RPC API.\n@return string version",
	"supvisors.get_supvisors_state":       "Return the state of Supvisors.\n@return struct {int statecode, string statename, boolean quorum, boolean gossip_encrypted}",
	"supvisors.get_master_address":        "Return the address of the Supvisors master, empty while there is none.\n@return string address",
	"supvisors.get_strategies":            "Return the auto-fencing flag and the default starting and conciliation strategies.\n@return struct {boolean auto-fencing, string starting, string conciliation}",
	"supvisors.get_address_info":          "Describe one address of address_list.\n@param string address_name\n@return struct address info",
	"supvisors.get_all_addresses_info":    "Describe every address of address_list, sorted by name.\n@return array of address info structs",
	"supvisors.readmit_address":           "Let an address fenced by auto_fence (ISOLATED) back into the cluster once its agent has restarted.\n@param string address_name\n@return boolean true unless error",
	"supvisors.get_application_info":      "Describe one application.\n@param string application_name\n@return struct application info",
	"supvisors.get_all_applications_info": "Describe every application, sorted by name.\n@return array of application info structs",
	"supvisors.get_process_info":          "Describe processes across the cluster.\n@param string namespec name, group:name or group:*\n@return array of process info structs",
	"supvisors.get_all_process_info":      "Describe every process of the cluster.\n@return array of process info structs",
	"supvisors.get_host_statistics":       "Return the statistics of a RUNNING address over one of stats_periods.\n@param string address_name\n@param int period seconds\n@return struct {string address_name, int period, array cpu (total then each core, %), double mem (%), struct io {interface: [recv kbit/s, sent kbit/s]}, struct history {array time, array cpu, array mem}}",
	"supvisors.get_process_statistics":    "Return the statistics of every running copy of processes (with their descendants) over one of stats_periods.\n@param string namespec name, group:name or group:*\n@param int period seconds\n@param string address_name only the copy on this address (optional)\n@return array of struct {string namespec, string address_name, int pid, int period, double cpu, double mem, struct history}",
	"supvisors.get_conflicts":             "Describe the processes running on more than one address.\n@return array of process info structs",
	"supvisors.get_application_rules":     "Return the rules of an application.\n@param string application_name\n@return struct application rules",
	"supvisors.get_process_rules":         "Return the rules of processes.\n@param string namespec name, group:name or group:*\n@return array of process rules structs",
	"supvisors.start_application":         "Start an application with a starting strategy, by its rules.\n@param int strategy code or name (CONFIG, LESS_LOADED, MOST_LOADED, LOCAL, LESS_LOADED_NODE, MOST_LOADED_NODE)\n@param string application_name\n@param boolean wait wait for the application to be started\n@return boolean false when there is nothing to start",
	"supvisors.stop_application":          "Stop an application.\n@param string application_name\n@param boolean wait wait for the application to be stopped\n@return boolean true unless error",
	"supvisors.restart_application":       "Restart an application with a starting strategy.\n@param int strategy code or name\n@param string application_name\n@param boolean wait wait for the application to be restarted\n@return boolean true unless error",
	"supvisors.start_args":                "Start a local process with extra arguments appended to its command.\n@param string namespec\n@param string extra_args\n@param boolean wait wait for the process to be started\n@return boolean true unless error",
	"supvisors.start_process":             "Start processes with a starting strategy.\n@param int strategy code or name\n@param string namespec name, group:name or group:*\n@param string extra_args\n@param boolean wait wait for the processes to be started\n@return boolean true unless error",
	"supvisors.stop_process":              "Stop processes wherever they run.\n@param string namespec name, group:name or group:*\n@param boolean wait wait for the processes to be stopped\n@return boolean true unless error",
	"supvisors.restart_process":           "Restart processes with a starting strategy.\n@param int strategy code or name\n@param string namespec name, group:name or group:*\n@param boolean wait wait for the processes to be restarted\n@return boolean true unless error",
	"supvisors.conciliate":                "Apply a conciliation strategy to the conflicts (in CONCILIATION).\n@param int strategy code or name (SENICIDE, INFANTICIDE, USER, STOP, RESTART, RUNNING_FAILURE)\n@return boolean false for USER, true once under way",
	"supvisors.restart":                   "Stop every application, then restart every agent.\n@return boolean true unless error",
	"supvisors.shutdown":                  "Stop every application, then stop every agent.\n@return boolean true unless error",
}
