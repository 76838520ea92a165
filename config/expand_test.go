package config

import (
	"strings"
	"testing"
)

// TestExpandMatchesPython compares expand with Python's "text % names",
// computed once with /usr/bin/python3 3.11 for the same names.
func TestExpandMatchesPython(t *testing.T) {
	names := expansions{"s": "ab", "n": 42, "m": -7, "z": 0, "q": "it's", "u": "é", "a(b)": "P"}
	cases := []struct {
		in, want string
		wantErr  string // part of the error; "" when Python succeeds
	}{
		{in: "plain", want: "plain"},
		{in: "100%%", want: "100%"},
		{in: "%(s)s", want: "ab"},
		{in: "%(n)d", want: "42"},
		{in: "%(n)02d", want: "42"},
		{in: "%(z)03d", want: "000"},
		{in: "%(n)x %(n)X %(n)#x %(n)o %(n)#o", want: "2a 2A 0x2a 52 0o52"},
		{in: "%(n).3d|%(n)5.3d|%(m)05d|%(m)x|%(m) d|%(n) d|%(n)+05d", want: "042|  042|-0007|-7|-7| 42|+0042"},
		{in: "%(n)e %(n).2f %(n)g %(n)E %(n)G %(n)F", want: "4.200000e+01 42.00 42 4.200000E+01 42 42.000000"},
		{in: "%(n)s|%(n)r|%(n)5s|%(n)i|%(n)u", want: "42|42|   42|42|42"},
		{in: "%(s)5s|%(s)-5s|%(s).1s|%(s)r|%(s)05s|%(s)a", want: "   ab|ab   |a|'ab'|   ab|'ab'"},
		{in: "%(q)r %(u)r %(u)a", want: `"it's" 'é' '\xe9'`},
		{in: "%(n)c", want: "*"},
		{in: "%(a(b))s", want: "P"},
		{in: "%(n)hd", want: "42"},
		{in: "%(s)ld", wantErr: "a real number is required, not str"},
		{in: "%(s)d", wantErr: "a real number is required, not str"},
		{in: "%(s)c", wantErr: "requires int or char"},
		{in: "%(missing)s", wantErr: `name "missing" which cannot be expanded (available names: a(b), m, n, q, s, u, z)`},
		{in: "%(s)q", wantErr: "unsupported format character 'q' (0x71) at index 4"},
		{in: "%(s", wantErr: "incomplete format key"},
		{in: "x%", wantErr: "incomplete format"},
		{in: "%(s)%", wantErr: "unsupported format character '%' (0x25) at index 4"},
		{in: "%5%", wantErr: "unsupported format character '%' (0x25) at index 2"},
		{in: "%(s)lld", wantErr: "unsupported format character 'l' (0x6c) at index 5"},
		{in: "%(n)5d|% d", wantErr: "mapping key"}, // Python: not enough arguments
		// Python formats the whole mapping for a bare %s; no
		// configuration means that, so it is refused.
		{in: "%s", wantErr: "mapping key"},
	}
	for _, tc := range cases {
		got, err := expand(tc.in, names)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("expand(%q) = %q, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestExpandNamesCollapseEnvironment(t *testing.T) {
	_, err := expand("%(nope)s", expansions{"here": "/etc", "ENV_HOME": "/root", "ENV_PATH": "/bin"})
	if err == nil || !strings.Contains(err.Error(), "available names: here, ENV_*") {
		t.Fatalf("err = %v, want the available names with the environment collapsed", err)
	}
}
