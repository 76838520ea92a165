package strategy

import "github.com/supvisors/supvisors-go/enums"

// Placement is a starting strategy with the address LOCAL means: the node
// that received the request, whichever node carries it out.
type Placement struct {
	Strategy enums.StartingStrategy
	Local    string
}

// Candidate is an address that could run a process, as placement sees it.
type Candidate struct {
	Address string
	// Eligible: the address is RUNNING and has the process in its
	// configuration.
	Eligible bool
	// Load is the sum of the loading of the processes running there and of
	// the starts in flight towards it.
	Load int
}

// fits tells whether c can take a process of the given loading: the load
// must stay under 100 %.
func (c Candidate) fits(loading int) bool { return c.Eligible && c.Load+loading < 100 }

// Place chooses the address for a process of the given loading among
// candidates, given in the rule's order (address_list order for "*"):
// CONFIG takes the first that fits, LESS_LOADED and MOST_LOADED the one
// with the lowest and highest load (ties to the earlier), LOCAL the local
// address if it fits. It reports false when none fits.
func Place(p Placement, candidates []Candidate, loading int) (string, bool) {
	best := -1
	for i, c := range candidates {
		if !c.fits(loading) {
			continue
		}
		switch p.Strategy {
		case enums.StartConfig:
			return c.Address, true
		case enums.StartLocal:
			if c.Address == p.Local {
				return c.Address, true
			}
		case enums.StartLessLoaded:
			if best < 0 || c.Load < candidates[best].Load {
				best = i
			}
		case enums.StartMostLoaded:
			if best < 0 || c.Load > candidates[best].Load {
				best = i
			}
		}
	}
	if best < 0 {
		return "", false
	}
	return candidates[best].Address, true
}
