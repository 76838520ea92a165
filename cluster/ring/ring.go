package ring

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/memberlist"
)

// userRetransmitMult scales how many times a process update is sent.
const userRetransmitMult = 6

// Ring is one node's membership of the gossip ring. Its methods are safe
// for concurrent use.
type Ring struct {
	cfg   Config
	log   hclog.Logger
	ml    *memberlist.Memberlist
	queue *memberlist.TransmitLimitedQueue

	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// Create binds the ring's UDP and TCP sockets; nothing is sent before
// Start.
func Create(cfg Config) (*Ring, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("ring configuration: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Ring{cfg: cfg, log: cfg.Logger, done: make(chan struct{})}
	mc := memberlist.DefaultLANConfig()
	mc.Name = cfg.Name
	mc.BindAddr, mc.BindPort = cfg.BindAddr, cfg.Port
	mc.AdvertiseAddr, mc.AdvertisePort = cfg.BindAddr, cfg.Port
	mc.ProbeInterval, mc.ProbeTimeout = cfg.ProbeInterval, cfg.ProbeTimeout
	mc.GossipInterval = cfg.GossipInterval
	mc.PushPullInterval = cfg.PushPullInterval
	mc.SuspicionMult = cfg.SuspicionMult
	mc.TCPTimeout = cfg.TCPTimeout
	// No gossip to the dead past a few seconds: a healed partition merges
	// back through the joins, and transmits are not wasted on the dead.
	mc.GossipToTheDeadTime = 5 * time.Second
	mc.SecretKey, mc.Label = cfg.SecretKey, cfg.Label
	mc.Logger = cfg.Logger.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true, InferLevelsWithTimestamp: true})
	d := delegate{r}
	mc.Delegate, mc.Events, mc.Alive, mc.Ping = d, d, d, d
	// Each of our broadcasts goes out userRetransmitMult·ceil(log10(N+1))
	// times, to random members: more than memberlist's 4 for its own, so
	// that it reaches everyone even before the others pass it on.
	r.queue = &memberlist.TransmitLimitedQueue{NumNodes: r.numMembers, RetransmitMult: userRetransmitMult}
	ml, err := memberlist.Create(mc)
	if err != nil {
		return nil, fmt.Errorf("gossip on %s: %w", net.JoinHostPort(cfg.BindAddr, strconv.Itoa(cfg.Port)), err)
	}
	r.ml = ml
	return r, nil
}

func (r *Ring) numMembers() int {
	if r.ml == nil {
		return 1
	}
	return r.ml.NumMembers()
}

// Start joins every seed in the background, and keeps joining those that
// are not alive members, so that start order does not matter and a healed
// partition merges back.
func (r *Ring) Start() {
	for _, peer := range r.cfg.Peers {
		r.wg.Add(1)
		go r.keepJoined(peer)
	}
}

func (r *Ring) keepJoined(peer string) {
	seed := net.JoinHostPort(peer, strconv.Itoa(r.cfg.Port))
	defer r.wg.Done()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-r.done:
			return
		case <-t.C:
		}
		if !r.isAliveMember(peer) {
			if _, err := r.ml.Join([]string{seed}); err != nil {
				r.log.Trace("join", "peer", seed, "error", err)
			}
		}
		t.Reset(r.cfg.JoinInterval)
	}
}

// isAliveMember tells whether name is an alive member.
func (r *Ring) isAliveMember(name string) bool {
	_, ok := r.member(name)
	return ok
}

func (r *Ring) member(name string) (*memberlist.Node, bool) {
	for _, n := range r.ml.Members() {
		if n.Name == name && n.State == memberlist.StateAlive {
			return n, true
		}
	}
	return nil, false
}

// Members returns the names of the alive members, the local node included.
func (r *Ring) Members() []string {
	var names []string
	for _, n := range r.ml.Members() {
		if n.State == memberlist.StateAlive {
			names = append(names, n.Name)
		}
	}
	return names
}

// Broadcast gossips msg to every member; a later broadcast with the same
// name replaces this one if it has not gone out yet.
func (r *Ring) Broadcast(name string, msg []byte) {
	r.queue.QueueBroadcast(&broadcast{name: name, msg: msg})
}

// QueueLen returns how many broadcasts wait to go out.
func (r *Ring) QueueLen() int { return r.queue.NumQueued() }

// ErrNotMember is returned for a send to a node that is not an alive member.
var ErrNotMember = errors.New("not an alive member")

// SendReliable sends msg to the member name over TCP.
func (r *Ring) SendReliable(name string, msg []byte) error {
	n, ok := r.member(name)
	if !ok {
		return fmt.Errorf("send to %s: %w", name, ErrNotMember)
	}
	return r.ml.SendReliable(n, msg)
}

// SendDirect sends msg over TCP to the node name at its address, whether
// or not it is an alive member: for a message that must reach an agent the
// ring gave up on but that may only be frozen (the kernel still takes the
// connection) or slow.
func (r *Ring) SendDirect(name string, msg []byte) error {
	if n, ok := r.member(name); ok {
		return r.ml.SendReliable(n, msg)
	}
	ip, err := ResolveIP(name)
	if err != nil {
		return err
	}
	return r.ml.SendReliable(&memberlist.Node{Name: name, Addr: ip, Port: uint16(r.cfg.Port)}, msg)
}

// ResolveIP returns the IP an address stands for: itself, or the first
// IPv4 address of a host name.
func ResolveIP(address string) (net.IP, error) {
	if ip := net.ParseIP(address); ip != nil {
		return ip, nil
	}
	ips, err := net.LookupIP(address)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", address, err)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("resolve %s: no address", address)
	}
	if i := slices.IndexFunc(ips, func(ip net.IP) bool { return ip.To4() != nil }); i >= 0 {
		return ips[i], nil
	}
	return ips[0], nil
}

// UpdateMeta re-advertises the local node's meta (Handler.NodeMeta).
func (r *Ring) UpdateMeta() error {
	// memberlist waits until the news has been gossiped enough; a few
	// rounds is plenty, and nobody may be left to gossip to (a whole
	// cluster stopping).
	return r.ml.UpdateNode(10 * r.cfg.GossipInterval)
}

// Leave tells the others this node leaves, waiting at most timeout for the
// message to go out, and stops joining.
func (r *Ring) Leave(timeout time.Duration) error {
	r.stopJoining()
	return r.ml.Leave(timeout)
}

// Shutdown stops the ring at once (the others will find this node dead).
func (r *Ring) Shutdown() error {
	r.stopJoining()
	return r.ml.Shutdown()
}

func (r *Ring) stopJoining() {
	r.once.Do(func() { close(r.done) })
	r.wg.Wait()
}

// broadcast is a named gossip message.
type broadcast struct {
	name string
	msg  []byte
}

func (b *broadcast) Invalidates(o memberlist.Broadcast) bool {
	nb, ok := o.(memberlist.NamedBroadcast)
	return ok && nb.Name() == b.name
}
func (b *broadcast) Name() string    { return b.name }
func (b *broadcast) Message() []byte { return b.msg }
func (b *broadcast) Finished()       {}

// delegate adapts memberlist's delegate interfaces to the Handler.
type delegate struct{ r *Ring }

func (d delegate) NodeMeta(limit int) []byte {
	meta := d.r.cfg.Handler.NodeMeta()
	if len(meta) > limit {
		// memberlist would panic on it; the owner keeps it well under.
		d.r.log.Error("node meta too long, not advertised", "bytes", len(meta), "limit", limit)
		return nil
	}
	return meta
}

func (d delegate) NotifyMsg(msg []byte) { d.r.cfg.Handler.Message(msg) }

func (d delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.r.queue.GetBroadcasts(overhead, limit)
}

func (d delegate) LocalState(join bool) []byte { return d.r.cfg.Handler.LocalState(join) }

func (d delegate) MergeRemoteState(buf []byte, join bool) { d.r.cfg.Handler.MergeState(buf, join) }

func (d delegate) NotifyJoin(n *memberlist.Node)   { d.alive(n) }
func (d delegate) NotifyUpdate(n *memberlist.Node) { d.alive(n) }

func (d delegate) alive(n *memberlist.Node) {
	if n.Name != d.r.cfg.Name {
		d.r.cfg.Handler.Alive(n.Name, n.Meta)
	}
}

func (d delegate) NotifyLeave(n *memberlist.Node) {
	if n.Name != d.r.cfg.Name {
		d.r.cfg.Handler.Dead(n.Name)
	}
}

func (d delegate) NotifyAlive(n *memberlist.Node) error {
	if n.Name == d.r.cfg.Name {
		return nil
	}
	return d.r.cfg.Handler.Admit(n.Name, n.Addr, n.Meta)
}

// AckPayload carries the local clock, for the prober's heartbeat times.
func (d delegate) AckPayload() []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(d.r.cfg.Now().UnixNano()))
}

func (d delegate) NotifyPingComplete(n *memberlist.Node, _ time.Duration, payload []byte) {
	if len(payload) != 8 {
		return
	}
	d.r.cfg.Handler.Heartbeat(n.Name, time.Unix(0, int64(binary.BigEndian.Uint64(payload))))
}
