package org.supvisors.common;

import java.util.Map;

/** The strategies the cluster applies: supvisors.get_strategies(). */
public class SupvisorsStrategies {
    private final Boolean autoFencing;
    private final StartingStrategy startingStrategy;
    private final ConciliationStrategy conciliationStrategy;

    /**
     * Reads the strategies from their struct.
     *
     * @param info the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsStrategies(final Map<String, ?> info) {
        this.autoFencing = Fields.bool(info, "auto-fencing");
        this.startingStrategy = Fields.named(StartingStrategy.class, Fields.string(info, "starting"),
            StartingStrategy.UNKNOWN);
        this.conciliationStrategy = Fields.named(ConciliationStrategy.class, Fields.string(info, "conciliation"),
            ConciliationStrategy.UNKNOWN);
    }

    /**
     * Whether a lost address is fenced off.
     *
     * @return the flag
     */
    public Boolean isAutoFencing() {
        return this.autoFencing;
    }

    /**
     * The strategy the deployment starts applications with.
     *
     * @return the strategy
     */
    public StartingStrategy getStartingStrategy() {
        return this.startingStrategy;
    }

    /**
     * The strategy that resolves conflicts.
     *
     * @return the strategy
     */
    public ConciliationStrategy getConciliationStrategy() {
        return this.conciliationStrategy;
    }

    /**
     * The strategies, printable as upstream's client prints them (under the
     * name SupvisorsApplicationRules, as upstream does).
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsApplicationRules(autoFencing=" + this.autoFencing
            + " startingStrategy=" + this.startingStrategy
            + " conciliationStrategy=" + this.conciliationStrategy + ")";
    }
}
