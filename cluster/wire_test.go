package cluster

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/go-msgpack/v2/codec"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

func sampleRecord() view.ProcessRecord {
	t0 := time.Unix(1_700_000_000, 123456789)
	return view.ProcessRecord{
		Group: "web", Name: "server", State: enums.ProcessRunning,
		Start: t0, Changed: t0.Add(time.Second), PID: 4242,
		SpawnErr: "", ExitStatus: 0, Expected: true, Seq: 7,
	}
}

// wireCodec is one form of the wire: how a value goes out and how a
// message's body comes back. Every test and fuzz target of the wire runs
// over wireCodecs, so that a new message type is one line there.
type wireCodec struct {
	name string
	// typ is the message type; 0 for the node meta, which has no type
	// byte.
	typ    messageType
	sample any // encoded by the round-trip test and seeded to the fuzzers
	encode func(any) []byte
	decode func(body []byte) (any, error)
}

// wireOf makes the wireCodec of a message whose values are T.
func wireOf[T any](name string, typ messageType, sample T, encode func(T) []byte, decode func([]byte) (T, error)) wireCodec {
	return wireCodec{
		name: name, typ: typ, sample: sample,
		encode: func(v any) []byte { return encode(v.(T)) },
		decode: func(body []byte) (any, error) { return decode(body) },
	}
}

// Samples of every field, times to the nanosecond, zero times and a
// tombstone.
var (
	sampleGone  = view.ProcessRecord{Group: "web", Name: "old", State: enums.ProcessStopped, Seq: 9, Removed: true, Disabled: true}
	sampleState = view.FullState{Node: "10.0.0.2", Incarnation: 3, Seq: 10, Records: []view.ProcessRecord{sampleRecord(), sampleGone}, Ready: true}
	sampleJobs  = []view.Job{
		{Key: view.Key{Group: "web", Name: "server"}, Application: true, Reason: "deployment", Deployment: 4, Version: 2, Writer: "10.0.0.1"},
		{Key: view.Key{Group: "web", Name: "old"}, Address: "10.0.0.3", Incarnation: 8, Start: sampleRecord().Start, Done: true, Deployment: 4, Version: 3, Writer: "10.0.0.1"},
		{Key: view.Key{Group: "web", Name: "held"}, Done: true, Held: true, Reason: "stopped by an operator", Deployment: 4, Version: 4, Writer: "10.0.0.2"},
		{Key: view.Key{Group: "web", Name: "worker"}, Address: "10.0.0.2", Incarnation: 8, Start: sampleRecord().Start, Replace: true, Deployment: 4, Version: 5, Writer: "10.0.0.1"},
	}
)

var wireCodecs = []wireCodec{
	wireOf("update", msgUpdate, view.Update{Node: "10.0.0.1", Incarnation: 99, Record: sampleRecord()}, encodeUpdate, decodeUpdate),
	wireOf("updates", msgUpdates, []view.Update{{Node: "10.0.0.1", Incarnation: 99, Record: sampleRecord()}, {Node: "10.0.0.3", Incarnation: 8, Record: sampleGone}}, encodeUpdates, decodeUpdates),
	wireOf("full state", msgFullState, sampleState, encodeFullState, decodeFullState),
	wireOf("sync", msgSync, syncPayload{own: sampleState, others: []view.Update{{Node: "10.0.0.3", Incarnation: 8, Record: sampleGone}}, jobs: sampleJobs}, encodeSync, decodeSync),
	wireOf("jobs", msgJobs, sampleJobs, encodeJobs, decodeJobs),
	wireOf("crashes", msgCrashes, []view.Key{{Group: "svc", Name: "svc_1"}, {Group: "ra", Name: "ra_db"}}, encodeCrashes, decodeCrashes),
	wireOf("order", msgOrder, view.Order{Restart: true, Targets: map[string]uint64{"10.0.0.1": 5, "10.0.0.2": 9}}, encodeOrder, decodeOrder),
	wireOf("readmit", msgReadmit, "node-7", func(n string) []byte { return encodeName(msgReadmit, n) }, decodeName),
	wireOf("start", msgStart, command{key: view.Key{Group: "web", Name: "server"}, extra: "-v", from: "10.0.0.1", incarnation: 42, sentAt: time.Unix(1_700_000_000, 5)}, func(c command) []byte { return encodeCommand(msgStart, c) }, decodeCommand),
	wireOf("program", msgProgram, programChange{Program: "worker", Disabled: true, Numprocs: 3}, encodeProgram, decodeProgram),
	wireOf("stop", msgStop, command{key: view.Key{Group: "web", Name: "server"}}, func(c command) []byte { return encodeCommand(msgStop, c) }, decodeCommand),
	wireOf("ask", msgAsk, struct{}{}, func(struct{}) []byte { return askMessage }, decodeAsk),
	wireOf("meta", 0, sampleMeta, encodeMeta, decodeMeta),
	wireOf("pushed meta", msgMeta, sampleMeta, encodeMetaMessage, decodeMeta),
}

var sampleMeta = view.Meta{Incarnation: 5, State: enums.SupvisorsOperation, Master: "10.0.0.1", Fenced: []byte{0b101}, Rules: []byte("01234567"), Deployment: 77, HostName: "lab-1", Version: 3}

// split returns the body of msg for c, checking its type byte.
func (c wireCodec) split(msg []byte) ([]byte, error) {
	if c.typ == 0 {
		return msg, nil
	}
	typ, body, err := decodeType(msg)
	if err == nil && typ != c.typ {
		err = fmt.Errorf("type %d, want %d", typ, c.typ)
	}
	return body, err
}

// TestWireRoundTrip checks every message decodes to what was encoded.
func TestWireRoundTrip(t *testing.T) {
	for _, c := range wireCodecs {
		body, err := c.split(c.encode(c.sample))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got, err := c.decode(body); err != nil || !reflect.DeepEqual(got, c.sample) {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.sample)
		}
	}
}

// TestWireCodecsCoverEveryType checks wireCodecs has every message type
// the handler dispatches, so that none escapes the fuzzers.
func TestWireCodecsCoverEveryType(t *testing.T) {
	h := handler{newClusterOfOne(t, hclogDiscard())}
	covered := map[messageType]bool{}
	for _, c := range wireCodecs {
		covered[c.typ] = true
	}
	for typ := range 256 {
		// 0xc1 is never valid msgpack: a type the handler knows fails
		// to decode, any other is unknown.
		err := h.dispatch(oneAddress, messageType(typ), []byte{0xc1})
		if known := err == nil || !bytes.Contains([]byte(err.Error()), []byte("unknown message type")); known && !covered[messageType(typ)] {
			t.Errorf("message type %d is dispatched (%v) but has no line in wireCodecs", typ, err)
		}
	}
}

// TestMetaFitsTheRing checks the meta of a large cluster stays well under
// memberlist's 512-byte limit.
func TestMetaFitsTheRing(t *testing.T) {
	m := view.Meta{Incarnation: ^uint64(0), State: enums.SupvisorsShuttingDown, Master: string(bytes.Repeat([]byte("h"), 253)), Fenced: make([]byte, 1000/8), Rules: make([]byte, 8), Deployment: ^uint64(0), HostName: string(bytes.Repeat([]byte("m"), 64))}
	if n := len(encodeMeta(m)); n > 512 {
		t.Errorf("meta of a 1,000-address cluster with a 253-byte master name and a 64-byte host name is %d bytes", n)
	}
}

// TestMetaWithoutHostName checks the meta of an agent that does not tell
// its host name decodes (host name ""), and that such an agent decodes
// the meta of one that does.
func TestMetaWithoutHostName(t *testing.T) {
	type oldMeta struct {
		_struct     bool `codec:",toarray"`
		Incarnation uint64
		State       int
		Master      string
		Fenced      []byte
		Rules       []byte
		Deployment  uint64
	}
	var old []byte
	if err := codec.NewEncoderBytes(&old, msgpack).Encode(oldMeta{Incarnation: 5, State: 2, Master: "10.0.0.1", Deployment: 77}); err != nil {
		t.Fatal(err)
	}
	if m, err := decodeMeta(old); err != nil || m.Incarnation != 5 || m.Deployment != 77 || m.HostName != "" {
		t.Errorf("old meta: %+v, %v", m, err)
	}
	var back oldMeta
	if err := decodeBody(encodeMeta(view.Meta{Incarnation: 6, Deployment: 78, HostName: "lab-1"}), &back); err != nil || back.Incarnation != 6 || back.Deployment != 78 {
		t.Errorf("new meta read by an old agent: %+v, %v", back, err)
	}
}

// FuzzDecode feeds arbitrary bytes to every decoder: never a panic, and
// whatever decodes re-encodes to a message that decodes to the same value
// (nothing a peer sends is read one way and passed on another).
func FuzzDecode(f *testing.F) {
	for _, c := range wireCodecs {
		f.Add(c.encode(c.sample))
	}
	f.Add([]byte{byte(msgUpdates), 0xdd, 0xff, 0xff, 0xff, 0xff}) // an array claiming 4 G elements
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range wireCodecs {
			body := data
			if c.typ != 0 {
				if len(data) == 0 {
					continue
				}
				body = data[1:] // every decoder meets every body
			}
			v, err := c.decode(body)
			if err != nil {
				continue
			}
			again, err := c.split(c.encode(v))
			if err != nil {
				t.Fatalf("%s: %+v re-encoded: %v", c.name, v, err)
			}
			w, err := c.decode(again)
			if err != nil || !reflect.DeepEqual(v, w) {
				t.Fatalf("%s: %+v re-encoded decodes to %+v, %v", c.name, v, w, err)
			}
		}
	})
}

// TestDecodeRejects checks malformed messages get errors.
func TestDecodeRejects(t *testing.T) {
	if _, _, err := decodeType(nil); err == nil {
		t.Error("empty message decoded")
	}
	for _, body := range [][]byte{{}, {0xc1}, {0x93, 0x01}, {0xdd, 0xff, 0xff, 0xff, 0xff}} {
		for _, c := range wireCodecs {
			if c.typ == msgAsk && len(body) == 0 {
				continue // the one valid ask
			}
			if v, err := c.decode(body); err == nil {
				t.Errorf("%s: % x decoded to %+v", c.name, body, v)
			}
		}
	}
}
