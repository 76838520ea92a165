package cluster

import (
	"slices"
	"testing"
	"time"
)

// TestQueueBoundsAndOrder: a bounded queue drops what comes once full, and
// hands over what it holds in the order it came, all at once.
func TestQueueBoundsAndOrder(t *testing.T) {
	q := newQueue[int](3)
	for i := range 5 {
		if got, want := q.push(i), i < 3; got != want {
			t.Errorf("push(%d) = %v, want %v", i, got, want)
		}
	}
	if got := q.take(); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("take = %v, want [0 1 2]", got)
	}
	if !q.push(9) {
		t.Error("push refused once taken")
	}
	if got := q.take(); !slices.Equal(got, []int{9}) {
		t.Errorf("take = %v, want [9]", got)
	}
}

// TestQueueFeed: feed hands over each batch pushed, and returns once done
// is closed.
func TestQueueFeed(t *testing.T) {
	q := newQueue[int](0)
	done := make(chan struct{})
	got := make(chan []int, 10)
	returned := make(chan struct{})
	go func() {
		q.feed(done, func(items []int) { got <- items })
		close(returned)
	}()
	var all []int
	for i := range 100 {
		q.push(i)
	}
	deadline := time.After(10 * time.Second)
	for len(all) < 100 {
		select {
		case items := <-got:
			all = append(all, items...)
		case <-deadline:
			t.Fatalf("fed %d of 100 items", len(all))
		}
	}
	for i, v := range all {
		if v != i {
			t.Fatalf("item %d is %d: out of order", i, v)
		}
	}
	close(done)
	select {
	case <-returned:
	case <-deadline:
		t.Fatal("feed did not return once done was closed")
	}
}
