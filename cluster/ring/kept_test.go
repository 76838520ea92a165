package ring

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/internal/testnet"
)

// dropped tells whether r dropped something from sender for reason.
func dropped(r *Ring, sender, reason string) bool {
	r.drops.mu.Lock()
	defer r.drops.mu.Unlock()
	return r.drops.seen[dropKey{sender, reason}] != nil
}

// peers sets a ring's peers.
func peers(names ...string) func(*Config) { return func(c *Config) { c.Peers = names } }

// waitUntil waits until cond holds, at most 10 s.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s not seen within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMessagesShareAKeptConnection: the messages to a peer go, in order,
// on the one connection its sender keeps, sealed as ever; the receiver
// keeps one from that sender.
func TestMessagesShareAKeptConnection(t *testing.T) {
	port := testnet.FreePortOnAll(t, 2)
	rec := newRecorder()
	receiver := testRing(t, "127.0.0.1", port, rec, false, func(c *Config) { c.Keys, c.Peers = [][]byte{keyA}, []string{"127.0.0.2"} })
	sender := testRing(t, "127.0.0.2", port, newRecorder(), false, func(c *Config) { c.Keys, c.Peers = [][]byte{keyA}, []string{"127.0.0.1"} })
	var want []string
	for i := range 20 {
		msg := fmt.Sprintf("message %d", i)
		want = append(want, "127.0.0.2:"+msg)
		if err := sender.SendDirect("127.0.0.1", []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	rec.waitFor(t, "the 20 messages", func(r *recorder) bool { return len(r.messages) == len(want) })
	rec.has(func(r *recorder) bool {
		if !slices.Equal(r.messages, want) {
			t.Errorf("messages %v, want %v", r.messages, want)
		}
		return true
	})
	sender.kept.mu.Lock()
	outs := len(sender.kept.out)
	sender.kept.mu.Unlock()
	receiver.kept.mu.Lock()
	_, in := receiver.kept.in["127.0.0.2"]
	ins := len(receiver.kept.in)
	receiver.kept.mu.Unlock()
	if outs != 1 || !in || ins != 1 {
		t.Errorf("connections kept: %d by the sender, %d by the receiver (from 127.0.0.2: %v); want 1 each", outs, ins, in)
	}
}

// TestKeptConnectionToARestartedPeer: a message sent after the peer's
// agent restarted reaches the new one; the connection kept to the old one
// would have taken it without an error and lost it.
func TestKeptConnectionToARestartedPeer(t *testing.T) {
	port := testnet.FreePortOnAll(t, 2)
	first := newRecorder()
	old := testRing(t, "127.0.0.1", port, first, false, peers("127.0.0.2"))
	sender := testRing(t, "127.0.0.2", port, newRecorder(), false, peers("127.0.0.1"))
	if err := sender.SendDirect("127.0.0.1", []byte("to the first agent")); err != nil {
		t.Fatal(err)
	}
	first.waitFor(t, "the first message", func(r *recorder) bool { return len(r.messages) == 1 })
	if err := old.Shutdown(); err != nil {
		t.Fatal(err)
	}
	next := newRecorder()
	testRing(t, "127.0.0.1", port, next, false, peers("127.0.0.2"))
	// The old agent's close has reached the sender's socket by the time
	// the new one listens (loopback), as it would once a host restarted.
	if err := sender.SendDirect("127.0.0.1", []byte("to the next agent")); err != nil {
		t.Fatal(err)
	}
	next.waitFor(t, "the message to the next agent", func(r *recorder) bool {
		return slices.Contains(r.messages, "127.0.0.2:to the next agent")
	})
}

// TestKeptConnectionOfAnAddressFencedSince: once the receiver is deaf to
// a sender (fenced), the messages on the connection kept from it before
// are dropped, as on a new one.
func TestKeptConnectionOfAnAddressFencedSince(t *testing.T) {
	port := testnet.FreePortOnAll(t, 2)
	var deaf atomic.Bool
	rec := newRecorder()
	receiver := testRing(t, "127.0.0.1", port, rec, false, func(c *Config) {
		c.Peers = []string{"127.0.0.2"}
		c.Deaf = func(name string) bool { return deaf.Load() && name == "127.0.0.2" }
	})
	sender := testRing(t, "127.0.0.2", port, newRecorder(), false, peers("127.0.0.1"))
	if err := sender.SendDirect("127.0.0.1", []byte("before")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the message before the fence", func(r *recorder) bool { return len(r.messages) == 1 })
	deaf.Store(true)
	_ = sender.SendDirect("127.0.0.1", []byte("after"))
	waitUntil(t, "the drop of the message after the fence", func() bool {
		return dropped(receiver, "127.0.0.2", "message from a fenced address")
	})
	rec.has(func(r *recorder) bool {
		if slices.Contains(r.messages, "127.0.0.2:after") {
			t.Errorf("a message of a fenced address was heard: %v", r.messages)
		}
		return true
	})
}
