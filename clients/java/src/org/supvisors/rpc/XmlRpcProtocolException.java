package org.supvisors.rpc;

/**
 * The reply is not what the call expects: not XML-RPC at all (an HTML
 * page, truncated XML), or XML-RPC of another shape (a string where a
 * struct was expected, a key of the wrong type).
 */
public class XmlRpcProtocolException extends XmlRpcException {
    private static final long serialVersionUID = 1L;

    /**
     * A reply the client cannot read.
     *
     * @param message what is wrong with it
     * @param cause the exception that found it, or null
     */
    public XmlRpcProtocolException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
