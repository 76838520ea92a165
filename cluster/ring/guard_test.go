package ring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/memberlist"

	"github.com/supvisors/supvisors-go/internal/testnet"
)

// recorder is a Handler that records what the ring tells it.
type recorder struct {
	mu       sync.Mutex
	messages []string // "from:payload"
	alive    []string
	// ackState is what it answers probes with; heartbeats are the
	// answers it got, "name:state".
	ackState   []byte
	heartbeats []string
	changed    chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) note(f func()) {
	r.mu.Lock()
	f()
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) Admit(string, []byte) error { return nil }
func (r *recorder) Alive(name string, _ []byte) {
	r.note(func() { r.alive = append(r.alive, name) })
}
func (r *recorder) Dead(string) {}
func (r *recorder) Message(from string, payload []byte) {
	r.note(func() { r.messages = append(r.messages, from+":"+string(payload)) })
}

// Answer records the request as a message and answers it with the
// request reversed; "refuse" gets no answer.
func (r *recorder) Answer(from string, payload []byte) []byte {
	r.Message(from, payload)
	if string(payload) == "refuse" {
		return nil
	}
	answer := slices.Clone(payload)
	slices.Reverse(answer)
	return answer
}
func (r *recorder) LocalState() []byte { return nil }
func (r *recorder) NodeMeta() []byte   { return nil }
func (r *recorder) AckState() []byte   { return r.ackState }
func (r *recorder) Heartbeat(name string, _ time.Time, state []byte) {
	r.note(func() { r.heartbeats = append(r.heartbeats, name+":"+string(state)) })
}

// has tells whether f holds of what was recorded.
func (r *recorder) has(f func(r *recorder) bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return f(r)
}

// waitFor waits until f holds, at most 10 s.
func (r *recorder) waitFor(tb testing.TB, what string, f func(r *recorder) bool) {
	tb.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for !r.has(f) {
		select {
		case <-r.changed:
		case <-deadline.C:
			tb.Fatalf("%s not seen within 10s: messages %v, alive %v", what, r.messages, r.alive)
		}
	}
}

// testRing creates (and starts, if start) a ring named name listening on
// port; f adjusts its configuration.
func testRing(tb testing.TB, name string, port int, h Handler, start bool, f func(*Config)) *Ring {
	tb.Helper()
	cfg := DefaultConfig(3)
	cfg.Name, cfg.Port, cfg.Handler = name, port, h
	cfg.Logger = hclog.New(&hclog.LoggerOptions{Name: name, Level: hclog.Warn, Output: testWriter{tb}})
	if f != nil {
		f(&cfg)
	}
	r, err := Create(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = r.Shutdown() })
	if start {
		r.Start()
	}
	return r
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(string(p))
	return len(p), nil
}

// outsider is a memberlist that never joins: what anyone on the network
// can run.
func outsider(tb testing.TB, ip string, port int) *memberlist.Memberlist {
	tb.Helper()
	mc := memberlist.DefaultLANConfig()
	mc.Name = "outsider-" + ip
	mc.BindAddr, mc.BindPort, mc.AdvertiseAddr, mc.AdvertisePort = ip, port, ip, port
	mc.Label = DefaultConfig(3).Label
	mc.LogOutput = testWriter{tb}
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{ip}, BindPort: port})
	if err != nil {
		tb.Fatal(err)
	}
	mc.Transport = boundTransport{nt, net.ParseIP(ip)}
	ml, err := memberlist.Create(mc)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ml.Shutdown() })
	return ml
}

// boundTransport dials from its own IP, as a host of its own would (on
// the loopback, the kernel would pick 127.0.0.1).
type boundTransport struct {
	*memberlist.NetTransport
	ip net.IP
}

func (t boundTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout, LocalAddr: &net.TCPAddr{IP: t.ip}}
	return d.Dial("tcp", addr)
}

func (t boundTransport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	return t.DialTimeout(a.Addr, timeout)
}

// TestOnlyTheClusterIsHeard: messages from an address outside the cluster
// never reach the handler, by gossip (UDP), memberlist's reliable messages
// (TCP) or the channel; the channel names the sender of a listed address,
// gossip names none.
func TestOnlyTheClusterIsHeard(t *testing.T) {
	port := testnet.FreePortOnAll(t, 9)
	rec := newRecorder()
	testRing(t, "127.0.0.1", port, rec, true, func(c *Config) { c.Peers = []string{"127.0.0.2"} })

	out := outsider(t, "127.0.0.9", port)
	target := memberlist.Address{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Name: "127.0.0.1"}
	if err := out.SendToAddress(target, []byte("udp from outside")); err != nil {
		t.Fatal(err)
	}
	// The guard may close a connection before its sender has written:
	// these sends may fail.
	_ = out.SendReliable(&memberlist.Node{Name: "127.0.0.1", Addr: net.ParseIP("127.0.0.1"), Port: uint16(port)}, []byte("tcp from outside"))
	intruder := testRing(t, "127.0.0.8", port, newRecorder(), false, func(c *Config) { c.Peers = []string{"127.0.0.1"} })
	_ = intruder.SendDirect("127.0.0.1", []byte("channel from outside"))

	// A member, by the channel and by gossip: both arrive after what the
	// outsider sent first, which the ring has dropped by then.
	peer := testRing(t, "127.0.0.2", port, newRecorder(), true, func(c *Config) { c.Peers = []string{"127.0.0.1"} })
	rec.waitFor(t, "the peer alive", func(r *recorder) bool { return slices.Contains(r.alive, "127.0.0.2") })
	if err := peer.SendDirect("127.0.0.1", []byte("channel from a member")); err != nil {
		t.Fatal(err)
	}
	peer.Broadcast("b", []byte("gossip from a member"))
	rec.waitFor(t, "the member's messages", func(r *recorder) bool {
		return slices.Contains(r.messages, "127.0.0.2:channel from a member") && slices.Contains(r.messages, ":gossip from a member")
	})
	rec.has(func(r *recorder) bool {
		for _, m := range r.messages {
			if m != "127.0.0.2:channel from a member" && m != ":gossip from a member" {
				t.Errorf("message %q reached the handler", m)
			}
		}
		return true
	})
}

// TestHostNamesAreChecked: a member must advertise an IP its name
// resolves to; one that claims another address's name is refused, host
// name or not.
func TestHostNamesAreChecked(t *testing.T) {
	hosts := map[string]string{"alpha": "127.0.0.1", "beta": "127.0.0.2", "gamma": "127.0.0.3", "delta": "127.0.0.4"}
	lookup := func(_ context.Context, host string) ([]net.IP, error) {
		if ip, ok := hosts[host]; ok {
			return []net.IP{net.ParseIP(ip)}, nil
		}
		return nil, fmt.Errorf("no such host %s", host)
	}
	port := testnet.FreePortOnAll(t, 9)
	rec := newRecorder()
	list := []string{"alpha", "beta", "gamma", "delta"}
	ring := func(name, ip string) *Ring {
		var peers []string
		for _, n := range list {
			if n != name {
				peers = append(peers, n)
			}
		}
		return testRing(t, name, port, newRecorder(), true, func(c *Config) {
			c.Peers, c.LookupIP, c.BindAddr = peers, lookup, ip
		})
	}
	testRing(t, "alpha", port, rec, true, func(c *Config) { c.Peers, c.LookupIP = []string{"beta", "gamma", "delta"}, lookup })
	// delta's host runs an agent that calls itself beta.
	ring("beta", "127.0.0.4")
	ring("gamma", "127.0.0.3")
	rec.waitFor(t, "gamma alive", func(r *recorder) bool { return slices.Contains(r.alive, "gamma") })
	if rec.has(func(r *recorder) bool { return slices.Contains(r.alive, "beta") }) {
		t.Error("an agent at 127.0.0.4 (delta) calling itself beta (127.0.0.2) was admitted")
	}
}

// TestDeafAddressIsNotHeard: nothing an address the owner says it is deaf
// to (a fenced one) sends reaches the handler; the others are heard. (Its
// membership is the handler's to refuse: the others may gossip it alive.)
func TestDeafAddressIsNotHeard(t *testing.T) {
	port := testnet.FreePortOnAll(t, 3)
	rec := newRecorder()
	testRing(t, "127.0.0.1", port, rec, true, func(c *Config) {
		c.Peers = []string{"127.0.0.2", "127.0.0.3"}
		c.Deaf = func(name string) bool { return name == "127.0.0.2" }
	})
	deaf := testRing(t, "127.0.0.2", port, newRecorder(), true, func(c *Config) { c.Peers = []string{"127.0.0.1"} })
	heard := testRing(t, "127.0.0.3", port, newRecorder(), true, func(c *Config) { c.Peers = []string{"127.0.0.1"} })
	rec.waitFor(t, "127.0.0.3 alive", func(r *recorder) bool { return slices.Contains(r.alive, "127.0.0.3") })
	_ = deaf.SendDirect("127.0.0.1", []byte("from the deaf address"))
	// Accepted after the other (connections are taken in order): once it
	// is in, the other was dropped.
	if err := heard.SendDirect("127.0.0.1", []byte("from a heard one")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the message of 127.0.0.3", func(r *recorder) bool { return slices.Contains(r.messages, "127.0.0.3:from a heard one") })
	rec.has(func(r *recorder) bool {
		if slices.Contains(r.messages, "127.0.0.2:from the deaf address") {
			t.Errorf("the deaf address was heard: messages %v", r.messages)
		}
		return true
	})
}

// TestExchange: a request reaches the member's handler as from its
// sender, and its answer comes back on the same connection, sealed like
// everything on the channel; one the handler refuses is an error, and so
// is an exchange with a node that is not an alive member.
func TestExchange(t *testing.T) {
	port := testnet.FreePortOnAll(t, 3)
	keys := func(c *Config) { c.Keys = [][]byte{keyA} }
	asked := newRecorder()
	testRing(t, "127.0.0.1", port, asked, true, func(c *Config) { keys(c); c.Peers = []string{"127.0.0.2"} })
	asker := testRing(t, "127.0.0.2", port, newRecorder(), true, func(c *Config) { keys(c); c.Peers = []string{"127.0.0.1"} })
	asked.waitFor(t, "127.0.0.2 alive", func(r *recorder) bool { return slices.Contains(r.alive, "127.0.0.2") })
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(asker.Members(), "127.0.0.1") {
		if time.Now().After(deadline) {
			t.Fatal("127.0.0.1 never alive at 127.0.0.2")
		}
		time.Sleep(10 * time.Millisecond)
	}
	answer, err := asker.Exchange("127.0.0.1", []byte("state?"))
	if err != nil || string(answer) != "?etats" {
		t.Fatalf("answer %q, %v; want \"?etats\"", answer, err)
	}
	if !asked.has(func(r *recorder) bool { return slices.Contains(r.messages, "127.0.0.2:state?") }) {
		t.Error("the request did not reach the handler as from 127.0.0.2")
	}
	if answer, err := asker.Exchange("127.0.0.1", []byte("refuse")); err == nil {
		t.Errorf("a refused request answered %q", answer)
	}
	if _, err := asker.Exchange("127.0.0.3", []byte("state?")); !errors.Is(err, ErrNotMember) {
		t.Errorf("exchange with a node that is not a member: %v, want ErrNotMember", err)
	}
}

// TestAckState: a member's answers to probes carry its AckState to the
// prober's Heartbeat; one larger than MaxAckState is left out, the
// heartbeat still counting.
func TestAckState(t *testing.T) {
	port := testnet.FreePortOnAll(t, 3)
	prober := newRecorder()
	testRing(t, "127.0.0.1", port, prober, true, func(c *Config) { c.Peers = []string{"127.0.0.2", "127.0.0.3"} })
	small, large := newRecorder(), newRecorder()
	small.ackState = []byte("progress")
	large.ackState = make([]byte, MaxAckState+1)
	testRing(t, "127.0.0.2", port, small, true, func(c *Config) { c.Peers = []string{"127.0.0.1"} })
	testRing(t, "127.0.0.3", port, large, true, func(c *Config) { c.Peers = []string{"127.0.0.1"} })
	prober.waitFor(t, "both answers", func(r *recorder) bool {
		return slices.Contains(r.heartbeats, "127.0.0.2:progress") && slices.Contains(r.heartbeats, "127.0.0.3:")
	})
}
