package xmlrpc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
)

// BenchmarkDecodeRequest decodes the request supervisorctl sends for
// `tail`: three params.
func BenchmarkDecodeRequest(b *testing.B) {
	doc := pythonRequests[0]
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeRequest(strings.NewReader(doc), requestLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeProcessInfos encodes a getAllProcessInfo reply of 1,000
// processes (14-key structs).
func BenchmarkEncodeProcessInfos(b *testing.B) {
	infos := testxmlrpc.ProcessInfos(1000)
	reply := &infos
	buf, err := appendResponse(nil, reply)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = appendResponse(buf[:0], reply); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeProcessInfos decodes that reply into its value tree, as
// a client does before assigning it.
func BenchmarkDecodeProcessInfos(b *testing.B) {
	infos := testxmlrpc.ProcessInfos(1000)
	doc, err := appendResponse(nil, &infos)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := decodeResponse(bytes.NewReader(doc), requestLimits); err != nil {
			b.Fatal(err)
		}
	}
}
