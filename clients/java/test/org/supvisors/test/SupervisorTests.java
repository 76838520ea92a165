package org.supvisors.test;

import static org.supvisors.test.Check.equal;
import static org.supvisors.test.Check.fault;
import static org.supvisors.test.Check.isTrue;
import static org.supvisors.test.Check.matches;
import static org.supvisors.test.Check.raises;
import static org.supvisors.test.Check.waitFor;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.supvisors.common.ProcessState;
import org.supvisors.common.SupervisorConfigInfo;
import org.supvisors.common.SupervisorConfigUpdates;
import org.supvisors.common.SupervisorExecutionStatus;
import org.supvisors.common.SupervisorFaults;
import org.supvisors.common.SupervisorLogResult;
import org.supvisors.common.SupervisorProcessInfo;
import org.supvisors.common.SupervisorState;
import org.supvisors.rpc.SupervisorXmlRpc;
import org.supvisors.rpc.SupervisorXmlRpcClient;
import org.supvisors.rpc.SupvisorsXmlRpc;
import org.supvisors.rpc.SystemXmlRpc;
import org.supvisors.rpc.XmlRpcFaultException;
import org.supvisors.rpc.XmlRpcHttpException;

/**
 * Every method of the system and supervisor namespaces against one real
 * agent, whose programs are up and cat (autostart), down, and the group g
 * of a and b; then the errors a real agent gives (a fault, 401), and last
 * restart and shutdown.
 */
final class SupervisorTests {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private SupervisorTests() {
    }

    /** Adds the suite's tests; the deprecated methods are called on purpose: they are Supervisor's. */
    @SuppressWarnings("deprecation")
    static void register(final Check check, final Agent agent) {
        final SupervisorXmlRpc sup = agent.supervisor;

        check.test("supervisor status", () -> {
            equal("getAPIVersion", sup.getAPIVersion(), "3.0");
            equal("getVersion", sup.getVersion(), "3.0");
            equal("getSupervisorVersion", sup.getSupervisorVersion(), "4.2.5");
            equal("getIdentification", sup.getIdentification(), "it");
            final SupervisorState state = sup.getState();
            equal("getState", state.getState(), SupervisorState.State.RUNNING);
            equal("getState.toString", state.toString(), "SupervisorState(state=RUNNING)");
            equal("getPID", sup.getPID(), Integer.valueOf(agent.get("pid")));
        });

        check.test("supervisor process info", () -> {
            final SupervisorProcessInfo up = sup.getProcessInfo("up");
            equal("up's name", up.getName(), "up");
            equal("up's group", up.getGroupName(), "up");
            equal("up's state", up.getState(), ProcessState.RUNNING);
            isTrue("up's pid", up.getPID() > 0, up);
            isTrue("up's times", up.getStartTime() > 0 && up.getCurrentTime() >= up.getStartTime() && up.getStopTime() == 0, up);
            equal("up's log files", up.getLogFile(), up.getStdoutLogFile());
            matches("up's toString", up.toString(), "SupervisorProcessInfo\\(namespec=up processName=up groupName=up"
                + " description='pid \\d+, uptime \\d+:\\d\\d:\\d\\d' startTime=\\d+ stopTime=0 currentTime=\\d+"
                + " state=RUNNING spawnError='' exitStatus=0 logFile=/\\S+ stdoutLogFile=/\\S+ stderrLogFile=/\\S+ pid=\\d+\\)");
            final SupervisorProcessInfo down = sup.getProcessInfo("down");
            equal("down's state", down.getState(), ProcessState.STOPPED);
            equal("down's pid", down.getPID(), 0);
            equal("down's description", down.getDescription(), "Not started");
            final SupervisorProcessInfo a = sup.getProcessInfo("g:a");
            equal("g:a's namespec", a.getName(), "g:a");
            equal("g:a's names", List.of(a.getGroupName(), a.getProcessName()), List.of("g", "a"));
            fault("getProcessInfo(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.getProcessInfo("nosuch"));

            final HashMap<String, SupervisorProcessInfo> all = sup.getAllProcessInfo();
            equal("getAllProcessInfo", new TreeSet<>(all.keySet()), new TreeSet<>(List.of("cat", "down", "g:a", "g:b", "up")));
            equal("getAllProcessInfo's up", all.get("up").getPID(), up.getPID());

            final HashMap<String, SupervisorConfigInfo> configs = sup.getAllConfigInfo();
            equal("getAllConfigInfo", new TreeSet<>(configs.keySet()), new TreeSet<>(List.of("cat", "down", "g:a", "g:b", "up")));
            final SupervisorConfigInfo conf = configs.get("down");
            isTrue("down's config", !conf.isAutoStart() && conf.isInUse(), conf);
            matches("down's config toString", conf.toString(), "SupervisorConfigInfo\\(namespec=down processName=down"
                + " groupName=down inUse=true autoStart=false processPriority=999 groupPriority=999\\)");
        });

        check.test("supervisor start and stop", () -> {
            equal("startProcess(down)", sup.startProcess("down", true), true);
            equal("down after startProcess", sup.getProcessInfo("down").getState(), ProcessState.RUNNING);
            fault("startProcess(down) again", SupervisorFaults.ALREADY_STARTED, () -> sup.startProcess("down", true));
            equal("stopProcess(down)", sup.stopProcess("down", true), true);
            fault("stopProcess(down) again", SupervisorFaults.NOT_RUNNING, () -> sup.stopProcess("down", true));
            fault("startProcess(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.startProcess("nosuch", false));
            raises("startProcess(g:*)", IllegalArgumentException.class, () -> sup.startProcess("g:*", true));
            raises("stopProcess(g:*)", IllegalArgumentException.class, () -> sup.stopProcess("g:*", true));
            raises("signalProcess(g:*)", IllegalArgumentException.class, () -> sup.signalProcess("g:*", "HUP"));

            ok("startProcessGroup(g)", sup.startProcessGroup("g", true), "g:a", "g:b");
            ok("signalProcessGroup(g)", sup.signalProcessGroup("g", "SIGCONT"), "g:a", "g:b");
            final HashMap<String, SupervisorExecutionStatus> stopped = sup.stopProcessGroup("g", true);
            ok("stopProcessGroup(g)", stopped, "g:a", "g:b");
            equal("an execution status", stopped.get("g:a").toString(),
                "SupervisorExecutionStatus(namespec=g:a processName=a groupName=g description='OK' status=SUCCESS)");
            fault("startProcessGroup(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.startProcessGroup("nosuch", true));
            fault("stopProcessGroup(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.stopProcessGroup("nosuch", true));
            fault("signalProcessGroup(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.signalProcessGroup("nosuch", "HUP"));

            equal("signalProcess(up, CONT)", sup.signalProcess("up", "CONT"), true);
            fault("signalProcess(up, NOSUCHSIG)", SupervisorFaults.BAD_SIGNAL, () -> sup.signalProcess("up", "NOSUCHSIG"));
            fault("signalProcess(down, HUP)", SupervisorFaults.NOT_RUNNING, () -> sup.signalProcess("down", "HUP"));
            ok("signalAllProcesses", sup.signalAllProcesses("18"), "cat", "up");
            ok("stopAllProcesses", sup.stopAllProcesses(true), "cat", "up");
            ok("startAllProcesses", sup.startAllProcesses(true), "cat", "down", "g:a", "g:b", "up");
            for (final SupervisorProcessInfo p : sup.getAllProcessInfo().values()) {
                equal(p.getName() + " after startAllProcesses", p.getState(), ProcessState.RUNNING);
            }
        });

        check.test("supervisor stdin and logs", () -> {
            equal("sendProcessStdin(cat)", sup.sendProcessStdin("cat", "hello\n"), true);
            waitFor("cat's stdout", WAIT, () -> sup.readProcessStdoutLog("cat", 0, 0), "hello\n"::equals);
            equal("readProcessLog(cat, -3, 0)", sup.readProcessLog("cat", -3, 0), "lo\n");
            // cat wrote "err" to stderr at each of its starts: twice so far.
            final String stderr = sup.readProcessStderrLog("cat", 0, 0);
            equal("readProcessStderrLog(cat)", stderr, "err\nerr\n");
            fault("readProcessStdoutLog(cat, -1, 5)", SupervisorFaults.BAD_ARGUMENTS, () -> sup.readProcessStdoutLog("cat", -1, 5));
            fault("readProcessStdoutLog(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.readProcessStdoutLog("nosuch", 0, 0));

            final SupervisorLogResult tail = sup.tailProcessStdoutLog("cat", 0, 100);
            equal("tailProcessStdoutLog(cat, 0, 100)", List.of(tail.getBytes(), tail.getOffset(), tail.getOverflow()),
                List.of("hello\n", 6, false));
            final SupervisorLogResult end = sup.tailProcessLog("cat", 0, 2);
            equal("tailProcessLog(cat, 0, 2)", end.toString(), "SupervisorLogResult(offset=6 overflow=true bytes=o\n)");
            final SupervisorLogResult err = sup.tailProcessStderrLog("cat", 0, 100);
            equal("tailProcessStderrLog(cat)", List.of(err.getBytes(), err.getOffset(), err.getOverflow()),
                List.of(stderr, stderr.length(), false));
            fault("tailProcessStdoutLog(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.tailProcessStdoutLog("nosuch", 0, 100));
            fault("sendProcessStdin(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.sendProcessStdin("nosuch", "x"));

            equal("clearProcessLogs(cat)", sup.clearProcessLogs("cat"), true);
            equal("cat's stdout after clearProcessLogs", sup.readProcessStdoutLog("cat", 0, 0), "");
            equal("clearProcessLog(cat)", sup.clearProcessLog("cat"), true);
            fault("clearProcessLogs(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.clearProcessLogs("nosuch"));
            ok("clearAllProcessLogs", sup.clearAllProcessLogs(), "cat", "down", "g:a", "g:b", "up");

            isTrue("readLog(0, 0)", sup.readLog(0, 0).contains("spawned: 'up' with pid"), "no spawn of up");
            equal("readMainLog(-100, 0)", sup.readMainLog(-100, 0).length(), 100);
            fault("readLog(-1, 5)", SupervisorFaults.BAD_ARGUMENTS, () -> sup.readLog(-1, 5));
            equal("clearLog", sup.clearLog(), true);
            equal("sendRemoteCommEvent", sup.sendRemoteCommEvent("type", "data"), true);
        });

        check.test("supervisor reload and groups", () -> {
            final SupervisorConfigUpdates none = sup.reloadConfig();
            equal("reloadConfig unchanged", none.toString(), "SupervisorConfigUpdates(added=[] changed=[] removed=[])");
            Files.writeString(Path.of(agent.get("conf")), "\n[program:extra]\ncommand=/bin/sleep 1000\nautostart=false\n",
                StandardOpenOption.APPEND);
            final SupervisorConfigUpdates added = sup.reloadConfig();
            equal("reloadConfig with extra", List.of(added.getAdded(), added.getChanged(), added.getRemoved()),
                List.of(List.of("extra"), List.of(), List.of()));
            equal("addProcessGroup(extra)", sup.addProcessGroup("extra"), true);
            fault("addProcessGroup(extra) again", SupervisorFaults.ALREADY_ADDED, () -> sup.addProcessGroup("extra"));
            fault("addProcessGroup(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.addProcessGroup("nosuch"));
            equal("extra's state", sup.getProcessInfo("extra").getState(), ProcessState.STOPPED);
            fault("removeProcessGroup(up)", SupervisorFaults.STILL_RUNNING, () -> sup.removeProcessGroup("up"));
            equal("removeProcessGroup(extra)", sup.removeProcessGroup("extra"), true);
            fault("removeProcessGroup(extra) again", SupervisorFaults.BAD_NAME, () -> sup.removeProcessGroup("extra"));
        });

        check.test("system namespace", () -> {
            final SystemXmlRpc sys = agent.system;
            final List<String> methods = sys.listMethods();
            final List<String> sorted = new ArrayList<>(methods);
            sorted.sort(null);
            equal("listMethods is sorted", methods, sorted);
            checkEveryMethod(methods);
            isTrue("methodHelp(system.multicall)", sys.methodHelp("system.multicall").contains("@param array calls"),
                sys.methodHelp("system.multicall"));
            fault("methodHelp(nosuch.method)", SupervisorFaults.SIGNATURE_UNSUPPORTED, () -> sys.methodHelp("nosuch.method"));
            equal("methodSignature(supervisor.getProcessInfo)", sys.methodSignature("supervisor.getProcessInfo"),
                List.of("struct", "string"));
            fault("methodSignature(nosuch.method)", SupervisorFaults.SIGNATURE_UNSUPPORTED,
                () -> sys.methodSignature("nosuch.method"));
            final Object[] results = sys.multicall(new Object[]{
                SystemXmlRpc.createCall("supervisor.getAPIVersion", null),
                SystemXmlRpc.createCall("supervisor.getProcessInfo", new Object[]{"nosuch"}),
                SystemXmlRpc.createCall("supervisor.getProcessInfo", new Object[]{"up"}),
                SystemXmlRpc.createCall("nosuch.method", null),
            });
            equal("multicall's length", results.length, 4);
            equal("multicall getAPIVersion", results[0], "3.0");
            equal("multicall getProcessInfo(nosuch)", ((Map<?, ?>) results[1]).get("faultCode"), 10);
            equal("multicall getProcessInfo(up)", new SupervisorProcessInfo(struct(results[2])).getState(), ProcessState.RUNNING);
            equal("multicall nosuch.method", ((Map<?, ?>) results[3]).get("faultCode"), 1);
        });

        check.test("errors from a real agent", () -> {
            final XmlRpcFaultException f = fault("getProcessInfo(nosuch)", SupervisorFaults.BAD_NAME, () -> sup.getProcessInfo("nosuch"));
            equal("the fault's message", f.getMessage(), "BAD_NAME (10): nosuch (call supervisor.getProcessInfo on "
                + agent.client.getURL() + ")");
            equal("the fault string", f.getFaultString(), "BAD_NAME: nosuch");
            equal("the method", f.getMethodName(), "supervisor.getProcessInfo");

            final SupervisorXmlRpc wrong = new SupervisorXmlRpc(new SupervisorXmlRpcClient(agent.host, agent.port, agent.user, "wrong"));
            final XmlRpcHttpException e = raises("getState with a wrong password", XmlRpcHttpException.class, wrong::getState);
            equal("its status", e.getStatusCode(), 401);
            equal("its code", e.getCode(), 0);
            equal("its message", e.getMessage(), "call supervisor.getState on " + agent.client.getURL()
                + ": HTTP 401 Unauthorized: the agent refused the user name '" + agent.user + "' or its password");
            final SupervisorXmlRpc anonymous = new SupervisorXmlRpc(new SupervisorXmlRpcClient(agent.host, agent.port));
            final XmlRpcHttpException none = raises("getPID without credentials", XmlRpcHttpException.class, anonymous::getPID);
            isTrue("its message", none.getStatusCode() == 401 && none.getMessage().endsWith(
                "HTTP 401 Unauthorized: the agent wants a user name and password"), none.getMessage());

            for (final String address : new String[]{"", "a/b", "u@h", "a b"}) {
                raises("address '" + address + "'", MalformedURLException.class, () -> new SupervisorXmlRpcClient(address, 60000));
            }
            raises("port 0", MalformedURLException.class, () -> new SupervisorXmlRpcClient("localhost", 0));
            equal("an IPv6 address", new SupervisorXmlRpcClient("::1", 60000).getURL(), "http://[::1]:60000/RPC2");
        });

        check.test("supervisor restart and shutdown", () -> {
            final int before = sup.getProcessInfo("up").getPID();
            equal("restart", sup.restart(), true);
            waitFor("up started again", WAIT, () -> sup.getProcessInfo("up"),
                p -> p.getState() == ProcessState.RUNNING && p.getPID() != before);
            equal("shutdown", sup.shutdown(), true);
        });
    }

    /** Checks every status of results succeeded, for exactly the namespecs want. */
    private static void ok(final String what, final HashMap<String, SupervisorExecutionStatus> results, final String... want) {
        equal(what, new TreeSet<>(results.keySet()), new TreeSet<>(Arrays.asList(want)));
        for (final SupervisorExecutionStatus s : results.values()) {
            isTrue(what + ": " + s.getName(), s.getStatus() == SupervisorFaults.SUCCESS && "OK".equals(s.getDescription()), s);
        }
    }

    /**
     * Checks that every method the agent lists has its public method in
     * SystemXmlRpc, SupervisorXmlRpc or SupvisorsXmlRpc, and that those have
     * no other public method.
     */
    static void checkEveryMethod(final List<String> listed) {
        final Map<String, Class<?>> namespaces = Map.of("system", SystemXmlRpc.class,
            "supervisor", SupervisorXmlRpc.class, "supvisors", SupvisorsXmlRpc.class);
        final TreeSet<String> wanted = new TreeSet<>();
        for (final String m : listed) {
            final String[] parts = m.split("\\.", 2);
            wanted.add(parts[0] + "." + javaName(parts[0], parts[1]));
        }
        final TreeSet<String> declared = new TreeSet<>();
        for (final Map.Entry<String, Class<?>> ns : namespaces.entrySet()) {
            for (final Method m : ns.getValue().getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())) {
                    declared.add(ns.getKey() + "." + m.getName());
                }
            }
        }
        equal("the Java methods against the agent's " + listed.size(), declared, wanted);
    }

    /** The Java name of a wire method: supvisors' get_all_applications_info is getAllApplicationInfo, as upstream. */
    private static String javaName(final String namespace, final String name) {
        if (!"supvisors".equals(namespace)) {
            return name;
        }
        switch (name) {
            case "get_api_version":
                return "getAPIVersion";
            case "get_all_applications_info":
                return "getAllApplicationInfo";
            default:
                final StringBuilder b = new StringBuilder();
                for (final String word : name.split("_")) {
                    b.append(b.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
                }
                return b.toString();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> struct(final Object value) {
        return (Map<String, ?>) value;
    }
}
