package org.supvisors.rpc;

import java.io.IOException;
import java.net.ConnectException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.supvisors.common.DataConversion;

/**
 * The XML-RPC connection to one agent (a Supervisor daemon with Supvisors):
 * http://address:port/RPC2, with HTTP basic authentication when a user name
 * is given. The namespaces are {@link SystemXmlRpc}, {@link SupervisorXmlRpc}
 * and {@link SupvisorsXmlRpc}, each made from a client.
 *
 * <p>It rests on the JDK alone (java.net.http and javax.xml.stream): no jar
 * to add. Connections are kept alive between calls. A client is safe for
 * concurrent use by several threads.
 */
public class SupervisorXmlRpcClient {
    /** How long connecting may take when no timeout is set: an address that does not answer fails in this time. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final String url;
    private final URI uri;
    private final String userName;
    /** The Authorization header's value; null without a user name. */
    private final String authorization;
    private final HttpClient http;
    /** How long a call may take, from its start to the end of its reply; null for no limit. */
    private volatile Duration timeout;

    /**
     * A client of the agent on localhost, without authentication.
     *
     * @param port the agent's HTTP port
     * @throws MalformedURLException if the port is not one
     */
    public SupervisorXmlRpcClient(final int port) throws MalformedURLException {
        this("localhost", port, "", "");
    }

    /**
     * A client of the agent at address, without authentication.
     *
     * @param address the agent's host name or IP address
     * @param port the agent's HTTP port
     * @throws MalformedURLException if address and port make no URL
     */
    public SupervisorXmlRpcClient(final String address, final int port) throws MalformedURLException {
        this(address, port, "", "");
    }

    /**
     * A client of the agent at address, with HTTP basic authentication when
     * userName is neither null nor empty.
     *
     * @param address the agent's host name or IP address (an IPv6 address with or without brackets)
     * @param port the agent's HTTP port
     * @param userName the user name, or null or "" for none
     * @param password the password
     * @throws MalformedURLException if address and port make no URL
     */
    public SupervisorXmlRpcClient(final String address, final int port, final String userName,
            final String password) throws MalformedURLException {
        if (address == null || address.isEmpty()) {
            throw new MalformedURLException("no address");
        }
        if (port < 1 || port > 65535) {
            throw new MalformedURLException("port " + port + " is not in [1, 65535]");
        }
        final String host = address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
        try {
            this.uri = new URI("http://" + host + ":" + port + "/RPC2");
        } catch (URISyntaxException e) {
            throw (MalformedURLException) new MalformedURLException("address '" + address + "': " + e.getMessage()).initCause(e);
        }
        // A '/', '@' or '?' in address would move the rest into another part of the URL.
        if (!host.equalsIgnoreCase(this.uri.getHost()) || this.uri.getPort() != port || !"/RPC2".equals(this.uri.getPath())
                || this.uri.getRawUserInfo() != null || this.uri.getRawQuery() != null || this.uri.getRawFragment() != null) {
            throw new MalformedURLException("address '" + address + "' is no host name or IP address");
        }
        this.url = this.uri.toString();
        if (userName == null || userName.isEmpty()) {
            this.userName = null;
            this.authorization = null;
        } else {
            this.userName = userName;
            final String credentials = userName + ":" + (password == null ? "" : password);
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        }
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    }

    /**
     * The URL calls go to: http://address:port/RPC2.
     *
     * @return the URL
     */
    public String getURL() {
        return this.url;
    }

    /**
     * Sets how long a call may take, from its start to the end of its
     * reply; past it, the call throws {@link XmlRpcTimeoutException}. None
     * by default (as Supervisor's clients): a call with wait=true lasts as
     * long as the start or stop it waits for. Connecting takes at most 10
     * seconds in any case.
     *
     * @param timeout the limit; null or zero for none
     * @throws IllegalArgumentException if timeout is negative
     */
    public void setTimeout(final Duration timeout) {
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        this.timeout = timeout == null || timeout.isZero() ? null : timeout;
    }

    /**
     * How long a call may take.
     *
     * @return the limit, or null for none
     */
    public Duration getTimeout() {
        return this.timeout;
    }

    /**
     * Calls rpcName with args and returns its result as type.
     *
     * @param rpcName the method, e.g. "supvisors.get_supvisors_state"
     * @param args the parameters, or null for none
     * @param type the class of the result: String, Integer, Boolean, Double, HashMap (a struct), Object[] (an array)...
     * @param <T> the result's type
     * @return the result, never null
     * @throws XmlRpcFaultException if the server answers a fault
     * @throws XmlRpcHttpException if the server answers an HTTP error (401: bad credentials)
     * @throws XmlRpcConnectionException if the server cannot be reached, or the connection breaks
     * @throws XmlRpcTimeoutException if the reply does not come within the timeout
     * @throws XmlRpcProtocolException if the reply is not XML-RPC, or not of type
     * @throws XmlRpcException if the calling thread is interrupted
     * @throws IllegalArgumentException if a parameter cannot be sent (null, a type XML-RPC has not)
     */
    public <T> T rpcCall(final String rpcName, final Object[] args, final Class<T> type) throws XmlRpcException {
        final Object result = call(rpcName, args);
        if (!type.isInstance(result)) {
            throw new XmlRpcProtocolException(context(rpcName) + ": the reply is " + DataConversion.describe(result)
                + ", want " + wireType(type), null);
        }
        return type.cast(result);
    }

    /**
     * Calls rpcName and converts its result of class type with convert; a
     * result convert cannot read (IllegalArgumentException) is an
     * XmlRpcProtocolException.
     */
    <R, T> T rpcCall(final String rpcName, final Object[] args, final Class<R> type,
            final Function<? super R, T> convert) throws XmlRpcException {
        final R result = rpcCall(rpcName, args, type);
        try {
            return convert.apply(result);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new XmlRpcProtocolException(context(rpcName) + ": unexpected reply: " + e.getMessage(), e);
        }
    }

    /** Calls rpcName, whose result is a struct, and converts it with convert, as the other rpcCall. */
    @SuppressWarnings("unchecked")
    <T> T structCall(final String rpcName, final Object[] args, final Function<Map<String, ?>, T> convert)
            throws XmlRpcException {
        return rpcCall(rpcName, args, Map.class, map -> convert.apply((Map<String, ?>) map));
    }

    /** Calls rpcName with args and returns the decoded result. */
    private Object call(final String rpcName, final Object[] args) throws XmlRpcException {
        final byte[] body = XmlRpcCodec.encodeCall(rpcName, args);
        final Duration limit = this.timeout;
        final HttpRequest.Builder request = HttpRequest.newBuilder(this.uri)
            .header("Content-Type", "text/xml")
            .header("User-Agent", "supvisors-java-client")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (this.authorization != null) {
            request.header("Authorization", this.authorization);
        }
        if (limit != null) {
            request.timeout(limit);
        }
        final HttpResponse<byte[]> response = send(rpcName, request.build(), limit);
        if (response.statusCode() != 200) {
            throw httpError(rpcName, response);
        }
        final XmlRpcCodec.Reply reply;
        try {
            reply = XmlRpcCodec.decodeReply(response.body());
        } catch (XmlRpcCodec.MalformedReplyException e) {
            final String contentType = response.headers().firstValue("Content-Type").orElse("none");
            throw new XmlRpcProtocolException(context(rpcName) + ": the reply is not XML-RPC (Content-Type "
                + contentType + "): " + e.getMessage() + "; it starts with: " + start(response.body()), e);
        }
        if (reply.isFault()) {
            throw new XmlRpcFaultException(reply.faultCode(), reply.faultString(), rpcName, this.url);
        }
        return reply.value();
    }

    /** Sends request and waits for the whole reply, at most limit (null: no limit). */
    private HttpResponse<byte[]> send(final String rpcName, final HttpRequest request, final Duration limit)
            throws XmlRpcException {
        // The request's own timeout stops at the reply's headers: the wait
        // for the future covers the body too.
        final CompletableFuture<HttpResponse<byte[]>> future =
            this.http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return limit == null ? future.get() : future.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw timeoutError(rpcName, limit, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new XmlRpcException(context(rpcName) + ": interrupted", e);
        } catch (ExecutionException e) {
            final Throwable cause = e.getCause();
            if (cause instanceof HttpConnectTimeoutException) {
                throw new XmlRpcTimeoutException(context(rpcName) + ": cannot connect within "
                    + (limit == null ? CONNECT_TIMEOUT : limit).toMillis() + " ms", cause);
            }
            if (cause instanceof HttpTimeoutException) {
                throw timeoutError(rpcName, limit, cause);
            }
            if (cause instanceof ConnectException) {
                throw new XmlRpcConnectionException(context(rpcName) + ": cannot connect: "
                    + (cause.getMessage() == null ? "connection refused" : cause.getMessage()), cause);
            }
            if (cause instanceof IOException) {
                throw new XmlRpcConnectionException(context(rpcName) + ": the connection broke before the reply: "
                    + cause, cause);
            }
            throw new XmlRpcException(context(rpcName) + ": " + cause, cause);
        }
    }

    private XmlRpcTimeoutException timeoutError(final String rpcName, final Duration limit, final Throwable cause) {
        return new XmlRpcTimeoutException(context(rpcName) + ": no reply within " + limit.toMillis() + " ms", cause);
    }

    private XmlRpcHttpException httpError(final String rpcName, final HttpResponse<byte[]> response) {
        final int status = response.statusCode();
        if (status == 401) {
            return new XmlRpcHttpException(status, context(rpcName) + ": HTTP 401 Unauthorized: "
                + (this.userName == null ? "the agent wants a user name and password"
                    : "the agent refused the user name '" + this.userName + "' or its password"));
        }
        return new XmlRpcHttpException(status, context(rpcName) + ": HTTP " + status + ": " + start(response.body()));
    }

    /** "call METHOD on URL", the start of every message. */
    private String context(final String rpcName) {
        return "call " + rpcName + " on " + this.url;
    }

    /** The start of a reply's body, for messages. */
    private static String start(final byte[] body) {
        final String text = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "(empty)" : "\"" + text.replaceAll("\\s+", " ") + (body.length > 120 ? "...\"" : "\"");
    }

    /** The XML-RPC name of a result class, for messages. */
    private static String wireType(final Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class) {
            return "an int";
        }
        if (type == Boolean.class) {
            return "a boolean";
        }
        if (type == Double.class) {
            return "a double";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a struct";
        }
        if (type == Object[].class) {
            return "an array";
        }
        return "a " + type.getSimpleName();
    }
}
