package org.supvisors.rpc;

/**
 * The server answered with an HTTP status other than 200: 401 for a
 * missing or wrong user name or password.
 */
public class XmlRpcHttpException extends XmlRpcException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;

    /**
     * An HTTP error.
     *
     * @param statusCode the HTTP status
     * @param message what went wrong
     */
    public XmlRpcHttpException(final int statusCode, final String message) {
        super(message);
        this.statusCode = statusCode;
    }

    /**
     * The HTTP status the server answered.
     *
     * @return the status, e.g. 401
     */
    public int getStatusCode() {
        return this.statusCode;
    }
}
