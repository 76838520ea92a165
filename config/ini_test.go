package config

import (
	"errors"
	"maps"
	"slices"
	"testing"
)

// pySection is one section as Python's configparser returns it:
// parser.items(name), DEFAULT's options included.
type pySection struct {
	name  string
	items map[string]string
}

// The expected values below were computed once with Debian's
// /usr/bin/python3 (3.11):
//
//	p = configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)
//	with open(path) as fp: p.read_file(fp)
//	[[s, dict(p.items(s))] for s in p.sections()]
//
// which is how Supervisor's UnhosedConfigParser reads a file; for errors,
// the line configparser reports.
var configParserCases = []struct {
	name        string
	text        string
	want        []pySection
	wantErrLine int
}{
	{
		name: "inline comment after space",
		text: "[s]\na = x ; c\nb = x # c\n",
		want: []pySection{
			{"s", map[string]string{"a": "x", "b": "x"}},
		},
	},
	{
		name: "inline comment after tab",
		text: "[s]\na = x\t; c\n",
		want: []pySection{
			{"s", map[string]string{"a": "x"}},
		},
	},
	{
		name: "no inline comment without space",
		text: "[s]\na = x;y#z\n",
		want: []pySection{
			{"s", map[string]string{"a": "x;y#z"}},
		},
	},
	{
		name: "comment chars at value start",
		text: "[s]\na = ;x\nb = #y\n",
		want: []pySection{
			{"s", map[string]string{"a": "", "b": ""}},
		},
	},
	{
		name: "full line comments",
		text: "; top\n# top\n[s]\n; c\n  # indented c\na = 1\n",
		want: []pySection{
			{"s", map[string]string{"a": "1"}},
		},
	},
	{
		name: "equals and colon",
		text: "[s]\na = b:c\nd: e=f\ng :h\n",
		want: []pySection{
			{"s", map[string]string{"a": "b:c", "d": "e=f", "g": "h"}},
		},
	},
	{
		name: "first delimiter wins",
		text: "[s]\nk:v=w\nk2=v:w\n",
		want: []pySection{
			{"s", map[string]string{"k": "v=w", "k2": "v:w"}},
		},
	},
	{
		name: "keys lowercased and stripped",
		text: "[s]\n  Key Name  =  Value  \nOTHER=1\n",
		want: []pySection{
			{"s", map[string]string{"key name": "Value", "other": "1"}},
		},
	},
	{
		name: "section names keep case and spaces",
		text: "[Prog]\na=1\n[ spaced ]\nb=2\n",
		want: []pySection{
			{"Prog", map[string]string{"a": "1"}},
			{" spaced ", map[string]string{"b": "2"}},
		},
	},
	{
		name: "duplicate key last wins",
		text: "[s]\na=1\nA=2\n",
		want: []pySection{
			{"s", map[string]string{"a": "2"}},
		},
	},
	{
		name: "duplicate section merges",
		text: "[s]\na=1\nb=1\n[t]\nc=1\n[s]\nb=2\n",
		want: []pySection{
			{"s", map[string]string{"a": "1", "b": "2"}},
			{"t", map[string]string{"c": "1"}},
		},
	},
	{
		name: "quotes kept",
		text: "[s]\na = \"quoted\"\nb = 'single'\nc = \"\"\"x\nd = `y`\n",
		want: []pySection{
			{"s", map[string]string{"a": "\"quoted\"", "b": "'single'", "c": "\"\"\"x", "d": "`y`"}},
		},
	},
	{
		name: "backslash kept",
		text: "[s]\na = x \\\nb = c:\\\\dir\n",
		want: []pySection{
			{"s", map[string]string{"a": "x \\", "b": "c:\\\\dir"}},
		},
	},
	{
		name: "continuation lines",
		text: "[s]\na = first\n  second\n\tthird\nb = 2\n",
		want: []pySection{
			{"s", map[string]string{"a": "first\nsecond\nthird", "b": "2"}},
		},
	},
	{
		name: "continuation with blank line inside",
		text: "[s]\na = x\n\n  y\n\n\nb = 2\n",
		want: []pySection{
			{"s", map[string]string{"a": "x\n\ny", "b": "2"}},
		},
	},
	{
		name: "trailing blank lines dropped",
		text: "[s]\na = x\n  y\n\n\n",
		want: []pySection{
			{"s", map[string]string{"a": "x\ny"}},
		},
	},
	{
		name: "continuation comment skipped",
		text: "[s]\na = x\n  ; note\n  y ; tail\n",
		want: []pySection{
			{"s", map[string]string{"a": "x\ny"}},
		},
	},
	{
		name: "continuation after empty value",
		text: "[s]\na =\n  one\n  two\n",
		want: []pySection{
			{"s", map[string]string{"a": "\none\ntwo"}},
		},
	},
	{
		name: "indented header is continuation",
		text: "[s]\na = x\n  [t]\nb = 1\n",
		want: []pySection{
			{"s", map[string]string{"a": "x\n[t]", "b": "1"}},
		},
	},
	{
		name: "indented option lines",
		text: "[s]\n  a = 1\n    b = 2\n  c = 3\n",
		want: []pySection{
			{"s", map[string]string{"a": "1\nb = 2", "c": "3"}},
		},
	},
	{
		name: "header trailing text",
		text: "[s] ; comment\na=1\n[t]junk\nb=2\n",
		want: []pySection{
			{"s", map[string]string{"a": "1"}},
			{"t", map[string]string{"b": "2"}},
		},
	},
	{
		name: "header to last bracket",
		text: "[a]b]\nk=1\n",
		want: []pySection{
			{"a]b", map[string]string{"k": "1"}},
		},
	},
	{
		name: "DEFAULT inherited",
		text: "[DEFAULT]\nd = 0\nx = base\n[s]\nx = own\n[t]\n",
		want: []pySection{
			{"s", map[string]string{"d": "0", "x": "own"}},
			{"t", map[string]string{"d": "0", "x": "base"}},
		},
	},
	{
		name: "CRLF and CR",
		text: "[s]\r\na = 1\r\nb = 2\rc = 3\r\n",
		want: []pySection{
			{"s", map[string]string{"a": "1", "b": "2", "c": "3"}},
		},
	},
	{
		name: "python inline comment scan quirk",
		text: "[s]\na = a;b;c ;d #e\n",
		want: []pySection{
			{"s", map[string]string{"a": "a;b;c ;d"}},
		},
	},
	{
		name: "empty value",
		text: "[s]\na =\nb:\n",
		want: []pySection{
			{"s", map[string]string{"a": "", "b": ""}},
		},
	},
	{
		name: "unicode whitespace",
		text: "[s]\na =\u00a0x\u00a0\n\u2003b = 2\n",
		want: []pySection{
			{"s", map[string]string{"a": "x\nb = 2"}},
		},
	},
	{
		name: "ascii separators are whitespace",
		text: "[s]\na = x\u001c\n",
		want: []pySection{
			{"s", map[string]string{"a": "x"}},
		},
	},
	{
		name: "percent kept",
		text: "[s]\na = 100%% %(here)s\n",
		want: []pySection{
			{"s", map[string]string{"a": "100%% %(here)s"}},
		},
	},
	{
		name: "value with brackets",
		text: "[s]\na = [x]\n",
		want: []pySection{
			{"s", map[string]string{"a": "[x]"}},
		},
	},
	{
		name:        "error: no section header",
		text:        "a = 1\n[s]\n",
		wantErrLine: 1,
	},
	{
		name:        "error: no delimiter",
		text:        "[s]\na = 1\njunk\n",
		wantErrLine: 3,
	},
	{
		name:        "error: empty key",
		text:        "[s]\n= 1\n",
		wantErrLine: 2,
	},
	{
		name:        "error: empty brackets",
		text:        "[s]\na=1\n[]\n",
		wantErrLine: 3,
	},
	{
		name:        "error: comment-only then option without header",
		text:        "; c\n\nk = v\n",
		wantErrLine: 3,
	},
}

func TestReadMatchesConfigParser(t *testing.T) {
	for _, tc := range configParserCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := newIniDoc()
			_, err := doc.read("/etc/test.conf", []byte(tc.text))
			if tc.wantErrLine != 0 {
				var cerr *Error
				if !errors.As(err, &cerr) {
					t.Fatalf("err = %v, want an *Error at line %d", err, tc.wantErrLine)
				}
				if cerr.Line != tc.wantErrLine || cerr.File != "/etc/test.conf" {
					t.Fatalf("error at %s:%d, want /etc/test.conf:%d (%v)", cerr.File, cerr.Line, tc.wantErrLine, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			var got []pySection
			for _, name := range doc.order {
				got = append(got, pySection{name, items(doc.sections[name])})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("sections = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i].name != tc.want[i].name || !maps.Equal(got[i].items, tc.want[i].items) {
					t.Errorf("section %d = %q %q, want %q %q", i, got[i].name, got[i].items, tc.want[i].name, tc.want[i].items)
				}
			}
		})
	}
}

// items is ConfigParser.items(section): DEFAULT's options, then the section's.
func items(s *iniSection) map[string]string {
	out := map[string]string{}
	if s.defaults != nil {
		for k, v := range s.defaults.values {
			out[k] = v.raw
		}
	}
	for k, v := range s.values {
		out[k] = v.raw
	}
	return out
}

// TestReadLocationsAndMerge checks what configparser does not report: each
// value keeps the file and first line it was defined on and %(here)s for
// that file; a later file's section merges into the earlier one, keeping
// the first header's location.
func TestReadLocationsAndMerge(t *testing.T) {
	doc := newIniDoc()
	if _, err := doc.read("/etc/main.conf", []byte("\xef\xbb\xbf[s]\na = 1\n  more\nb = 2\n")); err != nil {
		t.Fatal(err)
	}
	headers, err := doc.read("/etc/conf.d/x.conf", []byte("; c\n[s]\nb = 3\n[t]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []iniHeader{{"s", 2}, {"t", 4}}; !slices.Equal(headers, want) {
		t.Errorf("headers = %v, want %v", headers, want)
	}
	s := doc.sections["s"]
	if s.file != "/etc/main.conf" || s.line != 1 || !slices.Equal(s.keys, []string{"a", "b"}) {
		t.Errorf("section s at %s:%d keys %q", s.file, s.line, s.keys)
	}
	a, b := s.values["a"], s.values["b"]
	if a.raw != "1\nmore" || a.file != "/etc/main.conf" || a.line != 2 || a.here != "/etc" {
		t.Errorf("a = %+v", a)
	}
	if b.raw != "3" || b.file != "/etc/conf.d/x.conf" || b.line != 3 || b.here != "/etc/conf.d" {
		t.Errorf("b = %+v", b)
	}
}
