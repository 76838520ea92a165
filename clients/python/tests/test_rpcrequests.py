"""Unit tests of supvisors.rpcrequests: URL building, credentials, unix sockets.

No network: the only server is an XML-RPC server on a unix socket in a
temporary directory. Run with
    PYTHONPATH=clients/python python3 -m unittest discover -s clients/python/tests
"""

import base64
import os
import socket
import socketserver
import sys
import tempfile
import threading
import unittest
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler

# Run from anywhere: the package is one directory up.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

from supvisors import rpcrequests  # noqa: E402
from supvisors.rpcrequests import (  # noqa: E402
    UnixStreamTransport, getRPCInterface, getRPCTransport, getServerURL)


def env(url, username=None, password=None, **more):
    e = {'SUPERVISOR_SERVER_URL': url}
    if username is not None:
        e['SUPERVISOR_USERNAME'] = username
    if password is not None:
        e['SUPERVISOR_PASSWORD'] = password
    e.update(more)
    return e


def basic(username, password):
    return 'Basic ' + base64.b64encode(('%s:%s' % (username, password)).encode()).decode()


class ServerURLTest(unittest.TestCase):

    def test_host_replaced_scheme_and_port_kept(self):
        self.assertEqual(getServerURL('127.0.0.2', env('http://127.0.0.1:60000')), 'http://127.0.0.2:60000')
        self.assertEqual(getServerURL('node3', env('http://localhost:9001')), 'http://node3:9001')
        self.assertEqual(getServerURL('10.0.0.7', env('https://10.0.0.1:8443')), 'https://10.0.0.7:8443')

    def test_no_port_stays_without_port(self):
        self.assertEqual(getServerURL('h2', env('http://h1')), 'http://h2')

    def test_path_and_user_info_dropped(self):
        self.assertEqual(getServerURL('h2', env('http://u:p@h1:60000/RPC2')), 'http://h2:60000')
        self.assertEqual(getServerURL('h2', env('http://h1:60000/')), 'http://h2:60000')

    def test_no_address_keeps_the_host(self):
        self.assertEqual(getServerURL(None, env('http://127.0.0.1:60000')), 'http://127.0.0.1:60000')
        self.assertEqual(getServerURL('', env('http://[::1]:60000')), 'http://[::1]:60000')

    def test_ipv6_addresses_are_bracketed(self):
        self.assertEqual(getServerURL('fd00::2', env('http://[fd00::1]:60000')), 'http://[fd00::2]:60000')
        self.assertEqual(getServerURL('[fd00::2]', env('http://127.0.0.1:60000')), 'http://[fd00::2]:60000')

    def test_spaces_around_the_url_are_ignored(self):
        self.assertEqual(getServerURL('b', env(' http://a:1 \n')), 'http://b:1')

    def test_bad_addresses(self):
        for bad in ('h2:60000', 'u@h2', 'h2/x', 'h 2', 42):
            with self.subTest(address=bad), self.assertRaises(ValueError):
                getServerURL(bad, env('http://127.0.0.1:60000'))

    def test_missing_or_bad_server_url(self):
        with self.assertRaisesRegex(ValueError, 'SUPERVISOR_SERVER_URL is not set'):
            getServerURL('127.0.0.2', {})
        with self.assertRaisesRegex(ValueError, 'empty'):
            getServerURL('127.0.0.2', env(''))
        with self.assertRaisesRegex(ValueError, "unsupported scheme 'ftp'"):
            getServerURL('127.0.0.2', env('ftp://127.0.0.1:60000'))
        with self.assertRaisesRegex(ValueError, 'SUPERVISOR_SERVER_URL=http://h:port'):
            getServerURL('127.0.0.2', env('http://h:port'))

    def test_unix_socket_reaches_the_local_node_only(self):
        e = env('unix:///var/run/supervisor.sock', SUPVISORS_ADDRESS='10.0.0.1')
        with self.assertRaisesRegex(ValueError, r"unix socket.*local Supervisor daemon only.*'10\.0\.0\.2'"):
            getServerURL('10.0.0.2', e)
        with self.assertRaises(ValueError):
            getRPCInterface('10.0.0.2', e)
        for local in (None, '', '10.0.0.1', socket.gethostname()):
            with self.subTest(address=local):
                self.assertEqual(getServerURL(local, e), 'unix:///var/run/supervisor.sock')


class TransportTest(unittest.TestCase):

    def test_uri_and_credentials(self):
        uri, transport = getRPCTransport('127.0.0.2', env('http://127.0.0.1:60000', 'user', 'p@ss:w0rd'))
        self.assertEqual(uri, 'http://127.0.0.2:60000/RPC2')
        self.assertIsInstance(transport, xmlrpc.client.Transport)
        self.assertNotIsInstance(transport, xmlrpc.client.SafeTransport)
        self.assertEqual(transport._headers, [('Authorization', basic('user', 'p@ss:w0rd'))])

    def test_no_credentials_no_authorization(self):
        for e in (env('http://h1:1'), env('http://h1:1', '', '')):
            with self.subTest(env=e):
                self.assertEqual(getRPCTransport('h2', e)[1]._headers, [])

    def test_credentials_from_the_url_when_env_has_none(self):
        _, transport = getRPCTransport('h2', env('http://u%40x:p%3Aw@h1:1'))
        self.assertEqual(transport._headers, [('Authorization', basic('u@x', 'p:w'))])
        _, transport = getRPCTransport('h2', env('http://u:p@h1:1', 'env', 'pw'))
        self.assertEqual(transport._headers, [('Authorization', basic('env', 'pw'))])

    def test_https_uses_a_safe_transport(self):
        uri, transport = getRPCTransport('h2', env('https://h1:8443', 'u', 'p'))
        self.assertEqual(uri, 'https://h2:8443/RPC2')
        self.assertIsInstance(transport, xmlrpc.client.SafeTransport)

    def test_timeout_applies_to_connections(self):
        _, transport = getRPCTransport('h2', env('http://h1:1'), timeout=2.5)
        conn = transport.make_connection('h2:1')  # no connection is opened yet
        self.assertEqual(conn.timeout, 2.5)

    def test_proxy(self):
        proxy = getRPCInterface('127.0.0.2', env('http://127.0.0.1:60000'))
        self.assertIsInstance(proxy, xmlrpc.client.ServerProxy)
        self.assertIn('127.0.0.2:60000/RPC2', repr(proxy))

    def test_unix_transport(self):
        uri, transport = getRPCTransport(None, env('unix:///tmp/x.sock', 'u', 'p'))
        self.assertEqual(uri, 'http://localhost/RPC2')
        self.assertIsInstance(transport, UnixStreamTransport)
        self.assertEqual(transport.socket_path, '/tmp/x.sock')
        self.assertEqual(transport._headers, [('Authorization', basic('u', 'p'))])

    def test_all(self):
        self.assertEqual(sorted(rpcrequests.__all__),
                         ['UnixStreamTransport', 'getRPCInterface', 'getRPCTransport', 'getServerURL'])


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ('/RPC2',)
    disable_nagle_algorithm = False  # TCP_NODELAY means nothing on a unix socket
    seen = []

    def address_string(self):  # a unix socket has no (host, port)
        return 'unix'

    def do_POST(self):
        _Handler.seen.append((self.path, self.headers.get('Authorization')))
        super().do_POST()

    def log_message(self, *args):
        pass


class _UnixXMLRPCServer(socketserver.UnixStreamServer, SimpleXMLRPCDispatcher):
    logRequests = False

    def __init__(self, path):
        SimpleXMLRPCDispatcher.__init__(self, allow_none=False, encoding=None)
        socketserver.UnixStreamServer.__init__(self, path, _Handler)


class UnixSocketRoundTripTest(unittest.TestCase):
    """The proxy really talks over a unix socket, credentials included."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, 's.sock')
        self.server = _UnixXMLRPCServer(self.path)
        self.server.register_function(lambda: {'statecode': 1, 'statename': 'RUNNING'}, 'supervisor.getState')
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        _Handler.seen = []

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
        self.dir.cleanup()

    def test_round_trip(self):
        proxy = getRPCInterface(None, env('unix://' + self.path, 'user', '123'), timeout=10)
        self.assertEqual(proxy.supervisor.getState(), {'statecode': 1, 'statename': 'RUNNING'})
        self.assertEqual(proxy.supervisor.getState()['statename'], 'RUNNING')
        self.assertEqual(_Handler.seen, [('/RPC2', basic('user', '123'))] * 2)


if __name__ == '__main__':
    unittest.main()
