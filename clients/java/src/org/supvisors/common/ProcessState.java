package org.supvisors.common;

import java.util.HashMap;
import java.util.Map;

/** The state of a process, with Supervisor's codes. */
public enum ProcessState {
    /** The process is stopped, or was never started. */
    STOPPED(0),
    /** The process is starting. */
    STARTING(10),
    /** The process is running. */
    RUNNING(20),
    /** The process failed to start and will be retried. */
    BACKOFF(30),
    /** The process is stopping. */
    STOPPING(40),
    /** The process exited on its own from RUNNING. */
    EXITED(100),
    /** The process could not be started. */
    FATAL(200),
    /** The state is unknown (also what a state this client does not know reads as). */
    UNKNOWN(1000);

    /** The constants by code. */
    private static final Map<Integer, ProcessState> BY_CODE = new HashMap<>();

    static {
        for (final ProcessState state : values()) {
            BY_CODE.put(state.code, state);
        }
    }

    private final int code;

    ProcessState(final int code) {
        this.code = code;
    }

    /**
     * The state's code on the wire (statecode).
     *
     * @return the code
     */
    public int getValue() {
        return this.code;
    }

    /**
     * The state of a code; UNKNOWN, with a logged warning, for a code this
     * client does not know.
     *
     * @param stateCode the code
     * @return the state
     */
    public static ProcessState valueOf(final int stateCode) {
        final ProcessState state = BY_CODE.get(stateCode);
        if (state == null) {
            Fields.warnOnce("ProcessState " + stateCode,
                "unknown ProcessState code " + stateCode + " read as UNKNOWN (a newer server?)");
            return UNKNOWN;
        }
        return state;
    }
}
