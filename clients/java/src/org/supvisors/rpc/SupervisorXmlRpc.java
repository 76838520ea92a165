package org.supvisors.rpc;

import java.util.HashMap;
import org.supvisors.common.DataConversion;
import org.supvisors.common.SupervisorConfigInfo;
import org.supvisors.common.SupervisorConfigUpdates;
import org.supvisors.common.SupervisorExecutionStatus;
import org.supvisors.common.SupervisorLogResult;
import org.supvisors.common.SupervisorProcessInfo;
import org.supvisors.common.SupervisorState;

/**
 * The supervisor namespace: Supervisor's XML-RPC interface, for the node of
 * the client's agent. Every method throws {@link XmlRpcException} when its
 * call fails: a fault of the agent is an {@link XmlRpcFaultException}
 * carrying its code.
 */
public class SupervisorXmlRpc {
    private static final String NAMESPACE = "supervisor.";

    private final SupervisorXmlRpcClient client;

    /**
     * The supervisor namespace of client's agent.
     *
     * @param client the connection
     */
    public SupervisorXmlRpc(final SupervisorXmlRpcClient client) {
        this.client = client;
    }

    /**
     * The version of Supervisor's RPC API.
     *
     * @return the version, "3.0"
     * @throws XmlRpcException if the call fails
     */
    public String getAPIVersion() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "getAPIVersion", null, String.class);
    }

    /**
     * The version of Supervisor's RPC API.
     *
     * @deprecated use {@link #getAPIVersion()}, as Supervisor does.
     * @return the version
     * @throws XmlRpcException if the call fails
     */
    @Deprecated
    public String getVersion() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "getVersion", null, String.class);
    }

    /**
     * The version of Supervisor the agent implements.
     *
     * @return the version
     * @throws XmlRpcException if the call fails
     */
    public String getSupervisorVersion() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "getSupervisorVersion", null, String.class);
    }

    /**
     * The agent's identifier ([supervisord] identifier).
     *
     * @return the identifier
     * @throws XmlRpcException if the call fails
     */
    public String getIdentification() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "getIdentification", null, String.class);
    }

    /**
     * The state of the agent's Supervisor.
     *
     * @return the state
     * @throws XmlRpcException if the call fails
     */
    public SupervisorState getState() throws XmlRpcException {
        return client.structCall(NAMESPACE + "getState", null, SupervisorState::new);
    }

    /**
     * The agent's pid.
     *
     * @return the pid
     * @throws XmlRpcException if the call fails
     */
    public Integer getPID() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "getPID", null, Integer.class);
    }

    /**
     * Reads the main log.
     *
     * @param offset where to start (negative: from the end)
     * @param length how many bytes (0: to the end)
     * @return the text
     * @throws XmlRpcException if the call fails
     */
    public String readLog(final Integer offset, final Integer length) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "readLog", new Object[]{offset, length}, String.class);
    }

    /**
     * Reads the main log.
     *
     * @deprecated use {@link #readLog(Integer, Integer)}, as Supervisor does.
     * @param offset where to start (negative: from the end)
     * @param length how many bytes (0: to the end)
     * @return the text
     * @throws XmlRpcException if the call fails
     */
    @Deprecated
    public String readMainLog(final Integer offset, final Integer length) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "readMainLog", new Object[]{offset, length}, String.class);
    }

    /**
     * Clears the main log.
     *
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean clearLog() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "clearLog", null, Boolean.class);
    }

    /**
     * Stops the agent's processes and the agent.
     *
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean shutdown() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "shutdown", null, Boolean.class);
    }

    /**
     * Restarts the agent.
     *
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean restart() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "restart", null, Boolean.class);
    }

    /**
     * The information of a process.
     *
     * @param namespec the process (name or group:name)
     * @return the information
     * @throws XmlRpcException if the call fails (BAD_NAME for an unknown process)
     */
    public SupervisorProcessInfo getProcessInfo(final String namespec) throws XmlRpcException {
        return client.structCall(NAMESPACE + "getProcessInfo", new Object[]{namespec},
            SupervisorProcessInfo::new);
    }

    /**
     * The information of every process.
     *
     * @return the information, keyed by namespec, in the agent's order
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorProcessInfo> getAllProcessInfo() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "getAllProcessInfo", null, Object[].class,
            array -> DataConversion.arrayToMap(array, SupervisorProcessInfo::new));
    }

    /**
     * Starts a process.
     *
     * @param namespec the process (name or group:name; a group:* is for {@link #startProcessGroup})
     * @param wait whether to wait until it is RUNNING
     * @return true
     * @throws IllegalArgumentException for a group:* namespec, checked before any call
     * @throws XmlRpcException if the call fails
     */
    public Boolean startProcess(final String namespec, final Boolean wait) throws XmlRpcException {
        checkOneProcess(namespec, "startProcessGroup");
        return client.rpcCall(NAMESPACE + "startProcess", new Object[]{namespec, wait}, Boolean.class);
    }

    /**
     * Starts every process.
     *
     * @param wait whether to wait until each is RUNNING
     * @return each process' result, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorExecutionStatus> startAllProcesses(final Boolean wait) throws XmlRpcException {
        return statuses("startAllProcesses", new Object[]{wait});
    }

    /**
     * Starts the processes of a group.
     *
     * @param groupName the group
     * @param wait whether to wait until each is RUNNING
     * @return each process' result, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorExecutionStatus> startProcessGroup(final String groupName,
            final Boolean wait) throws XmlRpcException {
        return statuses("startProcessGroup", new Object[]{groupName, wait});
    }

    /**
     * Stops a process.
     *
     * @param namespec the process (name or group:name; a group:* is for {@link #stopProcessGroup})
     * @param wait whether to wait until it is stopped
     * @return true
     * @throws IllegalArgumentException for a group:* namespec, checked before any call
     * @throws XmlRpcException if the call fails
     */
    public Boolean stopProcess(final String namespec, final Boolean wait) throws XmlRpcException {
        checkOneProcess(namespec, "stopProcessGroup");
        return client.rpcCall(NAMESPACE + "stopProcess", new Object[]{namespec, wait}, Boolean.class);
    }

    /**
     * Stops the processes of a group.
     *
     * @param groupName the group
     * @param wait whether to wait until each is stopped
     * @return each process' result, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorExecutionStatus> stopProcessGroup(final String groupName,
            final Boolean wait) throws XmlRpcException {
        return statuses("stopProcessGroup", new Object[]{groupName, wait});
    }

    /**
     * Stops every process.
     *
     * @param wait whether to wait until each is stopped
     * @return each process' result, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorExecutionStatus> stopAllProcesses(final Boolean wait) throws XmlRpcException {
        return statuses("stopAllProcesses", new Object[]{wait});
    }

    /**
     * Sends a signal to a process.
     *
     * @param namespec the process (name or group:name; a group:* is for {@link #signalProcessGroup})
     * @param signal the signal's name ("HUP", "SIGHUP") or number
     * @return true
     * @throws IllegalArgumentException for a group:* namespec, checked before any call
     * @throws XmlRpcException if the call fails
     */
    public Boolean signalProcess(final String namespec, final String signal) throws XmlRpcException {
        checkOneProcess(namespec, "signalProcessGroup");
        return client.rpcCall(NAMESPACE + "signalProcess", new Object[]{namespec, signal}, Boolean.class);
    }

    /**
     * Sends a signal to the processes of a group.
     *
     * @param groupName the group
     * @param signal the signal's name or number
     * @return each process' result, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorExecutionStatus> signalProcessGroup(final String groupName,
            final String signal) throws XmlRpcException {
        return statuses("signalProcessGroup", new Object[]{groupName, signal});
    }

    /**
     * Sends a signal to every running process.
     *
     * @param signal the signal's name or number
     * @return each process' result, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorExecutionStatus> signalAllProcesses(final String signal) throws XmlRpcException {
        return statuses("signalAllProcesses", new Object[]{signal});
    }

    /**
     * Writes to a process' stdin.
     *
     * @param namespec the process
     * @param chars the text
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean sendProcessStdin(final String namespec, final String chars) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "sendProcessStdin", new Object[]{namespec, chars}, Boolean.class);
    }

    /**
     * Sends a REMOTE_COMMUNICATION event to the event listeners.
     *
     * @param eventType the event's type
     * @param eventData the event's data
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean sendRemoteCommEvent(final String eventType, final String eventData) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "sendRemoteCommEvent", new Object[]{eventType, eventData}, Boolean.class);
    }

    /**
     * The configuration of every process.
     *
     * @return the configurations, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorConfigInfo> getAllConfigInfo() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "getAllConfigInfo", null, Object[].class,
            array -> DataConversion.arrayToMap(array, SupervisorConfigInfo::new));
    }

    /**
     * Reads the configuration again and tells what changed (without applying it).
     *
     * @return the groups added, changed and removed
     * @throws XmlRpcException if the call fails (CANT_REREAD for a wrong configuration)
     */
    public SupervisorConfigUpdates reloadConfig() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "reloadConfig", null, Object[].class, SupervisorConfigUpdates::new);
    }

    /**
     * Adds a group of the configuration read by {@link #reloadConfig}.
     *
     * @param groupName the group
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean addProcessGroup(final String groupName) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "addProcessGroup", new Object[]{groupName}, Boolean.class);
    }

    /**
     * Removes a group whose processes are stopped.
     *
     * @param groupName the group
     * @return true
     * @throws XmlRpcException if the call fails (STILL_RUNNING when a process runs)
     */
    public Boolean removeProcessGroup(final String groupName) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "removeProcessGroup", new Object[]{groupName}, Boolean.class);
    }

    /**
     * Reads a process' stdout log.
     *
     * @param namespec the process
     * @param offset where to start (negative: from the end)
     * @param length how many bytes (0: to the end)
     * @return the text
     * @throws XmlRpcException if the call fails
     */
    public String readProcessStdoutLog(final String namespec, final Integer offset,
            final Integer length) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "readProcessStdoutLog", new Object[]{namespec, offset, length}, String.class);
    }

    /**
     * Reads a process' stdout log.
     *
     * @deprecated use {@link #readProcessStdoutLog}, as Supervisor does.
     * @param namespec the process
     * @param offset where to start (negative: from the end)
     * @param length how many bytes (0: to the end)
     * @return the text
     * @throws XmlRpcException if the call fails
     */
    @Deprecated
    public String readProcessLog(final String namespec, final Integer offset,
            final Integer length) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "readProcessLog", new Object[]{namespec, offset, length}, String.class);
    }

    /**
     * Reads a process' stderr log.
     *
     * @param namespec the process
     * @param offset where to start (negative: from the end)
     * @param length how many bytes (0: to the end)
     * @return the text
     * @throws XmlRpcException if the call fails
     */
    public String readProcessStderrLog(final String namespec, final Integer offset,
            final Integer length) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "readProcessStderrLog", new Object[]{namespec, offset, length}, String.class);
    }

    /**
     * The end of a process' stdout log, from offset, at most length bytes.
     *
     * @param namespec the process
     * @param offset where to start
     * @param length how many bytes at most
     * @return the text, the next offset and whether bytes were skipped
     * @throws XmlRpcException if the call fails
     */
    public SupervisorLogResult tailProcessStdoutLog(final String namespec, final Integer offset,
            final Integer length) throws XmlRpcException {
        return tail("tailProcessStdoutLog", namespec, offset, length);
    }

    /**
     * The end of a process' stdout log.
     *
     * @deprecated use {@link #tailProcessStdoutLog}, as Supervisor does.
     * @param namespec the process
     * @param offset where to start
     * @param length how many bytes at most
     * @return the text, the next offset and whether bytes were skipped
     * @throws XmlRpcException if the call fails
     */
    @Deprecated
    public SupervisorLogResult tailProcessLog(final String namespec, final Integer offset,
            final Integer length) throws XmlRpcException {
        return tail("tailProcessLog", namespec, offset, length);
    }

    /**
     * The end of a process' stderr log.
     *
     * @param namespec the process
     * @param offset where to start
     * @param length how many bytes at most
     * @return the text, the next offset and whether bytes were skipped
     * @throws XmlRpcException if the call fails
     */
    public SupervisorLogResult tailProcessStderrLog(final String namespec, final Integer offset,
            final Integer length) throws XmlRpcException {
        return tail("tailProcessStderrLog", namespec, offset, length);
    }

    /**
     * Clears a process' logs.
     *
     * @param namespec the process
     * @return true
     * @throws XmlRpcException if the call fails
     */
    public Boolean clearProcessLogs(final String namespec) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "clearProcessLogs", new Object[]{namespec}, Boolean.class);
    }

    /**
     * Clears a process' logs.
     *
     * @deprecated use {@link #clearProcessLogs}, as Supervisor does.
     * @param namespec the process
     * @return true
     * @throws XmlRpcException if the call fails
     */
    @Deprecated
    public Boolean clearProcessLog(final String namespec) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "clearProcessLog", new Object[]{namespec}, Boolean.class);
    }

    /**
     * Clears the logs of every process.
     *
     * @return each process' result, keyed by namespec
     * @throws XmlRpcException if the call fails
     */
    public HashMap<String, SupervisorExecutionStatus> clearAllProcessLogs() throws XmlRpcException {
        return statuses("clearAllProcessLogs", null);
    }

    /** Calls a multi-process method. */
    private HashMap<String, SupervisorExecutionStatus> statuses(final String method, final Object[] params)
            throws XmlRpcException {
        return client.rpcCall(NAMESPACE + method, params, Object[].class,
            array -> DataConversion.arrayToMap(array, SupervisorExecutionStatus::new));
    }

    /** Calls a tail method. */
    private SupervisorLogResult tail(final String method, final String namespec, final Integer offset,
            final Integer length) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + method, new Object[]{namespec, offset, length}, Object[].class,
            SupervisorLogResult::new);
    }

    /**
     * Refuses a group:* namespec: the methods of one process return a
     * boolean, where Supervisor answers a group's with one result per process.
     */
    private static void checkOneProcess(final String namespec, final String groupMethod) {
        if (namespec != null && DataConversion.namespecToStrings(namespec)[1] == null) {
            throw new IllegalArgumentException("namespec '" + namespec + "' names a group: use " + groupMethod);
        }
    }
}
