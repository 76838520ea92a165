package cluster

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/process"
)

// oneAddress is the address of newClusterOfOne.
const oneAddress = "10.0.0.1"

// newClusterOfOne is a started cluster member without a [supvisors]
// section: no ring, one address, a supervisor without programs. The
// cleanup shuts it down.
func newClusterOfOne(tb testing.TB, logger hclog.Logger) *Cluster {
	tb.Helper()
	sup := process.New(process.Options{Logger: logger.Named("process")})
	c, err := Create(Config{Local: oneAddress, Supvisors: config.Supvisors{}, Supervisor: sup, Logger: logger})
	if err != nil {
		tb.Fatal(err)
	}
	c.Start()
	c.Ready()
	tb.Cleanup(func() { _ = c.Shutdown(false) })
	return c
}

func hclogDiscard() hclog.Logger { return hclog.NewNullLogger() }

// logBuffer is a log output safe for the cluster's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// handlerEntries are the ways the ring hands a peer's bytes to the
// cluster; name is the member the ring says they come from.
var handlerEntries = []func(h handler, name string, payload []byte){
	func(h handler, name string, payload []byte) { h.Message(name, payload) },
	func(h handler, name string, payload []byte) { h.Alive(name, payload) },
	func(h handler, name string, _ []byte) { h.Dead(name) },
	func(h handler, name string, payload []byte) { _ = h.Admit(name, payload) },
	func(h handler, name string, payload []byte) {
		h.Heartbeat(name, time.Unix(0, int64(len(payload))), payload)
	},
}

// handlerNames are the members a peer may claim to be ("": gossip, whose
// sender nobody knows).
var handlerNames = []string{oneAddress, "10.0.0.9", "", "\xff\x00"}

// FuzzHandler hands what a peer holding the gossip key may send to a
// cluster of one, by every entry of the handler: it never panics, a
// message that does not decode is dropped with a "bad message" line, and
// the view is not corrupted: no address but the local one, no record of
// another node, no job about another address.
func FuzzHandler(f *testing.F) {
	for _, c := range wireCodecs {
		f.Add(byte(0), c.encode(c.sample))
	}
	f.Add(byte(0), encodeUpdate(view.Update{Node: oneAddress, Incarnation: 1, Record: sampleRecord()}))
	f.Add(byte(1), encodeSync(syncPayload{own: view.FullState{Node: "10.0.0.9", Incarnation: 1, Records: []view.ProcessRecord{sampleRecord()}}}))
	f.Add(byte(0), encodeJobs([]view.Job{{Key: view.Key{Group: "web", Name: "server"}, Writer: oneAddress}, {Key: view.Key{Group: "web", Name: "server"}, Address: "10.0.0.9", Writer: oneAddress}}))
	f.Add(byte(2), encodeMeta(view.Meta{Incarnation: 1, Master: "10.0.0.9", Fenced: []byte{0xff}}))
	f.Add(byte(3+len(handlerEntries)), []byte{})
	f.Add(byte(0), []byte{})
	f.Add(byte(0), []byte{0xff, 0x90})
	f.Fuzz(func(t *testing.T, entry byte, payload []byte) {
		var log logBuffer
		c := newClusterOfOne(t, hclog.New(&hclog.LoggerOptions{Output: &log, Level: hclog.Warn}))
		var before view.FullState
		c.Read(func(v *view.View) { before = v.LocalState() })
		handle := handlerEntries[int(entry)%len(handlerEntries)]
		handle(handler{c}, handlerNames[int(entry)/len(handlerEntries)%len(handlerNames)], payload)
		_ = c.Shutdown(false) // waits for what the message started
		if int(entry)%len(handlerEntries) == 0 {
			err := decodeMessage(payload)
			if err != nil && !strings.Contains(log.String(), "dropped: ") || err == nil && strings.Contains(log.String(), "undecodable message") {
				t.Fatalf("message % x (decode: %v) logged:\n%s", payload, err, log.String())
			}
		}
		c.Read(func(v *view.View) {
			if got := v.LocalState(); !equalFullStates(got, before) {
				t.Fatalf("local state %+v became %+v", before, got)
			}
			if as := v.Addresses(time.Now()); len(as) != 1 || as[0].Name != oneAddress || as[0].State != enums.AddressRunning {
				t.Fatalf("addresses %+v", as)
			}
			if others := v.OthersRecords(); len(others) > 0 {
				t.Fatalf("records of other nodes: %+v", others)
			}
			for _, p := range v.Processes() {
				for _, cp := range p.Copies {
					if cp.Address != oneAddress {
						t.Fatalf("process %+v on %q", p, cp.Address)
					}
				}
			}
			for _, j := range v.Jobs() {
				if j.Address != "" && j.Address != oneAddress || j.Writer != oneAddress {
					t.Fatalf("job %+v", j)
				}
			}
		})
	})
}

// decodeMessage decodes a whole message with its type's codec.
func decodeMessage(msg []byte) error {
	typ, body, err := decodeType(msg)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(wireCodecs, func(c wireCodec) bool { return c.typ == typ && typ != 0 })
	if i < 0 {
		return errUnknownType
	}
	_, err = wireCodecs[i].decode(body)
	return err
}

var errUnknownType = errors.New("unknown message type")

// equalFullStates compares full states, nil and empty records alike.
func equalFullStates(a, b view.FullState) bool {
	return slices.EqualFunc(a.Records, b.Records, func(x, y view.ProcessRecord) bool { return x == y }) &&
		a.Node == b.Node && a.Incarnation == b.Incarnation && a.Seq == b.Seq && a.Leaving == b.Leaving && a.Ready == b.Ready
}
