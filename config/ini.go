package config

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// defaultSection is ConfigParser's DEFAULT: its options are the fallback of
// every other section.
const defaultSection = "DEFAULT"

// iniValue is one option as read: its raw (unexpanded) text and where it
// was defined.
type iniValue struct {
	raw  string
	file string
	line int
	// here is the absolute directory of file: %(here)s for this value.
	here  string
	lines []string // the value's lines while the file is being read
}

// iniSection is one section, merged over every file that names it.
type iniSection struct {
	name string
	// file and line are those of the first header naming the section.
	file   string
	line   int
	values map[string]*iniValue
	keys   []string // option names in order of first definition
	// defaults is the DEFAULT section (nil when there is none).
	defaults *iniSection
}

// lookup returns the option, falling back to DEFAULT like ConfigParser.get.
func (s *iniSection) lookup(key string) (*iniValue, bool) {
	if v, ok := s.values[key]; ok {
		return v, true
	}
	if s.defaults != nil {
		v, ok := s.defaults.values[key]
		return v, ok
	}
	return nil, false
}

// iniHeader is a section header: its name and line.
type iniHeader struct {
	name string
	line int
}

// iniDoc is what UnhosedConfigParser holds after reading the main file and
// its includes: sections in order of first appearance, later definitions of
// an option replacing earlier ones (ConfigParser with strict=False).
type iniDoc struct {
	sections map[string]*iniSection
	order    []string
	defaults *iniSection
}

func newIniDoc() *iniDoc {
	return &iniDoc{sections: map[string]*iniSection{}}
}

func (d *iniDoc) section(name string) (*iniSection, bool) {
	s, ok := d.sections[name]
	return s, ok
}

// read parses one file's text into d with Python 3's
// RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False) rules:
// full-line and inline comments (an inline ';' or '#' only at the start or
// after whitespace), '=' or ':' as delimiter at its first occurrence, keys
// stripped and lowercased, values stripped, quotes and backslashes kept,
// continuation lines indented deeper than the option joined with "\n"
// (blank lines inside kept, trailing ones dropped). It returns the section
// headers the file contains.
func (d *iniDoc) read(file string, data []byte) ([]iniHeader, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, &Error{File: file, Err: err}
	}
	here := filepath.Dir(abs)
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	var (
		headers []iniHeader
		cur     *iniSection
		option  *iniValue // the option continuation lines extend
		indent  int       // indentation of the last header or option line
		pending []*iniValue
	)
	for lineno, line := range splitLines(data) {
		lineno++
		start := commentStart(line)
		value := pyStrip(line[:start])
		if value == "" {
			// A blank line may belong to a multi-line value; a
			// comment line never does.
			if start == len(line) && option != nil {
				option.lines = append(option.lines, "")
			}
			continue
		}
		lineIndent := indentOf(line)
		if cur != nil && option != nil && lineIndent > indent {
			option.lines = append(option.lines, value)
			continue
		}
		indent = lineIndent
		if name, ok := sectionHeader(value); ok {
			cur = d.open(name, file, lineno)
			headers = append(headers, iniHeader{name, lineno})
			option = nil
			continue
		}
		if cur == nil {
			return nil, &Error{File: file, Line: lineno,
				Err: fmt.Errorf("file contains no section headers: %q", line)}
		}
		key, val, ok := splitOption(value)
		if !ok {
			return nil, &Error{File: file, Line: lineno, Section: cur.name,
				Err: fmt.Errorf("parsing error: %q is not a section header or a key=value line", value)}
		}
		option = &iniValue{file: file, line: lineno, here: here, lines: []string{val}}
		pending = append(pending, option)
		if _, seen := cur.values[key]; !seen {
			cur.keys = append(cur.keys, key)
		}
		cur.values[key] = option
	}
	for _, v := range pending {
		v.raw = pyRstrip(strings.Join(v.lines, "\n"))
		v.lines = nil
	}
	return headers, nil
}

// open returns the named section, creating it on its first header.
func (d *iniDoc) open(name, file string, line int) *iniSection {
	if name == defaultSection {
		if d.defaults == nil {
			d.defaults = &iniSection{name: name, file: file, line: line, values: map[string]*iniValue{}}
			for _, s := range d.sections {
				s.defaults = d.defaults
			}
		}
		return d.defaults
	}
	if s, ok := d.sections[name]; ok {
		return s
	}
	s := &iniSection{name: name, file: file, line: line, values: map[string]*iniValue{}, defaults: d.defaults}
	d.sections[name] = s
	d.order = append(d.order, name)
	return s
}

// splitLines splits text at universal newlines ("\n", "\r\n", "\r"), as
// Python's text files do, without the line ends.
func splitLines(data []byte) []string {
	var lines []string
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			lines = append(lines, string(data))
			break
		}
		lines = append(lines, string(data[:i]))
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return lines
}

// commentStart returns where the comment of line starts, len(line) when
// there is none. It reproduces ConfigParser's scan exactly: each round
// advances every prefix to its next occurrence and the scan stops at the
// first round in which one of them starts the line or follows whitespace.
func commentStart(line string) int {
	if t := pyStrip(line); strings.HasPrefix(t, ";") || strings.HasPrefix(t, "#") {
		return 0
	}
	idx := [2]int{-1, -1} // positions of ';' and '#'
	active := [2]bool{true, true}
	best := len(line)
	for best == len(line) && (active[0] || active[1]) {
		for p, prefix := range [2]string{";", "#"} {
			if !active[p] {
				continue
			}
			next := strings.Index(line[idx[p]+1:], prefix)
			if next < 0 {
				active[p] = false
				continue
			}
			idx[p] += next + 1
			if idx[p] == 0 || precededBySpace(line, idx[p]) {
				best = min(best, idx[p])
			}
		}
	}
	return best
}

func precededBySpace(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return pySpace(r)
}

// indentOf counts the whitespace characters (not bytes) that start line.
func indentOf(line string) int {
	n := 0
	for _, r := range line {
		if !pySpace(r) {
			break
		}
		n++
	}
	return n
}

// sectionHeader matches ConfigParser's \[(?P<header>.+)\] at the start of a
// stripped line: the name runs to the last ']'.
func sectionHeader(value string) (string, bool) {
	if !strings.HasPrefix(value, "[") {
		return "", false
	}
	end := strings.LastIndexByte(value, ']')
	if end < 2 {
		return "", false
	}
	return value[1:end], true
}

// splitOption splits a stripped line at its first '=' or ':' into a
// lowercased key and a value, both stripped.
func splitOption(value string) (key, val string, ok bool) {
	i := strings.IndexAny(value, "=:")
	if i < 0 {
		return "", "", false
	}
	key = strings.ToLower(pyRstrip(value[:i]))
	if key == "" {
		return "", "", false
	}
	return key, pyStrip(value[i+1:]), true
}
