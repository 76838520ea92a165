// client_test runs the C++ client against a real cluster of three agents on
// 127.0.0.1-3 (integration/cpp_client_test.go starts them, with the programs
// this file uses) and against servers that misbehave: every proxy method
// family, faults, bad credentials, a refused connection, replies that are not
// XML-RPC, a timeout, calls from several threads, and at the end the restarts
// and shutdowns of the agents. It prints a line per check that fails, a line
// per section, the exceptions it expects as it gets them, and last
// "N passed, N failed".
//
//   client_test PORT USER PASSWORD NODE1_PID FIXTURE_PORT SILENT_PORT REFUSED_PORT
#include <supvisors/client.hpp>

#include <cxxabi.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <chrono>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

using namespace std::chrono_literals;
using supvisors::Client;

namespace {

// typeName is the name of e's class, as the source spells it.
std::string typeName(const std::exception& e) {
  int status = 0;
  char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
  std::string result = status == 0 ? name : typeid(e).name();
  std::free(name);
  return result;
}

int passed = 0;
int failed = 0;

// check counts one check, and prints it when it fails.
void check(bool ok, const std::string& what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::cout << "FAIL " << what << std::endl;
  }
}

template <typename A, typename B>
void checkEqual(const A& got, const B& want, const std::string& what) {
  std::ostringstream message;
  message << what << ": got '" << got << "', want '" << want << "'";
  check(got == want, message.str());
}

// section runs body; an exception it lets out fails it.
void section(const std::string& name, const std::function<void()>& body) {
  const int before = failed;
  try {
    body();
  } catch (const std::exception& e) {
    ++failed;
    std::cout << "FAIL " << name << ": unexpected " << typeName(e) << ": " << e.what() << std::endl;
  }
  std::cout << (failed == before ? "ok   " : "FAIL ") << name << std::endl;
}

// expectThrow checks that body throws an E, and that the E passes test.
template <typename E>
void expectThrow(const std::string& what, const std::function<void()>& body,
                 const std::function<bool(const E&)>& test = [](const E&) { return true; }) {
  try {
    body();
    check(false, what + ": no exception");
  } catch (const std::exception& e) {
    const auto* expected = dynamic_cast<const E*>(&e);
    const std::string caught = what + ": " + typeName(e) + ": " + e.what();
    check(expected != nullptr && test(*expected), caught);
    std::cout << "     " << caught << std::endl;
  }
}

// expectFault checks that body throws a Fault of code, whose what() starts
// with its name and code.
void expectFault(const std::string& what, int code, const std::function<void()>& body) {
  expectThrow<supvisors::Fault>(what, body, [code](const supvisors::Fault& f) {
    const std::string prefix = supvisors::faultName(code) + " (" + std::to_string(code) + ")";
    return f.code() == code && std::string(f.what()).rfind(prefix, 0) == 0;
  });
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

template <typename T>
bool has(const std::vector<T>& values, const T& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// waitUntil polls condition until it holds, for at most timeout; a
// supvisors::Error meanwhile (a node restarting) counts as not yet.
bool waitUntil(const std::string& what, std::chrono::milliseconds timeout, const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (condition()) return true;
      last = "condition false";
    } catch (const supvisors::Error& e) {
      last = e.what();
    }
    std::this_thread::sleep_for(100ms);
  }
  check(false, what + " within " + std::to_string(timeout.count()) + " ms (last: " + last + ")");
  return false;
}

std::vector<std::string> namespecs(const std::vector<supvisors::ExecutionStatus>& statuses) {
  std::vector<std::string> names;
  for (const auto& s : statuses) names.push_back(s.namespec());
  std::sort(names.begin(), names.end());
  return names;
}

bool allOk(const std::vector<supvisors::ExecutionStatus>& statuses) {
  return std::all_of(statuses.begin(), statuses.end(), [](const auto& s) { return s.ok(); });
}

struct Options {
  int port = 0;
  std::string user;
  std::string password;
  int node1Pid = 0;
  int fixturePort = 0;
  int silentPort = 0;
  int refusedPort = 0;
};

void testSystem(Client& client, const Options& o) {
  auto system = client.system();
  const auto methods = system.listMethods();
  for (const std::string name : {"system.multicall", "supervisor.getState", "supvisors.get_all_process_info"}) {
    check(has(methods, name), "listMethods has " + name);
  }
  check(contains(system.methodHelp("supervisor.getState"), "statecode"), "methodHelp(supervisor.getState)");
  check(system.methodSignature("supervisor.getState") == std::vector<std::string>{"struct"},
        "methodSignature(supervisor.getState) is {struct}");
  const auto results = system.multicall({{"supervisor.getPID", {}},
                                          {"supervisor.getProcessInfo", {xmlrpc_c::value_string("nosuch")}},
                                          {"supervisor.getState", {}}});
  checkEqual(results.size(), 3u, "multicall results");
  if (results.size() == 3) {
    check(!results[0].isFault && results[0].value->type() == xmlrpc_c::value::TYPE_INT &&
              xmlrpc_c::value_int(*results[0].value).cvalue() == o.node1Pid,
          "multicall getPID");
    check(results[1].isFault && results[1].faultCode == supvisors::faults::BAD_NAME &&
              results[1].faultString == "BAD_NAME: nosuch" && results[1].value == nullptr,
          "multicall getProcessInfo(nosuch) is a fault: " + results[1].faultString);
    check(!results[2].isFault && results[2].value->type() == xmlrpc_c::value::TYPE_STRUCT, "multicall getState");
    auto sorted = results;
    std::swap(sorted[0], sorted[2]);
    check(sorted[0].value->type() == xmlrpc_c::value::TYPE_STRUCT, "multicall results can be swapped");
  }
}

void testSupervisorStatus(Client& client, const Options& o) {
  auto supervisor = client.supervisor();
  checkEqual(supervisor.getAPIVersion(), "3.0", "getAPIVersion");
  checkEqual(supervisor.getVersion(), "3.0", "getVersion");
  checkEqual(supervisor.getSupervisorVersion(), "4.2.5", "getSupervisorVersion");
  checkEqual(supervisor.getIdentification(), "it", "getIdentification");
  const auto state = supervisor.getState();
  checkEqual(state.statecode, supvisors::SupervisorState::RUNNING, "getState().statecode");
  checkEqual(state.statename, "RUNNING", "getState().statename");
  checkEqual(supervisor.getPID(), o.node1Pid, "getPID");
  check(!supervisor.readLog(0, 0).empty(), "readLog(0, 0) has the main log");
  check(!supervisor.readMainLog(-100, 0).empty(), "readMainLog(-100, 0) has its end");
  check(supervisor.clearLog(), "clearLog");
}

void testSupervisorProcesses(Client& client) {
  auto supervisor = client.supervisor();
  check(supervisor.startProcess("web"), "startProcess(web)");
  auto web = supervisor.getProcessInfo("web");
  checkEqual(web.state, supvisors::ProcessState::RUNNING, "web's state");
  checkEqual(web.statename, "RUNNING", "web's statename");
  checkEqual(web.namespec(), "web", "web's namespec");
  check(web.pid > 0 && web.start > 0 && web.now >= web.start && contains(web.description, "pid "),
        "web's pid, start, now, description: " + web.description);
  bool found = false;
  for (const auto& info : supervisor.getAllProcessInfo()) {
    if (info.namespec() == "app:first") found = info.state == supvisors::ProcessState::STOPPED;
  }
  check(found, "getAllProcessInfo has app:first STOPPED");
  check(supervisor.stopProcess("web"), "stopProcess(web)");
  checkEqual(supervisor.getProcessInfo("web").state, supvisors::ProcessState::STOPPED, "web stopped");

  const std::vector<std::string> app{"app:first", "app:second"};
  const auto started = supervisor.startProcessGroup("app");
  check(namespecs(started) == app && allOk(started), "startProcessGroup(app)");
  const auto stopped = supervisor.stopProcessGroup("app");
  check(namespecs(stopped) == app && allOk(stopped), "stopProcessGroup(app)");

  check(supervisor.startProcess("cat") && supervisor.startProcess("talk"), "startProcess(cat), (talk)");
  check(supervisor.sendProcessStdin("cat", "hello cpp\n"), "sendProcessStdin(cat)");
  waitUntil("cat echoes its stdin", 10s, [&] { return contains(supervisor.readProcessStdoutLog("cat", 0, 1000), "hello cpp"); });
  check(contains(supervisor.readProcessLog("cat", 0, 1000), "hello cpp"), "readProcessLog(cat)");
  const auto tail = supervisor.tailProcessStdoutLog("cat", 0, 1000);
  check(contains(tail.bytes, "hello cpp") && tail.offset == 10 && !tail.overflow, "tailProcessStdoutLog(cat)");
  const auto overflow = supervisor.tailProcessLog("cat", 0, 3);
  check(overflow.bytes == "pp\n" && overflow.offset == 10 && overflow.overflow, "tailProcessLog(cat, 0, 3)");
  waitUntil("talk writes stderr", 10s, [&] { return contains(supervisor.readProcessStderrLog("talk", 0, 100), "err-line"); });
  check(contains(supervisor.tailProcessStderrLog("talk", 0, 100).bytes, "err-line"), "tailProcessStderrLog(talk)");

  check(supervisor.signalProcess("cat", "CONT"), "signalProcess(cat, CONT)");
  const auto signalled = supervisor.signalProcessGroup("talk", "CONT");
  check(namespecs(signalled) == std::vector<std::string>{"talk"} && allOk(signalled), "signalProcessGroup(talk)");
  const auto all = supervisor.signalAllProcesses("CONT");
  check(namespecs(all) == std::vector<std::string>{"cat", "talk"} && allOk(all), "signalAllProcesses(CONT)");
  expectFault("signalProcess(cat, NOPE)", supvisors::faults::BAD_SIGNAL, [&] { supervisor.signalProcess("cat", "NOPE"); });

  check(supervisor.clearProcessLogs("cat"), "clearProcessLogs(cat)");
  checkEqual(supervisor.readProcessStdoutLog("cat", 0, 1000), "", "cat's log after clearProcessLogs");
  check(supervisor.clearProcessLog("talk"), "clearProcessLog(talk)");
  const auto cleared = supervisor.clearAllProcessLogs();
  check(!cleared.empty() && allOk(cleared), "clearAllProcessLogs");
  check(supervisor.sendRemoteCommEvent("cpp", "data"), "sendRemoteCommEvent");

  const auto startedAll = supervisor.startAllProcesses();
  check(has(namespecs(startedAll), std::string("web")) && allOk(startedAll), "startAllProcesses");
  const auto stoppedAll = supervisor.stopAllProcesses();
  check(has(namespecs(stoppedAll), std::string("web")) && has(namespecs(stoppedAll), std::string("cat")) &&
            allOk(stoppedAll),
        "stopAllProcesses");
}

void testSupervisorConfig(Client& client) {
  auto supervisor = client.supervisor();
  bool found = false;
  for (const auto& c : supervisor.getAllConfigInfo()) {
    if (c.namespec() != "web") continue;
    found = true;
    check(c.command == "/bin/sleep 1000" && !c.autostart && c.startsecs == 0 && c.inuse && !c.uid.has_value() &&
              c.exitcodes == std::vector<int>{0} && c.stopsignal == 15 && c.stdoutLogfileMaxbytes == 50 << 20,
          "getAllConfigInfo's web: " + c.command);
  }
  check(found, "getAllConfigInfo has web");
  check(supervisor.removeProcessGroup("spare"), "removeProcessGroup(spare)");
  const auto updates = supervisor.reloadConfig();
  check(updates.added == std::vector<std::string>{"spare"} && updates.changed.empty() && updates.removed.empty(),
        "reloadConfig sees spare added");
  check(supervisor.addProcessGroup("spare"), "addProcessGroup(spare)");
  checkEqual(supervisor.getProcessInfo("spare").statename, "STOPPED", "spare is back");
  expectFault("addProcessGroup(spare) again", supvisors::faults::ALREADY_ADDED, [&] { supervisor.addProcessGroup("spare"); });
}

void testSupvisorsStatus(Client& client) {
  auto supvisors = client.supvisors();
  checkEqual(supvisors.getAPIVersion(), "0.1", "get_api_version");
  const auto state = supvisors.getSupvisorsState();
  check(state.statecode == supvisors::SupvisorsState::OPERATION && state.statename == "OPERATION" && state.quorum &&
            !state.gossipEncrypted,
        "getSupvisorsState: " + state.statename);
  checkEqual(supvisors.getMasterAddress(), "127.0.0.1", "getMasterAddress");
  const auto strategies = supvisors.getStrategies();
  check(!strategies.autoFencing && strategies.starting == supvisors::StartingStrategy::CONFIG &&
            strategies.conciliation == supvisors::ConciliationStrategy::USER,
        "getStrategies");
  const auto addresses = supvisors.getAllAddressesInfo();
  std::vector<std::string> names;
  for (const auto& a : addresses) {
    names.push_back(a.addressName);
    check(a.statecode == supvisors::AddressState::RUNNING && a.statename == "RUNNING" && a.remoteTime > 0 &&
              a.localTime > 0,
          "address " + a.addressName + " RUNNING");
  }
  check(names == std::vector<std::string>{"127.0.0.1", "127.0.0.2", "127.0.0.3"}, "getAllAddressesInfo's names");
  checkEqual(supvisors.getAddressInfo("127.0.0.2").statecode, supvisors::AddressState::RUNNING, "getAddressInfo");

  bool found = false;
  for (const auto& a : supvisors.getAllApplicationInfo()) {
    if (a.applicationName == "app") found = a.statecode == supvisors::ApplicationState::STOPPED;
  }
  check(found, "getAllApplicationInfo has app STOPPED");
  const auto app = supvisors.getApplicationInfo("app");
  check(app.statename == "STOPPED" && !app.majorFailure && !app.minorFailure, "getApplicationInfo(app)");

  std::set<std::string> processes;
  for (const auto& p : supvisors.getAllProcessInfo()) processes.insert(p.namespec());
  check(processes.count("app:first") && processes.count("web") && processes.count("spare"), "getAllProcessInfo");
  const auto group = supvisors.getProcessInfo("app:*");
  check(group.size() == 2 && group[0].applicationName == "app" && group[0].statecode == supvisors::ProcessState::STOPPED &&
            group[0].addresses.empty() && !group[0].conflict(),
        "getProcessInfo(app:*)");

  const auto rules = supvisors.getApplicationRules("app");
  check(rules.applicationName == "app" && rules.startSequence == 0 && rules.stopSequence == 0 &&
            rules.startingFailureStrategy == supvisors::StartingFailureStrategy::ABORT &&
            rules.runningFailureStrategy == supvisors::RunningFailureStrategy::CONTINUE,
        "getApplicationRules(app)");
  const auto processRules = supvisors.getProcessRules("app:*");
  check(processRules.size() == 2 && processRules[1].namespec() == "app:second" && processRules[1].startSequence == 2 &&
            !processRules[1].required &&
            !processRules[1].waitExit && processRules[1].loading == 0 && !processRules[1].addresses.empty() &&
            processRules[1].runningFailureStrategy == supvisors::RunningFailureStrategy::CONTINUE,
        "getProcessRules(app:*)");
  check(supvisors.getConflicts().empty(), "getConflicts is empty");
}

// testSupvisorsControl goes through node 2, which hands the requests to the
// master; with wait, the master answers once the job is done, and node 2's
// view shows it a moment later.
void testSupvisorsControl(Client& node2) {
  using supvisors::StartingStrategy;
  auto supvisors = node2.supvisors();
  auto appIs = [&](supvisors::ApplicationState state) {
    return [&supvisors, state] { return supvisors.getApplicationInfo("app").statecode == state; };
  };
  auto webRuns = [&](const std::vector<std::string>& addresses) {
    return [&supvisors, addresses] {
      const auto web = supvisors.getProcessInfo("web").at(0);
      return web.addresses == addresses &&
             web.statecode == (addresses.empty() ? supvisors::ProcessState::STOPPED : supvisors::ProcessState::RUNNING);
    };
  };
  check(supvisors.startApplication(StartingStrategy::LESS_LOADED, "app"), "startApplication(LESS_LOADED, app)");
  waitUntil("app RUNNING after startApplication", 10s, appIs(supvisors::ApplicationState::RUNNING));
  waitUntil("app:first running once", 10s, [&] { return supvisors.getProcessInfo("app:first").at(0).addresses.size() == 1; });
  expectFault("startApplication(app) again", supvisors::faults::ALREADY_STARTED,
              [&] { supvisors.startApplication(StartingStrategy::CONFIG, "app"); });
  check(supvisors.stopApplication("app"), "stopApplication(app)");
  waitUntil("app STOPPED after stopApplication", 10s, appIs(supvisors::ApplicationState::STOPPED));
  check(supvisors.restartApplication(StartingStrategy::CONFIG, "app"), "restartApplication(CONFIG, app)");
  waitUntil("app RUNNING after restartApplication", 10s, appIs(supvisors::ApplicationState::RUNNING));

  check(supvisors.startProcess(StartingStrategy::CONFIG, "web"), "startProcess(CONFIG, web)");
  waitUntil("web RUNNING on node 1 (CONFIG)", 10s, webRuns({"127.0.0.1"}));
  check(supvisors.stopProcess("web"), "stopProcess(web)");
  waitUntil("web STOPPED", 10s, webRuns({}));
  check(supvisors.startProcess(StartingStrategy::LOCAL, "web"), "startProcess(LOCAL, web)");
  waitUntil("web RUNNING on node 2 (LOCAL)", 10s, webRuns({"127.0.0.2"}));
  check(supvisors.restartProcess(StartingStrategy::CONFIG, "web"), "restartProcess(CONFIG, web)");
  waitUntil("web RUNNING on node 1 after restartProcess", 10s, webRuns({"127.0.0.1"}));
  check(supvisors.startArgs("argv", "1"), "startArgs(argv, 1)");
  waitUntil("argv RUNNING on node 2", 10s, [&] {
    const auto argv = supvisors.getProcessInfo("argv").at(0);
    return argv.statecode == supvisors::ProcessState::RUNNING && argv.addresses == std::vector<std::string>{"127.0.0.2"};
  });
  check(node2.supervisor().getProcessInfo("argv").description.rfind("pid ", 0) == 0, "argv in node 2's supervisor");

  expectFault("stopApplication(nosuch)", supvisors::faults::BAD_NAME, [&] { supvisors.stopApplication("nosuch"); });
  expectFault("conciliate(SENICIDE) in OPERATION", supvisors::faults::BAD_SUPVISORS_STATE,
              [&] { supvisors.conciliate(supvisors::ConciliationStrategy::SENICIDE); });
  expectFault("getAddressInfo(10.9.9.9)", supvisors::faults::BAD_ADDRESS, [&] { supvisors.getAddressInfo("10.9.9.9"); });
  expectFault("readmitAddress(10.9.9.9)", supvisors::faults::BAD_ADDRESS, [&] { supvisors.readmitAddress("10.9.9.9"); });
  expectFault("startProcess(UNKNOWN strategy)", supvisors::faults::BAD_STRATEGY,
              [&] { supvisors.startProcess(StartingStrategy::UNKNOWN, "web"); });

  // The operations beyond Supvisors 0.1.
  check(supvisors.disable("web"), "disable(web)");
  expectFault("startProcess(web), disabled", supvisors::faults::DISABLED,
              [&] { supvisors.startProcess(StartingStrategy::CONFIG, "web"); });
  check(supvisors.enable("web"), "enable(web)");
  expectFault("updateNumprocs(web), not homogeneous", supvisors::faults::BAD_ARGUMENTS,
              [&] { supvisors.updateNumprocs("web", 2); });
  check(supvisors.rollingRestart("app"), "rollingRestart(app)");
  waitUntil("app RUNNING after rollingRestart", 10s, appIs(supvisors::ApplicationState::RUNNING));
  expectFault("rollingRestart(nosuch)", supvisors::faults::BAD_NAME, [&] { supvisors.rollingRestart("nosuch"); });
  check(supvisors.stopApplication("app") && supvisors.stopProcess("argv"), "stop app, argv");
}

void testFaults(Client& client) {
  expectThrow<supvisors::Fault>("getProcessInfo(nosuch)", [&] { client.supervisor().getProcessInfo("nosuch"); },
                                [](const supvisors::Fault& f) {
                                  return f.code() == 10 && f.name() == "BAD_NAME" &&
                                         f.faultString() == "BAD_NAME: nosuch" &&
                                         std::string(f.what()) == "BAD_NAME (10): nosuch";
                                });
  expectThrow<supvisors::Fault>("an unknown method", [&] { client.call("supervisor.nope"); },
                                [](const supvisors::Fault& f) {
                                  return f.code() == supvisors::faults::UNKNOWN_METHOD &&
                                         std::string(f.what()) == "UNKNOWN_METHOD (1)";
                                });
  expectThrow<supvisors::Error>("a Fault is a supvisors::Error", [&] { client.supervisor().startProcess("nosuch"); });
  expectThrow<std::exception>("a Fault is a std::exception", [&] { client.supvisors().getApplicationInfo("nosuch"); });
  expectThrow<std::invalid_argument>("a namespec that is not UTF-8",
                                     [&] { client.supervisor().getProcessInfo("\xff\xfe"); });
  expectThrow<std::invalid_argument>("an empty address", [] { Client("", 1); });
  expectThrow<std::invalid_argument>("port 0", [] { Client("127.0.0.1", 0); });
  expectThrow<std::invalid_argument>("a negative timeout", [&] { client.setTimeout(-1ms); });
  checkEqual(supvisors::faultName(999), "FAULT_999", "faultName(999)");
  checkEqual(supvisors::Fault(999, "odd").what(), std::string("FAULT_999 (999): odd"), "an unknown fault");
}

void testFailures(const Options& o) {
  Client badPassword("127.0.0.1", o.port, o.user, "wrong");
  expectThrow<supvisors::AuthenticationError>("a wrong password", [&] { badPassword.supervisor().getState(); },
                                              [](const auto& e) { return contains(e.what(), "HTTP 401"); });
  Client noCredentials("127.0.0.1", o.port);
  expectThrow<supvisors::AuthenticationError>("no credentials", [&] { noCredentials.supervisor().getPID(); },
                                              [](const auto& e) { return contains(e.what(), "requires credentials"); });

  Client refused("127.0.0.1", o.refusedPort, o.user, o.password);
  expectThrow<supvisors::ConnectionError>("a refused connection", [&] { refused.supervisor().getState(); },
                                          [&](const auto& e) { return contains(e.what(), refused.url()); });

  Client silent("127.0.0.1", o.silentPort);
  silent.setTimeout(300ms);
  checkEqual(silent.timeout().count(), 300, "timeout()");
  const auto start = std::chrono::steady_clock::now();
  expectThrow<supvisors::TimeoutError>("a server that does not answer", [&] { silent.supervisor().getState(); });
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  check(elapsed >= 290ms && elapsed < 2500ms, "timed out after " + std::to_string(elapsed.count()) + " ms, want 300");

  // The fixture answers each method in its own wrong way (cpp_client_test.go).
  Client fixture("127.0.0.1", o.fixturePort);
  auto supervisor = fixture.supervisor();
  expectThrow<supvisors::ProtocolError>("an HTML reply", [&] { supervisor.getState(); },
                                        [](const auto& e) { return contains(e.what(), "not XML-RPC"); });
  expectThrow<supvisors::ProtocolError>("HTTP 500", [&] { supervisor.getAPIVersion(); },
                                        [](const auto& e) { return contains(e.what(), "HTTP status 500"); });
  expectThrow<supvisors::ProtocolError>("a reply that is not HTTP", [&] { supervisor.getIdentification(); });
  expectThrow<supvisors::ProtocolError>("a string for an int", [&] { supervisor.getPID(); },
                                        [](const auto& e) { return contains(e.what(), "a string, not an int"); });
  expectThrow<supvisors::ProtocolError>("a struct without group", [&] { supervisor.getProcessInfo("x"); },
                                        [](const auto& e) { return contains(e.what(), "no member 'group'"); });
  const auto state = fixture.supvisors().getSupvisorsState();
  check(state.statecode == supvisors::SupvisorsState::UNKNOWN && state.statename == "HIBERNATING",
        "an unknown Supvisors state is UNKNOWN, named");
  const auto strategies = fixture.supvisors().getStrategies();
  check(strategies.starting == supvisors::StartingStrategy::UNKNOWN &&
            strategies.conciliation == supvisors::ConciliationStrategy::UNKNOWN,
        "unknown strategies are UNKNOWN");
  const auto processes = fixture.supvisors().getAllProcessInfo();
  check(processes.size() == 1 && processes[0].statecode == supvisors::ProcessState::UNKNOWN &&
            processes[0].statename == "NAPPING" && processes[0].waiting.empty(),
        "an unknown process state is UNKNOWN, named");
}

// testThreads shares one Client between threads, one of them changing its
// timeout meanwhile.
void testThreads(Client& client, const Options& o) {
  std::atomic<int> good{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        try {
          if (client.supervisor().getState().statecode == supvisors::SupervisorState::RUNNING &&
              client.supervisor().getPID() == o.node1Pid) {
            ++good;
          }
        } catch (const std::exception& e) {
          std::cout << "thread: " << e.what() << std::endl;
        }
      }
    });
  }
  std::thread timeouts([&] {
    for (int i = 0; !done; ++i) client.setTimeout(i % 2 ? 20s : 10s);
  });
  for (auto& thread : threads) thread.join();
  done = true;
  timeouts.join();
  checkEqual(good.load(), 100, "calls right from 4 threads sharing a Client");
  client.setTimeout(0ms);

  // A Client each: calls in parallel.
  const auto processes = client.supervisor().getAllProcessInfo().size();
  good = 0;
  threads.clear();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      try {
        Client own("127.0.0.1", o.port, o.user, o.password);
        for (int i = 0; i < 10; ++i) good += own.supervisor().getAllProcessInfo().size() == processes ? 1 : 0;
      } catch (const std::exception& e) {
        std::cout << "thread: " << e.what() << std::endl;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  checkEqual(good.load(), 40, "calls right from 4 threads with a Client each");
}

// testRestarts restarts node 3's agent, then the cluster, then shuts node 3
// down, then the cluster. A restart stops every process: web, running before
// it, is STOPPED after it (autostart=false), which tells that the restart
// happened and not only that it was asked.
void testRestarts(Client& node1, Client& node3) {
  auto operation = [](Client& client) {
    return client.supvisors().getSupvisorsState().statecode == supvisors::SupvisorsState::OPERATION;
  };
  auto allRunning = [&] {
    const auto addresses = node1.supvisors().getAllAddressesInfo();
    return std::all_of(addresses.begin(), addresses.end(),
                       [](const auto& a) { return a.statecode == supvisors::AddressState::RUNNING; });
  };
  auto webStopped = [](Client& client) {
    return client.supervisor().getProcessInfo("web").state == supvisors::ProcessState::STOPPED;
  };
  check(node3.supervisor().startProcess("web") && node3.supervisor().restart(), "supervisor.restart on node 3");
  waitUntil("node 3 restarted, in OPERATION", 30s, [&] { return webStopped(node3) && operation(node3) && allRunning(); });
  check(node1.supervisor().startProcess("web") && node1.supvisors().restart(), "supvisors.restart");
  waitUntil("the cluster restarted, in OPERATION", 30s,
            [&] { return webStopped(node1) && operation(node1) && operation(node3) && allRunning(); });
  check(node3.supervisor().shutdown(), "supervisor.shutdown on node 3");
  node3.setTimeout(2s);
  waitUntil("node 3 refusing connections", 30s, [&] {
    try {
      node3.supervisor().getPID();
      return false;
    } catch (const supvisors::ConnectionError&) {
      return true;
    }
  });
  waitUntil("node 1 in OPERATION without node 3", 30s, [&] { return operation(node1); });
  check(node1.supvisors().shutdown(), "supvisors.shutdown");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr << "usage: client_test PORT USER PASSWORD NODE1_PID FIXTURE_PORT SILENT_PORT REFUSED_PORT\n";
    return 2;
  }
  Options o;
  o.port = std::stoi(argv[1]);
  o.user = argv[2];
  o.password = argv[3];
  o.node1Pid = std::stoi(argv[4]);
  o.fixturePort = std::stoi(argv[5]);
  o.silentPort = std::stoi(argv[6]);
  o.refusedPort = std::stoi(argv[7]);

  Client node1("127.0.0.1", o.port, o.user, o.password);
  Client node2("127.0.0.2", o.port, o.user, o.password);
  Client node3("127.0.0.3", o.port, o.user, o.password);
  section("system", [&] { testSystem(node1, o); });
  section("supervisor status", [&] { testSupervisorStatus(node1, o); });
  section("supervisor processes and logs", [&] { testSupervisorProcesses(node1); });
  section("supervisor configuration", [&] { testSupervisorConfig(node1); });
  section("supvisors status", [&] { testSupvisorsStatus(node1); });
  section("supvisors control", [&] { testSupvisorsControl(node2); });
  section("faults", [&] { testFaults(node1); });
  section("failures", [&] { testFailures(o); });
  section("threads", [&] { testThreads(node1, o); });
  section("restarts and shutdowns", [&] { testRestarts(node1, node3); });
  std::cout << passed << " passed, " << failed << " failed" << std::endl;
  return failed == 0 ? 0 : 1;
}
