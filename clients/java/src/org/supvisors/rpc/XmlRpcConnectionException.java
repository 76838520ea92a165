package org.supvisors.rpc;

/** The server could not be reached (connection refused), or the connection broke before the reply. */
public class XmlRpcConnectionException extends XmlRpcException {
    private static final long serialVersionUID = 1L;

    /**
     * A connection failure.
     *
     * @param message what went wrong
     * @param cause the I/O exception
     */
    public XmlRpcConnectionException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
