// Package ring is the gossip membership of the cluster, over
// hashicorp/memberlist: failure detection, node meta, broadcasts, reliable
// messages and push/pull state sync. It knows nothing of Supvisors; its
// owner sees it through a Handler.
package ring

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Config configures a Ring. DefaultConfig gives the shipped timings.
type Config struct {
	// Name is the node's name in the ring: its address.
	Name string
	// BindAddr and Port are where the ring listens (UDP and TCP), and what
	// it advertises; BindAddr "" is Name's IP.
	BindAddr string
	Port     int
	// Peers are the names (addresses) of the other nodes, each listening
	// on Port too: the ring joins them, and joins again those that are not
	// alive members (Ring.Start). A node alone tries them in this order:
	// starting each node's list with its successor in the cluster's list
	// spreads the joins of nodes launched together. Packets and
	// connections from any other IP are dropped unread, and a member must
	// advertise its name's IP.
	Peers []string
	// Keys (each 16, 24 or 32 bytes) encrypt and authenticate gossip and
	// the ring's messages with AES-GCM: the first encrypts, every one
	// decrypts (a key rotation). None leaves them in the clear.
	Keys [][]byte
	// Label is written on every packet and checked on receipt, keeping
	// apart clusters that share a network.
	Label string

	// ProbeInterval is how often a member is probed, ProbeTimeout how long
	// a direct probe waits for its ack before asking others to try.
	ProbeInterval, ProbeTimeout time.Duration
	// GossipInterval is how often queued broadcasts go out, each time to
	// GossipFanout(GossipInterval, agents of this host) random members.
	GossipInterval time.Duration
	// PushPullInterval is how often the full state is exchanged with one
	// random member (anti-entropy), in a ring of up to 32 nodes: see
	// StateExchangeInterval.
	PushPullInterval time.Duration
	// SuspicionMult scales how long a suspected member may refute before
	// it is declared dead.
	SuspicionMult int
	// RetransmitMult scales how many times each node passes on each of
	// memberlist's own broadcasts (alive, suspect, dead): RetransmitMult·
	// ⌈log10(n+1)⌉ times (see Transmissions).
	RetransmitMult int
	// JoinInterval is how often a seed that is not an alive member is
	// joined again.
	JoinInterval time.Duration
	// TCPTimeout bounds reliable sends and joins.
	TCPTimeout time.Duration

	// LookupIP resolves the host names of Name and Peers (nil:
	// LookupIP, the system's resolver).
	LookupIP func(ctx context.Context, host string) ([]net.IP, error)

	// Deaf tells whether the address name is not to be heard (a fenced
	// one): its gossip packets and its messages on the channel are
	// dropped unread, as those from outside the cluster; memberlist's
	// streams (joins) still go through (nil: none is deaf). Called for
	// every packet: it must be cheap, and safe for concurrent use.
	Deaf func(name string) bool

	// Now is the node's wall clock, sent with every probe's ack (nil:
	// time.Now).
	Now func() time.Time
	// Logger receives memberlist's log lines, with their levels.
	Logger hclog.Logger
	// Handler is told what happens in the ring.
	Handler Handler
}

// DefaultConfig returns the shipped timings for a ring of n nodes: a
// failed node is declared dead in about 0.5–1 s on a LAN up to 10 nodes
// (see SuspicionWindow and the README), without false positives while the
// host is busy. What a node does per second stays flat as the ring grows:
// it probes one member per ProbeInterval (the same up to 46 nodes, a
// little more often up to 100 so that the suspicion window stays within
// 1 s, less often past 100: probeInterval); what grows with n is
// what one failure or one join sets off (a suspicion, alive messages that
// every node passes on), which gossip rounds carry: they are spaced as the
// ring grows (gossipInterval), and each goes to more members
// (GossipFanout), so that what is queued still leaves as fast; memberlist
// spaces its suspicion timeout (SuspicionWindow) and its push/pull
// (StateExchangeInterval) by scale(n). SuspicionMult is 2 up to 17 nodes, 3
// from 18 (suspicionMult): past 2, memberlist's suspicion waits for
// another member to confirm it (Lifeguard), longer for a member that only
// one prober, itself perhaps starved, suspects.
func DefaultConfig(n int) Config {
	return Config{
		ProbeInterval:    probeInterval(n),
		ProbeTimeout:     probeTimeout(n),
		GossipInterval:   gossipInterval(n),
		PushPullInterval: 10 * time.Second,
		SuspicionMult:    suspicionMult(n),
		RetransmitMult:   retransmitMult(n),
		JoinInterval:     time.Second,
		TCPTimeout:       2 * time.Second,
		Label:            "supvisors",
	}
}

// probeInterval is 200 ms, shortened from 47 to 100 nodes so that the
// suspicion window (SuspicionWindow: suspicionMult·scale·interval) stays at
// most suspicionTarget (166 ms at 100); past 100, 200 ms × n/100: the
// ring's probes stay at 500 a second in all, and a failure takes longer to
// be seen. At 100 agents on a 2-core virtual machine, 200 ms (a window of
// 1.2 s) saw a kill -9 on every node in 1.67-2.21 s, over 2 s in 3 kills
// of 12; 167 ms in 1.42-1.58 s (2 runs), for 0.37 % of a core per idle
// agent instead of 0.25 % (once the gossip socket no longer woke the
// runtime's monitor: before, 0.50 % against 0.32-0.42 %). At 150 agents
// on 2 cores, 200 ms left no margin: 9 % of the probes failed as soon as
// deaths began, and an event the whole cluster reacted to (a kill -9, the
// agents' return to GOGC 50) set off deaths, each refuted, that went on
// for minutes in 6 runs of 7 (make scale, variants of the agent); at
// 300 ms the cluster converged in 17.7-23.1 s, and the kills set off
// nothing (3 runs of 3), seen in 2.3-2.9 s.
func probeInterval(n int) time.Duration {
	if n > 100 {
		return time.Duration(float64(n) / 100 * float64(200*time.Millisecond))
	}
	window := float64(suspicionMult(n)) * scale(n)
	return min(200*time.Millisecond, time.Duration(float64(suspicionTarget)/window).Truncate(time.Millisecond))
}

// suspicionTarget is the longest suspicion window up to 100 nodes.
const suspicionTarget = time.Second

// probeTimeout is how long a direct probe waits in a ring of n nodes,
// before other members are asked to try until the probe interval ends:
// half the interval up to 50 nodes (100 ms, memberlist's share), then
// n/100 of it, up to 90 % from 90 nodes. A probe that is late only
// because its host is busy costs 3 indirect probes and their answers,
// which on hosts shared by many agents only add to the work: at 100
// agents on a 2-core virtual machine a third of the direct probes went
// indirect at a 100 ms timeout and the ring flapped for as long as it
// ran (3 runs of 3); at 180 ms every node was in OPERATION 10-11 s after
// the last answer in 3 runs of 4. The 20 ms left are still many round
// trips of a LAN for the indirect probes.
func probeTimeout(n int) time.Duration {
	share := min(0.9, max(0.5, float64(n)/100))
	return time.Duration(share * float64(probeInterval(n))).Round(time.Millisecond)
}

// gossipInterval is 50 ms up to 10 nodes, then 5 ms × n up to 200 ms
// (from 40 nodes). A gossip round is a wake-up of the node even when
// nothing is queued, the usual case, and wake-ups are what an idle agent
// pays for: on a 2-core virtual machine where each cost about 0.3 ms of
// CPU, 30 idle agents used 1.05 % of a core each at 74 ms, 0.85 % at
// 200 ms.
func gossipInterval(n int) time.Duration {
	return time.Duration(min(4, max(1, float64(n)/10)) * float64(50*time.Millisecond))
}

// GossipFanout is how many members a gossip round every interval goes to,
// for one of colocated agents of the cluster that share its host (1 or
// less: alone): 3 (memberlist's) per 50 ms, up to 12, so that a node sends
// what it queued as fast whatever the interval (a dead member, announced
// by one node, reaches 100 in two or three rounds), but no more than
// hostGossipRate packets a second for the agents of one host together,
// and no fewer than 3 a round.
func GossipFanout(interval time.Duration, colocated int) int {
	perSecond := min(60, hostGossipRate/float64(max(1, colocated)))
	return min(12, max(3, int(math.Round(perSecond*interval.Seconds()))))
}

// hostGossipRate bounds the gossip packets a second that the agents of one
// host send together when they all have something queued: 25 agents at
// memberlist's rate (3 per 50 ms). Every packet is a wake-up of the agent
// it reaches, and in a ring that flaps (a suspicion, then its refutation,
// for each probe that came late) every agent has something queued all the
// time: at 100 agents on a 2-core virtual machine where a wake-up cost
// 0.3 ms of CPU, 12 members every 200 ms made 6,000 packets a second, the
// whole machine, and the probes that came late because of it kept the
// ring flapping for as long as it ran; at 3 (1,500 a second) the flaps of
// the launch died out more often. What each packet carries (a few dozen
// suspicions and refutations) leaves as fast either way once the queue is
// that long.
const hostGossipRate = 1500.0

// scale is memberlist's node scale, max(1, log10 n): 1 up to 10 nodes, 2
// at 100.
func scale(n int) float64 { return math.Max(1, math.Log10(float64(n))) }

// suspicionMult is round(2·scale(n)) up to 3: 2 up to 17 nodes, 3 from
// 18. It went on growing (4 from 57 nodes): at 100 agents on 2 cores that
// put a kill -9 at 2.0-2.3 s, where 3 sees it in 1.7-1.9 s, and, now that
// a flap costs no exchange while agents synchronise (the deaths a launch
// declares no longer feed on themselves), 3 converges as fast (12-15 s),
// with no false SILENT in 5 minutes of idling.
func suspicionMult(n int) int { return min(3, int(math.Round(2*scale(n)))) }

// retransmitMult is memberlist's 4 up to 99 nodes (4, then 8
// transmissions), 3 from 100 (9 up to 999 nodes, where 4 jumps to 12): at
// a launch of 100 agents on busy hosts, the suspicions and refutations,
// each passed on 12 times by every node, overflowed the handler queue of
// every node, and the members suspected did not hear it in time to refute.
func retransmitMult(n int) int {
	if n < 100 {
		return 4
	}
	return 3
}

// Transmissions is how many times each node passes on one of memberlist's
// broadcasts in a ring of n nodes.
func (c Config) Transmissions(n int) int {
	return c.RetransmitMult * int(math.Ceil(math.Log10(float64(n+1))))
}

// SuspicionWindow is memberlist's minimum suspicion timeout in a ring of n
// nodes, SuspicionMult·max(1, log10 n)·ProbeInterval: how long a suspected
// member may refute, hence how long nodes may disagree about it.
func (c Config) SuspicionWindow(n int) time.Duration {
	return time.Duration(float64(c.SuspicionMult) * scale(n) * float64(c.ProbeInterval))
}

// DetectionSpread bounds how far apart the ring may report the failures of
// several members that failed together (a partition): memberlist's longest
// suspicion timeout (6 times the window) plus the longest probe interval a
// node struggling to reach its peers stretches to (8 times), and a probe
// round of each.
func (c Config) DetectionSpread(n int) time.Duration {
	return 6*c.SuspicionWindow(n) + 10*c.ProbeInterval
}

// stateExchangeScaleFrom is the ring size from which the state exchanges
// grow apart (memberlist's push/pull threshold).
const stateExchangeScaleFrom = 32

// StateExchangeInterval is how often a node of a ring of n exchanges its
// full state with a random member, as memberlist spaces its push/pull:
// PushPullInterval up to 32 nodes, then one more PushPullInterval each
// time the ring doubles: each exchange carries what the node knows of the
// whole ring, so a fixed interval would make the traffic of the ring grow
// as n².
func (c Config) StateExchangeInterval(n int) time.Duration {
	if n <= stateExchangeScaleFrom {
		return c.PushPullInterval
	}
	doublings := math.Ceil(math.Log2(float64(n) / stateExchangeScaleFrom))
	return time.Duration(1+doublings) * c.PushPullInterval
}

func (c Config) validate() error {
	var errs []error
	if c.Name == "" {
		errs = append(errs, errors.New("no node name"))
	}
	if c.Handler == nil {
		errs = append(errs, errors.New("no handler"))
	}
	if c.ProbeTimeout <= 0 || c.ProbeTimeout >= c.ProbeInterval {
		errs = append(errs, fmt.Errorf("probe_timeout %v must be positive and shorter than probe_interval %v", c.ProbeTimeout, c.ProbeInterval))
	}
	if c.GossipInterval <= 0 || c.PushPullInterval <= 0 || c.JoinInterval <= 0 || c.TCPTimeout <= 0 {
		errs = append(errs, errors.New("gossip, push/pull, join and TCP intervals must be positive"))
	}
	for i, k := range c.Keys {
		if n := len(k); n != 16 && n != 24 && n != 32 {
			errs = append(errs, fmt.Errorf("key %d is %d bytes, expected 16, 24 or 32", i+1, n))
		}
	}
	if c.SuspicionMult < 1 {
		errs = append(errs, fmt.Errorf("suspicion_mult %d must be at least 1", c.SuspicionMult))
	}
	if c.RetransmitMult < 1 {
		errs = append(errs, fmt.Errorf("retransmit multiplier %d must be at least 1", c.RetransmitMult))
	}
	return errors.Join(errs...)
}
