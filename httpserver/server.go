package httpserver

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// DefaultMaxBodyBytes is the request body limit when Options leaves it 0:
// far above any real call (supervisorctl's largest is a few hundred bytes),
// small enough that a hostile body costs little.
const DefaultMaxBodyBytes = 4 << 20

// HTTP timeouts. There is no timeout on a call or a stream as a whole:
// startProcess with wait=true and `tail -f` legitimately run for as long as
// they need. The read timeout covers reading the request only: net/http
// lifts the connection's read deadline once the body has been read, so it
// never cancels a running call. The write timeout runs only while
// something is written (deadlineWriter).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second // the whole request, body included
	// writeTimeout is how long a client may leave writeChunk bytes of a
	// reply or a stream unread before it is dropped: a client that never
	// reads would otherwise hold its goroutine, and the reply, forever.
	writeTimeout = 60 * time.Second
	writeChunk   = 64 << 10
	// supervisorctl's shell and other Python clients keep one connection
	// and do not reconnect when the server has closed it (BrokenPipeError),
	// so an idle connection lives as long as supervisord's medusa keeps one:
	// its zombie timeout is 30 minutes.
	idleTimeout    = 30 * time.Minute
	maxHeaderBytes = 64 << 10
)

// Options configures a Server; NewServer reads it once and keeps no
// reference to it.
type Options struct {
	// Logger receives errors, panics and a trace line per call; nil
	// discards them.
	Logger hclog.Logger
	// Username enables HTTP basic auth when not empty. Password is plain
	// text or "{SHA}" followed by the hex SHA-1 of the password.
	Username, Password string
	// MaxBodyBytes bounds a request body (0: DefaultMaxBodyBytes); a larger
	// one gets HTTP 413 without being read.
	MaxBodyBytes int64
	// MaxConns bounds the connections open at once on each listener Serve
	// is given (0: config.DefaultMaxConnections); one more is closed as
	// soon as it is accepted.
	MaxConns int
	// TLSConfig, when not nil, makes Serve speak HTTPS only (HTTP/1.1); it
	// must hold the server's certificate. NewServer keeps it; it must not
	// be changed after.
	TLSConfig *tls.Config
}

// Server serves XML-RPC over HTTP: POST /RPC2 and / dispatch calls to the
// namespaces registered on XMLRPC, other routes come from Handle, and every
// route is behind the same basic auth. Register namespaces and routes
// before serving. Safe for concurrent use.
type Server struct {
	logger  hclog.Logger
	auth    *basicAuth
	maxBody int64
	// maxConns bounds each listener's open connections.
	maxConns int
	tls      *tls.Config
	// rpc serves the XML-RPC calls, at /RPC2 and /.
	rpc  *xmlrpc.Handler
	mux  *http.ServeMux
	http *http.Server
	// writeTimeout and unauthIdleTimeout are the package's, shorter in
	// tests.
	writeTimeout      time.Duration
	unauthIdleTimeout time.Duration
	// crossOrigin refuses what a browser page of another origin posts: with
	// any Content-Type accepted, a form could post a call.
	crossOrigin *http.CrossOriginProtection

	stopOnce sync.Once
	stopBase context.CancelFunc
}

// NewServer returns a server whose XML-RPC handler has only the system
// namespace.
func NewServer(opts Options) *Server {
	s := &Server{
		logger:   opts.Logger,
		auth:     newBasicAuth(opts.Username, opts.Password),
		maxBody:  opts.MaxBodyBytes,
		maxConns: opts.MaxConns,
		tls:      opts.TLSConfig,
		mux:      http.NewServeMux(),

		crossOrigin:       http.NewCrossOriginProtection(),
		writeTimeout:      writeTimeout,
		unauthIdleTimeout: unauthIdleTimeout,
	}
	if s.logger == nil {
		s.logger = hclog.NewNullLogger()
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.maxConns <= 0 {
		s.maxConns = config.DefaultMaxConnections
	}
	s.rpc = xmlrpc.NewHandler(s.logger, s.maxBody)
	s.mux.Handle("/RPC2", s.rpc)
	s.mux.Handle("/RPC2/", s.rpc) // supervisord matches any path starting with /RPC2
	s.mux.Handle("/{$}", s.rpc)
	base, stop := context.WithCancel(context.Background())
	s.stopBase = stop
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
		ConnContext:       connContext,
		ConnState:         s.connState,
		ErrorLog:          s.logger.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
	}
	return s
}

// XMLRPC is the handler of the XML-RPC calls (POST /RPC2 and /), on which
// the namespaces are registered before serving.
func (s *Server) XMLRPC() *xmlrpc.Handler { return s.rpc }

// Handle adds a route such as "/logtail/" behind the server's
// cross-origin check and auth, with the same body limit and write timeout
// (ServeHTTP). It panics on a pattern that conflicts with another, as
// http.ServeMux does.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
		h.ServeHTTP(w, r)
	}))
}

// ServeHTTP refuses (403) a POST or any other unsafe method that a
// browser sends from a page of another origin (Sec-Fetch-Site, else Origin
// against Host: curl and the XML-RPC libraries send neither), checks the
// credentials, then routes: POST /RPC2 and / are XML-RPC calls, other paths
// go to the Handle routes. Whatever is written is under the write timeout;
// a 400 or a 401 closes the connection.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dw := newDeadlineWriter(w, s.writeTimeout)
	// The end of the reply, which net/http writes once the handler has
	// returned (a stream's last chunk), may come long after the last write.
	defer dw.arm()
	w = dw
	if err := s.crossOrigin.Check(r); err != nil {
		s.logger.Warn("cross-origin request refused", "remote", r.RemoteAddr, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"), "host", r.Host)
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	if s.auth != nil {
		if !s.auth.allows(r) {
			w.Header().Set("WWW-Authenticate", authRealm)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		if c := requestConn(r); c != nil {
			c.authenticate()
		}
	}
	s.mux.ServeHTTP(w, r)
}

// Serve accepts connections on l (TCP or unix) until Shutdown; it returns
// http.ErrServerClosed then. It may serve several listeners at once, each
// with its own cap on open connections. With Options.TLSConfig, it speaks
// HTTPS on l, and a connection over the cap is closed before its
// handshake.
func (s *Server) Serve(l net.Listener) error {
	l = &connLimiter{Listener: l, max: int64(s.maxConns), logger: s.logger}
	if s.tls != nil {
		l = tls.NewListener(l, s.tls)
	}
	return s.http.Serve(l)
}

// Shutdown stops accepting connections, cancels the context of the calls
// and streams in progress so that waits and `tail -f` end, and waits for
// them to return; when ctx ends first it closes the remaining connections
// and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(s.stopBase)
	err := s.http.Shutdown(ctx)
	if err != nil {
		_ = s.http.Close()
	}
	return err
}

// deadlineWriter arms the connection's write deadline before each write of
// up to writeChunk bytes and each flush, so that a client that stops
// reading is dropped once timeout passes without progress, while a call or
// a stream may take as long as it likes between writes.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

// newDeadlineWriter wraps w, lifting the deadline that the connection's
// previous request left: net/http sets none itself without a
// Server.WriteTimeout, and a stale one would fail the first write of a
// call that outlived it, before it could be armed again (the 100 Continue).
func newDeadlineWriter(w http.ResponseWriter, timeout time.Duration) *deadlineWriter {
	d := &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: timeout}
	// An error is a writer without deadlines (a test recorder): nothing to arm.
	_ = d.rc.SetWriteDeadline(time.Time{})
	return d
}

func (d *deadlineWriter) arm() { _ = d.rc.SetWriteDeadline(time.Now().Add(d.timeout)) }

// WriteHeader implements http.ResponseWriter. After a 400 or a 401 the
// connection is closed: a client without the credentials, or that sends
// what cannot be read, gets nothing more on it.
func (d *deadlineWriter) WriteHeader(status int) {
	if status == http.StatusBadRequest || status == http.StatusUnauthorized {
		d.Header().Set("Connection", "close")
	}
	d.arm()
	d.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter, a chunk at a time.
func (d *deadlineWriter) Write(p []byte) (int, error) {
	written := 0
	for {
		chunk := p[:min(len(p), writeChunk)]
		d.arm()
		n, err := d.ResponseWriter.Write(chunk)
		written += n
		p = p[n:]
		if err != nil || len(p) == 0 {
			return written, err
		}
	}
}

// Flush implements http.Flusher, for the streams (logtail).
func (d *deadlineWriter) Flush() {
	d.arm()
	_ = d.rc.Flush()
}

// Unwrap gives http.ResponseController the writer underneath.
func (d *deadlineWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }
