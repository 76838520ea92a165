import org.supvisors.rpc.*;

/**
 * The spec's Java example ("XML-RPC Clients", "JAVA Client"), unchanged:
 * its import above, its statements in main. It needs an agent on
 * 10.0.0.1:60000 with user toto and password p@$$w0rd (the integration
 * test gives it one in a network namespace of its own).
 */
public class SpecSnippet {
    /**
     * Runs the example.
     *
     * @param args none
     * @throws Exception if a call fails
     */
    public static void main(String[] args) throws Exception {
        // create proxy
        SupervisorXmlRpcClient client = new SupervisorXmlRpcClient("10.0.0.1", 60000, "toto", "p@$$w0rd");

        // Supervisor XML-RPC
        SupervisorXmlRpc supervisor = new SupervisorXmlRpc(client);
        System.out.println(supervisor.getState());

        // Supvisors XML-RPC
        SupvisorsXmlRpc supvisors = new SupvisorsXmlRpc(client);
        System.out.println(supvisors.getSupvisorsState());
    }
}
