package org.supvisors.test;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs the Java client's test suites: {@code ClientTests SUITE... [key=value...]}
 * with the suites offline (values and transport errors, against servers of
 * the test's own), supervisor (one agent) and supvisors (a 3-node cluster);
 * the keys say where the agents are. Prints "N passed, N failed" last and
 * exits 1 if a test failed.
 */
public final class ClientTests {

    private ClientTests() {
    }

    /**
     * Runs the suites named in args.
     *
     * @param args suite names, then key=value settings
     * @throws Exception if a suite cannot be set up
     */
    public static void main(final String[] args) throws Exception {
        final Map<String, String> settings = new HashMap<>();
        for (final String arg : args) {
            final int eq = arg.indexOf('=');
            if (eq > 0) {
                settings.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
        }
        final Check check = new Check();
        for (final String arg : args) {
            switch (arg.contains("=") ? "" : arg) {
                case "" -> {
                    // A setting, read above.
                }
                case "offline" -> {
                    ValueTests.register(check);
                    TransportTests.register(check);
                }
                case "supervisor" -> SupervisorTests.register(check, new Agent(settings, ""));
                case "supvisors" -> SupvisorsTests.register(check, settings);
                case "events" -> EventTests.register(check, new Agent(settings, ""));
                default -> throw new IllegalArgumentException("unknown suite " + arg);
            }
        }
        System.exit(check.run() == 0 ? 0 : 1);
    }
}
