package org.supvisors.common;

import java.util.Map;

/** The rules of an application: supvisors.get_application_rules(). */
public class SupvisorsApplicationRules implements SupvisorsAnyInfo {
    private final String applicationName;
    private final Integer startSequence;
    private final Integer stopSequence;
    private final StartingFailureStrategy startingFailureStrategy;
    private final RunningFailureStrategy runningFailureStrategy;

    /**
     * Reads the rules from their struct.
     *
     * @param rulesInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsApplicationRules(final Map<String, ?> rulesInfo) {
        this.applicationName = Fields.string(rulesInfo, "application_name");
        this.startSequence = Fields.integer(rulesInfo, "start_sequence");
        this.stopSequence = Fields.integer(rulesInfo, "stop_sequence");
        this.startingFailureStrategy = Fields.named(StartingFailureStrategy.class,
            Fields.string(rulesInfo, "starting_failure_strategy"), StartingFailureStrategy.UNKNOWN);
        this.runningFailureStrategy = Fields.named(RunningFailureStrategy.class,
            Fields.string(rulesInfo, "running_failure_strategy"), RunningFailureStrategy.UNKNOWN);
    }

    /**
     * The application's name.
     *
     * @return the name
     */
    public String getApplicationName() {
        return this.applicationName;
    }

    /**
     * The application's name.
     *
     * @return the name
     */
    @Override
    public String getName() {
        return this.applicationName;
    }

    /**
     * The application's rank when all applications start; 0: not started then.
     *
     * @return the rank
     */
    public Integer getStartSequence() {
        return this.startSequence;
    }

    /**
     * The application's rank when all applications stop.
     *
     * @return the rank
     */
    public Integer getStopSequence() {
        return this.stopSequence;
    }

    /**
     * What happens when a required process fails while the application starts.
     *
     * @return the strategy
     */
    public StartingFailureStrategy getStartingFailureStrategy() {
        return this.startingFailureStrategy;
    }

    /**
     * What happens when a process fails while the application runs.
     *
     * @return the strategy
     */
    public RunningFailureStrategy getRunningFailureStrategy() {
        return this.runningFailureStrategy;
    }

    /**
     * The rules, printable as upstream's client prints them.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsApplicationRules(applicationName=" + this.applicationName
            + " startSequence=" + this.startSequence + " stopSequence=" + this.stopSequence
            + " startingFailureStrategy=" + this.startingFailureStrategy
            + " runningFailureStrategy=" + this.runningFailureStrategy + ")";
    }
}
