package org.supvisors.rpc;

import java.util.HashMap;
import java.util.List;
import org.supvisors.common.ConciliationStrategy;
import org.supvisors.common.DataConversion;
import org.supvisors.common.StartingStrategy;
import org.supvisors.common.SupvisorsAddressInfo;
import org.supvisors.common.SupvisorsApplicationInfo;
import org.supvisors.common.SupvisorsApplicationRules;
import org.supvisors.common.SupvisorsHostStatistics;
import org.supvisors.common.SupvisorsPlannedStart;
import org.supvisors.common.SupvisorsProcessEvent;
import org.supvisors.common.SupvisorsProcessInfo;
import org.supvisors.common.SupvisorsProcessRules;
import org.supvisors.common.SupvisorsProcessStatistics;
import org.supvisors.common.SupvisorsStatus;
import org.supvisors.common.SupvisorsStrategies;

/**
 * The supvisors namespace: the whole cluster, from any of its agents.
 * Every method throws {@link XmlRpcException} when its call fails: a fault
 * of the agent (BAD_SUPVISORS_STATE, BAD_NAME, BAD_STRATEGY...) is an
 * {@link XmlRpcFaultException} carrying its code.
 */
public class SupvisorsXmlRpc {
    private static final String NAMESPACE = "supvisors.";

    private final SupervisorXmlRpcClient client;

    /**
     * The supvisors namespace of client's agent.
     *
     * @param client the connection
     */
    public SupvisorsXmlRpc(final SupervisorXmlRpcClient client) {
        this.client = client;
    }

    /**
     * The version of the Supvisors API.
     *
     * @return the version
     * @throws XmlRpcException if the call fails
     */
    public String getAPIVersion() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "get_api_version", null, String.class);
    }

    /**
     * The state of Supvisors.
     *
     * @return the state
     * @throws XmlRpcException if the call fails
     */
    public SupvisorsStatus getSupvisorsState() throws XmlRpcException {
        return client.structCall(NAMESPACE + "get_supvisors_state", null, SupvisorsStatus::new);
    }

    /**
     * The address of the master.
     *
     * @return the address
     * @throws XmlRpcException if the call fails
     */
    public String getMasterAddress() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "get_master_address", null, String.class);
    }

    /**
     * The strategies the cluster applies.
     *
     * @return the strategies
     * @throws XmlRpcException if the call fails
     */
    public SupvisorsStrategies getStrategies() throws XmlRpcException {
        return client.structCall(NAMESPACE + "get_strategies", null, SupvisorsStrategies::new);
    }

    /**
     * Every address of the cluster.
     *
     * @return the addresses, keyed by name, in address_list's order
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupvisorsAddressInfo> getAllAddressesInfo() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "get_all_addresses_info", null, Object[].class,
            array -> DataConversion.arrayToMap(array, SupvisorsAddressInfo::new));
    }

    /**
     * An address of the cluster.
     *
     * @param addressName the address
     * @return the address
     * @throws XmlRpcException if the call fails (BAD_ADDRESS for an unknown address)
     */
    public SupvisorsAddressInfo getAddressInfo(final String addressName) throws XmlRpcException {
        return client.structCall(NAMESPACE + "get_address_info", new Object[]{addressName},
            SupvisorsAddressInfo::new);
    }

    /**
     * Lets a fenced (ISOLATED) address join the cluster again.
     *
     * @param addressName the address
     * @return true
     * @throws XmlRpcException if the call fails (BAD_ADDRESS for an address that is not fenced)
     */
    public Boolean readmitAddress(final String addressName) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "readmit_address", new Object[]{addressName}, Boolean.class);
    }

    /**
     * Every application.
     *
     * @return the applications, keyed by name
     * @throws XmlRpcException if the call fails (BAD_SUPVISORS_STATE in INITIALIZATION)
     */
    public HashMap<String, SupvisorsApplicationInfo> getAllApplicationInfo() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "get_all_applications_info", null, Object[].class,
            array -> DataConversion.arrayToMap(array, SupvisorsApplicationInfo::new));
    }

    /**
     * An application.
     *
     * @param applicationName the application
     * @return the application
     * @throws XmlRpcException if the call fails (BAD_NAME for an unknown application)
     */
    public SupvisorsApplicationInfo getApplicationInfo(final String applicationName) throws XmlRpcException {
        return client.structCall(NAMESPACE + "get_application_info", new Object[]{applicationName},
            SupvisorsApplicationInfo::new);
    }

    /**
     * Every process of the cluster.
     *
     * @return the processes, keyed by namespec
     * @throws XmlRpcException if the call fails (BAD_SUPVISORS_STATE in INITIALIZATION)
     */
    public HashMap<String, SupvisorsProcessInfo> getAllProcessInfo() throws XmlRpcException {
        return processes("get_all_process_info", null);
    }

    /**
     * A process, or the processes of an application.
     *
     * @param namespec the process (name, group:name) or group:*
     * @return the processes, keyed by namespec
     * @throws XmlRpcException if the call fails (BAD_NAME for an unknown namespec)
     */
    public HashMap<String, SupvisorsProcessInfo> getProcessInfo(final String namespec) throws XmlRpcException {
        return processes("get_process_info", new Object[]{namespec});
    }

    /**
     * Every process of the agent's node, with its extra arguments (get_all_local_process_info, Supvisors 0.2).
     *
     * @return the processes, keyed by namespec
     * @throws XmlRpcException if the call fails (UNKNOWN_METHOD from a server without it)
     */
    public HashMap<String, SupvisorsProcessEvent> getAllLocalProcessInfo() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "get_all_local_process_info", null, Object[].class,
            array -> DataConversion.arrayToMap(array, SupvisorsProcessEvent::new));
    }

    /**
     * A process of the agent's node, with its extra arguments (get_local_process_info, Supvisors 0.2).
     *
     * @param namespec the process
     * @return the process
     * @throws XmlRpcException if the call fails (UNKNOWN_METHOD from a server without it)
     */
    public SupvisorsProcessEvent getLocalProcessInfo(final String namespec) throws XmlRpcException {
        return client.structCall(NAMESPACE + "get_local_process_info", new Object[]{namespec},
            SupvisorsProcessEvent::new);
    }

    /**
     * The rules of an application.
     *
     * @param applicationName the application
     * @return the rules
     * @throws XmlRpcException if the call fails (BAD_NAME for an unknown application)
     */
    public SupvisorsApplicationRules getApplicationRules(final String applicationName) throws XmlRpcException {
        return client.structCall(NAMESPACE + "get_application_rules", new Object[]{applicationName},
            SupvisorsApplicationRules::new);
    }

    /**
     * The rules of a process, or of the processes of an application.
     *
     * @param namespec the process (name, group:name) or group:*
     * @return the rules, keyed by namespec
     * @throws XmlRpcException if the call fails (BAD_NAME for an unknown namespec)
     */
    public HashMap<String, SupvisorsProcessRules> getProcessRules(final String namespec) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "get_process_rules", new Object[]{namespec}, Object[].class,
            array -> DataConversion.arrayToMap(array, SupvisorsProcessRules::new));
    }

    /**
     * The processes running on more than one address.
     *
     * @return the processes, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupvisorsProcessInfo> getConflicts() throws XmlRpcException {
        return processes("get_conflicts", null);
    }

    /**
     * The statistics of a RUNNING address over one of its periods.
     *
     * @param addressName the address
     * @param period the period, in seconds: one of stats_periods
     * @return the statistics
     * @throws XmlRpcException if the call fails (BAD_ADDRESS, BAD_ARGUMENTS for a period not configured)
     */
    public SupvisorsHostStatistics getHostStatistics(final String addressName, final int period)
            throws XmlRpcException {
        return client.structCall(NAMESPACE + "get_host_statistics", new Object[]{addressName, period},
            SupvisorsHostStatistics::new);
    }

    /**
     * The statistics of every running copy of a process, or of the processes of an application.
     *
     * @param namespec the process (name, group:name) or group:*
     * @param period the period, in seconds: one of stats_periods
     * @return one entry per running copy
     * @throws XmlRpcException if the call fails (BAD_NAME, BAD_ARGUMENTS for a period not configured)
     */
    public List<SupvisorsProcessStatistics> getProcessStatistics(final String namespec, final int period)
            throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "get_process_statistics", new Object[]{namespec, period}, Object[].class,
            array -> DataConversion.arrayToList(array, SupvisorsProcessStatistics::new));
    }

    /**
     * Starts an application, placing its processes with strategy.
     *
     * @param strategy the starting strategy
     * @param applicationName the application
     * @param wait whether to wait until it is started
     * @return true, false when it has nothing to start
     * @throws XmlRpcException if the call fails (ALREADY_STARTED, ABNORMAL_TERMINATION...)
     */
    public Boolean startApplication(final StartingStrategy strategy, final String applicationName,
            final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "start_application", new Object[]{code(strategy), applicationName, wait},
            Boolean.class);
    }

    /**
     * Stops an application.
     *
     * @param applicationName the application
     * @param wait whether to wait until it is stopped
     * @return true
     * @throws XmlRpcException if the call fails (NOT_RUNNING for a stopped application)
     */
    public Boolean stopApplication(final String applicationName, final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "stop_application", new Object[]{applicationName, wait}, Boolean.class);
    }

    /**
     * Stops an application, then starts it with strategy.
     *
     * @param strategy the starting strategy
     * @param applicationName the application
     * @param wait whether to wait until it is started again
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean restartApplication(final StartingStrategy strategy, final String applicationName,
            final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "restart_application", new Object[]{code(strategy), applicationName, wait},
            Boolean.class);
    }

    /**
     * Starts a process of the agent's node with extra arguments on its command line.
     *
     * @param namespec the process
     * @param extraArgs the extra arguments; null for none
     * @param wait whether to wait until it is RUNNING
     * @return true
     * @throws XmlRpcException if the call fails (BAD_EXTRA_ARGUMENTS for a process of the rules...)
     */
    public Boolean startArgs(final String namespec, final String extraArgs, final Boolean wait)
            throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "start_args", new Object[]{namespec, orEmpty(extraArgs), wait}, Boolean.class);
    }

    /**
     * The dry run of startApplication: where each process it would start goes, in start order,
     * with nothing started (test_start_application, later Supvisors).
     *
     * @param strategy the starting strategy
     * @param applicationName the application
     * @return the starts, keyed by namespec, in start order
     * @throws XmlRpcException if the call fails (BAD_NAME, ALREADY_STARTED...)
     */
    public HashMap<String, SupvisorsPlannedStart> testStartApplication(final StartingStrategy strategy,
            final String applicationName) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "test_start_application", new Object[]{code(strategy), applicationName},
            Object[].class, array -> DataConversion.arrayToMap(array, SupvisorsPlannedStart::new));
    }

    /**
     * The dry run of startProcess (test_start_process, later Supvisors).
     *
     * @param strategy the starting strategy
     * @param namespec the process (name, group:name) or group:*
     * @return the starts, keyed by namespec
     * @throws XmlRpcException if the call fails (BAD_NAME, ALREADY_STARTED...)
     */
    public HashMap<String, SupvisorsPlannedStart> testStartProcess(final StartingStrategy strategy,
            final String namespec) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "test_start_process", new Object[]{code(strategy), namespec},
            Object[].class, array -> DataConversion.arrayToMap(array, SupvisorsPlannedStart::new));
    }

    /**
     * Starts the first stopped process whose application:name matches a regular expression
     * (start_any_process, later Supvisors).
     *
     * @param strategy the starting strategy
     * @param regex the regular expression, matched anywhere in the namespec
     * @param extraArgs extra arguments for its command line; null for none
     * @param wait whether to wait until it is RUNNING
     * @return the namespec of the process started
     * @throws XmlRpcException if the call fails (BAD_NAME: none matches; FAILED: none is stopped...)
     */
    public String startAnyProcess(final StartingStrategy strategy, final String regex,
            final String extraArgs, final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "start_any_process",
            new Object[]{code(strategy), regex, orEmpty(extraArgs), wait}, String.class);
    }

    /**
     * Starts a process where strategy places it.
     *
     * @param strategy the starting strategy
     * @param namespec the process (name, group:name) or group:*
     * @param extraArgs extra arguments for its command line; null for none
     * @param wait whether to wait until it is RUNNING
     * @return true
     * @throws XmlRpcException if the call fails (ALREADY_STARTED, ABNORMAL_TERMINATION...)
     */
    public Boolean startProcess(final StartingStrategy strategy, final String namespec,
            final String extraArgs, final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "start_process",
            new Object[]{code(strategy), namespec, orEmpty(extraArgs), wait}, Boolean.class);
    }

    /**
     * Stops a process wherever it runs.
     *
     * @param namespec the process (name, group:name) or group:*
     * @param wait whether to wait until it is stopped
     * @return true
     * @throws XmlRpcException if the call fails (NOT_RUNNING for a stopped process)
     */
    public Boolean stopProcess(final String namespec, final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "stop_process", new Object[]{namespec, wait}, Boolean.class);
    }

    /**
     * Stops a process, then starts it where strategy places it.
     *
     * @param strategy the starting strategy
     * @param namespec the process (name, group:name) or group:*
     * @param wait whether to wait until it is RUNNING again
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean restartProcess(final StartingStrategy strategy, final String namespec, final Boolean wait)
            throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "restart_process", new Object[]{code(strategy), namespec, wait},
            Boolean.class);
    }

    /**
     * Stops a process, then starts it where strategy places it, with the
     * signature of Supvisors 0.1's client. Without extra arguments (null or
     * empty) it is {@link #restartProcess(StartingStrategy, String, Boolean)};
     * with some, they are sent as a third parameter, which a server
     * following the spec (restart_process(strategy, namespec, wait)) refuses
     * with INCORRECT_PARAMETERS.
     *
     * @param strategy the starting strategy
     * @param namespec the process (name, group:name) or group:*
     * @param extraArgs extra arguments; null or empty for none
     * @param wait whether to wait until it is RUNNING again
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean restartProcess(final StartingStrategy strategy, final String namespec,
            final String extraArgs, final Boolean wait) throws XmlRpcException {
        if (extraArgs == null || extraArgs.isEmpty()) {
            return restartProcess(strategy, namespec, wait);
        }
        return client.rpcCall(NAMESPACE + "restart_process", new Object[]{code(strategy), namespec, extraArgs, wait},
            Boolean.class);
    }

    /**
     * Resolves the conflicts with strategy, in CONCILIATION.
     *
     * @param strategy the conciliation strategy
     * @return true once under way, false for USER (which leaves them to an operator)
     * @throws XmlRpcException if the call fails (BAD_SUPVISORS_STATE outside CONCILIATION)
     */
    public Boolean conciliate(final ConciliationStrategy strategy) throws XmlRpcException {
        if (strategy == null || strategy == ConciliationStrategy.UNKNOWN) {
            throw new IllegalArgumentException("no conciliation strategy to send: " + strategy);
        }
        return client.rpcCall(NAMESPACE + "conciliate", new Object[]{strategy.getValue()}, Boolean.class);
    }

    /**
     * Stops every application, then restarts every agent.
     *
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean restart() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "restart", null, Boolean.class);
    }

    /**
     * Stops every application, then every agent.
     *
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean shutdown() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "shutdown", null, Boolean.class);
    }

    /**
     * Disables a program on every node: its processes are stopped and nothing starts them
     * (DISABLED) until it is enabled.
     *
     * @param programName the program ([program:x] name)
     * @param wait whether to wait until every node has done it
     * @return true
     * @throws XmlRpcException if the call fails (BAD_NAME for an unknown program)
     */
    public Boolean disable(final String programName, final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "disable", new Object[]{programName, wait}, Boolean.class);
    }

    /**
     * Enables a disabled program on every node; it starts nothing.
     *
     * @param programName the program ([program:x] name)
     * @param wait whether to wait until every node has done it
     * @return true
     * @throws XmlRpcException if the call fails (BAD_NAME for an unknown program)
     */
    public Boolean enable(final String programName, final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "enable", new Object[]{programName, wait}, Boolean.class);
    }

    /**
     * Changes the number of processes of a homogeneous program on every node that has it.
     *
     * @param programName the program ([program:x] name)
     * @param numprocs the number of processes, in [1;10000]
     * @param wait whether to wait until it is done
     * @return true
     * @throws XmlRpcException if the call fails (BAD_ARGUMENTS for a program that is not
     *     homogeneous or a numprocs out of range, BAD_NAME for an unknown program)
     */
    public Boolean updateNumprocs(final String programName, final int numprocs, final Boolean wait)
            throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "update_numprocs", new Object[]{programName, numprocs, wait}, Boolean.class);
    }

    /**
     * Restarts the running processes of an application one at a time.
     *
     * @param applicationName the application
     * @param wait whether to wait until the rollout is over
     * @return true
     * @throws XmlRpcException if the call fails (NOT_RUNNING when nothing runs,
     *     ABNORMAL_TERMINATION naming the process where it stopped)
     */
    public Boolean rollingRestart(final String applicationName, final Boolean wait) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "rolling_restart", new Object[]{applicationName, wait}, Boolean.class);
    }

    private HashMap<String, SupvisorsProcessInfo> processes(final String method, final Object[] params)
            throws XmlRpcException {
        return client.rpcCall(NAMESPACE + method, params, Object[].class,
            array -> DataConversion.arrayToMap(array, SupvisorsProcessInfo::new));
    }

    /** The wire code of a starting strategy; UNKNOWN has none. */
    private static int code(final StartingStrategy strategy) {
        if (strategy == null || strategy == StartingStrategy.UNKNOWN) {
            throw new IllegalArgumentException("no starting strategy to send: " + strategy);
        }
        return strategy.getValue();
    }

    private static String orEmpty(final String extraArgs) {
        return extraArgs == null ? "" : extraArgs;
    }
}
