// The supvisors C++ client: XML-RPC calls to an agent's system, supervisor
// and supvisors namespaces, with typed results (see clients/cpp/README.md).
//
//   supvisors::Client client("127.0.0.1", 60000, "user", "password");
//   std::cout << client.supvisors().getSupvisorsState().statename << "\n";
//
// What a call throws, all derived from supvisors::Error (a
// std::runtime_error):
//   Fault               the server answered with a fault (code(), what() as
//                       "BAD_NAME (10): x")
//   AuthenticationError the server refused the credentials (HTTP 401)
//   ConnectionError     the server could not be reached, or the connection
//                       failed before the reply (refused, unknown host, reset)
//   TimeoutError        no complete reply within the client's timeout
//   ProtocolError       the reply is not XML-RPC (another HTTP status, not
//                       XML, not a methodResponse) or not what the method
//                       returns (a missing member, a wrong type)
//   Error               any other failure of the HTTP library
// and std::invalid_argument for a string parameter that is not valid UTF-8
// (XML cannot carry it).
//
// Thread safety: a Client may be shared between threads; its calls are
// serialized (one connection, kept alive between calls), so threads that want
// parallel calls use one Client each. setTimeout may be called from any thread
// at any time and applies to the calls that start after it. The proxies are
// small handles on their Client, valid while it lives; the results are plain
// values.
#ifndef SUPVISORS_CLIENT_HPP
#define SUPVISORS_CLIENT_HPP

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <xmlrpc-c/base.hpp>

#include <supvisors/types.hpp>

namespace supvisors {

// Error is the base of every exception a call throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Fault is an XML-RPC fault: the server's answer that the call failed.
// what() names it and its code: "BAD_NAME (10): nosuch".
class Fault : public Error {
 public:
  Fault(int code, std::string faultString);
  // code is the fault code (see namespace faults).
  int code() const noexcept { return code_; }
  // name is the code's name ("BAD_NAME"), see faultName.
  std::string name() const { return faultName(code_); }
  // faultString is the server's text as sent ("BAD_NAME: nosuch").
  const std::string& faultString() const noexcept { return faultString_; }

 private:
  int code_;
  std::string faultString_;
};

// AuthenticationError: the server refused the credentials (HTTP 401).
class AuthenticationError : public Error {
 public:
  using Error::Error;
};

// ConnectionError: the server could not be reached, or the connection failed
// before its reply was complete.
class ConnectionError : public Error {
 public:
  using Error::Error;
};

// TimeoutError: no complete reply within the client's timeout.
class TimeoutError : public Error {
 public:
  using Error::Error;
};

// ProtocolError: the reply is not XML-RPC, or not what the method returns.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

class Client;

// Call is one call of system.multicall: a method and its parameters. Build
// one rather than copy-assign it: an xmlrpc_c::value set once cannot be
// assigned again (xmlrpc-c throws).
struct Call {
  std::string methodName;
  std::vector<xmlrpc_c::value> params;
};

// MulticallResult is the outcome of one call of a system.multicall: its
// fault (isFault, faultCode, faultString), or its value. The value is behind
// a pointer (null with a fault) because an xmlrpc_c::value cannot be assigned
// once set, which would make the struct unfit to assign, sort or swap.
struct MulticallResult {
  bool isFault = false;
  int faultCode = 0;
  std::string faultString;
  std::shared_ptr<const xmlrpc_c::value> value;
};

// SystemProxy is the system namespace.
class SystemProxy {
 public:
  explicit SystemProxy(Client& client) : client_(&client) {}
  // listMethods names every method the server has ("supervisor.getState").
  std::vector<std::string> listMethods();
  // methodHelp is a method's documentation.
  std::string methodHelp(const std::string& methodName);
  // methodSignature is a method's types: the result's, then the parameters'.
  std::vector<std::string> methodSignature(const std::string& methodName);
  // multicall runs calls in one request; each has its own result or fault.
  std::vector<MulticallResult> multicall(const std::vector<Call>& calls);

 private:
  Client* client_;
};

// SupervisorProxy is the supervisor namespace: the node's own processes,
// as supervisord's XML-RPC API. namespec is "name", "group:name", or
// "group:*" where the method takes a group.
class SupervisorProxy {
 public:
  explicit SupervisorProxy(Client& client) : client_(&client) {}
  std::string getAPIVersion();
  // getVersion is getAPIVersion's old name.
  std::string getVersion();
  std::string getSupervisorVersion();
  std::string getIdentification();
  SupervisorStateInfo getState();
  int getPID();
  // readLog reads length bytes of the main log from offset (a negative offset
  // counts from the end, with length 0).
  std::string readLog(int offset, int length);
  // readMainLog is readLog's old name.
  std::string readMainLog(int offset, int length);
  bool clearLog();
  bool shutdown();
  bool restart();
  SupervisorProcessInfo getProcessInfo(const std::string& namespec);
  std::vector<SupervisorProcessInfo> getAllProcessInfo();
  bool startProcess(const std::string& namespec, bool wait = true);
  bool stopProcess(const std::string& namespec, bool wait = true);
  std::vector<ExecutionStatus> startAllProcesses(bool wait = true);
  std::vector<ExecutionStatus> stopAllProcesses(bool wait = true);
  std::vector<ExecutionStatus> startProcessGroup(const std::string& name, bool wait = true);
  std::vector<ExecutionStatus> stopProcessGroup(const std::string& name, bool wait = true);
  // The signal methods take a name ("HUP", "SIGHUP") or a number ("1").
  bool signalProcess(const std::string& namespec, const std::string& signal);
  std::vector<ExecutionStatus> signalProcessGroup(const std::string& name, const std::string& signal);
  std::vector<ExecutionStatus> signalAllProcesses(const std::string& signal);
  bool sendProcessStdin(const std::string& namespec, const std::string& chars);
  bool sendRemoteCommEvent(const std::string& type, const std::string& data);
  bool addProcessGroup(const std::string& name);
  bool removeProcessGroup(const std::string& name);
  std::vector<ConfigInfo> getAllConfigInfo();
  ConfigUpdates reloadConfig();
  std::string readProcessStdoutLog(const std::string& namespec, int offset, int length);
  // readProcessLog is readProcessStdoutLog's old name.
  std::string readProcessLog(const std::string& namespec, int offset, int length);
  std::string readProcessStderrLog(const std::string& namespec, int offset, int length);
  LogResult tailProcessStdoutLog(const std::string& namespec, int offset, int length);
  // tailProcessLog is tailProcessStdoutLog's old name.
  LogResult tailProcessLog(const std::string& namespec, int offset, int length);
  LogResult tailProcessStderrLog(const std::string& namespec, int offset, int length);
  bool clearProcessLogs(const std::string& namespec);
  // clearProcessLog is clearProcessLogs' old name.
  bool clearProcessLog(const std::string& namespec);
  std::vector<ExecutionStatus> clearAllProcessLogs();

 private:
  Client* client_;
};

// SupvisorsProxy is the supvisors namespace: the whole cluster, which any
// node answers for. The control methods wait for the job's end when wait is
// true.
class SupvisorsProxy {
 public:
  explicit SupvisorsProxy(Client& client) : client_(&client) {}
  std::string getAPIVersion();
  SupvisorsStateInfo getSupvisorsState();
  // getMasterAddress is empty while there is no master.
  std::string getMasterAddress();
  Strategies getStrategies();
  std::vector<AddressInfo> getAllAddressesInfo();
  AddressInfo getAddressInfo(const std::string& addressName);
  std::vector<ApplicationInfo> getAllApplicationInfo();
  ApplicationInfo getApplicationInfo(const std::string& applicationName);
  std::vector<ProcessInfo> getAllProcessInfo();
  // getProcessInfo gives one process, or all of a group with "group:*".
  std::vector<ProcessInfo> getProcessInfo(const std::string& namespec);
  ApplicationRules getApplicationRules(const std::string& applicationName);
  std::vector<ProcessRules> getProcessRules(const std::string& namespec);
  std::vector<ProcessInfo> getConflicts();
  bool startApplication(StartingStrategy strategy, const std::string& applicationName, bool wait = true);
  bool stopApplication(const std::string& applicationName, bool wait = true);
  bool restartApplication(StartingStrategy strategy, const std::string& applicationName, bool wait = true);
  // startArgs starts a process of the node asked, with extra arguments.
  bool startArgs(const std::string& namespec, const std::string& extraArgs = "", bool wait = true);
  bool startProcess(StartingStrategy strategy, const std::string& namespec, const std::string& extraArgs = "",
                    bool wait = true);
  bool stopProcess(const std::string& namespec, bool wait = true);
  // restartProcess takes no extra arguments, as the spec has it (Supvisors
  // 0.1's Java client sends some, which the server refuses).
  bool restartProcess(StartingStrategy strategy, const std::string& namespec, bool wait = true);
  // conciliate is false for USER, which leaves the conflicts to an operator.
  bool conciliate(ConciliationStrategy strategy);
  // readmitAddress lets an address fenced by auto_fence back in (an
  // extension of Supvisors 0.1).
  bool readmitAddress(const std::string& addressName);
  // disable stops the processes of a program everywhere and keeps them from
  // starting (faults::DISABLED) until enable; extensions of Supvisors 0.1.
  bool disable(const std::string& programName, bool wait = true);
  bool enable(const std::string& programName, bool wait = true);
  // updateNumprocs gives a homogeneous program numprocs processes on every
  // node that has it.
  bool updateNumprocs(const std::string& programName, int numprocs, bool wait = true);
  // rollingRestart restarts the running processes of an application one at
  // a time.
  bool rollingRestart(const std::string& applicationName, bool wait = true);
  bool restart();
  bool shutdown();

 private:
  Client* client_;
};

// Client is a connection to one agent at http://address:port/RPC2, with
// HTTP basic authentication when user or password is not empty.
class Client {
 public:
  // Client checks its arguments (std::invalid_argument for an empty address
  // or a port outside 1-65535) and connects at the first call.
  Client(const std::string& address, int port, const std::string& user = "", const std::string& password = "");
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  SystemProxy system() { return SystemProxy(*this); }
  SupervisorProxy supervisor() { return SupervisorProxy(*this); }
  SupvisorsProxy supvisors() { return SupvisorsProxy(*this); }

  // setTimeout bounds each call from its start to its complete reply
  // (connection included); zero, the default, waits as long as it takes,
  // as the control methods that wait may need.
  void setTimeout(std::chrono::milliseconds timeout);
  std::chrono::milliseconds timeout() const;
  // url is the server's URL, without credentials.
  const std::string& url() const;

  // call is any method by its full name, with its raw XML-RPC result; the
  // proxies are made of it.
  xmlrpc_c::value call(const std::string& method, const std::vector<xmlrpc_c::value>& params = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace supvisors

#endif
