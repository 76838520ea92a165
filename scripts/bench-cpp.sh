#!/usr/bin/env bash
# bench-cpp.sh (make bench-cpp): one agent with 1,000 processes, and
# bin/cpp/supvisors-bench timing CPP_BENCH_CALLS (1000) calls of
# supervisor.getAllProcessInfo through the C++ client. The agent listens on
# 127.0.0.1:CPP_BENCH_PORT (29990, below the ephemeral ports that tests
# pick); its files go to a temporary directory, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${CPP_BENCH_CALLS:-1000}"
port="${CPP_BENCH_PORT:-29990}"
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
    echo "bench-cpp: the agent did not run its 1,000 processes within 120 s:" >&2
    tail -20 "$dir/agent.out" >&2
    exit 1
  fi
  sleep 0.2
done
bin/cpp/supvisors-bench 127.0.0.1 "$port" bench bench "$calls"
