package dashboard

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/eventstream"
)

// TestSnapshotStaysInItsScript checks that no payload of the embedded state
// can end the script element that holds it, whatever a name contains.
func TestSnapshotStaysInItsScript(t *testing.T) {
	evil := map[string]string{"process_name": "</script><script>alert(1)</script>", "x": "&<>"}
	e, err := eventstream.Marshal(eventstream.TopicProcess, evil)
	if err != nil {
		t.Fatal(err)
	}
	d := New(Options{State: func() []eventstream.Event { return []eventstream.Event{e, e} }})
	got := string(d.snapshot())
	if strings.ContainsAny(got, "<>&") {
		t.Fatalf("the embedded state carries markup: %s", got)
	}
	var back [][2]json.RawMessage
	if err := json.Unmarshal([]byte(got), &back); err != nil || len(back) != 2 || string(back[0][0]) != `"process"` {
		t.Fatalf("the embedded state is not [[topic, payload]...]: %s (%v)", got, err)
	}
	var payload map[string]string
	if err := json.Unmarshal(back[1][1], &payload); err != nil || payload["process_name"] != evil["process_name"] {
		t.Errorf("payload %v (%v), want %v", payload, err, evil)
	}
	if s := string(New(Options{}).snapshot()); s != "[]" {
		t.Errorf("without a State, the embedded state is %s, want []", s)
	}
}

// TestCSRFToken checks that a token is valid only with the session it was
// made for, under the key that made it.
func TestCSRFToken(t *testing.T) {
	c := newCSRF(NewKey())
	w := httptest.NewRecorder()
	token := c.session(w, httptest.NewRequest(http.MethodGet, "/", nil))
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != sessionCookie || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie: %+v", cookies)
	}
	post := func(cookie *http.Cookie) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/dashboard/call", nil)
		if cookie != nil {
			r.AddCookie(cookie)
		}
		return r
	}
	if !c.valid(post(cookies[0]), token) {
		t.Error("the session's own token is refused")
	}
	// The page of a session that has its cookie gets the same token.
	again := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookies[0])
	if c.session(again, r) != token || len(again.Result().Cookies()) != 0 {
		t.Error("a second page of the session got another token or another cookie")
	}
	other := &http.Cookie{Name: sessionCookie, Value: strings.Repeat("B", 43)}
	off := token[:len(token)-1] + "A"
	if off == token {
		off = token[:len(token)-1] + "B"
	}
	for what, ok := range map[string]bool{
		"no token":                  c.valid(post(cookies[0]), ""),
		"no cookie":                 c.valid(post(nil), token),
		"another session's cookie":  c.valid(post(other), token),
		"a malformed cookie":        c.valid(post(&http.Cookie{Name: sessionCookie, Value: "x"}), token),
		"another key's token":       newCSRF(NewKey()).valid(post(cookies[0]), token),
		"the token with a byte off": c.valid(post(cookies[0]), off),
	} {
		if ok {
			t.Errorf("%s: accepted", what)
		}
	}
}
