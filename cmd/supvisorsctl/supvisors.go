package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

// The Supvisors commands are those of Supvisors' supvisorsctl plugin, on
// the supvisors.* namespace: tables for people, the replies with --json.
// A fault is shown "NAME: ERROR (FAULT: detail)" for a command on names,
// "ERROR: FAULT: detail" for a command on the whole cluster; both exit 1.

func supvisorsVerbs() []verb {
	return []verb{
		{use: "sversion", short: "Show the API version of Supvisors", args: noArgs, run: (*ctl).doSversion},
		{use: "sstate", short: "Show the state of Supvisors on the agent", args: noArgs, run: (*ctl).doSstate},
		{use: "master", short: "Show the address of the master", args: noArgs, run: (*ctl).doMaster},
		{use: "strategies", short: "Show auto-fencing and the default strategies", args: noArgs, run: (*ctl).doStrategies},
		{use: "address_status [<address>...|all]", short: "Show the state and loading of addresses",
			run: (*ctl).doAddressStatus, complete: completeAddresses},
		{use: "application_info [<application>...|all]", short: "Show the state of applications",
			run: (*ctl).doApplicationInfo, complete: completeApplications},
		{use: "application_rules [<application>...|all]", short: "Show the rules of applications",
			run: (*ctl).doApplicationRules, complete: completeApplications},
		{use: "sstatus [<namespec>...|all]", short: "Show processes across the cluster, with their addresses (exit 3 if one is stopped)",
			run: (*ctl).doSstatus, complete: completeProcesses},
		{use: "process_rules [<namespec>...|all]", short: "Show the rules of processes", run: (*ctl).doProcessRules, complete: completeProcesses},
		{use: "conflicts", short: "Show the processes running on more than one address", args: noArgs, run: (*ctl).doConflicts},
		{use: "start_application <strategy> [<application>...|all]", short: "Start applications with a starting strategy (and wait)",
			args: needStrategy, run: (*ctl).doStartApplication, complete: completeStrategyThen(completeApplications)},
		{use: "stop_application [<application>...|all]", short: "Stop applications (and wait)",
			run: (*ctl).doStopApplication, complete: completeApplications},
		{use: "restart_application <strategy> [<application>...|all]", short: "Restart applications with a starting strategy (and wait)",
			args: needStrategy, run: (*ctl).doRestartApplication, complete: completeStrategyThen(completeApplications)},
		{use: "start_args <namespec> [<arg>...]", short: "Start a process of the agent with extra arguments (and wait)",
			args: needArgs(1, "a namespec"), raw: true, run: (*ctl).doStartArgs, complete: completeProcesses},
		{use: "start_process <strategy> [<namespec>...|all]", short: "Start processes with a starting strategy (and wait)",
			args: needStrategy, run: (*ctl).doStartProcess, complete: completeStrategyThen(completeProcesses)},
		{use: "start_process_args <strategy> <namespec> <arg>...", short: "Start a process with a starting strategy and extra arguments (and wait)",
			args: needArgs(3, "a strategy, a namespec and extra arguments"), raw: true, run: (*ctl).doStartProcessArgs, complete: completeStrategyThen(completeProcesses)},
		{use: "stop_process [<namespec>...|all]", short: "Stop processes wherever they run (and wait)",
			run: (*ctl).doStopProcess, complete: completeProcesses},
		{use: "restart_process <strategy> [<namespec>...|all]", short: "Restart processes with a starting strategy (and wait)",
			args: needStrategy, run: (*ctl).doRestartProcess, complete: completeStrategyThen(completeProcesses)},
		{use: "conciliate <strategy>", short: "Apply a conciliation strategy to the conflicts (in CONCILIATION)",
			args: exactlyOne("a strategy"), run: (*ctl).doConciliate, complete: completeConciliation},
		{use: "readmit <address>...", short: "Let fenced (ISOLATED) addresses back into the cluster once restarted",
			args: needArgs(1, "an address"), run: (*ctl).doReadmit, complete: completeAddresses},
		{use: "sreload", short: "Restart Supvisors: stop every application, restart every agent", args: noArgs, run: (*ctl).doSreload},
		{use: "sshutdown", short: "Shut Supvisors down: stop every application, then every agent", args: noArgs, run: (*ctl).doSshutdown},
	}
}

// noArgs refuses arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s accepts no arguments", cmd.Name())
	}
	return nil
}

// needArgs requires n arguments at least, what they are.
func needArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(words(args)) < n {
			return fmt.Errorf("%s requires %s", cmd.Name(), what)
		}
		return nil
	}
}

// exactlyOne requires one argument, what it is.
func exactlyOne(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return fmt.Errorf("%s requires %s, and only that", cmd.Name(), what)
		}
		return nil
	}
}

// needStrategy requires the strategy argument.
func needStrategy(cmd *cobra.Command, args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("%s requires a strategy", cmd.Name())
	}
	return nil
}

// supvisors is the supvisors namespace of the server's client.
func (c *ctl) supvisors() (client.Supvisors, error) {
	cl, err := c.rpc()
	if err != nil {
		return client.Supvisors{}, c.badURL(err)
	}
	return cl.Supvisors(), nil
}

// noSupvisors is printed when the server has no supvisors namespace.
const noSupvisors = "ERROR: supervisord responded but did not recognize the supvisors namespace commands " +
	"that supvisorsctl uses to control it. Please check that the server is a supvisors agent."

// cmdError reports the error of a call on the whole cluster: a fault as
// "ERROR: FAULT", anything else as fail does. It returns errAbort.
func (c *ctl) cmdError(err error) error {
	f, ok := errors.AsType[*fault.Fault](err)
	if !ok {
		return c.fail(err)
	}
	if f.Code == fault.UnknownMethod {
		c.line(noSupvisors)
		c.exit = exitUnimplOrDown
		return errAbort
	}
	c.line("ERROR: " + f.String)
	c.exit = exitGeneric
	return errAbort
}

// nameError reports the error of a call on one name: a fault as
// "NAME: ERROR (FAULT)" with exit code code (nil returned: the command goes
// on with the next name), anything else as fail does (errAbort).
func (c *ctl) nameError(name string, err error, code int) error {
	f, ok := errors.AsType[*fault.Fault](err)
	if !ok {
		return c.fail(err)
	}
	if f.Code == fault.UnknownMethod {
		c.line(noSupvisors)
		c.exit = exitUnimplOrDown
		return errAbort
	}
	c.line(name + ": ERROR (" + f.String + ")")
	c.exit = code
	return nil
}

// allNames reports whether the arguments name everything: none, or "all".
func allNames(names []string) bool { return len(names) == 0 || slices.Contains(names, "all") }

// gather gets the replies for names: all() for every one, else one(name)
// for each; a name that faults is reported with exit code badName for
// BAD_NAME (and BAD_ADDRESS), 1 for any other fault. ok is false when the
// command stopped.
func gather[T any](c *ctl, names []string, badName int,
	all func(context.Context) ([]T, error), one func(context.Context, string) ([]T, error)) ([]T, bool) {
	if allNames(names) {
		list, err := all(c.ctx())
		if err != nil {
			_ = c.cmdError(err)
			return nil, false
		}
		return list, true
	}
	return gatherNames(c, names, badName, one)
}

// gatherNames gets the replies for each name as gather does.
func gatherNames[T any](c *ctl, names []string, badName int, one func(context.Context, string) ([]T, error)) ([]T, bool) {
	list := []T{}
	for _, name := range names {
		got, err := one(c.ctx(), name)
		if err != nil {
			code := exitGeneric
			if fc, ok := client.FaultCode(err); ok && (fc == fault.BadName || fc == fault.BadAddress) {
				code = badName
			}
			if c.nameError(name, err, code) != nil {
				return nil, false
			}
			continue
		}
		list = append(list, got...)
	}
	return list, true
}

// single makes a getter of one value a getter of a list.
func single[T any](get func(context.Context, string) (T, error)) func(context.Context, string) ([]T, error) {
	return func(ctx context.Context, name string) ([]T, error) {
		v, err := get(ctx, name)
		if err != nil {
			return nil, err
		}
		return []T{v}, nil
	}
}

func (c *ctl) doSversion([]string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	version, err := sv.GetAPIVersion(c.ctx())
	if err != nil {
		return c.cmdError(err)
	}
	c.text(version)
	return nil
}

func (c *ctl) doSstate([]string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	state, err := sv.GetSupvisorsState(c.ctx())
	if err != nil {
		return c.cmdError(err)
	}
	if c.opts.json {
		c.setDoc(state)
		return nil
	}
	c.table([]string{"State", "Quorum", "Gossip"}, [][]string{{state.StateName, pyBool(state.Quorum), map[bool]string{true: "encrypted", false: "CLEAR"}[state.GossipEncrypted]}})
	return nil
}

func (c *ctl) doMaster([]string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	master, err := sv.GetMasterAddress(c.ctx())
	if err != nil {
		return c.cmdError(err)
	}
	c.text(master)
	return nil
}

func (c *ctl) doStrategies([]string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	s, err := sv.GetStrategies(c.ctx())
	if err != nil {
		return c.cmdError(err)
	}
	if c.opts.json {
		c.setDoc(s)
		return nil
	}
	c.line("Auto-fencing: " + pyBool(s.AutoFencing))
	c.line("Conciliation: " + s.Conciliation)
	c.line("Starting:     " + s.Starting)
	return nil
}

func (c *ctl) doAddressStatus(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	infos, ok := gather(c, words(args), exitGeneric, sv.GetAllAddressesInfo, single(sv.GetAddressInfo))
	if !ok {
		return errAbort
	}
	return c.showTable(infos, len(infos), []string{"Address", "State", "Loading", "Remote_Time", "Local_Time"}, func(i int) []string {
		a := infos[i]
		return []string{a.AddressName, a.StateName, fmt.Sprintf("%d%%", a.Loading), clock(a.RemoteTime), clock(a.LocalTime)}
	})
}

func (c *ctl) doApplicationInfo(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	infos, ok := gather(c, words(args), exitGeneric, sv.GetAllApplicationsInfo, single(sv.GetApplicationInfo))
	if !ok {
		return errAbort
	}
	return c.showTable(infos, len(infos), []string{"Application", "State", "Major", "Minor"}, func(i int) []string {
		a := infos[i]
		return []string{a.ApplicationName, a.StateName, pyBool(a.MajorFailure), pyBool(a.MinorFailure)}
	})
}

// applicationNames are the names of every application, as sv tells them.
func applicationNames(ctx context.Context, sv client.Supvisors) ([]string, error) {
	infos, err := sv.GetAllApplicationsInfo(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(infos))
	for i, a := range infos {
		names[i] = a.ApplicationName
	}
	return names, nil
}

// addressNames are the addresses of address_list, as sv tells them.
func addressNames(ctx context.Context, sv client.Supvisors) ([]string, error) {
	infos, err := sv.GetAllAddressesInfo(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(infos))
	for i, a := range infos {
		names[i] = a.AddressName
	}
	return names, nil
}

// allApplications are the names of every application; false when it
// printed why there are none.
func (c *ctl) allApplications(sv client.Supvisors) ([]string, bool) {
	names, err := applicationNames(c.ctx(), sv)
	if err != nil {
		_ = c.cmdError(err)
		return nil, false
	}
	return names, true
}

func (c *ctl) doApplicationRules(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	names := words(args)
	if allNames(names) {
		var ok bool
		if names, ok = c.allApplications(sv); !ok {
			return errAbort
		}
	}
	rules, ok := gatherNames(c, names, exitGeneric, single(sv.GetApplicationRules))
	if !ok {
		return errAbort
	}
	return c.showTable(rules, len(rules), []string{"Application", "Start", "Stop", "Starting_Failure", "Running_Failure"}, func(i int) []string {
		r := rules[i]
		return []string{r.ApplicationName, strconv.Itoa(r.StartSequence), strconv.Itoa(r.StopSequence),
			r.StartingFailureStrategy, r.RunningFailureStrategy}
	})
}

func (c *ctl) doSstatus(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	infos, ok := gather(c, words(args), statusUnknown, sv.GetAllProcessInfo, sv.GetProcessInfo)
	if !ok {
		return errAbort
	}
	if c.opts.json {
		c.setDoc(infos)
	} else {
		c.processTable(infos, true)
	}
	for _, p := range infos {
		if p.State.IsStopped() {
			c.exit = statusNotRunning
		}
	}
	return nil
}

// processTable prints cluster processes: their state and addresses (and
// whether an EXITED one exited as expected).
func (c *ctl) processTable(infos []api.ClusterProcessInfo, expected bool) {
	header := []string{"Application", "Process", "State", "Addresses"}
	if expected {
		header = []string{"Application", "Process", "State", "Expected", "Addresses"}
	}
	rows := make([][]string, len(infos))
	for i, p := range infos {
		row := []string{p.ApplicationName, p.ProcessName, p.StateName}
		if expected {
			exp := "n/a"
			if p.State == enums.ProcessExited {
				exp = pyBool(p.ExpectedExit)
			}
			row = append(row, exp)
		}
		rows[i] = append(row, strings.Join(p.Addresses, ","))
	}
	c.table(header, rows)
}

func (c *ctl) doProcessRules(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	names := words(args)
	if allNames(names) {
		var ok bool
		if names, ok = c.allApplications(sv); !ok {
			return errAbort
		}
		for i, a := range names {
			names[i] = a + ":*"
		}
	}
	rules, ok := gatherNames(c, names, exitGeneric, sv.GetProcessRules)
	if !ok {
		return errAbort
	}
	return c.showTable(rules, len(rules), []string{"Application", "Process", "Start", "Stop", "Required", "WaitExit", "Loading", "Running_Failure", "Addresses"}, func(i int) []string {
		r := rules[i]
		return []string{r.ApplicationName, r.ProcessName, strconv.Itoa(r.StartSequence), strconv.Itoa(r.StopSequence),
			pyBool(r.Required), pyBool(r.WaitExit), fmt.Sprintf("%d%%", r.Loading), r.RunningFailureStrategy,
			strings.Join(r.Addresses, ",")}
	})
}

func (c *ctl) doConflicts([]string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	conflicts, err := sv.GetConflicts(c.ctx())
	if err != nil {
		return c.cmdError(err)
	}
	if c.opts.json {
		c.setDoc(conflicts)
		return nil
	}
	c.processTable(conflicts, false)
	return nil
}

// parseStarting reads a starting strategy: its name in any case, or its
// code; anything else is a usage error.
func parseStarting(cmd, s string) (enums.StartingStrategy, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if st, ok := enums.StartingFromCode(n); ok {
			return st, nil
		}
	} else if st, err := enums.ParseStarting(s); err == nil {
		return st, nil
	}
	var names []string
	for i := 0; ; i++ {
		st, ok := enums.StartingFromCode(i)
		if !ok {
			break
		}
		names = append(names, st.String())
	}
	return 0, usagef("unknown strategy %q for %s: use one of %s (or their codes 0-%d)", s, cmd, strings.Join(names, ", "), len(names)-1)
}

// parseConciliation reads a conciliation strategy as parseStarting does.
func parseConciliation(s string) (enums.ConciliationStrategy, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if st, ok := enums.ConciliationFromCode(n); ok {
			return st, nil
		}
	} else if st, err := enums.ParseConciliation(s); err == nil {
		return st, nil
	}
	var names []string
	for i := 0; ; i++ {
		st, ok := enums.ConciliationFromCode(i)
		if !ok {
			break
		}
		names = append(names, st.String())
	}
	return 0, usagef("unknown strategy %q for conciliate: use one of %s (or their codes 0-%d)", s, strings.Join(names, ", "), len(names)-1)
}

// control runs call on each target in turn, showing "TARGET DONE: RESULT"
// or "TARGET: ERROR (FAULT)" (exit 1); with --json, an array of
// {"name", "result"} or {"name", "faultCode", "faultString"}. doing names
// the progress line shown while a call waits ("" for none).
func (c *ctl) control(targets []string, doing, done string, call func(context.Context, string) (bool, error)) error {
	if c.opts.json {
		c.setDoc([]any{})
	}
	for _, target := range targets {
		stop := func() {}
		if doing != "" {
			stop = c.progress(doing + " " + target)
		}
		result, err := call(c.ctx(), target)
		stop()
		if err != nil {
			f, ok := errors.AsType[*fault.Fault](err)
			if !ok || f.Code == fault.UnknownMethod {
				return c.nameError(target, err, exitGeneric)
			}
			c.exit = exitGeneric
			if c.opts.json {
				c.addDoc(object{{"name", target}, {"faultCode", int(f.Code)}, {"faultString", f.String}})
			} else {
				c.line(target + ": ERROR (" + f.String + ")")
			}
			continue
		}
		if c.opts.json {
			c.addDoc(object{{"name", target}, {"result", result}})
		} else {
			c.line(fmt.Sprintf("%s %s: %s", target, done, pyBool(result)))
		}
	}
	return nil
}

// controlOne runs a call on the whole cluster: "LABEL: RESULT", or
// "ERROR: FAULT" (exit 1); with --json {"result"} or {"faultCode",
// "faultString"}.
func (c *ctl) controlOne(label string, call func(context.Context) (bool, error)) error {
	return controlValue(c, label, call, pyBool)
}

// controlValue is controlOne for a call whose result show writes.
func controlValue[T any](c *ctl, label string, call func(context.Context) (T, error), show func(T) string) error {
	result, err := call(c.ctx())
	if err != nil {
		f, ok := errors.AsType[*fault.Fault](err)
		if !ok || f.Code == fault.UnknownMethod || !c.opts.json {
			return c.cmdError(err)
		}
		c.exit = exitGeneric
		c.setDoc(object{{"faultCode", int(f.Code)}, {"faultString", f.String}})
		return nil
	}
	if c.opts.json {
		c.setDoc(object{{"result", result}})
		return nil
	}
	c.line(label + ": " + show(result))
	return nil
}

// applicationTargets are the applications args name, every one for none
// or "all".
func (c *ctl) applicationTargets(sv client.Supvisors, args []string) ([]string, bool) {
	if allNames(args) {
		return c.allApplications(sv)
	}
	return args, true
}

// processTargets are the processes args name, every one for none or
// "all".
func (c *ctl) processTargets(sv client.Supvisors, args []string) ([]string, bool) {
	if !allNames(args) {
		return args, true
	}
	infos, err := sv.GetAllProcessInfo(c.ctx())
	if err != nil {
		_ = c.cmdError(err)
		return nil, false
	}
	names := make([]string, len(infos))
	for i, p := range infos {
		names[i] = p.Namespec()
	}
	return names, true
}

// targetsOf are the targets the words of a control command name.
type targetsOf func(c *ctl, sv client.Supvisors, names []string) ([]string, bool)

// controlTargets is a control command on the targets its arguments name,
// after a starting strategy when cmd takes one (start, restart): call gets
// the strategy and each target.
func (c *ctl) controlTargets(cmd string, args []string, withStrategy bool, targets targetsOf, doing, done string,
	call func(ctx context.Context, sv client.Supvisors, st enums.StartingStrategy, target string) (bool, error)) error {
	w := words(args)
	var st enums.StartingStrategy
	if withStrategy {
		var err error
		if st, err = parseStarting(cmd, w[0]); err != nil {
			return err
		}
		w = w[1:]
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	list, ok := targets(c, sv, w)
	if !ok {
		return errAbort
	}
	return c.control(list, doing, done, func(ctx context.Context, target string) (bool, error) {
		return call(ctx, sv, st, target)
	})
}

func (c *ctl) doStartApplication(args []string) error {
	return c.controlTargets("start_application", args, true, (*ctl).applicationTargets, "starting", "started",
		func(ctx context.Context, sv client.Supvisors, st enums.StartingStrategy, app string) (bool, error) {
			return sv.StartApplication(ctx, st, app, true)
		})
}

func (c *ctl) doStopApplication(args []string) error {
	return c.controlTargets("stop_application", args, false, (*ctl).applicationTargets, "stopping", "stopped",
		func(ctx context.Context, sv client.Supvisors, _ enums.StartingStrategy, app string) (bool, error) {
			return sv.StopApplication(ctx, app, true)
		})
}

func (c *ctl) doRestartApplication(args []string) error {
	return c.controlTargets("restart_application", args, true, (*ctl).applicationTargets, "restarting", "restarted",
		func(ctx context.Context, sv client.Supvisors, st enums.StartingStrategy, app string) (bool, error) {
			return sv.RestartApplication(ctx, st, app, true)
		})
}

func (c *ctl) doStartArgs(args []string) error {
	w := words(args)
	if len(w) == 0 {
		return usagef("start_args requires a process name")
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	extra := strings.Join(w[1:], " ")
	return c.control(w[:1], "starting", "started", func(ctx context.Context, namespec string) (bool, error) {
		return sv.StartArgs(ctx, namespec, extra, true)
	})
}

func (c *ctl) doStartProcess(args []string) error {
	return c.controlTargets("start_process", args, true, (*ctl).processTargets, "starting", "started",
		func(ctx context.Context, sv client.Supvisors, st enums.StartingStrategy, namespec string) (bool, error) {
			return sv.StartProcess(ctx, st, namespec, "", true)
		})
}

func (c *ctl) doStartProcessArgs(args []string) error {
	w := words(args)
	if len(w) < 3 {
		return usagef("start_process_args requires a strategy, a namespec and extra arguments")
	}
	st, err := parseStarting("start_process_args", w[0])
	if err != nil {
		return err
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	extra := strings.Join(w[2:], " ")
	return c.control(w[1:2], "starting", "started", func(ctx context.Context, namespec string) (bool, error) {
		return sv.StartProcess(ctx, st, namespec, extra, true)
	})
}

func (c *ctl) doStopProcess(args []string) error {
	return c.controlTargets("stop_process", args, false, (*ctl).processTargets, "stopping", "stopped",
		func(ctx context.Context, sv client.Supvisors, _ enums.StartingStrategy, namespec string) (bool, error) {
			return sv.StopProcess(ctx, namespec, true)
		})
}

func (c *ctl) doRestartProcess(args []string) error {
	return c.controlTargets("restart_process", args, true, (*ctl).processTargets, "restarting", "restarted",
		func(ctx context.Context, sv client.Supvisors, st enums.StartingStrategy, namespec string) (bool, error) {
			return sv.RestartProcess(ctx, st, namespec, true)
		})
}

func (c *ctl) doConciliate(args []string) error {
	st, err := parseConciliation(args[0])
	if err != nil {
		return err
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	return c.controlOne("Conciliated", func(ctx context.Context) (bool, error) { return sv.Conciliate(ctx, st) })
}

func (c *ctl) doReadmit(args []string) error {
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	return c.control(words(args), "", "readmitted", sv.ReadmitAddress)
}

func (c *ctl) doSreload([]string) error {
	if !c.confirm("Really restart Supvisors (every application and every agent) y/N? ") {
		return nil
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	return c.controlOne("Restarted", sv.Restart)
}

func (c *ctl) doSshutdown([]string) error {
	if !c.confirm("Really shut Supvisors down (every application and every agent) y/N? ") {
		return nil
	}
	sv, err := c.supvisors()
	if err != nil {
		return err
	}
	return c.controlOne("Shut down", sv.Shutdown)
}

// strategyNames are the names of the starting strategies, for completion.
func strategyNames() []string {
	var names []string
	for i := 0; ; i++ {
		st, ok := enums.StartingFromCode(i)
		if !ok {
			return names
		}
		names = append(names, st.String())
	}
}

// completeStrategyThen completes a starting strategy first, then what
// next completes.
func completeStrategyThen(next func(*ctl, []string, string) ([]string, cobra.ShellCompDirective)) func(*ctl, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(c *ctl, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return strategyNames(), cobra.ShellCompDirectiveNoFileComp
		}
		return next(c, args, toComplete)
	}
}

func completeConciliation(_ *ctl, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for i := 0; ; i++ {
		st, ok := enums.ConciliationFromCode(i)
		if !ok {
			return names, cobra.ShellCompDirectiveNoFileComp
		}
		names = append(names, st.String())
	}
}

func completeApplications(c *ctl, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	sv, err := c.supvisors()
	if err != nil {
		return completeWith(nil, err)
	}
	return completeWith(applicationNames(c.ctx(), sv))
}

func completeAddresses(c *ctl, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	sv, err := c.supvisors()
	if err != nil {
		return completeWith(nil, err)
	}
	return completeWith(addressNames(c.ctx(), sv))
}

// completeWith completes with names, or nothing when the agent could not
// tell them; never with file names.
func completeWith(names []string, err error) ([]string, cobra.ShellCompDirective) {
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
