package httpserver

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// countingReader counts what the HTTP client took from a request body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestHostileRequests sends malformed and hostile requests; each must get a
// fault or an HTTP 4xx, and the server must keep serving.
func TestHostileRequests(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	url := serve(t, s)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
		`<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
		`<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">` +
		`<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">` +
		`<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>` +
		`<methodCall><methodName>test.echo</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>`
	deep := testxmlrpc.CallXML("test.echo", strings.Repeat("<array><data><value>", 10000)+strings.Repeat("</value></data></array>", 10000))
	wide := testxmlrpc.CallXML("test.echo", "<array><data>"+strings.Repeat("<value/>", 200_000)+"</data></array>")
	cases := []struct {
		name string
		body string
		// fault is the fault code expected with HTTP 200; "" means a 4xx.
		fault string
	}{
		{"not xml", "hello", ""},
		{"truncated", testxmlrpc.CallXML("test.add")[:40], ""},
		{"no method name", "<?xml version='1.0'?><methodCall><params></params></methodCall>", ""},
		{"billion laughs", laughs, ""},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + testxmlrpc.CallXML("test.echo", "<string>&e;</string>"), ""},
		{"10,000-deep nesting", deep, ""},
		{"200,000 elements", wide, ""},
		{"bad base64", testxmlrpc.CallXML("test.echo", "<base64>!!!not base64</base64>"), ""},
		{"bad int", testxmlrpc.CallXML("test.add", "<int>12x</int>", "<int>0</int>"), ""},
		{"bad boolean", testxmlrpc.CallXML("test.greet", "<string>x</string>", "<boolean>yes</boolean>"), ""},
		{"NUL in the document", testxmlrpc.CallXML("test.echo", "<string>a\x00b</string>"), ""},
		{"invalid utf-8", testxmlrpc.CallXML("test.echo", "<string>a\xffb</string>"), ""},
		{"wrong type", testxmlrpc.CallXML("test.add", "<string>1</string>", "<int>0</int>"), "<int>2</int>"},
		{"too many params", testxmlrpc.CallXML("snake.get_api_version", "<int>3</int>"), "<int>2</int>"},
		{"too few params", testxmlrpc.CallXML("test.add", "<int>1</int>"), "<int>2</int>"},
		{"unknown method", testxmlrpc.CallXML("test.noSuchThing"), "<int>1</int>"},
		{"private method", testxmlrpc.CallXML("test._update"), "<int>1</int>"},
		{"traversal", testxmlrpc.CallXML("test.add.__class__"), "<int>1</int>"},
		{"struct for a name", testxmlrpc.CallXML("test.greet", "<struct></struct>"), "<int>2</int>"},
		{"huge int", testxmlrpc.CallXML("test.add", "<int>99999999999999999999999</int>", "<int>0</int>"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(t, url+"/RPC2", "text/xml", strings.NewReader(c.body))
			if c.fault == "" {
				if status < 400 || status >= 500 {
					t.Errorf("HTTP %d, want 4xx\n%.40s", status, body)
				}
			} else if status != 200 || !strings.Contains(body, "<fault>") || !strings.Contains(body, c.fault) {
				t.Errorf("HTTP %d, want a fault with %s\n%s", status, c.fault, body)
			}
			var sum int
			if err := newClient(t, url, xmlrpc.ClientOptions{}).Call(context.Background(), "test.add", []any{1, 2}, &sum); err != nil || sum != 3 {
				t.Fatalf("server unhealthy after it: %d, %v", sum, err)
			}
		})
	}
}

// TestHugeBody streams 50 MB at the default limit, with and without a
// Content-Length: the server answers 413 (or drops the connection) after
// reading little of it.
func TestHugeBody(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	url := serve(t, s)
	const size = 50 << 20
	for _, withLength := range []bool{true, false} {
		head := "<?xml version='1.0'?><methodCall><methodName>test.echo</methodName><params><param><value><string>"
		tail := "</string></value></param></params></methodCall>"
		body := &countingReader{r: io.MultiReader(strings.NewReader(head), bytes.NewReader(bytes.Repeat([]byte("A"), size)), strings.NewReader(tail))}
		req, err := http.NewRequest(http.MethodPost, url+"/RPC2", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/xml")
		if withLength {
			req.ContentLength = int64(len(head) + size + len(tail))
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("Content-Length %v: HTTP %d, want 413", withLength, resp.StatusCode)
			}
		}
		sent := body.n.Load()
		t.Logf("Content-Length %v: %d bytes sent, error %v", withLength, sent, err)
		if sent >= size/2 {
			t.Errorf("Content-Length %v: the server took %d bytes of %d", withLength, sent, size)
		}
	}
	var sum int
	if err := newClient(t, url, xmlrpc.ClientOptions{}).Call(context.Background(), "test.add", []any{1, 2}, &sum); err != nil || sum != 3 {
		t.Fatalf("server unhealthy: %d, %v", sum, err)
	}
}
