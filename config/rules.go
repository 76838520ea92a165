package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/supvisors/supvisors-go/enums"
)

// Limits that keep a hostile rules file from costing much. The grammar
// nests four levels deep (root, application, program, value), so any
// deeper nesting is rejected at the first unexpected element; the depth
// limit is a backstop in the token reader itself.
const (
	maxRulesSize      = 16 << 20 // bytes
	maxRulesDepth     = 32       // nested elements
	maxReferenceChain = 32       // models followed through <reference>
	maxSequence       = 127      // xs:byte, the spec's range for sequences
	maxLoading        = 100
)

// Rules is a parsed rules file: the rules of every application it names.
// It is a plain value, safe for concurrent reads once loaded; nothing in
// it changes after ParseRules returns, and its methods accept a nil *Rules
// (no rules file: every application has the defaults).
type Rules struct {
	// File is the path read ("" for no rules file).
	File string
	// Hash is the sha256 of the file's bytes (zero for no file); nodes
	// compare it to check they share the same rules.
	Hash [32]byte
	// Applications are the <application> elements by name.
	Applications map[string]*ApplicationRules
}

// ApplicationRules are the rules of one application (a process group). It
// is a plain value, safe for concurrent reads once loaded; callers must not
// modify the maps and slices it shares with its Rules.
type ApplicationRules struct {
	Name string
	// Line is the line of the <application> element, 0 for defaults.
	Line int
	// StartSequence orders the applications started in DEPLOYMENT (0: not
	// started); StopSequence orders them when everything stops.
	StartSequence, StopSequence int
	// StartingFailure applies when a required process fails while the
	// application starts; default FailAbort.
	StartingFailure enums.StartingFailureStrategy
	// RunningFailure is the default of its processes; default RunContinue.
	RunningFailure enums.RunningFailureStrategy
	// Programs are the <program name="x"> elements by name.
	Programs map[string]*ProgramRules
	// Patterns are the <pattern name="x"> elements, in file order.
	Patterns []*ProgramRules
}

// ProgramRules are the rules of one process, from a <program> or a
// <pattern> element, or the defaults. It is a plain value, safe for
// concurrent reads once loaded; callers must not modify Addresses, which it
// shares with its Rules.
type ProgramRules struct {
	// Name is the program (process) name, or the pattern.
	Name string
	// Line is the line of the <program> or <pattern> element, 0 for
	// defaults.
	Line int
	// Addresses is the <addresses> list in order; nil means every address
	// ("*"), in address_list order.
	Addresses []string
	// Hashed is "#": the i-th process of a homogeneous group goes to the
	// i-th address (of Addresses, or of address_list when Addresses is
	// nil), and nowhere else.
	Hashed bool
	// StartSequence orders the processes started with their application
	// (0: not started with it); StopSequence orders them when it stops.
	StartSequence, StopSequence int
	// Required processes fail their application's start when they fail
	// (always false when StartSequence is 0). WaitExit processes complete
	// their start phase only when they exit with an expected code.
	Required, WaitExit bool
	// Loading is the expected load of the process on its address, in
	// [0;100]; default 0, as in later Supvisors (0.1's 1 filled a node at
	// 100 processes without a rule).
	Loading int
	// RunningFailure applies when the process crashes or its address is
	// lost; default the application's.
	RunningFailure enums.RunningFailureStrategy
}

// Application returns the rules of an application: its own, or the
// defaults when the file has none for it (or r is nil: no rules file).
// Safe for concurrent use.
func (r *Rules) Application(name string) ApplicationRules {
	if r != nil {
		if a, ok := r.Applications[name]; ok {
			return *a
		}
	}
	return ApplicationRules{Name: name, StartingFailure: enums.FailAbort, RunningFailure: enums.RunContinue}
}

// Program returns the rules of process name in group (application) group:
// the <program> of that exact name in the application; else the <pattern>
// of the application whose name is a substring of the process name, the
// longest one winning (first in file order on ties); else the defaults,
// with the application's running failure strategy. r may be nil. Safe for
// concurrent use.
func (r *Rules) Program(group, name string) ProgramRules {
	app := r.Application(group)
	if p, ok := app.Programs[name]; ok {
		return *p
	}
	var best *ProgramRules
	for _, p := range app.Patterns {
		if strings.Contains(name, p.Name) && (best == nil || len(p.Name) > len(best.Name)) {
			best = p
		}
	}
	if best != nil {
		return *best
	}
	return ProgramRules{Name: name, RunningFailure: app.RunningFailure}
}

// LoadRules reads the rules file at file, then parses it with ParseRules.
// The file must be a regular file of at most 16 MiB. Every error is an
// *Error naming the file (and the line, once the file is read). Safe for
// concurrent use.
func LoadRules(file string, addressList []string) (*Rules, error) {
	st, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{File: file, Err: fmt.Errorf("could not find rules file %s", file)}
	case err != nil:
		return nil, &Error{File: file, Err: fmt.Errorf("could not read rules file %s: %w", file, err)}
	case !st.Mode().IsRegular():
		// A FIFO or a device would block or never end.
		return nil, &Error{File: file, Err: fmt.Errorf("could not read rules file %s: not a regular file", file)}
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, &Error{File: file, Err: fmt.Errorf("could not read rules file %s: %w", file, err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRulesSize+1))
	if err != nil {
		return nil, &Error{File: file, Err: fmt.Errorf("could not read rules file %s: %w", file, err)}
	}
	return ParseRules(file, data, addressList)
}

// ParseRules parses the rules file file whose contents are data. Explicit
// addresses must be in addressList. Every error is an *Error with File set
// to file and, when it applies, the Line of the offending element; no
// partial Rules is returned with an error. It never panics, whatever data
// holds, expands no entities and refuses DTDs. Safe for concurrent use.
func ParseRules(file string, data []byte, addressList []string) (*Rules, error) {
	if len(data) > maxRulesSize {
		return nil, &Error{File: file, Err: fmt.Errorf("the rules file is larger than the %d MiB limit", maxRulesSize>>20)}
	}
	p := &rulesParser{
		file:      file,
		addresses: addressList,
		models:    map[string]*programSpec{},
		appLines:  map[string]int{},
		resolved:  map[*programSpec]*programSpec{},
	}
	// A byte order mark is not text outside <root>. Line ends are read as
	// XML reads them ("\r\n" and a lone "\r" are "\n") before the decoder,
	// whose positions count "\n" bytes only: every error then names its
	// line. The encodings read (UTF-8, US-ASCII, ISO-8859-1) have no other
	// "\r" byte.
	src := bytes.TrimPrefix(data, []byte("\ufeff"))
	src = bytes.ReplaceAll(bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	dec := xml.NewDecoder(bytes.NewReader(src))
	dec.Strict = true
	p.x = &xmlTokens{dec: dec, file: file, src: src}
	dec.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		p.x.src = nil // the decoder's offsets are no longer src's
		return charsetReader(label, input)
	}
	if err := p.document(); err != nil {
		return nil, err
	}
	rules, err := p.build()
	if err != nil {
		return nil, err
	}
	rules.File = file
	rules.Hash = sha256.Sum256(data)
	return rules, nil
}

// xmlTokens reads the tokens of a rules file with the line each one starts
// on, skipping comments and processing instructions and refusing
// declarations (<!DOCTYPE ...>): entities are never defined, let alone
// expanded.
type xmlTokens struct {
	dec   *xml.Decoder
	file  string
	src   []byte // what dec reads (nil once it reads it converted)
	depth int
}

// next returns the next token (a StartElement, EndElement or CharData),
// io.EOF at the end of the file, or an *Error.
func (x *xmlTokens) next() (xml.Token, int, error) {
	for {
		// The decoder's position is the end of the previous token, so
		// the start of this one.
		line, _ := x.dec.InputPos()
		start := x.dec.InputOffset()
		tok, err := x.dec.Token()
		if err == io.EOF {
			return nil, line, io.EOF
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, se.Line, &Error{File: x.file, Line: se.Line, Err: fmt.Errorf("malformed XML: %s", se.Msg)}
			}
			line, _ = x.dec.InputPos()
			return nil, line, &Error{File: x.file, Line: line, Err: fmt.Errorf("malformed XML: %w", err)}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if x.depth >= maxRulesDepth {
				return nil, line, &Error{File: x.file, Line: line,
					Err: fmt.Errorf("<%s>: elements nested deeper than %d levels", xmlName(t.Name), maxRulesDepth)}
			}
			x.depth++
			return t, line, nil
		case xml.EndElement:
			x.depth--
			return t, line, nil
		case xml.CharData:
			return t, x.textLine(line, start), nil
		case xml.Directive:
			word := "DOCTYPE"
			if fields := strings.Fields(string(t)); len(fields) > 0 {
				word = fields[0]
			}
			return nil, line, &Error{File: x.file, Line: line,
				Err: fmt.Errorf("<!%s> is not allowed: rules files have no DTD and no entities", truncate(word, 20))}
		}
		// xml.Comment and xml.ProcInst (the <?xml ...?> declaration,
		// checked by the decoder) carry no rules.
	}
}

// charsetReader reads the encodings other than UTF-8 that an <?xml ...?>
// declaration may name and Python's parser reads too: ASCII (a subset of
// UTF-8) and Latin-1.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin-1", "latin1":
		data, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(data)+len(data)/8)
		for _, b := range data {
			out = utf8.AppendRune(out, rune(b))
		}
		return bytes.NewReader(out), nil
	}
	return nil, errors.New("unsupported encoding: expected UTF-8, US-ASCII or ISO-8859-1")
}

// rulesParser turns the tokens of a rules file into specs (each element as
// written), then resolves references and builds the Rules.
type rulesParser struct {
	file      string
	addresses []string
	x         *xmlTokens

	models   map[string]*programSpec
	appLines map[string]int
	apps     []*appSpec
	// specs are the model, program and pattern elements in file order.
	specs []*programSpec
	// resolved caches the resolution of each spec.
	resolved map[*programSpec]*programSpec
}

// opt is a value that an element may set; line is where it was set.
type opt[T any] struct {
	v    T
	set  bool
	line int
}

type addressRule struct {
	list   []string // nil: every address
	hashed bool
}

// programSpec is a <model>, <program> or <pattern> element as written.
type programSpec struct {
	what string // `<application name="a"> <program name="p">`, for messages
	name string
	line int

	addresses          opt[addressRule]
	startSeq, stopSeq  opt[int]
	required, waitExit opt[bool]
	loading            opt[int]
	running            opt[enums.RunningFailureStrategy]
	reference          opt[string]
}

// appSpec is an <application> element as written.
type appSpec struct {
	what              string
	name              string
	line              int
	startSeq, stopSeq opt[int]
	starting          opt[enums.StartingFailureStrategy]
	running           opt[enums.RunningFailureStrategy]
	programs          []*programSpec
	patterns          []*programSpec
	programLines      map[string]int
	patternLines      map[string]int
}

func (p *rulesParser) errorf(line int, format string, args ...any) error {
	return &Error{File: p.file, Line: line, Err: fmt.Errorf(format, args...)}
}

// document reads the whole file: a single <root> element, with only
// whitespace, comments and processing instructions around it.
func (p *rulesParser) document() error {
	seenRoot := false
	for {
		tok, line, err := p.x.next()
		if err == io.EOF {
			if !seenRoot {
				return &Error{File: p.file, Err: errors.New("no <root> element")}
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if text, at, ok := nonSpace(t, line); ok {
				return p.errorf(at, "unexpected text %q outside <root>", text)
			}
		case xml.StartElement:
			switch {
			case seenRoot:
				return p.errorf(line, "unexpected element <%s> after </root>", xmlName(t.Name))
			case t.Name.Local != "root":
				return p.errorf(line, "<%s>: the root element must be <root>", xmlName(t.Name))
			}
			seenRoot = true
			if err := p.root(t, line); err != nil {
				return err
			}
		}
	}
}

// root reads the children of <root>: models and applications.
func (p *rulesParser) root(start xml.StartElement, line int) error {
	for _, a := range start.Attr {
		// Namespace declarations and xsi:noNamespaceSchemaLocation are
		// what XSD-validated files carry.
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") ||
			a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance" {
			continue
		}
		return p.errorf(line, "<root>: unexpected attribute %q", xmlName(a.Name))
	}
	return p.children("<root>", func(child xml.StartElement, line int) error {
		switch child.Name.Local {
		case "model":
			return p.model(child, line)
		case "application":
			return p.application(child, line)
		}
		return p.errorf(line, "<root>: unknown element <%s>: expected <model> or <application>", xmlName(child.Name))
	})
}

// children reads the content of a container element up to its end tag,
// calling child for each element; text other than whitespace is an error.
func (p *rulesParser) children(what string, child func(xml.StartElement, int) error) error {
	for {
		tok, line, err := p.x.next()
		if err == io.EOF {
			// The decoder reports unclosed elements; this is a backstop.
			return p.errorf(line, "%s: unexpected end of file", what)
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if text, at, ok := nonSpace(t, line); ok {
				return p.errorf(at, "%s: unexpected text %q", what, text)
			}
		case xml.StartElement:
			if err := child(t, line); err != nil {
				return err
			}
		}
	}
}

// value reads the text of a value element, trimmed; the element may hold
// no attribute and no element.
func (p *rulesParser) value(what string, start xml.StartElement, line int) (string, error) {
	if len(start.Attr) > 0 {
		return "", p.errorf(line, "%s: unexpected attribute %q", what, xmlName(start.Attr[0].Name))
	}
	var text strings.Builder
	for {
		tok, line, err := p.x.next()
		if err == io.EOF {
			return "", p.errorf(line, "%s: unexpected end of file", what)
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return strings.TrimSpace(text.String()), nil
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			return "", p.errorf(line, "%s: unexpected element <%s> inside a value", what, xmlName(t.Name))
		}
	}
}

// nameAttr returns the name attribute of a model, application, program or
// pattern element, the only attribute they may have.
func (p *rulesParser) nameAttr(start xml.StartElement, line int) (string, error) {
	tag := xmlName(start.Name)
	name, found := "", false
	for _, a := range start.Attr {
		if a.Name.Space != "" || a.Name.Local != "name" {
			return "", p.errorf(line, "<%s>: unexpected attribute %q: only name is allowed", tag, xmlName(a.Name))
		}
		if found {
			return "", p.errorf(line, "<%s>: name attribute given twice", tag)
		}
		name, found = strings.TrimSpace(a.Value), true
	}
	switch {
	case !found:
		return "", p.errorf(line, "<%s>: missing name attribute", tag)
	case name == "":
		return "", p.errorf(line, "<%s name=\"\">: empty name", tag)
	}
	return name, nil
}

func (p *rulesParser) model(start xml.StartElement, line int) error {
	name, err := p.nameAttr(start, line)
	if err != nil {
		return err
	}
	s := &programSpec{what: fmt.Sprintf("<model name=%q>", name), name: name, line: line}
	if first, dup := p.models[name]; dup {
		return p.errorf(line, "%s: duplicate model %q, first defined at line %d", s.what, name, first.line)
	}
	p.models[name] = s
	p.specs = append(p.specs, s)
	return p.programElements(s)
}

func (p *rulesParser) application(start xml.StartElement, line int) error {
	name, err := p.nameAttr(start, line)
	if err != nil {
		return err
	}
	a := &appSpec{what: fmt.Sprintf("<application name=%q>", name), name: name, line: line,
		programLines: map[string]int{}, patternLines: map[string]int{}}
	if first, dup := p.appLines[name]; dup {
		return p.errorf(line, "%s: duplicate application %q, first defined at line %d", a.what, name, first)
	}
	p.appLines[name] = line
	p.apps = append(p.apps, a)
	return p.children(a.what, func(child xml.StartElement, line int) error {
		tag := child.Name.Local
		what := a.what + " <" + tag + ">"
		switch tag {
		case "program", "pattern":
			return p.program(a, child, line)
		case "start_sequence":
			return setOpt(p, &a.startSeq, what, child, line, sequence)
		case "stop_sequence":
			return setOpt(p, &a.stopSeq, what, child, line, sequence)
		case "starting_failure_strategy":
			return setOpt(p, &a.starting, what, child, line, enums.ParseStartingFailure)
		case "running_failure_strategy":
			return setOpt(p, &a.running, what, child, line, enums.ParseRunningFailure)
		}
		return p.errorf(line, "%s: unknown element <%s>", a.what, xmlName(child.Name))
	})
}

func (p *rulesParser) program(a *appSpec, start xml.StartElement, line int) error {
	name, err := p.nameAttr(start, line)
	if err != nil {
		return err
	}
	kind := start.Name.Local
	s := &programSpec{what: fmt.Sprintf("%s <%s name=%q>", a.what, kind, name), name: name, line: line}
	lines := a.programLines
	if kind == "pattern" {
		lines = a.patternLines
	}
	if first, dup := lines[name]; dup {
		return p.errorf(line, "%s: duplicate %s %q, first defined at line %d", s.what, kind, name, first)
	}
	lines[name] = line
	if kind == "pattern" {
		a.patterns = append(a.patterns, s)
	} else {
		a.programs = append(a.programs, s)
	}
	p.specs = append(p.specs, s)
	return p.programElements(s)
}

// programElements reads the content of a model, program or pattern.
func (p *rulesParser) programElements(s *programSpec) error {
	return p.children(s.what, func(child xml.StartElement, line int) error {
		tag := child.Name.Local
		what := s.what + " <" + tag + ">"
		switch tag {
		case "addresses":
			return setOpt(p, &s.addresses, what, child, line, p.addressRule)
		case "start_sequence":
			return setOpt(p, &s.startSeq, what, child, line, sequence)
		case "stop_sequence":
			return setOpt(p, &s.stopSeq, what, child, line, sequence)
		case "required":
			return setOpt(p, &s.required, what, child, line, rulesBool)
		case "wait_exit":
			return setOpt(p, &s.waitExit, what, child, line, rulesBool)
		case "loading", "expected_loading":
			return setOpt(p, &s.loading, what, child, line, loading)
		case "running_failure_strategy":
			return setOpt(p, &s.running, what, child, line, enums.ParseRunningFailure)
		case "reference":
			return setOpt(p, &s.reference, what, child, line, modelName)
		}
		return p.errorf(line, "%s: unknown element <%s>", s.what, xmlName(child.Name))
	})
}

// setOpt reads a value element into o with parse; an element may be set
// once (<loading> and <expected_loading> are the same one).
func setOpt[T any](p *rulesParser, o *opt[T], what string, start xml.StartElement, line int, parse func(string) (T, error)) error {
	if o.set {
		return p.errorf(line, "%s: set twice, first at line %d", what, o.line)
	}
	text, err := p.value(what, start, line)
	if err != nil {
		return err
	}
	v, err := parse(text)
	if err != nil {
		return &Error{File: p.file, Line: line, Err: fmt.Errorf("%s: %w", what, err)}
	}
	*o = opt[T]{v: v, set: true, line: line}
	return nil
}

func boundedRulesInt(text string, hi int) (int, error) {
	n, err := strconv.Atoi(text)
	if err != nil || n < 0 || n > hi {
		return 0, fmt.Errorf("invalid value %q: expected an integer in [0;%d]", text, hi)
	}
	return n, nil
}

func sequence(text string) (int, error) { return boundedRulesInt(text, maxSequence) }
func loading(text string) (int, error)  { return boundedRulesInt(text, maxLoading) }

func rulesBool(text string) (bool, error) {
	switch strings.ToLower(text) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("invalid value %q: expected true or false", text)
}

func modelName(text string) (string, error) {
	if text == "" {
		return "", errors.New("empty model name")
	}
	return text, nil
}

// addressRule reads an <addresses> list: "*" anywhere (or nothing) is every
// address; "#" anywhere is the hash mode, over the other names if any;
// other names must be in address_list and are kept once, in order.
func (p *rulesParser) addressRule(text string) (addressRule, error) {
	var r addressRule
	for _, item := range strings.Split(text, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case item == "*":
			return addressRule{}, nil
		case item == "#":
			r.hashed = true
		case !slices.Contains(p.addresses, item):
			return addressRule{}, fmt.Errorf("unknown address %q: not in address_list", item)
		case !slices.Contains(r.list, item):
			r.list = append(r.list, item)
		}
	}
	return r, nil
}

// resolve returns s with its reference applied: the model's values (its
// own references resolved first), overridden by those s sets. chain holds
// the models being resolved, to catch cycles.
func (p *rulesParser) resolve(s *programSpec, chain []*programSpec) (*programSpec, error) {
	if r, ok := p.resolved[s]; ok {
		return r, nil
	}
	if !s.reference.set {
		p.resolved[s] = s
		return s, nil
	}
	name, line := s.reference.v, s.reference.line
	m, ok := p.models[name]
	switch {
	case !ok:
		return nil, p.errorf(line, "%s <reference>: unknown model %q", s.what, name)
	case m == s || slices.Contains(chain, m):
		path := make([]string, 0, len(chain)+1)
		for _, c := range chain {
			path = append(path, strconv.Quote(c.name))
		}
		path = append(path, strconv.Quote(name))
		return nil, p.errorf(line, "%s <reference>: reference cycle through models %s", s.what, strings.Join(path, " -> "))
	case len(chain) >= maxReferenceChain:
		return nil, p.errorf(line, "%s <reference>: more than %d models referenced in a chain", s.what, maxReferenceChain)
	}
	base, err := p.resolve(m, append(chain, m))
	if err != nil {
		return nil, err
	}
	r := *s
	override(&r.addresses, base.addresses)
	override(&r.startSeq, base.startSeq)
	override(&r.stopSeq, base.stopSeq)
	override(&r.required, base.required)
	override(&r.waitExit, base.waitExit)
	override(&r.loading, base.loading)
	override(&r.running, base.running)
	p.resolved[s] = &r
	return &r, nil
}

// override fills o from base unless o is set.
func override[T any](o *opt[T], base opt[T]) {
	if !o.set {
		*o = base
	}
}

// build resolves every reference, in file order, then makes the Rules.
func (p *rulesParser) build() (*Rules, error) {
	for _, s := range p.specs {
		var chain []*programSpec
		if p.models[s.name] == s {
			chain = []*programSpec{s}
		}
		if _, err := p.resolve(s, chain); err != nil {
			return nil, err
		}
	}
	rules := &Rules{Applications: make(map[string]*ApplicationRules, len(p.apps))}
	for _, a := range p.apps {
		app := &ApplicationRules{
			Name:            a.name,
			Line:            a.line,
			StartSequence:   a.startSeq.v,
			StopSequence:    a.stopSeq.v,
			StartingFailure: enums.FailAbort,
			RunningFailure:  enums.RunContinue,
			Programs:        make(map[string]*ProgramRules, len(a.programs)),
		}
		if a.starting.set {
			app.StartingFailure = a.starting.v
		}
		if a.running.set {
			app.RunningFailure = a.running.v
		}
		for _, s := range a.programs {
			app.Programs[s.name] = p.programRules(s, app.RunningFailure)
		}
		for _, s := range a.patterns {
			app.Patterns = append(app.Patterns, p.programRules(s, app.RunningFailure))
		}
		rules.Applications[a.name] = app
	}
	return rules, nil
}

// programRules makes the rules of a resolved program or pattern.
func (p *rulesParser) programRules(s *programSpec, appRunning enums.RunningFailureStrategy) *ProgramRules {
	r := p.resolved[s]
	pr := &ProgramRules{
		Name:           s.name,
		Line:           s.line,
		Addresses:      r.addresses.v.list,
		Hashed:         r.addresses.v.hashed,
		StartSequence:  r.startSeq.v,
		StopSequence:   r.stopSeq.v,
		Required:       r.required.v,
		WaitExit:       r.waitExit.v,
		RunningFailure: appRunning,
	}
	if r.loading.set {
		pr.Loading = r.loading.v
	}
	if r.running.set {
		pr.RunningFailure = r.running.v
	}
	if pr.StartSequence == 0 {
		// Supvisors 0.1's check_dependencies: a process not started
		// with its application cannot be required for its start.
		pr.Required = false
	}
	return pr
}

// textLine is the line of the first character of a text, as written, that
// is not white space: the text starts on line, at offset start of the
// source (its decoded form says nothing of lines: "&#xA;" is a newline).
// In a file read through a charset conversion, it is the text's first line.
func (x *xmlTokens) textLine(line int, start int64) int {
	end := min(x.dec.InputOffset(), int64(len(x.src)))
	if start < 0 || start > end {
		return line
	}
	written := x.src[start:end]
	i := bytes.IndexFunc(written, func(r rune) bool { return !strings.ContainsRune(" \t\n", r) })
	if i < 0 {
		return line
	}
	return line + bytes.Count(written[:i], []byte("\n"))
}

// nonSpace returns the text of t, truncated for a message, with the line
// of its first non-whitespace character (line, see textLine); ok is false
// when t is all whitespace.
func nonSpace(t xml.CharData, line int) (string, int, bool) {
	s := string(t)
	i := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) })
	if i < 0 {
		return "", 0, false
	}
	return truncate(strings.TrimSpace(s[i:]), 40), line, true
}

// truncate shortens s to at most n bytes, on a rune boundary, marking the
// cut with "...".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// xmlName spells an element or attribute name as written, with its prefix
// (or the namespace the decoder resolved it to).
func xmlName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// disableAutorestart turns autorestart off for every process whose running
// failure strategy is not CONTINUE: Supvisors then decides what happens to
// it when it fails, not its supervisor.
func (r *Rules) disableAutorestart(groups []*Group) {
	for _, g := range groups {
		for _, p := range g.Processes {
			if r.Program(g.Name, p.Name).RunningFailure != enums.RunContinue {
				p.Autorestart = AutorestartFalse
			}
		}
	}
}
