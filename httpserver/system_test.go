package httpserver

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

func TestIntrospection(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	c := newClient(t, serve(t, s), xmlrpc.ClientOptions{})
	ctx := context.Background()

	var names []string
	if err := c.Call(ctx, "system.listMethods", nil, &names); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"snake.get_api_version",
		"system.listMethods", "system.methodHelp", "system.methodSignature", "system.multicall",
		"test.add", "test.control", "test.echo", "test.fail", "test.greet", "test.info", "test.panic",
		"test.step", "test.sum", "test.types",
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("listMethods:\ngot  %v\nwant %v", names, want)
	}

	var help string
	if err := c.Call(ctx, "system.methodHelp", []any{"test.add"}, &help); err != nil || help != testxmlrpc.Help["test.add"] {
		t.Errorf("methodHelp(test.add): %q, %v", help, err)
	}
	if err := c.Call(ctx, "system.methodHelp", []any{"test.sum"}, &help); err != nil || help != testxmlrpc.Help["test.add"] {
		t.Errorf("methodHelp(alias): %q, %v", help, err)
	}
	if err := c.Call(ctx, "system.methodHelp", []any{"test.greet"}, &help); err != nil || help != "" {
		t.Errorf("methodHelp(undocumented): %q, %v", help, err)
	}
	if err := c.Call(ctx, "system.methodHelp", []any{"system.multicall"}, &help); err != nil || !strings.Contains(help, "@param array calls") {
		t.Errorf("methodHelp(system.multicall): %q, %v", help, err)
	}
	testxmlrpc.WantFault(t, c.Call(ctx, "system.methodHelp", []any{"test.nothing"}, &help), fault.SignatureUnsupported, "SIGNATURE_UNSUPPORTED")

	signatures := map[string][]string{
		"test.add":               {"int", "int", "int"},
		"test.sum":               {"int", "int", "int"},
		"test.greet":             {"string", "string", "boolean", "int", "string"},
		"test.echo":              {"any", "any"}, // interfaces: from the help text
		"test.step":              {"string", "string", "int"},
		"test.info":              {"array", "int", "int"},
		"test.types":             {"struct", "string", "int", "int", "boolean", "double", "base64", "array", "array", "struct", "struct", "dateTime.iso8601"},
		"test.panic":             {"boolean"},
		"test.fail":              {"boolean", "int", "string"},
		"system.listMethods":     {"array"},
		"system.methodHelp":      {"string", "string"},
		"system.methodSignature": {"array", "string"},
		"system.multicall":       {"array", "array"},
	}
	for name, want := range signatures {
		var got []string
		if err := c.Call(ctx, "system.methodSignature", []any{name}, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("methodSignature(%s) = %v, %v; want %v", name, got, err, want)
		}
	}
	testxmlrpc.WantFault(t, c.Call(ctx, "system.methodSignature", []any{"nothing"}, nil), fault.SignatureUnsupported, "SIGNATURE_UNSUPPORTED")
	testxmlrpc.WantFault(t, c.Call(ctx, "system.methodSignature", nil, nil), fault.IncorrectParameters, "INCORRECT_PARAMETERS")
}

func TestMulticall(t *testing.T) {
	s, svc := newTestServer(t, Options{})
	c := newClient(t, serve(t, s), xmlrpc.ClientOptions{})
	ctx := context.Background()
	call := func(name string, params ...any) map[string]any {
		return map[string]any{"methodName": name, "params": params}
	}
	faultOf := func(code int, text string) map[string]any {
		return map[string]any{"faultCode": code, "faultString": text}
	}
	// The cases Supervisor 4.2.5 answers (see the protocol reference), then
	// this server's own.
	calls := []any{
		call("test.add", 40, 2),
		call("test.fail", 10, "x"),
		call("system.multicall", []any{}),
		map[string]any{"params": []any{}},
		call("test.nothing"),
		call("test.add", 1),
		map[string]any{"methodName": "snake.get_api_version"}, // params may be left out
		call("test.panic"),
		call("test.add", "1", 2),
		"not a struct",
		map[string]any{"methodName": 5},
		map[string]any{"methodName": "test.add", "params": "1, 2"},
		call("system.listMethods"),
	}
	var got []any
	if err := c.Call(ctx, "system.multicall", []any{calls}, &got); err != nil {
		t.Fatal(err)
	}
	want := []any{
		42,
		faultOf(10, "BAD_NAME: x"),
		faultOf(2, "INCORRECT_PARAMETERS: Recursive system.multicall forbidden"),
		faultOf(2, "INCORRECT_PARAMETERS: No methodName"),
		faultOf(1, "UNKNOWN_METHOD"),
		faultOf(2, "INCORRECT_PARAMETERS"),
		"0.1",
		nil, // the panic, checked below
		faultOf(2, "INCORRECT_PARAMETERS: param 1 (A): want int, got string"),
		faultOf(2, "INCORRECT_PARAMETERS: call is not a struct"),
		faultOf(2, "INCORRECT_PARAMETERS: methodName is not a string"),
		faultOf(2, "INCORRECT_PARAMETERS"),
		nil, // listMethods, checked below
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		switch i {
		case 7:
			if f, ok := got[i].(map[string]any); !ok || f["faultCode"] != 30 || !strings.HasPrefix(f["faultString"].(string), "FAILED: panic in test.panic") {
				t.Errorf("result %d: %#v, want FAILED", i, got[i])
			}
		case 12:
			if names, ok := got[i].([]any); !ok || len(names) != 15 {
				t.Errorf("result %d: %#v, want the method names", i, got[i])
			}
		default:
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("result %d: got %#v, want %#v", i, got[i], want[i])
			}
		}
	}

	// Calls run one after the other, each to its end.
	var steps []string
	if err := c.Call(ctx, "system.multicall", []any{[]any{call("test.step", "a", 100), call("test.step", "b"), call("test.step", "c", 20)}}, &steps); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(steps, []string{"a", "b", "c"}) {
		t.Errorf("steps returned %v", steps)
	}
	if got, want := svc.Recorded(), []string{"start a", "end a", "start b", "end b", "start c", "end c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("steps ran as %v, want %v", got, want)
	}

	var empty []any
	if err := c.Call(ctx, "system.multicall", []any{[]any{}}, &empty); err != nil || len(empty) != 0 {
		t.Errorf("empty multicall: %v, %v", empty, err)
	}
	testxmlrpc.WantFault(t, c.Call(ctx, "system.multicall", []any{"x"}, nil), fault.IncorrectParameters, "INCORRECT_PARAMETERS: param 1 (calls): want array, got string")
	testxmlrpc.WantFault(t, c.Call(ctx, "system.multicall", nil, nil), fault.IncorrectParameters, "INCORRECT_PARAMETERS")
}
