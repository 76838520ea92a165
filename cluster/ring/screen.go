package ring

import (
	"bytes"
	"crypto/aes"
	crand "crypto/rand"
	"encoding/binary"
	"hash/crc32"
	"hash/maphash"
	"sync"
	"time"

	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/memberlist"
)

// memberlist's message types, as its packets carry them.
const (
	mlSuspect  = 3
	mlAlive    = 4
	mlDead     = 5
	mlCompound = 7
	mlHasCRC   = 12
)

// screen reads a gossip packet before memberlist does, and returns what
// to hand on to it (nil: nothing). It refutes at once an accusation of
// this node (refuteEarly), and takes out the copies of alive, suspect and
// dead messages seen less than repeatWindow ago (repeats).
//
// Why: memberlist queues those messages for one handler, at most 1,024,
// alive messages first. Each node passes each one on several times, so a
// node receives each about as many times, and all but the first copy are
// no-ops; on a busy host they filled the queue, and a suspicion of the
// node waited behind them, or was dropped. At a launch of 100 agents on 2
// cores, a node heard it was suspected 4 s after the first suspicion,
// when every other node had declared it dead (1.2 s), and each of those
// deaths brought a rejoin, alive messages and exchanges that kept the
// hosts busy: 1,800-12,000 messages dropped by full queues in a run where
// the ring flapped for minutes, none with this screen (10 runs, all
// settled, where 1 of 3 did before).
//
// A packet screen cannot read (another label, keys or format) is handed
// on as it is: memberlist judges it.
func (r *Ring) screen(packet []byte, now time.Time) []byte {
	msg, label, err := memberlist.RemoveLabelHeaderFromPacket(packet)
	if err != nil || label != r.cfg.Label {
		return packet
	}
	kr := r.keys.Load()
	if kr.sealing() {
		if msg = kr.openGossip(msg, []byte(label)); msg == nil {
			return packet
		}
	}
	parts, ok := splitPacket(msg)
	if !ok {
		return packet
	}
	var keep [][]byte // nil while nothing is taken out
	for i, part := range parts {
		repeated := r.repeats.repeated(part, now)
		if !repeated {
			r.noticeAccusation(part)
		}
		switch {
		case repeated && keep == nil:
			keep = append(make([][]byte, 0, len(parts)), parts[:i]...)
		case !repeated && keep != nil:
			keep = append(keep, part)
		}
	}
	switch {
	case keep == nil:
		return packet
	case len(keep) == 0:
		return nil
	}
	left, err := kr.pack(keep, label)
	if err != nil {
		return packet
	}
	return left
}

// splitPacket returns the messages of an opened packet without its label:
// an optional CRC header, then one message or a compound of several (a
// count, their lengths, the messages). ok is false for a packet memberlist
// would not read whole.
func splitPacket(msg []byte) (parts [][]byte, ok bool) {
	if len(msg) >= 5 && msg[0] == mlHasCRC {
		if crc32.ChecksumIEEE(msg[5:]) != binary.BigEndian.Uint32(msg[1:5]) {
			return nil, false
		}
		msg = msg[5:]
	}
	switch {
	case len(msg) == 0:
		return nil, false
	case msg[0] != mlCompound:
		return [][]byte{msg}, true
	case len(msg) < 2:
		return nil, false
	}
	n := int(msg[1])
	lengths := msg[2:]
	if len(lengths) < 2*n {
		return nil, false
	}
	body := lengths[2*n:]
	parts = make([][]byte, 0, n)
	for i := range n {
		l := int(binary.BigEndian.Uint16(lengths[2*i:]))
		if l > len(body) {
			return nil, false
		}
		parts = append(parts, body[:l])
		body = body[l:]
	}
	return parts, true
}

// pack makes a packet of msgs (a compound of several) as memberlist would,
// under label, sealed with the first key if any, without a CRC (which
// memberlist does not require).
func (kr *keyring) pack(msgs [][]byte, label string) ([]byte, error) {
	msg := compound(msgs)
	if kr.sealing() {
		msg = kr.sealGossip(msg, []byte(label))
	}
	return memberlist.AddLabelHeaderToPacket(msg, label)
}

// compound is memberlist's message of msgs (at most 255, each at most
// 64 KiB): the only one, or a compound of several (a count, their lengths,
// the messages).
func compound(msgs [][]byte) []byte {
	if len(msgs) == 1 {
		return msgs[0]
	}
	msg := []byte{mlCompound, byte(len(msgs))}
	for _, m := range msgs {
		msg = binary.BigEndian.AppendUint16(msg, uint16(len(m)))
	}
	for _, m := range msgs {
		msg = append(msg, m...)
	}
	return msg
}

// sealGossip seals msg with the first key as memberlist does (version 1: a
// version byte, a nonce, the sealed message; label authenticated).
func (kr *keyring) sealGossip(msg, label []byte) []byte {
	aead := kr.aeads[0]
	sealed := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(msg)+aead.Overhead())
	sealed[0] = 1
	_, _ = crand.Read(sealed[1:]) // never fails
	return aead.Seal(sealed, sealed[1:], msg, label)
}

// openGossip opens a packet that memberlist sealed with one of the keys
// (version 1, or version 0, which pads the message as PKCS #7 does), or
// returns nil.
func (kr *keyring) openGossip(buf, label []byte) []byte {
	if len(buf) < 1 || buf[0] > 1 {
		return nil
	}
	for _, aead := range kr.aeads {
		n := 1 + aead.NonceSize()
		if len(buf) < n+aead.Overhead() {
			return nil
		}
		plain, err := aead.Open(nil, buf[1:n], buf[n:], label)
		if err != nil {
			continue
		}
		if buf[0] == 0 {
			pad := len(plain)
			if pad == 0 || int(plain[pad-1]) > aes.BlockSize || int(plain[pad-1]) > pad {
				return nil
			}
			plain = plain[:pad-int(plain[pad-1])]
		}
		return plain
	}
	return nil
}

// accusation is memberlist's suspect and dead messages, which have the
// same fields.
type accusation struct {
	Incarnation uint32
	Node        string
	From        string
}

// noticeAccusation refutes msg, one of memberlist's messages heard for
// the first time, if it accuses this node.
func (r *Ring) noticeAccusation(msg []byte) {
	if len(msg) == 0 || (msg[0] != mlSuspect && msg[0] != mlDead) || !bytes.Contains(msg, r.nameField) {
		return
	}
	var a accusation
	if codec.NewDecoderBytes(msg[1:], &codec.MsgpackHandle{}).Decode(&a) != nil || a.Node != r.cfg.Name {
		return
	}
	r.refuteEarly(a.Incarnation)
}

// refuteEarly tells the ring this node is alive, in a new incarnation,
// unless an accusation of incarnation inc or later was refuted already, or
// the node leaves (its death is then what it gossips). memberlist's own
// refutation, when its handler reads the accusation, is then a no-op,
// since the accusation is older than the node; it would also have raised
// the node's health score (Lifeguard), which memberlist gives no way to
// do from outside.
func (r *Ring) refuteEarly(inc uint32) {
	select {
	case <-r.done:
		return
	default:
	}
	for {
		below := r.refutedBelow.Load()
		if inc < below {
			return
		}
		if r.refutedBelow.CompareAndSwap(below, inc+1) {
			break
		}
	}
	r.log.Warn("refuting an accusation before memberlist reads it", "incarnation", inc)
	go func() {
		// UpdateNode then waits until the alive message went out enough
		// times: it is queued already when UpdateNode returns.
		_ = r.ml.UpdateNode(time.Nanosecond)
	}()
}

// repeatWindow is how long copies of an alive, suspect or dead message are
// dropped after the first: about how long the copies a node's peers pass
// on keep arriving. A copy after it is handed on, in case memberlist
// dropped the first.
const repeatWindow = time.Second

// maxRepeats bounds what repeats remembers: past it, it forgets what is
// past repeatWindow, and everything if that is not enough.
const maxRepeats = 8192

// repeats remembers the alive, suspect and dead messages seen lately, by a
// hash of their bytes: each node passes on the message it received as it
// is, so every copy of one has the same bytes, and a suspicion by another
// member (which memberlist counts) does not. Its methods are safe for
// concurrent use.
type repeats struct {
	mu   sync.Mutex
	seed maphash.Seed
	seen map[uint64]time.Time
}

func newRepeats() *repeats { return &repeats{seed: maphash.MakeSeed(), seen: map[uint64]time.Time{}} }

// repeated tells whether msg is an alive, suspect or dead message seen
// less than repeatWindow before now, and remembers it if not.
func (rp *repeats) repeated(msg []byte, now time.Time) bool {
	if len(msg) == 0 || (msg[0] != mlSuspect && msg[0] != mlAlive && msg[0] != mlDead) {
		return false
	}
	h := maphash.Bytes(rp.seed, msg)
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if at, ok := rp.seen[h]; ok && now.Sub(at) < repeatWindow {
		return true
	}
	if len(rp.seen) >= maxRepeats {
		for k, at := range rp.seen {
			if now.Sub(at) >= repeatWindow {
				delete(rp.seen, k)
			}
		}
		if len(rp.seen) > maxRepeats*3/4 {
			// A flood of messages never seen: forgetting lets copies
			// through, which memberlist reads as it would anyway. Short
			// of a quarter freed, the next sweep would come a few
			// messages later: each sweep is paid for by maxRepeats/4
			// messages at least.
			clear(rp.seen)
		}
	}
	rp.seen[h] = now
	return false
}
