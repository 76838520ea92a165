package org.supvisors.rpc;

import org.supvisors.common.SupervisorFaults;

/**
 * A fault the server answered: its message names the fault and its code,
 * then the detail and the call, e.g. "BAD_NAME (10): nosuch (call
 * supvisors.get_application_info on http://10.0.0.1:60000/RPC2)".
 */
public class XmlRpcFaultException extends XmlRpcException {
    private static final long serialVersionUID = 1L;

    private final String faultString;
    private final String faultName;
    private final String methodName;

    /**
     * A fault of a call.
     *
     * @param code the faultCode
     * @param faultString the faultString ("NAME" or "NAME: detail")
     * @param methodName the method called
     * @param url the server's URL
     */
    public XmlRpcFaultException(final int code, final String faultString, final String methodName, final String url) {
        super(code, message(code, faultString, methodName, url), null);
        this.faultString = faultString;
        this.faultName = name(code, faultString);
        this.methodName = methodName;
    }

    /**
     * The faultString as the server sent it ("BAD_NAME: nosuch").
     *
     * @return the fault string
     */
    public String getFaultString() {
        return this.faultString;
    }

    /**
     * The fault's name: that of its code, else the first word of the
     * faultString, else UNKNOWN.
     *
     * @return the name
     */
    public String getFaultName() {
        return this.faultName;
    }

    /**
     * The fault of the code; UNKNOWN for a code this client does not know.
     *
     * @return the fault
     */
    public SupervisorFaults getFault() {
        return SupervisorFaults.getFault(this.code);
    }

    /**
     * The method whose call got the fault.
     *
     * @return the method name
     */
    public String getMethodName() {
        return this.methodName;
    }

    private static String name(final int code, final String faultString) {
        final SupervisorFaults fault = SupervisorFaults.getFault(code);
        if (fault != SupervisorFaults.UNKNOWN) {
            return fault.name();
        }
        final String word = faultString.split(":", 2)[0].trim();
        return word.matches("[A-Z][A-Z0-9_]*") ? word : SupervisorFaults.UNKNOWN.name();
    }

    private static String message(final int code, final String faultString, final String methodName, final String url) {
        final String name = name(code, faultString);
        String detail = faultString;
        if (detail.equals(name)) {
            detail = "";
        } else if (detail.startsWith(name + ":")) {
            detail = detail.substring(name.length() + 1).trim();
        }
        return name + " (" + code + ")" + (detail.isEmpty() ? "" : ": " + detail)
            + " (call " + methodName + " on " + url + ")";
    }
}
