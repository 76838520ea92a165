package org.supvisors.common;

import java.util.List;
import java.util.Map;

/** The rules of a process: supvisors.get_process_rules(). */
public class SupvisorsProcessRules implements SupvisorsAnyInfo {
    private final String namespec;
    private final String applicationName;
    private final String processName;
    private final List<String> addresses;
    private final Integer startSequence;
    private final Integer stopSequence;
    private final Boolean required;
    private final Boolean waitExit;
    private final Integer expectedLoading;
    private final RunningFailureStrategy runningFailureStrategy;

    /**
     * Reads the rules from their struct; the loading is expected_loading,
     * else loading (the spec's name of the key).
     *
     * @param rulesInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsProcessRules(final Map<String, ?> rulesInfo) {
        this.processName = Fields.string(rulesInfo, "process_name");
        this.applicationName = Fields.string(rulesInfo, "application_name");
        this.namespec = DataConversion.stringsToNamespec(this.applicationName, this.processName);
        this.addresses = Fields.strings(rulesInfo, "addresses");
        this.startSequence = Fields.integer(rulesInfo, "start_sequence");
        this.stopSequence = Fields.integer(rulesInfo, "stop_sequence");
        this.required = Fields.bool(rulesInfo, "required");
        this.waitExit = Fields.bool(rulesInfo, "wait_exit");
        final Integer expected = Fields.integer(rulesInfo, "expected_loading");
        this.expectedLoading = expected != null ? expected : Fields.integer(rulesInfo, "loading");
        this.runningFailureStrategy = Fields.named(RunningFailureStrategy.class,
            Fields.string(rulesInfo, "running_failure_strategy"), RunningFailureStrategy.UNKNOWN);
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
     * The process' namespec.
     *
     * @return the namespec
     */
    @Override
    public String getName() {
        return this.namespec;
    }

    /**
     * The addresses where the process may start ("*": any).
     *
     * @return the addresses
     */
    public List<String> getAddresses() {
        return this.addresses;
    }

    /**
     * The process' rank when its application starts; 0: not started then.
     *
     * @return the rank
     */
    public Integer getStartSequence() {
        return this.startSequence;
    }

    /**
     * The process' rank when its application stops.
     *
     * @return the rank
     */
    public Integer getStopSequence() {
        return this.stopSequence;
    }

    /**
     * Whether the application needs the process.
     *
     * @return the flag
     */
    public Boolean isRequired() {
        return this.required;
    }

    /**
     * Whether the start of the application waits for the process to exit before its next phase.
     *
     * @return the flag
     */
    public Boolean hasToWaitExit() {
        return this.waitExit;
    }

    /**
     * The load the process puts on its address when running, in percent.
     *
     * @return the loading
     */
    public Integer getExpectedLoading() {
        return this.expectedLoading;
    }

    /**
     * What happens when the process fails while its application runs.
     *
     * @return the strategy
     */
    public RunningFailureStrategy getRunningFailureStrategy() {
        return this.runningFailureStrategy;
    }

    /**
     * The rules, printable as upstream's client prints them (under the name SupvisorsProcessrules, as upstream does).
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsProcessrules(namespec=" + this.namespec
            + " addresses=" + this.addresses + " startSequence=" + this.startSequence
            + " stopSequence=" + this.stopSequence + " required=" + this.required
            + " waitExit=" + this.waitExit + " expectedLoading=" + this.expectedLoading
            + " runningFailureStrategy=" + this.runningFailureStrategy + ")";
    }
}
