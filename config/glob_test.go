package config

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

// TestFnmatchMatchesPython compares fnmatchRegexp with Python's
// fnmatch.fnmatchcase on the same names and patterns (computed once with
// /usr/bin/python3).
func TestFnmatchMatchesPython(t *testing.T) {
	names := []string{"a.conf", "b.conf", ".hidden.conf", "a.ini", "x-y", "b", "]", "!", "-", "^", "[", "\u00e9", "a\\b", "ab", "abc", "A.conf"}
	want := map[string][]string{
		"*.conf":    {"a.conf", "b.conf", ".hidden.conf", "A.conf"},
		"?.conf":    {"a.conf", "b.conf", "A.conf"},
		"[ab].conf": {"a.conf", "b.conf"},
		"[!a].conf": {"b.conf", "A.conf"},
		"[a-c]*":    {"a.conf", "b.conf", "a.ini", "b", "a\\b", "ab", "abc"},
		"[z-a]":     {},
		"[!z-a]":    {"b", "]", "!", "-", "^", "[", "\u00e9"},
		"[]]":       {"]"},
		"[!]]":      {"b", "!", "-", "^", "[", "\u00e9"},
		"[-]":       {"-"},
		"[a-]":      {"-"},
		"[!-a]":     {"b", "]", "!", "^", "[", "\u00e9"},
		"[^a]":      {"^"},
		"[":         {"["},
		"a[":        {},
		"[!]":       {},
		"*":         {"a.conf", "b.conf", ".hidden.conf", "a.ini", "x-y", "b", "]", "!", "-", "^", "[", "\u00e9", "a\\b", "ab", "abc", "A.conf"},
		"a*c":       {"abc"},
		"[\\]b":     {},
		"a\\b":      {"a\\b"},
		"[a-c-e]":   {"b", "-"},
		"[\u00e9]":  {"\u00e9"},
		"x[-]y":     {"x-y"},
		"[[]":       {"["},
		"**.conf":   {"a.conf", "b.conf", ".hidden.conf", "A.conf"},
		"[!a-c]*":   {".hidden.conf", "x-y", "]", "!", "-", "^", "[", "\u00e9", "A.conf"},
	}
	for pattern, matches := range want {
		re, err := fnmatchRegexp(pattern)
		if err != nil {
			t.Errorf("fnmatchRegexp(%q): %v", pattern, err)
			continue
		}
		var got []string
		for _, n := range names {
			if re.MatchString(n) {
				got = append(got, n)
			}
		}
		if !slices.Equal(got, matches) {
			t.Errorf("pattern %q matches %q, want %q", pattern, got, matches)
		}
	}
}

func TestPyGlob(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"conf.d/a.conf", "conf.d/b.conf", "conf.d/.hidden.conf", "conf.d/c.ini",
		"more/x/1.conf", "more/y/2.conf", "more/.z/3.conf"} {
		writeFile(t, filepath.Join(dir, name), "")
	}
	cases := []struct {
		pattern string
		want    []string
	}{
		{"conf.d/*.conf", []string{"conf.d/a.conf", "conf.d/b.conf"}},
		{"conf.d/.*.conf", []string{"conf.d/.hidden.conf"}},
		{"conf.d/[!a]*", []string{"conf.d/b.conf", "conf.d/c.ini"}},
		{"more/*/*.conf", []string{"more/x/1.conf", "more/y/2.conf"}},
		{"more/*/", []string{"more/x/", "more/y/"}},
		{"*/x/1.conf", []string{"more/x/1.conf"}},
		{"conf.d/a.conf", []string{"conf.d/a.conf"}},
		{"conf.d/missing.conf", nil},
		{"missing/*.conf", nil},
		{"conf.d/a.conf/*", nil},
	}
	for _, tc := range cases {
		got := pyGlob(dir + "/" + tc.pattern)
		sort.Strings(got)
		var want []string
		for _, w := range tc.want {
			want = append(want, dir+"/"+w)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pyGlob(%q) = %q, want %q", tc.pattern, got, want)
		}
	}
}

// writeFile creates path and its directories with the given contents.
func writeFile(t testing.TB, path, contents string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(contents), 0o644); err != nil {
		t.Fatal(err)
	}
}
