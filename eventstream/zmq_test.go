package eventstream

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

// TestZMQSlowSubscriberDoesNotHoldBackOthers: a subscriber that never
// reads is dropped once its queue is full, while another one gets every
// event, filtered by its prefix, in two frames.
func TestZMQSlowSubscriberDoesNotHoldBackOthers(t *testing.T) {
	h := NewHub(Options{Queue: 8})
	pub, err := ListenZMQ(h, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	endpoint := "tcp://" + pub.Addr().String()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fast := zmq4.NewSub(ctx)
	defer fast.Close()
	if err := fast.Dial(endpoint); err != nil {
		t.Fatal(err)
	}
	if err := fast.SetOption(zmq4.OptionSubscribe, "ev"); err != nil {
		t.Fatal(err)
	}
	// The slow one subscribes to everything and reads nothing.
	c, err := net.Dial("tcp", pub.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	slow, err := zmq4.Open(c, null.Security(), zmq4.Sub, nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := slow.SendMsg(zmq4.NewMsg([]byte{1})); err != nil {
		t.Fatal(err)
	}

	msgs := make(chan zmq4.Msg, 100)
	go func() {
		for {
			m, err := fast.Recv()
			if err != nil {
				return
			}
			msgs <- m
		}
	}()

	big := strings.Repeat("x", 64<<10)
	// Until the fast subscriber's subscription has arrived, publish.
	for {
		if err := h.Publish(TopicProcess, big); err != nil {
			t.Fatal(err)
		}
		if err := h.Publish(TopicEvent, "hello"); err != nil {
			t.Fatal(err)
		}
		msg, err := recvWithin(msgs, 200*time.Millisecond)
		if err == nil {
			if len(msg.Frames) != 2 || string(msg.Frames[0]) != TopicEvent || string(msg.Frames[1]) != `"hello"` {
				t.Fatalf("message %q", msg.Frames)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the fast subscriber got nothing")
		}
	}
	for i := 0; ; i++ {
		if _, dropped := h.Stats(); dropped == 1 {
			t.Logf("dropped after %d rounds", i)
			break
		}
		if i == 10000 {
			t.Fatal("the slow subscriber was never dropped")
		}
		if err := h.Publish(TopicProcess, big); err != nil {
			t.Fatal(err)
		}
		if err := h.Publish(TopicEvent, i); err != nil {
			t.Fatal(err)
		}
		// The fast one keeps up, whatever the slow one does.
		for {
			msg, err := recvWithin(msgs, 10*time.Second)
			if err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
			if string(msg.Frames[0]) == TopicEvent {
				break
			}
			t.Fatalf("the fast subscriber got topic %q outside its prefix", msg.Frames[0])
		}
	}
	if n, _ := h.Stats(); n != 1 {
		t.Errorf("%d subscribers left, want the fast one", n)
	}
}

func recvWithin(msgs <-chan zmq4.Msg, d time.Duration) (zmq4.Msg, error) {
	select {
	case m := <-msgs:
		return m, nil
	case <-time.After(d):
		return zmq4.Msg{}, context.DeadlineExceeded
	}
}
