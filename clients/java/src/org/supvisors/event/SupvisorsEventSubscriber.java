package org.supvisors.event;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.supvisors.common.SupvisorsAddressInfo;
import org.supvisors.common.SupvisorsApplicationInfo;
import org.supvisors.common.SupvisorsHostStatistics;
import org.supvisors.common.SupvisorsProcessEvent;
import org.supvisors.common.SupvisorsProcessInfo;
import org.supvisors.common.SupvisorsProcessStatistics;
import org.supvisors.common.SupvisorsStatus;
import org.supvisors.rpc.XmlRpcConnectionException;
import org.supvisors.rpc.XmlRpcException;
import org.supvisors.rpc.XmlRpcHttpException;

/**
 * Follows an agent's events and calls a {@link SupvisorsEventListener}, as
 * Supvisors' subscriber does. It reads the agent's Server-Sent Events
 * ({@code GET /events}, with the XML-RPC port and credentials) with the
 * JDK's HttpClient: Debian's JeroMQ (0.3.6) speaks an older ZeroMQ protocol
 * than the agent's ZeroMQ publication. The topics and payloads are the same.
 *
 * <pre>
 * SupvisorsEventSubscriber subscriber = new SupvisorsEventSubscriber("10.0.0.1", 60000, "user", "pass");
 * subscriber.subscribeToProcessStatus();
 * subscriber.setListener(new SupvisorsEventListener() {
 *     public void onProcessStatus(SupvisorsProcessInfo status) { System.out.println(status); }
 * });
 * new Thread(subscriber).start();   // ... subscriber.stop();
 * </pre>
 *
 * The stream starts with the current state (one supvisors status, every
 * address, application and process of the topics subscribed), then the
 * changes. Subscribe before run.
 */
public class SupvisorsEventSubscriber implements Runnable {
    private static final Logger LOGGER = Logger.getLogger("org.supvisors.event");

    private final URI base;
    private final String authorization;
    private final HttpClient http;
    private final Set<String> topics = new LinkedHashSet<>();
    private volatile SupvisorsEventListener listener = new SupvisorsEventListener() {
    };
    private volatile InputStream body;
    private volatile boolean stopped;
    private volatile Exception failure;

    /**
     * A subscriber of the agent at host:port (its inet_http_server).
     *
     * @param host the agent's address
     * @param port its XML-RPC port
     * @param user the user name, or null without auth
     * @param password the password
     */
    public SupvisorsEventSubscriber(final String host, final int port, final String user, final String password) {
        this.base = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/events");
        this.authorization = user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Sets the callbacks.
     *
     * @param listener the listener
     */
    public void setListener(final SupvisorsEventListener listener) {
        this.listener = listener;
    }

    /** Subscribes to every topic (the default when nothing is subscribed). */
    public void subscribeToAll() {
        topics.clear();
    }

    /** Subscribes to the Supvisors state. */
    public void subscribeToSupvisorsStatus() {
        topics.add("supvisors");
    }

    /** Subscribes to the addresses. */
    public void subscribeToAddressStatus() {
        topics.add("address");
    }

    /** Subscribes to the applications. */
    public void subscribeToApplicationStatus() {
        topics.add("application");
    }

    /** Subscribes to the processes of the cluster. */
    public void subscribeToProcessStatus() {
        topics.add("process");
    }

    /** Subscribes to the state changes of the agent's processes. */
    public void subscribeToProcessEvent() {
        topics.add("event");
    }

    /** Subscribes to the agent's host statistics. */
    public void subscribeToHostStatistics() {
        topics.add("hstats");
    }

    /** Subscribes to the agent's process statistics. */
    public void subscribeToProcessStatistics() {
        topics.add("pstats");
    }

    /** Ends run: it returns soon, without failure. */
    public void stop() {
        stopped = true;
        final InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (final IOException e) {
                LOGGER.log(Level.FINE, "closing the event stream", e);
            }
        }
    }

    /**
     * Why run ended, if it was not stop.
     *
     * @return the failure, or null
     */
    public Exception getFailure() {
        return failure;
    }

    /** Follows the stream until stop, a failure (see getFailure) or the agent's end of it. */
    @Override
    public void run() {
        try {
            listen();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final XmlRpcException | IOException | RuntimeException e) {
            if (!stopped) {
                failure = e;
                LOGGER.log(Level.WARNING, "event stream of " + base + " ended", e);
            }
        }
    }

    /**
     * Follows the stream, calling the listener, until stop or the agent
     * ends it.
     *
     * @throws XmlRpcConnectionException when the agent cannot be reached
     * @throws XmlRpcHttpException when it answers other than 200 (401: bad credentials, 400: a bad topic)
     * @throws XmlRpcException never otherwise (the common parent of the two)
     * @throws IOException when the stream breaks, or the agent drops this subscriber for lagging
     * @throws InterruptedException if the thread is interrupted while connecting
     * @throws IllegalArgumentException when a payload is not a JSON object of its topic
     */
    public void listen() throws XmlRpcException, IOException, InterruptedException {
        final URI uri = topics.isEmpty() ? base : URI.create(base + "?topics=" + String.join(",", topics));
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        final HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (final java.net.ConnectException e) {
            throw new XmlRpcConnectionException("cannot connect to " + uri + ": " + e.getMessage(), e);
        }
        body = response.body();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                throw new XmlRpcHttpException(response.statusCode(), "GET " + uri + ": HTTP " + response.statusCode());
            }
            if (stopped) {
                return;
            }
            String topic = null;
            String data = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty()) {
                    if (topic != null && data != null) {
                        dispatch(topic, Json.object(data));
                    }
                    topic = null;
                    data = null;
                } else if (line.startsWith("event: ")) {
                    topic = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.startsWith(": dropped")) {
                    throw new IOException("the agent dropped this subscriber" + line.substring(9));
                }
            }
        } catch (final IOException e) {
            if (!stopped) {
                throw e;
            }
        }
    }

    private void dispatch(final String topic, final Map<String, Object> data) {
        final SupvisorsEventListener l = listener;
        switch (topic) {
            case "supvisors" -> l.onSupvisorsStatus(new SupvisorsStatus(data));
            case "address" -> l.onAddressStatus(new SupvisorsAddressInfo(data));
            case "application" -> l.onApplicationStatus(new SupvisorsApplicationInfo(data));
            case "process" -> l.onProcessStatus(new SupvisorsProcessInfo(data));
            case "event" -> l.onProcessEvent(new SupvisorsProcessEvent(data));
            case "hstats" -> l.onHostStatistics(new SupvisorsHostStatistics(doubles(data)));
            case "pstats" -> l.onProcessStatistics(new SupvisorsProcessStatistics(doubles(data)));
            default -> LOGGER.fine("unknown topic " + topic);
        }
    }

    /**
     * The statistics' figures as XML-RPC's doubles: JSON writes 0.0 as 0,
     * which reads as an int. The period and the pid stay ints.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> doubles(final Map<String, Object> data) {
        for (final Map.Entry<String, Object> e : data.entrySet()) {
            if (!e.getKey().equals("period") && !e.getKey().equals("pid")) {
                e.setValue(asDoubles(e.getValue()));
            }
        }
        return data;
    }

    @SuppressWarnings("unchecked")
    private static Object asDoubles(final Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Object[]) {
            final Object[] array = (Object[]) value;
            for (int i = 0; i < array.length; i++) {
                array[i] = asDoubles(array[i]);
            }
        } else if (value instanceof Map) {
            ((Map<String, Object>) value).replaceAll((k, v) -> asDoubles(v));
        }
        return value;
    }
}
