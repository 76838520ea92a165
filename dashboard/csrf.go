package dashboard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// sessionCookie names the browser session that CSRF tokens are bound to.
// Cookies ignore ports, so the agents of one host share it: each agent
// derives its own token from it with its own key.
const sessionCookie = "supvisors_session"

// sessionBytes is the size of a session's random value.
const sessionBytes = 32

// tokenHeader and tokenField carry the CSRF token of a POST: the header
// from the page's scripts, the form field from a plain form.
const (
	tokenHeader = "X-CSRF-Token"
	tokenField  = "csrf_token"
)

// csrf binds a token to each browser session: the session is a random
// cookie, the token an HMAC of it under a key that never leaves the agent.
// A page of another site can neither read the token (same-origin policy)
// nor compute it, even if it managed to set the cookie. Safe for
// concurrent use (immutable once made).
type csrf struct {
	key [KeySize]byte
}

// KeySize is the size of a CSRF key (Options.Key).
const KeySize = 32

// NewKey returns a new random CSRF key.
func NewKey() []byte {
	key := make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand panics rather)
	return key
}

// newCSRF signs tokens with key, or with a new random key if key is not
// KeySize bytes long.
func newCSRF(key []byte) *csrf {
	if len(key) != KeySize {
		key = NewKey()
	}
	c := &csrf{}
	copy(c.key[:], key)
	return c
}

// token is the token of session.
func (c *csrf) token(session string) string {
	m := hmac.New(sha256.New, c.key[:])
	m.Write([]byte(session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// session returns the token of r's session, starting a session (a cookie
// set on w) when r has none or a malformed one.
func (c *csrf) session(w http.ResponseWriter, r *http.Request) string {
	if s, ok := sessionOf(r); ok {
		return c.token(s)
	}
	b := make([]byte, sessionBytes)
	rand.Read(b)
	s := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	return c.token(s)
}

// valid reports whether r carries its session's token, in the header or
// in the form field given.
func (c *csrf) valid(r *http.Request, given string) bool {
	s, ok := sessionOf(r)
	if !ok || given == "" {
		return false
	}
	return hmac.Equal([]byte(given), []byte(c.token(s)))
}

// sessionOf reads r's session cookie, if it is one this package made.
func sessionOf(r *http.Request) (string, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) != sessionBytes {
		return "", false
	}
	return ck.Value, true
}
