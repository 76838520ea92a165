"""XML-RPC proxies to any node of a supvisors cluster.

``supervisor.childutils.getRPCInterface(env)`` reaches the local Supervisor
daemon only. ``getRPCInterface(address, env)`` reaches the daemon of any
address of the cluster, relying on what Supvisors requires anyway: every node
serves the same ``[inet_http_server]`` port with the same credentials. The
HTTP configuration is read from the environment a supervised process gets:

``SUPERVISOR_SERVER_URL``
    the URL of the local daemon, e.g. ``http://127.0.0.1:60000``; its host is
    replaced by ``address``, its scheme and port are kept.
``SUPERVISOR_USERNAME``, ``SUPERVISOR_PASSWORD``
    the HTTP basic authentication credentials (may be empty or unset: no
    authentication is sent).

A ``unix://`` server URL reaches the local daemon only: ``address`` must then
be ``None``, ``''``, the ``SUPVISORS_ADDRESS`` of the environment or the host
name, else ``ValueError`` is raised.

Standard library only (Python 3.8 or later).
"""

import base64
import http.client
import socket
import ssl
import urllib.parse
import xmlrpc.client

__all__ = ['getRPCInterface', 'getRPCTransport', 'getServerURL', 'UnixStreamTransport']

#: The path of the XML-RPC handler, as supervisor's own clients use it.
RPC_PATH = '/RPC2'

_SERVER_URL = 'SUPERVISOR_SERVER_URL'
_USERNAME = 'SUPERVISOR_USERNAME'
_PASSWORD = 'SUPERVISOR_PASSWORD'


def _server_url(env):
    try:
        url = env[_SERVER_URL]
    except KeyError:
        raise ValueError('%s is not set: it must hold the URL of the local Supervisor '
                         'daemon, e.g. http://127.0.0.1:60000 (supervised processes get it '
                         'from their daemon)' % _SERVER_URL) from None
    url = (url or '').strip()
    if not url:
        raise ValueError('%s is empty' % _SERVER_URL)
    return url


def _is_local(address, env):
    """True when address names the node whose daemon serves the unix socket."""
    if address is None or address == '':
        return True
    return address in (env.get('SUPVISORS_ADDRESS'), socket.gethostname())


def _host_for_url(address):
    """The host part of a URL for address: IPv6 literals are bracketed."""
    if not isinstance(address, str):
        raise ValueError('address must be a string, not %r' % (address,))
    if address.startswith('[') and address.endswith(']'):
        return address
    if any(c in address for c in '/@?#[] \t\r\n') or address.count(':') == 1:
        raise ValueError('%r is not an address (an IP address or a host name, without port)'
                         % address)
    if ':' in address:
        return '[%s]' % address
    return address


def getServerURL(address, env):
    """Return the server URL of the daemon at address, without credentials.

    The host of SUPERVISOR_SERVER_URL is replaced by address; its scheme and
    port are kept and its path is dropped (the proxy posts to /RPC2, as
    supervisor's clients do). address None or '' keeps the host of the URL.
    For a unix:// URL, address must name the local node and the URL is
    returned unchanged.
    """
    url = _server_url(env)
    if url.startswith('unix://'):
        if _is_local(address, env):
            return url
        raise ValueError('%s=%s is a unix socket, which reaches the local Supervisor daemon '
                         'only: it cannot reach the address %r (to reach other nodes, serve an '
                         '[inet_http_server] with the same port on every node, and give the '
                         'program serverurl=http://HOST:PORT)'
                         % (_SERVER_URL, url, address))
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ('http', 'https'):
        raise ValueError('%s=%s: unsupported scheme %r, expected http, https or unix'
                         % (_SERVER_URL, url, parts.scheme))
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError('%s=%s: %s' % (_SERVER_URL, url, exc)) from None
    if address is None or address == '':
        if not parts.hostname:
            raise ValueError('%s=%s has no host' % (_SERVER_URL, url))
        host = _host_for_url(parts.hostname)
    else:
        host = _host_for_url(address)
    netloc = host if port is None else '%s:%d' % (host, port)
    return urllib.parse.urlunsplit((parts.scheme, netloc, '', '', ''))


def _credentials(env):
    """(username, password) from the environment, else from the URL's user info."""
    username = env.get(_USERNAME) or ''
    password = env.get(_PASSWORD) or ''
    if not username and not password:
        url = env.get(_SERVER_URL) or ''
        if url.startswith(('http://', 'https://')):
            parts = urllib.parse.urlsplit(url)
            username = urllib.parse.unquote(parts.username or '')
            password = urllib.parse.unquote(parts.password or '')
    return username, password


def _auth_headers(username, password):
    if not username and not password:
        return []
    token = base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')
    return [('Authorization', 'Basic ' + token)]


class _TimeoutMixin:
    """Applies a socket timeout (seconds, None for none) to every connection."""

    timeout = None

    def make_connection(self, host):
        conn = super().make_connection(host)
        if self.timeout is not None:
            conn.timeout = self.timeout
        return conn


class _Transport(_TimeoutMixin, xmlrpc.client.Transport):
    pass


class _SafeTransport(_TimeoutMixin, xmlrpc.client.SafeTransport):
    pass


class _UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection over a unix stream socket."""

    def __init__(self, path, timeout=None):
        super().__init__('localhost')
        self.socket_path = path
        if timeout is not None:
            self.timeout = timeout

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if self.timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class UnixStreamTransport(xmlrpc.client.Transport):
    """An xmlrpc.client transport to a daemon's [unix_http_server] socket."""

    def __init__(self, path, headers=(), timeout=None):
        super().__init__(headers=list(headers))
        self.socket_path = path
        self.timeout = timeout

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self._connection = host, _UnixHTTPConnection(self.socket_path, self.timeout)
        return self._connection[1]


def getRPCTransport(address, env, timeout=None, cafile=None):
    """Return (uri, transport) for a ServerProxy to the daemon at address.

    cafile (a PEM file) verifies an https:// daemon's certificate instead
    of the system's roots.
    """
    url = getServerURL(address, env)
    headers = _auth_headers(*_credentials(env))
    if url.startswith('unix://'):
        return 'http://localhost' + RPC_PATH, UnixStreamTransport(url[len('unix://'):], headers, timeout)
    if url.startswith('https://'):
        transport = _SafeTransport(headers=headers, context=ssl.create_default_context(cafile=cafile))
    else:
        transport = _Transport(headers=headers)
    transport.timeout = timeout
    return url + RPC_PATH, transport


def getRPCInterface(address, env, timeout=None, cafile=None):
    """Return an xmlrpc.client.ServerProxy to the Supervisor daemon at address.

    address is an entry of the cluster's address_list (an IP address or a
    host name); env is os.environ or any mapping with SUPERVISOR_SERVER_URL,
    SUPERVISOR_USERNAME and SUPERVISOR_PASSWORD. The proxy has the system,
    supervisor and supvisors namespaces. timeout (seconds) bounds every
    socket operation; None waits as long as the system does. cafile (a PEM
    file) is the CA that verifies an https:// daemon's certificate; None:
    the system's roots (or OpenSSL's SSL_CERT_FILE). A certificate it does
    not verify raises ssl.SSLCertVerificationError at the first call.

    Raises ValueError when env has no usable SUPERVISOR_SERVER_URL, when
    address is not an address, or when the URL is a unix socket and address
    is not the local node.
    """
    uri, transport = getRPCTransport(address, env, timeout, cafile)
    return xmlrpc.client.ServerProxy(uri, transport=transport)
