package httpserver

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/text/encoding/unicode"

	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

const faultFmt = "<fault><value><struct><member><name>faultCode</name><value><int>%d</int></value></member>" +
	"<member><name>faultString</name><value><string>%s</string></value></member></struct></value></fault>"

func TestServerCalls(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	url := serve(t, s)
	type want struct {
		status int
		// contains is a fragment of the reply body; for 200 replies the body
		// must also be a fault exactly when fault is set.
		contains string
		fault    bool
	}
	ok := func(v string) want { return want{200, "<param><value>" + v + "</value></param>", false} }
	flt := func(code int, text string) want {
		return want{200, fmt.Sprintf(faultFmt, code, text), true}
	}
	cases := []struct {
		name string
		path string
		body string
		want want
	}{
		{"call", "/RPC2", testxmlrpc.CallXML("test.add", "<int>2</int>", "<i4>3</i4>"), ok("<int>5</int>")},
		{"call on /", "/", testxmlrpc.CallXML("test.add", "<int>2</int>", "<i8>3</i8>"), ok("<int>5</int>")},
		{"call under /RPC2/", "/RPC2/x", testxmlrpc.CallXML("test.add", "<int>2</int>", "<int>3</int>"), ok("<int>5</int>")},
		{"alias", "/RPC2", testxmlrpc.CallXML("test.sum", "<int>2</int>", "<int>3</int>"), ok("<int>5</int>")},
		{"snake_case", "/RPC2", testxmlrpc.CallXML("snake.get_api_version"), ok("<string>0.1</string>")},
		{"untyped string param", "/RPC2", testxmlrpc.CallXML("test.greet", "bob"), ok(`<string>bob/true/2/""</string>`)},
		{"optional params defaults", "/RPC2", testxmlrpc.CallXML("test.greet", "<string>bob</string>", "<boolean>0</boolean>"), ok(`<string>bob/false/2/""</string>`)},
		{"unknown method", "/RPC2", testxmlrpc.CallXML("test.nothing"), flt(1, "UNKNOWN_METHOD")},
		{"unknown namespace", "/RPC2", testxmlrpc.CallXML("nothing.add"), flt(1, "UNKNOWN_METHOD")},
		{"no namespace", "/RPC2", testxmlrpc.CallXML("add"), flt(1, "UNKNOWN_METHOD")},
		{"three parts", "/RPC2", testxmlrpc.CallXML("test.add.x"), flt(1, "UNKNOWN_METHOD")},
		{"private name", "/RPC2", testxmlrpc.CallXML("test._add"), flt(1, "UNKNOWN_METHOD")},
		{"Go name", "/RPC2", testxmlrpc.CallXML("test.Add", "<int>2</int>", "<int>3</int>"), flt(1, "UNKNOWN_METHOD")},
		{"method without gorilla shape", "/RPC2", testxmlrpc.CallXML("test.notPublished"), flt(1, "UNKNOWN_METHOD")},
		{"too few params", "/RPC2", testxmlrpc.CallXML("test.add", "<int>2</int>"), flt(2, "INCORRECT_PARAMETERS")},
		{"too many params", "/RPC2", testxmlrpc.CallXML("test.add", "<int>2</int>", "<int>2</int>", "<int>2</int>"), flt(2, "INCORRECT_PARAMETERS")},
		{"params to a method without", "/RPC2", testxmlrpc.CallXML("snake.get_api_version", "<int>2</int>"), flt(2, "INCORRECT_PARAMETERS")},
		{"string for int", "/RPC2", testxmlrpc.CallXML("test.add", "<string>2</string>", "<int>2</int>"), flt(2, "INCORRECT_PARAMETERS: param 1 (A): want int, got string")},
		{"int for boolean", "/RPC2", testxmlrpc.CallXML("test.greet", "x", "<int>1</int>"), flt(2, "INCORRECT_PARAMETERS: param 2 (loud): want boolean, got int")},
		{"struct for string", "/RPC2", testxmlrpc.CallXML("test.greet", "<struct></struct>"), flt(2, "INCORRECT_PARAMETERS: param 1 (Name): want string, got struct")},
		{"sum clamped", "/RPC2", testxmlrpc.CallXML("test.add", "<i8>9223372036854775807</i8>", "<int>1</int>"), ok("<int>-2147483648</int>")},
		{"fault from method", "/RPC2", testxmlrpc.CallXML("test.fail", "<int>10</int>", "<string>foo</string>"), flt(10, "BAD_NAME: foo")},
		{"plain error", "/RPC2", testxmlrpc.CallXML("test.fail", "<int>0</int>", "<string>disk full</string>"), flt(30, "FAILED: disk full")},
		{"panic", "/RPC2", testxmlrpc.CallXML("test.panic"), want{200, "<int>30</int>", true}},
		{"call after the panic", "/RPC2", testxmlrpc.CallXML("test.add", "<int>1</int>", "<int>1</int>"), ok("<int>2</int>")},
		{"malformed", "/RPC2", "<methodCall><methodName>test.add", want{400, "", false}},
		{"no method name", "/RPC2", "<methodCall><params/></methodCall>", want{400, "", false}},
		{"not found", "/nothing", testxmlrpc.CallXML("test.add"), want{404, "", false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(t, url+c.path, "text/xml", strings.NewReader(c.body))
			if status != c.want.status || !strings.Contains(body, c.want.contains) {
				t.Fatalf("got HTTP %d\n%s\nwant HTTP %d with %s", status, body, c.want.status, c.want.contains)
			}
			if status == 200 && strings.Contains(body, "<fault>") != c.want.fault {
				t.Fatalf("fault %v expected, got %s", c.want.fault, body)
			}
		})
	}
}

func TestServerHTTP(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	url := serve(t, s)
	body := testxmlrpc.CallXML("test.add", "<int>2</int>", "<int>3</int>")
	// Any Content-Type, as supervisord: curl --data-binary sends a form's.
	for _, ct := range []string{"", "text/xml", "text/xml; charset=utf-8", "TEXT/XML", "application/xml",
		"text/plain", "application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=x", "nonsense"} {
		if status, reply := post(t, url+"/RPC2", ct, strings.NewReader(body)); status != 200 || !strings.Contains(reply, "<int>5</int>") {
			t.Errorf("Content-Type %q: HTTP %d %s", ct, status, reply)
		}
	}
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(method, url+"/RPC2", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s: HTTP %d Allow %q, want 405 POST", method, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	resp, err := http.Post(url+"/RPC2", "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); got != "text/xml" {
		t.Errorf("Content-Type %q", got)
	}
}

// TestCrossOrigin: what a browser posts from a page of another origin is
// refused before anything is done; what non-browser clients send (neither
// Sec-Fetch-Site nor Origin), or a page of the same origin, is served.
func TestCrossOrigin(t *testing.T) {
	s, svc := newTestServer(t, Options{})
	s.Handle("/extra", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.Record(r.Method + " extra")
	}))
	url := serve(t, s)
	host := strings.TrimPrefix(url, "http://")
	cases := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"no browser headers", nil, 200},
		{"same origin", map[string]string{"Origin": url}, 200},
		{"Sec-Fetch-Site same-origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": url}, 200},
		{"Sec-Fetch-Site none (typed by the user)", map[string]string{"Sec-Fetch-Site": "none"}, 200},
		{"another origin", map[string]string{"Origin": "http://evil.example"}, 403},
		{"another port", map[string]string{"Origin": "http://" + strings.Split(host, ":")[0] + ":1"}, 403},
		{"Origin null", map[string]string{"Origin": "null"}, 403},
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"Sec-Fetch-Site same-site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://other." + host}, 403},
		{"Sec-Fetch-Site cross-site, Origin forged same", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": url}, 403},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			setHeaders := func(r *http.Request) {
				for k, v := range c.headers {
					r.Header.Set(k, v)
				}
			}
			name := fmt.Sprintf("call%d", i)
			status, _ := post(t, url+"/RPC2", "text/plain", strings.NewReader(testxmlrpc.CallXML("test.step", "<string>"+name+"</string>")), setHeaders)
			extraStatus, _ := post(t, url+"/extra", "application/x-www-form-urlencoded", strings.NewReader("a=b"), setHeaders)
			if status != c.want || extraStatus != c.want {
				t.Fatalf("RPC: HTTP %d, route: HTTP %d, want %d", status, extraStatus, c.want)
			}
			done := slices.Contains(svc.Recorded(), "end "+name)
			if done != (c.want == 200) {
				t.Fatalf("call done %v, events %v", done, svc.Recorded())
			}
		})
	}
	// GET changes nothing, and is served whatever its origin.
	req, _ := http.NewRequest(http.MethodGet, url+"/extra", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("cross-site GET: HTTP %d", resp.StatusCode)
	}
}

// TestServerEncodings: a call in the encoding its declaration names, with
// non-ASCII text, arrives as the right string (echoed back in UTF-8); an
// encoding nobody knows gets HTTP 400 and a log line that names it.
func TestServerEncodings(t *testing.T) {
	var log syncBuffer
	s, _ := newTestServer(t, Options{Logger: hclog.New(&hclog.LoggerOptions{Output: &log})})
	url := serve(t, s)
	echo := func(decl, text string) string {
		return decl + "<methodCall><methodName>test.echo</methodName><params><param><value><string>" + text +
			"</string></value></param></params></methodCall>"
	}
	cases := []struct {
		name, body, want string
	}{
		{"ISO-8859-1", echo(`<?xml version="1.0" encoding="ISO-8859-1"?>`, "caf\xe9 \xff"), "café ÿ"},
		{"windows-1252", echo(`<?xml version="1.0" encoding="windows-1252"?>`, "\x80 \x93q\x94"), "€ “q”"},
		{"us-ascii, as Perl's RPC::XML", echo(`<?xml version="1.0" encoding="us-ascii"?>`, "caf&#233;"), "café"},
		{"UTF-16 with a byte order mark", "\xff\xfe" + testxmlrpc.EncodeUTF16(unicode.LittleEndian, echo(`<?xml version="1.0" encoding="UTF-16"?>`, "café 😀")), "café 😀"},
	}
	for _, c := range cases {
		status, body := post(t, url+"/RPC2", "application/x-www-form-urlencoded", strings.NewReader(c.body))
		if want := "<string>" + c.want + "</string>"; status != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: HTTP %d %s, want %s", c.name, status, body, want)
		}
	}
	status, _ := post(t, url+"/RPC2", "text/xml", strings.NewReader(echo(`<?xml version="1.0" encoding="x-klingon"?>`, "x")))
	if status != http.StatusBadRequest {
		t.Errorf("unknown encoding: HTTP %d, want 400", status)
	}
	if !strings.Contains(log.String(), `unknown encoding \"x-klingon\"`) {
		t.Errorf("no log line names the encoding:\n%s", log.String())
	}
}

func TestAuth(t *testing.T) {
	sum := sha1.Sum([]byte("s3cret"))
	hash := hex.EncodeToString(sum[:])
	cases := []struct {
		name               string
		username, password string // the server's
		user, pass         string // the client's; user "" sends none
		want               int
	}{
		{"no auth configured", "", "", "", "", 200},
		{"no auth configured, credentials ignored", "", "", "u", "p", 200},
		{"plain", "admin", "s3cret", "admin", "s3cret", 200},
		{"sha", "admin", "{SHA}" + hash, "admin", "s3cret", 200},
		{"sha upper-case hex", "admin", "{SHA}" + strings.ToUpper(hash), "admin", "s3cret", 200},
		{"sha sent as hash", "admin", "{SHA}" + hash, "admin", "{SHA}" + hash, 401},
		{"missing", "admin", "s3cret", "", "", 401},
		{"wrong password", "admin", "s3cret", "admin", "s3cre", 401},
		{"wrong user", "admin", "s3cret", "root", "s3cret", 401},
		{"wrong sha password", "admin", "{SHA}" + hash, "admin", "nope", 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newTestServer(t, Options{Username: c.username, Password: c.password})
			s.Handle("/extra", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "extra") }))
			url := serve(t, s)
			setAuth := func(r *http.Request) {
				if c.user != "" {
					r.SetBasicAuth(c.user, c.pass)
				}
			}
			status, _ := post(t, url+"/RPC2", "text/xml", strings.NewReader(testxmlrpc.CallXML("test.add", "<int>1</int>", "<int>1</int>")), setAuth)
			if status != c.want {
				t.Errorf("RPC: HTTP %d, want %d", status, c.want)
			}
			req, _ := http.NewRequest(http.MethodGet, url+"/extra", nil)
			setAuth(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("Handle route: HTTP %d, want %d", resp.StatusCode, c.want)
			}
			if c.want == 401 && resp.Header.Get("WWW-Authenticate") != `Basic realm="default"` {
				t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// TestLongRequestsOutliveReadTimeout checks that the read timeout, which
// net/http turns into a cancelled context once it passes, does not cut a
// call or a stream that runs longer than it.
func TestLongRequestsOutliveReadTimeout(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	s.http.ReadTimeout = 100 * time.Millisecond
	s.Handle("/slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(400 * time.Millisecond):
			io.WriteString(w, "done")
		case <-r.Context().Done():
			http.Error(w, "cancelled", http.StatusServiceUnavailable)
		}
	}))
	url := serve(t, s)
	c := newClient(t, url, xmlrpc.ClientOptions{})
	var got string
	if err := c.Call(context.Background(), "test.step", []any{"slow", 400}, &got); err != nil || got != "slow" {
		t.Errorf("call: got %q, %v", got, err)
	}
	resp, err := http.Get(url + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "done" {
		t.Errorf("stream: got HTTP %d %q", resp.StatusCode, body)
	}
}

func TestShutdownEndsStreams(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	started := make(chan struct{})
	s.Handle("/stream", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		http.NewResponseController(w).Flush()
		close(started)
		<-r.Context().Done()
	}))
	url := serve(t, s)
	resp, err := http.Get(url + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Logf("stream ended with %v", err)
	}
}

func TestBodyLimit(t *testing.T) {
	s, _ := newTestServer(t, Options{MaxBodyBytes: 1 << 10})
	url := serve(t, s)
	big := testxmlrpc.CallXML("test.echo", "<string>"+strings.Repeat("x", 2<<10)+"</string>")
	// With a Content-Length the body is refused before it is read.
	if status, _ := post(t, url+"/RPC2", "text/xml", strings.NewReader(big)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("with Content-Length: HTTP %d, want 413", status)
	}
	// Without one (chunked), once the limit is crossed.
	if status, _ := post(t, url+"/RPC2", "text/xml", io.MultiReader(strings.NewReader(big))); status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: HTTP %d, want 413", status)
	}
	small := testxmlrpc.CallXML("test.echo", "<string>x</string>")
	if status, _ := post(t, url+"/RPC2", "text/xml", io.MultiReader(strings.NewReader(small))); status != 200 {
		t.Errorf("small chunked body: HTTP %d", status)
	}
}

func TestClient(t *testing.T) {
	s, _ := newTestServer(t, Options{Username: "u", Password: "p"})
	tcp := serve(t, s)
	sock := serveUnix(t, s)
	for name, url := range map[string]string{"tcp": tcp, "tcp /RPC2": tcp + "/RPC2", "tcp /": tcp + "/", "unix": "unix://" + sock} {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, url, xmlrpc.ClientOptions{Username: "u", Password: "p"})
			ctx := context.Background()
			var sum int
			if err := c.Call(ctx, "test.add", []any{2, 3}, &sum); err != nil || sum != 5 {
				t.Errorf("add: %d, %v", sum, err)
			}
			in := testxmlrpc.TypesArgs{S: "s", I: -1, I32: 32, B: true, F: 0.25, Bytes: []byte{0, 1}, List: []string{"a"},
				Any: []any{"x", 1}, Map: map[string]any{"k": true}, Nested: testxmlrpc.Inner{Name: "n", Count: 2}, T: time.Unix(1700000000, 0).UTC()}
			var out testxmlrpc.TypesArgs
			err := c.Call(ctx, "test.types", []any{in.S, in.I, in.I32, in.B, in.F, in.Bytes, in.List, in.Any, in.Map, in.Nested, in.T}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if out.S != in.S || out.I != in.I || out.I32 != in.I32 || !out.B || out.F != in.F || string(out.Bytes) != string(in.Bytes) ||
				out.List[0] != "a" || out.Any[1] != 1 || out.Map["k"] != true || out.Nested != in.Nested || !out.T.Equal(in.T) {
				t.Errorf("types: got %+v, want %+v", out, in)
			}
			var generic any
			if err := c.Call(ctx, "test.echo", []any{map[string]any{"a": []any{1, "b"}}}, &generic); err != nil {
				t.Fatal(err)
			}
			if m, ok := generic.(map[string]any); !ok || m["a"].([]any)[1] != "b" {
				t.Errorf("echo: got %#v", generic)
			}
			testxmlrpc.WantFault(t, c.Call(ctx, "test.fail", []any{70, "x"}, nil), fault.NotRunning, "NOT_RUNNING: x")
			testxmlrpc.WantFault(t, c.Call(ctx, "test.nothing", nil, nil), fault.UnknownMethod, "UNKNOWN_METHOD")
			var wrong bool
			if err := c.Call(ctx, "test.add", []any{1, 1}, &wrong); err == nil || errors.As(err, new(*fault.Fault)) {
				t.Errorf("int into bool: %v, want a decoding error", err)
			}
			if err := c.Call(ctx, "test.add", []any{1, 1}, sum); err == nil {
				t.Error("non-pointer reply accepted")
			}
		})
	}
	t.Run("credentials in the URL", func(t *testing.T) {
		c := newClient(t, strings.Replace(tcp, "http://", "http://u:p@", 1), xmlrpc.ClientOptions{})
		if err := c.Call(context.Background(), "test.add", []any{1, 2}, nil); err != nil {
			t.Error(err)
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		c := newClient(t, tcp, xmlrpc.ClientOptions{Username: "u", Password: "x"})
		err := c.Call(context.Background(), "test.add", []any{1, 2}, nil)
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("got %v, want HTTP 401", err)
		}
	})
	t.Run("reply limit", func(t *testing.T) {
		c := newClient(t, tcp, xmlrpc.ClientOptions{Username: "u", Password: "p", MaxReplyBytes: 1 << 10})
		err := c.Call(context.Background(), "test.info", []any{100, 0}, nil)
		if err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("got %v, want a size error", err)
		}
	})
	for _, bad := range []string{"ftp://host", "unix://", "http://", "://x"} {
		if _, err := xmlrpc.NewClient(bad, xmlrpc.ClientOptions{}); err == nil {
			t.Errorf("NewClient(%q) accepted", bad)
		}
	}
}

// syncBuffer is a log sink for tests.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestPanicIsLogged(t *testing.T) {
	var log syncBuffer
	s, _ := newTestServer(t, Options{Logger: hclog.New(&hclog.LoggerOptions{Output: &log, Level: hclog.Info})})
	c := newClient(t, serve(t, s), xmlrpc.ClientOptions{})
	err := c.Call(context.Background(), "test.panic", nil, nil)
	if f, ok := errors.AsType[*fault.Fault](err); !ok || f.Code != fault.Failed || !strings.Contains(f.String, "assignment to entry in nil map") {
		t.Fatalf("got %v, want FAILED with the panic", err)
	}
	if got := log.String(); !strings.Contains(got, "xml-rpc method panicked") || !strings.Contains(got, "method=test.panic") || !strings.Contains(got, "testxmlrpc.(*Service).Panic") {
		t.Errorf("log lacks the panic and its stack:\n%s", got)
	}
}
