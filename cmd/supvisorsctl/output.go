package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// table prints rows under a header, each column as wide as its widest
// cell plus two spaces (the last one unpadded), as Supvisors' supvisorsctl
// lays out its tables. Nothing is printed without rows.
func (c *ctl) table(header []string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	for _, l := range formatTable(header, rows) {
		c.line(l)
	}
}

func formatTable(header []string, rows [][]string) []string {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, cell := range r {
			if n := utf8.RuneCountInString(cell); i < len(widths) && n > widths[i] {
				widths[i] = n
			}
		}
	}
	out := make([]string, 0, len(rows)+1)
	for _, r := range append([][]string{header}, rows...) {
		var b strings.Builder
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]+2-utf8.RuneCountInString(cell)))
			}
		}
		out = append(out, strings.TrimRight(b.String(), " "))
	}
	return out
}

// pyBool spells a boolean as Python prints it, as Supvisors' supvisorsctl
// shows them.
func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// clock shows an epoch time as the local time of day, "-" for never.
func clock(sec int64) string {
	if sec == 0 {
		return "-"
	}
	return time.Unix(sec, 0).Format("15:04:05")
}

// printJSON writes v as one indented JSON document, structs keyed by the
// names of their XML-RPC members.
func (c *ctl) printJSON(v any) {
	data, err := json.MarshalIndent(wire(v), "", "  ")
	if err != nil {
		fmt.Fprintf(c.stderr, "error: JSON: %v\n", err)
		c.exit = exitGeneric
		return
	}
	fmt.Fprintf(c.stdout, "%s\n", data)
}

// object is a JSON object that keeps the order of its members.
type object []member

type member struct {
	key   string
	value any
}

// MarshalJSON implements json.Marshaler.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(wire(m.value))
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// wire converts a reply for encoding/json: a struct becomes an object of
// its `xmlrpc`-tagged fields in their order, named enums become their
// integer codes, nil slices empty arrays.
func wire(v any) any {
	if v == nil {
		return nil
	}
	if o, ok := v.(object); ok {
		return o
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return wire(rv.Elem().Interface())
	case reflect.Struct:
		t := rv.Type()
		o := object{}
		for i := range t.NumField() {
			f := t.Field(i)
			name := f.Tag.Get("xmlrpc")
			if name == "" || !f.IsExported() {
				continue
			}
			o = append(o, member{name, wire(rv.Field(i).Interface())})
		}
		return o
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return v
		}
		list := make([]any, rv.Len())
		for i := range list {
			list[i] = wire(rv.Index(i).Interface())
		}
		return list
	case reflect.Map:
		m := make(map[string]any, rv.Len())
		for _, k := range rv.MapKeys() {
			m[fmt.Sprint(k.Interface())] = wire(rv.MapIndex(k).Interface())
		}
		return m
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint()
	case reflect.Bool:
		return rv.Bool()
	case reflect.String:
		return rv.String()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	return v
}

// showTable is a listing command's output: with --json the document doc,
// else a table of n rows (row(i) for each) under header.
func (c *ctl) showTable(doc any, n int, header []string, row func(i int) []string) error {
	if c.opts.json {
		c.setDoc(doc)
		return nil
	}
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = row(i)
	}
	c.table(header, rows)
	return nil
}
