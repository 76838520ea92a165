package xmlrpc

import (
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
)

// TestHandlerCall checks that Call runs a method as a posted call would:
// the same parameter checks and defaults, the reply as a client decodes
// it (wire member names), faults with their code, and each call observed.
func TestHandlerCall(t *testing.T) {
	h := NewHandler(hclog.NewNullLogger(), 1<<20)
	if err := h.RegisterService("test", &testxmlrpc.Service{}, LowerCamel, nil); err != nil {
		t.Fatal(err)
	}
	var observed []string
	h.Observe(func(method string, _ time.Duration) { observed = append(observed, method) })
	r, _ := http.NewRequest(http.MethodPost, "/dashboard/call", nil)

	cases := []struct {
		method string
		params []any
		want   any
		fault  fault.Code
	}{
		{"test.add", []any{2, 3}, 5, 0},
		{"test.greet", []any{"ann"}, `ann/true/2/""`, 0},
		{"test.echo", []any{map[string]any{"a": []any{1, "x", true, 1.5}}}, map[string]any{"a": []any{1, "x", true, 1.5}}, 0},
		{"test.info", []any{1, 0}, []any{map[string]any{
			"name": "worker_0000", "group": "workers", "start": 1700000000, "stop": 0, "now": 1700000100, "state": 20,
			"statename": "RUNNING", "spawnerr": "", "exitstatus": 0, "logfile": "/var/log/worker_0000.log",
			"stdout_logfile": "/var/log/worker_0000.log", "stderr_logfile": "/var/log/worker_0000.err", "pid": 10000,
			"description": "pid 1234, uptime 0:01:40",
		}}, 0},
		{"test.add", []any{2}, nil, fault.IncorrectParameters},
		{"test.add", []any{"two", 3}, nil, fault.IncorrectParameters},
		{"test.fail", []any{int(fault.BadName), "x"}, nil, fault.BadName},
		{"test.panic", nil, nil, fault.Failed},
		{"no.such", nil, nil, fault.UnknownMethod},
	}
	for _, c := range cases {
		got, err := h.Call(r, c.method, c.params)
		if c.fault != 0 {
			var f *fault.Fault
			if !errors.As(err, &f) || f.Code != c.fault {
				t.Errorf("%s%v: %v, %v; want fault %s", c.method, c.params, got, err, c.fault)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s%v:\n got %#v, %v\nwant %#v", c.method, c.params, got, err, c.want)
		}
	}
	want := []string{"test.add", "test.greet", "test.echo", "test.info", "test.add", "test.add", "test.fail", "test.panic", UnknownMethod}
	if !reflect.DeepEqual(observed, want) {
		t.Errorf("observed %v, want %v", observed, want)
	}
}
