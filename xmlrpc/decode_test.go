package xmlrpc

import (
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"golang.org/x/text/encoding/unicode"

	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
)

func str(s string) value { return value{kind: kindString, str: s} }
func num(n int64) value  { return value{kind: kindInt, num: n} }
func boolean(b bool) value {
	if b {
		return value{kind: kindBool, num: 1}
	}
	return value{kind: kindBool}
}
func dbl(f float64) value           { return value{kind: kindDouble, num: int64(math.Float64bits(f))} }
func arr(elems ...value) value      { return value{kind: kindArray, elems: elems} }
func named(n string, v value) value { v.name = n; return v }
func strct(members ...value) value  { return value{kind: kindStruct, elems: members} }

func decodeOne(t *testing.T, valueXML string) (value, error) {
	t.Helper()
	req, err := decodeRequest(strings.NewReader(testxmlrpc.CallXML("a.b", valueXML)), requestLimits)
	if err != nil {
		return value{}, err
	}
	if len(req.params) != 1 {
		t.Fatalf("decoded %d params, want 1", len(req.params))
	}
	return req.params[0], nil
}

func TestDecodeValues(t *testing.T) {
	when := time.Date(1998, 7, 17, 14, 8, 55, 0, time.UTC).Unix()
	cases := []struct {
		name string
		xml  string
		want value
	}{
		{"int", "<int>42</int>", num(42)},
		{"i4 negative", "<i4>-1600</i4>", num(-1600)},
		{"i8 beyond 32 bits", "<i8>9007199254740993</i8>", num(9007199254740993)},
		{"int with spaces", "<int> 7 </int>", num(7)},
		{"boolean true", "<boolean>1</boolean>", boolean(true)},
		{"boolean false", "<boolean>0</boolean>", boolean(false)},
		{"string", "<string>a &amp; b &lt;c&gt;</string>", str("a & b <c>")},
		{"string keeps spaces", "<string>  x\n </string>", str("  x\n ")},
		{"empty string", "<string></string>", str("")},
		{"self-closed string", "<string/>", str("")},
		{"untyped", "plain text", str("plain text")},
		{"untyped empty", "", str("")},
		{"string with CDATA and comment", "<string>a<![CDATA[<b>]]><!-- c -->d</string>", str("a<b>d")},
		{"char refs", "<string>&#233;&#x41;&#13;</string>", str("éA\r")},
		{"double", "<double>-2.5</double>", dbl(-2.5)},
		{"double exponent", "<double>1e+20</double>", dbl(1e20)},
		{"dateTime compact", "<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>", value{kind: kindDateTime, num: when}},
		{"dateTime extended", "<dateTime.iso8601>1998-07-17T14:08:55</dateTime.iso8601>", value{kind: kindDateTime, num: when}},
		{"base64", "<base64>aGVsbG8=</base64>", value{kind: kindBase64, str: "hello"}},
		{"base64 with newlines", "<base64>aGVs\nbG8=\n</base64>", value{kind: kindBase64, str: "hello"}},
		{"nil", "<nil/>", value{kind: kindNil}},
		{"array", "<array><data><value><int>1</int></value><value>x</value></data></array>", arr(num(1), str("x"))},
		{"array with whitespace", "<array>\n <data>\n  <value><int>1</int></value>\n </data>\n</array>", arr(num(1))},
		{"empty array", "<array><data></data></array>", arr()},
		{"bare array", "<array/>", arr()},
		{"struct", "<struct><member><name>a</name><value><boolean>1</boolean></value></member>" +
			"<member><value>v</value><name>b</name></member></struct>", strct(named("a", boolean(true)), named("b", str("v")))},
		{"empty struct", "<struct></struct>", strct()},
		{"nested", "<struct><member><name>l</name><value><array><data><value><struct></struct></value></data></array></value></member></struct>",
			strct(named("l", arr(strct())))},
		{"typed value with surrounding whitespace", "\n  <int>3</int>\n", num(3)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeOne(t, c.xml)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestDecodeRequestShapes(t *testing.T) {
	cases := []struct {
		name   string
		xml    string
		method string
		params int
	}{
		{"python, no params", "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getVersion</methodName>\n<params>\n</params>\n</methodCall>\n", "supervisor.getVersion", 0},
		{"no params element", "<methodCall><methodName>a.b</methodName></methodCall>", "a.b", 0},
		{"params first", "<methodCall><params><param><value>x</value></param></params><methodName>a.b</methodName></methodCall>", "a.b", 1},
		{"comments and PIs around", "<!-- c --><methodCall><methodName>a.b</methodName></methodCall><?pi x?>\n<!-- d -->", "a.b", 0},
		{"utf-8 declared", "<?xml version='1.0' encoding='UTF-8'?><methodCall><methodName>a.b</methodName></methodCall>", "a.b", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := decodeRequest(strings.NewReader(c.xml), requestLimits)
			if err != nil {
				t.Fatal(err)
			}
			if req.method != c.method || len(req.params) != c.params {
				t.Errorf("got %q with %d params, want %q with %d", req.method, len(req.params), c.method, c.params)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	small := limits{maxDepth: 3, maxElements: 30, maxText: 10}
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` +
		`<methodCall><methodName>a.b</methodName><params><param><value>&lol2;</value></param></params></methodCall>`
	cases := []struct {
		name string
		xml  string
		lim  limits
	}{
		{"not xml", "hello", requestLimits},
		{"empty", "", requestLimits},
		{"truncated", "<methodCall><methodName>a.b</methodName><params>", requestLimits},
		{"no method name", "<methodCall><params></params></methodCall>", requestLimits},
		{"empty method name", "<methodCall><methodName></methodName></methodCall>", requestLimits},
		{"wrong root", "<methodResponse><methodName>a.b</methodName></methodResponse>", requestLimits},
		{"mismatched end", "<methodCall><methodName>a.b</methodCall></methodName>", requestLimits},
		{"junk after root", "<methodCall><methodName>a.b</methodName></methodCall><x/>", requestLimits},
		{"text after root", "<methodCall><methodName>a.b</methodName></methodCall>junk", requestLimits},
		{"text between elements", "<methodCall>junk<methodName>a.b</methodName></methodCall>", requestLimits},
		{"billion laughs", laughs, requestLimits},
		{"undefined entity", testxmlrpc.CallXML("a.b", "<string>&lol;</string>"), requestLimits},
		{"unknown encoding", "<?xml version='1.0' encoding='x-no-such'?><methodCall><methodName>a.b</methodName></methodCall>", requestLimits},
		{"UTF-16 declared, 8-bit sent", "<?xml version='1.0' encoding='UTF-16'?><methodCall><methodName>a.b</methodName></methodCall>", requestLimits},
		{"UTF-16 sent, latin-1 declared", testxmlrpc.EncodeUTF16(unicode.LittleEndian, "<?xml version='1.0' encoding='latin1'?><methodCall><methodName>a.b</methodName></methodCall>"), requestLimits},
		{"latin-1 name", "<?xml version='1.0' encoding='latin1'?><methodCall><methodName>a.b</methodName><caf\xe9/></methodCall>", requestLimits},
		{"control char ref", testxmlrpc.CallXML("a.b", "<string>&#27;</string>"), requestLimits},
		{"bad int", testxmlrpc.CallXML("a.b", "<int>12x</int>"), requestLimits},
		{"int beyond 64 bits", testxmlrpc.CallXML("a.b", "<int>99999999999999999999</int>"), requestLimits},
		{"boolean true", testxmlrpc.CallXML("a.b", "<boolean>true</boolean>"), requestLimits},
		{"boolean 2", testxmlrpc.CallXML("a.b", "<boolean>2</boolean>"), requestLimits},
		{"boolean spaced", testxmlrpc.CallXML("a.b", "<boolean> 1</boolean>"), requestLimits},
		{"bad double", testxmlrpc.CallXML("a.b", "<double>1.2.3</double>"), requestLimits},
		{"bad dateTime", testxmlrpc.CallXML("a.b", "<dateTime.iso8601>yesterday</dateTime.iso8601>"), requestLimits},
		{"bad base64", testxmlrpc.CallXML("a.b", "<base64>!!!not base64</base64>"), requestLimits},
		{"base64 bad padding", testxmlrpc.CallXML("a.b", "<base64>aGVsbG8</base64>"), requestLimits},
		{"unknown type", testxmlrpc.CallXML("a.b", "<float>1</float>"), requestLimits},
		{"nil with content", testxmlrpc.CallXML("a.b", "<nil>x</nil>"), requestLimits},
		{"element in string", testxmlrpc.CallXML("a.b", "<string><b/></string>"), requestLimits},
		{"text and type mixed", testxmlrpc.CallXML("a.b", "x<int>1</int>"), requestLimits},
		{"two types in a value", testxmlrpc.CallXML("a.b", "<int>1</int><int>2</int>"), requestLimits},
		{"param without value", "<methodCall><methodName>a.b</methodName><params><param></param></params></methodCall>", requestLimits},
		{"param with two values", "<methodCall><methodName>a.b</methodName><params><param><value/><value/></param></params></methodCall>", requestLimits},
		{"array without data", testxmlrpc.CallXML("a.b", "<array><value>1</value></array>"), requestLimits},
		{"member without name", testxmlrpc.CallXML("a.b", "<struct><member><value>1</value></member></struct>"), requestLimits},
		{"member without value", testxmlrpc.CallXML("a.b", "<struct><member><name>a</name></member></struct>"), requestLimits},
		{"member with two names", testxmlrpc.CallXML("a.b", "<struct><member><name>a</name><name>b</name><value/></member></struct>"), requestLimits},
		{"too deep", testxmlrpc.CallXML("a.b", strings.Repeat("<array><data><value>", 4)+strings.Repeat("</value></data></array>", 4)), small},
		{"too many elements", testxmlrpc.CallXML("a.b", "<array><data>"+strings.Repeat("<value>x</value>", 30)+"</data></array>"), small},
		{"string too long", testxmlrpc.CallXML("a.b", "<string>"+strings.Repeat("x", 11)+"</string>"), small},
		{"untyped too long", testxmlrpc.CallXML("a.b", strings.Repeat("x", 11)), small},
		{"string split too long", testxmlrpc.CallXML("a.b", "<string>xxxxxx<!---->xxxxxx</string>"), small},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := decodeRequest(strings.NewReader(c.xml), c.lim)
			if err == nil {
				t.Fatalf("decoded %+v, want an error", req)
			}
		})
	}
}

// encodedCall is a call of a.b with one string param, want, sent in some
// encoding.
type encodedCall struct {
	name, doc, want string
}

// encodedCalls are calls in every encoding other languages' clients
// declare, with non-ASCII text.
func encodedCalls() []encodedCall {
	call := func(decl, text string) string {
		return decl + "<methodCall><methodName>a.b</methodName><params><param><value><string>" + text +
			"</string></value></param></params></methodCall>"
	}
	// cafe is what most cases must arrive as, cafeXML its text.
	const cafe, cafeXML = "café € 😀 <&>", "café € 😀 &lt;&amp;&gt;"
	return []encodedCall{
		{"us-ascii with references", call(`<?xml version="1.0" encoding="us-ascii"?>`, "caf&#233; &#8364; &#128512; &lt;&amp;&gt;"), cafe},
		{"us-ascii with UTF-8 bytes", call(`<?xml version="1.0" encoding="US-ASCII"?>`, cafeXML), cafe},
		{"ISO-8859-1", call(`<?xml version="1.0" encoding="ISO-8859-1"?>`, "caf\xe9 \xff \x80"), "café ÿ \u0080"},
		{"ISO-8859-1, ASCII only", call(`<?xml version="1.0" encoding="ISO-8859-1"?>`, "cafe"), "cafe"},
		{"latin-1, as Python spells it", call(`<?xml version='1.0' encoding='latin-1'?>`, "caf\xe9"), "café"},
		{"Iso_8859-1", call(`<?xml version='1.0' encoding='Iso_8859-1'?>`, "caf\xe9"), "café"},
		{"windows-1252", call(`<?xml version="1.0" encoding="windows-1252"?>`, "caf\xe9 \x80 \x93q\x94"), "café € “q”"},
		{"cp1252", call(`<?xml version="1.0" encoding="cp1252"?>`, "\x80"), "€"},
		{"utf8", call(`<?xml version="1.0" encoding="utf8"?>`, cafeXML), cafe},
		{"UTF-8 with a byte order mark", "\xef\xbb\xbf" + call(`<?xml version="1.0"?>`, "café"), "café"},
		{"UTF-16LE with a byte order mark", "\xff\xfe" + testxmlrpc.EncodeUTF16(unicode.LittleEndian, call(`<?xml version="1.0" encoding="UTF-16"?>`, cafeXML)), cafe},
		{"UTF-16BE with a byte order mark", "\xfe\xff" + testxmlrpc.EncodeUTF16(unicode.BigEndian, call(`<?xml version="1.0" encoding="utf-16"?>`, cafeXML)), cafe},
		{"UTF-16LE without", testxmlrpc.EncodeUTF16(unicode.LittleEndian, call(`<?xml version="1.0" encoding="UTF-16LE"?>`, cafeXML)), cafe},
		{"UTF-16BE without", testxmlrpc.EncodeUTF16(unicode.BigEndian, call(`<?xml version="1.0" encoding="UTF-16BE"?>`, cafeXML)), cafe},
		{"UTF-16 without a declaration", "\xff\xfe" + testxmlrpc.EncodeUTF16(unicode.LittleEndian, call("", cafeXML)), cafe},
		{"UTF-16 that declares UTF-8", "\xfe\xff" + testxmlrpc.EncodeUTF16(unicode.BigEndian, call(`<?xml version="1.0" encoding="UTF-8"?>`, cafeXML)), cafe},
		{"UTF-16 with U+FEFF in the text", "\xff\xfe" + testxmlrpc.EncodeUTF16(unicode.LittleEndian, call("", "\ufeffx")), "\ufeffx"},
	}
}

// TestDecodeEncodings: a request arrives as the Unicode its client meant,
// in whatever encoding it declares.
func TestDecodeEncodings(t *testing.T) {
	for _, c := range encodedCalls() {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(c.doc), iotest.OneByteReader(strings.NewReader(c.doc))} {
				req, err := decodeRequest(r, requestLimits)
				if err != nil {
					t.Fatalf("%q: %v", c.doc, err)
				}
				if req.method != "a.b" || len(req.params) != 1 || req.params[0].str != c.want {
					t.Fatalf("%q: got %+v, want the string %q", c.doc, req, c.want)
				}
			}
		})
	}
}

func TestDecodeDepthLimitIsExact(t *testing.T) {
	nest := func(n int) string {
		return testxmlrpc.CallXML("a.b", strings.Repeat("<array><data><value>", n)+strings.Repeat("</value></data></array>", n))
	}
	if _, err := decodeRequest(strings.NewReader(nest(requestLimits.maxDepth)), requestLimits); err != nil {
		t.Errorf("%d levels: %v", requestLimits.maxDepth, err)
	}
	if _, err := decodeRequest(strings.NewReader(nest(requestLimits.maxDepth+1)), requestLimits); err == nil {
		t.Errorf("%d levels decoded", requestLimits.maxDepth+1)
	}
}

// errReader fails the test if the decoder reads past the point where the
// document is already known to be bad.
type errReader struct{ t *testing.T }

func (r errReader) Read([]byte) (int, error) {
	r.t.Error("decoder read past a fatal error")
	return 0, errors.New("read too far")
}

func TestDecodeStopsAtFirstError(t *testing.T) {
	deep := "<methodCall><methodName>a.b</methodName><params><param><value>" + strings.Repeat("<array><data><value>", 10000)
	// Transcoding reads ahead a few KiB, so the reader must hold more
	// than that.
	for _, doc := range []string{deep, "<?xml version='1.0' encoding='latin1'?>" + deep, "\xff\xfe" + testxmlrpc.EncodeUTF16(unicode.LittleEndian, deep)} {
		r := io.MultiReader(strings.NewReader(doc), errReader{t})
		if _, err := decodeRequest(r, requestLimits); err == nil || !strings.Contains(err.Error(), "nested") {
			t.Errorf("%.50q: got %v, want a nesting error", doc, err)
		}
	}
}

// TestDecodeReadError: a read error in the first bytes, where the
// encoding is sniffed, is the decoder's error.
func TestDecodeReadError(t *testing.T) {
	boom := errors.New("boom")
	for _, head := range []string{"", "<", "\xff\xfe<"} {
		_, err := decodeRequest(io.MultiReader(strings.NewReader(head), iotest.ErrReader(boom)), requestLimits)
		if !errors.Is(err, boom) {
			t.Errorf("%q then an error: got %v", head, err)
		}
	}
}

func TestDecodeResponse(t *testing.T) {
	v, f, err := decodeResponse(strings.NewReader("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>ok</string></value>\n</param>\n</params>\n</methodResponse>\n"), requestLimits)
	if err != nil || f != nil || !reflect.DeepEqual(v, str("ok")) {
		t.Errorf("got %#v %v %v", v, f, err)
	}
	_, f, err = decodeResponse(strings.NewReader(string(appendFault(nil, &faultNoSuch))), requestLimits)
	if err != nil || f == nil || *f != faultNoSuch {
		t.Errorf("fault: got %v %v", f, err)
	}
	v, f, err = decodeResponse(strings.NewReader("<methodResponse><params></params></methodResponse>"), requestLimits)
	if err != nil || f != nil || v.kind != kindNil {
		t.Errorf("no param: got %#v %v %v", v, f, err)
	}
	for _, bad := range []string{
		"<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>",
		"<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
		"<methodResponse><fault><value><struct><member><name>faultCode</name><value>x</value></member></struct></value></fault></methodResponse>",
		"<methodResponse><other/></methodResponse>",
		"<methodCall><methodName>a.b</methodName></methodCall>",
	} {
		if _, _, err := decodeResponse(strings.NewReader(bad), requestLimits); err == nil {
			t.Errorf("decoded %s", bad)
		}
	}
}
