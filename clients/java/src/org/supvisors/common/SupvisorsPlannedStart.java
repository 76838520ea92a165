package org.supvisors.common;

import java.util.Map;

/**
 * One start of a dry run: where the process would start, as
 * supvisors.test_start_application() and test_start_process() answer.
 */
public class SupvisorsPlannedStart implements SupvisorsAnyInfo {
    private final String namespec;
    private final String applicationName;
    private final String processName;
    private final Integer startSequence;
    private final String address;
    private final Integer loading;

    /**
     * Reads a start from its struct.
     *
     * @param startInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsPlannedStart(final Map<String, ?> startInfo) {
        this.applicationName = Fields.string(startInfo, "application_name");
        this.processName = Fields.string(startInfo, "process_name");
        this.namespec = DataConversion.stringsToNamespec(this.applicationName, this.processName);
        this.startSequence = Fields.integer(startInfo, "start_sequence");
        this.address = Fields.string(startInfo, "address");
        this.loading = Fields.integer(startInfo, "loading");
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
     * The process' rank in its application's start.
     *
     * @return the rank
     */
    public Integer getStartSequence() {
        return this.startSequence;
    }

    /**
     * The address the process would start on; empty where no address can take it.
     *
     * @return the address
     */
    public String getAddress() {
        return this.address;
    }

    /**
     * The process' expected loading.
     *
     * @return the loading, in percent
     */
    public Integer getLoading() {
        return this.loading;
    }

    @Override
    public String toString() {
        return "SupvisorsPlannedStart(namespec=" + this.namespec
            + " startSequence=" + this.startSequence
            + " address=" + this.address
            + " loading=" + this.loading + ")";
    }
}
