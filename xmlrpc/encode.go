package xmlrpc

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/supvisors/supvisors-go/fault"
)

const xmlHeader = "<?xml version=\"1.0\"?>\n"

// maxEncodeDepth stops a reply that refers to itself (a pointer cycle) from
// recursing forever.
const maxEncodeDepth = 100

// appendResponse appends a <methodResponse> whose one param is reply.
func appendResponse(b []byte, reply any) ([]byte, error) {
	b = append(b, xmlHeader+"<methodResponse><params><param><value>"...)
	b, err := appendValue(b, reflect.ValueOf(reply), 0)
	if err != nil {
		return nil, err
	}
	return append(b, "</value></param></params></methodResponse>\n"...), nil
}

// appendFault appends a <methodResponse> carrying f.
func appendFault(b []byte, f *fault.Fault) []byte {
	b = append(b, xmlHeader+"<methodResponse><fault><value>"...)
	b = appendFaultStruct(b, f)
	return append(b, "</value></fault></methodResponse>\n"...)
}

// appendCall appends a <methodCall> of method with params.
func appendCall(b []byte, method string, params []any) ([]byte, error) {
	b = append(b, xmlHeader+"<methodCall><methodName>"...)
	b = appendEscaped(b, method)
	b = append(b, "</methodName><params>"...)
	for i, p := range params {
		b = append(b, "<param><value>"...)
		var err error
		if b, err = appendValue(b, reflect.ValueOf(p), 0); err != nil {
			return nil, fmt.Errorf("param %d: %w", i+1, err)
		}
		b = append(b, "</value></param>"...)
	}
	return append(b, "</params></methodCall>\n"...), nil
}

// appendFaultStruct appends f as the {faultCode, faultString} struct that
// both a fault response and a failed multicall entry carry.
func appendFaultStruct(b []byte, f *fault.Fault) []byte {
	b = append(b, "<struct><member><name>faultCode</name><value><int>"...)
	b = strconv.AppendInt(b, cappedInt(int64(f.Code)), 10)
	b = append(b, "</int></value></member><member><name>faultString</name><value><string>"...)
	b = appendEscaped(b, f.String)
	return append(b, "</string></value></member></struct>"...)
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	faultType   = reflect.TypeFor[*fault.Fault]()
	encodedType = reflect.TypeFor[Encoded]()
)

// Encoded is a value already encoded (Encode): the reply of a method
// that keeps it while what it describes does not change, written as is.
// Safe for concurrent use once made: nothing writes to it.
type Encoded []byte

// Encode encodes v as a reply would carry it, for a method to keep and
// return as its reply; sizeHint is the size expected (the last one's).
func Encode(v any, sizeHint int) (Encoded, error) {
	b, err := appendValue(make([]byte, 0, sizeHint+sizeHint/8), reflect.ValueOf(v), 0)
	return Encoded(b), err
}

// appendValue appends the content of a <value> for v:
//   - bool → boolean; integers → int clamped to 32 bits (capped_int);
//     floats → double; string → string with characters outside XML 1.0
//     replaced by U+FFFD; []byte → base64;
//   - slices and arrays → array (nil → empty); maps with string keys →
//     struct sorted by key; structs → struct of the exported fields, in
//     order, named by their `xmlrpc:"name"` tag or else the field name;
//   - time.Time → int Unix seconds (the zero time → 0); *fault.Fault → its
//     {faultCode, faultString} struct; Encoded → itself;
//   - pointers are followed, and a nil pointer is the empty value of its
//     element type (0, false, "", empty array or struct); a nil interface is
//     the empty string. XML-RPC has no null and <nil/> is never sent.
func appendValue(b []byte, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxEncodeDepth {
		return nil, fmt.Errorf("xmlrpc: reply nested more than %d deep", maxEncodeDepth)
	}
	if !v.IsValid() {
		return append(b, "<string></string>"...), nil
	}
	switch v.Type() {
	case timeType:
		return appendTime(b, v.Interface().(time.Time)), nil
	case faultType:
		if v.IsNil() {
			return append(b, "<struct></struct>"...), nil
		}
		return appendFaultStruct(b, v.Interface().(*fault.Fault)), nil
	case encodedType:
		return append(b, v.Bytes()...), nil
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return append(b, "<boolean>1</boolean>"...), nil
		}
		return append(b, "<boolean>0</boolean>"...), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendInt(b, cappedInt(v.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendInt(b, int64(min(v.Uint(), math.MaxInt32))), nil
	case reflect.Float32, reflect.Float64:
		b = append(b, "<double>"...)
		b = strconv.AppendFloat(b, v.Float(), 'g', -1, v.Type().Bits())
		return append(b, "</double>"...), nil
	case reflect.String:
		b = append(b, "<string>"...)
		b = appendEscaped(b, v.String())
		return append(b, "</string>"...), nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b = append(b, "<base64>"...)
			b = base64.StdEncoding.AppendEncode(b, v.Bytes())
			return append(b, "</base64>"...), nil
		}
		return appendArray(b, v, depth)
	case reflect.Array:
		return appendArray(b, v, depth)
	case reflect.Map:
		return appendMap(b, v, depth)
	case reflect.Struct:
		return appendStruct(b, v, depth)
	case reflect.Pointer:
		if v.IsNil() {
			return appendEmpty(b, v.Type().Elem()), nil
		}
		return appendValue(b, v.Elem(), depth+1)
	case reflect.Interface:
		return appendValue(b, v.Elem(), depth+1)
	}
	return nil, fmt.Errorf("xmlrpc: cannot encode a %s", v.Type())
}

func appendInt(b []byte, n int64) []byte {
	b = append(b, "<int>"...)
	b = strconv.AppendInt(b, n, 10)
	return append(b, "</int>"...)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return appendInt(b, 0)
	}
	return appendInt(b, cappedInt(t.Unix()))
}

// cappedInt is Supervisor's capped_int: XML-RPC ints are 32-bit.
func cappedInt(n int64) int64 {
	return max(math.MinInt32, min(n, math.MaxInt32))
}

// appendEmpty appends the empty value of type t, for a nil pointer.
func appendEmpty(b []byte, t reflect.Type) []byte {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return appendInt(b, 0)
	}
	switch t.Kind() {
	case reflect.Bool:
		return append(b, "<boolean>0</boolean>"...)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendInt(b, 0)
	case reflect.Float32, reflect.Float64:
		return append(b, "<double>0</double>"...)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return append(b, "<base64></base64>"...)
		}
		return append(b, "<array><data></data></array>"...)
	case reflect.Array:
		return append(b, "<array><data></data></array>"...)
	case reflect.Map, reflect.Struct:
		return append(b, "<struct></struct>"...)
	}
	return append(b, "<string></string>"...)
}

func appendArray(b []byte, v reflect.Value, depth int) ([]byte, error) {
	b = append(b, "<array><data>"...)
	for i := range v.Len() {
		b = append(b, "<value>"...)
		var err error
		if b, err = appendValue(b, v.Index(i), depth+1); err != nil {
			return nil, err
		}
		b = append(b, "</value>"...)
	}
	return append(b, "</data></array>"...), nil
}

func appendMap(b []byte, v reflect.Value, depth int) ([]byte, error) {
	if v.Type().Key().Kind() != reflect.String {
		return nil, fmt.Errorf("xmlrpc: cannot encode a %s: struct member names must be strings", v.Type())
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
	b = append(b, "<struct>"...)
	for _, k := range keys {
		b = append(b, "<member><name>"...)
		b = appendEscaped(b, k.String())
		b = append(b, "</name><value>"...)
		var err error
		if b, err = appendValue(b, v.MapIndex(k), depth+1); err != nil {
			return nil, err
		}
		b = append(b, "</value></member>"...)
	}
	return append(b, "</struct>"...), nil
}

func appendStruct(b []byte, v reflect.Value, depth int) ([]byte, error) {
	b = append(b, "<struct>"...)
	for _, f := range encodedFields(v.Type()) {
		b = append(b, f.open...)
		var err error
		if b, err = appendValue(b, v.Field(f.index), depth+1); err != nil {
			return nil, err
		}
		b = append(b, "</value></member>"...)
	}
	return append(b, "</struct>"...), nil
}

// encodedField is a struct field as a member: its index and the member's
// opening markup up to its <value>.
type encodedField struct {
	index int
	open  string
}

var encodedFieldCache sync.Map // reflect.Type → []encodedField

func encodedFields(t reflect.Type) []encodedField {
	if fs, ok := encodedFieldCache.Load(t); ok {
		return fs.([]encodedField)
	}
	var fs []encodedField
	for i := range t.NumField() {
		name, ok := memberName(t.Field(i))
		if !ok {
			continue
		}
		open := "<member><name>" + string(appendEscaped(nil, name)) + "</name><value>"
		fs = append(fs, encodedField{index: i, open: open})
	}
	encodedFieldCache.Store(t, fs)
	return fs
}

// memberName is the struct member name of field f: its `xmlrpc:"name"` tag,
// else its Go name; ok is false for unexported fields and `xmlrpc:"-"`.
func memberName(f reflect.StructField) (name string, ok bool) {
	if !f.IsExported() {
		return "", false
	}
	tag, _, _ := strings.Cut(f.Tag.Get("xmlrpc"), ",")
	switch tag {
	case "-":
		return "", false
	case "":
		return f.Name, true
	}
	return tag, true
}

// appendEscaped appends s as XML character data. Characters XML 1.0 cannot
// carry (NUL, ESC and other controls, U+FFFE, U+FFFF, invalid UTF-8), which
// would make Python's expat reject the whole reply, become U+FFFD. CR is
// written as a reference so that it survives the parser's newline
// normalisation.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '&' && c != '<' && c != '>' || c == '\t' || c == '\n' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '&':
				b = append(b, "&amp;"...)
			case '<':
				b = append(b, "&lt;"...)
			case '>':
				b = append(b, "&gt;"...)
			case '\r':
				b = append(b, "&#13;"...)
			default:
				b = append(b, "\uFFFD"...)
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
