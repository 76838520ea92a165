package org.supvisors.common;

import java.util.Map;

/**
 * A process as its own node's Supervisor sees it, with its extra arguments:
 * supvisors.get_local_process_info().
 */
public class SupvisorsProcessEvent implements SupvisorsAnyInfo {
    private final String group;
    private final String name;
    private final ProcessState state;
    private final Boolean expected;
    private final Integer now;
    private final Integer pid;
    private final String address;
    private final String extraArgs;

    /**
     * Reads a process from its struct.
     *
     * @param processInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsProcessEvent(final Map<String, ?> processInfo) {
        this.name = Fields.string(processInfo, "name");
        this.group = Fields.string(processInfo, "group");
        final Integer code = Fields.integer(processInfo, "state");
        this.state = code == null ? Fields.named(ProcessState.class, null, ProcessState.UNKNOWN) : ProcessState.valueOf(code);
        this.expected = Fields.bool(processInfo, "expected");
        this.now = Fields.integer(processInfo, "now");
        this.pid = Fields.integer(processInfo, "pid");
        this.address = Fields.string(processInfo, "address");
        this.extraArgs = Fields.string(processInfo, "extra_args");
    }

    /**
     * The name of the process' group.
     *
     * @return the name
     */
    public String getGroup() {
        return this.group;
    }

    /**
     * The name of the process.
     *
     * @return the name
     */
    public String getProcessName() {
        return this.name;
    }

    /**
     * The process' namespec.
     *
     * @return the namespec
     */
    @Override
    public String getName() {
        return DataConversion.stringsToNamespec(this.group, this.name);
    }

    /**
     * The process' state.
     *
     * @return the state
     */
    public ProcessState getState() {
        return this.state;
    }

    /**
     * Whether the process' last exit was expected.
     *
     * @return the flag
     */
    public Boolean isExpected() {
        return this.expected;
    }

    /**
     * The time of the information, in seconds since the epoch.
     *
     * @return the time
     */
    public Integer getNow() {
        return this.now;
    }

    /**
     * The process' pid, 0 when it is not running.
     *
     * @return the pid
     */
    public Integer getPID() {
        return this.pid;
    }

    /**
     * The process' address, when the server tells it.
     *
     * @return the address, or null
     */
    public String getAddress() {
        return this.address;
    }

    /**
     * The extra arguments the process was started with.
     *
     * @return the arguments, or null
     */
    public String getExtraArgs() {
        return this.extraArgs;
    }

    /**
     * The process, printable as upstream's client prints it.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsProcessEvent(namespec=" + this.getName()
            + " group=" + this.group
            + " name=" + this.name
            + " state=" + this.state
            + " expected=" + this.expected
            + " now=" + this.now
            + " pid=" + this.pid
            + " address=" + this.address
            + " extraArgs=\"" + this.extraArgs + "\")";
    }
}
