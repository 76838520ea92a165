package org.supvisors.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.supvisors.common.SupervisorFaults;
import org.supvisors.rpc.XmlRpcException;
import org.supvisors.rpc.XmlRpcFaultException;

/**
 * A small test runner: named tests run in order, each failing on its first
 * broken check, then a closing line "N passed, N failed". Its checks throw
 * {@link Failure}; any other exception fails the test too, with its stack.
 */
final class Check {

    /** A test's body. */
    interface Body {
        /** Runs the test. */
        void run() throws Exception;
    }

    /** A broken check: the message says what was got and what was wanted. */
    static final class Failure extends AssertionError {
        private static final long serialVersionUID = 1L;

        Failure(final String message) {
            super(message);
        }
    }

    private record Test(String name, Body body) {
    }

    private final List<Test> tests = new ArrayList<>();

    /** Adds a test. */
    void test(final String name, final Body body) {
        tests.add(new Test(name, body));
    }

    /** Runs the tests in order, prints each result and the closing line; returns the number failed. */
    int run() {
        int passed = 0;
        int failed = 0;
        for (final Test t : tests) {
            final long start = System.nanoTime();
            try {
                t.body().run();
                passed++;
                System.out.printf("--- PASS: %s (%d ms)%n", t.name(), (System.nanoTime() - start) / 1_000_000);
            } catch (Failure f) {
                failed++;
                System.out.printf("--- FAIL: %s: %s%n", t.name(), f.getMessage());
            } catch (Throwable e) {
                failed++;
                System.out.printf("--- FAIL: %s: unexpected %s%n", t.name(), e);
                e.printStackTrace(System.out);
            }
        }
        System.out.printf("%d passed, %d failed%n", passed, failed);
        return failed;
    }

    /** Fails with message. */
    static Failure fail(final String message) {
        throw new Failure(message);
    }

    /** Checks got equals want. */
    static void equal(final String what, final Object got, final Object want) {
        if (!Objects.equals(got, want)) {
            fail(what + ": got " + show(got) + ", want " + show(want));
        }
    }

    /** Checks cond, with detail when it does not hold. */
    static void isTrue(final String what, final boolean cond, final Object detail) {
        if (!cond) {
            fail(what + ": " + show(detail));
        }
    }

    /** Checks text matches regex in full. */
    static void matches(final String what, final String text, final String regex) {
        if (text == null || !Pattern.compile(regex, Pattern.DOTALL).matcher(text).matches()) {
            fail(what + ": " + show(text) + " does not match " + regex);
        }
    }

    /** Runs body, which must throw an exception of type; returns it. */
    static <E extends Throwable> E raises(final String what, final Class<E> type, final Body body) {
        try {
            body.run();
        } catch (Throwable e) {
            if (type.isInstance(e)) {
                return type.cast(e);
            }
            fail(what + ": threw " + e + ", want a " + type.getSimpleName());
        }
        throw fail(what + ": threw nothing, want a " + type.getSimpleName());
    }

    /**
     * Runs body, which must fail with fault want: its code, its name, and a
     * message that starts with "NAME (code)".
     */
    static XmlRpcFaultException fault(final String what, final SupervisorFaults want, final Body body) {
        final XmlRpcFaultException e = raises(what, XmlRpcFaultException.class, body);
        final String head = want.name() + " (" + want.getValue() + ")";
        if (e.getCode() != want.getValue() || e.code != want.getValue() || e.getFault() != want
                || !want.name().equals(e.getFaultName()) || !e.getMessage().startsWith(head)
                || !e.getFaultString().startsWith(want.name())) {
            fail(what + ": fault " + e.getCode() + " '" + e.getMessage() + "' (fault string '" + e.getFaultString()
                + "'), want " + head);
        }
        return e;
    }

    /**
     * Polls cond until it holds, at most timeout, with growing pauses (1 to
     * 100 ms) between polls; an XmlRpcException counts as not yet (an agent
     * restarting). Past the deadline, fails with cond's last answer.
     */
    static <T> T waitFor(final String what, final Duration timeout, final Callable<T> value,
            final java.util.function.Predicate<T> cond) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (true) {
            Object last;
            try {
                final T v = value.call();
                if (cond.test(v)) {
                    return v;
                }
                last = v;
            } catch (XmlRpcException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw fail(what + ": not within " + timeout.toMillis() + " ms; last: " + show(last));
            }
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 100);
        }
    }

    /** value for messages: strings quoted. */
    static String show(final Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

}
