package strategy

import (
	"cmp"
	"slices"
)

// Rollout is the order of a rolling restart: the items that run, by
// ascending stop sequence, in their given order within a sequence. Each
// is restarted once the one before runs again, so a homogeneous group
// (worker_0..N) never has more than one process down.
func Rollout[T any](items []T, running func(T) bool, stopSequence func(T) int) []T {
	order := slices.DeleteFunc(slices.Clone(items), func(x T) bool { return !running(x) })
	slices.SortStableFunc(order, func(a, b T) int { return cmp.Compare(stopSequence(a), stopSequence(b)) })
	return order
}
