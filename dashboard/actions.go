package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/supvisors/supvisors-go/fault"
)

// callRequest is the body of POST /dashboard/call.
type callRequest struct {
	Method string `json:"method"`
	Params []any  `json:"params"`
}

// callReply is its answer: the XML-RPC result, or the fault.
type callReply struct {
	Result any        `json:"result,omitempty"`
	Fault  *faultInfo `json:"fault,omitempty"`
}

type faultInfo struct {
	Code   int    `json:"code"`
	Name   string `json:"name"`
	String string `json:"string"`
}

// call runs one XML-RPC method for the page's scripts: POST with the
// session's token in the X-CSRF-Token header and {"method", "params"} as
// JSON; the answer is {"result"} or {"fault": {code, name, string}}, HTTP
// 200 either way, as XML-RPC answers. Any other method, or a POST without
// the token, is refused with 403 before anything runs.
func (d *Dashboard) call(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "Forbidden: actions are POST requests", http.StatusForbidden)
		return
	}
	if !d.csrf.valid(r, r.Header.Get(tokenHeader)) {
		http.Error(w, "Forbidden: missing or stale CSRF token (reload the page)", http.StatusForbidden)
		return
	}
	var req callRequest
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil || req.Method == "" {
		http.Error(w, fmt.Sprintf("Bad Request: want {\"method\": NAME, \"params\": [...]}: %v", errOr(err, "no method")),
			http.StatusBadRequest)
		return
	}
	params, err := xmlrpcParams(req.Params)
	if err != nil {
		http.Error(w, "Bad Request: "+err.Error(), http.StatusBadRequest)
		return
	}
	var reply callReply
	result, err := d.rpc.Call(r, req.Method, params)
	if err != nil {
		f := fault.From(err)
		reply.Fault = &faultInfo{Code: int(f.Code), Name: f.Code.String(), String: f.String}
	} else {
		reply.Result = result
	}
	body, err := json.Marshal(reply)
	if err != nil {
		http.Error(w, "cannot encode the result: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

func errOr(err error, s string) error {
	if err != nil {
		return err
	}
	return errors.New(s)
}

// xmlrpcParams turns JSON values into XML-RPC ones: integral numbers are
// ints (strategy codes, signals, offsets), others doubles; a JSON null has
// no XML-RPC value.
func xmlrpcParams(in []any) ([]any, error) {
	out := make([]any, len(in))
	for i, v := range in {
		p, err := xmlrpcValue(v)
		if err != nil {
			return nil, fmt.Errorf("param %d: %w", i+1, err)
		}
		out[i] = p
	}
	return out, nil
}

func xmlrpcValue(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, errors.New("null has no XML-RPC value")
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return int(n), nil
		}
		return v.Float64()
	case []any:
		return xmlrpcParams(v)
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			p, err := xmlrpcValue(e)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", k, err)
			}
			m[k] = p
		}
		return m, nil
	}
	return v, nil // string, bool
}

// legacyActions are Supervisor's index.html?action= links: what each asks
// to confirm and the calls that carry it out (the restarts as Supervisor
// makes them: a stop, then a start).
var legacyActions = map[string]struct {
	text  func(name string) string
	calls func(name string) []call
	done  func(name string) string
}{
	"start": {
		text:  func(n string) string { return "Start process " + n },
		calls: func(n string) []call { return []call{{"supervisor.startProcess", n}} },
		done:  func(n string) string { return "Process " + n + " started" },
	},
	"stop": {
		text:  func(n string) string { return "Stop process " + n },
		calls: func(n string) []call { return []call{{"supervisor.stopProcess", n}} },
		done:  func(n string) string { return "Process " + n + " stopped" },
	},
	"restart": {
		text:  func(n string) string { return "Restart process " + n },
		calls: func(n string) []call { return []call{{"supervisor.stopProcess", n}, {"supervisor.startProcess", n}} },
		done:  func(n string) string { return "Process " + n + " restarted" },
	},
	"clearlog": {
		text:  func(n string) string { return "Clear the log of " + n },
		calls: func(n string) []call { return []call{{"supervisor.clearProcessLogs", n}} },
		done:  func(n string) string { return "Log for " + n + " cleared" },
	},
	"stopall": {
		text:  func(string) string { return "Stop all processes" },
		calls: func(string) []call { return []call{{"supervisor.stopAllProcesses", ""}} },
		done:  func(string) string { return "All stopped at " + time.Now().Format(time.ANSIC) },
	},
	"restartall": {
		text: func(string) string { return "Restart all processes" },
		calls: func(string) []call {
			return []call{{"supervisor.stopAllProcesses", ""}, {"supervisor.startAllProcesses", ""}}
		},
		done: func(string) string { return "All restarted at " + time.Now().Format(time.ANSIC) },
	},
}

// call is one XML-RPC call of a legacy action: the method, with the
// process name as its one param when there is one.
type call struct{ method, name string }

func (c call) params() []any {
	if c.name == "" {
		return []any{}
	}
	return []any{c.name}
}

// confirm shows what an old action link asks, with a form that POSTs it
// (token included): a link followed by mistake, or planted by another
// site, does nothing by itself.
func (d *Dashboard) confirm(w http.ResponseWriter, r *http.Request, action, name string) {
	a, ok := legacyActions[action]
	if !ok {
		http.Error(w, fmt.Sprintf("unknown action %q", action), http.StatusBadRequest)
		return
	}
	d.render(w, r, pageData{Page: "confirm", Title: "Confirm", Action: action, Subject: name, ActionText: a.text(name)})
}

// legacyAction carries out a confirmed old action (POST /index.html with
// the form's token), then sends the browser back to the cluster page with
// the outcome, as Supervisor's ?message= (a relative URL, so that it works
// behind a proxy's prefix).
func (d *Dashboard) legacyAction(w http.ResponseWriter, r *http.Request) {
	if !d.csrf.valid(r, r.PostFormValue(tokenField)) {
		http.Error(w, "Forbidden: missing or stale CSRF token (reload the page)", http.StatusForbidden)
		return
	}
	action, name := r.PostFormValue("action"), r.PostFormValue("processname")
	a, ok := legacyActions[action]
	if !ok {
		http.Error(w, fmt.Sprintf("unknown action %q", action), http.StatusBadRequest)
		return
	}
	message := a.done(name)
	for _, c := range a.calls(name) {
		if _, err := d.rpc.Call(r, c.method, c.params()); err != nil {
			f := fault.From(err)
			// Supervisor's restart goes on when the process was not running.
			if c.method == "supervisor.stopProcess" && action == "restart" && f.Code == fault.NotRunning {
				continue
			}
			message = "ERROR: " + f.String
			break
		}
	}
	// Set by hand: http.Redirect would make the URL absolute.
	w.Header().Set("Location", "index.html?message="+url.QueryEscape(message))
	w.WriteHeader(http.StatusSeeOther)
}
