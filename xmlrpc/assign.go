package xmlrpc

import (
	"fmt"
	"reflect"
	"sync"
)

// assign stores v in dst, which must be settable. The conversions are the
// ones a Supervisor method could rely on, and no others:
//   - int, i4, i8 → any integer kind, range-checked; → float kinds;
//   - boolean → bool only; double → float kinds;
//   - string (or an untyped value) → string; string or base64 → []byte;
//   - dateTime.iso8601, or int Unix seconds → time.Time;
//   - array → slice, or array of the same length;
//   - struct → map with string keys, or struct (members by `xmlrpc:"name"`
//     tag or field name; unknown members are ignored, missing ones zero);
//   - anything → an empty interface, as string, int, bool, float64,
//     time.Time, []byte, []any, map[string]any, or nil for <nil/>;
//   - nil → pointer or interface only; pointers are allocated as needed.
func assign(dst reflect.Value, v *value) error {
	t := dst.Type()
	switch t {
	case rawValueType:
		dst.Set(reflect.ValueOf(*v))
		return nil
	case timeType:
		switch v.kind {
		case kindDateTime, kindInt:
			dst.Set(reflect.ValueOf(v.time()))
			return nil
		}
		return fmt.Errorf("want dateTime.iso8601, got %s", v.kind)
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("cannot decode into %s", t)
		}
		if n := natural(v); n != nil {
			dst.Set(reflect.ValueOf(n))
		} else {
			dst.SetZero()
		}
		return nil
	case reflect.Pointer:
		if v.kind == kindNil {
			dst.SetZero()
			return nil
		}
		if dst.IsNil() {
			dst.Set(reflect.New(t.Elem()))
		}
		return assign(dst.Elem(), v)
	case reflect.Bool:
		if v.kind != kindBool {
			return mismatch(t, v)
		}
		dst.SetBool(v.num != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.kind != kindInt {
			return mismatch(t, v)
		}
		if dst.OverflowInt(v.num) {
			return fmt.Errorf("%d out of range for %s", v.num, t)
		}
		dst.SetInt(v.num)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v.kind != kindInt {
			return mismatch(t, v)
		}
		if v.num < 0 || dst.OverflowUint(uint64(v.num)) {
			return fmt.Errorf("%d out of range for %s", v.num, t)
		}
		dst.SetUint(uint64(v.num))
	case reflect.Float32, reflect.Float64:
		switch v.kind {
		case kindDouble:
			dst.SetFloat(v.double())
		case kindInt:
			dst.SetFloat(float64(v.num))
		default:
			return mismatch(t, v)
		}
	case reflect.String:
		if v.kind != kindString {
			return mismatch(t, v)
		}
		dst.SetString(v.str)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && (v.kind == kindBase64 || v.kind == kindString) {
			dst.SetBytes([]byte(v.str))
			return nil
		}
		if v.kind != kindArray {
			return mismatch(t, v)
		}
		s := reflect.MakeSlice(t, len(v.elems), len(v.elems))
		for i := range v.elems {
			if err := assign(s.Index(i), &v.elems[i]); err != nil {
				return fmt.Errorf("element %d: %w", i+1, err)
			}
		}
		dst.Set(s)
	case reflect.Array:
		if v.kind != kindArray || len(v.elems) != t.Len() {
			return mismatch(t, v)
		}
		for i := range v.elems {
			if err := assign(dst.Index(i), &v.elems[i]); err != nil {
				return fmt.Errorf("element %d: %w", i+1, err)
			}
		}
	case reflect.Map:
		if v.kind != kindStruct || t.Key().Kind() != reflect.String {
			return mismatch(t, v)
		}
		m := reflect.MakeMapWithSize(t, len(v.elems))
		for i := range v.elems {
			elem := reflect.New(t.Elem()).Elem()
			if err := assign(elem, &v.elems[i]); err != nil {
				return fmt.Errorf("member %q: %w", v.elems[i].name, err)
			}
			m.SetMapIndex(reflect.ValueOf(v.elems[i].name).Convert(t.Key()), elem)
		}
		dst.Set(m)
	case reflect.Struct:
		if v.kind != kindStruct {
			return mismatch(t, v)
		}
		fields := decodedFields(t)
		for i := range v.elems {
			if index, ok := fields[v.elems[i].name]; ok {
				if err := assign(dst.Field(index), &v.elems[i]); err != nil {
					return fmt.Errorf("member %q: %w", v.elems[i].name, err)
				}
			}
		}
	default:
		return fmt.Errorf("cannot decode into %s", t)
	}
	return nil
}

// natural is v as the Go value an empty interface receives.
func natural(v *value) any {
	switch v.kind {
	case kindString:
		return v.str
	case kindInt:
		return int(v.num)
	case kindBool:
		return v.num != 0
	case kindDouble:
		return v.double()
	case kindDateTime:
		return v.time()
	case kindBase64:
		return []byte(v.str)
	case kindArray:
		a := make([]any, len(v.elems))
		for i := range v.elems {
			a[i] = natural(&v.elems[i])
		}
		return a
	case kindStruct:
		m := make(map[string]any, len(v.elems))
		for i := range v.elems {
			m[v.elems[i].name] = natural(&v.elems[i])
		}
		return m
	}
	return nil
}

func mismatch(t reflect.Type, v *value) error {
	return fmt.Errorf("want %s, got %s", xmlrpcType(t), v.kind)
}

var decodedFieldCache sync.Map // reflect.Type → map[string]int

// decodedFields maps the member names of struct type t to field indexes.
func decodedFields(t reflect.Type) map[string]int {
	if fs, ok := decodedFieldCache.Load(t); ok {
		return fs.(map[string]int)
	}
	fs := make(map[string]int)
	for i := range t.NumField() {
		if name, ok := memberName(t.Field(i)); ok {
			fs[name] = i
		}
	}
	decodedFieldCache.Store(t, fs)
	return fs
}

// xmlrpcType is the XML-RPC type a value of Go type t travels as, for
// system.methodSignature and error messages; "" when t is an interface and
// any type may travel.
func xmlrpcType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case timeType:
		return "int"
	case faultType.Elem():
		return "struct"
	case encodedType:
		return "" // any type: the help's @return says which
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "double"
	case reflect.String:
		return "string"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "base64"
		}
		return "array"
	case reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "struct"
	}
	return ""
}
