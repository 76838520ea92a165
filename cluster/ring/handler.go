package ring

import "time"

// Handler is what the ring tells its owner. memberlist calls it from its
// own goroutines, sometimes while holding its locks: a Handler must be safe
// for concurrent use and must never call back into the Ring synchronously.
type Handler interface {
	// Admit tells whether a member may be accepted; an error refuses it
	// (its alive messages are ignored). The ring has checked that the
	// member's IP is its address's.
	Admit(name string, meta []byte) error
	// Alive: a member joined, came back, or changed its meta.
	Alive(name string, meta []byte)
	// Dead: a member failed or left (memberlist's node state cannot tell
	// which).
	Dead(name string)
	// Message is a message from another node: from the address from,
	// which the ring vouches for (the channel: SendReliable, SendDirect),
	// or gossip, whose sender nobody knows (from is "": Broadcast, sent
	// on by any member). payload is only valid during the call.
	Message(from string, payload []byte)
	// Answer is a request from the address from (Ring.Exchange), which
	// the ring vouches for: what it returns goes back to the sender
	// (nil: nothing does). payload is only valid during the call.
	Answer(from string, payload []byte) []byte
	// LocalState is what the ring sends a random member every
	// StateExchangeInterval (anti-entropy), on the channel: the
	// receiver's Message gets it.
	LocalState() []byte
	// NodeMeta is the local node's meta, at most 512 bytes.
	NodeMeta() []byte
	// AckState is what the local node adds to its answers to probes, at
	// most MaxAckState bytes (more is left out).
	AckState() []byte
	// Heartbeat: member name answered a probe, its clock saying remote,
	// with its AckState (only valid during the call).
	Heartbeat(name string, remote time.Time, state []byte)
}

// MaxAckState bounds Handler.AckState: an answer to a probe is one UDP
// packet.
const MaxAckState = 64
