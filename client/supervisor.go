package client

import (
	"context"
	"fmt"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/fault"
)

// Supervisor is the `supervisor` namespace of a Client: every method of
// Supervisor 4.2.5's XML-RPC API on the agent's local processes, aliases
// included. Every method faults with SHUTDOWN_STATE while the agent
// restarts or shuts down. A small value; safe for concurrent use.
//
// name arguments are namespecs: "name" (group name, process name), "g:p",
// or, where a group is accepted, "g:*".
type Supervisor struct{ c *Client }

// Supervisor returns the `supervisor` namespace's methods. Safe for
// concurrent use.
func (c *Client) Supervisor() Supervisor { return Supervisor{c} }

func (s Supervisor) str(ctx context.Context, method string, params ...any) (string, error) {
	var reply string
	return reply, s.c.Call(ctx, "supervisor."+method, params, &reply)
}

func (s Supervisor) boolean(ctx context.Context, method string, params ...any) (bool, error) {
	var reply bool
	return reply, s.c.Call(ctx, "supervisor."+method, params, &reply)
}

func (s Supervisor) results(ctx context.Context, method string, params ...any) ([]api.StatusResult, error) {
	var reply []api.StatusResult
	return reply, s.c.Call(ctx, "supervisor."+method, params, &reply)
}

// GetAPIVersion is supervisor.getAPIVersion: "3.0".
func (s Supervisor) GetAPIVersion(ctx context.Context) (string, error) {
	return s.str(ctx, "getAPIVersion")
}

// GetVersion is supervisor.getVersion, the deprecated alias of
// getAPIVersion that supervisorctl checks: "3.0".
func (s Supervisor) GetVersion(ctx context.Context) (string, error) {
	return s.str(ctx, "getVersion")
}

// GetSupervisorVersion is supervisor.getSupervisorVersion: the Supervisor
// release the agent behaves as ("4.2.5").
func (s Supervisor) GetSupervisorVersion(ctx context.Context) (string, error) {
	return s.str(ctx, "getSupervisorVersion")
}

// GetIdentification is supervisor.getIdentification: the [supervisord]
// identifier.
func (s Supervisor) GetIdentification(ctx context.Context) (string, error) {
	return s.str(ctx, "getIdentification")
}

// GetState is supervisor.getState: the agent's own state.
func (s Supervisor) GetState(ctx context.Context) (api.SupervisorStateInfo, error) {
	var reply api.SupervisorStateInfo
	return reply, s.c.Call(ctx, "supervisor.getState", nil, &reply)
}

// GetPID is supervisor.getPID: the agent's process id.
func (s Supervisor) GetPID(ctx context.Context) (int, error) {
	var reply int
	return reply, s.c.Call(ctx, "supervisor.getPID", nil, &reply)
}

// ReadLog is supervisor.readLog: length bytes of the agent's main log from
// offset; length 0 reads to the end, and a negative offset with length 0
// the last -offset bytes. NO_FILE without a log file, BAD_ARGUMENTS for a
// negative offset with a length.
func (s Supervisor) ReadLog(ctx context.Context, offset, length int) (string, error) {
	return s.str(ctx, "readLog", offset, length)
}

// ReadMainLog is supervisor.readMainLog, the alias of readLog.
func (s Supervisor) ReadMainLog(ctx context.Context, offset, length int) (string, error) {
	return s.str(ctx, "readMainLog", offset, length)
}

// ClearLog is supervisor.clearLog: empties the main log. NO_FILE without
// one.
func (s Supervisor) ClearLog(ctx context.Context) (bool, error) {
	return s.boolean(ctx, "clearLog")
}

// Shutdown is supervisor.shutdown: the agent stops its processes and
// exits, after answering true.
func (s Supervisor) Shutdown(ctx context.Context) (bool, error) {
	return s.boolean(ctx, "shutdown")
}

// Restart is supervisor.restart: the agent stops its processes, re-reads
// its configuration and starts again, after answering true.
func (s Supervisor) Restart(ctx context.Context) (bool, error) {
	return s.boolean(ctx, "restart")
}

// ReloadConfig is supervisor.reloadConfig: re-reads the configuration file
// and tells which groups were added, changed or removed, without applying
// anything (supervisorctl reread). CANT_REREAD for a bad file.
func (s Supervisor) ReloadConfig(ctx context.Context) (ConfigChanges, error) {
	var reply [][][]string
	if err := s.c.Call(ctx, "supervisor.reloadConfig", nil, &reply); err != nil {
		return ConfigChanges{}, err
	}
	if len(reply) != 1 || len(reply[0]) != 3 {
		return ConfigChanges{}, &callError{method: "supervisor.reloadConfig", server: s.c.url,
			err: fmt.Errorf("reply: want [[added, changed, removed]], got %v", reply)}
	}
	return ConfigChanges{Added: reply[0][0], Changed: reply[0][1], Removed: reply[0][2]}, nil
}

// AddProcessGroup is supervisor.addProcessGroup: starts managing a group of
// the configuration read by ReloadConfig (and its autostart processes).
// BAD_NAME for a group not in the configuration, ALREADY_ADDED.
func (s Supervisor) AddProcessGroup(ctx context.Context, name string) (bool, error) {
	return s.boolean(ctx, "addProcessGroup", name)
}

// RemoveProcessGroup is supervisor.removeProcessGroup: stops managing a
// group whose processes are all stopped. BAD_NAME, STILL_RUNNING.
func (s Supervisor) RemoveProcessGroup(ctx context.Context, name string) (bool, error) {
	return s.boolean(ctx, "removeProcessGroup", name)
}

// GetProcessInfo is supervisor.getProcessInfo: one process. BAD_NAME.
func (s Supervisor) GetProcessInfo(ctx context.Context, name string) (api.ProcessInfo, error) {
	var reply api.ProcessInfo
	return reply, s.c.Call(ctx, "supervisor.getProcessInfo", []any{name}, &reply)
}

// GetAllProcessInfo is supervisor.getAllProcessInfo: every process, sorted
// by group then name.
func (s Supervisor) GetAllProcessInfo(ctx context.Context) ([]api.ProcessInfo, error) {
	var reply []api.ProcessInfo
	return reply, s.c.Call(ctx, "supervisor.getAllProcessInfo", nil, &reply)
}

// GetAllConfigInfo is supervisor.getAllConfigInfo: every program's
// configuration, sorted by name.
func (s Supervisor) GetAllConfigInfo(ctx context.Context) ([]api.ConfigInfo, error) {
	var reply []api.ConfigInfo
	return reply, s.c.Call(ctx, "supervisor.getAllConfigInfo", nil, &reply)
}

// forNamespec calls a method that answers true for one process and the
// status results of a whole group for "g:*".
func (s Supervisor) forNamespec(ctx context.Context, method string, params ...any) ([]api.StatusResult, error) {
	var reply any
	if err := s.c.Call(ctx, "supervisor."+method, params, &reply); err != nil {
		return nil, err
	}
	switch v := reply.(type) {
	case bool:
		return nil, nil
	case []any:
		results := make([]api.StatusResult, len(v))
		for i, e := range v {
			r, ok := statusResult(e)
			if !ok {
				return nil, &callError{method: "supervisor." + method, server: s.c.url,
					err: fmt.Errorf("reply: element %d is not a status result: %v", i+1, e)}
			}
			results[i] = r
		}
		return results, nil
	}
	return nil, &callError{method: "supervisor." + method, server: s.c.url,
		err: fmt.Errorf("reply: want a boolean or an array, got %T", reply)}
}

// statusResult reads a status result struct decoded as an empty interface.
func statusResult(v any) (api.StatusResult, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return api.StatusResult{}, false
	}
	var r api.StatusResult
	var okName, okGroup, okStatus, okDesc bool
	r.Name, okName = m["name"].(string)
	r.Group, okGroup = m["group"].(string)
	status, okStatus := m["status"].(int)
	r.Description, okDesc = m["description"].(string)
	r.Status = fault.Code(status)
	return r, okName && okGroup && okStatus && okDesc
}

// StartProcess is supervisor.startProcess: starts a process and, with
// wait, waits until it is RUNNING. For one process the server answers true
// and the results are nil; for "g:*" it starts the group as
// StartProcessGroup does and the results are the group's. BAD_NAME,
// NO_FILE, NOT_EXECUTABLE, ALREADY_STARTED, SPAWN_ERROR,
// ABNORMAL_TERMINATION.
func (s Supervisor) StartProcess(ctx context.Context, name string, wait bool) ([]api.StatusResult, error) {
	return s.forNamespec(ctx, "startProcess", name, wait)
}

// StartProcessGroup is supervisor.startProcessGroup: starts every process
// of a group that is not running, one status result each. BAD_NAME.
func (s Supervisor) StartProcessGroup(ctx context.Context, name string, wait bool) ([]api.StatusResult, error) {
	return s.results(ctx, "startProcessGroup", name, wait)
}

// StartAllProcesses is supervisor.startAllProcesses: starts every process
// that is not running, by group priority, one status result each.
func (s Supervisor) StartAllProcesses(ctx context.Context, wait bool) ([]api.StatusResult, error) {
	return s.results(ctx, "startAllProcesses", wait)
}

// StopProcess is supervisor.stopProcess: stops a process and, with wait,
// waits until it is stopped. Results as for StartProcess. BAD_NAME,
// NOT_RUNNING, FAILED.
func (s Supervisor) StopProcess(ctx context.Context, name string, wait bool) ([]api.StatusResult, error) {
	return s.forNamespec(ctx, "stopProcess", name, wait)
}

// StopProcessGroup is supervisor.stopProcessGroup: stops every running
// process of a group, one status result each. BAD_NAME.
func (s Supervisor) StopProcessGroup(ctx context.Context, name string, wait bool) ([]api.StatusResult, error) {
	return s.results(ctx, "stopProcessGroup", name, wait)
}

// StopAllProcesses is supervisor.stopAllProcesses: stops every running
// process, one status result each.
func (s Supervisor) StopAllProcesses(ctx context.Context, wait bool) ([]api.StatusResult, error) {
	return s.results(ctx, "stopAllProcesses", wait)
}

// SignalProcess is supervisor.signalProcess: sends signal (a name, "HUP"
// or "SIGHUP", or a number as a string) to a process. Results as for
// StartProcess. BAD_NAME, BAD_SIGNAL, NOT_RUNNING, FAILED.
func (s Supervisor) SignalProcess(ctx context.Context, name, signal string) ([]api.StatusResult, error) {
	return s.forNamespec(ctx, "signalProcess", name, signal)
}

// SignalProcessGroup is supervisor.signalProcessGroup: signals every
// signallable process of a group, one status result each. BAD_NAME.
func (s Supervisor) SignalProcessGroup(ctx context.Context, name, signal string) ([]api.StatusResult, error) {
	return s.results(ctx, "signalProcessGroup", name, signal)
}

// SignalAllProcesses is supervisor.signalAllProcesses: signals every
// signallable process, one status result each.
func (s Supervisor) SignalAllProcesses(ctx context.Context, signal string) ([]api.StatusResult, error) {
	return s.results(ctx, "signalAllProcesses", signal)
}

// SendProcessStdin is supervisor.sendProcessStdin: writes chars to a
// process's stdin. Characters XML cannot carry (NUL, ESC, other controls
// but tab, newline and CR) arrive as U+FFFD. BAD_NAME, NOT_RUNNING, NO_FILE.
func (s Supervisor) SendProcessStdin(ctx context.Context, name, chars string) (bool, error) {
	return s.boolean(ctx, "sendProcessStdin", name, chars)
}

// SendRemoteCommEvent is supervisor.sendRemoteCommEvent: a
// REMOTE_COMMUNICATION event of type typ with data, for Supervisor's event
// listeners; the agent answers true.
func (s Supervisor) SendRemoteCommEvent(ctx context.Context, typ, data string) (bool, error) {
	return s.boolean(ctx, "sendRemoteCommEvent", typ, data)
}

// ReadProcessStdoutLog is supervisor.readProcessStdoutLog: length bytes of
// a process's stdout log from offset, as ReadLog reads the main log.
// BAD_NAME, NO_FILE, BAD_ARGUMENTS.
func (s Supervisor) ReadProcessStdoutLog(ctx context.Context, name string, offset, length int) (string, error) {
	return s.str(ctx, "readProcessStdoutLog", name, offset, length)
}

// ReadProcessLog is supervisor.readProcessLog, the alias of
// readProcessStdoutLog.
func (s Supervisor) ReadProcessLog(ctx context.Context, name string, offset, length int) (string, error) {
	return s.str(ctx, "readProcessLog", name, offset, length)
}

// ReadProcessStderrLog is supervisor.readProcessStderrLog, on the stderr
// log.
func (s Supervisor) ReadProcessStderrLog(ctx context.Context, name string, offset, length int) (string, error) {
	return s.str(ctx, "readProcessStderrLog", name, offset, length)
}

func (s Supervisor) tail(ctx context.Context, method, name string, offset, length int) (Tail, error) {
	var reply []any
	if err := s.c.Call(ctx, "supervisor."+method, []any{name, offset, length}, &reply); err != nil {
		return Tail{}, err
	}
	if len(reply) == 3 {
		data, okData := reply[0].(string)
		next, okNext := reply[1].(int)
		overflow, okOverflow := reply[2].(bool)
		if okData && okNext && okOverflow {
			return Tail{Bytes: data, Offset: int64(next), Overflow: overflow}, nil
		}
	}
	return Tail{}, &callError{method: "supervisor." + method, server: s.c.url,
		err: fmt.Errorf("reply: want [string, int, boolean], got %v", reply)}
}

// TailProcessStdoutLog is supervisor.tailProcessStdoutLog: at most length
// bytes of a process's stdout log from offset, ending at its end, and where
// to read from next (as supervisorctl tail -f does over XML-RPC). A
// missing log file gives an empty Tail. BAD_NAME.
func (s Supervisor) TailProcessStdoutLog(ctx context.Context, name string, offset, length int) (Tail, error) {
	return s.tail(ctx, "tailProcessStdoutLog", name, offset, length)
}

// TailProcessLog is supervisor.tailProcessLog, the alias of
// tailProcessStdoutLog.
func (s Supervisor) TailProcessLog(ctx context.Context, name string, offset, length int) (Tail, error) {
	return s.tail(ctx, "tailProcessLog", name, offset, length)
}

// TailProcessStderrLog is supervisor.tailProcessStderrLog, on the stderr
// log.
func (s Supervisor) TailProcessStderrLog(ctx context.Context, name string, offset, length int) (Tail, error) {
	return s.tail(ctx, "tailProcessStderrLog", name, offset, length)
}

// ClearProcessLogs is supervisor.clearProcessLogs: empties a process's
// stdout and stderr logs. BAD_NAME, FAILED.
func (s Supervisor) ClearProcessLogs(ctx context.Context, name string) (bool, error) {
	return s.boolean(ctx, "clearProcessLogs", name)
}

// ClearProcessLog is supervisor.clearProcessLog, the alias of
// clearProcessLogs.
func (s Supervisor) ClearProcessLog(ctx context.Context, name string) (bool, error) {
	return s.boolean(ctx, "clearProcessLog", name)
}

// ClearAllProcessLogs is supervisor.clearAllProcessLogs: empties the logs
// of every process, one status result each.
func (s Supervisor) ClearAllProcessLogs(ctx context.Context) ([]api.StatusResult, error) {
	return s.results(ctx, "clearAllProcessLogs")
}
