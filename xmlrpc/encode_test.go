package xmlrpc

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
)

var faultNoSuch = fault.Fault{Code: fault.BadName, String: "BAD_NAME: no<such>&"}

func encodeValue(t *testing.T, v any) string {
	t.Helper()
	b, err := appendValue(nil, reflect.ValueOf(v), 0)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEncodeValues(t *testing.T) {
	type tagged struct {
		Name    string `xmlrpc:"name"`
		Skipped int    `xmlrpc:"-"`
		hidden  int
		Plain   bool
	}
	var nilInt *int
	var nilSlice []string
	var nilMap map[string]int
	var nilStruct *tagged
	var nilAny any
	var nilFault *fault.Fault
	n := 5
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"true", true, "<boolean>1</boolean>"},
		{"false", false, "<boolean>0</boolean>"},
		{"int", 42, "<int>42</int>"},
		{"int8", int8(-8), "<int>-8</int>"},
		{"int64 clamped up", int64(1) << 40, "<int>2147483647</int>"},
		{"int64 clamped down", int64(-1) << 40, "<int>-2147483648</int>"},
		{"int32 max", int32(math.MaxInt32), "<int>2147483647</int>"},
		{"uint64 clamped", uint64(math.MaxUint64), "<int>2147483647</int>"},
		{"uint8", uint8(200), "<int>200</int>"},
		{"float", 2.5, "<double>2.5</double>"},
		{"float32", float32(0.1), "<double>0.1</double>"},
		{"string", "a & b <c> 'd' \"e\"", "<string>a &amp; b &lt;c&gt; 'd' \"e\"</string>"},
		{"unicode", "é€😀", "<string>é€😀</string>"},
		{"controls replaced", "\x1b[0m\x00\x07\x7f\t\n", "<string>\uFFFD[0m\uFFFD\uFFFD\x7f\t\n</string>"},
		{"CR kept as a reference", "a\r\nb", "<string>a&#13;\nb</string>"},
		{"invalid utf-8", "a\xffb\xc3", "<string>a\uFFFDb\uFFFD</string>"},
		{"U+FFFE", "a\uFFFEb", "<string>a\uFFFDb</string>"},
		{"bytes", []byte("hello"), "<base64>aGVsbG8=</base64>"},
		{"empty bytes", []byte{}, "<base64></base64>"},
		{"slice", []int{1, 2}, "<array><data><value><int>1</int></value><value><int>2</int></value></data></array>"},
		{"nil slice", nilSlice, "<array><data></data></array>"},
		{"array", [2]string{"a", "b"}, "<array><data><value><string>a</string></value><value><string>b</string></value></data></array>"},
		{"any slice", []any{"x", 1, true}, "<array><data><value><string>x</string></value><value><int>1</int></value><value><boolean>1</boolean></value></data></array>"},
		{"map sorted", map[string]int{"b": 2, "a": 1}, "<struct><member><name>a</name><value><int>1</int></value></member><member><name>b</name><value><int>2</int></value></member></struct>"},
		{"nil map", nilMap, "<struct></struct>"},
		{"struct by tags", tagged{Name: "n", Skipped: 1, hidden: 2, Plain: true},
			"<struct><member><name>name</name><value><string>n</string></value></member><member><name>Plain</name><value><boolean>1</boolean></value></member></struct>"},
		{"time", time.Unix(1700000000, 0), "<int>1700000000</int>"},
		{"zero time", time.Time{}, "<int>0</int>"},
		{"far time clamped", time.Unix(1<<40, 0), "<int>2147483647</int>"},
		{"pointer", &n, "<int>5</int>"},
		{"nil int pointer", nilInt, "<int>0</int>"},
		{"nil struct pointer", nilStruct, "<struct></struct>"},
		{"nil interface", nilAny, "<string></string>"},
		{"fault", &faultNoSuch, "<struct><member><name>faultCode</name><value><int>10</int></value></member><member><name>faultString</name><value><string>BAD_NAME: no&lt;such&gt;&amp;</string></value></member></struct>"},
		{"nil fault", nilFault, "<struct></struct>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := encodeValue(t, c.v); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	type node struct{ Next any }
	loop := &node{}
	loop.Next = loop
	for name, v := range map[string]any{
		"channel":        make(chan int),
		"func":           func() {},
		"complex":        complex(1, 2),
		"int-keyed map":  map[int]string{1: "a"},
		"cycle":          loop,
		"channel inside": []any{make(chan int)},
	} {
		if b, err := appendValue(nil, reflect.ValueOf(v), 0); err == nil {
			t.Errorf("%s: encoded %s", name, b)
		}
	}
}

func TestEncodeEnvelopes(t *testing.T) {
	b, err := appendResponse(nil, "ok")
	if err != nil {
		t.Fatal(err)
	}
	want := "<?xml version=\"1.0\"?>\n<methodResponse><params><param><value><string>ok</string></value></param></params></methodResponse>\n"
	if string(b) != want {
		t.Errorf("response: got %q", b)
	}
	got := string(appendFault(nil, fault.New(fault.BadName, "foo")))
	want = "<?xml version=\"1.0\"?>\n<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>10</int></value></member>" +
		"<member><name>faultString</name><value><string>BAD_NAME: foo</string></value></member></struct></value></fault></methodResponse>\n"
	if got != want {
		t.Errorf("fault: got %q", got)
	}
	b, err = appendCall(nil, "a.b", []any{"x", 1})
	if err != nil {
		t.Fatal(err)
	}
	req, err := decodeRequest(strings.NewReader(string(b)), requestLimits)
	if err != nil || req.method != "a.b" || !reflect.DeepEqual(req.params, []value{str("x"), num(1)}) {
		t.Errorf("call: got %+v %v", req, err)
	}
	if _, err := appendCall(nil, "a.b", []any{make(chan int)}); err == nil {
		t.Error("encoded a channel param")
	}
	if _, err := appendResponse(nil, func() {}); err == nil {
		t.Error("encoded a func reply")
	}
}

// TestEncodedReply: a value encoded ahead (Encode) is written as is, as
// the value itself would be, not as base64 like other bytes.
func TestEncodedReply(t *testing.T) {
	v := []struct {
		Name  string `xmlrpc:"name"`
		Flags []bool `xmlrpc:"flags"`
	}{{"a&b", []bool{true}}, {"c", nil}}
	enc, err := Encode(v, 0)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := appendResponse(nil, &v)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := appendResponse(nil, &enc)
	if err != nil || string(kept) != string(direct) {
		t.Errorf("kept reply %q (%v), want %q", kept, err, direct)
	}
	if got := xmlrpcType(reflect.TypeFor[*Encoded]()); got != "" {
		t.Errorf("signature type of an encoded reply: %q, want none (the help's @return)", got)
	}
}

// TestRoundTrip encodes Go values, decodes the XML and assigns the values
// back into the same Go types.
func TestRoundTrip(t *testing.T) {
	when := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	cases := []any{
		"text with <markup> & \t tabs\nand lines",
		int64(-123456), int32(7), uint16(9), true, false, 3.25, []byte{0, 1, 2, 255},
		[]string{"a", "b"}, []int{}, map[string]int{"x": 1},
		map[string]any{"s": "x", "i": 1, "b": true, "f": 0.5, "l": []any{"y", 2}, "m": map[string]any{}},
		testxmlrpc.Inner{Name: "n", Count: 3}, []testxmlrpc.Inner{{Name: "a"}, {Name: "b", Count: 1}}, when,
		[]any{"x", []any{}, map[string]any{"k": []byte("v")}},
	}
	for _, want := range cases {
		b, err := appendCall(nil, "a.b", []any{want})
		if err != nil {
			t.Fatalf("%#v: %v", want, err)
		}
		req, err := decodeRequest(strings.NewReader(string(b)), requestLimits)
		if err != nil {
			t.Fatalf("%#v: %v\n%s", want, err, b)
		}
		got := reflect.New(reflect.TypeOf(want))
		if err := assign(got.Elem(), &req.params[0]); err != nil {
			t.Fatalf("%#v: %v", want, err)
		}
		if !reflect.DeepEqual(got.Elem().Interface(), want) {
			t.Errorf("got %#v, want %#v", got.Elem().Interface(), want)
		}
	}
}
