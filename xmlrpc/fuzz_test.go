package xmlrpc

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
)

// pythonRequests were captured from Python's xmlrpc.client.dumps, the way
// supervisorctl encodes its calls.
var pythonRequests = []string{
	"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.readProcessStdoutLog</methodName>\n<params>\n<param>\n<value><string>foo</string></value>\n</param>\n<param>\n<value><int>-1600</int></value>\n</param>\n<param>\n<value><int>0</int></value>\n</param>\n</params>\n</methodCall>\n",
	"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getAllProcessInfo</methodName>\n<params>\n</params>\n</methodCall>\n",
	"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.startProcess</methodName>\n<params>\n<param>\n<value><string>g:*</string></value>\n</param>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodCall>\n",
	"<?xml version='1.0'?>\n<methodCall>\n<methodName>system.multicall</methodName>\n<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>methodName</name>\n<value><string>supervisor.getState</string></value>\n</member>\n<member>\n<name>params</name>\n<value><array><data>\n</data></array></value>\n</member>\n</struct></value>\n<value><struct>\n<member>\n<name>methodName</name>\n<value><string>supervisor.stopProcess</string></value>\n</member>\n<member>\n<name>params</name>\n<value><array><data>\n<value><string>x</string></value>\n<value><boolean>0</boolean></value>\n</data></array></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodCall>\n",
	"<?xml version='1.0'?>\n<methodCall>\n<methodName>test.echo</methodName>\n<params>\n<param>\n<value><base64>\nAAFhYmM=\n</base64></value>\n</param>\n<param>\n<value><double>2.5</double></value>\n</param>\n<param>\n<value><dateTime.iso8601>20240102T03:04:05</dateTime.iso8601></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>k</name>\n<value><array><data>\n<value><int>1</int></value>\n<value><string>a</string></value>\n<value><struct>\n</struct></value>\n</data></array></value>\n</member>\n</struct></value>\n</param>\n<param>\n<value><nil/></value></param>\n</params>\n</methodCall>\n",
}

// FuzzDecodeRequest feeds arbitrary documents to the request decoder and
// to what follows it on the server (filling args structs). Neither may
// panic; what decodes must re-encode and decode again.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range pythonRequests {
		f.Add(seed)
	}
	f.Add(testxmlrpc.CallXML("test.types", "x", "<i8>-9</i8>", "<i4>1</i4>", "<boolean>0</boolean>", "<double>1e3</double>",
		"<base64>AA==</base64>", "<array/>", "<array><data><value/></data></array>", "<struct/>",
		"<struct><member><name>count</name><value><int>2</int></value></member></struct>", "<dateTime.iso8601>1998-07-17T14:08:55</dateTime.iso8601>"))
	f.Add(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><methodCall><methodName>&b;</methodName></methodCall>`)
	// Declared encodings, as other languages' clients send them.
	echo := testxmlrpc.CallXML("test.echo", "<string>caf\xe9 \x80 &#233;</string>")
	for _, enc := range []string{"us-ascii", "ISO-8859-1", "latin-1", "windows-1252", "koi8-r", "UTF-16", "x-unknown"} {
		f.Add(strings.Replace(echo, "?>", " encoding='"+enc+"'?>", 1))
	}
	utf16 := strings.Replace(testxmlrpc.CallXML("test.echo", "<string>café 😀</string>"), "?>", " encoding='UTF-16'?>", 1)
	f.Add("\xff\xfe" + testxmlrpc.EncodeUTF16(unicode.LittleEndian, utf16))
	f.Add("\xfe\xff" + testxmlrpc.EncodeUTF16(unicode.BigEndian, utf16))
	f.Add(testxmlrpc.EncodeUTF16(unicode.LittleEndian, utf16))
	f.Add("\xef\xbb\xbf" + echo)
	specs := []*argsSpec{}
	for _, typ := range []reflect.Type{reflect.TypeFor[testxmlrpc.TypesArgs](), reflect.TypeFor[testxmlrpc.GreetArgs](), reflect.TypeFor[multicallArgs](), reflect.TypeFor[testxmlrpc.EchoArgs]()} {
		spec, err := newArgsSpec(typ)
		if err != nil {
			f.Fatal(err)
		}
		specs = append(specs, spec)
	}
	loose := limits{maxDepth: requestLimits.maxDepth, maxElements: 10 * requestLimits.maxElements, maxText: 10 * requestLimits.maxText}
	f.Fuzz(func(t *testing.T, doc string) {
		req, err := decodeRequest(strings.NewReader(doc), requestLimits)
		if err != nil {
			return
		}
		for _, spec := range specs {
			_, _ = spec.build(req.params)
		}
		params := make([]any, len(req.params))
		for i := range req.params {
			params[i] = natural(&req.params[i])
		}
		b, err := appendCall(nil, req.method, params)
		if err != nil {
			t.Fatalf("cannot re-encode %q: %v", doc, err)
		}
		again, err := decodeRequest(strings.NewReader(string(b)), loose)
		if err != nil {
			t.Fatalf("cannot decode the re-encoded %q: %v\n%s", doc, err, b)
		}
		if len(again.params) != len(req.params) {
			t.Fatalf("%d params became %d", len(req.params), len(again.params))
		}
	})
}
