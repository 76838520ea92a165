package xmlrpc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime/debug"

	gorilla "github.com/gorilla/rpc"

	"github.com/supvisors/supvisors-go/fault"
)

// dispatchType is the one Content-Type gorilla knows, under which every
// call is handed to it: the server takes any Content-Type, as supervisord
// does (curl --data-binary sends a form's).
const dispatchType = "text/xml"

// invocation carries one call, already parsed, resolved and checked by the
// handler, through gorilla to the codec, and brings the outcome back. The
// body is parsed once, by the handler, so gorilla's own text/plain 400s for
// unknown methods and bad args never happen: those are faults decided
// before gorilla is entered.
type invocation struct {
	method *method
	args   reflect.Value // *Args, filled
	reply  any           // *Reply, once the method has run
	err    error         // what the method returned
	done   bool
}

type invocationKey struct{}

// codec is the gorilla/rpc Codec. Its requests come from the handler with
// an invocation in their context; encoding is left to the handler, which
// must also encode faults it decides itself and multicall results.
type codec struct{}

// NewRequest implements gorilla.Codec. Safe for concurrent use.
func (codec) NewRequest(r *http.Request) gorilla.CodecRequest {
	inv, _ := r.Context().Value(invocationKey{}).(*invocation)
	return codecRequest{inv: inv}
}

type codecRequest struct{ inv *invocation }

// Method implements gorilla.CodecRequest: the Go name of the checked call.
func (c codecRequest) Method() (string, error) {
	if c.inv == nil {
		return "", errors.New("rpc: request did not come through the XML-RPC handler")
	}
	return c.inv.method.gorilla, nil
}

// ReadRequest implements gorilla.CodecRequest: it copies the args the
// handler has already filled.
func (c codecRequest) ReadRequest(args any) error {
	dst := reflect.ValueOf(args)
	if dst.Type() != c.inv.args.Type() {
		return fmt.Errorf("rpc: args are %s, want %s", dst.Type(), c.inv.args.Type())
	}
	dst.Elem().Set(c.inv.args.Elem())
	return nil
}

// WriteResponse implements gorilla.CodecRequest: it hands the reply and
// the error back to the handler.
func (c codecRequest) WriteResponse(_ http.ResponseWriter, reply any, err error) error {
	c.inv.reply, c.inv.err, c.inv.done = reply, err, true
	return nil
}

// discardWriter is the ResponseWriter gorilla gets: the codec writes
// nothing, and gorilla writes only if it refuses a call, which the handler
// has ruled out; the status is kept for that case.
type discardWriter struct {
	header http.Header
	status int
}

// Header implements http.ResponseWriter.
func (w *discardWriter) Header() http.Header {
	if w.header == nil {
		w.header = make(http.Header)
	}
	return w.header
}

// Write implements http.ResponseWriter, dropping b.
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader implements http.ResponseWriter, keeping the status.
func (w *discardWriter) WriteHeader(status int) { w.status = status }

// call runs the wire method name with params, as a direct call or as one
// call of a multicall: UNKNOWN_METHOD or INCORRECT_PARAMETERS are decided
// here, before the method runs.
// The method is returned too once known, nil for an unknown name.
func (h *Handler) call(r *http.Request, name string, params []value) (*method, any, error) {
	m, err := h.reg.lookup(name)
	if err != nil {
		return nil, nil, err
	}
	args, err := m.args.build(params)
	if err != nil {
		return m, nil, err
	}
	h.logger.Trace("xml-rpc method called", "method", name)
	reply, err := h.invoke(r, m, args)
	return m, reply, err
}

// invoke dispatches a checked call through gorilla. A panic in the method
// is logged and becomes FAILED, and the server goes on serving.
func (h *Handler) invoke(r *http.Request, m *method, args reflect.Value) (reply any, err error) {
	inv := &invocation{method: m, args: args}
	req := r.WithContext(context.WithValue(r.Context(), invocationKey{}, inv))
	if req.Header.Get("Content-Type") != dispatchType {
		req.Header = req.Header.Clone()
		req.Header.Set("Content-Type", dispatchType)
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.logger.Error("xml-rpc method panicked", "method", m.name, "panic", p, "stack", string(debug.Stack()))
			reply, err = nil, fault.Newf(fault.Failed, "panic in %s: %v", m.name, p)
		}
	}()
	var w discardWriter
	h.gorilla.ServeHTTP(&w, req)
	if !inv.done {
		return nil, fault.Newf(fault.Failed, "%s refused by the dispatcher (HTTP %d)", m.name, w.status)
	}
	return inv.reply, inv.err
}
