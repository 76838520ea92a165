package config

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// pyGlob lists the paths matching pattern as Python's glob.glob does (not
// recursive): '*', '?' and '[...]' ('[!...]' negates) never match a leading
// '.' unless the pattern component starts with one, a path without wildcards
// matches when it exists, unreadable directories match nothing. Results are
// in directory order; callers sort them.
func pyGlob(pattern string) []string {
	if !hasMagic(pattern) {
		dir, base := pySplit(pattern)
		if base == "" && isDir(dir) {
			return []string{pattern}
		}
		if _, err := os.Lstat(pattern); base != "" && err == nil {
			return []string{pattern}
		}
		return nil
	}
	return globMagic(pattern, false)
}

// globMagic matches a pattern with wildcards, keeping only directories for
// the parent part of a longer pattern.
func globMagic(pattern string, dirsOnly bool) []string {
	dir, base := pySplit(pattern)
	dirs := []string{dir}
	if dir != "" && dir != pattern && hasMagic(dir) {
		dirs = globMagic(dir, true)
	}
	var out []string
	for _, d := range dirs {
		for _, name := range globInDir(d, base, dirsOnly) {
			out = append(out, pyJoin(d, name))
		}
	}
	return out
}

// globInDir matches one path component inside dir.
func globInDir(dir, base string, dirsOnly bool) []string {
	if !hasMagic(base) {
		p := pyJoin(dir, base)
		if base == "" {
			if isDir(dir) {
				return []string{""}
			}
			return nil
		}
		if _, err := os.Lstat(p); err == nil && (!dirsOnly || isDir(p)) {
			return []string{base}
		}
		return nil
	}
	re, err := fnmatchRegexp(base)
	if err != nil {
		return nil
	}
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		if dirsOnly && !isDir(pyJoin(dir, name)) {
			continue
		}
		if re.MatchString(name) {
			out = append(out, name)
		}
	}
	return out
}

func hasMagic(s string) bool { return strings.ContainsAny(s, "*?[") }

// pySplit is os.path.split: the head keeps no trailing slashes unless it is
// only slashes.
func pySplit(p string) (head, tail string) {
	i := strings.LastIndexByte(p, '/') + 1
	head, tail = p[:i], p[i:]
	if strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head, tail
}

// pyJoin is os.path.join for two parts.
func pyJoin(a, b string) string {
	switch {
	case strings.HasPrefix(b, "/") || a == "":
		return b
	case strings.HasSuffix(a, "/"):
		return a + b
	}
	return a + "/" + b
}

// fnmatchRegexp translates a shell pattern to a regular expression with
// fnmatch.translate's rules: '*', '?', '[seq]', '[!seq]', a '[' without its
// ']' taken literally, reversed ranges dropped, no escaping character.
func fnmatchRegexp(pat string) (*regexp.Regexp, error) {
	p := []rune(pat)
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for i := 0; i < len(p); {
		c := p[i]
		i++
		switch c {
		case '*':
			b.WriteString(".*")
			for i < len(p) && p[i] == '*' {
				i++
			}
		case '?':
			b.WriteString(".")
		case '[':
			j := i
			if j < len(p) && p[j] == '!' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				j++
			}
			if j >= len(p) {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(charClass(p, i, j))
			i = j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return regexp.Compile(b.String())
}

// charClass renders the set p[i:j] (the text between '[' and ']').
func charClass(p []rune, i, j int) string {
	// Split at the hyphens that make ranges, as fnmatch does: the first
	// character (after '!') and the one right after a range's hyphen
	// cannot start a range.
	var chunks [][]rune
	k := i + 1
	if p[i] == '!' {
		k = i + 2
	}
	for {
		at := -1
		for x := k; x < j; x++ {
			if p[x] == '-' {
				at = x
				break
			}
		}
		if at < 0 {
			break
		}
		chunks = append(chunks, p[i:at])
		i, k = at+1, at+3
	}
	if last := p[i:j]; len(last) > 0 {
		chunks = append(chunks, last)
	} else if len(chunks) > 0 {
		n := len(chunks) - 1
		chunks[n] = append(append([]rune(nil), chunks[n]...), '-')
	}
	// Drop reversed ranges with their ends.
	for x := len(chunks) - 1; x > 0; x-- {
		prev, next := chunks[x-1], chunks[x]
		if len(prev) > 0 && len(next) > 0 && prev[len(prev)-1] > next[0] {
			chunks[x-1] = append(append([]rune(nil), prev[:len(prev)-1]...), next[1:]...)
			chunks = append(chunks[:x], chunks[x+1:]...)
		}
	}
	var members []rune
	var ranges [][2]rune
	for x, chunk := range chunks {
		for y, r := range chunk {
			startsRange := x < len(chunks)-1 && y == len(chunk)-1
			endsRange := x > 0 && y == 0
			switch {
			case endsRange:
				ranges = append(ranges, [2]rune{chunks[x-1][len(chunks[x-1])-1], r})
			case startsRange:
			default:
				members = append(members, r)
			}
		}
	}
	// A leading '!' negates; it always lands among the members (the
	// first hyphen searched for comes after the character following it).
	negate := len(members) > 0 && len(chunks[0]) > 0 && chunks[0][0] == '!'
	if negate {
		members = members[1:]
	}
	if len(members) == 0 && len(ranges) == 0 {
		if negate {
			return "."
		}
		return `[^\x00-\x{10FFFF}]`
	}
	var b strings.Builder
	b.WriteByte('[')
	if negate {
		b.WriteByte('^')
	}
	for _, r := range members {
		fmt.Fprintf(&b, `\x{%x}`, r)
	}
	for _, rg := range ranges {
		fmt.Fprintf(&b, `\x{%x}-\x{%x}`, rg[0], rg[1])
	}
	b.WriteByte(']')
	return b.String()
}
