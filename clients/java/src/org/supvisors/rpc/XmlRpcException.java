package org.supvisors.rpc;

/**
 * A call that failed: the base of every exception of the client. A fault
 * of the server is an {@link XmlRpcFaultException}; the other subclasses
 * say what went wrong on the way (connection, HTTP status, timeout, a reply
 * that is not XML-RPC).
 */
public class XmlRpcException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * The fault code; 0 when the call failed outside the server's method.
     * A public field, as Apache XML-RPC's exception has, for code written
     * against it; {@link #getCode()} gives the same.
     */
    public final int code;

    /**
     * An exception with no fault code.
     *
     * @param message what went wrong
     */
    public XmlRpcException(final String message) {
        this(0, message, null);
    }

    /**
     * An exception with no fault code, caused by another.
     *
     * @param message what went wrong
     * @param cause the exception that caused it
     */
    public XmlRpcException(final String message, final Throwable cause) {
        this(0, message, cause);
    }

    /**
     * An exception with a fault code.
     *
     * @param code the fault code
     * @param message what went wrong
     * @param cause the exception that caused it, or null
     */
    protected XmlRpcException(final int code, final String message, final Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * The fault code; 0 when the call failed outside the server's method.
     *
     * @return the code
     */
    public int getCode() {
        return this.code;
    }
}
