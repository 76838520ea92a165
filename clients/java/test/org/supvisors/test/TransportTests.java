package org.supvisors.test;

import static org.supvisors.test.Check.equal;
import static org.supvisors.test.Check.isTrue;
import static org.supvisors.test.Check.matches;
import static org.supvisors.test.Check.raises;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.supvisors.common.SupervisorFaults;
import org.supvisors.rpc.SupervisorXmlRpc;
import org.supvisors.rpc.SupervisorXmlRpcClient;
import org.supvisors.rpc.XmlRpcConnectionException;
import org.supvisors.rpc.XmlRpcFaultException;
import org.supvisors.rpc.XmlRpcHttpException;
import org.supvisors.rpc.XmlRpcProtocolException;
import org.supvisors.rpc.XmlRpcTimeoutException;

/**
 * The client's wire, against HTTP servers of the test's own that answer
 * what no agent would: the request it sends, every XML-RPC type it reads,
 * faults, replies that are not XML-RPC, HTTP errors, timeouts and broken
 * connections. Each is a clear exception.
 */
final class TransportTests {

    private TransportTests() {
    }

    /** What the fake server answers. */
    interface Answer {
        /** Answers the exchange. */
        void answer(HttpExchange exchange) throws IOException;
    }

    /** An HTTP server on 127.0.0.1 that answers /RPC2 as told and keeps the last request. */
    private static final class FakeServer implements AutoCloseable {
        private final HttpServer server;
        volatile Answer answer;
        volatile String lastBody;
        volatile String lastAuthorization;
        volatile String lastContentType;

        FakeServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/RPC2", exchange -> {
                lastBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
                lastContentType = exchange.getRequestHeaders().getFirst("Content-Type");
                answer.answer(exchange);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        SupervisorXmlRpcClient client() throws IOException {
            return new SupervisorXmlRpcClient("127.0.0.1", port(), "user", "pw");
        }

        /** Answers status with body of contentType. */
        void reply(final int status, final String contentType, final String body) {
            answer = exchange -> {
                final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", contentType);
                exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            };
        }

        /** Answers an XML-RPC value. */
        void value(final String valueXml) {
            reply(200, "text/xml", "<?xml version=\"1.0\"?>\n<methodResponse><params><param><value>" + valueXml
                + "</value></param></params></methodResponse>\n");
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static void register(final Check check) {
        check.test("transport: the request", () -> {
            try (FakeServer s = new FakeServer()) {
                s.value("<boolean>1</boolean>");
                final Map<String, Object> struct = new java.util.LinkedHashMap<>();
                struct.put("k", List.of(1, "s"));
                s.client().rpcCall("x.echo", new Object[]{"a<&>\r\"b", 7, 5_000_000_000L, 3L, true, 1.5,
                    new byte[]{1, 2}, struct, LocalDateTime.of(2024, 5, 6, 7, 8, 9)}, Boolean.class);
                equal("the body", s.lastBody, "<?xml version=\"1.0\"?>\n<methodCall><methodName>x.echo</methodName><params>"
                    + "<param><value><string>a&lt;&amp;&gt;&#13;\"b</string></value></param>"
                    + "<param><value><int>7</int></value></param>"
                    + "<param><value><i8>5000000000</i8></value></param>"
                    + "<param><value><int>3</int></value></param>"
                    + "<param><value><boolean>1</boolean></value></param>"
                    + "<param><value><double>1.5</double></value></param>"
                    + "<param><value><base64>AQI=</base64></value></param>"
                    + "<param><value><struct><member><name>k</name><value><array><data><value><int>1</int></value>"
                    + "<value><string>s</string></value></data></array></value></member></struct></value></param>"
                    + "<param><value><dateTime.iso8601>20240506T07:08:09</dateTime.iso8601></value></param>"
                    + "</params></methodCall>\n");
                equal("basic authentication", s.lastAuthorization, "Basic dXNlcjpwdw==");
                equal("the content type", s.lastContentType, "text/xml");
                new SupervisorXmlRpcClient("127.0.0.1", s.port()).rpcCall("x.none", null, Boolean.class);
                equal("no parameters", s.lastBody, "<?xml version=\"1.0\"?>\n<methodCall><methodName>x.none</methodName>"
                    + "<params></params></methodCall>\n");
                equal("no user, no authentication", s.lastAuthorization, null);

                s.lastBody = null;
                equal("a null parameter", raises("null", IllegalArgumentException.class,
                    () -> s.client().rpcCall("x.null", new Object[]{"a", null}, Boolean.class)).getMessage(),
                    "parameter 2 is null: XML-RPC has no null");
                equal("a control character", raises("U+0001", IllegalArgumentException.class,
                    () -> new SupervisorXmlRpc(s.client()).sendProcessStdin("p", "\u0001")).getMessage(),
                    "parameter 2 holds the character U+0001, which XML cannot carry");
                equal("nothing sent for them", s.lastBody, null);
            }
        });

        check.test("transport: every XML-RPC type of a reply", () -> {
            try (FakeServer s = new FakeServer()) {
                s.value("\n <struct>\n  <member><name>i4</name><value><i4>-4</i4></value></member>\n"
                    + "  <member><name>int</name><value><int> 2147483647 </int></value></member>"
                    + "<member><name>i8</name><value><i8>9000000000</i8></value></member>"
                    + "<member><name>ex:i8</name><value><ex:i8 xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">8</ex:i8></value></member>"
                    + "<member><name>bool</name><value><boolean>0</boolean></value></member>"
                    + "<member><name>string</name><value><string>a &lt;b&gt; &amp; <![CDATA[<c>]]></string></value></member>"
                    + "<member><name>untyped</name><value>plain text</value></member>"
                    + "<member><name>empty</name><value/></member>"
                    + "<member><name>double</name><value><double>-0.5</double></value></member>"
                    + "<member><name>date</name><value><dateTime.iso8601>20240506T07:08:09</dateTime.iso8601></value></member>"
                    + "<member><name>base64</name><value><base64>AQI=</base64></value></member>"
                    + "<member><name>nil</name><value><nil/></value></member>"
                    + "<!-- a comment --><member><name>array</name><value><array><data><value><array><data>"
                    + "<value>x</value></data></array></value><value><struct></struct></value></data></array></value></member>"
                    + "\n </struct>\n");
                final HashMap<?, ?> v = s.client().rpcCall("x.types", null, HashMap.class);
                equal("the keys, in order", new ArrayList<>(v.keySet()), List.of("i4", "int", "i8", "ex:i8", "bool", "string",
                    "untyped", "empty", "double", "date", "base64", "nil", "array"));
                equal("i4", v.get("i4"), -4);
                equal("int", v.get("int"), Integer.MAX_VALUE);
                equal("i8", v.get("i8"), 9_000_000_000L);
                equal("an i8 of Apache's extensions", v.get("ex:i8"), 8L);
                equal("boolean", v.get("bool"), false);
                equal("string", v.get("string"), "a <b> & <c>");
                equal("untyped", v.get("untyped"), "plain text");
                equal("empty", v.get("empty"), "");
                equal("double", v.get("double"), -0.5);
                equal("dateTime", v.get("date"), LocalDateTime.of(2024, 5, 6, 7, 8, 9));
                isTrue("base64", Arrays.equals((byte[]) v.get("base64"), new byte[]{1, 2}), v.get("base64"));
                isTrue("nil", v.containsKey("nil") && v.get("nil") == null, v.get("nil"));
                final Object[] array = (Object[]) v.get("array");
                equal("nested array", Arrays.asList((Object[]) array[0]), List.of("x"));
                equal("empty struct", array[1], Map.of());
            }
        });

        check.test("transport: faults", () -> {
            try (FakeServer s = new FakeServer()) {
                final SupervisorXmlRpc sup = new SupervisorXmlRpc(s.client());
                s.reply(200, "text/xml", fault(10, "BAD_NAME: nosuch"));
                final XmlRpcFaultException known = raises("BAD_NAME", XmlRpcFaultException.class, () -> sup.getProcessInfo("nosuch"));
                equal("its message", known.getMessage(), "BAD_NAME (10): nosuch (call supervisor.getProcessInfo on http://127.0.0.1:"
                    + s.port() + "/RPC2)");
                s.reply(200, "text/xml", fault(999, "FUTURE_FAULT: later"));
                final XmlRpcFaultException future = raises("999", XmlRpcFaultException.class, sup::getState);
                equal("an unknown code", List.of(future.getCode(), future.getFaultName(), future.getFault()),
                    List.of(999, "FUTURE_FAULT", SupervisorFaults.UNKNOWN));
                isTrue("its message", future.getMessage().startsWith("FUTURE_FAULT (999): later (call supervisor.getState"),
                    future.getMessage());
                s.reply(200, "text/xml", fault(5, "something broke"));
                isTrue("a fault string with no name", raises("5", XmlRpcFaultException.class, sup::getState).getMessage()
                    .startsWith("UNKNOWN (5): something broke"), "");
                s.reply(200, "text/xml", fault(103, "BAD_STRATEGY"));
                isTrue("a fault string with no detail", raises("103", XmlRpcFaultException.class, sup::getState).getMessage()
                    .startsWith("BAD_STRATEGY (103) (call "), "");
                s.reply(200, "text/xml", "<methodResponse><fault><value><struct><member><name>faultCode</name>"
                    + "<value><string>10</string></value></member></struct></value></fault></methodResponse>");
                isTrue("a malformed fault", raises("bad fault", XmlRpcProtocolException.class, sup::getState).getMessage()
                    .contains("the fault lacks an int faultCode and a string faultString"), "");
            }
        });

        check.test("transport: replies that are not XML-RPC", () -> {
            try (FakeServer s = new FakeServer()) {
                final SupervisorXmlRpc sup = new SupervisorXmlRpc(s.client());
                final String url = "call supervisor.getState on http://127.0.0.1:" + s.port() + "/RPC2";
                s.reply(200, "text/html", "<html><body>Welcome</body></html>");
                equal("an HTML page", raises("HTML", XmlRpcProtocolException.class, sup::getState).getMessage(),
                    url + ": the reply is not XML-RPC (Content-Type text/html): <methodResponse> expected, <html> found"
                    + " at line 1, column 7; it starts with: \"<html><body>Welcome</body></html>\"");
                s.reply(200, "text/plain", "hello");
                matches("plain text", raises("text", XmlRpcProtocolException.class, sup::getState).getMessage(),
                    ".*: the reply is not XML-RPC \\(Content-Type text/plain\\): malformed XML: .*hello\"");
                s.reply(200, "text/xml", "<methodResponse><params><param><value><struct><member><name>statename");
                matches("truncated XML", raises("truncated", XmlRpcProtocolException.class, sup::getState).getMessage(),
                    ".*: the reply is not XML-RPC \\(Content-Type text/xml\\): malformed XML: .*");
                s.reply(200, "text/xml", "");
                matches("an empty reply", raises("empty", XmlRpcProtocolException.class, sup::getState).getMessage(),
                    ".*malformed XML: .*; it starts with: \\(empty\\)");
                s.value("<int>twelve</int>");
                matches("a bad int", raises("bad int", XmlRpcProtocolException.class, sup::getPID).getMessage(),
                    ".*: bad value at line 2, column \\d+: For input string: \"twelve\";.*");
                s.value("<foo>1</foo>");
                matches("an unknown type", raises("foo", XmlRpcProtocolException.class, sup::getPID).getMessage(),
                    ".*: unknown XML-RPC type <foo> at line 2.*");
                s.value("<array><data>" + "<value><array><data>".repeat(100) + "</data></array></value>".repeat(100)
                    + "</data></array>");
                matches("values nested too deep", raises("deep", XmlRpcProtocolException.class, sup::getState).getMessage(),
                    ".*values nest deeper than 64 levels.*");
                s.reply(200, "text/xml", "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                    + "<methodResponse><params><param><value><string>&x;</string></value></param></params></methodResponse>");
                final XmlRpcProtocolException xxe = raises("an external entity", XmlRpcProtocolException.class, sup::getIdentification);
                isTrue("no file read", !xxe.getMessage().contains("root:"), xxe.getMessage());

                s.value("<string>x</string>");
                equal("a string for a struct", raises("string", XmlRpcProtocolException.class, sup::getState).getMessage(),
                    url + ": the reply is a string (\"x\"), want a struct");
                s.value("<struct><member><name>statename</name><value><int>1</int></value></member></struct>");
                equal("a key of the wrong type", raises("key", XmlRpcProtocolException.class, sup::getState).getMessage(),
                    url + ": unexpected reply: 'statename' is an int (1), want a string");
                s.value("<nil/>");
                equal("nil", raises("nil", XmlRpcProtocolException.class, sup::getState).getMessage(),
                    url + ": the reply is nil, want a struct");
            }
        });

        check.test("transport: HTTP errors", () -> {
            try (FakeServer s = new FakeServer()) {
                final SupervisorXmlRpc sup = new SupervisorXmlRpc(s.client());
                s.reply(500, "text/plain", "boom\n");
                final XmlRpcHttpException e = raises("500", XmlRpcHttpException.class, sup::getState);
                equal("500", List.of(e.getStatusCode(), e.getCode(), e.getMessage()), List.of(500, 0,
                    "call supervisor.getState on http://127.0.0.1:" + s.port() + "/RPC2: HTTP 500: \"boom\""));
                s.reply(401, "text/plain", "");
                isTrue("401", raises("401", XmlRpcHttpException.class, sup::getState).getMessage()
                    .endsWith(": HTTP 401 Unauthorized: the agent refused the user name 'user' or its password"), "");
            }
        });

        check.test("transport: timeouts", () -> {
            // A server that takes connections and never answers.
            try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                final SupervisorXmlRpcClient client = new SupervisorXmlRpcClient("127.0.0.1", silent.getLocalPort());
                client.setTimeout(Duration.ofMillis(300));
                final long start = System.nanoTime();
                final XmlRpcTimeoutException e = raises("silent", XmlRpcTimeoutException.class,
                    () -> new SupervisorXmlRpc(client).getState());
                final long ms = (System.nanoTime() - start) / 1_000_000;
                isTrue("the time it took", ms >= 300 && ms < 10_000, ms + " ms");
                equal("its message", e.getMessage(), "call supervisor.getState on http://127.0.0.1:" + silent.getLocalPort()
                    + "/RPC2: no reply within 300 ms");
            }
            // A server that sends the headers and part of the body, then nothing.
            final CountDownLatch release = new CountDownLatch(1);
            try (FakeServer s = new FakeServer()) {
                s.answer = exchange -> {
                    exchange.sendResponseHeaders(200, 1000);
                    exchange.getResponseBody().write("<?xml version=\"1.0\"?>".getBytes(StandardCharsets.UTF_8));
                    exchange.getResponseBody().flush();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                };
                final SupervisorXmlRpcClient client = s.client();
                client.setTimeout(Duration.ofMillis(300));
                raises("a stalled body", XmlRpcTimeoutException.class, () -> new SupervisorXmlRpc(client).getState());
            } finally {
                release.countDown();
            }
            final SupervisorXmlRpcClient client = new SupervisorXmlRpcClient(1);
            raises("a negative timeout", IllegalArgumentException.class, () -> client.setTimeout(Duration.ofSeconds(-1)));
            client.setTimeout(Duration.ZERO);
            equal("a zero timeout is none", client.getTimeout(), null);
        });

        check.test("transport: refused and broken connections", () -> {
            final int closed;
            try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                closed = s.getLocalPort();
            }
            final XmlRpcConnectionException refused = raises("a closed port", XmlRpcConnectionException.class,
                () -> new SupervisorXmlRpc(new SupervisorXmlRpcClient("127.0.0.1", closed)).getState());
            equal("the refused connection's message", refused.getMessage(), "call supervisor.getState on http://127.0.0.1:" + closed
                + "/RPC2: cannot connect: connection refused");
            // A server that closes every connection as soon as it has it.
            try (ServerSocket rude = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                final Thread closer = new Thread(() -> {
                    while (!rude.isClosed()) {
                        try (Socket c = rude.accept()) {
                            c.setSoLinger(true, 0);
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
                closer.setDaemon(true);
                closer.start();
                final XmlRpcConnectionException broken = raises("a closed connection", XmlRpcConnectionException.class,
                    () -> new SupervisorXmlRpc(new SupervisorXmlRpcClient("127.0.0.1", rude.getLocalPort())).getState());
                // The reset comes while connecting or once connected, as the threads go.
                matches("the broken connection's message", broken.getMessage(), "call supervisor\\.getState on http://127\\.0\\.0\\.1:"
                    + rude.getLocalPort() + "/RPC2: (cannot connect|the connection broke before the reply): .+");
            }
        });
    }

    /** A fault reply. */
    private static String fault(final int code, final String string) {
        return "<?xml version=\"1.0\"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>"
            + code + "</int></value></member><member><name>faultString</name><value><string>" + string
            + "</string></value></member></struct></value></fault></methodResponse>";
    }
}
