package org.supvisors.test;

import static org.supvisors.test.Check.equal;
import static org.supvisors.test.Check.raises;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.supvisors.common.ConciliationStrategy;
import org.supvisors.common.DataConversion;
import org.supvisors.common.ProcessState;
import org.supvisors.common.RunningFailureStrategy;
import org.supvisors.common.StartingFailureStrategy;
import org.supvisors.common.StartingStrategy;
import org.supvisors.common.SupervisorConfigUpdates;
import org.supvisors.common.SupervisorExecutionStatus;
import org.supvisors.common.SupervisorFaults;
import org.supvisors.common.SupervisorLogResult;
import org.supvisors.common.SupervisorProcessInfo;
import org.supvisors.common.SupervisorState;
import org.supvisors.common.SupvisorsAddressInfo;
import org.supvisors.common.SupvisorsApplicationInfo;
import org.supvisors.common.SupvisorsApplicationRules;
import org.supvisors.common.SupvisorsProcessEvent;
import org.supvisors.common.SupvisorsProcessInfo;
import org.supvisors.common.SupvisorsProcessRules;
import org.supvisors.common.SupvisorsStatus;
import org.supvisors.common.SupvisorsStrategies;

/**
 * The value classes on structs made here: extra keys and state names of a
 * newer server, missing keys, keys of the wrong type, upstream's toString
 * formats, the enums' codes and DataConversion.
 */
final class ValueTests {

    private ValueTests() {
    }

    /** Collects the warnings of the value classes' logger. */
    private static final class Warnings extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("org.supvisors.common");
        final List<String> messages = new ArrayList<>();

        private final boolean parents;

        /** Collects the warnings, and keeps them off the console meanwhile. */
        Warnings() {
            parents = logger.getUseParentHandlers();
            logger.setUseParentHandlers(false);
            logger.addHandler(this);
        }

        @Override
        public synchronized void publish(final LogRecord record) {
            if (record.getLevel() == Level.WARNING) {
                messages.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setUseParentHandlers(parents);
        }
    }

    /** A struct of key, value pairs. */
    static Map<String, Object> struct(final Object... kv) {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static void register(final Check check) {
        check.test("values: unknown names of a newer server read as UNKNOWN, with one warning each", () -> {
            try (Warnings w = new Warnings()) {
                final Object extra = struct("nested", new Object[]{1, "x"});
                equal("Supvisors state", new SupvisorsStatus(struct("statecode", 7, "statename", "HIBERNATING",
                    "quorum", true, "future", extra)).getState(), SupvisorsStatus.State.UNKNOWN);
                equal("Supervisor state", new SupervisorState(struct("statecode", 3, "statename", "NAPPING"))
                    .getState(), SupervisorState.State.UNKNOWN);
                equal("address state", new SupvisorsAddressInfo(struct("address_name", "a", "statecode", 9,
                    "statename", "FAR_AWAY", "loading", 0, "sequence_counter", 12)).getState(), SupvisorsAddressInfo.State.UNKNOWN);
                equal("application state", new SupvisorsApplicationInfo(struct("application_name", "a",
                    "statename", "DEGRADED", "statecode", 5, "operational", true)).getState(), SupvisorsApplicationInfo.State.UNKNOWN);
                equal("process state", new SupvisorsProcessInfo(struct("application_name", "a", "process_name", "p",
                    "statename", "SLEEPING", "addresses", new Object[]{}, "identifiers", new Object[]{"x"})).getState(), ProcessState.UNKNOWN);
                equal("Supervisor's process state", new SupervisorProcessInfo(struct("name", "p", "group", "p",
                    "statename", "SLEEPING")).getState(), ProcessState.UNKNOWN);
                final SupvisorsStrategies s = new SupvisorsStrategies(struct("auto-fencing", true, "starting", "RANDOM",
                    "conciliation", "VOTE", "distribution", "ALL"));
                equal("strategies", List.of(s.getStartingStrategy(), s.getConciliationStrategy()),
                    List.of(StartingStrategy.UNKNOWN, ConciliationStrategy.UNKNOWN));
                final SupvisorsApplicationRules r = new SupvisorsApplicationRules(struct("application_name", "a",
                    "starting_failure_strategy", "PANIC", "running_failure_strategy", "PRAY", "managed", true));
                equal("application rules", List.of(r.getStartingFailureStrategy(), r.getRunningFailureStrategy()),
                    List.of(StartingFailureStrategy.UNKNOWN, RunningFailureStrategy.UNKNOWN));
                equal("process code", ProcessState.valueOf(12345), ProcessState.UNKNOWN);
                equal("execution status", new SupervisorExecutionStatus(struct("name", "p", "group", "p",
                    "status", 999, "description", "?")).getStatus(), SupervisorFaults.UNKNOWN);
                equal("the warnings", w.messages, List.of(
                    "unknown SupvisorsStatus.State 'HIBERNATING' read as UNKNOWN (a newer server?)",
                    "unknown SupervisorState.State 'NAPPING' read as UNKNOWN (a newer server?)",
                    "unknown SupvisorsAddressInfo.State 'FAR_AWAY' read as UNKNOWN (a newer server?)",
                    "unknown SupvisorsApplicationInfo.State 'DEGRADED' read as UNKNOWN (a newer server?)",
                    "unknown ProcessState 'SLEEPING' read as UNKNOWN (a newer server?)",
                    "unknown StartingStrategy 'RANDOM' read as UNKNOWN (a newer server?)",
                    "unknown ConciliationStrategy 'VOTE' read as UNKNOWN (a newer server?)",
                    "unknown StartingFailureStrategy 'PANIC' read as UNKNOWN (a newer server?)",
                    "unknown RunningFailureStrategy 'PRAY' read as UNKNOWN (a newer server?)",
                    "unknown ProcessState code 12345 read as UNKNOWN (a newer server?)",
                    "unknown status code 999 read as UNKNOWN (a newer server?)"));
                // A list of 1,000 processes in a new state warns once, not 1,000 times.
                w.messages.clear();
                new SupvisorsStatus(struct("statename", "HIBERNATING"));
                equal("the warnings of a name seen before", w.messages, List.of());
                equal("a known state", new SupvisorsStatus(struct("statename", "SHUTTING_DOWN")).getState(),
                    SupvisorsStatus.State.SHUTTING_DOWN);
            }
        });

        check.test("values: missing keys read as null, lists as empty", () -> {
            try (Warnings w = new Warnings()) {
                missingKeys(w);
            }
        });

        check.test("values: keys of the wrong type are clear errors", () -> {
            equal("a statename int", raises("statename 3", IllegalArgumentException.class,
                () -> new SupvisorsStatus(struct("statename", 3))).getMessage(), "'statename' is an int (3), want a string");
            equal("a loading string", raises("loading", IllegalArgumentException.class,
                () -> new SupvisorsAddressInfo(struct("statename", "RUNNING", "loading", "high"))).getMessage(),
                "'loading' is a string (\"high\"), want an int");
            equal("an i8 time that fits an int", new SupvisorsAddressInfo(struct("statename", "RUNNING", "local_time", 1700000000L)).getLocalTime(),
                1700000000);
            equal("an i8 time that does not", raises("i8", IllegalArgumentException.class,
                () -> new SupvisorsAddressInfo(struct("statename", "RUNNING", "local_time", 1L << 40))).getMessage(),
                "'local_time' is an i8 (1099511627776), want an int");
            equal("an address that is not a string", raises("addresses", IllegalArgumentException.class,
                () -> new SupvisorsProcessInfo(struct("addresses", new Object[]{"a", 2}))).getMessage(),
                "'an element of addresses' is an int (2), want a string");
            equal("a short log result", raises("tail", IllegalArgumentException.class,
                () -> new SupervisorLogResult(new Object[]{"x"})).getMessage(), "element 1 is missing (1 elements)");
            equal("reloadConfig of another shape", raises("reload", IllegalArgumentException.class,
                () -> new SupervisorConfigUpdates(new Object[]{"x"})).getMessage(), "'element 0' is a string (\"x\"), want an array");
        });

        check.test("values: upstream's toString formats", () -> {
            equal("SupvisorsStatus", new SupvisorsStatus(struct("statename", "OPERATION")).toString(),
                "SupvisorsState(state=OPERATION)");
            equal("SupvisorsAddressInfo", new SupvisorsAddressInfo(struct("address_name", "10.0.0.1", "statename", "ISOLATING",
                "remote_time", 10, "local_time", 11, "loading", 12)).toString(),
                "SupvisorsAddressInfo(name=10.0.0.1 state=ISOLATING remoteTime=10 localTime=11 loading=12)");
            equal("SupvisorsProcessEvent", new SupvisorsProcessEvent(struct("group", "g", "name", "p", "state", 20,
                "expected", true, "now", 5, "pid", 42, "extra_args", "-x", "spawnerr", "")).toString(),
                "SupvisorsProcessEvent(namespec=g:p group=g name=p state=RUNNING expected=true now=5 pid=42 address=null extraArgs=\"-x\")");
            equal("SupervisorConfigUpdates", new SupervisorConfigUpdates(new Object[]{new Object[]{new Object[]{"a"},
                new Object[]{}, new Object[]{"b", "c"}}}).toString(), "SupervisorConfigUpdates(added=[a] changed=[] removed=[b, c])");
            equal("SupervisorLogResult", new SupervisorLogResult(new Object[]{"xy", 2, false}).toString(),
                "SupervisorLogResult(offset=2 overflow=false bytes=xy)");
            equal("SupvisorsProcessRules' loading, read from the spec's key",
                new SupvisorsProcessRules(struct("loading", 7)).getExpectedLoading(), 7);
        });

        check.test("values: the enums' codes", () -> {
            equal("Supvisors states", codes(SupvisorsStatus.State.values()),
                "INITIALIZATION=0 DEPLOYMENT=1 OPERATION=2 CONCILIATION=3 RESTARTING=4 SHUTTING_DOWN=5 SHUTDOWN=6 UNKNOWN=-1");
            equal("address states", codes(SupvisorsAddressInfo.State.values()),
                "UNKNOWN=0 CHECKING=1 RUNNING=2 SILENT=3 ISOLATING=4 ISOLATED=5");
            equal("application states", codes(SupvisorsApplicationInfo.State.values()),
                "UNKNOWN=0 STOPPED=1 STARTING=2 STOPPING=3 RUNNING=4");
            equal("process states", codes(ProcessState.values()),
                "STOPPED=0 STARTING=10 RUNNING=20 BACKOFF=30 STOPPING=40 EXITED=100 FATAL=200 UNKNOWN=1000");
            equal("starting strategies", codes(StartingStrategy.values()),
                "CONFIG=0 LESS_LOADED=1 MOST_LOADED=2 LOCAL=3 LESS_LOADED_NODE=4 MOST_LOADED_NODE=5 UNKNOWN=-1");
            equal("conciliation strategies", codes(ConciliationStrategy.values()),
                "SENICIDE=0 INFANTICIDE=1 USER=2 STOP=3 RESTART=4 RUNNING_FAILURE=5 UNKNOWN=-1");
            equal("a Supvisors fault", SupervisorFaults.getFault(103), SupervisorFaults.BAD_STRATEGY);
            equal("an unknown fault", SupervisorFaults.getFault(999), SupervisorFaults.UNKNOWN);
            equal("process state 200", ProcessState.valueOf(200), ProcessState.FATAL);
        });

        check.test("values: DataConversion", () -> {
            equal("p", Arrays.asList(DataConversion.namespecToStrings("p")), Arrays.asList("p", "p"));
            equal("g:p", Arrays.asList(DataConversion.namespecToStrings("g:p")), Arrays.asList("g", "p"));
            equal("g:*", Arrays.asList(DataConversion.namespecToStrings("g:*")), Arrays.asList("g", null));
            raises("a:b:c", IllegalArgumentException.class, () -> DataConversion.namespecToStrings("a:b:c"));
            equal("to p", DataConversion.stringsToNamespec("p", "p"), "p");
            equal("to g:p", DataConversion.stringsToNamespec("g", "p"), "g:p");
            equal("to g:*", DataConversion.stringsToNamespec("g", null), "g:*");
            final HashMap<String, SupvisorsApplicationInfo> apps = DataConversion.arrayToMap(new Object[]{
                struct("application_name", "z", "statename", "RUNNING"), struct("application_name", "a", "statename", "STOPPED")},
                SupvisorsApplicationInfo.class);
            equal("arrayToMap keeps the server's order", new ArrayList<>(apps.keySet()), List.of("z", "a"));
            equal("arrayToMap's values", apps.get("a").getState(), SupvisorsApplicationInfo.State.STOPPED);
            equal("arrayToMap of a non-struct", raises("arrayToMap", IllegalArgumentException.class,
                () -> DataConversion.arrayToMap(new Object[]{"x"}, SupvisorsApplicationInfo.class)).getMessage(),
                "element 0 is a string (\"x\"), want a struct");
            equal("arrayToStringList", DataConversion.arrayToStringList(new Object[]{"a", "b"}), List.of("a", "b"));
        });
    }

    /** Values of empty structs: nulls, empty lists, UNKNOWN states, with a warning for each missing state. */
    private static void missingKeys(final Warnings w) {
        final SupvisorsProcessInfo p = new SupvisorsProcessInfo(struct());
        equal("missing addresses", p.getAddresses(), List.of());
        equal("toString", p.toString(), "SupvisorsProcessInfo(namespec=null applicationName=null processName=null"
            + " state=UNKNOWN expectedExitStatus=null lastEventTime=null addresses=[] extraArgs=null)");
        equal("rules", new SupvisorsProcessRules(struct()).toString(), "SupvisorsProcessrules(namespec=null"
            + " addresses=[] startSequence=null stopSequence=null required=null waitExit=null expectedLoading=null"
            + " runningFailureStrategy=UNKNOWN)");
        equal("a process event", new SupvisorsProcessEvent(struct()).getState(), ProcessState.UNKNOWN);
        equal("the warnings", w.messages, List.of("missing ProcessState read as UNKNOWN",
            "missing RunningFailureStrategy read as UNKNOWN"));
    }

    /** "NAME=code ..." of an enum's constants. */
    private static String codes(final Enum<?>[] values) throws Exception {
        final StringBuilder b = new StringBuilder();
        for (final Enum<?> v : values) {
            b.append(b.length() == 0 ? "" : " ").append(v.name()).append('=')
                .append(v.getClass().getMethod("getValue").invoke(v));
        }
        return b.toString();
    }
}
