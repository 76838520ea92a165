package org.supvisors.common;

import java.util.Map;

/** The configuration of a process: an element of supervisor.getAllConfigInfo(). */
public class SupervisorConfigInfo implements SupvisorsAnyInfo {
    private final String namespec;
    private final String processName;
    private final String groupName;
    private final Boolean inUse;
    private final Boolean autoStart;
    private final Integer processPriority;
    private final Integer groupPriority;

    /**
     * Reads a configuration from its struct.
     *
     * @param configInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupervisorConfigInfo(final Map<String, ?> configInfo) {
        this.processName = Fields.string(configInfo, "name");
        this.groupName = Fields.string(configInfo, "group");
        this.namespec = DataConversion.stringsToNamespec(this.groupName, this.processName);
        this.inUse = Fields.bool(configInfo, "inuse");
        this.autoStart = Fields.bool(configInfo, "autostart");
        this.processPriority = Fields.integer(configInfo, "process_prio");
        this.groupPriority = Fields.integer(configInfo, "group_prio");
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
     * Whether the configuration is in use (its group is added).
     *
     * @return the flag
     */
    public Boolean isInUse() {
        return this.inUse;
    }

    /**
     * Whether the process starts with Supervisor.
     *
     * @return the flag
     */
    public Boolean isAutoStart() {
        return this.autoStart;
    }

    /**
     * The process' priority.
     *
     * @return the priority
     */
    public Integer getProcessPriority() {
        return this.processPriority;
    }

    /**
     * The group's priority.
     *
     * @return the priority
     */
    public Integer getGroupPriority() {
        return this.groupPriority;
    }

    /**
     * The configuration, printable as upstream's client prints it.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupervisorConfigInfo(namespec=" + this.namespec
            + " processName=" + this.processName + " groupName=" + this.groupName
            + " inUse=" + this.inUse + " autoStart=" + this.autoStart
            + " processPriority=" + this.processPriority + " groupPriority=" + this.groupPriority + ")";
    }
}
