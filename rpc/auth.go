package rpc

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// authRealm is the realm supervisord announces.
const authRealm = `Basic realm="default"`

// basicAuth checks HTTP basic credentials against one user, as
// supervisord's [inet_http_server]/[unix_http_server] username and password:
// the password is plain text, or "{SHA}" and the hex SHA-1 of the password.
// Safe for concurrent use.
type basicAuth struct {
	user     []byte
	password []byte // plain, or lower-case hex SHA-1 when sha
	sha      bool
}

// newBasicAuth returns nil when username is empty: no authentication.
func newBasicAuth(username, password string) *basicAuth {
	if username == "" {
		return nil
	}
	a := &basicAuth{user: []byte(username), password: []byte(password)}
	if hash, ok := strings.CutPrefix(password, "{SHA}"); ok {
		a.password, a.sha = []byte(strings.ToLower(hash)), true
	}
	return a
}

// allows reports whether r carries the right credentials. Both comparisons
// always run, in constant time.
func (a *basicAuth) allows(r *http.Request) bool {
	user, password, ok := r.BasicAuth()
	if !ok {
		return false
	}
	given := []byte(password)
	if a.sha {
		sum := sha1.Sum(given)
		given = []byte(hex.EncodeToString(sum[:]))
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), a.user)
	passwordOK := subtle.ConstantTimeCompare(given, a.password)
	return userOK&passwordOK == 1
}
