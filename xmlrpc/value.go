package xmlrpc

import (
	"math"
	"time"
)

// kind is the XML-RPC type of a decoded value.
type kind uint8

const (
	kindString   kind = iota // <string> and an untyped <value>
	kindInt                  // <int>, <i4>, <i8>
	kindBool                 // <boolean>
	kindDouble               // <double>
	kindDateTime             // <dateTime.iso8601>
	kindBase64               // <base64>
	kindArray                // <array>
	kindStruct               // <struct>
	kindNil                  // <nil/>, accepted on input only
)

// String is the XML-RPC type name, as system.methodSignature spells it.
func (k kind) String() string {
	switch k {
	case kindString:
		return "string"
	case kindInt:
		return "int"
	case kindBool:
		return "boolean"
	case kindDouble:
		return "double"
	case kindDateTime:
		return "dateTime.iso8601"
	case kindBase64:
		return "base64"
	case kindArray:
		return "array"
	case kindStruct:
		return "struct"
	default:
		return "nil"
	}
}

// value is one decoded XML-RPC value. It is kept small because a request is
// a tree of them: scalars share str and num, and struct members are elems
// carrying a name.
type value struct {
	kind  kind
	name  string  // member name, for the elems of a struct
	str   string  // string text, or the decoded bytes of base64
	num   int64   // int; 0/1 for boolean; float64 bits for double; Unix seconds (UTC) for dateTime
	elems []value // array elements, or struct members in document order
}

func (v *value) double() float64 { return math.Float64frombits(uint64(v.num)) }

func (v *value) time() time.Time { return time.Unix(v.num, 0).UTC() }

// member returns the last member named name of a struct value, as a Python
// dict built from the members would keep it, or nil.
func (v *value) member(name string) *value {
	for i := len(v.elems) - 1; i >= 0; i-- {
		if v.elems[i].name == name {
			return &v.elems[i]
		}
	}
	return nil
}
