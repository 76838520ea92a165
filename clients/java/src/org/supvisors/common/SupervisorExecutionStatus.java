package org.supvisors.common;

import java.util.Map;

/** The result for one process of a multi-process call: supervisor.startAllProcesses() and the like. */
public class SupervisorExecutionStatus implements SupvisorsAnyInfo {
    private final String namespec;
    private final String processName;
    private final String groupName;
    private final String description;
    private final SupervisorFaults status;

    /**
     * Reads a result from its struct.
     *
     * @param statusInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupervisorExecutionStatus(final Map<String, ?> statusInfo) {
        this.processName = Fields.string(statusInfo, "name");
        this.groupName = Fields.string(statusInfo, "group");
        this.namespec = DataConversion.stringsToNamespec(this.groupName, this.processName);
        this.description = Fields.string(statusInfo, "description");
        final Integer code = Fields.integer(statusInfo, "status");
        this.status = code == null ? SupervisorFaults.UNKNOWN : SupervisorFaults.getFault(code);
        if (this.status == SupervisorFaults.UNKNOWN) {
            Fields.warnOnce("SupervisorFaults " + code,
                "unknown status code " + code + " read as UNKNOWN (a newer server?)");
        }
    }

    /**
     * The process' namespec.
     *
     * @return the namespec
     */
    @Override
    public String getName() {
        return this.namespec;
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
     * The name of the process' group.
     *
     * @return the name
     */
    public String getGroupName() {
        return this.groupName;
    }

    /**
     * What happened, in words ("OK" on success).
     *
     * @return the description
     */
    public String getDescription() {
        return this.description;
    }

    /**
     * The result: SUCCESS, or the fault the process met.
     *
     * @return the status
     */
    public SupervisorFaults getStatus() {
        return this.status;
    }

    /**
     * The result, printable as upstream's client prints it.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupervisorExecutionStatus(namespec=" + this.namespec
            + " processName=" + this.processName + " groupName=" + this.groupName
            + " description='" + this.description + "'" + " status=" + this.status + ")";
    }
}
