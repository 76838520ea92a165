package cluster

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/process"
)

func sampleRecord() view.ProcessRecord {
	t0 := time.Unix(1_700_000_000, 123456789)
	return view.ProcessRecord{
		Group: "web", Name: "server", State: process.Running,
		Start: t0, Changed: t0.Add(time.Second), PID: 4242,
		SpawnErr: "", ExitStatus: 0, Expected: true, Seq: 7,
	}
}

// TestWireRoundTrip checks every message decodes to what was encoded,
// times to the nanosecond and zero times staying zero.
func TestWireRoundTrip(t *testing.T) {
	rec := sampleRecord()
	gone := view.ProcessRecord{Group: "web", Name: "old", State: process.Stopped, Seq: 9, Removed: true}

	u := view.Update{Node: "10.0.0.1", Incarnation: 99, Record: rec}
	typ, body, err := decodeType(encodeUpdate(u))
	if err != nil || typ != msgUpdate {
		t.Fatalf("update: type %d, %v", typ, err)
	}
	if got, err := decodeUpdate(body); err != nil || !reflect.DeepEqual(got, u) {
		t.Errorf("update: %+v, %v; want %+v", got, err, u)
	}

	fs := view.FullState{Node: "10.0.0.2", Incarnation: 3, Seq: 10, Records: []view.ProcessRecord{rec, gone}, Ready: true}
	typ, body, _ = decodeType(encodeFullState(fs))
	if typ != msgFullState {
		t.Fatalf("full state: type %d", typ)
	}
	if got, err := decodeFullState(body); err != nil || !reflect.DeepEqual(got, fs) {
		t.Errorf("full state: %+v, %v; want %+v", got, err, fs)
	}

	others := []view.Update{{Node: "10.0.0.3", Incarnation: 8, Record: gone}}
	jobs := []view.Job{{Key: view.Key{Group: "web", Name: "server"}, Application: true, Reason: "deployment", Deployment: 4, Version: 2, Writer: "10.0.0.1"},
		{Key: view.Key{Group: "web", Name: "old"}, Address: "10.0.0.3", Incarnation: 8, Start: rec.Start, Done: true, Deployment: 4, Version: 3, Writer: "10.0.0.1"}}
	typ, body, _ = decodeType(encodeSync(syncPayload{own: fs, others: others, jobs: jobs}))
	if typ != msgSync {
		t.Fatalf("sync: type %d", typ)
	}
	if got, err := decodeSync(body); err != nil || !reflect.DeepEqual(got, syncPayload{own: fs, others: others, jobs: jobs}) {
		t.Errorf("sync: %+v, %v", got, err)
	}
	typ, body, _ = decodeType(encodeJobs(jobs))
	if got, err := decodeJobs(body); typ != msgJobs || err != nil || !reflect.DeepEqual(got, jobs) {
		t.Errorf("jobs: type %d, %+v, %v", typ, got, err)
	}
	o := view.Order{Restart: true, Targets: map[string]uint64{"10.0.0.1": 5, "10.0.0.2": 9}}
	typ, body, _ = decodeType(encodeOrder(o))
	if got, err := decodeOrder(body); typ != msgOrder || err != nil || !reflect.DeepEqual(got, o) {
		t.Errorf("order: type %d, %+v, %v", typ, got, err)
	}

	m := view.Meta{Incarnation: 5, State: view.Operation, Master: "10.0.0.1", Fenced: []byte{0b101}, Rules: []byte("01234567"), Deployment: 77}
	if got, err := decodeMeta(encodeMeta(m)); err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("meta: %+v, %v; want %+v", got, err, m)
	}

	for _, typ := range []messageType{msgStateRequest, msgReadmit} {
		gotType, body, _ := decodeType(encodeName(typ, "node-7"))
		if got, err := decodeName(body); gotType != typ || err != nil || got != "node-7" {
			t.Errorf("name message %d: type %d, %q, %v", typ, gotType, got, err)
		}
	}
}

// TestMetaFitsTheRing checks the meta of a large cluster stays well under
// memberlist's 512-byte limit.
func TestMetaFitsTheRing(t *testing.T) {
	m := view.Meta{Incarnation: ^uint64(0), State: view.ShuttingDown, Master: string(bytes.Repeat([]byte("h"), 253)), Fenced: make([]byte, 1000/8), Rules: make([]byte, 8), Deployment: ^uint64(0)}
	if n := len(encodeMeta(m)); n > 512 {
		t.Errorf("meta of a 1,000-address cluster with a 253-byte master name is %d bytes", n)
	}
}

// FuzzDecode feeds arbitrary bytes to every decoder: an error, never a
// panic, and no allocation beyond the input's size.
func FuzzDecode(f *testing.F) {
	f.Add(encodeUpdate(view.Update{Node: "a", Incarnation: 1, Record: sampleRecord()}))
	f.Add(encodeFullState(view.FullState{Node: "a", Records: []view.ProcessRecord{sampleRecord()}}))
	f.Add(encodeMeta(view.Meta{Master: "a"}))
	f.Add(encodeName(msgReadmit, "a"))
	f.Add([]byte{0x01, 0xdd, 0xff, 0xff, 0xff, 0xff}) // an array claiming 4 G elements
	f.Fuzz(func(t *testing.T, data []byte) {
		_, body, err := decodeType(data)
		if err != nil {
			return
		}
		_, _ = decodeUpdate(body)
		_, _ = decodeFullState(body)
		_, _ = decodeName(body)
		_, _ = decodeSync(body)
		_, _ = decodeJobs(body)
		_, _ = decodeOrder(body)
		_, _ = decodeUpdates(body)
		_, _ = decodeCommand(body)
		_, _ = decodeMeta(data)
	})
}

// TestDecodeRejects checks malformed messages get errors.
func TestDecodeRejects(t *testing.T) {
	if _, _, err := decodeType(nil); err == nil {
		t.Error("empty message decoded")
	}
	for _, body := range [][]byte{{}, {0xc1}, {0x93, 0x01}, {0xdd, 0xff, 0xff, 0xff, 0xff}} {
		if _, err := decodeFullState(body); err == nil {
			t.Errorf("full state % x decoded", body)
		}
		if _, err := decodeMeta(body); err == nil {
			t.Errorf("meta % x decoded", body)
		}
	}
}
