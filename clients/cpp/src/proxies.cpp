// The proxies: each method is a call of its XML-RPC method and the decoding
// of its reply.
#include <supvisors/client.hpp>

#include <stdexcept>

#include <xmlrpc-c/girerr.hpp>

#include "decode.hpp"

namespace supvisors {

namespace {

using xmlrpc_c::value;

// str is a string parameter; XML cannot carry one that is not UTF-8.
value str(const std::string& text) {
  try {
    return xmlrpc_c::value_string(text);
  } catch (const girerr::error& e) {
    throw std::invalid_argument(std::string("supvisors: a string parameter is not valid UTF-8: ") + e.what());
  }
}
value integer(int number) { return xmlrpc_c::value_int(number); }
value boolean(bool flag) { return xmlrpc_c::value_boolean(flag); }

// code is a strategy as it travels: its code.
template <typename Strategy>
value code(Strategy strategy) {
  return xmlrpc_c::value_int(static_cast<int>(strategy));
}

// invoke calls method with params and decodes its result with decode; a
// result that does not decode is a ProtocolError that says why.
template <typename Decode>
auto invoke(Client& client, const std::string& method, const std::vector<value>& params, Decode decode) {
  const value result = client.call(method, params);
  try {
    return decode(result);
  } catch (const detail::DecodeError& e) {
    throw ProtocolError(method + ": " + client.url() + ": unexpected reply: " + e.what());
  }
}

// vectorOf decodes an array whose elements decode with decode.
template <typename T>
auto vectorOf(T (*decode)(const value&)) {
  return [decode](const value& v) { return detail::asVector(v, decode); };
}

}  // namespace

// system

std::vector<std::string> SystemProxy::listMethods() {
  return invoke(*client_, "system.listMethods", {}, detail::asStrings);
}

std::string SystemProxy::methodHelp(const std::string& methodName) {
  return invoke(*client_, "system.methodHelp", {str(methodName)}, detail::asString);
}

std::vector<std::string> SystemProxy::methodSignature(const std::string& methodName) {
  return invoke(*client_, "system.methodSignature", {str(methodName)}, detail::asStrings);
}

std::vector<MulticallResult> SystemProxy::multicall(const std::vector<Call>& calls) {
  std::vector<value> wire;
  for (const auto& call : calls) {
    wire.push_back(xmlrpc_c::value_struct({{"methodName", str(call.methodName)},
                                           {"params", xmlrpc_c::value_array(call.params)}}));
  }
  auto results =
      invoke(*client_, "system.multicall", {xmlrpc_c::value_array(wire)}, vectorOf(detail::decodeMulticallResult));
  if (results.size() != calls.size()) {
    throw ProtocolError("system.multicall: " + client_->url() + ": " + std::to_string(results.size()) +
                        " results for " + std::to_string(calls.size()) + " calls");
  }
  return results;
}

// supervisor

std::string SupervisorProxy::getAPIVersion() {
  return invoke(*client_, "supervisor.getAPIVersion", {}, detail::asString);
}

std::string SupervisorProxy::getVersion() { return invoke(*client_, "supervisor.getVersion", {}, detail::asString); }

std::string SupervisorProxy::getSupervisorVersion() {
  return invoke(*client_, "supervisor.getSupervisorVersion", {}, detail::asString);
}

std::string SupervisorProxy::getIdentification() {
  return invoke(*client_, "supervisor.getIdentification", {}, detail::asString);
}

SupervisorStateInfo SupervisorProxy::getState() {
  return invoke(*client_, "supervisor.getState", {}, detail::decodeSupervisorState);
}

int SupervisorProxy::getPID() { return invoke(*client_, "supervisor.getPID", {}, detail::asInt); }

std::string SupervisorProxy::readLog(int offset, int length) {
  return invoke(*client_, "supervisor.readLog", {integer(offset), integer(length)}, detail::asString);
}

std::string SupervisorProxy::readMainLog(int offset, int length) {
  return invoke(*client_, "supervisor.readMainLog", {integer(offset), integer(length)}, detail::asString);
}

bool SupervisorProxy::clearLog() { return invoke(*client_, "supervisor.clearLog", {}, detail::asBool); }

bool SupervisorProxy::shutdown() { return invoke(*client_, "supervisor.shutdown", {}, detail::asBool); }

bool SupervisorProxy::restart() { return invoke(*client_, "supervisor.restart", {}, detail::asBool); }

SupervisorProcessInfo SupervisorProxy::getProcessInfo(const std::string& namespec) {
  return invoke(*client_, "supervisor.getProcessInfo", {str(namespec)}, detail::decodeSupervisorProcessInfo);
}

std::vector<SupervisorProcessInfo> SupervisorProxy::getAllProcessInfo() {
  return invoke(*client_, "supervisor.getAllProcessInfo", {}, vectorOf(detail::decodeSupervisorProcessInfo));
}

bool SupervisorProxy::startProcess(const std::string& namespec, bool wait) {
  return invoke(*client_, "supervisor.startProcess", {str(namespec), boolean(wait)}, detail::asBool);
}

bool SupervisorProxy::stopProcess(const std::string& namespec, bool wait) {
  return invoke(*client_, "supervisor.stopProcess", {str(namespec), boolean(wait)}, detail::asBool);
}

std::vector<ExecutionStatus> SupervisorProxy::startAllProcesses(bool wait) {
  return invoke(*client_, "supervisor.startAllProcesses", {boolean(wait)}, vectorOf(detail::decodeExecutionStatus));
}

std::vector<ExecutionStatus> SupervisorProxy::stopAllProcesses(bool wait) {
  return invoke(*client_, "supervisor.stopAllProcesses", {boolean(wait)}, vectorOf(detail::decodeExecutionStatus));
}

std::vector<ExecutionStatus> SupervisorProxy::startProcessGroup(const std::string& name, bool wait) {
  return invoke(*client_, "supervisor.startProcessGroup", {str(name), boolean(wait)},
                vectorOf(detail::decodeExecutionStatus));
}

std::vector<ExecutionStatus> SupervisorProxy::stopProcessGroup(const std::string& name, bool wait) {
  return invoke(*client_, "supervisor.stopProcessGroup", {str(name), boolean(wait)},
                vectorOf(detail::decodeExecutionStatus));
}

bool SupervisorProxy::signalProcess(const std::string& namespec, const std::string& signal) {
  return invoke(*client_, "supervisor.signalProcess", {str(namespec), str(signal)}, detail::asBool);
}

std::vector<ExecutionStatus> SupervisorProxy::signalProcessGroup(const std::string& name, const std::string& signal) {
  return invoke(*client_, "supervisor.signalProcessGroup", {str(name), str(signal)},
                vectorOf(detail::decodeExecutionStatus));
}

std::vector<ExecutionStatus> SupervisorProxy::signalAllProcesses(const std::string& signal) {
  return invoke(*client_, "supervisor.signalAllProcesses", {str(signal)}, vectorOf(detail::decodeExecutionStatus));
}

bool SupervisorProxy::sendProcessStdin(const std::string& namespec, const std::string& chars) {
  return invoke(*client_, "supervisor.sendProcessStdin", {str(namespec), str(chars)}, detail::asBool);
}

bool SupervisorProxy::sendRemoteCommEvent(const std::string& type, const std::string& data) {
  return invoke(*client_, "supervisor.sendRemoteCommEvent", {str(type), str(data)}, detail::asBool);
}

bool SupervisorProxy::addProcessGroup(const std::string& name) {
  return invoke(*client_, "supervisor.addProcessGroup", {str(name)}, detail::asBool);
}

bool SupervisorProxy::removeProcessGroup(const std::string& name) {
  return invoke(*client_, "supervisor.removeProcessGroup", {str(name)}, detail::asBool);
}

std::vector<ConfigInfo> SupervisorProxy::getAllConfigInfo() {
  return invoke(*client_, "supervisor.getAllConfigInfo", {}, vectorOf(detail::decodeConfigInfo));
}

ConfigUpdates SupervisorProxy::reloadConfig() {
  return invoke(*client_, "supervisor.reloadConfig", {}, detail::decodeConfigUpdates);
}

std::string SupervisorProxy::readProcessStdoutLog(const std::string& namespec, int offset, int length) {
  return invoke(*client_, "supervisor.readProcessStdoutLog", {str(namespec), integer(offset), integer(length)},
                detail::asString);
}

std::string SupervisorProxy::readProcessLog(const std::string& namespec, int offset, int length) {
  return invoke(*client_, "supervisor.readProcessLog", {str(namespec), integer(offset), integer(length)},
                detail::asString);
}

std::string SupervisorProxy::readProcessStderrLog(const std::string& namespec, int offset, int length) {
  return invoke(*client_, "supervisor.readProcessStderrLog", {str(namespec), integer(offset), integer(length)},
                detail::asString);
}

LogResult SupervisorProxy::tailProcessStdoutLog(const std::string& namespec, int offset, int length) {
  return invoke(*client_, "supervisor.tailProcessStdoutLog", {str(namespec), integer(offset), integer(length)},
                detail::decodeLogResult);
}

LogResult SupervisorProxy::tailProcessLog(const std::string& namespec, int offset, int length) {
  return invoke(*client_, "supervisor.tailProcessLog", {str(namespec), integer(offset), integer(length)},
                detail::decodeLogResult);
}

LogResult SupervisorProxy::tailProcessStderrLog(const std::string& namespec, int offset, int length) {
  return invoke(*client_, "supervisor.tailProcessStderrLog", {str(namespec), integer(offset), integer(length)},
                detail::decodeLogResult);
}

bool SupervisorProxy::clearProcessLogs(const std::string& namespec) {
  return invoke(*client_, "supervisor.clearProcessLogs", {str(namespec)}, detail::asBool);
}

bool SupervisorProxy::clearProcessLog(const std::string& namespec) {
  return invoke(*client_, "supervisor.clearProcessLog", {str(namespec)}, detail::asBool);
}

std::vector<ExecutionStatus> SupervisorProxy::clearAllProcessLogs() {
  return invoke(*client_, "supervisor.clearAllProcessLogs", {}, vectorOf(detail::decodeExecutionStatus));
}

// supvisors

std::string SupvisorsProxy::getAPIVersion() {
  return invoke(*client_, "supvisors.get_api_version", {}, detail::asString);
}

SupvisorsStateInfo SupvisorsProxy::getSupvisorsState() {
  return invoke(*client_, "supvisors.get_supvisors_state", {}, detail::decodeSupvisorsState);
}

std::string SupvisorsProxy::getMasterAddress() {
  return invoke(*client_, "supvisors.get_master_address", {}, detail::asString);
}

Strategies SupvisorsProxy::getStrategies() {
  return invoke(*client_, "supvisors.get_strategies", {}, detail::decodeStrategies);
}

std::vector<AddressInfo> SupvisorsProxy::getAllAddressesInfo() {
  return invoke(*client_, "supvisors.get_all_addresses_info", {}, vectorOf(detail::decodeAddressInfo));
}

AddressInfo SupvisorsProxy::getAddressInfo(const std::string& addressName) {
  return invoke(*client_, "supvisors.get_address_info", {str(addressName)}, detail::decodeAddressInfo);
}

std::vector<ApplicationInfo> SupvisorsProxy::getAllApplicationInfo() {
  return invoke(*client_, "supvisors.get_all_applications_info", {}, vectorOf(detail::decodeApplicationInfo));
}

ApplicationInfo SupvisorsProxy::getApplicationInfo(const std::string& applicationName) {
  return invoke(*client_, "supvisors.get_application_info", {str(applicationName)}, detail::decodeApplicationInfo);
}

std::vector<ProcessInfo> SupvisorsProxy::getAllProcessInfo() {
  return invoke(*client_, "supvisors.get_all_process_info", {}, vectorOf(detail::decodeProcessInfo));
}

std::vector<ProcessInfo> SupvisorsProxy::getProcessInfo(const std::string& namespec) {
  return invoke(*client_, "supvisors.get_process_info", {str(namespec)}, vectorOf(detail::decodeProcessInfo));
}

ApplicationRules SupvisorsProxy::getApplicationRules(const std::string& applicationName) {
  return invoke(*client_, "supvisors.get_application_rules", {str(applicationName)},
                detail::decodeApplicationRules);
}

std::vector<ProcessRules> SupvisorsProxy::getProcessRules(const std::string& namespec) {
  return invoke(*client_, "supvisors.get_process_rules", {str(namespec)}, vectorOf(detail::decodeProcessRules));
}

std::vector<ProcessInfo> SupvisorsProxy::getConflicts() {
  return invoke(*client_, "supvisors.get_conflicts", {}, vectorOf(detail::decodeProcessInfo));
}

bool SupvisorsProxy::startApplication(StartingStrategy strategy, const std::string& applicationName, bool wait) {
  return invoke(*client_, "supvisors.start_application", {code(strategy), str(applicationName), boolean(wait)},
                detail::asBool);
}

bool SupvisorsProxy::stopApplication(const std::string& applicationName, bool wait) {
  return invoke(*client_, "supvisors.stop_application", {str(applicationName), boolean(wait)}, detail::asBool);
}

bool SupvisorsProxy::restartApplication(StartingStrategy strategy, const std::string& applicationName, bool wait) {
  return invoke(*client_, "supvisors.restart_application", {code(strategy), str(applicationName), boolean(wait)},
                detail::asBool);
}

bool SupvisorsProxy::startArgs(const std::string& namespec, const std::string& extraArgs, bool wait) {
  return invoke(*client_, "supvisors.start_args", {str(namespec), str(extraArgs), boolean(wait)}, detail::asBool);
}

bool SupvisorsProxy::startProcess(StartingStrategy strategy, const std::string& namespec,
                                  const std::string& extraArgs, bool wait) {
  return invoke(*client_, "supvisors.start_process", {code(strategy), str(namespec), str(extraArgs), boolean(wait)},
                detail::asBool);
}

bool SupvisorsProxy::stopProcess(const std::string& namespec, bool wait) {
  return invoke(*client_, "supvisors.stop_process", {str(namespec), boolean(wait)}, detail::asBool);
}

bool SupvisorsProxy::restartProcess(StartingStrategy strategy, const std::string& namespec, bool wait) {
  return invoke(*client_, "supvisors.restart_process", {code(strategy), str(namespec), boolean(wait)}, detail::asBool);
}

bool SupvisorsProxy::conciliate(ConciliationStrategy strategy) {
  return invoke(*client_, "supvisors.conciliate", {code(strategy)}, detail::asBool);
}

bool SupvisorsProxy::readmitAddress(const std::string& addressName) {
  return invoke(*client_, "supvisors.readmit_address", {str(addressName)}, detail::asBool);
}

bool SupvisorsProxy::disable(const std::string& programName, bool wait) {
  return invoke(*client_, "supvisors.disable", {str(programName), boolean(wait)}, detail::asBool);
}

bool SupvisorsProxy::enable(const std::string& programName, bool wait) {
  return invoke(*client_, "supvisors.enable", {str(programName), boolean(wait)}, detail::asBool);
}

bool SupvisorsProxy::updateNumprocs(const std::string& programName, int numprocs, bool wait) {
  return invoke(*client_, "supvisors.update_numprocs", {str(programName), integer(numprocs), boolean(wait)},
                detail::asBool);
}

bool SupvisorsProxy::rollingRestart(const std::string& applicationName, bool wait) {
  return invoke(*client_, "supvisors.rolling_restart", {str(applicationName), boolean(wait)}, detail::asBool);
}

bool SupvisorsProxy::restart() { return invoke(*client_, "supvisors.restart", {}, detail::asBool); }

bool SupvisorsProxy::shutdown() { return invoke(*client_, "supvisors.shutdown", {}, detail::asBool); }

}  // namespace supvisors
