package org.supvisors.event;

import org.supvisors.common.SupvisorsAddressInfo;
import org.supvisors.common.SupvisorsApplicationInfo;
import org.supvisors.common.SupvisorsHostStatistics;
import org.supvisors.common.SupvisorsProcessEvent;
import org.supvisors.common.SupvisorsProcessInfo;
import org.supvisors.common.SupvisorsProcessStatistics;
import org.supvisors.common.SupvisorsStatus;

/**
 * The callbacks of a {@link SupvisorsEventSubscriber}, one per topic, called
 * from the subscriber's thread. Each does nothing unless overridden.
 */
public interface SupvisorsEventListener {
    /**
     * A change of Supvisors' state (topic supvisors).
     *
     * @param status the state
     */
    default void onSupvisorsStatus(final SupvisorsStatus status) {
    }

    /**
     * A change of an address (topic address).
     *
     * @param status the address
     */
    default void onAddressStatus(final SupvisorsAddressInfo status) {
    }

    /**
     * A change of an application (topic application).
     *
     * @param status the application
     */
    default void onApplicationStatus(final SupvisorsApplicationInfo status) {
    }

    /**
     * A change of a process in the cluster (topic process).
     *
     * @param status the process
     */
    default void onProcessStatus(final SupvisorsProcessInfo status) {
    }

    /**
     * A state change of a process of the agent (topic event).
     *
     * @param event the event
     */
    default void onProcessEvent(final SupvisorsProcessEvent event) {
    }

    /**
     * A statistics sample of the agent's host (topic hstats).
     *
     * @param statistics the sample
     */
    default void onHostStatistics(final SupvisorsHostStatistics statistics) {
    }

    /**
     * A statistics sample of a process of the agent (topic pstats).
     *
     * @param statistics the sample
     */
    default void onProcessStatistics(final SupvisorsProcessStatistics statistics) {
    }
}
