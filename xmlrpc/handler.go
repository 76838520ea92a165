package xmlrpc

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	gorilla "github.com/gorilla/rpc"

	"github.com/supvisors/supvisors-go/fault"
)

// Logger is what a Handler logs to; an hclog.Logger is one. Its methods
// must be safe for concurrent use.
type Logger interface {
	Trace(msg string, args ...any)
	Debug(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
}

// Handler serves XML-RPC calls, whatever the path it is mounted on: it
// decodes a POSTed methodCall, dispatches it to the method registered
// under its name and sends the methodResponse. It has the system namespace
// (listMethods, methodHelp, methodSignature, multicall) of its own;
// register the others before serving. Safe for concurrent use.
type Handler struct {
	logger     Logger
	maxBody    int64
	reg        *registry
	gorilla    *gorilla.Server
	bufferPool sync.Pool // *[]byte for encoded replies
	// observe, when set, receives each call's method and duration.
	observe func(method string, d time.Duration)
}

// UnknownMethod is the name Observe reports for a method that is not
// registered: a caller may send any name, and each would make a new
// label of the request metrics.
const UnknownMethod = "unknown"

// Observe makes h report each call, once its reply is written, to fn with
// the method called (UnknownMethod for a name that is not registered) and
// how long the call took from the decoded request. Set it before serving.
func (h *Handler) Observe(fn func(method string, d time.Duration)) { h.observe = fn }

// NewHandler returns a handler with only the system namespace, which logs
// to logger (not nil) and refuses bodies over maxBody bytes (HTTP 413).
func NewHandler(logger Logger, maxBody int64) *Handler {
	h := &Handler{logger: logger, maxBody: maxBody, reg: newRegistry(), gorilla: gorilla.NewServer()}
	h.gorilla.RegisterCodec(codec{}, dispatchType)
	if err := h.reg.register(h.gorilla, "system", &systemService{h: h}, LowerCamel, systemHelp); err != nil {
		panic(err) // the system namespace is fixed: this cannot fail
	}
	return h
}

// RegisterService publishes the gorilla-style methods of svc (exported,
// func(*http.Request, *Args, *Reply) error) as namespace.name, name coming
// from the Go method name by naming. help holds system.methodHelp's text,
// keyed by wire name ("supervisor.getState"). The namespace "system" is
// the handler's own.
func (h *Handler) RegisterService(namespace string, svc any, naming Naming, help map[string]string) error {
	return h.reg.register(h.gorilla, namespace, svc, naming, help)
}

// RegisterAlias makes alias ("supervisor.getVersion") call the method
// target ("supervisor.getAPIVersion"); system.listMethods lists it too.
func (h *Handler) RegisterAlias(alias, target string) error {
	return h.reg.alias(alias, target)
}

// ServeHTTP handles one XML-RPC request, whatever its Content-Type: HTTP
// errors for what supervisord refuses at the HTTP level (405, 400 for
// unparsable XML, an unknown declared encoding or no method name) and for
// what this server adds (413 for a body over the limit); a methodResponse
// with HTTP 200 otherwise.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > h.maxBody {
		h.refuseBody(w, r)
		return
	}
	req, err := decodeRequest(http.MaxBytesReader(w, r.Body, h.maxBody), requestLimits)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.refuseBody(w, r)
			return
		}
		h.logger.Warn("xml-rpc request is invalid", "remote", r.RemoteAddr, "error", err)
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	start := time.Now()
	m, reply, err := h.call(r, req.method, req.params)
	h.writeReply(w, req.method, m, reply, err)
	if h.observe != nil {
		name := req.method
		if m == nil {
			name = UnknownMethod
		}
		h.observe(name, time.Since(start))
	}
}

func (h *Handler) refuseBody(w http.ResponseWriter, r *http.Request) {
	h.logger.Warn("xml-rpc request body too large", "remote", r.RemoteAddr, "limit", h.maxBody)
	w.Header().Set("Connection", "close")
	http.Error(w, "Request Entity Too Large", http.StatusRequestEntityTooLarge)
}

// writeReply sends reply of m (nil when the method is unknown), or the
// fault err is, as a methodResponse. A reply that cannot be encoded is a
// FAILED fault.
func (h *Handler) writeReply(w http.ResponseWriter, name string, m *method, reply any, err error) {
	bp := h.buffer()
	var body []byte
	if err == nil {
		if hint := int(m.replySize.Load()); cap(*bp) < hint {
			*bp = make([]byte, 0, hint+hint/8)
		}
		var encErr error
		if body, encErr = appendResponse((*bp)[:0], reply); encErr != nil {
			h.logger.Error("cannot encode xml-rpc reply", "method", name, "error", encErr)
			err = fault.Newf(fault.Failed, "cannot encode the reply: %v", encErr)
		} else {
			m.replySize.Store(int64(len(body)))
		}
	}
	if err != nil {
		f := fault.From(err)
		h.logger.Trace("xml-rpc method returned a fault", "method", name, "code", int(f.Code), "fault", f.String)
		body = appendFault((*bp)[:0], f)
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/xml")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(body); err != nil {
		h.logger.Debug("cannot send xml-rpc reply", "method", name, "error", err)
	}
	*bp = body
	h.putBuffer(bp)
}

// maxPooledBuffer keeps one huge reply from pinning its buffer.
const maxPooledBuffer = 4 << 20

func (h *Handler) buffer() *[]byte {
	if bp, ok := h.bufferPool.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 4096)
	return &b
}

func (h *Handler) putBuffer(bp *[]byte) {
	if cap(*bp) <= maxPooledBuffer {
		h.bufferPool.Put(bp)
	}
}

// Call runs the wire method name with params as if r had posted it as a
// methodCall: the same lookup, parameter checks, method and metrics as
// ServeHTTP, for another front end of the same methods (the dashboard's
// actions). params take what an XML-RPC call carries (string, int, bool,
// float64, []any, map[string]any). The result is the reply as an XML-RPC
// client would decode it (strings, ints, bools, float64s, time.Times,
// []any, map[string]any with the wire's member names), or the method's
// fault as a *fault.Fault.
func (h *Handler) Call(r *http.Request, name string, params []any) (any, error) {
	doc, err := appendCall(nil, name, params)
	if err != nil {
		return nil, fault.Newf(fault.IncorrectParameters, "%v", err)
	}
	req, err := decodeRequest(bytes.NewReader(doc), requestLimits)
	if err != nil {
		return nil, fault.Newf(fault.IncorrectParameters, "%v", err)
	}
	start := time.Now()
	m, reply, err := h.call(r, req.method, req.params)
	if h.observe != nil {
		observed := name
		if m == nil {
			observed = UnknownMethod
		}
		h.observe(observed, time.Since(start))
	}
	if err != nil {
		return nil, fault.From(err)
	}
	body, err := appendResponse(nil, reply)
	if err != nil {
		return nil, fault.Newf(fault.Failed, "cannot encode the reply: %v", err)
	}
	// A reply the handler has just encoded always decodes: it is what
	// ServeHTTP would send.
	v, _, err := decodeResponse(bytes.NewReader(body), requestLimits)
	if err != nil {
		return nil, fault.Newf(fault.Failed, "cannot decode the reply: %v", err)
	}
	return natural(&v), nil
}
