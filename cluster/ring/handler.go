package ring

import (
	"net"
	"time"
)

// Handler is what the ring tells its owner. memberlist calls it from its
// own goroutines, sometimes while holding its locks: a Handler must be safe
// for concurrent use and must never call back into the Ring synchronously.
type Handler interface {
	// Admit tells whether a member may be accepted; an error refuses it
	// (its alive messages are ignored).
	Admit(name string, addr net.IP, meta []byte) error
	// Alive: a member joined, came back, or changed its meta.
	Alive(name string, meta []byte)
	// Dead: a member failed or left (memberlist's node state cannot tell
	// which).
	Dead(name string)
	// Message is a broadcast or reliable message from another member.
	// payload is only valid during the call.
	Message(payload []byte)
	// LocalState is what a push/pull sends; MergeState receives the
	// other side's.
	LocalState(join bool) []byte
	MergeState(payload []byte, join bool)
	// NodeMeta is the local node's meta, at most 512 bytes.
	NodeMeta() []byte
	// Heartbeat: member name answered a probe, its clock saying remote.
	Heartbeat(name string, remote time.Time)
}
