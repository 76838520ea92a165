package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/go-msgpack/v2/codec"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

// messageType is the first byte of every message between agents. 3 was a
// request of the full state: a node now exchanges msgSync with the node it
// checks (Ring.Exchange).
type messageType byte

const (
	msgUpdate    messageType = 1  // one changed process record (gossip)
	msgFullState messageType = 2  // everything a node owns (reliable, push/pull)
	msgReadmit   messageType = 4  // an operator re-admits a fenced address (gossip)
	msgStart     messageType = 5  // the master asks a node to start a process (reliable)
	msgStop      messageType = 6  // the master asks a node to stop a process (reliable)
	msgOrder     messageType = 7  // restart() or shutdown(): the agents named must restart or exit (reliable)
	msgUpdates   messageType = 8  // several changed records, straight to the master (reliable)
	msgSync      messageType = 9  // push/pull: the sender's full state and what it knows of the others; or its own and its jobs, in an exchange
	msgJobs      messageType = 10 // jobs the master wrote (reliable, to every member)
	msgCrashes   messageType = 11 // failures the master did not see (reliable, to the master)
	msgProgram   messageType = 12 // the master has every node disable, enable or resize a program (reliable)
	msgAsk       messageType = 13 // an exchange from a node not Ready yet: it asks for the other's state and sends none
	msgMeta      messageType = 14 // the master's meta, as it changes (reliable, to every member)
)

// askMessage is the request of an exchange from a node that is not Ready.
var askMessage = []byte{byte(msgAsk)}

// decodeAsk checks the body of an ask, which is empty.
func decodeAsk(body []byte) (struct{}, error) {
	if len(body) > 0 {
		return struct{}{}, fmt.Errorf("decode message: an ask of %d bytes, want none", len(body))
	}
	return struct{}{}, nil
}

// maxDecodeLen bounds what a length prefix may make the decoder allocate
// up front, so a corrupt or hostile message cannot exhaust memory.
const maxDecodeLen = 1 << 16

var msgpack = func() *codec.MsgpackHandle {
	h := &codec.MsgpackHandle{}
	h.MaxInitLen = maxDecodeLen
	return h
}()

// The wire forms are arrays (toarray): compact in UDP packets, and every
// agent of a cluster runs the same version.

type wireRecord struct {
	_struct    bool `codec:",toarray"`
	Group      string
	Name       string
	State      int
	Start      int64 // unix nanoseconds, 0 = never
	Stop       int64
	Changed    int64
	PID        int
	SpawnErr   string
	ExitStatus int
	Expected   bool
	Seq        uint64
	Removed    bool
	Disabled   bool
}

type wireUpdate struct {
	_struct     bool `codec:",toarray"`
	Node        string
	Incarnation uint64
	Record      wireRecord
}

type wireFullState struct {
	_struct     bool `codec:",toarray"`
	Node        string
	Incarnation uint64
	Seq         uint64
	Records     []wireRecord
	Leaving     bool
	Ready       bool
}

type wireMeta struct {
	_struct     bool `codec:",toarray"`
	Incarnation uint64
	State       int
	Master      string
	Fenced      []byte
	Rules       []byte
	Deployment  uint64
	// HostName and Version come last: an agent that does not know them
	// leaves them out (decoded as "" and 0), and one that does not know
	// them ignores them.
	HostName string
	Version  uint64
}

type wireName struct {
	_struct bool `codec:",toarray"`
	Name    string
}

func encode(t messageType, v any) []byte {
	var body []byte
	if err := codec.NewEncoderBytes(&body, msgpack).Encode(v); err != nil {
		// Only a programming error (an unencodable type) gets here.
		panic(fmt.Sprintf("encode message %d: %v", t, err))
	}
	return append([]byte{byte(t)}, body...)
}

var errEmptyMessage = errors.New("empty message")

// decodeType splits a message into its type and body.
func decodeType(msg []byte) (messageType, []byte, error) {
	if len(msg) == 0 {
		return 0, nil, errEmptyMessage
	}
	return messageType(msg[0]), msg[1:], nil
}

func decodeBody(body []byte, v any) error {
	if err := codec.NewDecoderBytes(body, msgpack).Decode(v); err != nil {
		return fmt.Errorf("decode message: %w", err)
	}
	return nil
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func toWireRecord(r view.ProcessRecord) wireRecord {
	return wireRecord{
		Group: r.Group, Name: r.Name, State: int(r.State),
		Start: nanos(r.Start), Stop: nanos(r.Stop), Changed: nanos(r.Changed), PID: r.PID,
		SpawnErr: r.SpawnErr, ExitStatus: r.ExitStatus, Expected: r.Expected,
		Seq: r.Seq, Removed: r.Removed, Disabled: r.Disabled,
	}
}

func (w wireRecord) record() view.ProcessRecord {
	return view.ProcessRecord{
		Group: w.Group, Name: w.Name, State: enums.ProcessState(w.State),
		Start: fromNanos(w.Start), Stop: fromNanos(w.Stop), Changed: fromNanos(w.Changed), PID: w.PID,
		SpawnErr: w.SpawnErr, ExitStatus: w.ExitStatus, Expected: w.Expected,
		Seq: w.Seq, Removed: w.Removed, Disabled: w.Disabled,
	}
}

func encodeUpdate(u view.Update) []byte {
	return encode(msgUpdate, wireUpdate{Node: u.Node, Incarnation: u.Incarnation, Record: toWireRecord(u.Record)})
}

func decodeUpdate(body []byte) (view.Update, error) {
	var w wireUpdate
	if err := decodeBody(body, &w); err != nil {
		return view.Update{}, err
	}
	return view.Update{Node: w.Node, Incarnation: w.Incarnation, Record: w.Record.record()}, nil
}

func toWireUpdates(us []view.Update) []wireUpdate {
	w := make([]wireUpdate, len(us))
	for i, u := range us {
		w[i] = wireUpdate{Node: u.Node, Incarnation: u.Incarnation, Record: toWireRecord(u.Record)}
	}
	return w
}

func fromWireUpdates(w []wireUpdate) []view.Update {
	us := make([]view.Update, len(w))
	for i, u := range w {
		us[i] = view.Update{Node: u.Node, Incarnation: u.Incarnation, Record: u.Record.record()}
	}
	return us
}

func encodeUpdates(us []view.Update) []byte { return encode(msgUpdates, toWireUpdates(us)) }

func decodeUpdates(body []byte) ([]view.Update, error) {
	var w []wireUpdate
	if err := decodeBody(body, &w); err != nil {
		return nil, err
	}
	return fromWireUpdates(w), nil
}

// syncPayload is a push/pull payload: the sender's full state, what it knows of
// the others' records, and the master's jobs.
type syncPayload struct {
	own    view.FullState
	others []view.Update
	jobs   []view.Job
}

type wireSync struct {
	_struct bool `codec:",toarray"`
	Own     wireFullState
	Others  []wireUpdate
	Jobs    []wireJob
}

func encodeSync(s syncPayload) []byte {
	return encode(msgSync, wireSync{Own: toWireFullState(s.own), Others: toWireUpdates(s.others), Jobs: toWireJobs(s.jobs)})
}

func decodeSync(body []byte) (syncPayload, error) {
	var w wireSync
	if err := decodeBody(body, &w); err != nil {
		return syncPayload{}, err
	}
	return syncPayload{own: fromWireFullState(w.Own), others: fromWireUpdates(w.Others), jobs: fromWireJobs(w.Jobs)}, nil
}

type wireJob struct {
	_struct     bool `codec:",toarray"`
	Group       string
	Name        string
	Address     string
	Incarnation uint64
	Start       int64
	Application bool
	Reason      string
	Done        bool
	Held        bool
	Replace     bool
	Deployment  uint64
	Version     uint64
	Writer      string
}

func toWireJobs(js []view.Job) []wireJob {
	w := make([]wireJob, len(js))
	for i, j := range js {
		w[i] = wireJob{Group: j.Key.Group, Name: j.Key.Name, Address: j.Address, Incarnation: j.Incarnation,
			Start: nanos(j.Start), Application: j.Application, Reason: j.Reason, Done: j.Done, Held: j.Held, Replace: j.Replace,
			Deployment: j.Deployment, Version: j.Version, Writer: j.Writer}
	}
	return w
}

func fromWireJobs(w []wireJob) []view.Job {
	js := make([]view.Job, len(w))
	for i, j := range w {
		js[i] = view.Job{Key: view.Key{Group: j.Group, Name: j.Name}, Address: j.Address, Incarnation: j.Incarnation,
			Start: fromNanos(j.Start), Application: j.Application, Reason: j.Reason, Done: j.Done, Held: j.Held, Replace: j.Replace,
			Deployment: j.Deployment, Version: j.Version, Writer: j.Writer}
	}
	return js
}

func encodeJobs(js []view.Job) []byte { return encode(msgJobs, toWireJobs(js)) }

func decodeJobs(body []byte) ([]view.Job, error) {
	var w []wireJob
	if err := decodeBody(body, &w); err != nil {
		return nil, err
	}
	return fromWireJobs(w), nil
}

// wireOrder is a view.Order: its targets as a list, in address order.
type wireOrder struct {
	_struct bool `codec:",toarray"`
	Restart bool
	Targets []wireTarget
}

type wireTarget struct {
	_struct     bool `codec:",toarray"`
	Address     string
	Incarnation uint64
}

func encodeOrder(o view.Order) []byte {
	w := wireOrder{Restart: o.Restart}
	for _, a := range slices.Sorted(maps.Keys(o.Targets)) {
		w.Targets = append(w.Targets, wireTarget{Address: a, Incarnation: o.Targets[a]})
	}
	return encode(msgOrder, w)
}

func decodeOrder(body []byte) (view.Order, error) {
	var w wireOrder
	if err := decodeBody(body, &w); err != nil {
		return view.Order{}, err
	}
	o := view.Order{Restart: w.Restart, Targets: make(map[string]uint64, len(w.Targets))}
	for _, t := range w.Targets {
		o.Targets[t.Address] = t.Incarnation
	}
	return o, nil
}

func toWireFullState(fs view.FullState) wireFullState {
	w := wireFullState{Node: fs.Node, Incarnation: fs.Incarnation, Seq: fs.Seq, Records: make([]wireRecord, len(fs.Records)), Leaving: fs.Leaving, Ready: fs.Ready}
	for i, r := range fs.Records {
		w.Records[i] = toWireRecord(r)
	}
	return w
}

func fromWireFullState(w wireFullState) view.FullState {
	fs := view.FullState{Node: w.Node, Incarnation: w.Incarnation, Seq: w.Seq, Records: make([]view.ProcessRecord, len(w.Records)), Leaving: w.Leaving, Ready: w.Ready}
	for i, r := range w.Records {
		fs.Records[i] = r.record()
	}
	return fs
}

func encodeFullState(fs view.FullState) []byte { return encode(msgFullState, toWireFullState(fs)) }

func decodeFullState(body []byte) (view.FullState, error) {
	var w wireFullState
	if err := decodeBody(body, &w); err != nil {
		return view.FullState{}, err
	}
	return fromWireFullState(w), nil
}

// encodeMeta is the node meta memberlist advertises: without a type byte,
// and well under memberlist's 512-byte limit (an address is at most a host
// name).
func encodeMeta(m view.Meta) []byte {
	var out []byte
	if err := codec.NewEncoderBytes(&out, msgpack).Encode(toWireMeta(m)); err != nil {
		panic(fmt.Sprintf("encode meta: %v", err))
	}
	return out
}

func toWireMeta(m view.Meta) wireMeta {
	return wireMeta{Incarnation: m.Incarnation, State: int(m.State), Master: m.Master, Fenced: m.Fenced, Rules: m.Rules, Deployment: m.Deployment, HostName: m.HostName, Version: m.Version}
}

// encodeMetaMessage is the meta as a message of the channel (msgMeta).
func encodeMetaMessage(m view.Meta) []byte { return encode(msgMeta, toWireMeta(m)) }

func decodeMeta(b []byte) (view.Meta, error) {
	var w wireMeta
	if err := decodeBody(b, &w); err != nil {
		return view.Meta{}, err
	}
	return view.Meta{Incarnation: w.Incarnation, State: enums.SupvisorsState(w.State), Master: w.Master, Fenced: w.Fenced, Rules: w.Rules, Deployment: w.Deployment, HostName: w.HostName, Version: w.Version}, nil
}

func encodeName(t messageType, name string) []byte { return encode(t, wireName{Name: name}) }

func decodeName(body []byte) (string, error) {
	var w wireName
	err := decodeBody(body, &w)
	return w.Name, err
}

// wireCommand is a request of the master to one node: start (with extra
// arguments) or stop a process. From, Incarnation and SentAt (the sender's
// agent and clock, unix nanoseconds) let the receiver drop a start that
// reaches it too late (see startValidity) or after a later request.
type wireCommand struct {
	_struct     bool `codec:",toarray"`
	Group       string
	Name        string
	Extra       string
	From        string
	Incarnation uint64
	SentAt      int64
	Cancels     int64
	Copy        int64
}

// command is a decoded wireCommand.
type command struct {
	key         view.Key
	extra       string
	from        string
	incarnation uint64
	sentAt      time.Time
	// cancels, on a stop, is the sentAt of the start it cancels (the
	// master gave it up): only the copy that start made is stopped.
	cancels time.Time
	// copy, on a stop, is the start of the copy it stops (its record's,
	// in its node's clock; zero: whatever runs).
	copy time.Time
}

func encodeCommand(t messageType, c command) []byte {
	return encode(t, wireCommand{Group: c.key.Group, Name: c.key.Name, Extra: c.extra, From: c.from,
		Incarnation: c.incarnation, SentAt: nanos(c.sentAt), Cancels: nanos(c.cancels), Copy: nanos(c.copy)})
}

func decodeCommand(body []byte) (command, error) {
	var w wireCommand
	err := decodeBody(body, &w)
	return command{key: view.Key{Group: w.Group, Name: w.Name}, extra: w.Extra, from: w.From,
		incarnation: w.Incarnation, sentAt: fromNanos(w.SentAt), cancels: fromNanos(w.Cancels), copy: fromNanos(w.Copy)}, err
}

// wireKey is a view.Key.
type wireKey struct {
	_struct bool `codec:",toarray"`
	Group   string
	Name    string
}

func encodeCrashes(keys []view.Key) []byte {
	w := make([]wireKey, len(keys))
	for i, k := range keys {
		w[i] = wireKey{Group: k.Group, Name: k.Name}
	}
	return encode(msgCrashes, w)
}

func decodeCrashes(body []byte) ([]view.Key, error) {
	var w []wireKey
	if err := decodeBody(body, &w); err != nil {
		return nil, err
	}
	keys := make([]view.Key, len(w))
	for i, k := range w {
		keys[i] = view.Key{Group: k.Group, Name: k.Name}
	}
	return keys, nil
}

// encodeProgress is a node's progress as its answers to probes carry it
// (ring.Handler.AckState): its incarnation and the Seq of its records.
func encodeProgress(incarnation, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, incarnation), seq)
}

// decodeProgress reads encodeProgress; ok is false for anything else.
func decodeProgress(b []byte) (incarnation, seq uint64, ok bool) {
	if len(b) != 16 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:]), true
}
