// Names of the fault codes and of the enums, and namespecs.
#include <utility>

#include <supvisors/client.hpp>

#include "enums.hpp"

namespace supvisors {

namespace {

struct FaultNamed {
  int code;
  const char* name;
};

constexpr FaultNamed faultNames[] = {
    {faults::UNKNOWN_METHOD, "UNKNOWN_METHOD"},
    {faults::INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS"},
    {faults::BAD_ARGUMENTS, "BAD_ARGUMENTS"},
    {faults::SIGNATURE_UNSUPPORTED, "SIGNATURE_UNSUPPORTED"},
    {faults::SHUTDOWN_STATE, "SHUTDOWN_STATE"},
    {faults::BAD_NAME, "BAD_NAME"},
    {faults::BAD_SIGNAL, "BAD_SIGNAL"},
    {faults::NO_FILE, "NO_FILE"},
    {faults::NOT_EXECUTABLE, "NOT_EXECUTABLE"},
    {faults::FAILED, "FAILED"},
    {faults::ABNORMAL_TERMINATION, "ABNORMAL_TERMINATION"},
    {faults::SPAWN_ERROR, "SPAWN_ERROR"},
    {faults::ALREADY_STARTED, "ALREADY_STARTED"},
    {faults::NOT_RUNNING, "NOT_RUNNING"},
    {faults::SUCCESS, "SUCCESS"},
    {faults::ALREADY_ADDED, "ALREADY_ADDED"},
    {faults::STILL_RUNNING, "STILL_RUNNING"},
    {faults::CANT_REREAD, "CANT_REREAD"},
    {faults::SUPVISORS_CONF_ERROR, "SUPVISORS_CONF_ERROR"},
    {faults::BAD_SUPVISORS_STATE, "BAD_SUPVISORS_STATE"},
    {faults::BAD_ADDRESS, "BAD_ADDRESS"},
    {faults::BAD_STRATEGY, "BAD_STRATEGY"},
    {faults::BAD_EXTRA_ARGUMENTS, "BAD_EXTRA_ARGUMENTS"},
    {faults::DISABLED, "DISABLED"},
};

// describe is what a Fault says: "BAD_NAME (10): nosuch" for the server's
// "BAD_NAME: nosuch", "BAD_NAME (10)" for a bare "BAD_NAME", and the whole
// string after "NAME (code): " for any other.
std::string describe(int code, const std::string& faultString) {
  const std::string name = faultName(code);
  std::string message = name + " (" + std::to_string(code) + ")";
  const std::string prefix = name + ": ";
  if (faultString.compare(0, prefix.size(), prefix) == 0) return message + ": " + faultString.substr(prefix.size());
  if (faultString.empty() || faultString == name) return message;
  return message + ": " + faultString;
}

}  // namespace

std::string faultName(int code) {
  for (const auto& entry : faultNames) {
    if (entry.code == code) return entry.name;
  }
  return "FAULT_" + std::to_string(code);
}

Fault::Fault(int code, std::string faultString)
    : Error(describe(code, faultString)), code_(code), faultString_(std::move(faultString)) {}

std::string makeNamespec(const std::string& group, const std::string& name) {
  return group == name ? name : group + ":" + name;
}

// The enums' names: to_string and operator<< for each, from its table.
#define SUPVISORS_ENUM_NAMES(Type, table)                                                         \
  const char* to_string(Type value) { return detail::nameOf(detail::table, value); }             \
  std::ostream& operator<<(std::ostream& out, Type value) { return out << to_string(value); }

SUPVISORS_ENUM_NAMES(ProcessState, processStates)
SUPVISORS_ENUM_NAMES(SupervisorState, supervisorStates)
SUPVISORS_ENUM_NAMES(SupvisorsState, supvisorsStates)
SUPVISORS_ENUM_NAMES(AddressState, addressStates)
SUPVISORS_ENUM_NAMES(ApplicationState, applicationStates)
SUPVISORS_ENUM_NAMES(StartingStrategy, startingStrategies)
SUPVISORS_ENUM_NAMES(ConciliationStrategy, conciliationStrategies)
SUPVISORS_ENUM_NAMES(StartingFailureStrategy, startingFailureStrategies)
SUPVISORS_ENUM_NAMES(RunningFailureStrategy, runningFailureStrategies)

#undef SUPVISORS_ENUM_NAMES

}  // namespace supvisors
