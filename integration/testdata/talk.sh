#!/bin/sh
# Output for the event listener tests, one write at a time: lines for
# PROCESS_LOG_*, captures for PROCESS_COMMUNICATION_STDOUT (one longer than
# stdout_capture_maxbytes, one whose token comes in two writes), text that
# is not UTF-8.
printf 'line one\n'
sleep 0.2
printf 'err one\n' >&2
sleep 0.2
printf 'before<!--XSUPERVISOR:BEGIN-->captured \342\202\254 data<!--XSUPERVISOR:END-->after\n'
sleep 0.2
printf 'err \377 two\n' >&2
sleep 0.2
printf '%060d<!--XSUPERVISOR:BEGIN-->%040d<!--XSUPERVISOR:END-->\n' 1 2
sleep 0.2
printf 'a token cut in two <!--XSUPER'
sleep 0.2
printf 'VISOR:BEGIN-->split<!--XSUPERVISOR:END-->\n'
exec sleep 1000
