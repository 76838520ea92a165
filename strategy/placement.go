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
	// Host is the machine the address runs on (its host_name).
	Host string
	// Eligible: the address is RUNNING and has the process in its
	// configuration.
	Eligible bool
	// Load is the sum of the loading of the processes running there and of
	// the starts in flight towards it; HostLoad is the same summed over
	// every address of Host.
	Load, HostLoad int
}

// fits tells whether c can take a process of the given loading: the load
// of the address must stay under 100 %.
func (c Candidate) fits(loading int) bool { return c.Eligible && c.Load+loading < 100 }

// better tells whether c is a better choice than best for strategy s
// (ties go to best, the earlier): a lower (higher) load for LESS_LOADED
// (MOST_LOADED); for the *_NODE strategies, a lower (higher) load of its
// host, then of the address.
func better(s enums.StartingStrategy, c, best Candidate) bool {
	switch s {
	case enums.StartLessLoaded:
		return c.Load < best.Load
	case enums.StartMostLoaded:
		return c.Load > best.Load
	case enums.StartLessLoadedNode:
		return c.HostLoad < best.HostLoad || c.HostLoad == best.HostLoad && c.Load < best.Load
	case enums.StartMostLoadedNode:
		return c.HostLoad > best.HostLoad || c.HostLoad == best.HostLoad && c.Load > best.Load
	}
	return false
}

// Place chooses the address for a process of the given loading among
// candidates, given in the rule's order (address_list order for "*"):
// CONFIG takes the first that fits, LESS_LOADED and MOST_LOADED the one
// with the lowest and highest load, LESS_LOADED_NODE and MOST_LOADED_NODE
// one of the host with the lowest and highest load (of its addresses, the
// least and most loaded), ties to the earlier; LOCAL the local address if
// it fits. It reports false when none fits.
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
		default:
			if best < 0 || better(p.Strategy, c, candidates[best]) {
				best = i
			}
		}
	}
	if best < 0 {
		return "", false
	}
	return candidates[best].Address, true
}

// Want is a process to place: its loading and the candidates its rules
// allow, in their order.
type Want struct {
	Loading    int
	Candidates []Candidate
	// Passing: the process exits at the end of its phase (wait_exit), and
	// its loading leaves its address then.
	Passing bool
}

// Plan places the wants of each phase, one after the other, as their starts
// would go: each placement adds its loading to its address and its host
// for the wants after it, and the passing ones of a phase give theirs back
// once it is over. It returns the address of each want, "" where none
// fits. The start of an application places each phase with Plan, and its
// dry run places them all at once: the two agree as long as nothing else
// changes in between.
func Plan(p Placement, phases [][]Want) [][]string {
	added, hostAdded := map[string]int{}, map[string]int{}
	out := make([][]string, len(phases))
	for i, phase := range phases {
		out[i] = make([]string, len(phase))
		hosts := make([]string, len(phase))
		for j, w := range phase {
			cands := make([]Candidate, len(w.Candidates))
			for k, c := range w.Candidates {
				c.Load += added[c.Address]
				c.HostLoad += hostAdded[c.Host]
				cands[k] = c
			}
			address, ok := Place(p, cands, w.Loading)
			if !ok {
				continue
			}
			for _, c := range cands {
				if c.Address == address {
					hosts[j] = c.Host
				}
			}
			out[i][j] = address
			added[address] += w.Loading
			hostAdded[hosts[j]] += w.Loading
		}
		for j, w := range phase {
			if w.Passing && out[i][j] != "" {
				added[out[i][j]] -= w.Loading
				hostAdded[hosts[j]] -= w.Loading
			}
		}
	}
	return out
}
