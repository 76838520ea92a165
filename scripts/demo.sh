#!/usr/bin/env bash
# make run: a 3-node supvisors cluster on 127.0.0.1-3 (configs/demo). Starts
# the three agents (logs in run/<address>/), waits until every node is in
# OPERATION (the rules of configs/demo/rules.xml deployed), prints where to
# look and what to try, and stops everything on Ctrl-C.
#
# It builds nothing (make run builds bin/ first). Environment:
#   SUPVISORS_BIN     the agent binary (default bin/supvisors)
#   SUPVISORSCTL_BIN  the CLI shown in the commands (default: supvisorsctl next to the agent)
#   DEMO_TIMEOUT      seconds to wait for OPERATION (default 60)
# Needs bash only: python3 or curl, when present, are used to follow the
# cluster's state; without them the script waits for the ports.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

agent=${SUPVISORS_BIN:-bin/supvisors}
ctl=${SUPVISORSCTL_BIN:-$(dirname "$agent")/supvisorsctl}
conf=configs/demo/supervisord.conf
addresses=(127.0.0.1 127.0.0.2 127.0.0.3)
port=60000
timeout=${DEMO_TIMEOUT:-60}
have() { command -v "$1" >/dev/null 2>&1; }

if [ ! -x "$agent" ]; then
  echo "demo: $agent not found: run 'make run' (or 'make build' first)" >&2
  exit 1
fi
for a in "${addresses[@]}"; do
  if (exec 3<>"/dev/tcp/$a/$port") 2>/dev/null; then
    echo "demo: $a:$port is already in use (is another demo running? stop it first)" >&2
    exit 1
  fi
done

pids=()
codes=()
stopping=
stop() {
  [ -n "$stopping" ] && return
  stopping=1
  # A second Ctrl-C while the programs stop kills the agents (and with them,
  # through PR_SET_PDEATHSIG, their children).
  trap 'echo " killing the agents"; kill -KILL "${pids[@]}" 2>/dev/null' INT TERM HUP
  echo
  if [ "${#codes[@]}" -lt "${#pids[@]}" ]; then
    echo "demo: stopping the agents (they stop their programs first)..."
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  else
    echo "demo: every agent has exited"
  fi
  for i in "${!pids[@]}"; do
    if [ -z "${codes[$i]:-}" ]; then
      wait "${pids[$i]}" 2>/dev/null
      codes[$i]=$?
    fi
    echo "demo: agent ${addresses[$i]} stopped (exit ${codes[$i]})"
  done
  echo "demo: all stopped; logs in run/."
}
trap stop EXIT
trap 'exit 0' INT TERM HUP

for a in "${addresses[@]}"; do
  mkdir -p "run/$a"
  SUPVISORS_ADDRESS="$a" "$agent" -c "$conf" >"run/$a/agent.out" 2>&1 &
  pids+=($!)
done
echo "demo: started the agents of ${addresses[*]} (pids ${pids[*]}), waiting for OPERATION..."

# state_of prints the Supvisors state of the node at $1, or nothing while
# it does not answer; without python3 and curl, ANSWERING once its port is open.
rpc_state='<?xml version="1.0"?><methodCall><methodName>supvisors.get_supvisors_state</methodName><params/></methodCall>'
state_of() {
  if have python3; then
    python3 - "$1" "$port" 2>/dev/null <<'EOF'
import socket, sys, xmlrpc.client
socket.setdefaulttimeout(2)
p = xmlrpc.client.ServerProxy('http://demo:demo@%s:%s/RPC2' % (sys.argv[1], sys.argv[2]))
print(p.supvisors.get_supvisors_state()['statename'])
EOF
  elif have curl; then
    curl -s -m 2 -u demo:demo -H 'Content-Type: text/xml' --data "$rpc_state" "http://$1:$port/RPC2" |
      tr -d ' \t\r\n' | sed -n 's|.*<name>statename</name><value><string>\([A-Z_]*\)</string>.*|\1|p'
  elif (exec 3<>"/dev/tcp/$1/$port") 2>/dev/null; then
    echo ANSWERING
  fi
}

ready=
last=
deadline=$((SECONDS + timeout))
while [ -z "$ready" ]; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "demo: the agent of ${addresses[$i]} exited at start-up; run/${addresses[$i]}/agent.out says:" >&2
      tail -n 20 "run/${addresses[$i]}/agent.out" >&2
      exit 1
    fi
  done
  line= ready=1
  for a in "${addresses[@]}"; do
    s=$(state_of "$a")
    line+=" $a=${s:--}"
    case $s in OPERATION | ANSWERING) ;; *) ready= ;; esac
  done
  if [ "$line" != "$last" ]; then echo "demo:$line"; last=$line; fi
  if [ -z "$ready" ]; then
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "demo: not every node reached OPERATION within ${timeout}s; see run/<address>/supervisord.log" >&2
      break
    fi
    sleep 0.2
  fi
done
if [ -n "$ready" ] && [[ $line == *ANSWERING* ]]; then
  echo "demo: the agents answer (install python3 or curl to follow their state); the master deploys the rules in a few seconds"
  sleep 3
fi

# Where everything runs, as node 1 sees it.
if have python3; then
  python3 - "$port" 2>/dev/null <<'EOF' || true
import socket, sys, xmlrpc.client
socket.setdefaulttimeout(5)
p = xmlrpc.client.ServerProxy('http://demo:demo@127.0.0.1:%s/RPC2' % sys.argv[1])
print('\nMaster %s. Nodes:' % p.supvisors.get_master_address())
for a in p.supvisors.get_all_addresses_info():
    print('  %-10s %-8s load %3d%%' % (a['address_name'], a['statename'], a['loading']))
print('Applications:')
for a in p.supvisors.get_all_applications_info():
    print('  %-10s %s' % (a['application_name'], a['statename']))
print('Processes:')
for i in sorted(p.supvisors.get_all_process_info(), key=lambda i: (i['application_name'], i['process_name'])):
    print('  %-20s %-8s %s' % (i['application_name'] + ':' + i['process_name'], i['statename'], ' '.join(i['addresses'])))
EOF
elif [ -x "$ctl" ]; then
  echo
  "$ctl" -s "http://127.0.0.1:$port" -u demo -p demo sstatus || true
fi

notes=
[ -x "$ctl" ] || notes+="  ($ctl is not built yet: make build)"$'\n'
have supervisorctl || notes+="  (supervisorctl comes with Debian's supervisor package)"$'\n'
have python3 || notes+="  (the python3 lines need python3)"$'\n'
# try prints a command to try and what it shows, aligned.
try() { if [ -n "${2:-}" ]; then printf '  %-46s # %s\n' "$1" "$2"; else printf '  %s\n' "$1"; fi; }
cat <<EOT

The demo cluster: 3 agents, each answers for the whole cluster (user demo, password demo)
  http://127.0.0.1:$port/RPC2   http://127.0.0.2:$port/RPC2   http://127.0.0.3:$port/RPC2
  configuration $conf, rules configs/demo/rules.xml
  logs run/<address>/: supervisord.log (the agent), <process>.log (its programs)

Try, with the supvisors CLI (any node's URL will do):
EOT
try "sv=\"$ctl -s http://127.0.0.1:$port -u demo -p demo\""
try "sctl=\"supervisorctl -c $conf\"" "Debian's supervisorctl: node 1, -s for another"
try '$sv sstate; $sv master; $sv address_status'
try '$sv sstatus' 'every process, where it runs'
try '$sv application_info'
try '$sv application_rules web'
try '$sv process_rules web:worker_1'
try '$sv start_application LESS_LOADED monitor' 'to the least loaded node: 127.0.0.3'
try '$sv stop_application monitor'
try '$sv stop_process web:worker_2'
try '$sv start_process CONFIG web:worker_2' '"#": on 127.0.0.3 only'
try '$sv restart_process CONFIG web:server'
try '$sv tail -f backend:db' 'db runs on 127.0.0.1'
try 'kill $($sv pid backend:db)' 'RESTART_PROCESS: the master starts it again'
try "\$sctl -s http://127.0.0.2:$port start backend:db" 'a second copy: CONCILIATION'
try '$sv conflicts'
try '$sv conciliate SENICIDE' 'keeps the youngest copy: OPERATION again'
try "kill -9 ${pids[0]}" 'lose node 1, the master: db moves to 127.0.0.2'
try '$sv sshutdown' 'stops the applications, then every agent'
echo "With the stock clients:"
try '$sctl status' 'the processes of node 1'
try "\$sctl -s http://127.0.0.2:$port tail -f web:server"
try 'tail -f run/127.0.0.3/worker_2.log'
try "python3 -c \"import xmlrpc.client as x; p = x.ServerProxy('http://demo:demo@127.0.0.3:$port/RPC2'); print(p.supvisors.get_supvisors_state()); [print(i) for i in p.supvisors.get_all_process_info()]\""
try "SUPERVISOR_SERVER_URL=http://127.0.0.1:$port SUPERVISOR_USERNAME=demo SUPERVISOR_PASSWORD=demo PYTHONPATH=clients/python \\"
try "  python3 -c \"import os; from supvisors.rpcrequests import getRPCInterface; print(getRPCInterface('127.0.0.2', os.environ).supvisors.get_all_addresses_info())\""
printf '%s\nCtrl-C stops everything.\n' "$notes"

# Until Ctrl-C, or until every agent exits (sshutdown). Each is waited for by
# its pid, so that stop can still tell how it ended (a bare wait forgets).
for i in "${!pids[@]}"; do
  wait "${pids[$i]}"
  codes[$i]=$?
done
