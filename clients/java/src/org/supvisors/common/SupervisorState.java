package org.supvisors.common;

import java.util.Map;

/** The state of a Supervisor daemon: supervisor.getState(). */
public class SupervisorState {

    /** The states of a Supervisor daemon, with Supervisor's codes. */
    public enum State {
        /** Supervisor has had a serious error. */
        FATAL(2),
        /** Supervisor works normally. */
        RUNNING(1),
        /** Supervisor is restarting. */
        RESTARTING(0),
        /** Supervisor is shutting down. */
        SHUTDOWN(-1),
        /** A state this client does not know (a newer server); -2, as -1 is SHUTDOWN. */
        UNKNOWN(-2);

        private final int code;

        State(final int code) {
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
    }

    private final State state;

    /**
     * Reads the state from the struct of supervisor.getState().
     *
     * @param stateInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupervisorState(final Map<String, ?> stateInfo) {
        this.state = Fields.named(State.class, Fields.string(stateInfo, "statename"), State.UNKNOWN);
    }

    /**
     * The state of Supervisor.
     *
     * @return the state
     */
    public State getState() {
        return this.state;
    }

    /**
     * The state, printable: SupervisorState(state=RUNNING).
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupervisorState(state=" + this.state + ")";
    }
}
