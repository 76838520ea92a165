package org.supvisors.common;

/** What happens when a required process fails while its application starts. */
public enum StartingFailureStrategy {
    /** Abort the start of the application. */
    ABORT(0),
    /** Stop the application. */
    STOP(1),
    /** Go on with the start. */
    CONTINUE(2),
    /** A strategy this client does not know (a newer server). */
    UNKNOWN(-1);

    private final int code;

    StartingFailureStrategy(final int code) {
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
