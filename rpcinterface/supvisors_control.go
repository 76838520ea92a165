package rpcinterface

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/cluster"
	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/strategy"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// Forwarder calls method with params on the agent of address and decodes
// its reply: how a node that is not the master hands a control request to
// the master. Safe for concurrent use.
type Forwarder func(ctx context.Context, address, method string, params []any, reply any) error

// StrategyApplicationArgs are start_application's and restart_application's
// parameters. Strategy is the code or the name.
type StrategyApplicationArgs struct {
	Strategy        any
	ApplicationName string
	Wait            bool `xmlrpc:"wait,optional" default:"true"`
}

// ApplicationWaitArgs are stop_application's parameters.
type ApplicationWaitArgs struct {
	ApplicationName string
	Wait            bool `xmlrpc:"wait,optional" default:"true"`
}

// StartArgsArgs are start_args' parameters.
type StartArgsArgs struct {
	Namespec  string
	ExtraArgs string `xmlrpc:"extra_args,optional"`
	Wait      bool   `xmlrpc:"wait,optional" default:"true"`
}

// StartProcessArgs are start_process' parameters.
type StartProcessArgs struct {
	Strategy  any
	Namespec  string
	ExtraArgs string `xmlrpc:"extra_args,optional"`
	Wait      bool   `xmlrpc:"wait,optional" default:"true"`
}

// StrategyNamespecArgs are restart_process' parameters.
type StrategyNamespecArgs struct {
	Strategy any
	Namespec string
	Wait     bool `xmlrpc:"wait,optional" default:"true"`
}

// NamespecWaitArgs are stop_process' parameters.
type NamespecWaitArgs struct {
	Namespec string
	Wait     bool `xmlrpc:"wait,optional" default:"true"`
}

// parseStarting reads a strategy argument, its wire code or its name, for
// a request received by the local node. A request forwarded to the master
// names LOCAL as "LOCAL:address" (the node that received it).
func (s *SupvisorsService) parseStarting(arg any) (strategy.Placement, error) {
	p := strategy.Placement{Local: s.cluster.Local()}
	switch v := arg.(type) {
	case int:
		if s, ok := enums.StartingFromCode(v); ok {
			p.Strategy = s
			return p, nil
		}
	case string:
		name, address, pinned := strings.Cut(v, ":")
		if st, err := enums.ParseStarting(name); err == nil && (!pinned || st == enums.StartLocal && slices.Contains(s.cluster.AddressList(), address)) {
			p.Strategy = st
			if pinned {
				p.Local = address
			}
			return p, nil
		}
	}
	return p, fault.New(fault.BadStrategy, fmt.Sprint(arg))
}

// forwarded is how a placement travels to the master: its code, or LOCAL
// with the address it means.
func forwarded(p strategy.Placement) any {
	if p.Strategy == enums.StartLocal {
		return "LOCAL:" + p.Local
	}
	return int(p.Strategy)
}

// The state gates of the spec's "@throws BAD_SUPVISORS_STATE".
var (
	inOperation              = []enums.SupvisorsState{enums.SupvisorsOperation}
	inOperationOrConciliaton = []enums.SupvisorsState{enums.SupvisorsOperation, enums.SupvisorsConciliation}
	inConciliation           = []enums.SupvisorsState{enums.SupvisorsConciliation}
)

// gate checks the local state is one of states.
func gate(v *view.View, states []enums.SupvisorsState) error {
	for _, st := range states {
		if v.State() == st {
			return nil
		}
	}
	return fault.New(fault.BadSupvisorsState, "Supvisors is in state "+v.State().String())
}

// localGate is the gate a node checks before it forwards a request to the
// master, which checks states itself: a node whose view lags may see a
// conflict for a moment where there is none (a copy's start gossiped before
// another copy's stop), and refusing OPERATION-only requests then would
// fail them for nothing.
func localGate(states []enums.SupvisorsState, master bool) []enums.SupvisorsState {
	if !master && slices.Equal(states, inOperation) {
		return inOperationOrConciliaton
	}
	return states
}

// control checks the gate on this node, then has the master check the
// request (check) and carry it out (act): here, or forwarded as method
// with params to the master, whose reply goes in reply.
func (s *SupvisorsService) control(r *http.Request, states []enums.SupvisorsState, check func(v *view.View) error,
	method string, params []any, reply any, act func(ctx context.Context) error) error {
	var master string
	err := func() (err error) {
		s.cluster.Read(func(v *view.View) {
			master = v.Master()
			err = gate(v, localGate(states, master == s.cluster.Local()))
			// The names and the states of the processes are checked by
			// the master, whose view is the freshest (it follows every
			// change directly): another node may lag a gossip round.
			if err == nil && check != nil && master == s.cluster.Local() {
				err = check(v)
			}
		})
		return err
	}()
	if err != nil {
		return err
	}
	if master == s.cluster.Local() {
		err = act(r.Context())
	} else {
		err = s.forward(r.Context(), master, method, params, reply)
	}
	switch {
	case errors.Is(err, cluster.ErrNotMaster):
		return fault.New(fault.BadSupvisorsState, "the master changed, try again")
	case errors.Is(err, cluster.ErrNoQuorum):
		return fault.New(fault.BadSupvisorsState, err.Error())
	}
	return err
}

// forward sends a control request to the master.
func (s *SupvisorsService) forward(ctx context.Context, master, method string, params []any, reply any) error {
	if s.forwarder == nil {
		return fault.Newf(fault.Failed, "cannot reach the master %s: no inet_http_server", master)
	}
	return s.forwarder(ctx, master, method, params, reply)
}

// application checks app is known.
func application(v *view.View, app string) (view.ApplicationInfo, error) {
	info, ok := v.Application(app)
	if !ok {
		return info, fault.New(fault.BadName, app)
	}
	return info, nil
}

// GetApplicationRules returns the rules of an application.
func (s *SupvisorsService) GetApplicationRules(_ *http.Request, args *ApplicationArgs, reply *api.ApplicationRules) error {
	return s.readDeployed(func(v *view.View) error {
		if _, err := application(v, args.ApplicationName); err != nil {
			return err
		}
		r := s.cluster.Rules().Application(args.ApplicationName)
		*reply = api.ApplicationRules{
			ApplicationName:         args.ApplicationName,
			StartSequence:           r.StartSequence,
			StopSequence:            r.StopSequence,
			StartingFailureStrategy: r.StartingFailure.String(),
			RunningFailureStrategy:  r.RunningFailure.String(),
		}
		return nil
	})
}

// GetProcessRules returns the rules of the processes a namespec names.
func (s *SupvisorsService) GetProcessRules(_ *http.Request, args *NamespecArgs, reply *[]api.ProcessRules) error {
	return s.readDeployed(func(v *view.View) error {
		procs, err := lookupProcesses(v, args.Namespec)
		if err != nil {
			return err
		}
		out := make([]api.ProcessRules, len(procs))
		for i, p := range procs {
			r := s.cluster.Rules().Program(p.Group, p.Name)
			out[i] = api.ProcessRules{
				ApplicationName: p.Group, ProcessName: p.Name,
				Addresses:     nonNil(s.cluster.RuleAddresses(p.Key())),
				StartSequence: r.StartSequence, StopSequence: r.StopSequence,
				Required: r.Required, WaitExit: r.WaitExit,
				Loading: r.Loading, ExpectedLoading: r.Loading,
				RunningFailureStrategy: r.RunningFailure.String(),
			}
		}
		*reply = out
		return nil
	})
}

// StartApplication starts an application with a strategy. It answers false
// when the application has nothing to start (every program of
// start_sequence 0).
func (s *SupvisorsService) StartApplication(r *http.Request, args *StrategyApplicationArgs, reply *bool) error {
	st, err := s.parseStarting(args.Strategy)
	if err != nil {
		return err
	}
	*reply = true
	return s.control(r, inOperation, startableApplication(args.ApplicationName), "supvisors.start_application",
		[]any{forwarded(st), args.ApplicationName, args.Wait}, reply, func(ctx context.Context) error {
			started, err := s.cluster.StartApplication(ctx, st, args.ApplicationName, args.Wait)
			*reply = started
			return err
		})
}

// startableApplication is the master's check of a start of app (and of
// its dry run): BAD_NAME, or ALREADY_STARTED unless it is STOPPED.
func startableApplication(app string) func(v *view.View) error {
	return func(v *view.View) error {
		state, ok := v.ApplicationState(app)
		switch {
		case !ok:
			return fault.New(fault.BadName, app)
		case state != enums.ApplicationStopped:
			return fault.New(fault.AlreadyStarted, app)
		}
		return nil
	}
}

// StopApplication stops an application.
func (s *SupvisorsService) StopApplication(r *http.Request, args *ApplicationWaitArgs, reply *bool) error {
	check := func(v *view.View) error {
		info, err := application(v, args.ApplicationName)
		if err == nil && info.State == enums.ApplicationStopped {
			err = fault.New(fault.NotRunning, args.ApplicationName)
		}
		return err
	}
	*reply = true
	return s.control(r, inOperationOrConciliaton, check, "supvisors.stop_application",
		[]any{args.ApplicationName, args.Wait}, reply, func(ctx context.Context) error {
			return s.cluster.StopApplication(ctx, args.ApplicationName, args.Wait)
		})
}

// RestartApplication stops then starts an application with a strategy.
func (s *SupvisorsService) RestartApplication(r *http.Request, args *StrategyApplicationArgs, reply *bool) error {
	st, err := s.parseStarting(args.Strategy)
	if err != nil {
		return err
	}
	check := func(v *view.View) error {
		_, err := application(v, args.ApplicationName)
		return err
	}
	*reply = true
	return s.control(r, inOperation, check, "supvisors.restart_application",
		[]any{forwarded(st), args.ApplicationName, args.Wait}, reply, func(ctx context.Context) error {
			return s.cluster.RestartApplication(ctx, st, args.ApplicationName, args.Wait)
		})
}

// StartArgs starts a local process with extra arguments (no state gate:
// the master uses it while it deploys).
func (s *SupvisorsService) StartArgs(r *http.Request, args *StartArgsArgs, reply *bool) error {
	group, name, whole := splitNamespec(args.Namespec)
	if whole {
		return fault.New(fault.BadName, args.Namespec)
	}
	err := s.cluster.StartArgs(r.Context(), view.Key{Group: group, Name: name}, args.ExtraArgs, args.Wait)
	var f *fault.Fault
	if errors.As(err, &f) && f.Detail() == group+":"+name {
		return fault.New(f.Code, args.Namespec) // the name as the caller wrote it
	}
	if err != nil {
		return err
	}
	*reply = true
	return nil
}

// targets resolves a namespec to the keys of its processes.
func targets(v *view.View, namespec string) ([]view.Key, []view.ProcessInfo, error) {
	procs, err := lookupProcesses(v, namespec)
	keys := make([]view.Key, len(procs))
	for i, p := range procs {
		keys[i] = p.Key()
	}
	return keys, procs, err
}

// StartProcess starts the processes a namespec names with a strategy.
func (s *SupvisorsService) StartProcess(r *http.Request, args *StartProcessArgs, reply *bool) error {
	st, err := s.parseStarting(args.Strategy)
	if err != nil {
		return err
	}
	var keys []view.Key
	*reply = true
	return s.control(r, inOperation, startableProcesses(args.Namespec, &keys), "supvisors.start_process",
		[]any{forwarded(st), args.Namespec, args.ExtraArgs, args.Wait}, reply, func(ctx context.Context) error {
			return s.cluster.StartProcesses(ctx, st, keys, args.ExtraArgs, args.Wait)
		})
}

// startableProcesses is the master's check of a start of the processes
// namespec names (and of its dry run), which it puts in keys: BAD_NAME,
// ALREADY_STARTED when one of them runs somewhere, DISABLED when one is
// disabled everywhere.
func startableProcesses(namespec string, keys *[]view.Key) func(v *view.View) error {
	return func(v *view.View) error {
		var procs []view.ProcessInfo
		var err error
		if *keys, procs, err = targets(v, namespec); err != nil {
			return err
		}
		for _, p := range procs {
			if len(p.Addresses) > 0 {
				return fault.New(fault.AlreadyStarted, p.Key().Namespec())
			}
			if disabledEverywhere(p) {
				return fault.New(fault.Disabled, p.Key().Namespec())
			}
		}
		return nil
	}
}

// StopProcess stops the processes a namespec names wherever they run:
// NOT_RUNNING when none of them runs.
func (s *SupvisorsService) StopProcess(r *http.Request, args *NamespecWaitArgs, reply *bool) error {
	var keys []view.Key
	check := func(v *view.View) error {
		var procs []view.ProcessInfo
		var err error
		if keys, procs, err = targets(v, args.Namespec); err != nil {
			return err
		}
		for _, p := range procs {
			if len(p.Addresses) > 0 {
				return nil
			}
		}
		return fault.New(fault.NotRunning, args.Namespec)
	}
	*reply = true
	return s.control(r, inOperationOrConciliaton, check, "supvisors.stop_process",
		[]any{args.Namespec, args.Wait}, reply, func(ctx context.Context) error {
			return s.cluster.StopProcesses(ctx, keys, args.Wait)
		})
}

// RestartProcess stops then starts the processes a namespec names.
func (s *SupvisorsService) RestartProcess(r *http.Request, args *StrategyNamespecArgs, reply *bool) error {
	st, err := s.parseStarting(args.Strategy)
	if err != nil {
		return err
	}
	var keys []view.Key
	check := func(v *view.View) (err error) {
		keys, _, err = targets(v, args.Namespec)
		return err
	}
	*reply = true
	return s.control(r, inOperation, check, "supvisors.restart_process",
		[]any{forwarded(st), args.Namespec, args.Wait}, reply, func(ctx context.Context) error {
			return s.cluster.RestartProcesses(ctx, st, keys, args.Wait)
		})
}

// ConciliationArgs is conciliate's parameter: the strategy's code or name.
type ConciliationArgs struct {
	Strategy any
}

// Conciliate applies a conciliation strategy to the conflicts, in
// CONCILIATION only: true once it is under way, false for USER (which
// leaves them to an operator).
func (s *SupvisorsService) Conciliate(r *http.Request, args *ConciliationArgs, reply *bool) error {
	var st enums.ConciliationStrategy
	ok := false
	switch v := args.Strategy.(type) {
	case int:
		st, ok = enums.ConciliationFromCode(v)
	case string:
		var err error
		st, err = enums.ParseConciliation(v)
		ok = err == nil
	}
	if !ok {
		return fault.New(fault.BadStrategy, fmt.Sprint(args.Strategy))
	}
	return s.control(r, inConciliation, nil, "supvisors.conciliate", []any{int(st)}, reply, func(context.Context) error {
		var err error
		*reply, err = s.cluster.Conciliate(st)
		return err
	})
}

// Restart stops every application, then restarts every agent.
func (s *SupvisorsService) Restart(r *http.Request, _ *xmlrpc.NoArgs, reply *bool) error {
	return s.stopAll(r, true, reply)
}

// Shutdown stops every application, then every agent.
func (s *SupvisorsService) Shutdown(r *http.Request, _ *xmlrpc.NoArgs, reply *bool) error {
	return s.stopAll(r, false, reply)
}

func (s *SupvisorsService) stopAll(r *http.Request, restart bool, reply *bool) error {
	method := map[bool]string{true: "supvisors.restart", false: "supvisors.shutdown"}[restart]
	*reply = true
	return s.control(r, deployed, nil, method, []any{}, reply, func(context.Context) error {
		return s.cluster.StopAll(restart)
	})
}

// deployed is the gate of restart() and shutdown(): past INITIALIZATION.
var deployed = []enums.SupvisorsState{enums.SupvisorsDeployment, enums.SupvisorsOperation, enums.SupvisorsConciliation, enums.SupvisorsRestarting, enums.SupvisorsShuttingDown}
