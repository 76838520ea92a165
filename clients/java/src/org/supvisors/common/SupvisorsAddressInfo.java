package org.supvisors.common;

import java.util.Map;

/** An address of the cluster as a node sees it: supvisors.get_address_info(). */
public class SupvisorsAddressInfo implements SupvisorsAnyInfo {

    /** The states of an address, with their codes. */
    public enum State {
        /** Not heard of yet (also what a state this client does not know reads as). */
        UNKNOWN(0),
        /** Heard of; its state is being fetched. */
        CHECKING(1),
        /** A member of the cluster. */
        RUNNING(2),
        /** Lost. */
        SILENT(3),
        /** Being fenced off. */
        ISOLATING(4),
        /** Fenced off. */
        ISOLATED(5);

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

    private final String addressName;
    private final State statename;
    private final Integer remoteTime;
    private final Integer localTime;
    private final Integer loading;

    /**
     * Reads an address from its struct.
     *
     * @param addressInfo the struct
     * @throws IllegalArgumentException if a key has the wrong type
     */
    public SupvisorsAddressInfo(final Map<String, ?> addressInfo) {
        this.addressName = Fields.string(addressInfo, "address_name");
        this.statename = Fields.named(State.class, Fields.string(addressInfo, "statename"), State.UNKNOWN);
        this.remoteTime = Fields.integer(addressInfo, "remote_time");
        this.localTime = Fields.integer(addressInfo, "local_time");
        this.loading = Fields.integer(addressInfo, "loading");
    }

    /**
     * The address's name, as in address_list.
     *
     * @return the name
     */
    @Override
    public String getName() {
        return this.addressName;
    }

    /**
     * The address's state.
     *
     * @return the state
     */
    public State getState() {
        return this.statename;
    }

    /**
     * When the address last sent its state, by its own clock, in seconds since the epoch.
     *
     * @return the time
     */
    public Integer getRemoteTime() {
        return this.remoteTime;
    }

    /**
     * When the address last sent its state, by the clock of the node asked, in seconds since the epoch.
     *
     * @return the time
     */
    public Integer getLocalTime() {
        return this.localTime;
    }

    /**
     * The sum of the loadings of the processes running on the address, in percent.
     *
     * @return the loading
     */
    public Integer getLoading() {
        return this.loading;
    }

    /**
     * The address, printable as upstream's client prints it.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupvisorsAddressInfo(name=" + this.addressName
            + " state=" + this.statename + " remoteTime=" + this.remoteTime
            + " localTime=" + this.localTime + " loading=" + this.loading + ")";
    }
}
