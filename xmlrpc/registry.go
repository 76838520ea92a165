package xmlrpc

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	gorilla "github.com/gorilla/rpc"

	"github.com/supvisors/supvisors-go/fault"
)

// NoArgs is the args type of methods that take no params. Safe for
// concurrent use (it holds nothing).
type NoArgs struct{}

// method is one callable wire method.
type method struct {
	name    string // canonical wire name: "supervisor.getState"
	gorilla string // the name gorilla dispatches: "supervisor.GetState"
	args    *argsSpec
	reply   reflect.Type
	help    string
	// replySize is the size of the last reply encoded, to size the next
	// one's buffer: growing a buffer to a 1 MB getAllProcessInfo reply
	// costs ten times the encoding.
	replySize atomic.Int64
}

// registry is the table of wire methods, aliases included. Safe for
// concurrent use.
type registry struct {
	mu         sync.RWMutex
	methods    map[string]*method
	namespaces map[string]bool
}

func newRegistry() *registry {
	return &registry{methods: make(map[string]*method), namespaces: make(map[string]bool)}
}

// register publishes every method of svc that gorilla accepts (exported,
// func(*http.Request, *Args, *Reply) error) as namespace.wireName. help is
// keyed by wire name; every key must name one of the methods.
func (reg *registry) register(g *gorilla.Server, namespace string, svc any, naming Naming, help map[string]string) error {
	if namespace == "" || strings.ContainsRune(namespace, '.') || strings.HasPrefix(namespace, "_") {
		return fmt.Errorf("rpc: bad namespace %q", namespace)
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if reg.namespaces[namespace] {
		return fmt.Errorf("rpc: namespace %q already registered", namespace)
	}
	if err := g.RegisterService(svc, namespace); err != nil {
		return fmt.Errorf("rpc: register namespace %q: %w", namespace, err)
	}
	added := make(map[string]*method)
	t := reflect.TypeOf(svc)
	for i := range t.NumMethod() {
		m := t.Method(i)
		if !g.HasMethod(namespace + "." + m.Name) {
			continue
		}
		meth, err := newMethod(namespace, naming, m)
		if err != nil {
			return err
		}
		if prev, ok := added[meth.name]; ok {
			return fmt.Errorf("rpc: %s and %s are both %s", prev.gorilla, meth.gorilla, meth.name)
		}
		meth.help = help[meth.name]
		added[meth.name] = meth
	}
	for name := range help {
		if added[name] == nil {
			return fmt.Errorf("rpc: help for %s, which namespace %q does not have", name, namespace)
		}
	}
	reg.namespaces[namespace] = true
	for name, meth := range added {
		reg.methods[name] = meth
	}
	return nil
}

func newMethod(namespace string, naming Naming, m reflect.Method) (*method, error) {
	// gorilla has checked the shape: (receiver, *http.Request, *Args, *Reply) error.
	argsType, replyType := m.Type.In(2).Elem(), m.Type.In(3).Elem()
	gorillaName := namespace + "." + m.Name
	args, err := newArgsSpec(argsType)
	if err != nil {
		return nil, fmt.Errorf("rpc: %s: %w", gorillaName, err)
	}
	if err := checkType(replyType, false, map[reflect.Type]bool{}); err != nil {
		return nil, fmt.Errorf("rpc: %s: reply: %w", gorillaName, err)
	}
	return &method{
		name:    namespace + "." + naming.wireName(m.Name),
		gorilla: gorillaName,
		args:    args,
		reply:   replyType,
	}, nil
}

// alias makes alias ("ns.name") another name of the method target.
func (reg *registry) alias(alias, target string) error {
	ns, name, ok := strings.Cut(alias, ".")
	if !ok || ns == "" || name == "" || strings.ContainsRune(name, '.') || strings.HasPrefix(name, "_") {
		return fmt.Errorf("rpc: bad alias %q: want namespace.method", alias)
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	m := reg.methods[target]
	if m == nil {
		return fmt.Errorf("rpc: alias %s of unknown method %s", alias, target)
	}
	if reg.methods[alias] != nil {
		return fmt.Errorf("rpc: alias %s: name already in use", alias)
	}
	reg.methods[alias] = m
	return nil
}

// lookup finds a wire method. Names not exactly namespace.method or whose
// method part starts with "_" are never registered, so they are unknown
// too, as in Supervisor's traverse.
func (reg *registry) lookup(name string) (*method, error) {
	reg.mu.RLock()
	m := reg.methods[name]
	reg.mu.RUnlock()
	if m == nil {
		return nil, fault.New(fault.UnknownMethod, "")
	}
	return m, nil
}

// names lists every wire name, aliases included, sorted.
func (reg *registry) names() []string {
	reg.mu.RLock()
	names := make([]string, 0, len(reg.methods))
	for name := range reg.methods {
		names = append(names, name)
	}
	reg.mu.RUnlock()
	slices.Sort(names)
	return names
}

// signature is [return type, param types...]. A Go interface type says
// nothing, so its slot comes from the @return or @param tag of the help
// text, as Supervisor derives all of its signatures, else "undef".
func (m *method) signature() []string {
	ret, params := helpTags(m.help)
	sig := []string{orTag(xmlrpcType(m.reply), ret)}
	for i, f := range m.args.fields {
		var tag string
		if i < len(params) {
			tag = params[i]
		}
		sig = append(sig, orTag(f.wireType, tag))
	}
	return sig
}

func orTag(goType, tag string) string {
	switch {
	case goType != "":
		return goType
	case tag != "":
		return tag
	}
	return "undef"
}

// helpTags reads the types of "@return TYPE ..." and "@param TYPE ..."
// lines of a help text.
func helpTags(help string) (ret string, params []string) {
	for line := range strings.Lines(help) {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		switch fields[0] {
		case "@return":
			ret = fields[1]
		case "@param":
			params = append(params, fields[1])
		}
	}
	return ret, params
}

// argsSpec is how positional params fill an args struct.
type argsSpec struct {
	typ      reflect.Type
	fields   []argField
	required int
}

type argField struct {
	index    int
	name     string        // for messages: the tag name, else the Go name
	wireType string        // XML-RPC type, "" for an interface
	def      reflect.Value // the default:"..." value, if any
}

// newArgsSpec reads the exported fields of args type t in order. Fields
// tagged `xmlrpc:"name,optional"` may be left out by the caller, but only
// at the end; `default:"..."` gives such a field its value when missing.
func newArgsSpec(t reflect.Type) (*argsSpec, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("args type %s is not a struct", t)
	}
	spec := &argsSpec{typ: t}
	optional := false
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if err := checkType(sf.Type, true, map[reflect.Type]bool{}); err != nil {
			return nil, fmt.Errorf("args field %s: %w", sf.Name, err)
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("xmlrpc"), ",")
		if name == "" {
			name = sf.Name
		}
		f := argField{index: i, name: name, wireType: paramType(sf.Type)}
		fieldOptional := slices.Contains(strings.Split(opts, ","), "optional")
		if def, ok := sf.Tag.Lookup("default"); ok {
			if !fieldOptional {
				return nil, fmt.Errorf("args field %s has a default but is not optional", sf.Name)
			}
			v, err := parseDefault(sf.Type, def)
			if err != nil {
				return nil, fmt.Errorf("args field %s: %w", sf.Name, err)
			}
			f.def = v
		}
		switch {
		case fieldOptional:
			optional = true
		case optional:
			return nil, fmt.Errorf("args field %s is required but follows an optional one", sf.Name)
		default:
			spec.required++
		}
		spec.fields = append(spec.fields, f)
	}
	return spec, nil
}

// paramType is the XML-RPC type a param of Go type t is sent as.
func paramType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return "dateTime.iso8601"
	}
	return xmlrpcType(t)
}

func parseDefault(t reflect.Type, s string) (reflect.Value, error) {
	v := reflect.New(t).Elem()
	var err error
	switch t.Kind() {
	case reflect.Bool:
		var b bool
		b, err = strconv.ParseBool(s)
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		n, err = strconv.ParseInt(s, 10, t.Bits())
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var n uint64
		n, err = strconv.ParseUint(s, 10, t.Bits())
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		var f float64
		f, err = strconv.ParseFloat(s, t.Bits())
		v.SetFloat(f)
	case reflect.String:
		v.SetString(s)
	default:
		return reflect.Value{}, fmt.Errorf("default for a %s is not supported", t)
	}
	if err != nil {
		return reflect.Value{}, fmt.Errorf("bad default %q: %w", s, err)
	}
	return v, nil
}

// build fills a new args struct from params, or returns INCORRECT_PARAMETERS
// (bare for a wrong count, as Supervisor's TypeError gives, with the reason
// for a wrong type) before any method runs.
func (a *argsSpec) build(params []value) (reflect.Value, error) {
	if len(params) < a.required || len(params) > len(a.fields) {
		return reflect.Value{}, fault.New(fault.IncorrectParameters, "")
	}
	p := reflect.New(a.typ)
	s := p.Elem()
	for i := range params {
		f := &a.fields[i]
		if err := assign(s.Field(f.index), &params[i]); err != nil {
			return reflect.Value{}, fault.Newf(fault.IncorrectParameters, "param %d (%s): %v", i+1, f.name, err)
		}
	}
	for _, f := range a.fields[len(params):] {
		if f.def.IsValid() {
			s.Field(f.index).Set(f.def)
		}
	}
	return p, nil
}

// checkType refuses Go types that cannot travel as XML-RPC: channels,
// functions, complex numbers, maps without string keys, and (when decoding)
// interfaces with methods.
func checkType(t reflect.Type, decoding bool, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return fmt.Errorf("%s cannot travel as XML-RPC", t)
	case reflect.Interface:
		if decoding && t.NumMethod() != 0 {
			return fmt.Errorf("cannot decode into %s", t)
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return checkType(t.Elem(), decoding, seen)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("%s: struct member names must be strings", t)
		}
		return checkType(t.Elem(), decoding, seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if _, ok := memberName(t.Field(i)); ok {
				if err := checkType(t.Field(i).Type, decoding, seen); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
