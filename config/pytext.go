package config

import (
	"math"
	"strings"
	"unicode"
)

// pySpace reports whether r is whitespace for Python's str.isspace, which
// also counts the ASCII separators 0x1c-0x1f.
func pySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func pyStrip(s string) string  { return strings.TrimFunc(s, pySpace) }
func pyRstrip(s string) string { return strings.TrimRightFunc(s, pySpace) }

// pyFields is Python's str.split() without arguments.
func pyFields(s string) []string { return strings.FieldsFunc(s, pySpace) }

// pyInt parses s like Python's int(s, base) for base 10 or 8: surrounding
// whitespace, a sign, '_' between digits and, in base 8, a 0o prefix. ok is
// false when s is not such a literal or does not fit in an int.
func pyInt(s string, base int) (n int, ok bool) {
	t := pyStrip(s)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if base == 8 && len(t) >= 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'O') {
		t = strings.TrimPrefix(t[2:], "_") // Python allows one '_' right after the prefix
	}
	if t == "" {
		return 0, false
	}
	var u uint64
	prevDigit := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '_' {
			if !prevDigit || i == len(t)-1 {
				return 0, false
			}
			prevDigit = false
			continue
		}
		d := int(c) - '0'
		if d < 0 || d >= base {
			return 0, false
		}
		prevDigit = true
		if u > (math.MaxInt64-uint64(d))/uint64(base) {
			return 0, false
		}
		u = u*uint64(base) + uint64(d)
	}
	if neg {
		return -int(u), true
	}
	return int(u), true
}
