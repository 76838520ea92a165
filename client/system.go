package client

import (
	"context"
	"fmt"

	"github.com/supvisors/supvisors-go/fault"
)

// System is the `system` namespace of a Client: introspection and
// multicall. A small value; safe for concurrent use.
type System struct{ c *Client }

// System returns the `system` namespace's methods. Safe for concurrent use.
func (c *Client) System() System { return System{c} }

// ListMethods is system.listMethods: every method the server answers,
// aliases included, sorted.
func (s System) ListMethods(ctx context.Context) ([]string, error) {
	var reply []string
	return reply, s.c.Call(ctx, "system.listMethods", nil, &reply)
}

// MethodHelp is system.methodHelp: a method's documentation.
// SIGNATURE_UNSUPPORTED for a name that is not a method.
func (s System) MethodHelp(ctx context.Context, method string) (string, error) {
	var reply string
	return reply, s.c.Call(ctx, "system.methodHelp", []any{method}, &reply)
}

// MethodSignature is system.methodSignature: [return type, param types...]
// of a method. SIGNATURE_UNSUPPORTED for a name that is not a method.
func (s System) MethodSignature(ctx context.Context, method string) ([]string, error) {
	var reply []string
	return reply, s.c.Call(ctx, "system.methodSignature", []any{method}, &reply)
}

// multicallCall is how a Call travels.
type multicallCall struct {
	MethodName string `xmlrpc:"methodName"`
	Params     []any  `xmlrpc:"params"`
}

// Multicall is system.multicall: the server runs calls in order, each once
// the previous one is done, and answers one result per call, in order,
// each a value or a fault (Supervisor 4.x's raw values, not the
// single-item arrays of the XML-RPC multicall convention). The error is
// that of the multicall itself.
func (s System) Multicall(ctx context.Context, calls []Call) ([]MulticallResult, error) {
	wire := make([]multicallCall, len(calls))
	for i, c := range calls {
		params := c.Params
		if params == nil {
			params = []any{}
		}
		wire[i] = multicallCall{MethodName: c.Method, Params: params}
	}
	var reply []any
	if err := s.c.Call(ctx, "system.multicall", []any{wire}, &reply); err != nil {
		return nil, err
	}
	if len(reply) != len(calls) {
		return nil, &callError{method: "system.multicall", server: s.c.url,
			err: fmt.Errorf("%d results for %d calls", len(reply), len(calls))}
	}
	results := make([]MulticallResult, len(reply))
	for i, v := range reply {
		if f := asFault(v); f != nil {
			results[i].Fault = f
		} else {
			results[i].Value = v
		}
	}
	return results, nil
}

// asFault is the fault a multicall result stands for: a struct of exactly
// an int faultCode and a string faultString; nil for any other value.
func asFault(v any) *fault.Fault {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return nil
	}
	code, okCode := m["faultCode"].(int)
	text, okText := m["faultString"].(string)
	if !okCode || !okText {
		return nil
	}
	return &fault.Fault{Code: fault.Code(code), String: text}
}
