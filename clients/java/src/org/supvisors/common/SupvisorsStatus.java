package org.supvisors.common;

import java.util.Map;

/** The state of Supvisors: supvisors.get_supvisors_state(). */
public class SupvisorsStatus {

    /** The states of Supvisors, with their codes. */
    public enum State {
        /** The cluster is forming: the addresses are being checked. */
        INITIALIZATION(0),
        /** The master deploys the applications. */
        DEPLOYMENT(1),
        /** The cluster runs normally. */
        OPERATION(2),
        /** Conflicts wait to be resolved. */
        CONCILIATION(3),
        /** The applications are stopped before every agent restarts. */
        RESTARTING(4),
        /** The applications are stopped before every agent exits. */
        SHUTTING_DOWN(5),
        /** Every agent is exiting. */
        SHUTDOWN(6),
        /** A state this client does not know (a newer server). */
        UNKNOWN(-1);

        private final int code;

        State(final int code) {
            this.code = code;
        }

        /**
         * The state's code on the wire (statecode); -1 for UNKNOWN.
         *
         * @return the code
         */
        public int getValue() {
            return this.code;
        }
    }

    private final State statename;

    /**
     * Reads the state from the struct of supvisors.get_supvisors_state().
     *
     * @param stateInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsStatus(final Map<String, ?> stateInfo) {
        this.statename = Fields.named(State.class, Fields.string(stateInfo, "statename"), State.UNKNOWN);
    }

    /**
     * The state of Supvisors.
     *
     * @return the state
     */
    public State getState() {
        return this.statename;
    }

    /**
     * The state, printable as upstream's client prints it: SupvisorsState(state=OPERATION).
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsState(state=" + this.statename + ")";
    }
}
