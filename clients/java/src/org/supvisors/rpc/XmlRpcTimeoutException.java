package org.supvisors.rpc;

/** No reply came within the client's timeout ({@link SupervisorXmlRpcClient#setTimeout}). */
public class XmlRpcTimeoutException extends XmlRpcException {
    private static final long serialVersionUID = 1L;

    /**
     * A timeout.
     *
     * @param message what went wrong
     * @param cause the exception that reported it, or null
     */
    public XmlRpcTimeoutException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
