package api

import (
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
)

// SupervisorStateInfo is supervisor.getState's reply.
// A plain value, safe for concurrent use once filled.
type SupervisorStateInfo struct {
	State     enums.SupervisorState `xmlrpc:"statecode"`
	StateName string                `xmlrpc:"statename"`
}

// ProcessInfo is a process as its local supervisor sees it
// (supervisor.getProcessInfo, getAllProcessInfo).
// A plain value, safe for concurrent use once filled.
type ProcessInfo struct {
	Name          string             `xmlrpc:"name"`
	Group         string             `xmlrpc:"group"`
	Start         int64              `xmlrpc:"start"` // last start, epoch seconds; 0: never started
	Stop          int64              `xmlrpc:"stop"`  // last stop, epoch seconds; 0: never stopped
	Now           int64              `xmlrpc:"now"`   // the server's clock when it answered
	State         enums.ProcessState `xmlrpc:"state"`
	StateName     string             `xmlrpc:"statename"`
	SpawnErr      string             `xmlrpc:"spawnerr"`
	ExitStatus    int                `xmlrpc:"exitstatus"`
	Logfile       string             `xmlrpc:"logfile"` // stdout_logfile, kept for backward compatibility
	StdoutLogfile string             `xmlrpc:"stdout_logfile"`
	StderrLogfile string             `xmlrpc:"stderr_logfile"`
	PID           int                `xmlrpc:"pid"` // 0 when not running
	Description   string             `xmlrpc:"description"`
}

// Namespec is the process's name as supervisorctl shows it: "name" when
// the group has the process's name, else "group:name".
func (p ProcessInfo) Namespec() string { return Namespec(p.Group, p.Name) }

// Namespec is Supervisor's make_namespec: "name" when group == name, else
// "group:name". Safe for concurrent use.
func Namespec(group, name string) string {
	if group == name {
		return name
	}
	return group + ":" + name
}

// StatusResult is the outcome for one process of a group or all-processes
// call (startProcessGroup, stopAllProcesses, signalProcessGroup,
// clearAllProcessLogs, ...): Status is SUCCESS (80) with Description "OK",
// or a fault code with the fault's string.
// A plain value, safe for concurrent use once filled.
type StatusResult struct {
	Name        string     `xmlrpc:"name"`
	Group       string     `xmlrpc:"group"`
	Status      fault.Code `xmlrpc:"status"`
	Description string     `xmlrpc:"description"`
}

// OK reports whether the process's action succeeded (Status SUCCESS).
func (r StatusResult) OK() bool { return r.Status == fault.Success }

// Fault is the failure of the process's action, nil when it succeeded.
func (r StatusResult) Fault() *fault.Fault {
	if r.OK() {
		return nil
	}
	return &fault.Fault{Code: r.Status, String: r.Description}
}

// Namespec is the process's "group:name" (or "name", see Namespec).
func (r StatusResult) Namespec() string { return Namespec(r.Group, r.Name) }

// ConfigInfo is a program's configuration (supervisor.getAllConfigInfo).
// Directory and Serverurl are "none" when unset; log files are "none",
// "auto" or a path.
// A plain value, safe for concurrent use once filled.
type ConfigInfo struct {
	Autostart             bool   `xmlrpc:"autostart"`
	Directory             string `xmlrpc:"directory"`
	UID                   any    `xmlrpc:"uid"` // the user's uid (int), or the string "none"
	Command               string `xmlrpc:"command"`
	Exitcodes             []int  `xmlrpc:"exitcodes"`
	Group                 string `xmlrpc:"group"`
	GroupPrio             int    `xmlrpc:"group_prio"`
	Inuse                 bool   `xmlrpc:"inuse"`
	Killasgroup           bool   `xmlrpc:"killasgroup"`
	Name                  string `xmlrpc:"name"`
	ProcessPrio           int    `xmlrpc:"process_prio"`
	RedirectStderr        bool   `xmlrpc:"redirect_stderr"`
	Startretries          int    `xmlrpc:"startretries"`
	Startsecs             int    `xmlrpc:"startsecs"`
	StdoutCaptureMaxbytes int64  `xmlrpc:"stdout_capture_maxbytes"`
	StdoutEventsEnabled   bool   `xmlrpc:"stdout_events_enabled"`
	StdoutLogfile         string `xmlrpc:"stdout_logfile"`
	StdoutLogfileBackups  int    `xmlrpc:"stdout_logfile_backups"`
	StdoutLogfileMaxbytes int64  `xmlrpc:"stdout_logfile_maxbytes"`
	StdoutSyslog          bool   `xmlrpc:"stdout_syslog"`
	Stopsignal            int    `xmlrpc:"stopsignal"` // the signal's number
	Stopwaitsecs          int    `xmlrpc:"stopwaitsecs"`
	StderrCaptureMaxbytes int64  `xmlrpc:"stderr_capture_maxbytes"`
	StderrEventsEnabled   bool   `xmlrpc:"stderr_events_enabled"`
	StderrLogfile         string `xmlrpc:"stderr_logfile"`
	StderrLogfileBackups  int    `xmlrpc:"stderr_logfile_backups"`
	StderrLogfileMaxbytes int64  `xmlrpc:"stderr_logfile_maxbytes"`
	StderrSyslog          bool   `xmlrpc:"stderr_syslog"`
	Serverurl             string `xmlrpc:"serverurl"`
}

// Namespec is the program's process "group:name" (or "name").
func (c ConfigInfo) Namespec() string { return Namespec(c.Group, c.Name) }

// SupvisorsStateInfo is supvisors.get_supvisors_state's reply. Quorum is
// false while this node's side of the cluster does not see the configured
// quorum (always true without one), and GossipEncrypted tells whether the
// cluster's traffic is encrypted (gossip_key): extensions of the spec.
// A plain value, safe for concurrent use once filled.
type SupvisorsStateInfo struct {
	State           enums.SupvisorsState `xmlrpc:"statecode" json:"statecode"`
	StateName       string               `xmlrpc:"statename" json:"statename"`
	Quorum          bool                 `xmlrpc:"quorum" json:"quorum"`
	GossipEncrypted bool                 `xmlrpc:"gossip_encrypted" json:"gossip_encrypted"`
}

// Strategies is supvisors.get_strategies' reply: the auto-fencing flag and
// the names of the default strategies.
// A plain value, safe for concurrent use once filled.
type Strategies struct {
	AutoFencing  bool   `xmlrpc:"auto-fencing" json:"auto-fencing"`
	Starting     string `xmlrpc:"starting" json:"starting"`         // e.g. "CONFIG"
	Conciliation string `xmlrpc:"conciliation" json:"conciliation"` // e.g. "USER"
}

// StartingStrategy is Starting as a StartingStrategy.
func (s Strategies) StartingStrategy() (enums.StartingStrategy, error) {
	return enums.ParseStarting(s.Starting)
}

// ConciliationStrategy is Conciliation as a ConciliationStrategy.
func (s Strategies) ConciliationStrategy() (enums.ConciliationStrategy, error) {
	return enums.ParseConciliation(s.Conciliation)
}

// AddressInfo is an address of address_list as the answering node sees it
// (supvisors.get_address_info, get_all_addresses_info). RemoteTime and
// LocalTime are epoch seconds (the spec's milliseconds do not fit XML-RPC's
// 32-bit int), 0 while nothing has been heard from the address.
// A plain value, safe for concurrent use once filled.
type AddressInfo struct {
	AddressName string             `xmlrpc:"address_name" json:"address_name"`
	State       enums.AddressState `xmlrpc:"statecode" json:"statecode"`
	StateName   string             `xmlrpc:"statename" json:"statename"`
	RemoteTime  int64              `xmlrpc:"remote_time" json:"remote_time"`
	LocalTime   int64              `xmlrpc:"local_time" json:"local_time"`
	Loading     int                `xmlrpc:"loading" json:"loading"` // sum of the loading of its running processes, in %
}

// ApplicationInfo is an application as the cluster sees it
// (supvisors.get_application_info, get_all_applications_info).
// A plain value, safe for concurrent use once filled.
type ApplicationInfo struct {
	ApplicationName string                 `xmlrpc:"application_name" json:"application_name"`
	State           enums.ApplicationState `xmlrpc:"statecode" json:"statecode"`
	StateName       string                 `xmlrpc:"statename" json:"statename"`
	MajorFailure    bool                   `xmlrpc:"major_failure" json:"major_failure"`
	MinorFailure    bool                   `xmlrpc:"minor_failure" json:"minor_failure"`
}

// ClusterProcessInfo is a process as the whole cluster sees it
// (supvisors.get_process_info, get_all_process_info, get_conflicts).
// Addresses are where it is STARTING, RUNNING or BACKOFF: more than one is
// a conflict.
// A plain value, safe for concurrent use once filled.
type ClusterProcessInfo struct {
	ApplicationName string             `xmlrpc:"application_name" json:"application_name"`
	ProcessName     string             `xmlrpc:"process_name" json:"process_name"`
	State           enums.ProcessState `xmlrpc:"statecode" json:"statecode"`
	StateName       string             `xmlrpc:"statename" json:"statename"`
	ExpectedExit    bool               `xmlrpc:"expected_exit" json:"expected_exit"`
	LastEventTime   int64              `xmlrpc:"last_event_time" json:"last_event_time"` // epoch seconds, 0: none
	Addresses       []string           `xmlrpc:"addresses" json:"addresses"`
	// Waiting says why the cluster has not started the process yet when it
	// is to (a deployment or a failure strategy waits for an address).
	Waiting string `xmlrpc:"waiting" json:"waiting"`
	// Disabled: its program is disabled on every address that has it
	// (supvisors.disable): nothing starts it.
	Disabled bool `xmlrpc:"disabled" json:"disabled"`
}

// Namespec is the process's "application:name" (or "name").
func (p ClusterProcessInfo) Namespec() string { return Namespec(p.ApplicationName, p.ProcessName) }

// Conflict reports whether the process runs on more than one address.
func (p ClusterProcessInfo) Conflict() bool { return len(p.Addresses) > 1 }

// ApplicationRules is supvisors.get_application_rules' reply; the
// strategies are by name.
// A plain value, safe for concurrent use once filled.
type ApplicationRules struct {
	ApplicationName         string `xmlrpc:"application_name"`
	StartSequence           int    `xmlrpc:"start_sequence"`
	StopSequence            int    `xmlrpc:"stop_sequence"`
	StartingFailureStrategy string `xmlrpc:"starting_failure_strategy"` // e.g. "ABORT"
	RunningFailureStrategy  string `xmlrpc:"running_failure_strategy"`  // e.g. "CONTINUE"
}

// StartingFailure is StartingFailureStrategy parsed.
func (r ApplicationRules) StartingFailure() (enums.StartingFailureStrategy, error) {
	return enums.ParseStartingFailure(r.StartingFailureStrategy)
}

// RunningFailure is RunningFailureStrategy parsed.
func (r ApplicationRules) RunningFailure() (enums.RunningFailureStrategy, error) {
	return enums.ParseRunningFailure(r.RunningFailureStrategy)
}

// ProcessRules is one entry of supvisors.get_process_rules' reply.
// ExpectedLoading repeats Loading (what Supvisors 0.1 clients read).
// A plain value, safe for concurrent use once filled.
type ProcessRules struct {
	ApplicationName        string   `xmlrpc:"application_name"`
	ProcessName            string   `xmlrpc:"process_name"`
	Addresses              []string `xmlrpc:"addresses"` // where it may start ("*": anywhere)
	StartSequence          int      `xmlrpc:"start_sequence"`
	StopSequence           int      `xmlrpc:"stop_sequence"`
	Required               bool     `xmlrpc:"required"`
	WaitExit               bool     `xmlrpc:"wait_exit"`
	Loading                int      `xmlrpc:"loading"`
	ExpectedLoading        int      `xmlrpc:"expected_loading"`
	RunningFailureStrategy string   `xmlrpc:"running_failure_strategy"` // e.g. "CONTINUE"
}

// Namespec is the process's "application:name" (or "name").
func (r ProcessRules) Namespec() string { return Namespec(r.ApplicationName, r.ProcessName) }

// RunningFailure is RunningFailureStrategy parsed.
func (r ProcessRules) RunningFailure() (enums.RunningFailureStrategy, error) {
	return enums.ParseRunningFailure(r.RunningFailureStrategy)
}

// StatsHistory is the samples a node keeps for one period, oldest first:
// Time in epoch seconds, CPU and Mem in %.
// A plain value, safe for concurrent use once filled.
type StatsHistory struct {
	Time []float64 `xmlrpc:"time" json:"time"`
	CPU  []float64 `xmlrpc:"cpu" json:"cpu"`
	Mem  []float64 `xmlrpc:"mem" json:"mem"`
}

// HostStatistics is supvisors.get_host_statistics' reply. CPU holds the
// total then each core, in %; IO maps each network interface to its
// received then sent kbit/s. Before the node's first sample, CPU, IO and
// History are empty.
// A plain value, safe for concurrent use once filled.
type HostStatistics struct {
	AddressName string               `xmlrpc:"address_name" json:"address_name"`
	Period      int                  `xmlrpc:"period" json:"period"`
	CPU         []float64            `xmlrpc:"cpu" json:"cpu"`
	Mem         float64              `xmlrpc:"mem" json:"mem"`
	IO          map[string][]float64 `xmlrpc:"io" json:"io"`
	History     StatsHistory         `xmlrpc:"history" json:"history"`
}

// ProcessStatistics is one entry of supvisors.get_process_statistics'
// reply: a running copy of a process with all its descendants. CPU is in %
// of the whole host (of one core with stats_irix_mode), Mem in % of the
// host's memory. Before the copy's first sample, CPU and Mem are 0 and
// History is empty.
// A plain value, safe for concurrent use once filled.
type ProcessStatistics struct {
	Namespec    string       `xmlrpc:"namespec" json:"namespec"`
	AddressName string       `xmlrpc:"address_name" json:"address_name"`
	PID         int          `xmlrpc:"pid" json:"pid"`
	Period      int          `xmlrpc:"period" json:"period"`
	CPU         float64      `xmlrpc:"cpu" json:"cpu"`
	Mem         float64      `xmlrpc:"mem" json:"mem"`
	History     StatsHistory `xmlrpc:"history" json:"history"`
}
