// The values of the supvisors C++ client: the enums and structs that the
// replies of the system, supervisor and supvisors namespaces decode to, and
// the fault codes. Include <supvisors/client.hpp>, which includes this.
//
// Every type here is a plain value: copies are independent, and a value may
// be read from several threads at once.
#ifndef SUPVISORS_TYPES_HPP
#define SUPVISORS_TYPES_HPP

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace supvisors {

// faults holds the fault codes of Supervisor (1-92) and Supvisors (100+), as
// Fault::code() and ExecutionStatus::status give them.
namespace faults {
constexpr int UNKNOWN_METHOD = 1;
constexpr int INCORRECT_PARAMETERS = 2;
constexpr int BAD_ARGUMENTS = 3;
constexpr int SIGNATURE_UNSUPPORTED = 4;
constexpr int SHUTDOWN_STATE = 6;
constexpr int BAD_NAME = 10;
constexpr int BAD_SIGNAL = 11;
constexpr int NO_FILE = 20;
constexpr int NOT_EXECUTABLE = 21;
constexpr int FAILED = 30;
constexpr int ABNORMAL_TERMINATION = 40;
constexpr int SPAWN_ERROR = 50;
constexpr int ALREADY_STARTED = 60;
constexpr int NOT_RUNNING = 70;
constexpr int SUCCESS = 80;
constexpr int ALREADY_ADDED = 90;
constexpr int STILL_RUNNING = 91;
constexpr int CANT_REREAD = 92;
constexpr int SUPVISORS_CONF_ERROR = 100;
constexpr int BAD_SUPVISORS_STATE = 101;
constexpr int BAD_ADDRESS = 102;
constexpr int BAD_STRATEGY = 103;
constexpr int BAD_EXTRA_ARGUMENTS = 104;
constexpr int DISABLED = 105;  // a start of a disabled program (supvisors.disable)
}  // namespace faults

// faultName is the name of a fault code ("BAD_NAME" for 10), or "FAULT_<code>"
// for a code this library does not know.
std::string faultName(int code);

// The state enums below carry the wire codes (a reply's statecode). A code
// this library does not know (a later server's new state) decodes to UNKNOWN;
// the struct's statename still holds the name the server sent.

// ProcessState is a Supervisor process state.
enum class ProcessState : int {
  STOPPED = 0,
  STARTING = 10,
  RUNNING = 20,
  BACKOFF = 30,
  STOPPING = 40,
  EXITED = 100,
  FATAL = 200,
  UNKNOWN = 1000,
};

// SupervisorState is the state of a node's supervisor
// (supervisor.getState). UNKNOWN (1000) is not on the wire: a state this
// library does not know.
enum class SupervisorState : int {
  SHUTDOWN = -1,
  RESTARTING = 0,
  RUNNING = 1,
  FATAL = 2,
  UNKNOWN = 1000,
};

// SupvisorsState is the state of Supvisors on the node asked
// (supvisors.get_supvisors_state). UNKNOWN (1000) is not on the wire: a state
// this library does not know.
enum class SupvisorsState : int {
  INITIALIZATION = 0,
  DEPLOYMENT = 1,
  OPERATION = 2,
  CONCILIATION = 3,
  RESTARTING = 4,
  SHUTTING_DOWN = 5,
  SHUTDOWN = 6,
  UNKNOWN = 1000,
};

// AddressState is the state of an address of address_list as the node asked
// sees it. UNKNOWN (0) is also a real state: not heard of yet.
enum class AddressState : int {
  UNKNOWN = 0,
  CHECKING = 1,
  RUNNING = 2,
  SILENT = 3,
  ISOLATING = 4,
  ISOLATED = 5,
};

// ApplicationState is the state of an application over its processes.
// UNKNOWN (0) is also a real state.
enum class ApplicationState : int {
  UNKNOWN = 0,
  STOPPED = 1,
  STARTING = 2,
  STOPPING = 3,
  RUNNING = 4,
};

// The strategies travel as their codes in calls, and as their names in
// replies; a name this library does not know decodes to UNKNOWN (1000, which
// a server answers with BAD_STRATEGY if it is sent).

// StartingStrategy chooses the addresses where processes start.
enum class StartingStrategy : int {
  CONFIG = 0,
  LESS_LOADED = 1,
  MOST_LOADED = 2,
  LOCAL = 3,
  LESS_LOADED_NODE = 4,  // the least loaded host (host_name), summed over its addresses
  MOST_LOADED_NODE = 5,  // the most loaded host
  UNKNOWN = 1000,
};

// ConciliationStrategy resolves processes running on several addresses.
enum class ConciliationStrategy : int {
  SENICIDE = 0,
  INFANTICIDE = 1,
  USER = 2,
  STOP = 3,
  RESTART = 4,
  RUNNING_FAILURE = 5,
  UNKNOWN = 1000,
};

// StartingFailureStrategy is what happens to an application whose required
// process fails while it starts.
enum class StartingFailureStrategy : int {
  ABORT = 0,
  STOP = 1,
  CONTINUE = 2,
  UNKNOWN = 1000,
};

// RunningFailureStrategy is what happens when a process of a running
// application crashes or its node is lost.
enum class RunningFailureStrategy : int {
  CONTINUE = 0,
  RESTART_PROCESS = 1,
  STOP_APPLICATION = 2,
  RESTART_APPLICATION = 3,
  UNKNOWN = 1000,
};

// to_string gives the name of an enum value ("RUNNING"); operator<< prints it.
const char* to_string(ProcessState value);
const char* to_string(SupervisorState value);
const char* to_string(SupvisorsState value);
const char* to_string(AddressState value);
const char* to_string(ApplicationState value);
const char* to_string(StartingStrategy value);
const char* to_string(ConciliationStrategy value);
const char* to_string(StartingFailureStrategy value);
const char* to_string(RunningFailureStrategy value);
std::ostream& operator<<(std::ostream& out, ProcessState value);
std::ostream& operator<<(std::ostream& out, SupervisorState value);
std::ostream& operator<<(std::ostream& out, SupvisorsState value);
std::ostream& operator<<(std::ostream& out, AddressState value);
std::ostream& operator<<(std::ostream& out, ApplicationState value);
std::ostream& operator<<(std::ostream& out, StartingStrategy value);
std::ostream& operator<<(std::ostream& out, ConciliationStrategy value);
std::ostream& operator<<(std::ostream& out, StartingFailureStrategy value);
std::ostream& operator<<(std::ostream& out, RunningFailureStrategy value);

// makeNamespec is Supervisor's namespec: "name" when the group (the
// application) has the process's name, else "group:name".
std::string makeNamespec(const std::string& group, const std::string& name);

// Times are epoch seconds, 0 for never.

// SupervisorStateInfo is supervisor.getState's reply.
struct SupervisorStateInfo {
  SupervisorState statecode = SupervisorState::UNKNOWN;
  std::string statename;
};

// SupervisorProcessInfo is a process as its own node's supervisor sees it
// (supervisor.getProcessInfo, getAllProcessInfo).
struct SupervisorProcessInfo {
  std::string name;
  std::string group;
  std::string description;  // "pid 42, uptime 0:01:00", "Not started", ...
  std::int64_t start = 0;   // last start
  std::int64_t stop = 0;    // last stop
  std::int64_t now = 0;     // the server's clock when it answered
  ProcessState state = ProcessState::UNKNOWN;
  std::string statename;
  std::string spawnerr;
  int exitstatus = 0;
  std::string logfile;  // stdoutLogfile, kept for Supervisor's old clients
  std::string stdoutLogfile;
  std::string stderrLogfile;
  int pid = 0;  // 0 when not running
  std::string namespec() const { return makeNamespec(group, name); }
};

// ExecutionStatus is the outcome for one process of a call on several
// (startProcessGroup, stopAllProcesses, signalAllProcesses,
// clearAllProcessLogs, ...): status SUCCESS (80) with description "OK", or a
// fault code with the fault's string.
struct ExecutionStatus {
  std::string name;
  std::string group;
  int status = 0;
  std::string description;
  bool ok() const { return status == faults::SUCCESS; }
  std::string namespec() const { return makeNamespec(group, name); }
};

// ConfigInfo is a program's configuration (supervisor.getAllConfigInfo).
// Paths are "none", "auto" or a path; serverurl and directory "none" when
// unset.
struct ConfigInfo {
  std::string name;
  std::string group;
  bool inuse = false;
  bool autostart = false;
  int processPrio = 0;
  int groupPrio = 0;
  std::string command;
  std::string directory;
  std::optional<int> uid;  // empty when the program runs as the agent's user
  std::vector<int> exitcodes;
  bool killasgroup = false;
  bool redirectStderr = false;
  int startretries = 0;
  int startsecs = 0;
  int stopsignal = 0;  // the signal's number
  int stopwaitsecs = 0;
  std::string serverurl;
  std::string stdoutLogfile;
  std::int64_t stdoutLogfileMaxbytes = 0;
  int stdoutLogfileBackups = 0;
  std::int64_t stdoutCaptureMaxbytes = 0;
  bool stdoutEventsEnabled = false;
  bool stdoutSyslog = false;
  std::string stderrLogfile;
  std::int64_t stderrLogfileMaxbytes = 0;
  int stderrLogfileBackups = 0;
  std::int64_t stderrCaptureMaxbytes = 0;
  bool stderrEventsEnabled = false;
  bool stderrSyslog = false;
  std::string namespec() const { return makeNamespec(group, name); }
};

// ConfigUpdates is supervisor.reloadConfig's reply: the groups added,
// changed and removed in the configuration file since it was last read
// (nothing is applied yet).
struct ConfigUpdates {
  std::vector<std::string> added;
  std::vector<std::string> changed;
  std::vector<std::string> removed;
};

// LogResult is the reply of tailProcessStdoutLog and its variants: the bytes
// read, the offset to ask from next time, and whether more than the length
// asked was written since the offset (some bytes were skipped).
struct LogResult {
  std::string bytes;
  std::int64_t offset = 0;
  bool overflow = false;
};

// SupvisorsStateInfo is supvisors.get_supvisors_state's reply. quorum is
// false while the node's side of the cluster lacks the configured quorum,
// gossipEncrypted says whether the cluster's traffic is encrypted: both are
// extensions of Supvisors' reply (true and false when a server leaves them
// out).
struct SupvisorsStateInfo {
  SupvisorsState statecode = SupvisorsState::UNKNOWN;
  std::string statename;
  bool quorum = true;
  bool gossipEncrypted = false;
};

// Strategies is supvisors.get_strategies' reply.
struct Strategies {
  bool autoFencing = false;
  StartingStrategy starting = StartingStrategy::UNKNOWN;
  ConciliationStrategy conciliation = ConciliationStrategy::UNKNOWN;
};

// AddressInfo is an address of address_list as the node asked sees it
// (supvisors.get_address_info, get_all_addresses_info). The times are those
// of the last heartbeat heard from it, in its clock and in the node's.
struct AddressInfo {
  std::string addressName;
  AddressState statecode = AddressState::UNKNOWN;
  std::string statename;
  std::int64_t remoteTime = 0;
  std::int64_t localTime = 0;
  int loading = 0;  // the sum of the loading of its running processes, in %
};

// ApplicationInfo is an application as the cluster sees it
// (supvisors.get_application_info, get_all_applications_info).
struct ApplicationInfo {
  std::string applicationName;
  ApplicationState statecode = ApplicationState::UNKNOWN;
  std::string statename;
  bool majorFailure = false;  // a required process is not running
  bool minorFailure = false;  // an optional process could not start
};

// ProcessInfo is a process as the whole cluster sees it
// (supvisors.get_process_info, get_all_process_info, get_conflicts).
// addresses are where it is STARTING, RUNNING or BACKOFF: more than one is a
// conflict.
struct ProcessInfo {
  std::string applicationName;
  std::string processName;
  ProcessState statecode = ProcessState::UNKNOWN;
  std::string statename;
  bool expectedExit = false;
  std::int64_t lastEventTime = 0;
  std::vector<std::string> addresses;
  // waiting says why the cluster has not started the process yet when it is
  // to (an extension; empty when a server leaves it out).
  std::string waiting;
  std::string namespec() const { return makeNamespec(applicationName, processName); }
  bool conflict() const { return addresses.size() > 1; }
};

// ApplicationRules is supvisors.get_application_rules' reply.
struct ApplicationRules {
  std::string applicationName;
  int startSequence = 0;
  int stopSequence = 0;
  StartingFailureStrategy startingFailureStrategy = StartingFailureStrategy::UNKNOWN;
  RunningFailureStrategy runningFailureStrategy = RunningFailureStrategy::UNKNOWN;
};

// ProcessRules is one entry of supvisors.get_process_rules' reply.
struct ProcessRules {
  std::string applicationName;
  std::string processName;
  std::vector<std::string> addresses;  // where it may start
  int startSequence = 0;
  int stopSequence = 0;
  bool required = false;
  bool waitExit = false;
  int loading = 0;  // its expected loading when running, in %
  RunningFailureStrategy runningFailureStrategy = RunningFailureStrategy::UNKNOWN;
  std::string namespec() const { return makeNamespec(applicationName, processName); }
};

}  // namespace supvisors

#endif
