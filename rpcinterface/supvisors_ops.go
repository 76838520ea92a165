package rpcinterface

import (
	"context"
	"maps"
	"net/http"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/fault"
)

// The operations beyond Supvisors 0.1 that change programs at run time
// (disable, enable, update_numprocs) and the rolling restart. The master
// carries them out, like every control request.

// ProgramWaitArgs are enable's and disable's parameters.
type ProgramWaitArgs struct {
	ProgramName string
	Wait        bool `xmlrpc:"wait,optional" default:"true"`
}

// NumprocsArgs are update_numprocs' parameters.
type NumprocsArgs struct {
	ProgramName string
	Numprocs    int
	Wait        bool `xmlrpc:"wait,optional" default:"true"`
}

// maxNumprocs is the configuration's own bound on numprocs.
const maxNumprocs = 10000

// disabledEverywhere tells whether p's program is disabled on every
// address that has it.
func disabledEverywhere(p view.ProcessInfo) bool {
	for _, cp := range p.Copies {
		if !cp.Record.Disabled {
			return false
		}
	}
	return len(p.Copies) > 0
}

// program checks that the master has program: BAD_NAME otherwise.
func (s *SupvisorsService) program(name string) (homogeneous bool, err error) {
	keys, homogeneous := s.cluster.ProgramProcesses(name)
	if len(keys) == 0 {
		return false, fault.New(fault.BadName, name)
	}
	return homogeneous, nil
}

// Disable disables a program on every node: its processes are stopped
// everywhere, and nothing starts them (a start answers DISABLED) until it
// is enabled. Each node keeps it in its state file.
func (s *SupvisorsService) Disable(r *http.Request, args *ProgramWaitArgs, reply *bool) error {
	return s.setDisabled(r, args, true, "supvisors.disable", reply)
}

// Enable enables a program disabled on every node; it starts nothing.
func (s *SupvisorsService) Enable(r *http.Request, args *ProgramWaitArgs, reply *bool) error {
	return s.setDisabled(r, args, false, "supvisors.enable", reply)
}

func (s *SupvisorsService) setDisabled(r *http.Request, args *ProgramWaitArgs, disabled bool, method string, reply *bool) error {
	check := func(*view.View) error {
		_, err := s.program(args.ProgramName)
		return err
	}
	*reply = true
	return s.control(r, inOperation, check, method, []any{args.ProgramName, args.Wait}, reply, func(ctx context.Context) error {
		return s.cluster.SetDisabled(ctx, args.ProgramName, disabled, args.Wait)
	})
}

// UpdateNumprocs changes the number of processes of a homogeneous program
// on every node that has it: BAD_ARGUMENTS for a numprocs out of
// [1;10000] or a program whose process_name lacks %(process_num).
func (s *SupvisorsService) UpdateNumprocs(r *http.Request, args *NumprocsArgs, reply *bool) error {
	if args.Numprocs < 1 || args.Numprocs > maxNumprocs {
		return fault.Newf(fault.BadArguments, "numprocs %d: expected in [1;%d]", args.Numprocs, maxNumprocs)
	}
	check := func(*view.View) error {
		homogeneous, err := s.program(args.ProgramName)
		if err == nil && !homogeneous {
			err = fault.Newf(fault.BadArguments, "%s is not a homogeneous program (its process_name lacks %%(process_num))", args.ProgramName)
		}
		return err
	}
	*reply = true
	return s.control(r, inOperation, check, "supvisors.update_numprocs", []any{args.ProgramName, args.Numprocs, args.Wait}, reply,
		func(ctx context.Context) error {
			return s.cluster.UpdateNumprocs(ctx, args.ProgramName, args.Numprocs, args.Wait)
		})
}

// RollingRestart restarts the running processes of an application one at
// a time: NOT_RUNNING when none runs; ABNORMAL_TERMINATION naming the
// process where a failure stopped it.
func (s *SupvisorsService) RollingRestart(r *http.Request, args *ApplicationWaitArgs, reply *bool) error {
	check := func(v *view.View) error {
		if _, err := application(v, args.ApplicationName); err != nil {
			return err
		}
		for _, p := range v.ProcessesOf(args.ApplicationName) {
			if len(p.Addresses) > 0 {
				return nil
			}
		}
		return fault.New(fault.NotRunning, args.ApplicationName)
	}
	*reply = true
	return s.control(r, inOperation, check, "supvisors.rolling_restart", []any{args.ApplicationName, args.Wait}, reply,
		func(ctx context.Context) error {
			return s.cluster.RollingRestart(ctx, args.ApplicationName, args.Wait)
		})
}

// The methods' help joins the namespace's (system.methodHelp).
func init() {
	maps.Copy(supvisorsHelp, map[string]string{
		"supvisors.disable":         "Disable a program on every node: its processes are stopped everywhere and nothing starts them (a start answers DISABLED 105) until it is enabled; each node keeps it in its state_file.\n@param string program_name\n@param boolean wait wait for every node to have done it\n@return boolean true unless error",
		"supvisors.enable":          "Enable a disabled program on every node (it starts nothing); each node keeps it in its state_file.\n@param string program_name\n@param boolean wait wait for every node to have done it\n@return boolean true unless error",
		"supvisors.update_numprocs": "Change the number of processes of a homogeneous program on every node that has it: the extra ones are stopped then removed, the new ones added and, if the application runs, started where its rules place them; each node keeps it in its state_file.\n@param string program_name\n@param int numprocs in [1;10000]\n@param boolean wait wait for the change (and the starts) to be done\n@return boolean true unless error",
		"supvisors.rolling_restart": "Restart the running processes of an application one at a time, by stop_sequence, each started again where the default strategy places it once the previous one is RUNNING again.\n@param string application_name\n@param boolean wait wait for the rollout to end\n@return boolean true unless error (ABNORMAL_TERMINATION names the process where it stopped)",
	})
}
