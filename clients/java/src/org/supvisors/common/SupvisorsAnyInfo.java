package org.supvisors.common;

/** A value that a list reply is keyed by: its name. */
public interface SupvisorsAnyInfo {
    /**
     * The value's name: a namespec, an address or an application name.
     *
     * @return the name
     */
    String getName();
}
