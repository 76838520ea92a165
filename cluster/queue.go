package cluster

import "sync"

// queue holds what the ring tells from memberlist's goroutines, in the
// order it came, for a goroutine of the cluster that takes it all at once
// and applies it in one update: memberlist's goroutines must not wait for
// the view's lock (the alive messages that refute suspicions wait behind
// them, and are dropped when too many do), and a storm (a cluster
// starting, a flapping member) costs one update per batch. Safe for
// concurrent use.
type queue[T any] struct {
	mu    sync.Mutex
	items []T
	// limit bounds the items held (0: no bound).
	limit  int
	queued chan struct{} // signalled when an item is pushed
}

func newQueue[T any](limit int) *queue[T] {
	return &queue[T]{limit: limit, queued: make(chan struct{}, 1)}
}

// push queues item; false when the queue is full and item was dropped.
func (q *queue[T]) push(item T) bool {
	q.mu.Lock()
	full := q.limit > 0 && len(q.items) >= q.limit
	if !full {
		q.items = append(q.items, item)
	}
	q.mu.Unlock()
	if !full {
		notify(q.queued)
	}
	return !full
}

// take returns the queued items, in order, and empties the queue.
func (q *queue[T]) take() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}

// feed calls apply with what is queued, each time something is, until
// done is closed.
func (q *queue[T]) feed(done <-chan struct{}, apply func([]T)) {
	onSignal(done, q.queued, func() {
		if items := q.take(); len(items) > 0 {
			apply(items)
		}
	})
}
