package org.supvisors.test;

import static org.supvisors.test.Check.equal;
import static org.supvisors.test.Check.isTrue;
import static org.supvisors.test.Check.raises;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.supvisors.common.ProcessState;
import org.supvisors.common.SupvisorsHostStatistics;
import org.supvisors.common.SupvisorsProcessEvent;
import org.supvisors.common.SupvisorsProcessInfo;
import org.supvisors.event.SupvisorsEventListener;
import org.supvisors.event.SupvisorsEventSubscriber;
import org.supvisors.rpc.XmlRpcConnectionException;
import org.supvisors.rpc.XmlRpcHttpException;

/**
 * SupvisorsEventSubscriber against one real agent whose program web runs
 * and whose statistics are sampled every second.
 */
final class EventTests {
    private EventTests() {
    }

    /** Takes from queue until an element matches, at most 20 s. */
    private static Object next(final BlockingQueue<Object> queue, final String what, final Predicate<Object> match)
            throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            final Object o = queue.poll(100, TimeUnit.MILLISECONDS);
            if (o != null && match.test(o)) {
                return o;
            }
        }
        throw Check.fail(what + ": not within 20 s");
    }

    static void register(final Check check, final Agent agent) {
        check.test("events: the snapshot, a stop, statistics", () -> {
            final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
            final SupvisorsEventSubscriber subscriber = new SupvisorsEventSubscriber(agent.host, agent.port,
                    agent.user, agent.password);
            subscriber.subscribeToProcessStatus();
            subscriber.subscribeToProcessEvent();
            subscriber.subscribeToHostStatistics();
            subscriber.setListener(new SupvisorsEventListener() {
                @Override
                public void onProcessStatus(final SupvisorsProcessInfo status) {
                    queue.add(status);
                }

                @Override
                public void onProcessEvent(final SupvisorsProcessEvent event) {
                    queue.add(event);
                }

                @Override
                public void onHostStatistics(final SupvisorsHostStatistics statistics) {
                    queue.add(statistics);
                }
            });
            final Thread thread = new Thread(subscriber);
            thread.start();
            next(queue, "the snapshot's web RUNNING", o -> o instanceof SupvisorsProcessInfo p
                    && p.getProcessName().equals("web") && p.getState() == ProcessState.RUNNING);
            agent.supervisor.stopProcess("web", true);
            final SupvisorsProcessEvent stopped = (SupvisorsProcessEvent) next(queue, "the event web STOPPED",
                    o -> o instanceof SupvisorsProcessEvent e && e.getState() == ProcessState.STOPPED);
            equal("the event's group", stopped.getGroup(), "web");
            next(queue, "the process web STOPPED", o -> o instanceof SupvisorsProcessInfo p
                    && p.getProcessName().equals("web") && p.getState() == ProcessState.STOPPED);
            final SupvisorsHostStatistics host = (SupvisorsHostStatistics) next(queue, "host statistics",
                    o -> o instanceof SupvisorsHostStatistics);
            isTrue("the host's CPU figures", !host.getCpu().isEmpty(), host.getCpu());
            equal("the statistics' period", host.getPeriod(), 1);
            subscriber.stop();
            thread.join(10_000);
            isTrue("the subscriber's thread ended", !thread.isAlive(), thread);
            equal("the subscriber's failure", subscriber.getFailure(), null);
            agent.supervisor.startProcess("web", true);
        });
        check.test("events: bad credentials", () -> {
            final XmlRpcHttpException e = raises("bad credentials", XmlRpcHttpException.class,
                    () -> new SupvisorsEventSubscriber(agent.host, agent.port, agent.user, "wrong").listen());
            equal("the status code", e.getStatusCode(), 401);
        });
        check.test("events: refused connection", () -> raises("a refused connection", XmlRpcConnectionException.class,
                () -> new SupvisorsEventSubscriber("127.0.0.1", 1, null, null).listen()));
    }
}
