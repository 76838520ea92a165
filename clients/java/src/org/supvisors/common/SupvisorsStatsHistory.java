package org.supvisors.common;

import java.util.List;
import java.util.Map;

/** The samples a node keeps for one statistics period, oldest first. */
public class SupvisorsStatsHistory {
    private final List<Double> time;
    private final List<Double> cpu;
    private final List<Double> mem;

    /**
     * Reads a history from its struct.
     *
     * @param history the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsStatsHistory(final Map<String, ?> history) {
        this.time = Fields.reals(history, "time");
        this.cpu = Fields.reals(history, "cpu");
        this.mem = Fields.reals(history, "mem");
    }

    /**
     * When each sample was taken, in seconds since the epoch.
     *
     * @return the times
     */
    public List<Double> getTime() {
        return this.time;
    }

    /**
     * The CPU of each sample, in %.
     *
     * @return the values
     */
    public List<Double> getCpu() {
        return this.cpu;
    }

    /**
     * The memory of each sample, in %.
     *
     * @return the values
     */
    public List<Double> getMem() {
        return this.mem;
    }

    /**
     * The history, printable.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsStatsHistory(time=" + this.time + " cpu=" + this.cpu + " mem=" + this.mem + ")";
    }
}
