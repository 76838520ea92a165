// The names of the enums of types.hpp, and their lookups by wire code and by
// name (internal to the library).
#ifndef SUPVISORS_SRC_ENUMS_HPP
#define SUPVISORS_SRC_ENUMS_HPP

#include <cstddef>
#include <cstdint>
#include <string>

#include <supvisors/types.hpp>

namespace supvisors::detail {

// Named is one value of an enum with its wire name.
template <typename E>
struct Named {
  E value;
  const char* name;
};

inline constexpr Named<ProcessState> processStates[] = {
    {ProcessState::STOPPED, "STOPPED"}, {ProcessState::STARTING, "STARTING"}, {ProcessState::RUNNING, "RUNNING"},
    {ProcessState::BACKOFF, "BACKOFF"}, {ProcessState::STOPPING, "STOPPING"}, {ProcessState::EXITED, "EXITED"},
    {ProcessState::FATAL, "FATAL"},     {ProcessState::UNKNOWN, "UNKNOWN"},
};
inline constexpr Named<SupervisorState> supervisorStates[] = {
    {SupervisorState::SHUTDOWN, "SHUTDOWN"}, {SupervisorState::RESTARTING, "RESTARTING"},
    {SupervisorState::RUNNING, "RUNNING"},   {SupervisorState::FATAL, "FATAL"},
    {SupervisorState::UNKNOWN, "UNKNOWN"},
};
inline constexpr Named<SupvisorsState> supvisorsStates[] = {
    {SupvisorsState::INITIALIZATION, "INITIALIZATION"}, {SupvisorsState::DEPLOYMENT, "DEPLOYMENT"},
    {SupvisorsState::OPERATION, "OPERATION"},           {SupvisorsState::CONCILIATION, "CONCILIATION"},
    {SupvisorsState::RESTARTING, "RESTARTING"},         {SupvisorsState::SHUTTING_DOWN, "SHUTTING_DOWN"},
    {SupvisorsState::SHUTDOWN, "SHUTDOWN"},             {SupvisorsState::UNKNOWN, "UNKNOWN"},
};
inline constexpr Named<AddressState> addressStates[] = {
    {AddressState::UNKNOWN, "UNKNOWN"},     {AddressState::CHECKING, "CHECKING"},
    {AddressState::RUNNING, "RUNNING"},     {AddressState::SILENT, "SILENT"},
    {AddressState::ISOLATING, "ISOLATING"}, {AddressState::ISOLATED, "ISOLATED"},
};
inline constexpr Named<ApplicationState> applicationStates[] = {
    {ApplicationState::UNKNOWN, "UNKNOWN"},   {ApplicationState::STOPPED, "STOPPED"},
    {ApplicationState::STARTING, "STARTING"}, {ApplicationState::STOPPING, "STOPPING"},
    {ApplicationState::RUNNING, "RUNNING"},
};
inline constexpr Named<StartingStrategy> startingStrategies[] = {
    {StartingStrategy::CONFIG, "CONFIG"},           {StartingStrategy::LESS_LOADED, "LESS_LOADED"},
    {StartingStrategy::MOST_LOADED, "MOST_LOADED"}, {StartingStrategy::LOCAL, "LOCAL"},
    {StartingStrategy::LESS_LOADED_NODE, "LESS_LOADED_NODE"}, {StartingStrategy::MOST_LOADED_NODE, "MOST_LOADED_NODE"},
    {StartingStrategy::UNKNOWN, "UNKNOWN"},
};
inline constexpr Named<ConciliationStrategy> conciliationStrategies[] = {
    {ConciliationStrategy::SENICIDE, "SENICIDE"}, {ConciliationStrategy::INFANTICIDE, "INFANTICIDE"},
    {ConciliationStrategy::USER, "USER"},         {ConciliationStrategy::STOP, "STOP"},
    {ConciliationStrategy::RESTART, "RESTART"},   {ConciliationStrategy::RUNNING_FAILURE, "RUNNING_FAILURE"},
    {ConciliationStrategy::UNKNOWN, "UNKNOWN"},
};
inline constexpr Named<StartingFailureStrategy> startingFailureStrategies[] = {
    {StartingFailureStrategy::ABORT, "ABORT"},
    {StartingFailureStrategy::STOP, "STOP"},
    {StartingFailureStrategy::CONTINUE, "CONTINUE"},
    {StartingFailureStrategy::UNKNOWN, "UNKNOWN"},
};
inline constexpr Named<RunningFailureStrategy> runningFailureStrategies[] = {
    {RunningFailureStrategy::CONTINUE, "CONTINUE"},
    {RunningFailureStrategy::RESTART_PROCESS, "RESTART_PROCESS"},
    {RunningFailureStrategy::STOP_APPLICATION, "STOP_APPLICATION"},
    {RunningFailureStrategy::RESTART_APPLICATION, "RESTART_APPLICATION"},
    {RunningFailureStrategy::UNKNOWN, "UNKNOWN"},
};

// nameOf is value's name, "UNKNOWN" for a value out of the table (a cast).
template <typename E, std::size_t N>
const char* nameOf(const Named<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "UNKNOWN";
}

// byCode is the value of a wire code, unknown for a code out of the table.
template <typename E, std::size_t N>
E byCode(const Named<E> (&table)[N], std::int64_t code, E unknown) {
  for (const auto& entry : table) {
    if (static_cast<std::int64_t>(entry.value) == code) return entry.value;
  }
  return unknown;
}

// byName is the value of a wire name, unknown for a name out of the table.
template <typename E, std::size_t N>
E byName(const Named<E> (&table)[N], const std::string& name, E unknown) {
  for (const auto& entry : table) {
    if (name == entry.name) return entry.value;
  }
  return unknown;
}

}  // namespace supvisors::detail

#endif
