package view

import (
	"bytes"
	"fmt"
)

// Admission is what decides which members the ring accepts and hears, as
// of one moment: address_list, the rules file and this node's fences. It
// is never modified once made: safe for concurrent use, so that
// memberlist's goroutines decide without waiting for the view (the alive
// messages that refute suspicions would wait behind it, and be dropped
// when too many do). View.Admission makes a new one when a fence changes.
type Admission struct {
	local  string
	known  map[string]bool // address_list
	rules  []byte
	fences map[string]fence
}

// fence is an address this node fenced.
type fence struct {
	// incarnation is the one fenced; readmitted, whether an operator let
	// its next one back in.
	incarnation uint64
	readmitted  bool
}

// Admission returns the view's current Admission.
func (v *View) Admission() *Admission {
	if v.admission == nil {
		ad := &Admission{local: v.cfg.Local, known: v.known, rules: v.cfg.RulesHash, fences: map[string]fence{}}
		for _, a := range v.addresses {
			if a.fenced {
				ad.fences[a.name] = fence{incarnation: a.fencedIncarnation, readmitted: a.readmitted}
			}
		}
		v.admission = ad
	}
	return v.admission
}

// Admit tells whether the ring may accept a member: it must be in
// address_list, load the same rules file, and not be fenced, unless an
// operator re-admitted it and it is another incarnation of its agent than
// the one fenced (the agent restarted).
func (v *View) Admit(name string, meta Meta) error { return v.Admission().Admit(name, meta) }

// Admit tells whether the ring may accept the member name, which
// advertises meta (see View.Admit).
func (ad *Admission) Admit(name string, meta Meta) error {
	f, fenced := ad.fences[name]
	switch {
	case !ad.known[name]:
		return fmt.Errorf("%s: %w", name, ErrUnknownAddress)
	case name != ad.local && meta.Incarnation == 0:
		// 0 stands for an agent never heard of.
		return fmt.Errorf("%s advertises no incarnation", name)
	case fenced && !(f.readmitted && meta.Incarnation != f.incarnation):
		return fmt.Errorf("%s is ISOLATED (auto_fence) until an operator re-admits it and its agent restarts", name)
	case name != ad.local && !bytes.Equal(meta.Rules, ad.rules):
		return fmt.Errorf("%s loads another rules file (hash %x, this node's %x): %w", name, meta.Rules, ad.rules, ErrRulesDiffer)
	}
	return nil
}

// Deaf tells whether this node does not hear the gossip of name: it
// fenced it and no operator re-admitted it. What a fenced node gossips
// (alive, suspect, dead news of the others) would otherwise go on: one
// that comes back from a cut gossips the deaths it saw, and the others
// would fence members that never failed.
func (ad *Admission) Deaf(name string) bool {
	f, fenced := ad.fences[name]
	return fenced && !f.readmitted
}

// Refuses tells whether this node refuses to deal with name: outside
// address_list, or fenced.
func (ad *Admission) Refuses(name string) bool {
	_, fenced := ad.fences[name]
	return !ad.known[name] || fenced
}
