package config

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"syscall"
	"time"
)

// AutoLogfile is the value of ProcessLog.Logfile when the configuration says
// AUTO: the process package replaces it with a generated name in the child
// log directory when the group is added, as supervisord does at start-up.
const AutoLogfile = "AUTO"

// Config is one agent's whole configuration: the supervisord INI file, its
// includes, and the [supvisors] section. It is a plain value; nothing in it
// changes after Load returns, so it is safe to share between goroutines.
type Config struct {
	// File is the absolute path of the main configuration file.
	File string
	// Supervisord holds the [supervisord] section.
	Supervisord Supervisord
	// InetHTTPServer is the [inet_http_server] section, nil when absent.
	InetHTTPServer *InetHTTPServer
	// UnixHTTPServer is the [unix_http_server] section, nil when absent.
	UnixHTTPServer *UnixHTTPServer
	// Groups are the process groups, from [program:x] (a homogeneous group
	// named after the program) and [group:g] sections, sorted by priority
	// then name.
	Groups []*Group
	// Supvisors is the [supvisors] section (or [rpcinterface:supvisors]),
	// with SUPVISORS_* environment overrides applied.
	Supvisors Supvisors
	// Rules is the rules file Supvisors.RulesFile names, nil when none is
	// set (every application then has the default rules; the methods of
	// Rules accept nil).
	Rules *Rules
	// Warnings are Supervisor's parse warnings (and this agent's, for
	// sections it accepts but does not run), each prefixed with
	// "file:line: ", for the caller to log.
	Warnings []string
}

// Supervisord is the [supervisord] section. Keys the agent has no use for
// (minprocs, nocleanup, strip_ansi, silent, ...) are accepted and kept so a
// stock file loads unchanged.
type Supervisord struct {
	Logfile         string // "" when the file says NONE; default $CWD/supervisord.log
	LogfileMaxBytes int64  // default 50MB
	LogfileBackups  int    // default 10
	Loglevel        string // critical, error, warn, info, debug, trace, blather; default info
	Pidfile         string // default $CWD/supervisord.pid
	Identifier      string // default "supervisor"
	Environment     []EnvVar
	Childlogdir     string // default the system temporary directory
	Minfds          int    // default 1024
	Minprocs        int    // default 200
	Nodaemon        bool
	Nocleanup       bool
	StripANSI       bool
	Silent          bool
	Umask           os.FileMode // default 022
	User            string
	Directory       string
}

// DefaultMaxConnections is max_connections when a server section leaves
// it out: far more than the clients of an agent (supervisorctl, the
// dashboard, the peers' forwarding), far fewer than the 1,024 descriptors
// supervisord's minfds asks for, so that a flood of connections leaves
// the children theirs.
const DefaultMaxConnections = 256

// InetHTTPServer is the [inet_http_server] section.
type InetHTTPServer struct {
	// Port is host:port as written ("127.0.0.1:9001", ":9001", "*:9001" means all interfaces).
	Port     string
	Username string
	// Password is plain text or "{SHA}" followed by the hex SHA-1 of the password.
	Password string
	// MaxConnections bounds the connections open at once (our extension,
	// default DefaultMaxConnections): one more is closed as it comes.
	MaxConnections int
	// TLS is nil when the port serves plain HTTP (no certfile).
	TLS *TLS
}

// TLS is what [inet_http_server] certfile, keyfile and cafile (our
// extensions) name, loaded and checked: the port serves HTTPS only, and
// the agent verifies the other agents' certificates with RootCAs when it
// calls them.
type TLS struct {
	CertFile, KeyFile string
	// CAFile is "" without cafile.
	CAFile string
	// Certificate is the pair of CertFile and KeyFile.
	Certificate tls.Certificate
	// RootCAs holds CAFile's certificates; nil without cafile: the
	// system's roots.
	RootCAs *x509.CertPool
}

// UnixHTTPServer is the [unix_http_server] section.
type UnixHTTPServer struct {
	File     string
	Chmod    os.FileMode // default 0700
	Chown    string      // "user" or "user:group", "" to leave as is
	Username string
	Password string
	// MaxConnections bounds the connections open at once on the socket,
	// apart from the inet server's (our extension, default
	// DefaultMaxConnections).
	MaxConnections int
}

// Group is a process group: what supervisorctl shows before the colon.
type Group struct {
	Name     string
	Priority int
	// Homogeneous is true for a group made by a [program:x] section (its
	// processes share one program and differ by process_num); false for a
	// [group:g] section.
	Homogeneous bool
	// Processes are sorted by priority then name.
	Processes []*Process
	// Listener is set for an [eventlistener:x] pool (Supervisor's
	// EventListenerPoolConfig), whose processes are event listeners; nil
	// for a process group.
	Listener *ListenerPool
}

// ListenerPool is what an [eventlistener:x] section says beside its
// processes' options.
type ListenerPool struct {
	// BufferSize is buffer_size (default 10): the events the pool keeps
	// while no listener is ready.
	BufferSize int
	// Events are the event type names of events=, upper case, each once,
	// in the order written.
	Events []string
}

// EventTypes are the event type names events= accepts, Supervisor 4.2.5's
// EventTypes. EVENT and the names some others begin with followed by "_"
// (PROCESS_STATE, PROCESS_LOG, PROCESS_COMMUNICATION, PROCESS_GROUP,
// SUPERVISOR_STATE_CHANGE, TICK) are abstract: a pool subscribed to one
// gets all of those.
var EventTypes = []string{
	"EVENT",
	"PROCESS_STATE", "PROCESS_STATE_STOPPED", "PROCESS_STATE_EXITED", "PROCESS_STATE_STARTING",
	"PROCESS_STATE_STOPPING", "PROCESS_STATE_BACKOFF", "PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING",
	"PROCESS_STATE_UNKNOWN",
	"PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT", "PROCESS_COMMUNICATION_STDERR",
	"PROCESS_LOG", "PROCESS_LOG_STDOUT", "PROCESS_LOG_STDERR",
	"REMOTE_COMMUNICATION",
	"SUPERVISOR_STATE_CHANGE", "SUPERVISOR_STATE_CHANGE_RUNNING", "SUPERVISOR_STATE_CHANGE_STOPPING",
	"TICK", "TICK_5", "TICK_60", "TICK_3600",
	"PROCESS_GROUP", "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED",
}

// EventMatches tells whether a pool subscribed to the type subscribed gets
// an event of the concrete type name, as Supervisor's isinstance does.
func EventMatches(subscribed, name string) bool {
	return subscribed == name || subscribed == "EVENT" || strings.HasPrefix(name, subscribed+"_")
}

// Autorestart is the program's autorestart setting.
type Autorestart int

const (
	// AutorestartFalse never restarts an exited process.
	AutorestartFalse Autorestart = iota
	// AutorestartUnexpected restarts it when its exit code is not in exitcodes.
	AutorestartUnexpected
	// AutorestartTrue always restarts it.
	AutorestartTrue
)

// Process is the configuration of one process, expanded from a [program:x]
// section (one per process_num when numprocs > 1).
type Process struct {
	// Name is the expanded process_name; Group the group it belongs to;
	// Program the name in [program:x].
	Name, Group, Program string
	// ProcessNum is %(process_num)d for this process; Index its 0-based
	// position among the processes of its program in Supervisor's order
	// (by name: w_10 comes before w_2), which is how Supvisors numbers
	// them for the rules' '#'.
	ProcessNum, Index int
	// Homogeneous: process_name holds %(process_num), so numprocs may
	// change (supvisors.update_numprocs).
	Homogeneous  bool
	Command      string
	Directory    string // "" when not set
	Umask        *os.FileMode
	Priority     int
	Autostart    bool
	Autorestart  Autorestart
	Startsecs    int
	Startretries int
	Stopsignal   syscall.Signal
	Stopwaitsecs int
	Stopasgroup  bool
	Killasgroup  bool
	Exitcodes    []int
	// User is the user= name as written; UID is -1 when no user is set.
	User           string
	UID, GID       int
	RedirectStderr bool
	Environment    []EnvVar
	Serverurl      string // "" when not set or AUTO
	Stdout, Stderr ProcessLog
}

// ProcessLog is the capture configuration of one output channel.
type ProcessLog struct {
	// Logfile is a path, AutoLogfile, or "" for NONE (and for stderr when
	// redirect_stderr is true).
	Logfile         string
	MaxBytes        int64
	Backups         int
	CaptureMaxBytes int64
	EventsEnabled   bool
	Syslog          bool
}

// EnvVar is one KEY=value pair of an environment= option, in file order.
type EnvVar struct {
	Key, Value string
}

// Supvisors is the [supvisors] section (DESIGN.md's table). Every node of a
// cluster shares it.
type Supvisors struct {
	// Present is true when the file has a [supvisors] or
	// [rpcinterface:supvisors] section.
	Present     bool
	AddressList []string
	RulesFile   string
	// StateFile is where the agent keeps what operators changed at run
	// time (disabled programs, numprocs): %(here)s/supvisors.state.
	StateFile            string
	AutoFence            bool
	InternalPort         int
	EventPort            int
	SynchroTimeout       int // seconds
	StartingStrategy     string
	ConciliationStrategy string
	GossipKeys           [][]byte // decoded, the first encrypts; nil when not set
	// HostName is the machine the agent runs on (default its host name):
	// the starting strategies *_NODE sum the loads of the addresses of one
	// machine.
	HostName     string
	StatsPeriods []int // seconds, sorted, distinct
	StatsHisto   int   // samples kept per period
	// StatsIrixMode reports a process's CPU as a share of one core
	// (0-100 per core) instead of a share of the whole host.
	StatsIrixMode bool
	// Gossip timings; zero means the ring's default.
	ProbeInterval, ProbeTimeout      time.Duration
	GossipInterval, PushPullInterval time.Duration
	SuspicionMult                    int
	// Quorum is how many addresses of address_list a node must see RUNNING
	// (itself included) to take cluster actions; 0 is off.
	Quorum int
}
