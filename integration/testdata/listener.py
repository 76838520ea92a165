"""An event listener written with supervisor.childutils: it records every
event it is sent, one line each (header, then payload, pids replaced by X,
the time of a tick by T when it is a multiple of 5 seconds, len shifted
as much as the payload by these),
and answers per its arguments.

usage: listener.py RECORD [fail=EVENTNAME] [exit=EVENTNAME] [garbage] [mute]
  fail=NAME    answer FAIL the first time an event NAME comes, OK after
  exit=NAME    exit(1) without answering the first time NAME comes
  garbage      answer the first event with a bad result line
  mute         never answer
  fragments    write READY and the results in pieces, a pause between
"""
import os
import re
import sys
import time

from supervisor import childutils


def main():
    record = sys.argv[1]
    opts = sys.argv[2:]
    fail = [o[5:] for o in opts if o.startswith('fail=')]
    exit_on = [o[5:] for o in opts if o.startswith('exit=')]
    marker = record + '.exited'
    while True:
        if 'fragments' in opts:
            write_slowly('REA', 'DY\n')
            headers = childutils.get_headers(sys.stdin.readline())
            payload = sys.stdin.read(int(headers['len']))
        else:
            headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        body = re.sub(r'pid:\d+', 'pid:X', payload)
        body = re.sub(r'^when:(\d+)$',
                      lambda m: 'when:T' if int(m.group(1)) % 5 == 0 else m.group(0), body)
        # len as it would be for the masked payload (pids differ in length)
        headers['len'] = int(headers['len']) - len(payload) + len(body)
        header = ' '.join('%s:%s' % kv for kv in headers.items())
        with open(record, 'a') as out:
            out.write('%s | %r\n' % (header, body))
        name = headers['eventname']
        if name in exit_on and not os.path.exists(marker):
            open(marker, 'w').close()
            sys.exit(1)
        if 'mute' in opts:
            sys.stdin.read()
            return
        if 'garbage' in opts:
            sys.stdout.write('RESULT x\n')
            sys.stdout.flush()
            continue
        result = 'OK'
        if name in fail:
            fail.remove(name)
            result = 'FAIL'
        if 'fragments' in opts:
            write_slowly('RESU', 'LT %d' % len(result), '\n', result[:1], result[1:])
        else:
            childutils.listener.send(result, sys.stdout)


def write_slowly(*pieces):
    for piece in pieces:
        sys.stdout.write(piece)
        sys.stdout.flush()
        time.sleep(0.02)


if __name__ == '__main__':
    main()
