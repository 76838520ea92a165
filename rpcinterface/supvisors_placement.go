package rpcinterface

import (
	"context"
	"maps"
	"net/http"
	"regexp"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/cluster"
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// The methods of later Supvisors releases: the local view (0.2), the dry
// runs of the starts, start_any_process.

// localProcessInfo is the local view of p.
func localProcessInfo(p *process.Process) api.LocalProcessInfo {
	info := p.Info()
	return api.LocalProcessInfo{
		Group: info.Group, Name: info.Name, State: info.State,
		Start: unixOrZero(info.Start), Now: info.Now.Unix(), PID: info.PID,
		Description: info.Description, Expected: info.Expected, SpawnErr: info.SpawnErr,
		ExtraArgs: info.ExtraArgs,
	}
}

// GetAllLocalProcessInfo describes every process of this node's own
// supervisor, by group then name (no state gate: the local supervisor
// answers in every state of the cluster).
func (s *SupvisorsService) GetAllLocalProcessInfo(_ *http.Request, _ *xmlrpc.NoArgs, reply *[]api.LocalProcessInfo) error {
	procs := s.cluster.LocalProcesses()
	out := make([]api.LocalProcessInfo, len(procs))
	for i, p := range procs {
		out[i] = localProcessInfo(p)
	}
	*reply = out
	return nil
}

// GetLocalProcessInfo describes one process of this node's own supervisor:
// BAD_NAME when it has no such process (or for a whole group, "g:*").
func (s *SupvisorsService) GetLocalProcessInfo(_ *http.Request, args *NamespecArgs, reply *api.LocalProcessInfo) error {
	group, name, whole := splitNamespec(args.Namespec)
	p := s.cluster.LocalProcess(view.Key{Group: group, Name: name})
	if whole || p == nil {
		return fault.New(fault.BadName, args.Namespec)
	}
	*reply = localProcessInfo(p)
	return nil
}

// plannedStarts is the dry runs' reply.
func plannedStarts(plan []cluster.PlannedStart) []api.PlannedStart {
	out := make([]api.PlannedStart, len(plan))
	for i, p := range plan {
		out[i] = api.PlannedStart{ApplicationName: p.Key.Group, ProcessName: p.Key.Name,
			StartSequence: p.StartSequence, Address: p.Address, Loading: p.Loading}
	}
	return out
}

// TestStartApplicationArgs are test_start_application's parameters.
type TestStartApplicationArgs struct {
	Strategy        any
	ApplicationName string
}

// TestStartApplication is the dry run of start_application: the starts it
// would make, in start order, each with its address ("" where none can
// take it), placed by the master over its view as it is, by the code the
// start places with; nothing changes. The gate and faults of
// start_application.
func (s *SupvisorsService) TestStartApplication(r *http.Request, args *TestStartApplicationArgs, reply *[]api.PlannedStart) error {
	p, err := s.parseStarting(args.Strategy)
	if err != nil {
		return err
	}
	*reply = []api.PlannedStart{}
	return s.control(r, inOperation, startableApplication(args.ApplicationName), "supvisors.test_start_application",
		[]any{forwarded(p), args.ApplicationName}, reply, func(context.Context) error {
			plan, err := s.cluster.PlanApplication(p, args.ApplicationName)
			*reply = plannedStarts(plan)
			return err
		})
}

// TestStartProcessArgs are test_start_process' parameters.
type TestStartProcessArgs struct {
	Strategy any
	Namespec string
}

// TestStartProcess is the dry run of start_process (one process, or "g:*"),
// as TestStartApplication is of start_application.
func (s *SupvisorsService) TestStartProcess(r *http.Request, args *TestStartProcessArgs, reply *[]api.PlannedStart) error {
	p, err := s.parseStarting(args.Strategy)
	if err != nil {
		return err
	}
	var keys []view.Key
	*reply = []api.PlannedStart{}
	return s.control(r, inOperation, startableProcesses(args.Namespec, &keys), "supvisors.test_start_process",
		[]any{forwarded(p), args.Namespec}, reply, func(context.Context) error {
			plan, err := s.cluster.PlanProcesses(p, keys)
			*reply = plannedStarts(plan)
			return err
		})
}

// StartAnyProcessArgs are start_any_process' parameters.
type StartAnyProcessArgs struct {
	Strategy  any
	Regex     string
	ExtraArgs string `xmlrpc:"extra_args,optional"`
	Wait      bool   `xmlrpc:"wait,optional" default:"true"`
}

// StartAnyProcess starts the first stopped process (by application, then
// name) whose namespec "application:name" the regular expression matches
// (anywhere: anchor it with ^ and $), with a strategy, and returns that
// namespec; a disabled one is passed over. BAD_ARGUMENTS for an invalid
// expression, BAD_NAME when no process matches, FAILED when every one that
// matches is disabled, runs or is being started.
func (s *SupvisorsService) StartAnyProcess(r *http.Request, args *StartAnyProcessArgs, reply *string) error {
	p, err := s.parseStarting(args.Strategy)
	if err != nil {
		return err
	}
	re, err := regexp.Compile(args.Regex)
	if err != nil {
		return fault.Newf(fault.BadArguments, "invalid regular expression %q: %v", args.Regex, err)
	}
	var keys []view.Key
	check := func(v *view.View) error {
		matched := false
		for _, proc := range v.Processes() {
			if k := proc.Key(); re.MatchString(k.Namespec()) {
				matched = true
				if !disabledEverywhere(proc) {
					keys = append(keys, k)
				}
			}
		}
		switch {
		case !matched:
			return fault.Newf(fault.BadName, "no process matches %q", args.Regex)
		case len(keys) == 0:
			return fault.Newf(fault.Failed, "every process that matches %q is disabled", args.Regex)
		}
		return nil
	}
	return s.control(r, inOperation, check, "supvisors.start_any_process",
		[]any{forwarded(p), args.Regex, args.ExtraArgs, args.Wait}, reply, func(ctx context.Context) error {
			k, err := s.cluster.StartAny(ctx, p, keys, args.ExtraArgs, args.Wait)
			*reply = k.Namespec()
			return err
		})
}

// The help of the methods above, with the namespace's.
func init() { maps.Copy(supvisorsHelp, placementHelp) }

var placementHelp = map[string]string{
	"supvisors.get_all_local_process_info": "Describe every process of this node's own supervisor (Supvisors 0.2).\n@return array of struct {string group, string name, int state, int start, int now, int pid, string description, boolean expected, string spawnerr, string extra_args}",
	"supvisors.get_local_process_info":     "Describe one process of this node's own supervisor (Supvisors 0.2).\n@param string namespec name or group:name\n@return struct {string group, string name, int state, int start, int now, int pid, string description, boolean expected, string spawnerr, string extra_args}",
	"supvisors.test_start_application":     "Dry run of start_application: where each process it would start goes, in start order, with nothing started.\n@param int strategy code or name\n@param string application_name\n@return array of struct {string application_name, string process_name, int start_sequence, string address ('' where no address can take it), int loading}",
	"supvisors.test_start_process":         "Dry run of start_process: where each process would go, with nothing started.\n@param int strategy code or name\n@param string namespec name, group:name or group:*\n@return array of struct {string application_name, string process_name, int start_sequence, string address ('' where no address can take it), int loading}",
	"supvisors.start_any_process":          "Start the first stopped process (not disabled) whose namespec (application:name) matches a regular expression, with a starting strategy.\n@param int strategy code or name\n@param string regex matched anywhere in the namespec (anchor it with ^ and $)\n@param string extra_args\n@param boolean wait wait for the process to be started\n@return string the namespec started",
}
