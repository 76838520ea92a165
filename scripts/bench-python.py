"""Times the Python client's supervisor.getAllProcessInfo (clients/python)
against one agent, for make bench-clients (scripts/bench-clients.sh):
bench-python.py HOST PORT USER PASSWORD N [WARMUP] prints
"p50=<ms> p99=<ms> n=<N>", as the other clients' benches do."""
import math
import sys
import time

from supvisors.rpcrequests import getRPCInterface


def rank(sorted_seconds, p):
    """The p-th percentile, nearest rank, in milliseconds."""
    return sorted_seconds[max(0, math.ceil(p / 100 * len(sorted_seconds)) - 1)] * 1000


def main(args):
    if not 5 <= len(args) <= 6:
        sys.exit("usage: bench-python.py HOST PORT USER PASSWORD N [WARMUP]")
    host, port, user, password, n = args[0], args[1], args[2], args[3], int(args[4])
    warmup = int(args[5]) if len(args) == 6 else 200
    env = {'SUPERVISOR_SERVER_URL': 'http://%s:%s' % (host, port),
           'SUPERVISOR_USERNAME': user, 'SUPERVISOR_PASSWORD': password}
    proxy = getRPCInterface(None, env)
    for _ in range(warmup):
        proxy.supervisor.getAllProcessInfo()
    took = []
    for _ in range(n):
        start = time.perf_counter()
        proxy.supervisor.getAllProcessInfo()
        took.append(time.perf_counter() - start)
    took.sort()
    print("p50=%.2f p99=%.2f n=%d" % (rank(took, 50), rank(took, 99), n))


if __name__ == '__main__':
    main(sys.argv[1:])
