package org.supvisors.test;

import static org.supvisors.test.Check.equal;
import static org.supvisors.test.Check.fault;
import static org.supvisors.test.Check.isTrue;
import static org.supvisors.test.Check.matches;
import static org.supvisors.test.Check.raises;
import static org.supvisors.test.Check.waitFor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.supvisors.common.ConciliationStrategy;
import org.supvisors.common.ProcessState;
import org.supvisors.common.RunningFailureStrategy;
import org.supvisors.common.StartingStrategy;
import org.supvisors.common.SupervisorFaults;
import org.supvisors.common.SupvisorsAddressInfo;
import org.supvisors.common.SupvisorsApplicationInfo;
import org.supvisors.common.SupvisorsHostStatistics;
import org.supvisors.common.SupvisorsPlannedStart;
import org.supvisors.common.SupvisorsProcessInfo;
import org.supvisors.common.SupvisorsProcessRules;
import org.supvisors.common.SupvisorsProcessStatistics;
import org.supvisors.common.SupvisorsStatus;
import org.supvisors.common.SupvisorsStrategies;
import org.supvisors.rpc.SupvisorsXmlRpc;

/**
 * Every method of the supvisors namespace against a 3-node cluster
 * (127.0.0.1 to 127.0.0.3, settings 1.host... to 3.host...) whose rules put
 * app:srv (loading 20) on 127.0.0.2 and app:wrk (loading 10) anywhere, and
 * leave man:tool (loading 5), conf and echo to be started by hand.
 */
final class SupvisorsTests {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private SupvisorsTests() {
    }

    static void register(final Check check, final Map<String, String> settings) throws Exception {
        final Agent n1 = new Agent(settings, "1.");
        final Agent n2 = new Agent(settings, "2.");
        final Agent n3 = new Agent(settings, "3.");
        final List<Agent> nodes = List.of(n1, n2, n3);
        final SupvisorsXmlRpc sv = n1.supvisors;

        check.test("supvisors status", () -> {
            for (final Agent n : nodes) {
                waitState(n, SupvisorsStatus.State.OPERATION);
            }
            equal("get_api_version", sv.getAPIVersion(), "0.1");
            equal("get_supvisors_state", sv.getSupvisorsState().toString(), "SupvisorsState(state=OPERATION)");
            for (final Agent n : nodes) {
                equal("get_master_address on " + n.host, n.supvisors.getMasterAddress(), "127.0.0.1");
            }
            final SupvisorsStrategies strategies = sv.getStrategies();
            equal("get_strategies", List.of(strategies.isAutoFencing(), strategies.getStartingStrategy(),
                strategies.getConciliationStrategy()), List.of(false, StartingStrategy.CONFIG, ConciliationStrategy.USER));
            equal("get_strategies' toString", strategies.toString(),
                "SupvisorsApplicationRules(autoFencing=false startingStrategy=CONFIG conciliationStrategy=USER)");
        });

        check.test("supvisors addresses", () -> {
            final SupvisorsAddressInfo a = waitFor("127.0.0.2's load", WAIT, () -> sv.getAddressInfo("127.0.0.2"),
                i -> i.getLoading() == 20);
            equal("127.0.0.2's state", a.getState(), SupvisorsAddressInfo.State.RUNNING);
            final long now = System.currentTimeMillis() / 1000;
            isTrue("127.0.0.2's times", Math.abs(now - a.getLocalTime()) < 60 && Math.abs(now - a.getRemoteTime()) < 60, a);
            matches("127.0.0.2's toString", a.toString(),
                "SupvisorsAddressInfo\\(name=127\\.0\\.0\\.2 state=RUNNING remoteTime=\\d+ localTime=\\d+ loading=20\\)");
            fault("get_address_info(10.9.9.9)", SupervisorFaults.BAD_ADDRESS, () -> sv.getAddressInfo("10.9.9.9"));
            final HashMap<String, SupvisorsAddressInfo> all = sv.getAllAddressesInfo();
            equal("get_all_addresses_info, in address_list's order", new ArrayList<>(all.keySet()),
                List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"));
            for (final SupvisorsAddressInfo i : all.values()) {
                equal(i.getName() + "'s state", i.getState(), SupvisorsAddressInfo.State.RUNNING);
            }
            fault("readmit_address(127.0.0.2), not fenced", SupervisorFaults.BAD_ADDRESS, () -> sv.readmitAddress("127.0.0.2"));
        });

        check.test("supvisors statistics", () -> {
            // app:srv runs on 127.0.0.2, which measures it: 127.0.0.1 asks it.
            final List<SupvisorsProcessStatistics> srv = waitFor("app:srv's statistics", WAIT,
                () -> sv.getProcessStatistics("app:srv", 10), l -> l.size() == 1 && !l.get(0).getHistory().getTime().isEmpty());
            final SupvisorsProcessStatistics p = srv.get(0);
            equal("app:srv's statistics", List.of(p.getNamespec(), p.getAddressName(), p.getPeriod()),
                List.of("app:srv", "127.0.0.2", 10));
            isTrue("app:srv's figures", p.getPid() > 0 && p.getCpu() >= 0 && p.getMem() > 0
                && p.getHistory().getCpu().size() == p.getHistory().getTime().size(), p);
            final SupvisorsHostStatistics h = sv.getHostStatistics("127.0.0.2", 10);
            isTrue("127.0.0.2's statistics", "127.0.0.2".equals(h.getAddressName()) && h.getCpu().size() >= 2
                && h.getMem() > 0 && h.getIo().containsKey("lo") && h.getIo().get("lo").size() == 2, h);
            fault("get_host_statistics(period 60)", SupervisorFaults.BAD_ARGUMENTS, () -> sv.getHostStatistics("127.0.0.2", 60));
            fault("get_process_statistics(nosuch)", SupervisorFaults.BAD_NAME, () -> sv.getProcessStatistics("nosuch", 10));
        });

        check.test("supvisors applications and processes", () -> {
            final SupvisorsApplicationInfo app = sv.getApplicationInfo("app");
            equal("get_application_info(app)", app.toString(),
                "SupvisorsApplicationInfo(name=app state=RUNNING majorFailure=false minorFailure=false)");
            fault("get_application_info(nosuch)", SupervisorFaults.BAD_NAME, () -> sv.getApplicationInfo("nosuch"));
            final Map<String, String> apps = new java.util.TreeMap<>();
            for (final SupvisorsApplicationInfo i : sv.getAllApplicationInfo().values()) {
                apps.put(i.getName(), i.getState().name());
            }
            equal("get_all_applications_info", apps,
                Map.of("app", "RUNNING", "conf", "STOPPED", "echo", "STOPPED", "man", "STOPPED"));

            final HashMap<String, SupvisorsProcessInfo> srv = sv.getProcessInfo("app:srv");
            equal("get_process_info(app:srv)", new ArrayList<>(srv.keySet()), List.of("app:srv"));
            matches("app:srv's toString", srv.get("app:srv").toString(), "SupvisorsProcessInfo\\(namespec=app:srv"
                + " applicationName=app processName=srv state=RUNNING expectedExitStatus=(true|false)"
                + " lastEventTime=[1-9]\\d* addresses=\\[127\\.0\\.0\\.2\\] extraArgs=null\\)");
            equal("get_process_info(app:*)", where(sv.getProcessInfo("app:*")),
                Map.of("app:srv", List.of("127.0.0.2"), "app:wrk", List.of("127.0.0.1")));
            fault("get_process_info(app:nosuch)", SupervisorFaults.BAD_NAME, () -> sv.getProcessInfo("app:nosuch"));
            final Map<String, String> all = new java.util.TreeMap<>();
            for (final SupvisorsProcessInfo p : sv.getAllProcessInfo().values()) {
                all.put(p.getName(), p.getState().name());
            }
            equal("get_all_process_info", all, Map.of("app:srv", "RUNNING", "app:wrk", "RUNNING", "conf", "STOPPED",
                "echo", "STOPPED", "man:tool", "STOPPED"));
            equal("get_conflicts", sv.getConflicts().size(), 0);

            equal("get_application_rules(app)", sv.getApplicationRules("app").toString(),
                "SupvisorsApplicationRules(applicationName=app startSequence=1 stopSequence=2"
                + " startingFailureStrategy=CONTINUE runningFailureStrategy=RESTART_APPLICATION)");
            fault("get_application_rules(nosuch)", SupervisorFaults.BAD_NAME, () -> sv.getApplicationRules("nosuch"));
            final HashMap<String, SupvisorsProcessRules> rules = sv.getProcessRules("app:*");
            equal("get_process_rules(app:*)", new ArrayList<>(rules.keySet()), List.of("app:srv", "app:wrk"));
            matches("app:srv's rules", rules.get("app:srv").toString(), "SupvisorsProcessrules\\(namespec=app:srv"
                + " addresses=\\[127\\.0\\.0\\.2\\] startSequence=1 stopSequence=\\d+ required=true waitExit=false"
                + " expectedLoading=20 runningFailureStrategy=RESTART_APPLICATION\\)");
            final SupvisorsProcessRules wrk = rules.get("app:wrk");
            equal("app:wrk's rules", List.of(wrk.getStartSequence(), wrk.isRequired(), wrk.getExpectedLoading(),
                wrk.getRunningFailureStrategy()), List.of(2, false, 10, RunningFailureStrategy.RESTART_PROCESS));
            fault("get_process_rules(nosuch)", SupervisorFaults.BAD_NAME, () -> sv.getProcessRules("nosuch"));

            // Supvisors 0.2's local process info: the processes of the node asked.
            equal("get_all_local_process_info", new ArrayList<>(sv.getAllLocalProcessInfo().keySet()),
                new ArrayList<>(n1.supervisor.getAllProcessInfo().keySet()));
            matches("get_local_process_info(app:srv) on 127.0.0.2", n2.supvisors.getLocalProcessInfo("app:srv").toString(),
                "SupvisorsProcessEvent\\(namespec=app:srv group=app name=srv state=RUNNING expected=false now=\\d+ pid=[1-9]\\d*"
                + " address=null extraArgs=\"\"\\)");
            fault("get_local_process_info(nosuch)", SupervisorFaults.BAD_NAME, () -> sv.getLocalProcessInfo("nosuch"));
        });

        check.test("supvisors process control", () -> {
            // Loads 10, 20 and 0: LESS_LOADED picks 127.0.0.3.
            equal("start_process(LESS_LOADED, man:tool)", sv.startProcess(StartingStrategy.LESS_LOADED, "man:tool", null, true), true);
            equal("man:tool's address", where(sv.getProcessInfo("man:tool")), Map.of("man:tool", List.of("127.0.0.3")));
            fault("start_process(man:tool) again", SupervisorFaults.ALREADY_STARTED,
                () -> sv.startProcess(StartingStrategy.CONFIG, "man:tool", "", true));
            fault("start_process(man:nosuch)", SupervisorFaults.BAD_NAME,
                () -> sv.startProcess(StartingStrategy.CONFIG, "man:nosuch", null, true));
            raises("start_process(UNKNOWN)", IllegalArgumentException.class,
                () -> sv.startProcess(StartingStrategy.UNKNOWN, "man:tool", null, true));
            // Stopped, then started where MOST_LOADED says: 127.0.0.2 (20 > 10 > 0).
            equal("restart_process(MOST_LOADED, man:tool)", sv.restartProcess(StartingStrategy.MOST_LOADED, "man:tool", true), true);
            waitFor("man:tool on 127.0.0.2", WAIT, () -> where(sv.getProcessInfo("man:tool")),
                w -> w.get("man:tool").equals(List.of("127.0.0.2")));
            fault("restart_process(nosuch)", SupervisorFaults.BAD_NAME,
                () -> sv.restartProcess(StartingStrategy.CONFIG, "nosuch", null, true));
            fault("restart_process with extra arguments", SupervisorFaults.INCORRECT_PARAMETERS,
                () -> sv.restartProcess(StartingStrategy.CONFIG, "man:tool", "-x", true));
            // From a node that is not the master: forwarded.
            equal("stop_process(man:tool) on 127.0.0.3", n3.supvisors.stopProcess("man:tool", true), true);
            fault("stop_process(man:tool) again", SupervisorFaults.NOT_RUNNING, () -> sv.stopProcess("man:tool", true));
            fault("stop_process(nosuch:*)", SupervisorFaults.BAD_NAME, () -> sv.stopProcess("nosuch:*", true));
            // LOCAL: the node asked.
            equal("start_process(LOCAL, man:tool) on 127.0.0.3",
                n3.supvisors.startProcess(StartingStrategy.LOCAL, "man:tool", null, true), true);
            waitFor("man:tool on 127.0.0.3", WAIT, () -> where(sv.getProcessInfo("man:tool")),
                w -> w.get("man:tool").equals(List.of("127.0.0.3")));
            equal("stop_process(man:tool)", sv.stopProcess("man:tool", true), true);

            // start_args runs on the node asked, with the extra arguments on
            // the command line ($0 and $1 of sh -c).
            equal("start_args(echo) on 127.0.0.2", n2.supvisors.startArgs("echo", "hello world", true), true);
            waitFor("echo's output", WAIT, () -> n2.supervisor.readProcessStdoutLog("echo", 0, 0), "hello world\n"::equals);
            waitFor("echo on 127.0.0.2", WAIT, () -> where(sv.getProcessInfo("echo")),
                w -> w.get("echo").equals(List.of("127.0.0.2")));
            fault("start_args(app:wrk, x)", SupervisorFaults.BAD_EXTRA_ARGUMENTS, () -> sv.startArgs("app:wrk", "x", true));
            fault("start_args(nosuch)", SupervisorFaults.BAD_NAME, () -> sv.startArgs("nosuch", null, true));
            equal("stop_process(echo)", sv.stopProcess("echo", true), true);
        });

        check.test("supvisors dry runs and start_any_process", () -> {
            // Loads 10, 20 and 0: LESS_LOADED would put man:tool on 127.0.0.3, and does.
            final HashMap<String, SupvisorsPlannedStart> plan = sv.testStartProcess(StartingStrategy.LESS_LOADED, "man:*");
            equal("test_start_process(LESS_LOADED, man:*)", plan.toString(),
                "{man:tool=SupvisorsPlannedStart(namespec=man:tool startSequence=0 address=127.0.0.3 loading=5)}");
            equal("test_start_application(CONFIG, man)", sv.testStartApplication(StartingStrategy.CONFIG, "man").size(), 0);
            fault("test_start_application(app), running", SupervisorFaults.ALREADY_STARTED,
                () -> sv.testStartApplication(StartingStrategy.CONFIG, "app"));
            equal("start_any_process(LESS_LOADED, ^man:)", sv.startAnyProcess(StartingStrategy.LESS_LOADED, "^man:", null, true), "man:tool");
            equal("man:tool's address", where(sv.getProcessInfo("man:tool")), Map.of("man:tool", List.of("127.0.0.3")));
            fault("start_any_process(^man:) again", SupervisorFaults.FAILED,
                () -> sv.startAnyProcess(StartingStrategy.CONFIG, "^man:", "", true));
            fault("start_any_process(^nosuch)", SupervisorFaults.BAD_NAME,
                () -> sv.startAnyProcess(StartingStrategy.CONFIG, "^nosuch", "", true));
            equal("stop_process(man:tool)", sv.stopProcess("man:tool", true), true);
        });

        check.test("supvisors application control", () -> {
            fault("start_application(app), running", SupervisorFaults.ALREADY_STARTED,
                () -> sv.startApplication(StartingStrategy.CONFIG, "app", true));
            fault("start_application(nosuch)", SupervisorFaults.BAD_NAME,
                () -> sv.startApplication(StartingStrategy.CONFIG, "nosuch", true));
            raises("start_application(null)", IllegalArgumentException.class, () -> sv.startApplication(null, "man", true));
            // man:tool has start_sequence 0: nothing to start.
            equal("start_application(man)", sv.startApplication(StartingStrategy.LESS_LOADED, "man", true), false);
            fault("stop_application(man), stopped", SupervisorFaults.NOT_RUNNING, () -> sv.stopApplication("man", true));
            fault("stop_application(nosuch)", SupervisorFaults.BAD_NAME, () -> sv.stopApplication("nosuch", true));

            equal("stop_application(app)", sv.stopApplication("app", true), true);
            equal("app after stop_application", sv.getApplicationInfo("app").getState(), SupvisorsApplicationInfo.State.STOPPED);
            waitFor("app stopped on 127.0.0.2", WAIT, () -> n2.supvisors.getApplicationInfo("app").getState(),
                SupvisorsApplicationInfo.State.STOPPED::equals);
            // Forwarded from 127.0.0.2.
            equal("start_application(app) on 127.0.0.2", n2.supvisors.startApplication(StartingStrategy.CONFIG, "app", true), true);
            equal("app after start_application", sv.getApplicationInfo("app").getState(), SupvisorsApplicationInfo.State.RUNNING);
            final int before = n2.supervisor.getProcessInfo("app:srv").getPID();
            equal("restart_application(app)", sv.restartApplication(StartingStrategy.CONFIG, "app", true), true);
            final int after = n2.supervisor.getProcessInfo("app:srv").getPID();
            isTrue("app:srv restarted", after != before && after > 0, before + " then " + after);
            fault("restart_application(nosuch)", SupervisorFaults.BAD_NAME,
                () -> sv.restartApplication(StartingStrategy.CONFIG, "nosuch", true));
        });

        check.test("supvisors operations", () -> {
            equal("disable(tool)", sv.disable("tool", true), true);
            fault("start_process(man:tool), disabled", SupervisorFaults.DISABLED,
                () -> sv.startProcess(StartingStrategy.CONFIG, "man:tool", null, true));
            equal("enable(tool)", sv.enable("tool", true), true);
            fault("disable(nosuch)", SupervisorFaults.BAD_NAME, () -> sv.disable("nosuch", true));
            fault("update_numprocs(wrk), not homogeneous", SupervisorFaults.BAD_ARGUMENTS, () -> sv.updateNumprocs("wrk", 2, true));
            final int before = n2.supervisor.getProcessInfo("app:srv").getPID();
            equal("rolling_restart(app)", sv.rollingRestart("app", true), true);
            final int after = n2.supervisor.getProcessInfo("app:srv").getPID();
            isTrue("app:srv restarted", after != before && after > 0, before + " then " + after);
            fault("rolling_restart(man), stopped", SupervisorFaults.NOT_RUNNING, () -> sv.rollingRestart("man", true));
        });

        check.test("supvisors conciliation", () -> {
            // conf started by hand on two nodes: a conflict.
            equal("startProcess(conf) on 127.0.0.1", n1.supervisor.startProcess("conf", true), true);
            equal("startProcess(conf) on 127.0.0.2", n2.supervisor.startProcess("conf", true), true);
            for (final Agent n : nodes) {
                waitState(n, SupvisorsStatus.State.CONCILIATION);
            }
            equal("get_conflicts on 127.0.0.2", where(n2.supvisors.getConflicts()),
                Map.of("conf", List.of("127.0.0.1", "127.0.0.2")));
            fault("start_application in CONCILIATION", SupervisorFaults.BAD_SUPVISORS_STATE,
                () -> sv.startApplication(StartingStrategy.CONFIG, "man", true));
            raises("conciliate(UNKNOWN)", IllegalArgumentException.class, () -> sv.conciliate(ConciliationStrategy.UNKNOWN));
            equal("conciliate(USER)", sv.conciliate(ConciliationStrategy.USER), false);
            // From a node that is not the master: forwarded.
            equal("conciliate(SENICIDE) on 127.0.0.2", n2.supvisors.conciliate(ConciliationStrategy.SENICIDE), true);
            for (final Agent n : nodes) {
                waitState(n, SupvisorsStatus.State.OPERATION);
            }
            equal("conf's addresses after conciliate", sv.getProcessInfo("conf").get("conf").getAddresses().size(), 1);
            fault("conciliate in OPERATION", SupervisorFaults.BAD_SUPVISORS_STATE, () -> sv.conciliate(ConciliationStrategy.STOP));
        });

        check.test("supvisors restart and shutdown", () -> {
            final int before = n2.supervisor.getProcessInfo("app:srv").getPID();
            equal("restart", sv.restart(), true);
            // The agents restart in their processes and deploy app again.
            waitFor("app:srv started again", WAIT, () -> n2.supervisor.getProcessInfo("app:srv"),
                p -> p.getState() == ProcessState.RUNNING && p.getPID() != before);
            for (final Agent n : nodes) {
                waitState(n, SupvisorsStatus.State.OPERATION);
            }
            equal("shutdown", sv.shutdown(), true);
        });
    }

    /** Waits until n reports Supvisors in state want. */
    private static void waitState(final Agent n, final SupvisorsStatus.State want) throws Exception {
        waitFor(n.host + " in " + want, WAIT, () -> n.supvisors.getSupvisorsState().getState(), want::equals);
    }

    /** The addresses of each process of infos. */
    private static Map<String, List<String>> where(final HashMap<String, SupvisorsProcessInfo> infos) {
        final Map<String, List<String>> out = new java.util.TreeMap<>();
        for (final SupvisorsProcessInfo p : infos.values()) {
            out.put(p.getName(), p.getAddresses());
        }
        return out;
    }
}
