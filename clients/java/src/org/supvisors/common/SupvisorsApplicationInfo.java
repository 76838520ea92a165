package org.supvisors.common;

import java.util.Map;

/** An application of the cluster: supvisors.get_application_info(). */
public class SupvisorsApplicationInfo implements SupvisorsAnyInfo {

    /** The states of an application, with their codes. */
    public enum State {
        /** Not known yet (also what a state this client does not know reads as). */
        UNKNOWN(0),
        /** No process is running. */
        STOPPED(1),
        /** A process is starting. */
        STARTING(2),
        /** A process is stopping. */
        STOPPING(3),
        /** A process runs, none is starting or stopping. */
        RUNNING(4);

        private final int value;

        State(final int value) {
            this.value = value;
        }

        /**
         * The state's code on the wire (statecode).
         *
         * @return the code
         */
        public int getValue() {
            return this.value;
        }
    }

    private final String applicationName;
    private final State statename;
    private final Boolean majorFailure;
    private final Boolean minorFailure;

    /**
     * Reads an application from its struct.
     *
     * @param applicationInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsApplicationInfo(final Map<String, ?> applicationInfo) {
        this.applicationName = Fields.string(applicationInfo, "application_name");
        this.statename = Fields.named(State.class, Fields.string(applicationInfo, "statename"), State.UNKNOWN);
        this.majorFailure = Fields.bool(applicationInfo, "major_failure");
        this.minorFailure = Fields.bool(applicationInfo, "minor_failure");
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
     * The application's state.
     *
     * @return the state
     */
    public State getState() {
        return this.statename;
    }

    /**
     * Whether a required process is not running while the application is.
     *
     * @return the major failure flag
     */
    public Boolean hasMajorFailure() {
        return this.majorFailure;
    }

    /**
     * Whether an optional process failed.
     *
     * @return the minor failure flag
     */
    public Boolean hasMinorFailure() {
        return this.minorFailure;
    }

    /**
     * The application, printable as upstream's client prints it.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsApplicationInfo(name=" + this.applicationName
            + " state=" + this.statename
            + " majorFailure=" + this.majorFailure
            + " minorFailure=" + this.minorFailure + ")";
    }
}
