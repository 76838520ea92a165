package org.supvisors.rpc;

import java.util.HashMap;
import java.util.List;
import org.supvisors.common.DataConversion;

/** The system namespace: introspection and multicall. */
public class SystemXmlRpc {
    private static final String NAMESPACE = "system.";

    private final SupervisorXmlRpcClient client;

    /**
     * The system namespace of client's agent.
     *
     * @param client the connection
     */
    public SystemXmlRpc(final SupervisorXmlRpcClient client) {
        this.client = client;
    }

    /**
     * The methods the agent serves.
     *
     * @return their names, e.g. "supervisor.getState"
     * @throws XmlRpcException if the call fails
     */
    public List<String> listMethods() throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "listMethods", null, Object[].class, DataConversion::arrayToStringList);
    }

    /**
     * The documentation of a method.
     *
     * @param methodName the method
     * @return its documentation
     * @throws XmlRpcException if the call fails (SIGNATURE_UNSUPPORTED for an unknown method)
     */
    public String methodHelp(final String methodName) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "methodHelp", new Object[]{methodName}, String.class);
    }

    /**
     * The signature of a method: the type of its result, then those of its parameters.
     *
     * @param methodName the method
     * @return the types, e.g. ["struct", "string"]
     * @throws XmlRpcException if the call fails (SIGNATURE_UNSUPPORTED for an unknown method)
     */
    public List<String> methodSignature(final String methodName) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "methodSignature", new Object[]{methodName}, Object[].class,
            DataConversion::arrayToStringList);
    }

    /**
     * Calls several methods in one request.
     *
     * @param arrayCalls the calls, each made by {@link #createCall}
     * @return each call's result, in order: its value, or a struct with faultCode and faultString
     * @throws XmlRpcException if the multicall itself fails
     */
    public Object[] multicall(final Object[] arrayCalls) throws XmlRpcException {
        return client.rpcCall(NAMESPACE + "multicall", new Object[]{arrayCalls}, Object[].class);
    }

    /**
     * A call for {@link #multicall}.
     *
     * @param methodName the method
     * @param args its parameters, or null for none
     * @return the call
     */
    public static HashMap<String, Object> createCall(final String methodName, final Object[] args) {
        final HashMap<String, Object> call = new HashMap<>();
        call.put("methodName", methodName);
        if (args != null) {
            call.put("params", args);
        }
        return call;
    }
}
