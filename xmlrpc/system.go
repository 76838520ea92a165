package xmlrpc

import (
	"net/http"
	"reflect"

	"github.com/supvisors/supvisors-go/fault"
)

// systemService is the `system` namespace: introspection and multicall over
// the server's method table. Safe for concurrent use.
type systemService struct{ h *Handler }

// The args types are unnamed structs: gorilla accepts those, and they keep
// the package's exported API to what services need.
type (
	methodNameArgs = struct {
		Name string `xmlrpc:"name"`
	}
	multicallArgs = struct {
		Calls []value `xmlrpc:"calls"`
	}
)

// rawValueType lets multicall take its calls undecoded: assign copies a
// value into a field of this type as it is.
var rawValueType = reflect.TypeFor[value]()

var systemHelp = map[string]string{
	"system.listMethods": "List the names of every method this server answers, aliases included, sorted.\n" +
		"@return array names",
	"system.methodHelp": "Return the documentation of a method.\n" +
		"@param string name the method's name\n@return string help",
	"system.methodSignature": "Return the types of a method's reply and params: [return type, param types...].\n" +
		"@param string name the method's name\n@return array types",
	"system.multicall": "Run several calls in order, each after the previous one has finished, and return their results in order; " +
		"a call that fails gives a {faultCode, faultString} struct in its place.\n" +
		"@param array calls structs {methodName: string, params: array}\n@return array results",
}

// ListMethods returns every wire name, aliases and system.* included.
func (sys *systemService) ListMethods(_ *http.Request, _ *NoArgs, reply *[]string) error {
	*reply = sys.h.reg.names()
	return nil
}

// MethodHelp returns a method's help text; SIGNATURE_UNSUPPORTED for a name
// that is not a method.
func (sys *systemService) MethodHelp(_ *http.Request, args *methodNameArgs, reply *string) error {
	m, err := sys.h.reg.lookup(args.Name)
	if err != nil {
		return fault.New(fault.SignatureUnsupported, "")
	}
	*reply = m.help
	return nil
}

// MethodSignature returns [return type, param types...] of a method;
// SIGNATURE_UNSUPPORTED for a name that is not a method.
func (sys *systemService) MethodSignature(_ *http.Request, args *methodNameArgs, reply *[]string) error {
	m, err := sys.h.reg.lookup(args.Name)
	if err != nil {
		return fault.New(fault.SignatureUnsupported, "")
	}
	*reply = m.signature()
	return nil
}

// Multicall runs calls one after the other, as Supervisor 4.2.5 does: each
// result is the call's raw value (not the single-item array the XML-RPC
// multicall convention specifies) or its fault as a struct.
func (sys *systemService) Multicall(r *http.Request, args *multicallArgs, reply *[]any) error {
	results := make([]any, 0, len(args.Calls))
	for i := range args.Calls {
		result, err := sys.h.multicallOne(r, &args.Calls[i])
		if err != nil {
			result = fault.From(err)
		}
		results = append(results, result)
	}
	*reply = results
	return nil
}

// multicallOne runs one {methodName, params} call of a multicall.
func (h *Handler) multicallOne(r *http.Request, call *value) (any, error) {
	if call.kind != kindStruct {
		return nil, fault.New(fault.IncorrectParameters, "call is not a struct")
	}
	name := call.member("methodName")
	switch {
	case name == nil || name.kind == kindNil:
		return nil, fault.New(fault.IncorrectParameters, "No methodName")
	case name.kind != kindString:
		return nil, fault.New(fault.IncorrectParameters, "methodName is not a string")
	case name.str == "system.multicall":
		return nil, fault.New(fault.IncorrectParameters, "Recursive system.multicall forbidden")
	}
	var params []value
	if p := call.member("params"); p != nil {
		if p.kind != kindArray {
			return nil, fault.New(fault.IncorrectParameters, "")
		}
		params = p.elems
	}
	_, reply, err := h.call(r, name.str, params)
	return reply, err
}
