package ring

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/memberlist"

	"github.com/supvisors/supvisors-go/internal/testnet"
)

// refutedEarly returns the incarnation r refuted early, if it did.
func refutedEarly(r *Ring) (uint32, bool) {
	below := r.refutedBelow.Load()
	return below - 1, below > 0
}

// deafTo is a transport that drops every packet from one IP: its
// memberlist never hears the acks of that member, and suspects it.
type deafTo struct {
	boundTransport
	deaf    net.IP
	packets chan *memberlist.Packet
}

func (t *deafTo) PacketCh() <-chan *memberlist.Packet { return t.packets }

func (t *deafTo) filter() {
	for p := range t.boundTransport.PacketCh() {
		if udp, ok := p.From.(*net.UDPAddr); ok && udp.IP.Equal(t.deaf) {
			continue
		}
		t.packets <- p
	}
}

// suspecter is a plain memberlist named as a member of the cluster, on
// its address, that drops what deaf sends, with the ring's label and keys.
func suspecter(tb testing.TB, ip string, port int, deaf string, keys [][]byte) *memberlist.Memberlist {
	return plainMember(tb, ip, port, deaf, keys, nil)
}

// plainMember is a plain memberlist named as a member of the cluster, on
// its address, that drops what deaf sends (if any), with the ring's label
// and keys, and d as its delegate (if any).
func plainMember(tb testing.TB, ip string, port int, deaf string, keys [][]byte, d memberlist.Delegate) *memberlist.Memberlist {
	tb.Helper()
	mc := memberlist.DefaultLANConfig()
	mc.Name = ip
	mc.BindAddr, mc.BindPort, mc.AdvertiseAddr, mc.AdvertisePort = ip, port, ip, port
	mc.ProbeInterval, mc.ProbeTimeout, mc.GossipInterval = 200*time.Millisecond, 100*time.Millisecond, 50*time.Millisecond
	// Its TCP pings would reach the ring, which it would then not suspect.
	mc.DisableTcpPings = true
	mc.Label = DefaultConfig(3).Label
	// Its suspicion timers outlive its Shutdown, and would log after the
	// test.
	mc.LogOutput = io.Discard
	mc.Delegate = d
	if len(keys) > 0 {
		kr, err := memberlist.NewKeyring(keys, keys[0])
		if err != nil {
			tb.Fatal(err)
		}
		mc.Keyring = kr
	}
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{ip}, BindPort: port})
	if err != nil {
		tb.Fatal(err)
	}
	t := &deafTo{boundTransport{nt, net.ParseIP(ip)}, net.ParseIP(deaf), make(chan *memberlist.Packet)}
	go t.filter()
	mc.Transport = t
	ml, err := memberlist.Create(mc)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ml.Shutdown() })
	return ml
}

// userMessages is a memberlist delegate that passes on user messages.
type userMessages chan string

func (u userMessages) NotifyMsg(msg []byte)          { u <- string(msg) }
func (userMessages) NodeMeta(int) []byte             { return nil }
func (userMessages) GetBroadcasts(int, int) [][]byte { return nil }
func (userMessages) LocalState(bool) []byte          { return nil }
func (userMessages) MergeRemoteState([]byte, bool)   {}

// TestScreenedPacketsRead: what is left of a packet once its repeats are
// out (no CRC, sealed again) is what memberlist reads.
func TestScreenedPacketsRead(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	for _, keys := range [][][]byte{nil, {key}} {
		t.Run(map[bool]string{false: "plain", true: "sealed"}[keys != nil], func(t *testing.T) {
			port := testnet.FreePortOnAll(t, 2)
			r := testRing(t, "127.0.0.1", port, newRecorder(), false, func(c *Config) { c.Keys = keys })
			got := make(userMessages, 4)
			plainMember(t, "127.0.0.2", port, "", keys, got)
			packet := gossipPacket(t, []byte{8, 'h'}, accusationMsg(t, mlSuspect, "127.0.0.5", 4))
			if keys != nil {
				packet = sealed(t, key, packet)
			}
			now := time.Now()
			r.screen(packet, now)
			left := r.screen(packet, now)
			if left == nil || bytes.Equal(left, packet) {
				t.Fatal("the repeat was not taken out")
			}
			conn, err := net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP("127.0.0.1")}, &net.UDPAddr{IP: net.ParseIP("127.0.0.2"), Port: port})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write(left); err != nil {
				t.Fatal(err)
			}
			select {
			case m := <-got:
				if m != "h" {
					t.Errorf("memberlist read %q, want \"h\"", m)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("memberlist did not read what was left")
			}
		})
	}
}

// TestSuspicionRefutedEarly: a member that stops hearing this node
// suspects it, and tells it so in memberlist's own packets (plain, and
// sealed with the cluster's keys); the ring reads the accusation as the
// packet arrives, and refutes it then.
func TestSuspicionRefutedEarly(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys [][]byte
	}{
		{"plain", nil},
		{"sealed", [][]byte{bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 16)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := testnet.FreePortOnAll(t, 2)
			r := testRing(t, "127.0.0.1", port, newRecorder(), true, func(c *Config) {
				c.Peers = []string{"127.0.0.2"}
				c.Keys = tc.keys
			})
			ml := suspecter(t, "127.0.0.2", port, "127.0.0.1", tc.keys)
			if _, err := ml.Join([]string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, "the accusation refuted early", func() bool {
				_, ok := refutedEarly(r)
				return ok
			})
		})
	}
}

// accusationMsg is memberlist's message of kind (mlSuspect, mlDead)
// accusing node in incarnation inc.
func accusationMsg(tb testing.TB, kind byte, node string, inc uint32) []byte {
	tb.Helper()
	var msg bytes.Buffer
	msg.WriteByte(kind)
	if err := codec.NewEncoder(&msg, &codec.MsgpackHandle{}).Encode(accusation{Incarnation: inc, Node: node, From: "127.0.0.2"}); err != nil {
		tb.Fatal(err)
	}
	return msg.Bytes()
}

// gossipPacket is a packet of msgs as memberlist sends it: a compound of
// several, with a CRC, under the ring's label.
func gossipPacket(tb testing.TB, msgs ...[]byte) []byte {
	tb.Helper()
	msg := compound(msgs)
	packet := binary.BigEndian.AppendUint32([]byte{mlHasCRC}, crc32.ChecksumIEEE(msg))
	packet, err := memberlist.AddLabelHeaderToPacket(append(packet, msg...), DefaultConfig(3).Label)
	if err != nil {
		tb.Fatal(err)
	}
	return packet
}

// ping is a part that is not an accusation: an empty ping.
var ping = []byte{0, 0x80}

// accusationPacket is an accusation (accusationMsg), alone or in a
// compound behind a ping.
func accusationPacket(tb testing.TB, kind byte, node string, inc uint32, compound bool) []byte {
	tb.Helper()
	if compound {
		return gossipPacket(tb, ping, accusationMsg(tb, kind, node, inc))
	}
	return gossipPacket(tb, accusationMsg(tb, kind, node, inc))
}

// TestAccusationsRead: what is refuted early, and what is not.
func TestAccusationsRead(t *testing.T) {
	corrupt := func(p []byte) []byte { p = bytes.Clone(p); p[len(p)-1] ^= 1; return p }
	for _, tc := range []struct {
		name    string
		packet  []byte
		refuted bool
	}{
		{"suspicion", accusationPacket(t, mlSuspect, "127.0.0.1", 4, false), true},
		{"death in a compound", accusationPacket(t, mlDead, "127.0.0.1", 4, true), true},
		{"another node", accusationPacket(t, mlSuspect, "127.0.0.10", 4, true), false},
		{"bad CRC", corrupt(accusationPacket(t, mlSuspect, "127.0.0.1", 4, false)), false},
		{"truncated compound", accusationPacket(t, mlSuspect, "127.0.0.1", 4, true)[:30], false},
		{"no label", accusationPacket(t, mlSuspect, "127.0.0.1", 4, false)[len(DefaultConfig(3).Label)+2:], false},
		{"empty", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRing(t, "127.0.0.1", testnet.FreePortOnAll(t, 1), newRecorder(), false, nil)
			r.screen(tc.packet, time.Now())
			if inc, ok := refutedEarly(r); ok != tc.refuted || (ok && inc != 4) {
				t.Errorf("refuted %v (incarnation %d), want %v", ok, inc, tc.refuted)
			}
		})
	}

	r := testRing(t, "127.0.0.1", testnet.FreePortOnAll(t, 1), newRecorder(), false, nil)
	r.screen(accusationPacket(t, mlSuspect, "127.0.0.1", 4, false), time.Now())
	r.screen(accusationPacket(t, mlSuspect, "127.0.0.1", 3, false), time.Now())
	if inc, _ := refutedEarly(r); inc != 4 {
		t.Errorf("an older accusation was refuted again: incarnation %d", inc)
	}
	_ = r.Shutdown()
	r.screen(accusationPacket(t, mlSuspect, "127.0.0.1", 5, false), time.Now())
	if inc, _ := refutedEarly(r); inc != 4 {
		t.Errorf("a node that left refuted its death: incarnation %d", inc)
	}
}

// FuzzScreen: no packet makes the ring panic.
func FuzzScreen(f *testing.F) {
	f.Add(accusationPacket(f, mlSuspect, "127.0.0.1", 4, true))
	f.Add(accusationPacket(f, mlDead, "127.0.0.1", 1, false))
	f.Add(sealed(f, bytes.Repeat([]byte{7}, 32), accusationPacket(f, mlSuspect, "127.0.0.1", 2, true)))
	// The fuzz target may not log through f.
	r := testRing(f, "127.0.0.1", testnet.FreePortOnAll(f, 1), newRecorder(), false, func(c *Config) {
		c.Logger = hclog.NewNullLogger()
		c.Keys = [][]byte{bytes.Repeat([]byte{7}, 32)}
	})
	f.Fuzz(func(t *testing.T, packet []byte) {
		if left := r.screen(packet, time.Now()); left != nil && len(left) > len(packet) {
			t.Errorf("screening made a packet of %d bytes into %d", len(packet), len(left))
		}
	})
}

// BenchmarkScreen is what screening each gossip packet costs the guard: a
// compound of a ping and an accusation of another node, each time of
// another incarnation (none is a repeat), plain and sealed.
func BenchmarkScreen(b *testing.B) {
	key := bytes.Repeat([]byte{7}, 32)
	for _, keys := range [][][]byte{nil, {key}} {
		b.Run(map[bool]string{false: "plain", true: "sealed"}[keys != nil], func(b *testing.B) {
			r := testRing(b, "127.0.0.1", testnet.FreePortOnAll(b, 1), newRecorder(), false, func(c *Config) { c.Keys = keys })
			var packets [][]byte
			for inc := range uint32(1024) {
				p := accusationPacket(b, mlSuspect, "127.0.0.10", inc, true)
				if keys != nil {
					p = sealed(b, key, p)
				}
				packets = append(packets, p)
			}
			now := time.Now()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// A window later, each is new again.
				now = now.Add(repeatWindow / 1024)
				r.screen(packets[i%len(packets)], now)
				i++
			}
			if _, ok := refutedEarly(r); ok {
				b.Fatal("another node's accusation was refuted")
			}
		})
	}
}

// sealed is a labelled packet sealed with key as memberlist seals it.
func sealed(tb testing.TB, key, packet []byte) []byte {
	tb.Helper()
	msg, label, err := memberlist.RemoveLabelHeaderFromPacket(packet)
	if err != nil {
		tb.Fatal(err)
	}
	if packet, err = memberlist.AddLabelHeaderToPacket(mustKeyring(tb, key).sealGossip(msg, []byte(label)), label); err != nil {
		tb.Fatal(err)
	}
	return packet
}

// TestSealedAccusationsRead: a sealed accusation is read with the
// cluster's keys only.
func TestSealedAccusationsRead(t *testing.T) {
	key, other := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{8}, 32)
	packet := accusationPacket(t, mlDead, "127.0.0.1", 4, true)
	for _, tc := range []struct {
		name    string
		packet  []byte
		refuted bool
	}{
		{"the cluster's key", sealed(t, key, packet), true},
		{"another key", sealed(t, other, packet), false},
		{"plain", packet, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRing(t, "127.0.0.1", testnet.FreePortOnAll(t, 1), newRecorder(), false, func(c *Config) { c.Keys = [][]byte{key} })
			r.screen(tc.packet, time.Now())
			if _, ok := refutedEarly(r); ok != tc.refuted {
				t.Errorf("refuted %v, want %v", ok, tc.refuted)
			}
		})
	}
}

// TestRepeatsDropped: a second copy of an alive, suspect or dead message
// within repeatWindow is taken out of its packet, which keeps the rest
// (sealed again with the cluster's key); a copy after the window passes.
func TestRepeatsDropped(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	for _, keys := range [][][]byte{nil, {key}} {
		name := map[bool]string{false: "plain", true: "sealed"}[keys != nil]
		t.Run(name, func(t *testing.T) {
			r := testRing(t, "127.0.0.1", testnet.FreePortOnAll(t, 1), newRecorder(), false, func(c *Config) { c.Keys = keys })
			seal := func(p []byte) []byte {
				if keys != nil {
					return sealed(t, key, p)
				}
				return p
			}
			open := func(p []byte) []byte {
				t.Helper()
				msg, _, err := memberlist.RemoveLabelHeaderFromPacket(p)
				if err != nil {
					t.Fatal(err)
				}
				if keys != nil {
					if msg = r.keys.Load().openGossip(msg, []byte(r.cfg.Label)); msg == nil {
						t.Fatal("the packet left does not open with the cluster's key")
					}
				}
				return msg
			}
			now := time.Now()
			compound := seal(accusationPacket(t, mlSuspect, "127.0.0.5", 4, true))
			if got := r.screen(compound, now); !bytes.Equal(got, compound) {
				t.Fatal("a first copy was changed")
			}
			// The same suspicion again, behind another ping: the ping is left.
			got := r.screen(seal(accusationPacket(t, mlSuspect, "127.0.0.5", 4, true)), now.Add(time.Millisecond))
			if msg := open(got); !bytes.Equal(msg, ping) {
				t.Errorf("left %x, want the ping alone", msg)
			}
			alone := seal(accusationPacket(t, mlSuspect, "127.0.0.5", 4, false))
			if got := r.screen(alone, now.Add(2*time.Millisecond)); got != nil {
				t.Errorf("a copy alone was passed on: %x", got)
			}
			if got := r.screen(alone, now.Add(repeatWindow+time.Millisecond)); !bytes.Equal(got, alone) {
				t.Error("a copy after the window was not passed on whole")
			}
			other := seal(accusationPacket(t, mlSuspect, "127.0.0.5", 5, false))
			if got := r.screen(other, now.Add(3*time.Millisecond)); !bytes.Equal(got, other) {
				t.Error("a suspicion of another incarnation was dropped")
			}
		})
	}
}

// TestRepeatsBounded: a flood of messages never seen does not grow what
// repeats remembers past maxRepeats.
func TestRepeatsBounded(t *testing.T) {
	rp := newRepeats()
	now := time.Now()
	for inc := range uint32(3 * maxRepeats) {
		rp.repeated(accusationMsg(t, mlSuspect, "127.0.0.5", inc), now)
	}
	if n := len(rp.seen); n > maxRepeats {
		t.Errorf("%d messages remembered, at most %d", n, maxRepeats)
	}
	if !rp.repeated(accusationMsg(t, mlSuspect, "127.0.0.5", 3*maxRepeats-1), now) {
		t.Error("the last message seen was forgotten")
	}
}
