package org.supvisors.common;

import java.util.Map;

/** A process as its node's Supervisor sees it: supervisor.getProcessInfo(). */
public class SupervisorProcessInfo implements SupvisorsAnyInfo {
    private final String namespec;
    private final String processName;
    private final String groupName;
    private final String description;
    private final Integer startTime;
    private final Integer stopTime;
    private final Integer currentTime;
    private final ProcessState state;
    private final String spawnError;
    private final Integer exitStatus;
    private final String logFile;
    private final String stdoutLogFile;
    private final String stderrLogFile;
    private final Integer pid;

    /**
     * Reads a process from its struct.
     *
     * @param processInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupervisorProcessInfo(final Map<String, ?> processInfo) {
        this.processName = Fields.string(processInfo, "name");
        this.groupName = Fields.string(processInfo, "group");
        this.namespec = DataConversion.stringsToNamespec(this.groupName, this.processName);
        this.description = Fields.string(processInfo, "description");
        this.startTime = Fields.integer(processInfo, "start");
        this.stopTime = Fields.integer(processInfo, "stop");
        this.currentTime = Fields.integer(processInfo, "now");
        this.state = Fields.named(ProcessState.class, Fields.string(processInfo, "statename"), ProcessState.UNKNOWN);
        this.spawnError = Fields.string(processInfo, "spawnerr");
        this.exitStatus = Fields.integer(processInfo, "exitstatus");
        this.logFile = Fields.string(processInfo, "logfile");
        this.stdoutLogFile = Fields.string(processInfo, "stdout_logfile");
        this.stderrLogFile = Fields.string(processInfo, "stderr_logfile");
        this.pid = Fields.integer(processInfo, "pid");
    }

    /**
     * The process' namespec: group:name, or name when both are the same.
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
     * Supervisor's description: the pid and uptime when running, the stop time when stopped.
     *
     * @return the description
     */
    public String getDescription() {
        return this.description;
    }

    /**
     * When the process was last started, in seconds since the epoch; 0 if never.
     *
     * @return the time
     */
    public Integer getStartTime() {
        return this.startTime;
    }

    /**
     * When the process last ended, in seconds since the epoch; 0 if never.
     *
     * @return the time
     */
    public Integer getStopTime() {
        return this.stopTime;
    }

    /**
     * The daemon's time when it answered, in seconds since the epoch.
     *
     * @return the time
     */
    public Integer getCurrentTime() {
        return this.currentTime;
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
     * Why the last spawn failed, or an empty string.
     *
     * @return the error
     */
    public String getSpawnError() {
        return this.spawnError;
    }

    /**
     * The process' last exit status; 0 while running.
     *
     * @return the status
     */
    public Integer getExitStatus() {
        return this.exitStatus;
    }

    /**
     * The stdout log file.
     *
     * @deprecated use {@link #getStdoutLogFile()}, as Supervisor does.
     * @return the path
     */
    @Deprecated
    public String getLogFile() {
        return this.logFile;
    }

    /**
     * The stdout log file.
     *
     * @return the path
     */
    public String getStdoutLogFile() {
        return this.stdoutLogFile;
    }

    /**
     * The stderr log file.
     *
     * @return the path
     */
    public String getStderrLogFile() {
        return this.stderrLogFile;
    }

    /**
     * The process' pid; 0 when not running.
     *
     * @return the pid
     */
    public Integer getPID() {
        return this.pid;
    }

    /**
     * The process, printable as upstream's client prints it.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupervisorProcessInfo(namespec=" + this.namespec
            + " processName=" + this.processName + " groupName=" + this.groupName
            + " description='" + this.description + "'" + " startTime=" + this.startTime
            + " stopTime=" + this.stopTime + " currentTime=" + this.currentTime
            + " state=" + this.state + " spawnError='" + this.spawnError + "'"
            + " exitStatus=" + this.exitStatus + " logFile=" + this.logFile
            + " stdoutLogFile=" + this.stdoutLogFile + " stderrLogFile=" + this.stderrLogFile
            + " pid=" + this.pid + ")";
    }
}
