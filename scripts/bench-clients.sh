#!/usr/bin/env bash
# bench-clients.sh (make bench-clients): one agent with 1,000 processes,
# and BENCH_CALLS (1000) calls of supervisor.getAllProcessInfo through each
# client, the C++, Java, Go and Python ones, in BENCH_ROUNDS (3) rounds that
# take turns, so that the machine's load weighs on all alike. Each client's
# bench prints "p50=<ms> p99=<ms> n=<N>". The agent listens on
# 127.0.0.1:BENCH_PORT (29990, below the ephemeral ports that tests pick);
# its files go to a temporary directory, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${BENCH_CALLS:-1000}"
rounds="${BENCH_ROUNDS:-3}"
port="${BENCH_PORT:-29990}"
dir="$(mktemp -d)"
agent=
cleanup() {
  if [ -n "$agent" ]; then kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
cat > "$dir/supervisord.conf" <<CONF
[supervisord]
logfile=$dir/supervisord.log
pidfile=$dir/supervisord.pid
childlogdir=$dir
minfds=10000

[inet_http_server]
port=127.0.0.1:$port
username=bench
password=bench

[program:x]
command=/bin/sleep 1000
process_name=%(program_name)s_%(process_num)04d
numprocs=1000
autostart=true
startsecs=0
CONF
bin/supvisors -c "$dir/supervisord.conf" >"$dir/agent.out" 2>&1 &
agent=$!
ctl=(bin/supvisorsctl -s "http://127.0.0.1:$port" -u bench -p bench)
deadline=$((SECONDS + 120))
until [ "$("${ctl[@]}" status 2>/dev/null | grep -c ' RUNNING ' || true)" = 1000 ]; do
  if [ $SECONDS -ge $deadline ] || ! kill -0 "$agent" 2>/dev/null; then
    echo "bench-clients: the agent did not run its 1,000 processes within 120 s:" >&2
    tail -20 "$dir/agent.out" >&2
    exit 1
  fi
  sleep 0.2
done
javac --release 17 -d "$dir/java" -cp "$(cat bin/java/classpath)" clients/java/test/org/supvisors/bench/Bench.java
target=(127.0.0.1 "$port" bench bench "$calls")
for round in $(seq "$rounds"); do
  echo "round $round: C++    $(bin/cpp/supvisors-bench "${target[@]}" 2>/dev/null)"
  echo "round $round: Java   $(java -cp "$(cat bin/java/classpath):$dir/java" org.supvisors.bench.Bench "${target[@]}" 2>/dev/null)"
  echo "round $round: Go     $(bin/clientbench "${target[@]}")"
  echo "round $round: Python $(PYTHONPATH=clients/python python3 scripts/bench-python.py "${target[@]}")"
done
