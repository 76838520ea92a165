package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// expansions are the names a value may use as %(name)s: strings (here,
// program_name, ENV_X, ...) and integers (process_num, numprocs).
type expansions map[string]any

// with returns a copy of e with the given names added.
func (e expansions) with(more expansions) expansions {
	out := make(expansions, len(e)+len(more))
	for k, v := range e {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// names lists the available names for error messages, the environment
// collapsed to ENV_*.
func (e expansions) names() string {
	var out []string
	env := false
	for k := range e {
		if strings.HasPrefix(k, "ENV_") {
			env = true
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	if env {
		out = append(out, "ENV_*")
	}
	return strings.Join(out, ", ")
}

// expand applies Python's "s % mapping", as Supervisor's expand() does:
// %(name)s with the conversion flags, width and precision of printf-style
// formatting, and %% for a literal percent sign.
func expand(s string, names expansions) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			i++
			continue
		}
		spec, n, err := parseSpec(s, i)
		if err != nil {
			return "", fmt.Errorf("format string %q is badly formatted: %w", s, err)
		}
		i += n
		if spec.conv == '%' {
			b.WriteByte('%')
			continue
		}
		v, ok := names[spec.key]
		if !ok {
			return "", fmt.Errorf("format string %q contains name %q which cannot be expanded (available names: %s)",
				s, spec.key, names.names())
		}
		out, err := spec.format(v)
		if err != nil {
			return "", fmt.Errorf("format string %q is badly formatted: %w", s, err)
		}
		b.WriteString(out)
	}
	return b.String(), nil
}

// formatSpec is one parsed %(key)[flags][width][.precision]conv.
type formatSpec struct {
	key                     string
	minus, plus, space, alt bool
	zero                    bool
	width, prec             int // prec -1 when not given
	conv                    byte
}

// parseSpec parses the conversion starting at s[i] == '%' and returns its
// length.
func parseSpec(s string, i int) (formatSpec, int, error) {
	sp := formatSpec{prec: -1}
	j := i + 1
	if j < len(s) && s[j] == '%' {
		sp.conv = '%'
		return sp, 2, nil
	}
	if j < len(s) && s[j] == '(' {
		depth, k := 1, j+1
		for ; k < len(s) && depth > 0; k++ {
			switch s[k] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		if depth > 0 {
			return sp, 0, fmt.Errorf("incomplete format key")
		}
		sp.key = s[j+1 : k-1]
		j = k
	}
	for ; j < len(s); j++ {
		switch s[j] {
		case '-':
			sp.minus = true
		case '+':
			sp.plus = true
		case ' ':
			sp.space = true
		case '#':
			sp.alt = true
		case '0':
			sp.zero = true
		default:
			goto width
		}
	}
width:
	var ok bool
	if sp.width, j, ok = digits(s, j); !ok {
		return sp, 0, fmt.Errorf("width too big")
	}
	if j < len(s) && s[j] == '.' {
		if sp.prec, j, ok = digits(s, j+1); !ok {
			return sp, 0, fmt.Errorf("precision too big")
		}
	}
	if j < len(s) && (s[j] == 'h' || s[j] == 'l' || s[j] == 'L') {
		j++
	}
	if j >= len(s) {
		return sp, 0, fmt.Errorf("incomplete format")
	}
	sp.conv = s[j]
	if !strings.ContainsRune("srabcdiouxXeEfFgG", rune(sp.conv)) {
		r, _ := utf8.DecodeRuneInString(s[j:])
		return sp, 0, fmt.Errorf("unsupported format character %q (%#x) at index %d", r, r, j)
	}
	if s[i+1] != '(' {
		// Python would format the whole mapping here; no sensible
		// configuration does that.
		return sp, 0, fmt.Errorf("format requires a mapping key at index %d", i)
	}
	return sp, j + 1 - i, nil
}

// digits reads a decimal number at s[j:] (0 when there is none).
func digits(s string, j int) (int, int, bool) {
	n := 0
	for ; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
		n = n*10 + int(s[j]-'0')
		if n > 1<<20 {
			return 0, j, false
		}
	}
	return n, j, true
}

// format renders v (a string or an int) like Python's % operator.
func (sp formatSpec) format(v any) (string, error) {
	switch x := v.(type) {
	case string:
		switch sp.conv {
		case 's':
			return sp.pad(sp.truncate(x)), nil
		case 'r', 'a':
			return sp.pad(sp.truncate(pyRepr(x, sp.conv == 'a'))), nil
		case 'c':
			if utf8.RuneCountInString(x) != 1 {
				return "", fmt.Errorf("%%c requires int or char")
			}
			return sp.pad(x), nil
		}
		return "", fmt.Errorf("%%%c format: a real number is required, not str", sp.conv)
	case int:
		return sp.formatInt(x)
	}
	return "", fmt.Errorf("unsupported value %v", v)
}

func (sp formatSpec) formatInt(x int) (string, error) {
	var body string
	neg := x < 0
	mag := uint64(x)
	if neg {
		mag = uint64(-x)
	}
	prefix := ""
	switch sp.conv {
	case 's', 'r', 'a':
		return sp.pad(sp.truncate(strconv.Itoa(x))), nil
	case 'c':
		if x < 0 || x > utf8.MaxRune {
			return "", fmt.Errorf("%%c arg not in range(0x110000)")
		}
		return sp.pad(string(rune(x))), nil
	case 'd', 'i', 'u':
		body = strconv.FormatUint(mag, 10)
	case 'o':
		body = strconv.FormatUint(mag, 8)
		if sp.alt {
			prefix = "0o"
		}
	case 'x', 'X':
		body = strconv.FormatUint(mag, 16)
		if sp.alt {
			prefix = "0x"
		}
		if sp.conv == 'X' {
			body, prefix = strings.ToUpper(body), strings.ToUpper(prefix)
		}
	default: // e, E, f, F, g, G
		prec := sp.prec
		if prec < 0 {
			prec = 6
		}
		verb := string(sp.conv)
		if sp.alt {
			verb = "#" + verb
		}
		body = strings.TrimPrefix(fmt.Sprintf("%."+strconv.Itoa(prec)+verb, float64(x)), "-")
	}
	if sp.prec > len(body) && strings.ContainsRune("diuoxX", rune(sp.conv)) {
		body = strings.Repeat("0", sp.prec-len(body)) + body
	}
	sign := ""
	switch {
	case neg:
		sign = "-"
	case sp.plus:
		sign = "+"
	case sp.space:
		sign = " "
	}
	return sp.padNumber(sign+prefix, body), nil
}

func (sp formatSpec) truncate(s string) string {
	if sp.prec >= 0 && utf8.RuneCountInString(s) > sp.prec {
		return string([]rune(s)[:sp.prec])
	}
	return s
}

// pad right-aligns s in the width (left-aligns with '-').
func (sp formatSpec) pad(s string) string {
	n := sp.width - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	if sp.minus {
		return s + strings.Repeat(" ", n)
	}
	return strings.Repeat(" ", n) + s
}

// padNumber pads a number, zeros going between its sign/prefix and digits.
func (sp formatSpec) padNumber(head, body string) string {
	n := sp.width - len(head) - len(body)
	switch {
	case n <= 0:
		return head + body
	case sp.minus:
		return head + body + strings.Repeat(" ", n)
	case sp.zero:
		return head + strings.Repeat("0", n) + body
	}
	return strings.Repeat(" ", n) + head + body
}

// pyRepr quotes s like Python's repr (ascii escapes non-ASCII as well).
func pyRepr(s string, ascii bool) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (ascii && r > 0x7f && r <= 0xff):
			fmt.Fprintf(&b, `\x%02x`, r)
		case ascii && r > 0xff && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		case ascii && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}
