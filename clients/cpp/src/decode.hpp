// Decoding of XML-RPC values into the structs of types.hpp (internal to the
// library). Each decoder throws DecodeError, naming what does not fit, for a
// reply that is not what the method returns.
#ifndef SUPVISORS_SRC_DECODE_HPP
#define SUPVISORS_SRC_DECODE_HPP

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <xmlrpc-c/base.hpp>

#include <supvisors/client.hpp>

namespace supvisors::detail {

// DecodeError: a value is not of the type or shape expected.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string asString(const xmlrpc_c::value& value);
bool asBool(const xmlrpc_c::value& value);
// asInt64 reads an <int> or an <i8>.
std::int64_t asInt64(const xmlrpc_c::value& value);
// asInt is asInt64 within the range of int.
int asInt(const xmlrpc_c::value& value);
std::vector<xmlrpc_c::value> asArray(const xmlrpc_c::value& value);
std::vector<std::string> asStrings(const xmlrpc_c::value& value);

// asVector decodes an array whose elements decode with decode.
template <typename T>
std::vector<T> asVector(const xmlrpc_c::value& value, T (*decode)(const xmlrpc_c::value&)) {
  std::vector<T> result;
  for (const auto& element : asArray(value)) result.push_back(decode(element));
  return result;
}

SupervisorStateInfo decodeSupervisorState(const xmlrpc_c::value& value);
SupervisorProcessInfo decodeSupervisorProcessInfo(const xmlrpc_c::value& value);
ExecutionStatus decodeExecutionStatus(const xmlrpc_c::value& value);
ConfigInfo decodeConfigInfo(const xmlrpc_c::value& value);
ConfigUpdates decodeConfigUpdates(const xmlrpc_c::value& value);
LogResult decodeLogResult(const xmlrpc_c::value& value);
MulticallResult decodeMulticallResult(const xmlrpc_c::value& value);
SupvisorsStateInfo decodeSupvisorsState(const xmlrpc_c::value& value);
Strategies decodeStrategies(const xmlrpc_c::value& value);
AddressInfo decodeAddressInfo(const xmlrpc_c::value& value);
ApplicationInfo decodeApplicationInfo(const xmlrpc_c::value& value);
ProcessInfo decodeProcessInfo(const xmlrpc_c::value& value);
ApplicationRules decodeApplicationRules(const xmlrpc_c::value& value);
ProcessRules decodeProcessRules(const xmlrpc_c::value& value);

}  // namespace supvisors::detail

#endif
