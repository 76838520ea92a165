package org.supvisors.common;

/** A piece of a process' log: supervisor.tailProcessStdoutLog() and the like. */
public class SupervisorLogResult {
    private final String bytes;
    private final Integer offset;
    private final Boolean overflow;

    /**
     * Reads the piece from the reply: [bytes, offset, overflow].
     *
     * @param objectsArray the reply
     * @throws IllegalArgumentException if the reply has another shape
     */
    public SupervisorLogResult(final Object[] objectsArray) {
        this.bytes = Fields.element(objectsArray, 0, String.class, "a string");
        this.offset = Fields.integer("element 1", Fields.element(objectsArray, 1, Object.class, "an int"));
        this.overflow = Fields.element(objectsArray, 2, Boolean.class, "a boolean");
    }

    /**
     * The log's text.
     *
     * @return the text
     */
    public String getBytes() {
        return this.bytes;
    }

    /**
     * The offset to ask next.
     *
     * @return the offset
     */
    public Integer getOffset() {
        return this.offset;
    }

    /**
     * Whether more was written than the length asked.
     *
     * @return the flag
     */
    public Boolean getOverflow() {
        return this.overflow;
    }

    /**
     * The piece, printable as upstream's client prints it.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "SupervisorLogResult(offset=" + this.offset
            + " overflow=" + this.overflow + " bytes=" + this.bytes + ")";
    }
}
