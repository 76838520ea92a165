// Decoding of replies: every member a struct needs is checked for presence
// and type, so that a reply of another shape is a clear ProtocolError and
// never a crash; members the library does not know are ignored.
#include "decode.hpp"

#include <limits>

#include "enums.hpp"

namespace supvisors::detail {

namespace {

const char* typeName(const xmlrpc_c::value& value) {
  switch (value.type()) {
    case xmlrpc_c::value::TYPE_INT: return "an int";
    case xmlrpc_c::value::TYPE_BOOLEAN: return "a boolean";
    case xmlrpc_c::value::TYPE_DOUBLE: return "a double";
    case xmlrpc_c::value::TYPE_DATETIME: return "a dateTime";
    case xmlrpc_c::value::TYPE_STRING: return "a string";
    case xmlrpc_c::value::TYPE_BYTESTRING: return "a base64";
    case xmlrpc_c::value::TYPE_ARRAY: return "an array";
    case xmlrpc_c::value::TYPE_STRUCT: return "a struct";
    case xmlrpc_c::value::TYPE_NIL: return "a nil";
    case xmlrpc_c::value::TYPE_I8: return "an i8";
    default: return "a value of another type";
  }
}

// expect throws unless value is of type.
void expect(const xmlrpc_c::value& value, xmlrpc_c::value::type_t type, const char* wanted) {
  if (value.type() != type) throw DecodeError(std::string(typeName(value)) + ", not " + wanted);
}

// Members reads a struct member by member.
class Members {
 public:
  explicit Members(const xmlrpc_c::value& value) {
    expect(value, xmlrpc_c::value::TYPE_STRUCT, "a struct");
    members_ = xmlrpc_c::value_struct(value).cvalue();
  }

  bool has(const char* key) const { return members_.count(key) != 0; }

  // get decodes the member key, which must be there.
  template <typename T>
  T get(const char* key, T (*decode)(const xmlrpc_c::value&)) const {
    const auto found = members_.find(key);
    if (found == members_.end()) throw DecodeError(std::string("the struct has no member '") + key + "'");
    try {
      return decode(found->second);
    } catch (const DecodeError& e) {
      throw DecodeError(std::string("member '") + key + "' is " + e.what());
    }
  }

  // get decodes the member key if it is there, else gives fallback (for the
  // extensions of Supvisors' replies that another server leaves out).
  template <typename T>
  T get(const char* key, T (*decode)(const xmlrpc_c::value&), T fallback) const {
    return has(key) ? get(key, decode) : fallback;
  }

 private:
  std::map<std::string, xmlrpc_c::value> members_;
};

// The enums, from a wire code or a wire name.
ProcessState processState(const xmlrpc_c::value& v) {
  return byCode(processStates, asInt64(v), ProcessState::UNKNOWN);
}
SupervisorState supervisorState(const xmlrpc_c::value& v) {
  return byCode(supervisorStates, asInt64(v), SupervisorState::UNKNOWN);
}
SupvisorsState supvisorsState(const xmlrpc_c::value& v) {
  return byCode(supvisorsStates, asInt64(v), SupvisorsState::UNKNOWN);
}
AddressState addressState(const xmlrpc_c::value& v) {
  return byCode(addressStates, asInt64(v), AddressState::UNKNOWN);
}
ApplicationState applicationState(const xmlrpc_c::value& v) {
  return byCode(applicationStates, asInt64(v), ApplicationState::UNKNOWN);
}
StartingStrategy startingStrategy(const xmlrpc_c::value& v) {
  return byName(startingStrategies, asString(v), StartingStrategy::UNKNOWN);
}
ConciliationStrategy conciliationStrategy(const xmlrpc_c::value& v) {
  return byName(conciliationStrategies, asString(v), ConciliationStrategy::UNKNOWN);
}
StartingFailureStrategy startingFailureStrategy(const xmlrpc_c::value& v) {
  return byName(startingFailureStrategies, asString(v), StartingFailureStrategy::UNKNOWN);
}
RunningFailureStrategy runningFailureStrategy(const xmlrpc_c::value& v) {
  return byName(runningFailureStrategies, asString(v), RunningFailureStrategy::UNKNOWN);
}

std::vector<int> asInts(const xmlrpc_c::value& value) { return asVector(value, asInt); }

// uid is a program's uid: an int, or "none" when it runs as the agent's user.
std::optional<int> uid(const xmlrpc_c::value& value) {
  if (value.type() == xmlrpc_c::value::TYPE_STRING && asString(value) == "none") return std::nullopt;
  if (value.type() == xmlrpc_c::value::TYPE_NIL) return std::nullopt;
  return asInt(value);
}

}  // namespace

std::string asString(const xmlrpc_c::value& value) {
  expect(value, xmlrpc_c::value::TYPE_STRING, "a string");
  return xmlrpc_c::value_string(value).cvalue();
}

bool asBool(const xmlrpc_c::value& value) {
  expect(value, xmlrpc_c::value::TYPE_BOOLEAN, "a boolean");
  return xmlrpc_c::value_boolean(value).cvalue();
}

std::int64_t asInt64(const xmlrpc_c::value& value) {
  if (value.type() == xmlrpc_c::value::TYPE_I8) return xmlrpc_c::value_i8(value).cvalue();
  expect(value, xmlrpc_c::value::TYPE_INT, "an int");
  return xmlrpc_c::value_int(value).cvalue();
}

int asInt(const xmlrpc_c::value& value) {
  const std::int64_t result = asInt64(value);
  if (result < std::numeric_limits<int>::min() || result > std::numeric_limits<int>::max()) {
    throw DecodeError("the i8 " + std::to_string(result) + ", beyond the range of an int");
  }
  return static_cast<int>(result);
}

std::vector<xmlrpc_c::value> asArray(const xmlrpc_c::value& value) {
  expect(value, xmlrpc_c::value::TYPE_ARRAY, "an array");
  return xmlrpc_c::value_array(value).vectorValueValue();
}

std::vector<std::string> asStrings(const xmlrpc_c::value& value) { return asVector(value, asString); }

SupervisorStateInfo decodeSupervisorState(const xmlrpc_c::value& value) {
  const Members m(value);
  SupervisorStateInfo info;
  info.statecode = m.get("statecode", supervisorState);
  info.statename = m.get("statename", asString);
  return info;
}

SupervisorProcessInfo decodeSupervisorProcessInfo(const xmlrpc_c::value& value) {
  const Members m(value);
  SupervisorProcessInfo info;
  info.name = m.get("name", asString);
  info.group = m.get("group", asString);
  info.description = m.get("description", asString);
  info.start = m.get("start", asInt64);
  info.stop = m.get("stop", asInt64);
  info.now = m.get("now", asInt64);
  info.state = m.get("state", processState);
  info.statename = m.get("statename", asString);
  info.spawnerr = m.get("spawnerr", asString);
  info.exitstatus = m.get("exitstatus", asInt);
  info.logfile = m.get("logfile", asString);
  info.stdoutLogfile = m.get("stdout_logfile", asString);
  info.stderrLogfile = m.get("stderr_logfile", asString);
  info.pid = m.get("pid", asInt);
  return info;
}

ExecutionStatus decodeExecutionStatus(const xmlrpc_c::value& value) {
  const Members m(value);
  ExecutionStatus status;
  status.name = m.get("name", asString);
  status.group = m.get("group", asString);
  status.status = m.get("status", asInt);
  status.description = m.get("description", asString);
  return status;
}

ConfigInfo decodeConfigInfo(const xmlrpc_c::value& value) {
  const Members m(value);
  ConfigInfo info;
  info.name = m.get("name", asString);
  info.group = m.get("group", asString);
  info.inuse = m.get("inuse", asBool);
  info.autostart = m.get("autostart", asBool);
  info.processPrio = m.get("process_prio", asInt);
  info.groupPrio = m.get("group_prio", asInt);
  info.command = m.get("command", asString);
  info.directory = m.get("directory", asString);
  info.uid = m.get("uid", uid);
  info.exitcodes = m.get("exitcodes", asInts);
  info.killasgroup = m.get("killasgroup", asBool);
  info.redirectStderr = m.get("redirect_stderr", asBool);
  info.startretries = m.get("startretries", asInt);
  info.startsecs = m.get("startsecs", asInt);
  info.stopsignal = m.get("stopsignal", asInt);
  info.stopwaitsecs = m.get("stopwaitsecs", asInt);
  info.serverurl = m.get("serverurl", asString);
  info.stdoutLogfile = m.get("stdout_logfile", asString);
  info.stdoutLogfileMaxbytes = m.get("stdout_logfile_maxbytes", asInt64);
  info.stdoutLogfileBackups = m.get("stdout_logfile_backups", asInt);
  info.stdoutCaptureMaxbytes = m.get("stdout_capture_maxbytes", asInt64);
  info.stdoutEventsEnabled = m.get("stdout_events_enabled", asBool);
  info.stdoutSyslog = m.get("stdout_syslog", asBool);
  info.stderrLogfile = m.get("stderr_logfile", asString);
  info.stderrLogfileMaxbytes = m.get("stderr_logfile_maxbytes", asInt64);
  info.stderrLogfileBackups = m.get("stderr_logfile_backups", asInt);
  info.stderrCaptureMaxbytes = m.get("stderr_capture_maxbytes", asInt64);
  info.stderrEventsEnabled = m.get("stderr_events_enabled", asBool);
  info.stderrSyslog = m.get("stderr_syslog", asBool);
  return info;
}

ConfigUpdates decodeConfigUpdates(const xmlrpc_c::value& value) {
  // The wire's [[added, changed, removed]].
  const auto outer = asArray(value);
  if (outer.size() != 1) throw DecodeError("an array of " + std::to_string(outer.size()) + " elements, not 1");
  const auto lists = asArray(outer[0]);
  if (lists.size() != 3) throw DecodeError("an array of " + std::to_string(lists.size()) + " lists, not 3");
  return ConfigUpdates{asStrings(lists[0]), asStrings(lists[1]), asStrings(lists[2])};
}

LogResult decodeLogResult(const xmlrpc_c::value& value) {
  // The wire's [bytes, offset, overflow].
  const auto parts = asArray(value);
  if (parts.size() != 3) throw DecodeError("an array of " + std::to_string(parts.size()) + " elements, not 3");
  return LogResult{asString(parts[0]), asInt64(parts[1]), asBool(parts[2])};
}

MulticallResult decodeMulticallResult(const xmlrpc_c::value& value) {
  // Supervisor's multicall gives each result as is (not wrapped in an array
  // as the XML-RPC multicall proposal has it), and a fault as the struct
  // {faultCode, faultString}.
  MulticallResult result;
  if (value.type() == xmlrpc_c::value::TYPE_STRUCT) {
    const Members m(value);
    if (m.has("faultCode") && m.has("faultString")) {
      result.isFault = true;
      result.faultCode = m.get("faultCode", asInt);
      result.faultString = m.get("faultString", asString);
      return result;
    }
  }
  result.value = std::make_shared<const xmlrpc_c::value>(value);
  return result;
}

SupvisorsStateInfo decodeSupvisorsState(const xmlrpc_c::value& value) {
  const Members m(value);
  SupvisorsStateInfo info;
  info.statecode = m.get("statecode", supvisorsState);
  info.statename = m.get("statename", asString);
  info.quorum = m.get("quorum", asBool, true);
  info.gossipEncrypted = m.get("gossip_encrypted", asBool, false);
  return info;
}

Strategies decodeStrategies(const xmlrpc_c::value& value) {
  const Members m(value);
  Strategies strategies;
  strategies.autoFencing = m.get("auto-fencing", asBool);
  strategies.starting = m.get("starting", startingStrategy);
  strategies.conciliation = m.get("conciliation", conciliationStrategy);
  return strategies;
}

AddressInfo decodeAddressInfo(const xmlrpc_c::value& value) {
  const Members m(value);
  AddressInfo info;
  info.addressName = m.get("address_name", asString);
  info.statecode = m.get("statecode", addressState);
  info.statename = m.get("statename", asString);
  info.remoteTime = m.get("remote_time", asInt64);
  info.localTime = m.get("local_time", asInt64);
  info.loading = m.get("loading", asInt);
  return info;
}

ApplicationInfo decodeApplicationInfo(const xmlrpc_c::value& value) {
  const Members m(value);
  ApplicationInfo info;
  info.applicationName = m.get("application_name", asString);
  info.statecode = m.get("statecode", applicationState);
  info.statename = m.get("statename", asString);
  info.majorFailure = m.get("major_failure", asBool);
  info.minorFailure = m.get("minor_failure", asBool);
  return info;
}

ProcessInfo decodeProcessInfo(const xmlrpc_c::value& value) {
  const Members m(value);
  ProcessInfo info;
  info.applicationName = m.get("application_name", asString);
  info.processName = m.get("process_name", asString);
  info.statecode = m.get("statecode", processState);
  info.statename = m.get("statename", asString);
  info.expectedExit = m.get("expected_exit", asBool);
  info.lastEventTime = m.get("last_event_time", asInt64);
  info.addresses = m.get("addresses", asStrings);
  info.waiting = m.get("waiting", asString, std::string());
  return info;
}

ApplicationRules decodeApplicationRules(const xmlrpc_c::value& value) {
  const Members m(value);
  ApplicationRules rules;
  rules.applicationName = m.get("application_name", asString);
  rules.startSequence = m.get("start_sequence", asInt);
  rules.stopSequence = m.get("stop_sequence", asInt);
  rules.startingFailureStrategy = m.get("starting_failure_strategy", startingFailureStrategy);
  rules.runningFailureStrategy = m.get("running_failure_strategy", runningFailureStrategy);
  return rules;
}

ProcessRules decodeProcessRules(const xmlrpc_c::value& value) {
  const Members m(value);
  ProcessRules rules;
  rules.applicationName = m.get("application_name", asString);
  rules.processName = m.get("process_name", asString);
  rules.addresses = m.get("addresses", asStrings);
  rules.startSequence = m.get("start_sequence", asInt);
  rules.stopSequence = m.get("stop_sequence", asInt);
  rules.required = m.get("required", asBool);
  rules.waitExit = m.get("wait_exit", asBool);
  rules.loading = m.get("loading", asInt);
  rules.runningFailureStrategy = m.get("running_failure_strategy", runningFailureStrategy);
  return rules;
}

}  // namespace supvisors::detail
