package org.supvisors.common;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The statistics of an address over one period: supvisors.get_host_statistics(). */
public class SupvisorsHostStatistics {
    private final String addressName;
    private final Integer period;
    private final List<Double> cpu;
    private final Double mem;
    private final Map<String, List<Double>> io;
    private final SupvisorsStatsHistory history;

    /**
     * Reads the statistics from their struct.
     *
     * @param stats the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsHostStatistics(final Map<String, ?> stats) {
        this.addressName = Fields.string(stats, "address_name");
        this.period = Fields.integer(stats, "period");
        this.cpu = Fields.reals(stats, "cpu");
        this.mem = Fields.real(stats, "mem");
        final Map<String, ?> interfaces = Fields.struct(stats, "io");
        final Map<String, List<Double>> io = new TreeMap<>();
        for (final String name : interfaces.keySet()) {
            io.put(name, Fields.reals(interfaces, name));
        }
        this.io = Collections.unmodifiableMap(io);
        this.history = new SupvisorsStatsHistory(Fields.struct(stats, "history"));
    }

    /**
     * The address measured.
     *
     * @return the address
     */
    public String getAddressName() {
        return this.addressName;
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
     * The CPU used, in %: the total, then each core.
     *
     * @return the values
     */
    public List<Double> getCpu() {
        return this.cpu;
    }

    /**
     * The memory used, in %.
     *
     * @return the value
     */
    public Double getMem() {
        return this.mem;
    }

    /**
     * Each network interface's received then sent kbit/s, by name.
     *
     * @return the interfaces
     */
    public Map<String, List<Double>> getIo() {
        return this.io;
    }

    /**
     * The samples kept (total CPU and memory).
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
        return "SupvisorsHostStatistics(addressName=" + this.addressName + " period=" + this.period
            + " cpu=" + this.cpu + " mem=" + this.mem + " io=" + this.io + " history=" + this.history + ")";
    }
}
