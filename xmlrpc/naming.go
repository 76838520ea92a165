package xmlrpc

import (
	"strings"
	"unicode"
)

// Naming maps a Go method name to its wire name within a namespace. Its
// values are constants, safe for concurrent use.
type Naming int

const (
	// LowerCamel lower-cases the leading capital (or leading acronym):
	// GetProcessInfo → getProcessInfo, GetAPIVersion → getAPIVersion,
	// PIDOf → pidOf. Supervisor's namespace uses it.
	LowerCamel Naming = iota
	// SnakeCase splits words at case changes and joins them with
	// underscores: GetAPIVersion → get_api_version. Supvisors' namespace
	// uses it.
	SnakeCase
)

// wireName is the name a Go method is called by under naming n.
func (n Naming) wireName(goName string) string {
	if n == SnakeCase {
		return snakeCase(goName)
	}
	return lowerCamel(goName)
}

func lowerCamel(s string) string {
	r := []rune(s)
	upper := 0
	for upper < len(r) && unicode.IsUpper(r[upper]) {
		upper++
	}
	// In "APIVersion" the V starts the next word and keeps its capital.
	if upper > 1 && upper < len(r) && unicode.IsLower(r[upper]) {
		upper--
	}
	for i := range upper {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

func snakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
