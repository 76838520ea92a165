package httpserver

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// pythonClient exercises the server with Python's xmlrpc.client, over TCP
// (ServerProxy with credentials in the URL) and over a unix socket
// (Supervisor's own SupervisorTransport, as supervisorctl uses it).
const pythonClient = `
import datetime, sys, xmlrpc.client as x
from supervisor.xmlrpc import SupervisorTransport

url, sock, user, password = sys.argv[1:5]

def check(got, want):
    if got != want:
        raise AssertionError('got %r, want %r' % (got, want))

def fault(call, code, text=None):
    try:
        call()
    except x.Fault as f:
        check(f.faultCode, code)
        if text is not None:
            check(f.faultString, text)
        return
    raise AssertionError('no fault %d' % code)

def http_error(call, code):
    try:
        call()
    except x.ProtocolError as e:
        check(e.errcode, code)
        return
    raise AssertionError('no HTTP %d' % code)

tcp = x.ServerProxy(url.replace('http://', 'http://%s:%s@' % (user, password)) + '/RPC2')
unix = x.ServerProxy('http://127.0.0.1', transport=SupervisorTransport(user, password, 'unix://' + sock))
for p in (tcp, unix):
    check(p.test.add(2, 3), 5)
    check(p.test.sum(-2, 3), 1)
    check(p.snake.get_api_version(), '0.1')
    check(p.test.greet('bob'), 'bob/true/2/""')
    check(p.test.greet('bob', False, 5, 't'), 'bob/false/5/"t"')
    check(p.test.control(), '\ufffd[31mred\ufffd[0m\ufffdend\r\n')
    check(p.test.echo('é€😀 <&> "q"'), 'é€😀 <&> "q"')
    check(p.test.echo([1, 'a', True, 2.5, {'k': [], 'l': {}}]), [1, 'a', True, 2.5, {'k': [], 'l': {}}])
    check(p.test.echo(x.Binary(b'\x00\x01\xff')).data, b'\x00\x01\xff')
    check(p.test.echo(datetime.datetime(2024, 1, 2, 3, 4, 5)), 1704164645)
    check(len(p.test.info(3, 0)), 3)
    check(sorted(p.test.info(1, 0)[0].keys())[:3], ['description', 'exitstatus', 'group'])
    fault(lambda: p.test.fail(10, 'foo'), 10, 'BAD_NAME: foo')
    fault(lambda: p.test.fail(0, 'disk full'), 30, 'FAILED: disk full')
    fault(lambda: p.test.nothing(), 1, 'UNKNOWN_METHOD')
    fault(lambda: p.test.add(1), 2, 'INCORRECT_PARAMETERS')
    fault(lambda: p.test.panic(), 30)
    check(p.system.multicall([
        {'methodName': 'test.add', 'params': [1, 2]},
        {'methodName': 'test.fail', 'params': [70, 'x']},
        {'methodName': 'system.multicall', 'params': [[]]},
    ]), [3, {'faultCode': 70, 'faultString': 'NOT_RUNNING: x'},
         {'faultCode': 2, 'faultString': 'INCORRECT_PARAMETERS: Recursive system.multicall forbidden'}])
    check('system.multicall' in p.system.listMethods(), True)
    check(p.system.methodSignature('test.add'), ['int', 'int', 'int'])
    check(p.system.methodHelp('test.sum'), p.system.methodHelp('test.add'))
    # Python sends control characters raw; like supervisord's expat, the
    # server cannot parse that.
    http_error(lambda: p.test.echo('\x1b'), 400)
    check(p.test.add(1, 1), 2)
http_error(lambda: x.ServerProxy(url + '/RPC2').test.add(1, 2), 401)
# Python declares the encoding asked for and encodes the request in it.
auth_url = url.replace('http://', 'http://%s:%s@' % (user, password)) + '/RPC2'
for enc, text in (('latin-1', 'café ÿ'), ('cp1252', 'café €“”'), ('utf-16', 'café € 😀'), ('us-ascii', 'café €')):
    check(x.ServerProxy(auth_url, encoding=enc).test.echo(text), text)
print('OK')
`

func TestPythonClient(t *testing.T) {
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no %s: %v", python, err)
	}
	s, _ := newTestServer(t, Options{Username: "user", Password: "p@ss"})
	url := serve(t, s)
	sock := serveUnix(t, s)
	out, err := exec.Command(python, "-c", pythonClient, url, sock, "user", "p@ss").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Fatalf("python client: %v\n%s", err, out)
	}
}
