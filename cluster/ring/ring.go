package ring

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
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
	addrs *addresses
	drops *Drops
	keys  atomic.Pointer[keyring]
	// gossipKeys is memberlist's keyring, nil without keys.
	gossipKeys *memberlist.Keyring

	// kept holds the channel's connections kept open (kept.go).
	kept *keptConns

	// lost is when each member was declared dead, while it is
	// (joinMissing); guarded by lostMu.
	lostMu sync.Mutex
	lost   map[string]time.Time

	// nameField is the node's name as the bytes that an accusation of
	// it contains (noticeAccusation).
	nameField []byte
	// refutedBelow is one past the latest incarnation of an accusation
	// refuted early, 0 before any (refuteEarly).
	refutedBelow atomic.Uint32
	// repeats is what screen drops copies of.
	repeats *repeats

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
	if cfg.LookupIP == nil {
		cfg.LookupIP = LookupIP
	}
	r := &Ring{cfg: cfg, log: cfg.Logger, kept: newKeptConns(), lost: map[string]time.Time{}, done: make(chan struct{}),
		nameField: []byte(cfg.Name), repeats: newRepeats()}
	r.drops = NewDrops(cfg.Logger.Named("guard"), dropLogInterval)
	r.addrs = newAddresses(append([]string{cfg.Name}, cfg.Peers...), cfg.LookupIP, cfg.Logger)
	if cfg.BindAddr == "" {
		ip, err := r.addrs.ip(cfg.Name)
		if err != nil {
			return nil, fmt.Errorf("ring address: %w", err)
		}
		cfg.BindAddr = ip.String()
		r.cfg.BindAddr = cfg.BindAddr
	}
	kr, err := newKeyring(cfg.Keys)
	if err != nil {
		return nil, fmt.Errorf("ring keys: %w", err)
	}
	r.keys.Store(kr)
	mc := memberlist.DefaultLANConfig()
	mc.Name = cfg.Name
	mc.BindAddr, mc.BindPort = cfg.BindAddr, cfg.Port
	mc.AdvertiseAddr, mc.AdvertisePort = cfg.BindAddr, cfg.Port
	mc.ProbeInterval, mc.ProbeTimeout = cfg.ProbeInterval, cfg.ProbeTimeout
	onThisHost := r.addrs.onThisHost()
	mc.GossipInterval, mc.GossipNodes = cfg.GossipInterval, GossipFanout(cfg.GossipInterval, len(onThisHost))
	// memberlist tries a member that missed its UDP probe over TCP too,
	// for networks that drop UDP between hosts. Between two agents of one
	// host, a missed probe means the other is busy or gone: a connection
	// would only add to the work of a host already late for its probes.
	mc.DisableTcpPingsForNode = func(name string) bool { return onThisHost[name] }
	mc.PushPullInterval = cfg.PushPullInterval
	mc.SuspicionMult, mc.RetransmitMult = cfg.SuspicionMult, cfg.RetransmitMult
	mc.TCPTimeout = cfg.TCPTimeout
	mc.GossipToTheDeadTime = gossipToTheDead
	mc.Label = cfg.Label
	// Gossip packets are small, and compressing each one cost more CPU
	// and allocations than anything else an idle node did.
	mc.EnableCompression = false
	if len(cfg.Keys) > 0 {
		if r.gossipKeys, err = memberlist.NewKeyring(cfg.Keys, cfg.Keys[0]); err != nil {
			return nil, fmt.Errorf("ring keys: %w", err)
		}
		mc.Keyring = r.gossipKeys
	}
	mc.Logger = cfg.Logger.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true, InferLevelsWithTimestamp: true})
	address := net.JoinHostPort(cfg.BindAddr, strconv.Itoa(cfg.Port))
	bindIP := net.ParseIP(cfg.BindAddr)
	if bindIP == nil {
		return nil, fmt.Errorf("gossip on %s: bind address is not an IP", address)
	}
	g, err := newGuard(r, bindIP, cfg.Port)
	if err != nil {
		return nil, fmt.Errorf("gossip on %s: %w", address, err)
	}
	mc.Transport = g
	d := delegate{r}
	mc.Delegate, mc.Events, mc.Alive, mc.Ping = d, d, d, d
	// Each of our broadcasts goes out userRetransmitMult·ceil(log10(N+1))
	// times, to random members: more than memberlist's 4 for its own, so
	// that it reaches everyone even before the others pass it on.
	r.queue = &memberlist.TransmitLimitedQueue{NumNodes: r.numMembers, RetransmitMult: userRetransmitMult}
	ml, err := memberlist.Create(mc)
	if err != nil {
		_ = mc.Transport.Shutdown()
		return nil, fmt.Errorf("gossip on %s: %w", address, err)
	}
	r.ml = ml
	return r, nil
}

// dropLogInterval is how often what one sender has dropped for one reason
// is logged.
const dropLogInterval = time.Minute

func (r *Ring) numMembers() int {
	if r.ml == nil {
		return 1
	}
	return r.ml.NumMembers()
}

// Start joins the seeds in the background (joinMissing), and keeps joining
// those that are not alive members, so that start order does not matter
// and a healed partition merges back.
func (r *Ring) Start() {
	r.every(0, constant(r.cfg.JoinInterval), r.joinMissing)
	// Create resolved the names already, and there is nobody to exchange
	// state with yet.
	r.every(resolveInterval, constant(resolveInterval), r.addrs.resolve)
	exchange := func() time.Duration { return r.cfg.StateExchangeInterval(r.numMembers()) }
	r.every(exchange(), exchange, r.exchangeState)
}

// joinsPerRound bounds the seeds a node that is in a ring joins per
// JoinInterval: joining any node of another side brings that side's whole
// membership, so one is enough for a healed partition to merge, and a node
// does not pay for every dead seed of a big cluster each round.
const joinsPerRound = 1

// joinMissing joins the seeds that are neither alive members, nor deaf,
// nor declared dead lately (lostLately). A
// node alone joins them one after the other, in the order of Peers, until
// one answers: nodes launched together (each one's Peers starting with its
// successor) chain up instead of each joining all, and gossip and push/pull
// spread the rest. A node in a ring joins joinsPerRound of them, picked at
// random.
func (r *Ring) joinMissing() {
	alive := map[string]bool{}
	for _, n := range r.ml.Members() {
		if n.State == memberlist.StateAlive {
			alive[n.Name] = true
		}
	}
	var missing []string
	now := time.Now()
	for _, peer := range r.cfg.Peers {
		if !alive[peer] && !r.deaf(peer) && !r.lostLately(peer, now) {
			missing = append(missing, peer)
		}
	}
	if len(alive) > 1 {
		rand.Shuffle(len(missing), func(i, j int) { missing[i], missing[j] = missing[j], missing[i] })
		missing = missing[:min(len(missing), joinsPerRound)]
	}
	for _, peer := range missing {
		select {
		case <-r.done:
			return
		default:
		}
		if r.join(peer) == nil && len(alive) <= 1 {
			return
		}
	}
}

// gossipToTheDead is how long gossip still goes to a member declared dead
// (memberlist's GossipToTheDeadTime): a member that is alive hears of its
// death meanwhile, and refutes it. Past it, a healed partition merges back
// through the joins, and transmits are not wasted on the dead.
const gossipToTheDead = 5 * time.Second

// lostLately tells whether the ring declared peer dead less than
// gossipToTheDead ago: gossip still tells it so, and it refutes if it is
// alive. Joining it would add a push/pull of the whole membership each
// time, on hosts already late for their probes if the ring flaps, and its
// merge suspects anew every member the peer holds dead: at a launch of
// 100 agents on 2 cores, that kept the flaps going.
func (r *Ring) lostLately(peer string, now time.Time) bool {
	r.lostMu.Lock()
	defer r.lostMu.Unlock()
	at, ok := r.lost[peer]
	return ok && now.Sub(at) < gossipToTheDead
}

// every calls f after first, then again each time interval() after it
// returned, in a goroutine of its own, until the ring stops.
func (r *Ring) every(first time.Duration, interval func() time.Duration, f func()) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTimer(first)
		defer t.Stop()
		for {
			select {
			case <-r.done:
				return
			case <-t.C:
			}
			f()
			t.Reset(interval())
		}
	}()
}

// constant is an interval that does not change.
func constant(d time.Duration) func() time.Duration { return func() time.Duration { return d } }

// exchangeState sends the local state (Handler.LocalState) to a random
// member: the anti-entropy that memberlist's push/pull would do, on the
// channel, where the receiver knows who sent it.
func (r *Ring) exchangeState() {
	var others []string
	for _, m := range r.Members() {
		if m != r.cfg.Name {
			others = append(others, m)
		}
	}
	if len(others) == 0 {
		return
	}
	state := r.cfg.Handler.LocalState()
	if len(state) == 0 {
		return
	}
	to := others[rand.IntN(len(others))]
	if err := r.SendReliable(to, state); err != nil {
		r.log.Debug("state exchange", "to", to, "error", err)
	}
}

// join joins peer.
func (r *Ring) join(peer string) error {
	ip, err := r.addrs.ip(peer)
	if err == nil {
		_, err = r.ml.Join([]string{net.JoinHostPort(ip.String(), strconv.Itoa(r.cfg.Port))})
	}
	if err != nil {
		r.log.Trace("join", "peer", peer, "error", err)
	}
	return err
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

// ErrNotMember is returned for a send to a node that is not an alive member.
var ErrNotMember = errors.New("not an alive member")

// SendReliable sends msg to the member name over the ring's channel
// (TCP), where the receiver knows it comes from this node.
func (r *Ring) SendReliable(name string, msg []byte) error {
	if _, ok := r.member(name); !ok {
		return fmt.Errorf("send to %s: %w", name, ErrNotMember)
	}
	return r.SendDirect(name, msg)
}

// SendDirect sends msg over the channel to the node name at its address,
// whether or not it is an alive member: for a message that must reach an
// agent the ring gave up on but that may only be frozen (the kernel still
// takes the connection) or slow.
func (r *Ring) SendDirect(name string, msg []byte) error {
	_, err := r.sendTo(name, msg, false)
	return err
}

// Exchange sends msg over the channel to the member name as a request and
// returns its answer (its Handler's Answer), which comes back on the same
// connection.
func (r *Ring) Exchange(name string, msg []byte) ([]byte, error) {
	if _, ok := r.member(name); !ok {
		return nil, fmt.Errorf("exchange with %s: %w", name, ErrNotMember)
	}
	return r.sendTo(name, msg, true)
}

func (r *Ring) sendTo(name string, msg []byte, request bool) ([]byte, error) {
	ip, err := r.addrs.ip(name)
	var answer []byte
	if err == nil {
		answer, err = r.sendFrame(ip, msg, request)
	}
	if err != nil {
		return nil, fmt.Errorf("send to %s: %w", name, err)
	}
	return answer, nil
}

// Encrypted tells whether gossip and the channel are encrypted.
func (r *Ring) Encrypted() bool { return r.keys.Load().sealing() }

// ErrKeysOff is returned by SetKeys to turn encryption on or off: that
// takes a restart of every agent.
var ErrKeysOff = errors.New("gossip encryption cannot be turned on or off while the agent runs")

// SetKeys replaces the keys (a rotation, Config.Keys): the first encrypts
// from now on, every one decrypts.
func (r *Ring) SetKeys(keys [][]byte) error {
	if (len(keys) > 0) != r.Encrypted() {
		return ErrKeysOff
	}
	if len(keys) == 0 {
		return nil
	}
	kr, err := newKeyring(keys)
	if err != nil {
		return fmt.Errorf("ring keys: %w", err)
	}
	for _, k := range keys {
		if err := r.gossipKeys.AddKey(k); err != nil {
			return fmt.Errorf("ring keys: %w", err)
		}
	}
	if err := r.gossipKeys.UseKey(keys[0]); err != nil {
		return fmt.Errorf("ring keys: %w", err)
	}
	for _, k := range r.gossipKeys.GetKeys() {
		if !slices.ContainsFunc(keys, func(key []byte) bool { return bytes.Equal(key, k) }) {
			if err := r.gossipKeys.RemoveKey(k); err != nil {
				return fmt.Errorf("ring keys: %w", err)
			}
		}
	}
	r.keys.Store(kr)
	return nil
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
	err := r.ml.Shutdown()
	r.kept.shutdown()
	return err
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

// NotifyMsg is gossip: memberlist does not say who sent it.
func (d delegate) NotifyMsg(msg []byte) { d.r.cfg.Handler.Message("", msg) }

func (d delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.r.queue.GetBroadcasts(overhead, limit)
}

// LocalState and MergeRemoteState carry nothing: memberlist's push/pull
// does not say who sent the state, so the handler's state goes on the
// channel (exchangeState, and the exchanges of the nodes that check a
// member that joins or comes back).
func (d delegate) LocalState(bool) []byte { return nil }

func (d delegate) MergeRemoteState([]byte, bool) {}

// NotifyJoin tells the handler.
func (d delegate) NotifyJoin(n *memberlist.Node) { d.alive(n) }

func (d delegate) NotifyUpdate(n *memberlist.Node) { d.alive(n) }

func (d delegate) alive(n *memberlist.Node) {
	if n.Name != d.r.cfg.Name {
		d.r.lostMu.Lock()
		delete(d.r.lost, n.Name)
		d.r.lostMu.Unlock()
		d.r.cfg.Handler.Alive(n.Name, n.Meta)
	}
}

func (d delegate) NotifyLeave(n *memberlist.Node) {
	if n.Name != d.r.cfg.Name {
		d.r.lostMu.Lock()
		d.r.lost[n.Name] = time.Now()
		d.r.lostMu.Unlock()
		d.r.cfg.Handler.Dead(n.Name)
	}
}

func (d delegate) NotifyAlive(n *memberlist.Node) error {
	if n.Name == d.r.cfg.Name {
		return nil
	}
	if err := d.r.addrs.check(n.Name, n.Addr); err != nil {
		return err
	}
	return d.r.cfg.Handler.Admit(n.Name, n.Meta)
}

// AckPayload carries the local clock, for the prober's heartbeat times,
// then the Handler's AckState.
func (d delegate) AckPayload() []byte {
	payload := binary.BigEndian.AppendUint64(nil, uint64(d.r.cfg.Now().UnixNano()))
	if state := d.r.cfg.Handler.AckState(); len(state) <= MaxAckState {
		payload = append(payload, state...)
	}
	return payload
}

func (d delegate) NotifyPingComplete(n *memberlist.Node, _ time.Duration, payload []byte) {
	if len(payload) < 8 || len(payload) > 8+MaxAckState {
		return
	}
	d.r.cfg.Handler.Heartbeat(n.Name, time.Unix(0, int64(binary.BigEndian.Uint64(payload))), payload[8:])
}
