package org.supvisors.common;

import java.util.HashMap;
import java.util.Map;

/**
 * The fault codes of the XML-RPC interface: Supervisor's, then those the
 * supvisors namespace adds (100 and up). A multi-process call of Supervisor
 * reports each process's status with these codes too (SUCCESS for success).
 */
public enum SupervisorFaults {
    /** The method does not exist. */
    UNKNOWN_METHOD(1),
    /** Wrong number of parameters. */
    INCORRECT_PARAMETERS(2),
    /** A parameter has a wrong value. */
    BAD_ARGUMENTS(3),
    /** The method has no signature to give. */
    SIGNATURE_UNSUPPORTED(4),
    /** Supervisor is shutting down. */
    SHUTDOWN_STATE(6),
    /** No such process, group or application. */
    BAD_NAME(10),
    /** No such signal. */
    BAD_SIGNAL(11),
    /** The file does not exist. */
    NO_FILE(20),
    /** The command is not executable. */
    NOT_EXECUTABLE(21),
    /** The operation failed. */
    FAILED(30),
    /** The process ended abnormally while starting. */
    ABNORMAL_TERMINATION(40),
    /** The process could not be spawned. */
    SPAWN_ERROR(50),
    /** The process is already started. */
    ALREADY_STARTED(60),
    /** The process is not running. */
    NOT_RUNNING(70),
    /** Success (a status, not a fault). */
    SUCCESS(80),
    /** The group is already added. */
    ALREADY_ADDED(90),
    /** The group still has running processes. */
    STILL_RUNNING(91),
    /** The configuration could not be read again. */
    CANT_REREAD(92),
    /** The [supvisors] configuration is wrong. */
    SUPVISORS_CONF_ERROR(100),
    /** Supvisors is not in a state that allows the request. */
    BAD_SUPVISORS_STATE(101),
    /** No such address in the cluster. */
    BAD_ADDRESS(102),
    /** No such strategy. */
    BAD_STRATEGY(103),
    /** Extra arguments are not allowed for this process. */
    BAD_EXTRA_ARGUMENTS(104),
    /** The program is disabled (supvisors.disable): nothing starts it. */
    DISABLED(105),
    /** A code this client does not know (a newer server). */
    UNKNOWN(-1);

    /** The constants by code. */
    private static final Map<Integer, SupervisorFaults> BY_CODE = new HashMap<>();

    static {
        for (final SupervisorFaults fault : values()) {
            BY_CODE.put(fault.code, fault);
        }
    }

    private final int code;

    SupervisorFaults(final int code) {
        this.code = code;
    }

    /**
     * The fault's code.
     *
     * @return the code; -1 for UNKNOWN
     */
    public int getValue() {
        return this.code;
    }

    /**
     * The fault of a code.
     *
     * @param faultCode the code
     * @return the fault; UNKNOWN for a code this client does not know
     */
    public static SupervisorFaults getFault(final int faultCode) {
        return BY_CODE.getOrDefault(faultCode, UNKNOWN);
    }
}
