package org.supvisors.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import org.supvisors.common.SupervisorProcessInfo;
import org.supvisors.rpc.SupervisorXmlRpc;
import org.supvisors.rpc.SupervisorXmlRpcClient;

/**
 * Measures supervisor.getAllProcessInfo() (typed result) against one agent:
 * {@code Bench HOST PORT USER PASSWORD N [WARMUP]} makes WARMUP calls (200
 * by default, for the JIT), then N timed calls one after the other on one
 * connection, and prints "p50=MS p99=MS n=N".
 */
public final class Bench {

    private Bench() {
    }

    /**
     * Runs the measure.
     *
     * @param args host, port, user, password, calls, warm-up calls
     * @throws Exception if a call fails
     */
    public static void main(final String[] args) throws Exception {
        if (args.length < 5 || args.length > 6) {
            System.err.println("usage: Bench HOST PORT USER PASSWORD N [WARMUP]");
            System.exit(2);
        }
        final SupervisorXmlRpc supervisor = new SupervisorXmlRpc(
            new SupervisorXmlRpcClient(args[0], Integer.parseInt(args[1]), args[2], args[3]));
        final int n = Integer.parseInt(args[4]);
        final int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 200;
        int processes = 0;
        for (int i = 0; i < warmup; i++) {
            processes = supervisor.getAllProcessInfo().size();
        }
        final long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            final long start = System.nanoTime();
            final HashMap<String, SupervisorProcessInfo> all = supervisor.getAllProcessInfo();
            nanos[i] = System.nanoTime() - start;
            processes = all.size();
        }
        Arrays.sort(nanos);
        System.err.printf("%d processes, %d warm-up calls%n", processes, warmup);
        System.out.printf(Locale.ROOT, "p50=%.2f p99=%.2f n=%d%n", rank(nanos, 50), rank(nanos, 99), n);
    }

    /** The p-th percentile of sorted nanos, nearest rank, in milliseconds. */
    private static double rank(final long[] sorted, final int p) {
        final int index = Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[index] / 1e6;
    }
}
