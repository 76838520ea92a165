package org.supvisors.common;

import java.util.List;
import java.util.Map;

/** A process as the whole cluster sees it: supvisors.get_process_info(). */
public class SupvisorsProcessInfo implements SupvisorsAnyInfo {
    private final String applicationName;
    private final String processName;
    private final ProcessState state;
    private final Boolean expectedExit;
    private final Integer lastEventTime;
    private final List<String> addresses;
    private final String extraArgs;

    /**
     * Reads a process from its struct.
     *
     * @param processInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsProcessInfo(final Map<String, ?> processInfo) {
        this.processName = Fields.string(processInfo, "process_name");
        this.applicationName = Fields.string(processInfo, "application_name");
        this.state = Fields.named(ProcessState.class, Fields.string(processInfo, "statename"), ProcessState.UNKNOWN);
        this.expectedExit = Fields.bool(processInfo, "expected_exit");
        this.lastEventTime = Fields.integer(processInfo, "last_event_time");
        this.addresses = Fields.strings(processInfo, "addresses");
        this.extraArgs = Fields.string(processInfo, "extra_args");
    }

    /**
     * The name of the process' application.
     *
     * @return the name
     */
    public String getApplicationName() {
        return this.applicationName;
    }

    /**
     * The name of the process.
     *
     * @return the name
     */
    public String getProcessName() {
        return this.processName;
    }

    /**
     * The process' namespec: application:process, or process when both are the same.
     *
     * @return the namespec
     */
    @Override
    public String getName() {
        return DataConversion.stringsToNamespec(this.applicationName, this.processName);
    }

    /**
     * The process' state over the cluster.
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
    public Boolean getExpectedExitStatus() {
        return this.expectedExit;
    }

    /**
     * When the process last changed state, in seconds since the epoch.
     *
     * @return the time
     */
    public Integer getLastEventTime() {
        return this.lastEventTime;
    }

    /**
     * The addresses where the process runs; more than one is a conflict.
     *
     * @return the addresses, empty when it runs nowhere
     */
    public List<String> getAddresses() {
        return this.addresses;
    }

    /**
     * The extra arguments the process was started with, if the server tells them.
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
        return "SupvisorsProcessInfo(namespec=" + this.getName()
            + " applicationName=" + this.applicationName
            + " processName=" + this.processName
            + " state=" + this.state
            + " expectedExitStatus=" + this.expectedExit
            + " lastEventTime=" + this.lastEventTime
            + " addresses=" + this.addresses
            + " extraArgs=" + this.extraArgs + ")";
    }
}
