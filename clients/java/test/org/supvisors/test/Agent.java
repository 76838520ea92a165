package org.supvisors.test;

import java.net.MalformedURLException;
import java.util.Map;
import org.supvisors.rpc.SupervisorXmlRpc;
import org.supvisors.rpc.SupervisorXmlRpcClient;
import org.supvisors.rpc.SupvisorsXmlRpc;
import org.supvisors.rpc.SystemXmlRpc;

/** An agent the Go test started, from the settings it passed: host, port, user, password, pid... */
final class Agent {
    final String host;
    final int port;
    final String user;
    final String password;
    final Map<String, String> settings;
    final String prefix;
    final SupervisorXmlRpcClient client;
    final SystemXmlRpc system;
    final SupervisorXmlRpc supervisor;
    final SupvisorsXmlRpc supvisors;

    /** The agent whose settings are prefix + key (prefix "2." for a cluster's second node). */
    Agent(final Map<String, String> settings, final String prefix) throws MalformedURLException {
        this.settings = settings;
        this.prefix = prefix;
        this.host = get("host");
        this.port = Integer.parseInt(get("port"));
        this.user = get("user");
        this.password = get("password");
        this.client = new SupervisorXmlRpcClient(host, port, user, password);
        this.system = new SystemXmlRpc(client);
        this.supervisor = new SupervisorXmlRpc(client);
        this.supvisors = new SupvisorsXmlRpc(client);
    }

    /** The setting prefix + key, which must be there. */
    String get(final String key) {
        final String value = settings.get(prefix + key);
        if (value == null) {
            throw new IllegalArgumentException("no setting " + prefix + key);
        }
        return value;
    }
}
