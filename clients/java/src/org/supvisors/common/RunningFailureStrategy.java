package org.supvisors.common;

/** What happens when a process of a running application fails. */
public enum RunningFailureStrategy {
    /** Nothing. */
    CONTINUE(0),
    /** Start the process again. */
    RESTART_PROCESS(1),
    /** Stop the application. */
    STOP_APPLICATION(2),
    /** Restart the application. */
    RESTART_APPLICATION(3),
    /** A strategy this client does not know (a newer server). */
    UNKNOWN(-1);

    private final int code;

    RunningFailureStrategy(final int code) {
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
