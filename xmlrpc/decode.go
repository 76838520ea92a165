package xmlrpc

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/supvisors/supvisors-go/fault"
)

// limits bound what the decoder accepts, so that a hostile document costs
// little before it is refused.
type limits struct {
	maxDepth    int // nesting of arrays and structs
	maxElements int // XML elements in the whole document
	maxText     int // bytes of one piece of text: a string, a name, base64
}

// requestLimits apply to calls the server receives. 100 levels of nesting
// and 100,000 elements are far beyond any Supervisor or Supvisors call (a
// multicall of 1,000 calls with 5 params each is about 25,000 elements).
var requestLimits = limits{maxDepth: 100, maxElements: 100_000, maxText: 4 << 20}

// request is a decoded <methodCall>.
type request struct {
	method string
	params []value
}

// errNoMethodName is a call without a <methodName> or with an empty one,
// which supervisord refuses with HTTP 400.
var errNoMethodName = errors.New("xmlrpc: no method name")

// decodeRequest reads one <methodCall> from r.
func decodeRequest(r io.Reader, lim limits) (*request, error) {
	p := newParser(r, lim)
	root, err := p.startElement("methodCall")
	if err != nil {
		return nil, err
	}
	req := &request{}
	for {
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		if p.isEnd(t, root) {
			break
		}
		start, ok := t, t.kind == tokStart
		switch {
		case ok && start.name.Local == "methodName":
			if req.method, err = p.text(start); err != nil {
				return nil, err
			}
		case ok && start.name.Local == "params":
			if req.params, err = p.params(start); err != nil {
				return nil, err
			}
		default:
			return nil, unexpected(t, "<methodName> or <params>")
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	if req.method == "" {
		return nil, errNoMethodName
	}
	return req, nil
}

// decodeResponse reads one <methodResponse> from r: its value, or the fault
// it carries. A response without a param gives a nil value.
func decodeResponse(r io.Reader, lim limits) (value, *fault.Fault, error) {
	p := newParser(r, lim)
	root, err := p.startElement("methodResponse")
	if err != nil {
		return value{}, nil, err
	}
	t, err := p.next()
	if err != nil {
		return value{}, nil, err
	}
	start, ok := t, t.kind == tokStart
	if !ok {
		return value{}, nil, unexpected(t, "<params> or <fault>")
	}
	var result value
	var flt *fault.Fault
	switch start.name.Local {
	case "params":
		params, err := p.params(start)
		if err != nil {
			return value{}, nil, err
		}
		switch len(params) {
		case 0:
			result = value{kind: kindNil}
		case 1:
			result = params[0]
		default:
			return value{}, nil, fmt.Errorf("xmlrpc: response has %d params, want 1", len(params))
		}
	case "fault":
		v, err := p.wrappedValue(start)
		if err != nil {
			return value{}, nil, err
		}
		if flt, err = faultFromValue(&v); err != nil {
			return value{}, nil, err
		}
	default:
		return value{}, nil, unexpected(t, "<params> or <fault>")
	}
	if err := p.endElement(root); err != nil {
		return value{}, nil, err
	}
	if err := p.finish(); err != nil {
		return value{}, nil, err
	}
	return result, flt, nil
}

func faultFromValue(v *value) (*fault.Fault, error) {
	if v.kind != kindStruct {
		return nil, fmt.Errorf("xmlrpc: fault is a %s, want a struct", v.kind)
	}
	code, text := v.member("faultCode"), v.member("faultString")
	if code == nil || code.kind != kindInt || text == nil || text.kind != kindString {
		return nil, errors.New("xmlrpc: fault lacks an int faultCode or a string faultString")
	}
	return &fault.Fault{Code: fault.Code(code.num), String: text.str}, nil
}

// parser is a recursive-descent reader of XML-RPC documents over the raw
// tokens of a lexer. It checks element nesting itself, never expands
// anything but XML's predefined and numeric entities and refuses DTDs
// outright.
type parser struct {
	d        *lexer
	lim      limits
	elements int
}

// newParser returns a parser of the document r in whatever encoding it
// declares (utf8Document).
func newParser(r io.Reader, lim limits) *parser {
	return &parser{d: newLexer(utf8Document(r)), lim: lim}
}

// token returns the next element or text token, skipping comments and
// processing instructions. The lexer refuses an encoding it does not know
// and any entity but XML's own.
func (p *parser) token() (token, error) {
	for {
		t, err := p.d.next()
		if err == io.EOF {
			return token{}, fmt.Errorf("xmlrpc: document ends early: %w", io.ErrUnexpectedEOF)
		}
		if err != nil {
			return token{}, fmt.Errorf("xmlrpc: %w", err)
		}
		switch t.kind {
		case tokStart:
			p.elements++
			if p.elements > p.lim.maxElements {
				return token{}, fmt.Errorf("xmlrpc: more than %d elements", p.lim.maxElements)
			}
			return t, nil
		case tokEnd, tokText:
			return t, nil
		}
	}
}

// next returns the next start or end element, skipping whitespace between
// elements (Python's xmlrpc.client puts newlines there).
func (p *parser) next() (token, error) {
	for {
		t, err := p.token()
		if err != nil {
			return token{}, err
		}
		if t.kind == tokText {
			if !isSpace(t.data) {
				return token{}, unexpected(t, "an element")
			}
			continue
		}
		return t, nil
	}
}

func (p *parser) startElement(local string) (token, error) {
	t, err := p.next()
	if err != nil {
		return token{}, err
	}
	if t.kind != tokStart || t.name.Local != local {
		return token{}, unexpected(t, "<"+local+">")
	}
	return t, nil
}

func (p *parser) endElement(start token) error {
	t, err := p.next()
	if err != nil {
		return err
	}
	if !p.isEnd(t, start) {
		return unexpected(t, "</"+start.name.Local+">")
	}
	return nil
}

func (p *parser) isEnd(t, start token) bool {
	return t.kind == tokEnd && t.name == start.name
}

// finish checks that nothing but whitespace, comments and processing
// instructions follows the root element.
func (p *parser) finish() error {
	for {
		t, err := p.d.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("xmlrpc: %w", err)
		}
		switch t.kind {
		case tokText:
			if !isSpace(t.data) {
				return unexpected(t, "the end of the document")
			}
		case tokComment, tokProcInst:
		default:
			return unexpected(t, "the end of the document")
		}
	}
}

// text reads the character data of start up to its end; a child element is
// an error.
func (p *parser) text(start token) (string, error) {
	var first string
	var more []byte
	for {
		t, err := p.token()
		if err != nil {
			return "", err
		}
		switch t.kind {
		case tokText:
			if first == "" && more == nil {
				first = string(t.data)
			} else {
				if more == nil {
					more = append(make([]byte, 0, len(first)+len(t.data)), first...)
				}
				more = append(more, t.data...)
			}
			if max(len(first), len(more)) > p.lim.maxText {
				return "", fmt.Errorf("xmlrpc: text of <%s> longer than %d bytes", start.name.Local, p.lim.maxText)
			}
		case tokEnd:
			if t.name != start.name {
				return "", unexpected(t, "</"+start.name.Local+">")
			}
			if more != nil {
				return string(more), nil
			}
			return first, nil
		default:
			return "", unexpected(t, "text")
		}
	}
}

// params reads <param><value>…</value></param>… up to </params>.
func (p *parser) params(start token) ([]value, error) {
	var params []value
	for {
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		if p.isEnd(t, start) {
			return params, nil
		}
		param, ok := t, t.kind == tokStart
		if !ok || param.name.Local != "param" {
			return nil, unexpected(t, "<param>")
		}
		v, err := p.wrappedValue(param)
		if err != nil {
			return nil, err
		}
		params = append(params, v)
	}
}

// wrappedValue reads the single <value> of <param> or <fault>, and its end.
func (p *parser) wrappedValue(outer token) (value, error) {
	start, err := p.startElement("value")
	if err != nil {
		return value{}, err
	}
	v, err := p.value(start, 0)
	if err != nil {
		return value{}, err
	}
	return v, p.endElement(outer)
}

// value reads the content of <value> after its start: one typed element, or
// text alone, which is a string.
func (p *parser) value(start token, depth int) (value, error) {
	var text []byte
	for {
		t, err := p.token()
		if err != nil {
			return value{}, err
		}
		switch t.kind {
		case tokText:
			if len(text)+len(t.data) > p.lim.maxText {
				return value{}, fmt.Errorf("xmlrpc: text of <value> longer than %d bytes", p.lim.maxText)
			}
			text = append(text, t.data...)
		case tokEnd:
			if t.name != start.name {
				return value{}, unexpected(t, "</value>")
			}
			return value{kind: kindString, str: string(text)}, nil
		case tokStart:
			if !isSpace(text) {
				return value{}, fmt.Errorf("xmlrpc: <value> mixes text and <%s>", t.name.Local)
			}
			v, err := p.typed(t, depth)
			if err != nil {
				return value{}, err
			}
			return v, p.endElement(start)
		}
	}
}

// typed reads one typed value whose start element has been read.
func (p *parser) typed(start token, depth int) (value, error) {
	switch start.name.Local {
	case "array":
		return p.array(start, depth+1)
	case "struct":
		return p.structure(start, depth+1)
	}
	text, err := p.text(start)
	if err != nil {
		return value{}, err
	}
	return scalar(start.name.Local, text)
}

// scalar converts the text of a scalar element of type name.
func scalar(name, text string) (value, error) {
	switch name {
	case "string":
		return value{kind: kindString, str: text}, nil
	case "int", "i4", "i8":
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return value{}, fmt.Errorf("xmlrpc: bad <%s> %q", name, clip(text))
		}
		return value{kind: kindInt, num: n}, nil
	case "boolean":
		switch text {
		case "0":
			return value{kind: kindBool}, nil
		case "1":
			return value{kind: kindBool, num: 1}, nil
		}
		return value{}, fmt.Errorf("xmlrpc: bad <boolean> %q, want 0 or 1", clip(text))
	case "double":
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return value{}, fmt.Errorf("xmlrpc: bad <double> %q", clip(text))
		}
		return value{kind: kindDouble, num: int64(math.Float64bits(f))}, nil
	case "dateTime.iso8601":
		t, err := parseDateTime(strings.TrimSpace(text))
		if err != nil {
			return value{}, err
		}
		return value{kind: kindDateTime, num: t.Unix()}, nil
	case "base64":
		b, err := base64.StdEncoding.DecodeString(stripSpace(text))
		if err != nil {
			return value{}, fmt.Errorf("xmlrpc: bad <base64>: %w", err)
		}
		return value{kind: kindBase64, str: string(b)}, nil
	case "nil":
		if text != "" {
			return value{}, errors.New("xmlrpc: <nil> is not empty")
		}
		return value{kind: kindNil}, nil
	}
	return value{}, fmt.Errorf("xmlrpc: unknown type <%s>", name)
}

// dateTimeLayouts are the forms of dateTime.iso8601 accepted: Python's
// (and the spec's) compact form, and the extended ISO 8601 form.
var dateTimeLayouts = []string{"20060102T15:04:05", "2006-01-02T15:04:05", "20060102T150405"}

// parseDateTime reads a zone-less dateTime, taken as UTC.
func parseDateTime(text string) (time.Time, error) {
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, text); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("xmlrpc: bad <dateTime.iso8601> %q", clip(text))
}

// array reads <array><data><value>…</value>…</data></array>; a bare
// <array/> is an empty array.
func (p *parser) array(start token, depth int) (value, error) {
	if depth > p.lim.maxDepth {
		return value{}, fmt.Errorf("xmlrpc: arrays and structs nested more than %d deep", p.lim.maxDepth)
	}
	arr := value{kind: kindArray}
	t, err := p.next()
	if err != nil {
		return value{}, err
	}
	if p.isEnd(t, start) {
		return arr, nil
	}
	data, ok := t, t.kind == tokStart
	if !ok || data.name.Local != "data" {
		return value{}, unexpected(t, "<data>")
	}
	for {
		t, err := p.next()
		if err != nil {
			return value{}, err
		}
		if p.isEnd(t, data) {
			break
		}
		elem, ok := t, t.kind == tokStart
		if !ok || elem.name.Local != "value" {
			return value{}, unexpected(t, "<value>")
		}
		v, err := p.value(elem, depth)
		if err != nil {
			return value{}, err
		}
		arr.elems = append(arr.elems, v)
	}
	return arr, p.endElement(start)
}

// structure reads <struct><member>…</member>…</struct>.
func (p *parser) structure(start token, depth int) (value, error) {
	if depth > p.lim.maxDepth {
		return value{}, fmt.Errorf("xmlrpc: arrays and structs nested more than %d deep", p.lim.maxDepth)
	}
	st := value{kind: kindStruct}
	for {
		t, err := p.next()
		if err != nil {
			return value{}, err
		}
		if p.isEnd(t, start) {
			return st, nil
		}
		member, ok := t, t.kind == tokStart
		if !ok || member.name.Local != "member" {
			return value{}, unexpected(t, "<member>")
		}
		m, err := p.member(member, depth)
		if err != nil {
			return value{}, err
		}
		st.elems = append(st.elems, m)
	}
}

// member reads one <name> and one <value>, in either order.
func (p *parser) member(start token, depth int) (value, error) {
	var m value
	var sawName, sawValue bool
	for {
		t, err := p.next()
		if err != nil {
			return value{}, err
		}
		if p.isEnd(t, start) {
			break
		}
		el, ok := t, t.kind == tokStart
		switch {
		case ok && el.name.Local == "name" && !sawName:
			name, err := p.text(el)
			if err != nil {
				return value{}, err
			}
			m.name, sawName = name, true
		case ok && el.name.Local == "value" && !sawValue:
			name := m.name
			if m, err = p.value(el, depth); err != nil {
				return value{}, err
			}
			m.name, sawValue = name, true
		default:
			return value{}, unexpected(t, "one <name> and one <value>")
		}
	}
	if !sawName || !sawValue {
		return value{}, errors.New("xmlrpc: <member> lacks a <name> or a <value>")
	}
	return m, nil
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func stripSpace(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}

// unexpected describes a token found where want was expected.
func unexpected(t token, want string) error {
	var got string
	switch t.kind {
	case tokStart:
		got = "<" + t.name.Local + ">"
	case tokEnd:
		got = "</" + t.name.Local + ">"
	case tokText:
		got = fmt.Sprintf("text %q", clip(string(t.data)))
	default:
		got = "markup"
	}
	return fmt.Errorf("xmlrpc: found %s, want %s", got, want)
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
