package rpc

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	gorilla "github.com/gorilla/rpc"
	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/fault"
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
// registered namespaces, other routes come from Handle, and every route is
// behind the same basic auth. Register services before serving. Safe for
// concurrent use.
type Server struct {
	logger  hclog.Logger
	auth    *basicAuth
	maxBody int64
	// maxConns bounds each listener's open connections.
	maxConns int
	tls      *tls.Config
	reg      *registry
	gorilla  *gorilla.Server
	mux      *http.ServeMux
	http     *http.Server
	// writeTimeout and unauthIdleTimeout are the package's, shorter in
	// tests.
	writeTimeout      time.Duration
	unauthIdleTimeout time.Duration
	// crossOrigin refuses what a browser page of another origin posts: with
	// any Content-Type accepted, a form could post a call.
	crossOrigin *http.CrossOriginProtection

	stopOnce   sync.Once
	stopBase   context.CancelFunc
	bufferPool sync.Pool // *[]byte for encoded replies
}

// NewServer returns a server with only the system namespace.
func NewServer(opts Options) *Server {
	s := &Server{
		logger:   opts.Logger,
		auth:     newBasicAuth(opts.Username, opts.Password),
		maxBody:  opts.MaxBodyBytes,
		maxConns: opts.MaxConns,
		tls:      opts.TLSConfig,
		reg:      newRegistry(),
		gorilla:  gorilla.NewServer(),
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
	s.gorilla.RegisterCodec(codec{}, dispatchType)
	if err := s.reg.register(s.gorilla, "system", &systemService{s: s}, LowerCamel, systemHelp); err != nil {
		panic(err) // the system namespace is fixed: this cannot fail
	}
	rpc := http.HandlerFunc(s.serveRPC)
	s.mux.Handle("/RPC2", rpc)
	s.mux.Handle("/RPC2/", rpc) // supervisord matches any path starting with /RPC2
	s.mux.Handle("/{$}", rpc)
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

// RegisterService publishes the gorilla-style methods of svc (exported,
// func(*http.Request, *Args, *Reply) error) as namespace.name, name coming
// from the Go method name by naming. help holds system.methodHelp's text,
// keyed by wire name ("supervisor.getState"). The namespace "system" is
// the server's own.
func (s *Server) RegisterService(namespace string, svc any, naming Naming, help map[string]string) error {
	return s.reg.register(s.gorilla, namespace, svc, naming, help)
}

// RegisterAlias makes alias ("supervisor.getVersion") call the method
// target ("supervisor.getAPIVersion"); system.listMethods lists it too.
func (s *Server) RegisterAlias(alias, target string) error {
	return s.reg.alias(alias, target)
}

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

// serveRPC handles one XML-RPC request, whatever its Content-Type: HTTP
// errors for what supervisord refuses at the HTTP level (405, 400 for
// unparsable XML, an unknown declared encoding or no method name) and for
// what this server adds (413 for a body over the limit); a methodResponse
// with HTTP 200 otherwise.
func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > s.maxBody {
		s.refuseBody(w, r)
		return
	}
	req, err := decodeRequest(http.MaxBytesReader(w, r.Body, s.maxBody), requestLimits)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			s.refuseBody(w, r)
			return
		}
		s.logger.Warn("xml-rpc request is invalid", "remote", r.RemoteAddr, "error", err)
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	m, reply, err := s.call(r, req.method, req.params)
	s.writeReply(w, req.method, m, reply, err)
}

func (s *Server) refuseBody(w http.ResponseWriter, r *http.Request) {
	s.logger.Warn("xml-rpc request body too large", "remote", r.RemoteAddr, "limit", s.maxBody)
	w.Header().Set("Connection", "close")
	http.Error(w, "Request Entity Too Large", http.StatusRequestEntityTooLarge)
}

// writeReply sends reply of m (nil when the method is unknown), or the
// fault err is, as a methodResponse. A reply that cannot be encoded is a
// FAILED fault.
func (s *Server) writeReply(w http.ResponseWriter, name string, m *method, reply any, err error) {
	bp := s.buffer()
	var body []byte
	if err == nil {
		if hint := int(m.replySize.Load()); cap(*bp) < hint {
			*bp = make([]byte, 0, hint+hint/8)
		}
		var encErr error
		if body, encErr = appendResponse((*bp)[:0], reply); encErr != nil {
			s.logger.Error("cannot encode xml-rpc reply", "method", name, "error", encErr)
			err = fault.Newf(fault.Failed, "cannot encode the reply: %v", encErr)
		} else {
			m.replySize.Store(int64(len(body)))
		}
	}
	if err != nil {
		f := fault.From(err)
		s.logger.Trace("xml-rpc method returned a fault", "method", name, "code", int(f.Code), "fault", f.String)
		body = appendFault((*bp)[:0], f)
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(body); err != nil {
		s.logger.Debug("cannot send xml-rpc reply", "method", name, "error", err)
	}
	*bp = body
	s.putBuffer(bp)
}

// maxPooledBuffer keeps one huge reply from pinning its buffer.
const maxPooledBuffer = 4 << 20

func (s *Server) buffer() *[]byte {
	if bp, ok := s.bufferPool.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 4096)
	return &b
}

func (s *Server) putBuffer(bp *[]byte) {
	if cap(*bp) <= maxPooledBuffer {
		s.bufferPool.Put(bp)
	}
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
