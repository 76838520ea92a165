package xmlrpc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lexer reads the raw tokens of an XML document, as encoding/xml's
// Decoder.RawToken does in strict mode without an entity map and with
// charset as its CharsetReader, at less than half its cost and a tenth of its allocations: tokens
// are plain values, the document is read into one growing buffer as the
// tokens need it (so a bad document is not read past its first error),
// text without entities or carriage returns is a slice of that buffer and
// names are interned. The parser calls it for every element of every
// request and reply; encoding/xml was three quarters of a client's time
// on a big reply.
//
// It accepts and refuses what encoding/xml does (FuzzLexer compares the
// two), except element, attribute and entity names with bytes beyond
// ASCII, which it refuses (errNonASCIIName): XML-RPC has none. A lexer is
// not safe for concurrent use.
type lexer struct {
	r io.Reader // nil once it has ended or failed
	// charset transcodes the rest of the document when its declaration
	// names another encoding than UTF-8; nil refuses any.
	charset charsetFunc
	doc     []byte // what has been read of the document
	pos     int
	line    int // of pos, from 1, for error messages
	// closing is the name of a self-closing element whose end comes next.
	closing    xml.Name
	hasClosing bool
	err        error  // sticky, as encoding/xml's
	scratch    []byte // text with entities or carriage returns
	names      [61]string
}

// errNonASCIIName is the one refusal encoding/xml does not share.
var errNonASCIIName = errors.New("names beyond ASCII are not accepted")

func newLexer(r io.Reader, charset charsetFunc) *lexer {
	return &lexer{r: r, charset: charset, line: 1}
}

// The buffer of the document starts at firstRead bytes and doubles
// whenever less than minRead is left for the next read.
const (
	firstRead = 4 << 10
	minRead   = 512
)

// more reads more of the document; false at its end. A read error other
// than io.EOF becomes the lexer's error.
func (l *lexer) more() bool {
	for l.r != nil {
		if cap(l.doc)-len(l.doc) < minRead {
			l.doc = slices.Grow(l.doc, max(firstRead, cap(l.doc)))
		}
		n, err := l.r.Read(l.doc[len(l.doc):cap(l.doc)])
		l.doc = l.doc[:len(l.doc)+n]
		if err != nil {
			l.r = nil
			if err != io.EOF && l.err == nil {
				l.err = err
			}
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// has reports whether a byte is there at l.pos, reading more if needed.
func (l *lexer) has() bool { return l.pos < len(l.doc) || l.more() }

// find is the offset from l.pos of the next sep, or -1 at the end of the
// document.
func (l *lexer) find(sep string) int {
	from := l.pos
	for {
		if i := bytes.Index(l.doc[from:], []byte(sep)); i >= 0 {
			return from + i - l.pos
		}
		from = max(l.pos, len(l.doc)-len(sep)+1)
		if !l.more() {
			return -1
		}
	}
}

// tokenKind is what a token is.
type tokenKind uint8

// The kinds of tokens.
const (
	tokStart    tokenKind = iota + 1 // an element's start: name
	tokEnd                           // an element's end: name
	tokText                          // character data: data
	tokComment                       // a comment: data
	tokProcInst                      // a processing instruction: name.Local its target, data the rest
)

// token is one raw token. It is a plain value (no allocation per token);
// its data is valid until the lexer's next token.
type token struct {
	kind tokenKind
	name xml.Name
	data []byte
}

// next returns the next token: an element's start (its attributes, of no
// use to XML-RPC, are checked and dropped) or end, text, a comment or a
// processing instruction; io.EOF at the end. A directive (a DTD) is an
// error.
func (l *lexer) next() (token, error) {
	if l.err != nil {
		return token{}, l.err
	}
	if l.hasClosing {
		l.hasClosing = false
		return token{kind: tokEnd, name: l.closing}, nil
	}
	if !l.has() {
		if l.err == nil {
			l.err = io.EOF
		}
		return token{}, l.err
	}
	if l.doc[l.pos] != '<' {
		data, err := l.text(-1, false)
		if err != nil {
			return token{}, err
		}
		return token{kind: tokText, data: data}, nil
	}
	l.pos++
	b, ok := l.mustByte()
	if !ok {
		return token{}, l.err
	}
	switch b {
	case '/':
		return l.endElement()
	case '?':
		return l.procInst()
	case '!':
		return l.bang()
	}
	l.pos--
	return l.startElement()
}

func (l *lexer) endElement() (token, error) {
	name, ok := l.nsname()
	if !ok {
		return token{}, l.fail("expected element name after </")
	}
	l.space()
	b, ok := l.mustByte()
	if !ok {
		return token{}, l.err
	}
	if b != '>' {
		return token{}, l.fail("invalid characters between </" + name.Local + " and >")
	}
	return token{kind: tokEnd, name: name}, nil
}

func (l *lexer) procInst() (token, error) {
	target, ok := l.name()
	if !ok {
		return token{}, l.fail("expected target name after <?")
	}
	l.space()
	end := l.find("?>")
	if end < 0 {
		l.advance(len(l.doc) - l.pos)
		return token{}, l.fail("unexpected EOF")
	}
	data := l.doc[l.pos : l.pos+end]
	l.advance(end + 2)
	if target == "xml" {
		content := string(data)
		if v := declared("version", content); v != "" && v != "1.0" {
			l.err = fmt.Errorf("xml: unsupported version %q; only version 1.0 is supported", v)
			return token{}, l.err
		}
		if enc := declared("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			if err := l.transcode(enc); err != nil {
				return token{}, err
			}
		}
	}
	return token{kind: tokProcInst, name: xml.Name{Local: target}, data: data}, nil
}

// transcode reads the rest of the document, what is read of it and what
// is not, through the charset function for enc.
func (l *lexer) transcode(enc string) error {
	if l.charset == nil {
		l.err = fmt.Errorf("xml: encoding %q declared but no charset reader is set", enc)
		return l.err
	}
	// A copy: the transcoded text overwrites the buffer from l.pos.
	var rest io.Reader = bytes.NewReader(bytes.Clone(l.doc[l.pos:]))
	if l.r != nil {
		rest = io.MultiReader(rest, l.r)
	}
	r, err := l.charset(enc, rest)
	if err != nil {
		l.err = fmt.Errorf("xml: declared encoding: %w", err)
		return l.err
	}
	l.doc, l.r = l.doc[:l.pos], r
	return nil
}

// declared is the value of param in the content of an <?xml?>
// declaration: the text between the quotes after the first "param=" that
// a quote follows.
func declared(param, content string) string {
	key := param + "="
	for {
		k := strings.Index(content, key)
		if k < 0 || k+len(key) >= len(content) {
			return ""
		}
		quote := content[k+len(key)]
		content = content[k+len(key)+1:]
		if quote == '\'' || quote == '"' {
			v, _, ok := strings.Cut(content, string(quote))
			if !ok {
				return ""
			}
			return v
		}
	}
}

// bang reads what starts with <!: a comment, a CDATA section, or a
// directive (a DTD), which is refused.
func (l *lexer) bang() (token, error) {
	b, ok := l.mustByte()
	if !ok {
		return token{}, l.err
	}
	switch b {
	case '-':
		if b, ok = l.mustByte(); !ok {
			return token{}, l.err
		}
		if b != '-' {
			return token{}, l.fail("invalid sequence <!- not part of <!--")
		}
		start := l.pos
		// The comment ends at the first "--", which must be followed by >.
		end := l.find("--")
		if end < 0 {
			l.advance(len(l.doc) - l.pos)
			return token{}, l.fail("unexpected EOF")
		}
		l.advance(end + 2)
		if b, ok = l.mustByte(); !ok {
			return token{}, l.err
		}
		if b != '>' {
			return token{}, l.fail(`invalid sequence "--" not allowed in comments`)
		}
		return token{kind: tokComment, data: l.doc[start : start+end]}, nil
	case '[':
		for i := range len("CDATA[") {
			if b, ok = l.mustByte(); !ok {
				return token{}, l.err
			}
			if b != "CDATA["[i] {
				return token{}, l.fail("invalid <![ sequence")
			}
		}
		data, err := l.text(-1, true)
		if err != nil {
			return token{}, err
		}
		return token{kind: tokText, data: data}, nil
	}
	l.err = errors.New("DTDs and other directives are not accepted")
	return token{}, l.err
}

// startElement reads <name attr="value"...> or <name .../>; the
// attributes are checked and dropped.
func (l *lexer) startElement() (token, error) {
	name, ok := l.nsname()
	if !ok {
		return token{}, l.fail("expected element name after <")
	}
	for {
		l.space()
		b, ok := l.mustByte()
		if !ok {
			return token{}, l.err
		}
		if b == '/' {
			if b, ok = l.mustByte(); !ok {
				return token{}, l.err
			}
			if b != '>' {
				return token{}, l.fail("expected /> in element")
			}
			l.closing, l.hasClosing = name, true
			break
		}
		if b == '>' {
			break
		}
		l.pos--
		if _, ok := l.nsname(); !ok {
			return token{}, l.fail("expected attribute name in element")
		}
		l.space()
		if b, ok = l.mustByte(); !ok {
			return token{}, l.err
		}
		if b != '=' {
			return token{}, l.fail("attribute name without = in element")
		}
		l.space()
		if b, ok = l.mustByte(); !ok {
			return token{}, l.err
		}
		if b != '"' && b != '\'' {
			return token{}, l.fail("unquoted or missing attribute value in element")
		}
		if _, err := l.text(int(b), false); err != nil {
			return token{}, err
		}
	}
	return token{kind: tokStart, name: name}, nil
}

// nsname reads a name and splits it at its colon, as encoding/xml does;
// a name with two colons is no name.
func (l *lexer) nsname() (xml.Name, bool) {
	s, ok := l.name()
	if !ok {
		return xml.Name{}, false
	}
	colon := strings.IndexByte(s, ':')
	switch {
	case colon < 0:
		return xml.Name{Local: s}, true
	case strings.IndexByte(s[colon+1:], ':') >= 0:
		return xml.Name{}, false
	case colon > 0 && colon < len(s)-1:
		return xml.Name{Space: s[:colon], Local: s[colon+1:]}, true
	}
	return xml.Name{Local: s}, true
}

// name reads a name: a letter, _ or : then letters, digits, _ : . or -.
// Not a name (false, without an error) when the next byte cannot start one.
func (l *lexer) name() (string, bool) {
	b := l.readName()
	if b == nil {
		return "", false
	}
	if !isASCIIName(b) {
		if l.err == nil {
			l.err = l.syntaxError("invalid XML name: " + string(b))
		}
		return "", false
	}
	return l.intern(b), true
}

// intern returns b as a string, the same string for the same name as the
// last time its slot saw it: a document repeats a dozen names.
func (l *lexer) intern(b []byte) string {
	slot := &l.names[(len(b)*7+int(b[0])+int(b[len(b)-1]))%len(l.names)]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// readName reads the bytes of a name: name bytes and any byte beyond
// ASCII (refused with errNonASCIIName). nil when none, or at the end of
// the document (an error then).
func (l *lexer) readName() []byte {
	start := l.pos
	for {
		for l.pos < len(l.doc) && nameBytes[l.doc[l.pos]] {
			l.pos++
		}
		if l.pos < len(l.doc) || !l.more() {
			break
		}
	}
	switch {
	case l.pos == len(l.doc):
		l.fail("unexpected EOF")
		return nil
	case l.doc[l.pos] >= utf8.RuneSelf:
		l.err = l.syntaxErr(errNonASCIIName)
		return nil
	case l.pos == start:
		return nil
	}
	return l.doc[start:l.pos]
}

// nameBytes are the bytes of names: letters, digits, _ : . and -.
var nameBytes = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '_' || c == ':' || c == '.' || c == '-'
	}
	return t
}()

// isASCIIName reports whether b (name bytes) is an XML name: its first
// byte is a letter, _ or :.
func isASCIIName(b []byte) bool {
	c := b[0]
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':'
}

// text reads character data: up to < (quote < 0), up to the quote
// (quote >= 0, an attribute value, where < is refused), or up to ]]>
// (cdata). It expands the predefined and numeric entities (not in CDATA),
// turns \r\n and \r into \n, and refuses bytes that are not UTF-8 or not
// XML characters.
func (l *lexer) text(quote int, cdata bool) ([]byte, error) {
	start := l.pos
	var out []byte // nil while the text is the document's bytes as they are
	flushed := start
	for {
		if !l.has() {
			if cdata {
				return nil, l.fail("unexpected EOF in CDATA section")
			}
			if quote >= 0 {
				return nil, l.fail("unexpected EOF")
			}
			break
		}
		b := l.doc[l.pos]
		if quote < 0 && b == '>' && l.pos-start >= 2 && l.doc[l.pos-1] == ']' && l.doc[l.pos-2] == ']' {
			if cdata {
				l.pos++
				return l.finishText(start, l.pos-3, flushed, out)
			}
			return nil, l.fail("unescaped ]]> not in CDATA section")
		}
		if b == '<' && !cdata {
			if quote >= 0 {
				return nil, l.fail("unescaped < inside quoted string")
			}
			break
		}
		if quote >= 0 && b == byte(quote) {
			data, err := l.finishText(start, l.pos, flushed, out)
			l.pos++
			return data, err
		}
		switch {
		case b == '&' && !cdata:
			if out == nil {
				out = l.scratch[:0]
			}
			out = append(out, l.doc[flushed:l.pos]...)
			var err error
			if out, err = l.entity(out); err != nil {
				return nil, err
			}
			flushed = l.pos
			continue
		case b == '\r':
			if out == nil {
				out = l.scratch[:0]
			}
			out = append(append(out, l.doc[flushed:l.pos]...), '\n')
			l.pos++
			if l.has() && l.doc[l.pos] == '\n' {
				l.pos++
				l.line++
			}
			flushed = l.pos
			continue
		case b == '\n':
			l.line++
		}
		l.pos++
	}
	return l.finishText(start, l.pos, flushed, out)
}

// finishText ends a text at end: the document's bytes, or out with the
// rest appended; then checks its characters.
func (l *lexer) finishText(start, end, flushed int, out []byte) ([]byte, error) {
	var data []byte
	if out == nil {
		data = l.doc[start:end]
	} else {
		data = append(out, l.doc[flushed:end]...)
		l.scratch = data
	}
	if err := l.checkChars(data); err != nil {
		return nil, err
	}
	return data, nil
}

// entity expands the entity at l.pos (&...;) onto out.
func (l *lexer) entity(out []byte) ([]byte, error) {
	begin := l.pos
	l.pos++ // &
	bad := func() ([]byte, error) {
		ent := string(l.doc[begin:l.pos])
		if !strings.HasSuffix(ent, ";") {
			ent += " (no semicolon)"
		}
		return nil, l.fail("invalid character entity " + ent)
	}
	b, ok := l.mustByte()
	if !ok {
		return nil, l.err
	}
	if b == '#' {
		base := 10
		if b, ok = l.mustByte(); !ok {
			return nil, l.err
		}
		if b == 'x' {
			base = 16
			if b, ok = l.mustByte(); !ok {
				return nil, l.err
			}
		}
		digits := l.pos - 1
		for '0' <= b && b <= '9' || base == 16 && ('a' <= b && b <= 'f' || 'A' <= b && b <= 'F') {
			if b, ok = l.mustByte(); !ok {
				return nil, l.err
			}
		}
		if b != ';' {
			l.pos--
			return bad()
		}
		n, err := strconv.ParseUint(string(l.doc[digits:l.pos-1]), base, 64)
		if err != nil || n > unicode.MaxRune {
			return bad()
		}
		return utf8.AppendRune(out, rune(n)), nil
	}
	l.pos--
	name := l.readName()
	if name == nil && l.err != nil {
		return nil, l.err
	}
	if b, ok = l.mustByte(); !ok {
		return nil, l.err
	}
	if b != ';' {
		l.pos--
		return bad()
	}
	var r byte
	switch string(name) {
	case "lt":
		r = '<'
	case "gt":
		r = '>'
	case "amp":
		r = '&'
	case "apos":
		r = '\''
	case "quot":
		r = '"'
	default:
		return bad()
	}
	return append(out, r), nil
}

// checkChars refuses bytes that are not UTF-8 and runes outside XML's
// character range.
func (l *lexer) checkChars(data []byte) error {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return l.fail(fmt.Sprintf("illegal character code %U", rune(c)))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return l.fail("invalid UTF-8")
		}
		if !(r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return l.fail(fmt.Sprintf("illegal character code %U", r))
		}
		i += size
	}
	return nil
}

// space skips white space.
func (l *lexer) space() {
	for l.has() {
		switch l.doc[l.pos] {
		case '\n':
			l.line++
		case ' ', '\r', '\t':
		default:
			return
		}
		l.pos++
	}
}

// mustByte reads a byte that must be there.
func (l *lexer) mustByte() (byte, bool) {
	if !l.has() {
		l.fail("unexpected EOF")
		return 0, false
	}
	b := l.doc[l.pos]
	if b == '\n' {
		l.line++
	}
	l.pos++
	return b, true
}

// advance moves n bytes on, counting lines.
func (l *lexer) advance(n int) {
	for _, b := range l.doc[l.pos : l.pos+n] {
		if b == '\n' {
			l.line++
		}
	}
	l.pos += n
}

// fail records a syntax error (unless one is there) and returns it.
func (l *lexer) fail(msg string) error {
	if l.err == nil {
		l.err = l.syntaxError(msg)
	}
	return l.err
}

func (l *lexer) syntaxError(msg string) error { return l.syntaxErr(errors.New(msg)) }

func (l *lexer) syntaxErr(err error) error {
	return fmt.Errorf("syntax error on line %d: %w", l.line, err)
}
