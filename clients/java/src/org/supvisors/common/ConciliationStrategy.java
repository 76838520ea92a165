package org.supvisors.common;

/** The strategy that resolves a conflict (a process running on more than one address). */
public enum ConciliationStrategy {
    /** Keep the youngest copy, stop the others. */
    SENICIDE(0),
    /** Keep the oldest copy, stop the others. */
    INFANTICIDE(1),
    /** Wait for the user to conciliate. */
    USER(2),
    /** Stop every copy. */
    STOP(3),
    /** Stop every copy, then start one. */
    RESTART(4),
    /** Stop every copy, then apply the running failure strategy. */
    RUNNING_FAILURE(5),
    /** A strategy this client does not know (a newer server); it cannot be sent. */
    UNKNOWN(-1);

    private final int code;

    ConciliationStrategy(final int code) {
        this.code = code;
    }

    /**
     * The code sent and received on the wire; -1 for UNKNOWN.
     *
     * @return the code
     */
    public int getValue() {
        return this.code;
    }
}
