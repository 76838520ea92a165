package dashboard

import (
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/supvisors/supvisors-go/eventstream"
	"github.com/supvisors/supvisors-go/internal/version"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// pages are the layout and each page's content, parsed at the first page
// served: most agents never serve one, and parsing them at start-up cost
// every agent 0.7 ms and 77 KB of allocations, 50 KB of them kept.
var pages = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(templateFS, "templates/*.html"))
})

// Caller runs an XML-RPC method as the server's handler does;
// *xmlrpc.Handler is one.
type Caller interface {
	Call(r *http.Request, method string, params []any) (any, error)
}

var _ Caller = (*xmlrpc.Handler)(nil)

// Options configures a Dashboard; New reads it once.
type Options struct {
	// RPC runs the actions: the same methods the server answers on /RPC2.
	RPC Caller
	// Local is this agent's address in the cluster.
	Local string
	// Periods are the statistics periods configured (stats_periods), in
	// seconds.
	Periods []int
	// Key signs the sessions' CSRF tokens (NewKey; any other length: a
	// new random key). An agent keeps one for its process's life, so that
	// a page left open across a restart of the agent (supvisors.restart,
	// a reload) can still act.
	Key []byte
	// State returns the cluster's current state as the event stream's
	// snapshot (one supvisors event, then every address, application and
	// process), embedded in each page so that it shows the cluster at its
	// first paint, before its stream is even connected; nil: none.
	State func() []eventstream.Event
}

// Dashboard serves the pages and their actions. Safe for concurrent use.
type Dashboard struct {
	rpc     Caller
	local   string
	periods string // JSON, for the pages' scripts
	version string
	state   func() []eventstream.Event
	csrf    *csrf
	assets  http.Handler
}

// New returns a dashboard whose CSRF tokens are signed with opts.Key: the
// tokens of another agent (another key) are refused.
func New(opts Options) *Dashboard {
	periods, _ := json.Marshal(opts.Periods) // a []int always marshals
	sub, _ := fs.Sub(assetFS, "assets")      // the directory is embedded
	return &Dashboard{
		rpc: opts.RPC, local: opts.Local, periods: string(periods), version: version.Version, state: opts.State,
		csrf: newCSRF(opts.Key), assets: http.FileServerFS(sub),
	}
}

// Router is where the dashboard's routes go: httpserver.Server's Handle
// puts them behind the server's auth and cross-origin check.
type Router interface {
	Handle(pattern string, h http.Handler)
}

// Register adds the dashboard's routes. GET / and /index.html are the
// cluster page (Supervisor's URL), or the confirmation of one of
// Supervisor's old action links (?action=...); POST / stays XML-RPC.
func (d *Dashboard) Register(r Router) {
	r.Handle("GET /{$}", http.HandlerFunc(d.index))
	r.Handle("GET /index.html", http.HandlerFunc(d.index))
	r.Handle("POST /index.html", http.HandlerFunc(d.legacyAction))
	r.Handle("GET /address.html", d.page("address"))
	r.Handle("GET /application.html", d.page("application"))
	r.Handle("GET /process.html", d.page("process"))
	r.Handle("GET /tail.html", d.page("process"))
	r.Handle("GET /dashboard/assets/", http.StripPrefix("/dashboard/assets", d.assetHandler()))
	r.Handle("/dashboard/call", http.HandlerFunc(d.call))
}

// pageData is what every template gets.
type pageData struct {
	Page    string // cluster, address, application, process, confirm
	Title   string
	Token   string // the session's CSRF token
	Local   string
	Periods string
	Version string
	// Subject is the address, application or namespec the page is about.
	Subject string
	// Message is the outcome of an old action link (Supervisor's
	// ?message=), shown on the cluster page.
	Message string
	// Action and its description, on a confirmation page.
	Action, ActionText string
	// State is the cluster's state as a JSON array of [topic, payload]
	// (the event stream's snapshot), for the page's script.
	State template.JS
}

// index serves the cluster page, or the confirmation page of an old
// action link.
func (d *Dashboard) index(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if action := q.Get("action"); action != "" && action != "refresh" {
		d.confirm(w, r, action, q.Get("processname"))
		return
	}
	d.render(w, r, pageData{Page: "cluster", Title: "Cluster", Message: q.Get("message")})
}

// page serves the page of one address, application or process, named by
// its query: address=, application= (or Supvisors' appli=), namespec= (or
// Supervisor's processname=).
func (d *Dashboard) page(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var subject string
		switch name {
		case "address":
			subject = q.Get("address")
		case "application":
			subject = firstOf(q.Get("application"), q.Get("appli"))
		case "process":
			subject = firstOf(q.Get("namespec"), q.Get("processname"))
		}
		if subject == "" {
			http.Error(w, "missing the "+name+" to show", http.StatusBadRequest)
			return
		}
		d.render(w, r, pageData{Page: name, Title: subject, Subject: subject})
	})
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// render writes a page with the session's token and the headers that keep
// it from loading anything from elsewhere or being framed.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, data pageData) {
	data.Token = d.csrf.session(w, r)
	data.Local, data.Periods, data.Version = d.local, d.periods, d.version
	if data.Page != "confirm" {
		data.State = d.snapshot()
	}
	var b strings.Builder
	if err := pages().ExecuteTemplate(&b, "layout", data); err != nil {
		http.Error(w, "cannot render the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	securityHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(b.String()))
}

// snapshot is the state as a JSON array of [topic, payload]. The payloads
// are json.Marshal's, which escapes <, > and &: none can end the script
// element that holds them.
func (d *Dashboard) snapshot() template.JS {
	if d.state == nil {
		return "[]"
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range d.state() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`["`)
		b.WriteString(e.Topic) // a topic name: lower-case letters
		b.WriteString(`",`)
		b.Write(e.Data)
		b.WriteByte(']')
	}
	b.WriteByte(']')
	return template.JS(b.String())
}

// contentPolicy lets a page load only what its agent serves, and nothing
// frame it (a framed confirmation could be clicked through).
const contentPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

// assetHandler serves the script and the style sheet; the browser checks
// them again at each load (no-cache), so an upgraded agent's are used at
// once.
func (d *Dashboard) assetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no listing of the directory
			return
		}
		securityHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-cache")
		d.assets.ServeHTTP(w, r)
	})
}
