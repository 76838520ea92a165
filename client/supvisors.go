package client

import (
	"context"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/enums"
)

// Supvisors is the `supvisors` namespace of a Client: the whole cluster,
// as the answering node sees it, and its control, which the node hands to
// the master. A small value; safe for concurrent use.
//
// The queries of applications, processes and rules fault with
// BAD_SUPVISORS_STATE while Supvisors is in INITIALIZATION; the control
// methods with BAD_SUPVISORS_STATE outside the states the spec allows them
// in (OPERATION for starts and restarts, OPERATION or CONCILIATION for
// stops, CONCILIATION for conciliate). Strategies are sent as their integer
// code: one out of range faults with BAD_STRATEGY. wait=true makes a
// control call return once its processes are started or stopped.
type Supvisors struct{ c *Client }

// Supvisors returns the `supvisors` namespace's methods. Safe for
// concurrent use.
func (c *Client) Supvisors() Supvisors { return Supvisors{c} }

func (s Supvisors) boolean(ctx context.Context, method string, params ...any) (bool, error) {
	var reply bool
	return reply, s.c.Call(ctx, "supvisors."+method, params, &reply)
}

func (s Supvisors) processes(ctx context.Context, method string, params ...any) ([]api.ClusterProcessInfo, error) {
	var reply []api.ClusterProcessInfo
	return reply, s.c.Call(ctx, "supvisors."+method, params, &reply)
}

// GetAPIVersion is supvisors.get_api_version: the version of the Supvisors
// API ("0.1").
func (s Supvisors) GetAPIVersion(ctx context.Context) (string, error) {
	var reply string
	return reply, s.c.Call(ctx, "supvisors.get_api_version", nil, &reply)
}

// GetSupvisorsState is supvisors.get_supvisors_state: the state of
// Supvisors on the answering node.
func (s Supvisors) GetSupvisorsState(ctx context.Context) (api.SupvisorsStateInfo, error) {
	var reply api.SupvisorsStateInfo
	return reply, s.c.Call(ctx, "supvisors.get_supvisors_state", nil, &reply)
}

// GetMasterAddress is supvisors.get_master_address: the master's address,
// "" while there is none.
func (s Supvisors) GetMasterAddress(ctx context.Context) (string, error) {
	var reply string
	return reply, s.c.Call(ctx, "supvisors.get_master_address", nil, &reply)
}

// GetStrategies is supvisors.get_strategies: auto-fencing and the default
// strategies.
func (s Supvisors) GetStrategies(ctx context.Context) (api.Strategies, error) {
	var reply api.Strategies
	return reply, s.c.Call(ctx, "supvisors.get_strategies", nil, &reply)
}

// GetAddressInfo is supvisors.get_address_info: one address of
// address_list. BAD_ADDRESS for any other.
func (s Supvisors) GetAddressInfo(ctx context.Context, address string) (api.AddressInfo, error) {
	var reply api.AddressInfo
	return reply, s.c.Call(ctx, "supvisors.get_address_info", []any{address}, &reply)
}

// GetAllAddressesInfo is supvisors.get_all_addresses_info: every address,
// sorted by name.
func (s Supvisors) GetAllAddressesInfo(ctx context.Context) ([]api.AddressInfo, error) {
	var reply []api.AddressInfo
	return reply, s.c.Call(ctx, "supvisors.get_all_addresses_info", nil, &reply)
}

// ReadmitAddress is supvisors.readmit_address (an extension of the spec):
// lets an address fenced by auto_fence (ISOLATED) back into the cluster
// once its agent has restarted. BAD_ADDRESS for an unknown address or one
// that is not fenced.
func (s Supvisors) ReadmitAddress(ctx context.Context, address string) (bool, error) {
	return s.boolean(ctx, "readmit_address", address)
}

// GetApplicationInfo is supvisors.get_application_info: one application.
// BAD_NAME.
func (s Supvisors) GetApplicationInfo(ctx context.Context, application string) (api.ApplicationInfo, error) {
	var reply api.ApplicationInfo
	return reply, s.c.Call(ctx, "supvisors.get_application_info", []any{application}, &reply)
}

// GetAllApplicationsInfo is supvisors.get_all_applications_info: every
// application, sorted by name.
func (s Supvisors) GetAllApplicationsInfo(ctx context.Context) ([]api.ApplicationInfo, error) {
	var reply []api.ApplicationInfo
	return reply, s.c.Call(ctx, "supvisors.get_all_applications_info", nil, &reply)
}

// GetProcessInfo is supvisors.get_process_info: the processes a namespec
// names ("name", "group:name" or "group:*") across the cluster. BAD_NAME.
func (s Supvisors) GetProcessInfo(ctx context.Context, namespec string) ([]api.ClusterProcessInfo, error) {
	return s.processes(ctx, "get_process_info", namespec)
}

// GetAllProcessInfo is supvisors.get_all_process_info: every process of
// the cluster.
func (s Supvisors) GetAllProcessInfo(ctx context.Context) ([]api.ClusterProcessInfo, error) {
	return s.processes(ctx, "get_all_process_info")
}

// GetConflicts is supvisors.get_conflicts: the processes running on more
// than one address.
func (s Supvisors) GetConflicts(ctx context.Context) ([]api.ClusterProcessInfo, error) {
	return s.processes(ctx, "get_conflicts")
}

// GetHostStatistics is supvisors.get_host_statistics: the statistics of a
// RUNNING address over period, one of its stats_periods. BAD_ADDRESS (an
// unknown address, or one that is not RUNNING), BAD_ARGUMENTS (a period
// that is not configured).
func (s Supvisors) GetHostStatistics(ctx context.Context, address string, period int) (api.HostStatistics, error) {
	var reply api.HostStatistics
	return reply, s.c.Call(ctx, "supvisors.get_host_statistics", []any{address, period}, &reply)
}

// GetProcessStatistics is supvisors.get_process_statistics: the statistics
// over period of every running copy of the processes a namespec names, each
// with its descendants. BAD_NAME, BAD_ARGUMENTS (a period that is not
// configured).
func (s Supvisors) GetProcessStatistics(ctx context.Context, namespec string, period int) ([]api.ProcessStatistics, error) {
	var reply []api.ProcessStatistics
	return reply, s.c.Call(ctx, "supvisors.get_process_statistics", []any{namespec, period}, &reply)
}

// GetApplicationRules is supvisors.get_application_rules: the rules of an
// application. BAD_NAME.
func (s Supvisors) GetApplicationRules(ctx context.Context, application string) (api.ApplicationRules, error) {
	var reply api.ApplicationRules
	return reply, s.c.Call(ctx, "supvisors.get_application_rules", []any{application}, &reply)
}

// GetProcessRules is supvisors.get_process_rules: the rules of the
// processes a namespec names. BAD_NAME.
func (s Supvisors) GetProcessRules(ctx context.Context, namespec string) ([]api.ProcessRules, error) {
	var reply []api.ProcessRules
	return reply, s.c.Call(ctx, "supvisors.get_process_rules", []any{namespec}, &reply)
}

// StartApplication is supvisors.start_application: starts an application
// by its rules, placing its processes with strategy. false when it has
// nothing to start. BAD_STRATEGY, BAD_NAME, ALREADY_STARTED (not STOPPED),
// ABNORMAL_TERMINATION.
func (s Supvisors) StartApplication(ctx context.Context, strategy enums.StartingStrategy, application string, wait bool) (bool, error) {
	return s.boolean(ctx, "start_application", int(strategy), application, wait)
}

// StopApplication is supvisors.stop_application: stops an application
// wherever its processes run. BAD_NAME, NOT_RUNNING (STOPPED).
func (s Supvisors) StopApplication(ctx context.Context, application string, wait bool) (bool, error) {
	return s.boolean(ctx, "stop_application", application, wait)
}

// RestartApplication is supvisors.restart_application: stops then starts
// an application with strategy. BAD_STRATEGY, BAD_NAME,
// ABNORMAL_TERMINATION.
func (s Supvisors) RestartApplication(ctx context.Context, strategy enums.StartingStrategy, application string, wait bool) (bool, error) {
	return s.boolean(ctx, "restart_application", int(strategy), application, wait)
}

// StartArgs is supvisors.start_args: starts a process of the answering
// node with extraArgs ("" for none) appended to its command line; a
// process that cannot be started is left FATAL. No state gate. BAD_NAME,
// BAD_EXTRA_ARGUMENTS (extra arguments for a program that is required, has
// a start sequence or restarts automatically), ALREADY_STARTED, NO_FILE,
// ABNORMAL_TERMINATION.
func (s Supvisors) StartArgs(ctx context.Context, namespec, extraArgs string, wait bool) (bool, error) {
	return s.boolean(ctx, "start_args", namespec, extraArgs, wait)
}

// StartProcess is supvisors.start_process: starts the processes a
// namespec names where strategy places them, with extraArgs ("" for none)
// appended to their command lines. BAD_STRATEGY, BAD_NAME, ALREADY_STARTED,
// ABNORMAL_TERMINATION.
func (s Supvisors) StartProcess(ctx context.Context, strategy enums.StartingStrategy, namespec, extraArgs string, wait bool) (bool, error) {
	return s.boolean(ctx, "start_process", int(strategy), namespec, extraArgs, wait)
}

// StopProcess is supvisors.stop_process: stops the processes a namespec
// names wherever they run. BAD_NAME, NOT_RUNNING (none runs).
func (s Supvisors) StopProcess(ctx context.Context, namespec string, wait bool) (bool, error) {
	return s.boolean(ctx, "stop_process", namespec, wait)
}

// RestartProcess is supvisors.restart_process: stops then starts the
// processes a namespec names with strategy. BAD_STRATEGY, BAD_NAME,
// ABNORMAL_TERMINATION.
func (s Supvisors) RestartProcess(ctx context.Context, strategy enums.StartingStrategy, namespec string, wait bool) (bool, error) {
	return s.boolean(ctx, "restart_process", int(strategy), namespec, wait)
}

// Conciliate is supvisors.conciliate: applies strategy to the conflicts,
// in CONCILIATION only. true once under way, false for ConciliateUser
// (which leaves them to an operator). BAD_STRATEGY.
func (s Supvisors) Conciliate(ctx context.Context, strategy enums.ConciliationStrategy) (bool, error) {
	return s.boolean(ctx, "conciliate", int(strategy))
}

// Restart is supvisors.restart: stops every application, then restarts
// every agent of the cluster.
func (s Supvisors) Restart(ctx context.Context) (bool, error) {
	return s.boolean(ctx, "restart")
}

// Shutdown is supvisors.shutdown: stops every application, then every
// agent of the cluster.
func (s Supvisors) Shutdown(ctx context.Context) (bool, error) {
	return s.boolean(ctx, "shutdown")
}
