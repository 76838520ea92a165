package httpserver

import (
	"crypto/sha1"
	"crypto/sha256"
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
// It keeps SHA-256 digests of what it expects and compares digests of what
// it is given, so that every comparison takes the same time whatever the
// lengths involved. Safe for concurrent use.
type basicAuth struct {
	user     [sha256.Size]byte
	password [sha256.Size]byte // of the plain password, or of the lower-case hex SHA-1 when sha
	sha      bool
}

// newBasicAuth returns nil when username is empty: no authentication.
func newBasicAuth(username, password string) *basicAuth {
	if username == "" {
		return nil
	}
	a := &basicAuth{user: sha256.Sum256([]byte(username))}
	if hash, ok := strings.CutPrefix(password, "{SHA}"); ok {
		password, a.sha = strings.ToLower(hash), true
	}
	a.password = sha256.Sum256([]byte(password))
	return a
}

// allows reports whether r carries the right credentials. Both comparisons
// always run, in constant time, on digests of equal length.
func (a *basicAuth) allows(r *http.Request) bool {
	user, password, ok := r.BasicAuth()
	if !ok {
		return false
	}
	if a.sha {
		sum := sha1.Sum([]byte(password))
		password = hex.EncodeToString(sum[:])
	}
	givenUser, givenPassword := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(password))
	userOK := subtle.ConstantTimeCompare(givenUser[:], a.user[:])
	passwordOK := subtle.ConstantTimeCompare(givenPassword[:], a.password[:])
	return userOK&passwordOK == 1
}
