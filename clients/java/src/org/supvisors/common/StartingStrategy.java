package org.supvisors.common;

/** The strategy that chooses the address where a process starts. */
public enum StartingStrategy {
    /** The first address of the rules that can take the process. */
    CONFIG(0),
    /** The address with the lowest load that can take the process. */
    LESS_LOADED(1),
    /** The address with the highest load that can take the process. */
    MOST_LOADED(2),
    /** The address that received the request. */
    LOCAL(3),
    /** Of the host (host_name) with the lowest load summed over its addresses, its least loaded address. */
    LESS_LOADED_NODE(4),
    /** Of the host (host_name) with the highest load summed over its addresses, its most loaded address. */
    MOST_LOADED_NODE(5),
    /** A strategy this client does not know (a newer server); it cannot be sent. */
    UNKNOWN(-1);

    private final int code;

    StartingStrategy(final int code) {
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
