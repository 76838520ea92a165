package rpcinterface

import (
	"context"
	"net/http"
	"time"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// StartArgs are startProcess' and stopProcess' parameters.
type StartArgs struct {
	Name string
	Wait bool `xmlrpc:"wait,optional" default:"true"`
}

// WaitArgs is the single optional wait parameter.
type WaitArgs struct {
	Wait bool `xmlrpc:"wait,optional" default:"true"`
}

// SignalArgs are signalProcess' parameters.
type SignalArgs struct {
	Name   string
	Signal string
}

// SignalAllArgs is signalAllProcesses' parameter.
type SignalAllArgs struct {
	Signal string
}

// StdinArgs are sendProcessStdin's parameters.
type StdinArgs struct {
	Name  string
	Chars string
}

// CommEventArgs are sendRemoteCommEvent's parameters.
type CommEventArgs struct {
	Type string
	Data string
}

func processInfoReply(info process.Info) api.ProcessInfo {
	return api.ProcessInfo{
		Name:          info.Name,
		Group:         info.Group,
		Start:         unixOrZero(info.Start),
		Stop:          unixOrZero(info.Stop),
		Now:           info.Now.Unix(),
		State:         info.State,
		StateName:     info.State.String(),
		SpawnErr:      info.SpawnErr,
		ExitStatus:    info.ExitStatus,
		Logfile:       info.StdoutLogfile,
		StdoutLogfile: info.StdoutLogfile,
		StderrLogfile: info.StderrLogfile,
		PID:           info.PID,
		Description:   info.Description,
	}
}

// GetProcessInfo returns the state of one process.
func (s *SupervisorService) GetProcessInfo(_ *http.Request, args *NameArgs, reply *api.ProcessInfo) error {
	if err := s.checkState(); err != nil {
		return err
	}
	p, err := s.lookupProcess(args.Name)
	if err != nil {
		return err
	}
	*reply = processInfoReply(p.Info())
	return nil
}

// GetAllProcessInfo returns the state of every process, sorted by group then
// process name.
func (s *SupervisorService) GetAllProcessInfo(_ *http.Request, _ *xmlrpc.NoArgs, reply *[]api.ProcessInfo) error {
	if err := s.checkState(); err != nil {
		return err
	}
	procs := s.sup.Processes()
	out := make([]api.ProcessInfo, len(procs))
	for i, p := range procs {
		out[i] = processInfoReply(p.Info())
	}
	*reply = out
	return nil
}

// StartProcess starts one process, or a whole group for "g:*" (then the reply
// is startProcessGroup's array).
func (s *SupervisorService) StartProcess(r *http.Request, args *StartArgs, reply *any) error {
	return s.forNamespec(args.Name, reply,
		func(p *process.Process) error { return startOne(r.Context(), p, args.Wait) },
		func(procs []*process.Process) []api.StatusResult { return startAll(r.Context(), procs, args.Wait) })
}

// StartProcessGroup starts every process of a group that is not running.
func (s *SupervisorService) StartProcessGroup(r *http.Request, args *StartArgs, reply *[]api.StatusResult) error {
	return s.forGroup(args.Name, reply,
		func(procs []*process.Process) []api.StatusResult { return startAll(r.Context(), procs, args.Wait) })
}

// StartAllProcesses starts every process that is not running, in priority
// order.
func (s *SupervisorService) StartAllProcesses(r *http.Request, args *WaitArgs, reply *[]api.StatusResult) error {
	if err := s.checkState(); err != nil {
		return err
	}
	*reply = startAll(r.Context(), s.byPriority(), args.Wait)
	return nil
}

// StopProcess stops one process, or a whole group for "g:*".
func (s *SupervisorService) StopProcess(r *http.Request, args *StartArgs, reply *any) error {
	return s.forNamespec(args.Name, reply,
		func(p *process.Process) error { return stopOne(r.Context(), p, args.Wait) },
		func(procs []*process.Process) []api.StatusResult { return stopAll(r.Context(), procs, args.Wait) })
}

// StopProcessGroup stops every running process of a group.
func (s *SupervisorService) StopProcessGroup(r *http.Request, args *StartArgs, reply *[]api.StatusResult) error {
	return s.forGroup(args.Name, reply,
		func(procs []*process.Process) []api.StatusResult { return stopAll(r.Context(), procs, args.Wait) })
}

// StopAllProcesses stops every running process, in priority order as
// supervisord does (only its own shutdown stops in reverse order).
func (s *SupervisorService) StopAllProcesses(r *http.Request, args *WaitArgs, reply *[]api.StatusResult) error {
	if err := s.checkState(); err != nil {
		return err
	}
	*reply = stopAll(r.Context(), s.byPriority(), args.Wait)
	return nil
}

// SignalProcess sends a signal (name or number) to one process, or to a whole
// group for "g:*".
func (s *SupervisorService) SignalProcess(_ *http.Request, args *SignalArgs, reply *any) error {
	return s.forNamespec(args.Name, reply,
		func(p *process.Process) error { return signalOne(p, args.Signal) },
		func(procs []*process.Process) []api.StatusResult { return signalAll(procs, args.Signal) })
}

// SignalProcessGroup signals every signallable process of a group.
func (s *SupervisorService) SignalProcessGroup(_ *http.Request, args *SignalArgs, reply *[]api.StatusResult) error {
	return s.forGroup(args.Name, reply,
		func(procs []*process.Process) []api.StatusResult { return signalAll(procs, args.Signal) })
}

// SignalAllProcesses signals every signallable process.
func (s *SupervisorService) SignalAllProcesses(_ *http.Request, args *SignalAllArgs, reply *[]api.StatusResult) error {
	if err := s.checkState(); err != nil {
		return err
	}
	*reply = signalAll(s.byPriority(), args.Signal)
	return nil
}

// forNamespec runs one on the process namespec names, replying true, or all
// on its group's processes for "g:*", replying their results: how
// startProcess, stopProcess and signalProcess forward to their group method.
func (s *SupervisorService) forNamespec(namespec string, reply *any,
	one func(*process.Process) error, all func([]*process.Process) []api.StatusResult) error {
	if err := s.checkState(); err != nil {
		return err
	}
	g, p, err := s.lookup(namespec)
	if err != nil {
		return err
	}
	if p == nil {
		*reply = all(g.Processes())
		return nil
	}
	if err := one(p); err != nil {
		return err
	}
	*reply = true
	return nil
}

// forGroup runs all on the processes of the active group name.
func (s *SupervisorService) forGroup(name string, reply *[]api.StatusResult, all func([]*process.Process) []api.StatusResult) error {
	if err := s.checkState(); err != nil {
		return err
	}
	g := s.sup.Group(name)
	if g == nil {
		return fault.New(fault.BadName, name)
	}
	*reply = all(g.Processes())
	return nil
}

// SendProcessStdin writes chars to a process's standard input.
func (s *SupervisorService) SendProcessStdin(_ *http.Request, args *StdinArgs, reply *bool) error {
	if err := s.checkState(); err != nil {
		return err
	}
	p, err := s.lookupProcess(args.Name)
	if err != nil {
		return err
	}
	if err := p.WriteStdin([]byte(args.Chars)); err != nil {
		return err
	}
	*reply = true
	return nil
}

// SendRemoteCommEvent notifies a REMOTE_COMMUNICATION event to the event
// listeners.
func (s *SupervisorService) SendRemoteCommEvent(_ *http.Request, args *CommEventArgs, reply *bool) error {
	s.sup.SendRemoteCommEvent(args.Type, args.Data)
	*reply = true
	return nil
}

// byPriority is supervisord's _getAllProcesses(lexical=False): groups by
// priority (then in the order they were added), processes by priority.
func (s *SupervisorService) byPriority() []*process.Process {
	var out []*process.Process
	for _, g := range s.sup.GroupsByPriority() {
		out = append(out, g.Processes()...)
	}
	return out
}

func startOne(ctx context.Context, p *process.Process, wait bool) error {
	return finish(startDeferred(ctx, p, wait))
}

func stopOne(ctx context.Context, p *process.Process, wait bool) error {
	return finish(stopDeferred(ctx, p, wait))
}

// finish runs what startDeferred or stopDeferred left to wait for.
func finish(wait func() error, err error) error {
	if err != nil || wait == nil {
		return err
	}
	return wait()
}

// startDeferred is startProcess up to where Supervisor defers its reply: it
// returns a function waiting for the outcome only when wait is asked and the
// process is not RUNNING yet.
func startDeferred(ctx context.Context, p *process.Process, wait bool) (func() error, error) {
	if err := p.Start(""); err != nil {
		return nil, err
	}
	if !wait || p.State() == enums.ProcessRunning {
		return nil, nil
	}
	return func() error { return p.WaitStarted(ctx) }, nil
}

// stopDeferred is stopProcess' counterpart of startDeferred.
func stopDeferred(ctx context.Context, p *process.Process, wait bool) (func() error, error) {
	if err := p.Stop(); err != nil {
		return nil, err
	}
	if !wait || p.State().IsStopped() {
		return nil, nil
	}
	return func() error { return p.WaitStopped(ctx) }, nil
}

func signalOne(p *process.Process, name string) error {
	sig, err := config.ParseSignal(name)
	if err != nil {
		return fault.New(fault.BadSignal, name)
	}
	return p.Signal(sig)
}

// startAll and stopAll are Supervisor's make_allfunc: act on every process
// the predicate selects at once, then wait for those not done yet; outcomes
// known at once come first, in list order, the others as they complete.
func startAll(ctx context.Context, procs []*process.Process, wait bool) []api.StatusResult {
	return allProcesses(procs,
		func(p *process.Process) bool { return !p.State().IsRunning() },
		func(p *process.Process) (func() error, error) { return startDeferred(ctx, p, wait) })
}

func stopAll(ctx context.Context, procs []*process.Process, wait bool) []api.StatusResult {
	return allProcesses(procs,
		func(p *process.Process) bool { return p.State().IsRunning() },
		func(p *process.Process) (func() error, error) { return stopDeferred(ctx, p, wait) })
}

func signalAll(procs []*process.Process, name string) []api.StatusResult {
	return allProcesses(procs,
		func(p *process.Process) bool { return p.State().IsSignallable() },
		func(p *process.Process) (func() error, error) { return nil, signalOne(p, name) })
}

// allProcesses runs act on every selected process in order; act returns an
// immediate error or a function that waits for the outcome. Waits run
// concurrently; like Supervisor's polling of its callbacks, each time one
// completes the pending ones are scanned in list order, so results come in
// completion order with ties in list order.
func allProcesses(procs []*process.Process, selected func(*process.Process) bool,
	act func(*process.Process) (func() error, error)) []api.StatusResult {
	type pending struct {
		p    *process.Process
		done chan error
	}
	results := []api.StatusResult{}
	var waiting []pending
	completed := make(chan struct{}, len(procs))
	for _, p := range procs {
		if !selected(p) {
			continue
		}
		wait, err := act(p)
		if err != nil || wait == nil {
			results = append(results, statusResult(p, err))
			continue
		}
		w := pending{p: p, done: make(chan error, 1)}
		waiting = append(waiting, w)
		go func() {
			w.done <- wait()
			completed <- struct{}{}
		}()
	}
	for len(waiting) > 0 {
		<-completed
		still := waiting[:0]
		for _, w := range waiting {
			select {
			case err := <-w.done:
				results = append(results, statusResult(w.p, err))
			default:
				still = append(still, w)
			}
		}
		waiting = still
	}
	return results
}

func statusResult(p *process.Process, err error) api.StatusResult {
	res := api.StatusResult{Name: p.Name(), Group: p.Group(), Status: fault.Success, Description: "OK"}
	if err != nil {
		f := fault.From(err)
		res.Status = f.Code
		res.Description = f.String
	}
	return res
}

// unixOrZero is t in epoch seconds, 0 for a time that never happened.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
