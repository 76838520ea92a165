#!/usr/bin/env bash
# Starts three agents on 127.0.0.1-3 from configs/demo, prints where to look,
# and stops them all on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
addresses=(127.0.0.1 127.0.0.2 127.0.0.3)
pids=()
stopped=
stop() {
  [ -n "$stopped" ] && return
  stopped=1
  echo; echo "stopping the demo agents..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  echo "all stopped."
}
trap stop EXIT
trap "exit 0" INT TERM
for a in "${addresses[@]}"; do
  mkdir -p "run/$a"
  SUPVISORS_ADDRESS="$a" bin/supvisors -c configs/demo/supervisord.conf >"run/$a/agent.out" 2>&1 &
  pids+=($!)
done
ctl="supervisorctl -u demo -p demo -s"
command -v supervisorctl >/dev/null || ctl="(install Debian's supervisor package for supervisorctl) -s"
for a in "${addresses[@]}"; do
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/$a/60000") 2>/dev/null; then break; fi
    sleep 0.1
  done
done
cat <<EOT
Three agents are running (logs in run/<address>/):
  http://127.0.0.1:60000/RPC2   http://127.0.0.2:60000/RPC2   http://127.0.0.3:60000/RPC2   (user demo, password demo)

Try:
  $ctl http://127.0.0.2:60000 start backend:*            # runs on 127.0.0.2
  $ctl http://127.0.0.3:60000 start clock
  $ctl http://127.0.0.3:60000 tail -f clock
  python3 -c "import xmlrpc.client as x; p = x.ServerProxy('http://demo:demo@127.0.0.1:60000/RPC2'); print(p.supvisors.get_supvisors_state(), p.supvisors.get_master_address()); [print(i) for i in p.supvisors.get_all_process_info()]"
  python3 -c "import xmlrpc.client as x; [print(a) for a in x.ServerProxy('http://demo:demo@127.0.0.3:60000/RPC2').supvisors.get_all_addresses_info()]"

Ctrl-C stops everything.
EOT
wait
