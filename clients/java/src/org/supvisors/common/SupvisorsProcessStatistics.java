package org.supvisors.common;

import java.util.Map;

/**
 * The statistics of a running copy of a process, with all its descendants,
 * over one period: an entry of supvisors.get_process_statistics().
 */
public class SupvisorsProcessStatistics {
    private final String namespec;
    private final String addressName;
    private final Integer pid;
    private final Integer period;
    private final Double cpu;
    private final Double mem;
    private final SupvisorsStatsHistory history;

    /**
     * Reads the statistics from their struct.
     *
     * @param stats the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsProcessStatistics(final Map<String, ?> stats) {
        this.namespec = Fields.string(stats, "namespec");
        this.addressName = Fields.string(stats, "address_name");
        this.pid = Fields.integer(stats, "pid");
        this.period = Fields.integer(stats, "period");
        this.cpu = Fields.real(stats, "cpu");
        this.mem = Fields.real(stats, "mem");
        this.history = new SupvisorsStatsHistory(Fields.struct(stats, "history"));
    }

    /**
     * The process (name or group:name).
     *
     * @return the namespec
     */
    public String getNamespec() {
        return this.namespec;
    }

    /**
     * The address the copy runs on.
     *
     * @return the address
     */
    public String getAddressName() {
        return this.addressName;
    }

    /**
     * The copy's process id.
     *
     * @return the pid
     */
    public Integer getPid() {
        return this.pid;
    }

    /**
     * The period, in seconds.
     *
     * @return the period
     */
    public Integer getPeriod() {
        return this.period;
    }

    /**
     * The CPU used, in % of the host (of one core in IRIX mode).
     *
     * @return the value
     */
    public Double getCpu() {
        return this.cpu;
    }

    /**
     * The resident memory, in % of the host's.
     *
     * @return the value
     */
    public Double getMem() {
        return this.mem;
    }

    /**
     * The samples kept.
     *
     * @return the history
     */
    public SupvisorsStatsHistory getHistory() {
        return this.history;
    }

    /**
     * The statistics, printable.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsProcessStatistics(namespec=" + this.namespec + " addressName=" + this.addressName
            + " pid=" + this.pid + " period=" + this.period + " cpu=" + this.cpu + " mem=" + this.mem
            + " history=" + this.history + ")";
    }
}
