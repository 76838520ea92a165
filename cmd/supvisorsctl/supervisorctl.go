package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
	"github.com/supvisors/supvisors-go/fault"
)

// The supervisorctl commands reproduce Debian's supervisorctl 4.2.5
// (supervisor/supervisorctl.py): the same calls, the same lines on stdout,
// the same exit codes. The help texts below are the ones it prints after a
// usage error.

const (
	helpStatus = "status <name>\t\tGet status for a single process\n" +
		"status <gname>:*\tGet status for all processes in a group\n" +
		"status <name> <name>\tGet status for multiple named processes\n" +
		"status\t\t\tGet all process status info"
	helpStart = "start <name>\t\tStart a process\n" +
		"start <gname>:*\t\tStart all processes in a group\n" +
		"start <name> <name>\tStart multiple processes or groups\n" +
		"start all\t\tStart all processes"
	helpStop = "stop <name>\t\tStop a process\n" +
		"stop <gname>:*\t\tStop all processes in a group\n" +
		"stop <name> <name>\tStop multiple processes or groups\n" +
		"stop all\t\tStop all processes"
	helpRestart = "restart <name>\t\tRestart a process\n" +
		"restart <gname>:*\tRestart all processes in a group\n" +
		"restart <name> <name>\tRestart multiple processes or groups\n" +
		"restart all\t\tRestart all processes\n" +
		"Note: restart does not reread config files. For that, see reread and update."
	helpSignal = "signal <signal name> <name>\t\tSignal a process\n" +
		"signal <signal name> <gname>:*\t\tSignal all processes in a group\n" +
		"signal <signal name> <name> <name>\tSignal multiple processes or groups\n" +
		"signal <signal name> all\t\tSignal all processes"
	helpTail = "tail [-f] <name> [stdout|stderr] (default stdout)\n" +
		"Ex:\n" +
		"tail -f <name>\t\tContinuous tail of named process stdout\n" +
		"\t\t\tCtrl-C to exit.\n" +
		"tail -100 <name>\tlast 100 *bytes* of process stdout\n" +
		"tail <name> stderr\tlast 1600 *bytes* of process stderr"
	helpMaintail = "maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\n" +
		"maintail -100\tlast 100 *bytes* of supervisord main log file\n" +
		"maintail\tlast 1600 *bytes* of supervisor main log file\n"
	helpPid = "pid\t\t\tGet the PID of supervisord.\n" +
		"pid <name>\t\tGet the PID of a single child process by name.\n" +
		"pid all\t\t\tGet the PID of every child process, one per line."
	helpVersion  = "version\t\t\tShow the version of the remote supervisord process"
	helpAvail    = "avail\t\t\tDisplay all configured processes"
	helpReread   = "reread \t\t\tReload the daemon's configuration files without add/remove"
	helpAdd      = "add <name> [...]\tActivates any updates in config for process/group"
	helpRemove   = "remove <name> [...]\tRemoves process/group from active config"
	helpShutdown = "shutdown \tShut the remote supervisord down."
	helpReload   = "reload \t\tRestart the remote supervisord."
	helpUpdate   = "update\t\t\tReload config and add/remove as necessary, and will restart affected programs\n" +
		"update all\t\tReload config and add/remove as necessary, and will restart affected programs\n" +
		"update <gname> [...]\tUpdate specific groups"
	helpClear = "clear <name>\t\tClear a process' log files.\n" +
		"clear <name> <name>\tClear multiple process' log files\n" +
		"clear all\t\tClear all process' log files"
)

// apiVersion is the Supervisor API version supervisorctl requires.
const apiVersion = "3.0"

func supervisorVerbs() []verb {
	return []verb{
		{use: "status [<name>|<gname>:*|all]...", short: "Show the status of processes (exit 3 if one is stopped)", long: helpStatus,
			run: (*ctl).doStatus, complete: completeProcesses},
		{use: "start <name>|<gname>:*|all...", short: "Start processes", long: helpStart, run: (*ctl).doStart, complete: completeProcesses},
		{use: "stop <name>|<gname>:*|all...", short: "Stop processes", long: helpStop, run: (*ctl).doStop, complete: completeProcesses},
		{use: "restart <name>|<gname>:*|all...", short: "Stop then start processes", long: helpRestart,
			run: (*ctl).doRestart, complete: completeProcesses},
		{use: "signal <signal> <name>|<gname>:*|all...", short: "Send a signal to processes", long: helpSignal,
			run: (*ctl).doSignal, complete: completeProcesses},
		{use: "tail [-f|-<bytes>] <name> [stdout|stderr]", short: "Show the end of a process's log, or follow it", long: helpTail,
			raw: true, run: (*ctl).doTail, complete: completeProcesses},
		{use: "maintail [-f|-<bytes>]", short: "Show the end of the agent's main log, or follow it", long: helpMaintail,
			raw: true, run: (*ctl).doMaintail},
		{use: "pid [<name>|all]...", short: "Show the pid of the agent or of processes", long: helpPid, run: (*ctl).doPid, complete: completeProcesses},
		{use: "version", short: "Show the Supervisor version of the agent", long: helpVersion, run: (*ctl).doVersion},
		{use: "avail", short: "Show every configured process", long: helpAvail, run: (*ctl).doAvail},
		{use: "reread", short: "Re-read the configuration, tell what changed", long: helpReread, run: (*ctl).doReread},
		{use: "update [all|<gname>...]", short: "Apply the configuration: add, remove and restart groups", long: helpUpdate,
			run: (*ctl).doUpdate, complete: completeGroups},
		{use: "add <gname>...", short: "Add groups of the configuration", long: helpAdd, run: (*ctl).doAdd, complete: completeGroups},
		{use: "remove <gname>...", short: "Remove stopped groups", long: helpRemove, run: (*ctl).doRemove, complete: completeGroups},
		{use: "clear <name>|all...", short: "Clear the logs of processes", long: helpClear, run: (*ctl).doClear, complete: completeProcesses},
		{use: "shutdown", short: "Shut the agent down", long: helpShutdown, run: (*ctl).doShutdown},
		{use: "reload", short: "Restart the agent", long: helpReload, run: (*ctl).doReload},
	}
}

// supervisor is the supervisor namespace of the server's client.
func (c *ctl) supervisor() (client.Supervisor, error) {
	cl, err := c.rpc()
	if err != nil {
		return client.Supervisor{}, c.badURL(err)
	}
	return cl.Supervisor(), nil
}

// upcheck is supervisorctl's: the server must answer getVersion "3.0". ok
// is false when it printed why not; err is errAbort for the errors
// supervisorctl raises.
func (c *ctl) upcheck() (ok bool, err error) {
	sv, err := c.supervisor()
	if err != nil {
		return false, err
	}
	api, err := sv.GetVersion(c.ctx())
	if f, isFault := errors.AsType[*fault.Fault](err); isFault {
		if f.Code == fault.UnknownMethod {
			c.line("Sorry, supervisord responded but did not recognize the supervisor namespace commands " +
				"that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] " +
				"section is enabled in the configuration file (see sample.conf).")
			c.exit = exitUnimplOrDown
			return false, nil
		}
		return false, c.fail(err)
	}
	if err != nil {
		switch {
		case errors.Is(err, client.ErrUnauthorized):
			return false, c.fail(err)
		case isRefused(err):
			c.line(c.shownURL() + " refused connection")
			c.exit = exitUnreachable
			return false, nil
		case isNoSocket(err, c.shownURL()):
			c.line(c.shownURL() + " no such file")
			c.exit = exitNotRunning
			return false, nil
		}
		return false, c.fail(err)
	}
	if api != apiVersion {
		c.line(fmt.Sprintf("Sorry, this version of supervisorctl expects to talk to a server with API version %s, "+
			"but the remote version is %s.", apiVersion, api))
		c.exit = exitNotInstalled
		return false, nil
	}
	return true, nil
}

// splitNamespec is Supervisor's split_namespec: "g:p" is (g, p); "g:*" and
// "g:" are the group g (hasProcess false); "p" is (p, p).
func splitNamespec(namespec string) (group, process string, hasProcess bool) {
	if g, p, found := strings.Cut(namespec, ":"); found {
		if p == "" || p == "*" {
			return g, "", false
		}
		return g, p, true
	}
	return namespec, namespec, true
}

// makeNamespec is Supervisor's make_namespec, "None" standing for Python's
// None process name as supervisorctl prints it.
func makeNamespec(group, process string, hasProcess bool) string {
	if !hasProcess {
		process = "None"
	}
	if group == process {
		return process
	}
	return group + ":" + process
}

func (c *ctl) doStatus(args []string) error {
	ok, err := c.upcheck()
	if err != nil {
		return err
	}
	if !ok {
		c.exit = statusUnknown
		return nil
	}
	sv, _ := c.supervisor()
	all, err := sv.GetAllProcessInfo(c.ctx())
	if err != nil {
		return c.fail(err)
	}
	names := words(args)
	matching := all
	if len(names) > 0 && !slices.Contains(names, "all") {
		matching = nil
		for _, name := range names {
			group, process, hasProcess := splitNamespec(name)
			bad := true
			for _, info := range all {
				if info.Group == group && (!hasProcess || info.Name == process) {
					bad = false
					matching = append(matching, info)
				}
			}
			if bad {
				if hasProcess {
					c.line(name + ": ERROR (no such process)")
				} else {
					c.line(group + ": ERROR (no such group)")
				}
				c.exit = statusUnknown
			}
		}
	}
	if c.opts.json {
		c.setDoc(matching)
	} else {
		c.showStatuses(matching)
	}
	for _, info := range matching {
		if info.State.IsStopped() {
			c.exit = statusNotRunning
		}
	}
	return nil
}

// showStatuses prints supervisorctl's status lines: the namespec padded to
// the longest one (at least 30) plus 3, the state padded to 10, the
// description.
func (c *ctl) showStatuses(infos []api.ProcessInfo) {
	width := 30
	for _, info := range infos {
		width = max(width, len(info.Namespec()))
	}
	for _, info := range infos {
		c.line(fmt.Sprintf("%-*s%-10s%s", width+3, info.Namespec(), info.StateName, info.Description))
	}
}

// setExitFromFault is supervisorctl's set_exitstatus_from_xmlrpc_fault.
func (c *ctl) setExitFromFault(code fault.Code, ignored fault.Code) {
	switch code {
	case ignored, fault.Success:
	case fault.SpawnError, fault.AbnormalTermination, fault.NotRunning:
		c.exit = exitNotRunning
	default:
		c.exit = exitGeneric
	}
}

// noIgnored is the "None" of setExitFromFault's ignored code.
const noIgnored fault.Code = -1

// unknownResult is supervisorctl's ValueError for a result code its
// command does not expect: the command stops there.
func (c *ctl) unknownResult(r api.StatusResult) error {
	c.line(fmt.Sprintf("error: Unknown result code %d for %s", int(r.Status), r.Namespec()))
	c.exit = exitGeneric
	return errAbort
}

func startResult(r api.StatusResult) (string, bool) {
	name := r.Namespec()
	why := map[fault.Code]string{
		fault.BadName: "no such process", fault.NoFile: "no such file", fault.NotExecutable: "file is not executable",
		fault.AlreadyStarted: "already started", fault.SpawnError: "spawn error", fault.AbnormalTermination: "abnormal termination",
	}
	if r.Status == fault.Success {
		return name + ": started", true
	}
	if w, ok := why[r.Status]; ok {
		return name + ": ERROR (" + w + ")", true
	}
	return "", false
}

func signalResult(r api.StatusResult, success string) (string, bool) {
	name := r.Namespec()
	switch r.Status {
	case fault.BadName:
		return name + ": ERROR (no such process)", true
	case fault.BadSignal:
		return name + ": ERROR (bad signal name)", true
	case fault.NotRunning:
		return name + ": ERROR (not running)", true
	case fault.Success:
		return name + ": " + success, true
	case fault.Failed:
		return r.Description, true
	}
	return "", false
}

func clearResult(r api.StatusResult) (string, bool) {
	name := r.Namespec()
	switch r.Status {
	case fault.BadName:
		return name + ": ERROR (no such process)", true
	case fault.Failed:
		return name + ": ERROR (failed)", true
	case fault.Success:
		return name + ": cleared", true
	}
	return "", false
}

// result shows the outcome of an action on one process: its line, or its
// status struct in the JSON document.
func (c *ctl) result(line string, r api.StatusResult) {
	if c.opts.json {
		c.addDoc(r)
		return
	}
	c.line(line)
}

// faultResult is the status struct supervisorctl makes of a fault.
func faultResult(group, process string, hasProcess bool, err error) (api.StatusResult, bool) {
	f, ok := errors.AsType[*fault.Fault](err)
	if !ok {
		return api.StatusResult{}, false
	}
	if !hasProcess {
		process = "None"
	}
	return api.StatusResult{Name: process, Group: group, Status: f.Code, Description: f.String}, true
}

func okResult(group, process string) api.StatusResult {
	return api.StatusResult{Name: process, Group: group, Status: fault.Success, Description: "OK"}
}

// showResults shows group results with format, setting the exit status
// from each unless its code is ignored.
func (c *ctl) showResults(results []api.StatusResult, format func(api.StatusResult) (string, bool), ignored fault.Code) error {
	for _, r := range results {
		text, ok := format(r)
		if !ok {
			return c.unknownResult(r)
		}
		c.result(text, r)
		c.setExitFromFault(r.Status, ignored)
	}
	return nil
}

func (c *ctl) doStart(args []string) error {
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	names := words(args)
	sv, _ := c.supervisor()
	if len(names) == 0 {
		c.line("Error: start requires a process name")
		c.exit = exitInvalidArgs
		c.lines(helpStart)
		return nil
	}
	return c.act(names, action{
		all: func(ctx context.Context) ([]api.StatusResult, error) { return sv.StartAllProcesses(ctx, true) },
		group: func(ctx context.Context, g string) ([]api.StatusResult, error) {
			return sv.StartProcessGroup(ctx, g, true)
		},
		one: func(ctx context.Context, n string) ([]api.StatusResult, error) {
			return sv.StartProcess(ctx, n, true)
		},
		done: "started", format: startResult, ignored: fault.AlreadyStarted, noGroupExit: exitInvalidArgs,
	})
}

func (c *ctl) doStop(args []string) error {
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	names := words(args)
	sv, _ := c.supervisor()
	if len(names) == 0 {
		c.line("Error: stop requires a process name")
		c.exit = exitGeneric
		c.lines(helpStop)
		return nil
	}
	return c.act(names, action{
		all: func(ctx context.Context) ([]api.StatusResult, error) { return sv.StopAllProcesses(ctx, true) },
		group: func(ctx context.Context, g string) ([]api.StatusResult, error) {
			return sv.StopProcessGroup(ctx, g, true)
		},
		one: func(ctx context.Context, n string) ([]api.StatusResult, error) {
			return sv.StopProcess(ctx, n, true)
		},
		done:    "stopped",
		format:  func(r api.StatusResult) (string, bool) { return signalResult(r, "stopped") },
		ignored: fault.NotRunning, noGroupExit: exitGeneric,
	})
}

// action is what start, stop and signal differ in: the calls on all
// processes, a group and a process, the word and the texts of their
// results, the fault that leaves the exit status alone, the exit status of
// an unknown group.
type action struct {
	all         func(context.Context) ([]api.StatusResult, error)
	group, one  func(context.Context, string) ([]api.StatusResult, error)
	done        string
	format      func(api.StatusResult) (string, bool)
	ignored     fault.Code
	noGroupExit int
}

// act does a on names (all, group:*, namespecs) as supervisorctl's
// do_start, do_stop and do_signal do.
func (c *ctl) act(names []string, a action) error {
	if slices.Contains(names, "all") {
		results, err := a.all(c.ctx())
		if err != nil {
			return c.fail(err)
		}
		return c.showResults(results, a.format, a.ignored)
	}
	for _, name := range names {
		group, process, hasProcess := splitNamespec(name)
		if !hasProcess {
			results, err := a.group(c.ctx(), group)
			if code, ok := client.FaultCode(err); ok && code == fault.BadName {
				c.line(group + ": ERROR (no such group)")
				c.exit = a.noGroupExit
				continue
			}
			if err != nil {
				return c.fail(err)
			}
			if err := c.showResults(results, a.format, a.ignored); err != nil {
				return err
			}
			continue
		}
		_, err := a.one(c.ctx(), name)
		if err == nil {
			c.result(makeNamespec(group, process, true)+": "+a.done, okResult(group, process))
			continue
		}
		r, ok := faultResult(group, process, true, err)
		if !ok {
			return c.fail(err)
		}
		text, known := a.format(r)
		if !known {
			return c.unknownResult(r)
		}
		c.result(text, r)
		c.setExitFromFault(r.Status, a.ignored)
	}
	return nil
}

func (c *ctl) doRestart(args []string) error {
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	if len(words(args)) == 0 {
		c.line("Error: restart requires a process name")
		c.exit = exitGeneric
		c.lines(helpRestart)
		return nil
	}
	if err := c.doStop(args); err != nil {
		return err
	}
	return c.doStart(args)
}

func (c *ctl) doSignal(args []string) error {
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	w := words(args)
	if len(w) < 2 {
		c.line("Error: signal requires a signal name and a process name")
		c.lines(helpSignal)
		c.exit = exitGeneric
		return nil
	}
	sig, names := w[0], w[1:]
	sv, _ := c.supervisor()
	return c.act(names, action{
		all: func(ctx context.Context) ([]api.StatusResult, error) { return sv.SignalAllProcesses(ctx, sig) },
		group: func(ctx context.Context, g string) ([]api.StatusResult, error) {
			return sv.SignalProcessGroup(ctx, g, sig)
		},
		one: func(ctx context.Context, n string) ([]api.StatusResult, error) {
			return sv.SignalProcess(ctx, n, sig)
		},
		done:    "signalled",
		format:  func(r api.StatusResult) (string, bool) { return signalResult(r, "signalled") },
		ignored: noIgnored, noGroupExit: exitGeneric,
	})
}

// pyInt parses what Python's int() accepts of a decimal string: spaces
// around, a sign, digits with single underscores between them.
func pyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r == '_' {
			continue
		}
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
		if n > 1<<40 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

func (c *ctl) doTail(args []string) error {
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	w := words(args)
	if len(w) < 1 {
		c.line("Error: too few arguments")
		c.exit = exitGeneric
		c.lines(helpTail)
		return nil
	}
	if len(w) > 3 {
		c.line("Error: too many arguments")
		c.exit = exitGeneric
		c.lines(helpTail)
		return nil
	}
	modifier := ""
	if strings.HasPrefix(w[0], "-") {
		modifier, w = w[0], w[1:]
	}
	var name, channel string
	switch {
	case len(w) == 1:
		name, channel = w[0], "stdout"
	case len(w) > 1:
		name, channel = w[0], strings.ToLower(w[len(w)-1])
		if channel != "stderr" && channel != "stdout" {
			c.line(fmt.Sprintf("Error: bad channel '%s'", channel))
			c.exit = exitGeneric
			return nil
		}
	default:
		c.line("Error: tail requires process name")
		c.exit = exitGeneric
		return nil
	}
	bytes, follow := 1600, false
	if modifier != "" {
		what := modifier[1:]
		if what == "f" {
			follow = true
		} else if n, ok := pyInt(what); ok {
			bytes = n
		} else {
			c.line("Error: bad argument " + modifier)
			c.exit = exitGeneric
			return nil
		}
	}
	if follow {
		return c.follow("/logtail/" + name + "/" + channel)
	}
	sv, _ := c.supervisor()
	var text string
	if channel == "stdout" {
		text, err = sv.ReadProcessStdoutLog(c.ctx(), name, -bytes, 0)
	} else {
		text, err = sv.ReadProcessStderrLog(c.ctx(), name, -bytes, 0)
	}
	if code, ok := client.FaultCode(err); ok {
		why := map[fault.Code]string{fault.NoFile: "no log file", fault.Failed: "unknown error reading log", fault.BadName: "no such process name"}[code]
		if why == "" {
			return c.fail(err)
		}
		c.exit = exitGeneric
		c.line(name + ": ERROR (" + why + ")")
		return nil
	}
	if err != nil {
		return c.fail(err)
	}
	c.text(text)
	return nil
}

// text shows a log text: as it is plus a new line, or as a JSON string.
func (c *ctl) text(s string) {
	if c.opts.json {
		c.setDoc(s)
		return
	}
	c.line(s)
}

func (c *ctl) doMaintail(args []string) error {
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	w := words(args)
	bytes := 1600
	switch {
	case len(w) > 1:
		c.line("Error: too many arguments")
		c.exit = exitGeneric
		c.lines(helpMaintail)
		return nil
	case len(w) == 1:
		if !strings.HasPrefix(w[0], "-") {
			c.line("Error: bad argument " + w[0])
			c.exit = exitGeneric
			return nil
		}
		what := w[0][1:]
		if what == "f" {
			return c.follow("/mainlogtail")
		}
		n, ok := pyInt(what)
		if !ok {
			c.line("Error: bad argument " + w[0])
			c.exit = exitGeneric
			return nil
		}
		bytes = n
	}
	sv, _ := c.supervisor()
	text, err := sv.ReadLog(c.ctx(), -bytes, 0)
	if code, ok := client.FaultCode(err); ok {
		why := map[fault.Code]string{fault.NoFile: "no log file", fault.Failed: "unknown error reading log"}[code]
		if why == "" {
			return c.fail(err)
		}
		c.exit = exitGeneric
		c.line("supervisord: ERROR (" + why + ")")
		return nil
	}
	if err != nil {
		return c.fail(err)
	}
	c.text(text)
	return nil
}

func (c *ctl) doPid(args []string) error {
	sv, err := c.supervisor()
	if err != nil {
		return err
	}
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	names := words(args)
	switch {
	case len(names) == 0:
		pid, err := sv.GetPID(c.ctx())
		if err != nil {
			return c.fail(err)
		}
		c.pidLine(pid, false)
	case slices.Contains(names, "all"):
		infos, err := sv.GetAllProcessInfo(c.ctx())
		if err != nil {
			return c.fail(err)
		}
		if c.opts.json {
			c.setDoc([]any{})
		}
		for _, info := range infos {
			c.pidLine(info.PID, true)
		}
	default:
		if c.opts.json {
			c.setDoc([]any{})
		}
		for _, name := range names {
			info, err := sv.GetProcessInfo(c.ctx(), name)
			if code, ok := client.FaultCode(err); ok {
				c.exit = exitGeneric
				if code != fault.BadName {
					return c.fail(err)
				}
				c.line("No such process " + name)
				continue
			}
			if err != nil {
				return c.fail(err)
			}
			c.pidLine(info.PID, true)
			if info.PID == 0 {
				c.exit = exitNotRunning
			}
		}
	}
	return nil
}

func (c *ctl) pidLine(pid int, list bool) {
	switch {
	case !c.opts.json:
		c.line(fmt.Sprint(pid))
	case list:
		c.addDoc(pid)
	default:
		c.setDoc(pid)
	}
}

// noArgs is supervisorctl's check of the commands that take no argument.
func (c *ctl) noArgs(name, help string, args []string) bool {
	if len(strings.TrimSpace(strings.Join(args, " "))) == 0 {
		return true
	}
	c.line("Error: " + name + " accepts no arguments")
	c.exit = exitGeneric
	c.lines(help)
	return false
}

func (c *ctl) doVersion(args []string) error {
	if !c.noArgs("version", helpVersion, args) {
		return nil
	}
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	sv, _ := c.supervisor()
	version, err := sv.GetSupervisorVersion(c.ctx())
	if err != nil {
		return c.fail(err)
	}
	c.text(version)
	return nil
}

func (c *ctl) doAvail(args []string) error {
	if !c.noArgs("avail", helpAvail, args) {
		return nil
	}
	sv, err := c.supervisor()
	if err != nil {
		return err
	}
	infos, err := sv.GetAllConfigInfo(c.ctx())
	if code, ok := client.FaultCode(err); ok && code == fault.ShutdownState {
		c.exit = exitGeneric
		c.line("ERROR: supervisor shutting down")
		return nil
	}
	if err != nil {
		return c.fail(err)
	}
	if c.opts.json {
		c.setDoc(infos)
		return nil
	}
	for _, info := range infos {
		inuse, autostart := "avail", "manual"
		if info.Inuse {
			inuse = "in use"
		}
		if info.Autostart {
			autostart = "auto"
		}
		c.line(fmt.Sprintf("%-32s %-9s %-9s %d:%d", info.Namespec(), inuse, autostart, info.GroupPrio, info.ProcessPrio))
	}
	return nil
}

func (c *ctl) doReread(args []string) error {
	if !c.noArgs("reread", helpReread, args) {
		return nil
	}
	sv, err := c.supervisor()
	if err != nil {
		return err
	}
	changes, err := sv.ReloadConfig(c.ctx())
	if f, ok := errors.AsType[*fault.Fault](err); ok {
		switch f.Code {
		case fault.ShutdownState:
			c.exit = exitGeneric
			c.line("ERROR: supervisor shutting down")
			return nil
		case fault.CantReread:
			c.exit = exitGeneric
			c.line("ERROR: " + f.String)
			return nil
		}
	}
	if err != nil {
		return c.fail(err)
	}
	if c.opts.json {
		c.setDoc(object{{"added", changes.Added}, {"changed", changes.Changed}, {"removed", changes.Removed}})
		return nil
	}
	c.formatChanges(changes)
	return nil
}

// formatChanges is supervisorctl's _formatChanges: one line per group,
// sorted, or a line saying nothing changed.
func (c *ctl) formatChanges(changes client.ConfigChanges) {
	what := map[string]string{}
	for _, g := range changes.Added {
		what[g] = "available"
	}
	for _, g := range changes.Changed {
		what[g] = "changed"
	}
	for _, g := range changes.Removed {
		what[g] = "disappeared"
	}
	if len(what) == 0 {
		c.line("No config updates to processes")
		return
	}
	names := make([]string, 0, len(what))
	for g := range what {
		names = append(names, g)
	}
	slices.Sort(names)
	for _, g := range names {
		c.line(g + ": " + what[g])
	}
}

func (c *ctl) doAdd(args []string) error {
	sv, err := c.supervisor()
	if err != nil {
		return err
	}
	for _, name := range words(args) {
		_, err := sv.AddProcessGroup(c.ctx(), name)
		code, isFault := client.FaultCode(err)
		switch {
		case err == nil:
			c.line(name + ": added process group")
		case isFault && code == fault.ShutdownState:
			c.line("ERROR: shutting down")
			c.exit = exitGeneric
		case isFault && code == fault.AlreadyAdded:
			c.line("ERROR: process group already active")
		case isFault && code == fault.BadName:
			c.line("ERROR: no such process/group: " + name)
			c.exit = exitGeneric
		default:
			return c.fail(err)
		}
	}
	return nil
}

func (c *ctl) doRemove(args []string) error {
	sv, err := c.supervisor()
	if err != nil {
		return err
	}
	for _, name := range words(args) {
		_, err := sv.RemoveProcessGroup(c.ctx(), name)
		code, isFault := client.FaultCode(err)
		switch {
		case err == nil:
			c.line(name + ": removed process group")
		case isFault && code == fault.StillRunning:
			c.exit = exitGeneric
			c.line("ERROR: process/group still running: " + name)
		case isFault && code == fault.BadName:
			c.exit = exitGeneric
			c.line("ERROR: no such process/group: " + name)
		default:
			return c.fail(err)
		}
	}
	return nil
}

func (c *ctl) doUpdate(args []string) error {
	sv, err := c.supervisor()
	if err != nil {
		return err
	}
	changes, err := sv.ReloadConfig(c.ctx())
	if code, ok := client.FaultCode(err); ok && code == fault.ShutdownState {
		c.exit = exitGeneric
		c.line("ERROR: already shutting down")
		return nil
	}
	if err != nil {
		return c.fail(err)
	}
	var wanted []string
	for _, g := range words(args) {
		if !slices.Contains(wanted, g) {
			wanted = append(wanted, g)
		}
	}
	if slices.Contains(wanted, "all") {
		wanted = nil
	}
	if len(wanted) > 0 {
		infos, err := sv.GetAllProcessInfo(c.ctx())
		if err != nil {
			return c.fail(err)
		}
		groups := append([]string(nil), changes.Added...)
		for _, info := range infos {
			groups = append(groups, info.Group)
		}
		for _, g := range wanted {
			if !slices.Contains(groups, g) {
				c.line("ERROR: no such group: " + g)
				c.exit = exitGeneric
			}
		}
	}
	skip := func(g string) bool { return len(wanted) > 0 && !slices.Contains(wanted, g) }
	for _, g := range changes.Removed {
		if skip(g) {
			continue
		}
		results, err := sv.StopProcessGroup(c.ctx(), g, true)
		if err != nil {
			return c.fail(err)
		}
		c.line(g + ": stopped")
		failed := false
		for _, r := range results {
			failed = failed || r.Status == fault.Failed
		}
		if failed {
			c.line(g + ": has problems; not removing")
			c.exit = exitGeneric
			continue
		}
		if _, err := sv.RemoveProcessGroup(c.ctx(), g); err != nil {
			return c.fail(err)
		}
		c.line(g + ": removed process group")
	}
	for _, g := range changes.Changed {
		if skip(g) {
			continue
		}
		if _, err := sv.StopProcessGroup(c.ctx(), g, true); err != nil {
			return c.fail(err)
		}
		c.line(g + ": stopped")
		if _, err := sv.RemoveProcessGroup(c.ctx(), g); err != nil {
			return c.fail(err)
		}
		if _, err := sv.AddProcessGroup(c.ctx(), g); err != nil {
			return c.fail(err)
		}
		c.line(g + ": updated process group")
	}
	for _, g := range changes.Added {
		if skip(g) {
			continue
		}
		if _, err := sv.AddProcessGroup(c.ctx(), g); err != nil {
			return c.fail(err)
		}
		c.line(g + ": added process group")
	}
	return nil
}

func (c *ctl) doClear(args []string) error {
	ok, err := c.upcheck()
	if err != nil || !ok {
		return err
	}
	names := words(args)
	if len(names) == 0 {
		c.line("Error: clear requires a process name")
		c.exit = exitGeneric
		c.lines(helpClear)
		return nil
	}
	sv, _ := c.supervisor()
	if slices.Contains(names, "all") {
		results, err := sv.ClearAllProcessLogs(c.ctx())
		if err != nil {
			return c.fail(err)
		}
		return c.showResults(results, clearResult, noIgnored)
	}
	for _, name := range names {
		group, process, hasProcess := splitNamespec(name)
		_, err := sv.ClearProcessLogs(c.ctx(), name)
		if err == nil {
			r := okResult(group, process)
			if !hasProcess {
				r.Name = "None"
			}
			c.result(makeNamespec(group, process, hasProcess)+": cleared", r)
			continue
		}
		r, ok := faultResult(group, process, hasProcess, err)
		if !ok {
			return c.fail(err)
		}
		text, known := clearResult(r)
		if !known {
			return c.unknownResult(r)
		}
		c.result(text, r)
		c.setExitFromFault(r.Status, noIgnored)
	}
	return nil
}

func (c *ctl) doShutdown(args []string) error {
	if !c.noArgs("shutdown", helpShutdown, args) {
		return nil
	}
	if !c.confirm("Really shut the remote supervisord process down y/N? ") {
		return nil
	}
	sv, err := c.supervisor()
	if err != nil {
		return err
	}
	_, err = sv.Shutdown(c.ctx())
	code, isFault := client.FaultCode(err)
	switch {
	case err == nil:
		c.line("Shut down")
	case isFault && code == fault.ShutdownState:
		c.line("ERROR: already shutting down")
	case isRefused(err):
		c.exit = exitGeneric
		c.line("ERROR: " + c.shownURL() + " refused connection (already shut down?)")
	case isNoSocket(err, c.shownURL()):
		c.exit = exitGeneric
		c.line("ERROR: " + c.shownURL() + " no such file (already shut down?)")
	default:
		return c.fail(err)
	}
	return nil
}

func (c *ctl) doReload(args []string) error {
	if !c.noArgs("reload", helpReload, args) {
		return nil
	}
	if !c.confirm("Really restart the remote supervisord process y/N? ") {
		return nil
	}
	sv, err := c.supervisor()
	if err != nil {
		return err
	}
	_, err = sv.Restart(c.ctx())
	if code, ok := client.FaultCode(err); ok && code == fault.ShutdownState {
		c.exit = exitGeneric
		c.line("ERROR: already shutting down")
		return nil
	}
	if err != nil {
		return c.fail(err)
	}
	c.line("Restarted supervisord")
	return nil
}

// completeProcesses completes process names from the server: names,
// "group:name" and "group:*".
func completeProcesses(c *ctl, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	infos, err := c.localProcesses()
	var names []string
	for _, info := range infos {
		if strings.Contains(toComplete, ":") || info.Name != info.Group {
			names = append(names, info.Group+":"+info.Name)
			if !slices.Contains(names, info.Group+":*") {
				names = append(names, info.Group+":*")
			}
		} else {
			names = append(names, info.Name)
		}
	}
	return completeWith(names, err)
}

// completeGroups completes group names from the server.
func completeGroups(c *ctl, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	infos, err := c.localProcesses()
	var groups []string
	for _, info := range infos {
		if !slices.Contains(groups, info.Group) {
			groups = append(groups, info.Group)
		}
	}
	return completeWith(groups, err)
}

// localProcesses are the processes of the agent, for completion.
func (c *ctl) localProcesses() ([]api.ProcessInfo, error) {
	sv, err := c.supervisor()
	if err != nil {
		return nil, err
	}
	return sv.GetAllProcessInfo(c.ctx())
}
