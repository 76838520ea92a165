package strategy

import (
	"cmp"
	"slices"
)

// Phases groups items by ascending sequence number: the phases of an
// application's start (by program start_sequence), of its stop (by
// stop_sequence), or of the deployment (by application start_sequence).
// Items of sequence 0 are dropped when skipZero is set (not started with
// the others); within a phase, items keep their order.
func Phases[T any](items []T, sequence func(T) int, skipZero bool) [][]T {
	sorted := slices.Clone(items)
	if skipZero {
		sorted = slices.DeleteFunc(sorted, func(x T) bool { return sequence(x) == 0 })
	}
	slices.SortStableFunc(sorted, func(a, b T) int { return cmp.Compare(sequence(a), sequence(b)) })
	var phases [][]T
	for i, x := range sorted {
		if i == 0 || sequence(x) != sequence(sorted[i-1]) {
			phases = append(phases, nil)
		}
		phases[len(phases)-1] = append(phases[len(phases)-1], x)
	}
	return phases
}
