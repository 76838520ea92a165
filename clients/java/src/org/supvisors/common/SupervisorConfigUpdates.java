package org.supvisors.common;

import java.util.List;

/** What reading the configuration again would change: supervisor.reloadConfig(). */
public class SupervisorConfigUpdates {
    private final List<String> added;
    private final List<String> changed;
    private final List<String> removed;

    /**
     * Reads the changes from the reply: an array holding one array of three
     * arrays of group names (added, changed, removed).
     *
     * @param objectsArray the reply
     * @throws IllegalArgumentException if the reply has another shape
     */
    public SupervisorConfigUpdates(final Object[] objectsArray) {
        final Object[] array = Fields.element(objectsArray, 0, Object[].class, "an array");
        this.added = Fields.stringList("added", Fields.element(array, 0, Object[].class, "an array"));
        this.changed = Fields.stringList("changed", Fields.element(array, 1, Object[].class, "an array"));
        this.removed = Fields.stringList("removed", Fields.element(array, 2, Object[].class, "an array"));
    }

    /**
     * The groups added to the configuration.
     *
     * @return the names
     */
    public List<String> getAdded() {
        return this.added;
    }

    /**
     * The groups whose configuration changed.
     *
     * @return the names
     */
    public List<String> getChanged() {
        return this.changed;
    }

    /**
     * The groups removed from the configuration.
     *
     * @return the names
     */
    public List<String> getRemoved() {
        return this.removed;
    }

    /**
     * The changes, printable as upstream's client prints them.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupervisorConfigUpdates(added=" + this.added
            + " changed=" + this.changed + " removed=" + this.removed + ")";
    }
}
