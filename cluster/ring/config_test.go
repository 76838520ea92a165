package ring

import (
	"testing"
	"time"
)

// TestDefaultConfigScales checks the shipped timings against the README's
// formulas: flat up to 10 nodes, gossip rounds, suspicion and state
// exchanges spaced as the ring grows, probes quicker from 47 nodes to 100
// (a suspicion window of 1 s at most), slower past 100.
func TestDefaultConfigScales(t *testing.T) {
	for _, c := range []struct {
		n                int
		probe, timeout   time.Duration
		gossip, exchange time.Duration
		fanout, mult     int
		window           time.Duration
		transmissions    int
	}{
		{1, 200 * time.Millisecond, 100 * time.Millisecond, 50 * time.Millisecond, 10 * time.Second, 3, 2, 400 * time.Millisecond, 4},
		{3, 200 * time.Millisecond, 100 * time.Millisecond, 50 * time.Millisecond, 10 * time.Second, 3, 2, 400 * time.Millisecond, 4},
		{10, 200 * time.Millisecond, 100 * time.Millisecond, 50 * time.Millisecond, 10 * time.Second, 3, 2, 400 * time.Millisecond, 8},
		{20, 200 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond, 10 * time.Second, 6, 3, 781 * time.Millisecond, 8},
		{32, 200 * time.Millisecond, 100 * time.Millisecond, 160 * time.Millisecond, 10 * time.Second, 10, 3, 903 * time.Millisecond, 8},
		{60, 187 * time.Millisecond, 112 * time.Millisecond, 200 * time.Millisecond, 20 * time.Second, 12, 3, 998 * time.Millisecond, 8},
		{99, 167 * time.Millisecond, 150 * time.Millisecond, 200 * time.Millisecond, 30 * time.Second, 12, 3, 1000 * time.Millisecond, 8},
		{100, 166 * time.Millisecond, 149 * time.Millisecond, 200 * time.Millisecond, 30 * time.Second, 12, 3, 996 * time.Millisecond, 9},
		{150, 300 * time.Millisecond, 270 * time.Millisecond, 200 * time.Millisecond, 40 * time.Second, 12, 3, 1958 * time.Millisecond, 9},
	} {
		cfg := DefaultConfig(c.n)
		if got := cfg.GossipInterval.Round(time.Millisecond); got != c.gossip {
			t.Errorf("n=%d: gossip interval %v, want %v", c.n, got, c.gossip)
		}
		if got := GossipFanout(cfg.GossipInterval, 1); got != c.fanout {
			t.Errorf("n=%d: gossip fanout %d, want %d", c.n, got, c.fanout)
		}
		if got := cfg.StateExchangeInterval(c.n); got != c.exchange {
			t.Errorf("n=%d: state exchange every %v, want %v", c.n, got, c.exchange)
		}
		if got := cfg.Transmissions(c.n); got != c.transmissions {
			t.Errorf("n=%d: %d transmissions of a broadcast, want %d", c.n, got, c.transmissions)
		}
		if cfg.SuspicionMult != c.mult {
			t.Errorf("n=%d: suspicion_mult %d, want %d", c.n, cfg.SuspicionMult, c.mult)
		}
		if got := cfg.SuspicionWindow(c.n).Round(time.Millisecond); got != c.window {
			t.Errorf("n=%d: suspicion window %v, want %v", c.n, got, c.window)
		}
		if cfg.ProbeInterval != c.probe || cfg.ProbeTimeout != c.timeout {
			t.Errorf("n=%d: probes every %v with a %v timeout, want %v and %v", c.n, cfg.ProbeInterval, cfg.ProbeTimeout, c.probe, c.timeout)
		}
	}
}

// TestGossipFanoutFollowsTheInterval checks that a gossip_interval set by
// hand keeps what a node sends per second: 3 members per 50 ms, at least
// memberlist's 3, at most 12.
func TestGossipFanoutFollowsTheInterval(t *testing.T) {
	for _, c := range []struct {
		interval time.Duration
		want     int
	}{
		{10 * time.Millisecond, 3},
		{50 * time.Millisecond, 3},
		{74 * time.Millisecond, 4},
		{100 * time.Millisecond, 6},
		{150 * time.Millisecond, 9},
		{200 * time.Millisecond, 12},
		{time.Second, 12},
	} {
		if got := GossipFanout(c.interval, 1); got != c.want {
			t.Errorf("GossipFanout(%v) = %d, want %d", c.interval, got, c.want)
		}
	}
}

// TestGossipFanoutSharesTheHost checks that the agents of one host send at
// most hostGossipRate gossip packets a second together (25 agents at
// memberlist's rate), and each at least 3 a round.
func TestGossipFanoutSharesTheHost(t *testing.T) {
	for _, c := range []struct {
		interval  time.Duration
		colocated int
		want      int
	}{
		{50 * time.Millisecond, 0, 3},
		{50 * time.Millisecond, 3, 3},
		{50 * time.Millisecond, 100, 3},
		{100 * time.Millisecond, 20, 6},
		{150 * time.Millisecond, 30, 8},
		{200 * time.Millisecond, 25, 12},
		{200 * time.Millisecond, 60, 5},
		{200 * time.Millisecond, 100, 3},
		{200 * time.Millisecond, 150, 3},
	} {
		if got := GossipFanout(c.interval, c.colocated); got != c.want {
			t.Errorf("GossipFanout(%v, %d) = %d, want %d", c.interval, c.colocated, got, c.want)
		}
	}
}
