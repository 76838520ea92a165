package view

import (
	"time"

	"github.com/supvisors/supvisors-go/enums"
)

// Key names a process across the cluster: its group (the application) and
// its name. Every node that has the program in its configuration has a
// record under the same key.
type Key struct {
	Group, Name string
}

// Namespec is "group:name", as Supervisor writes it.
func (k Key) Namespec() string { return k.Group + ":" + k.Name }

// ProcessRecord is what a node says of one of its own processes. Times are
// the owner's clock; Seq orders the owner's records (higher is newer).
type ProcessRecord struct {
	Group, Name string
	State       enums.ProcessState
	Start, Stop time.Time
	// Changed is the time of the last state change.
	Changed    time.Time
	PID        int
	SpawnErr   string
	ExitStatus int
	// Expected tells whether the last exit status was in exitcodes.
	Expected bool
	Seq      uint64
	// Removed marks a process that left the owner's configuration: a
	// tombstone, so that an older update cannot bring it back.
	Removed bool
	// Disabled: its program is disabled on the owner (supvisors.disable),
	// which starts it no more.
	Disabled bool
}

// Key returns the record's key.
func (r ProcessRecord) Key() Key { return Key{r.Group, r.Name} }

// sameContent tells whether r and o describe the same thing, Seq aside.
func (r ProcessRecord) sameContent(o ProcessRecord) bool {
	r.Seq, o.Seq = 0, 0
	return r == o
}

// Update is one changed record of a node, as gossiped.
type Update struct {
	Node        string
	Incarnation uint64
	Record      ProcessRecord
}

// FullState is everything a node owns, as of its sequence number Seq: the
// answer to a state request and the payload of push/pull syncs.
type FullState struct {
	Node        string
	Incarnation uint64
	Seq         uint64
	Records     []ProcessRecord // tombstones left out
	// Leaving: the node sends this last, before it leaves the ring on
	// purpose; its departure is then not a failure.
	Leaving bool
	// Ready: the node's supervisor has activated its configuration, so
	// the records are complete (an agent's ring listens a moment before).
	Ready bool
}

// nodeRecords is one node's records as known here, for one incarnation of
// its agent.
type nodeRecords struct {
	incarnation uint64
	byKey       map[Key]ProcessRecord
	// fullSeq is the Seq of the newest full state merged: a record missing
	// from it was gone by then, so an older update of it is stale.
	fullSeq uint64
	// maxSeq is the highest Seq of a record applied.
	maxSeq uint64
	// version counts the changes of byKey (from 1): what is derived from
	// the records is derived again only when it moved.
	version uint64
}

// known is the node's Seq as far as this node knows: every change of its
// records up to it has been heard of.
func (n *nodeRecords) known() uint64 { return max(n.fullSeq, n.maxSeq) }

func newNodeRecords(incarnation uint64) *nodeRecords {
	return &nodeRecords{incarnation: incarnation, byKey: map[Key]ProcessRecord{}, version: 1}
}

// get returns the live record of k.
func (n *nodeRecords) get(k Key) (ProcessRecord, bool) {
	r, ok := n.byKey[k]
	if !ok || r.Removed {
		return ProcessRecord{}, false
	}
	return r, true
}

// touched lists the keys whose live record changed.
type touched map[Key]struct{}

// adopt makes incarnation current: another agent starts with no records
// (its predecessor's children died with it). The caller decides which
// incarnation is current (View.current).
func (n *nodeRecords) adopt(incarnation uint64, t touched) {
	if incarnation == n.incarnation {
		return
	}
	for k, r := range n.byKey {
		if !r.Removed {
			t[k] = struct{}{}
		}
	}
	n.incarnation, n.byKey, n.fullSeq, n.maxSeq = incarnation, map[Key]ProcessRecord{}, 0, 0
	n.version++
}

// MaxRecords bounds the records kept of one node (its processes, and the
// tombstones of those removed): past it, records of new processes are
// dropped, and a full state with more is refused.
const MaxRecords = 100_000

// apply stores r if it is newer than what is known of its key.
func (n *nodeRecords) apply(r ProcessRecord, t touched) {
	k := r.Key()
	old, ok := n.byKey[k]
	if ok && old.Seq >= r.Seq || !ok && (r.Seq <= n.fullSeq || len(n.byKey) >= MaxRecords) {
		return
	}
	n.byKey[k] = r
	n.version++
	n.maxSeq = max(n.maxSeq, r.Seq)
	t[k] = struct{}{}
}

// applyFull merges a full state of the current incarnation: its records
// where newer, and the removal of every record it lacks that is not newer
// than it.
func (n *nodeRecords) applyFull(fs FullState, t touched) {
	present := make(map[Key]struct{}, len(fs.Records))
	for _, r := range fs.Records {
		present[r.Key()] = struct{}{}
		n.apply(r, t)
	}
	for k, r := range n.byKey {
		if _, ok := present[k]; !ok && r.Seq <= fs.Seq {
			delete(n.byKey, k)
			n.version++
			if !r.Removed {
				t[k] = struct{}{}
			}
		}
	}
	n.fullSeq = max(n.fullSeq, fs.Seq)
}
