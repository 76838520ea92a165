package ring

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// The ring's channel carries the messages whose sender must be known:
// memberlist tells its delegate nothing of who sent a message, and a
// command must come from the master. Messages go on a TCP connection to
// the ring's port that the sender keeps open for the next ones (kept.go),
// dialled from the sender's own address, so the receiver names the sender
// by the connection's source address (only the cluster's addresses are
// let in). A frame is channelMagic, its
// kind, the body's length (4 bytes, big endian) and the body: the message,
// or with keys its AES-GCM sealing (nonce first). A request (Exchange) is
// answered by one frame on the same connection: one connection where a
// message and its answer would take two, which mattered when a hundred
// nodes all check one that came back.

// channelMagic starts a frame: neither a memberlist message type nor its
// label header, so the transport tells a frame from memberlist's streams
// by its first byte.
const channelMagic byte = 0xC5

// Frame kinds, and the flag of a request, which is answered.
const (
	framePlain   byte = 0
	frameSealed  byte = 1
	frameRequest byte = 2
)

// MaxMessage bounds one message on the channel: the full state of a node
// with maxRecords processes fits with room.
const MaxMessage = 16 << 20

// keyring holds the keys of the channel, the first sealing. A keyring is
// never modified once made: safe for concurrent use.
type keyring struct {
	aeads []cipher.AEAD
}

func newKeyring(keys [][]byte) (*keyring, error) {
	kr := &keyring{}
	for i, k := range keys {
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		kr.aeads = append(kr.aeads, aead)
	}
	return kr, nil
}

func (kr *keyring) sealing() bool { return len(kr.aeads) > 0 }

// frame makes the frame of msg, sealed with the first key if any; label
// is authenticated with it. A request is answered.
func (kr *keyring) frame(label string, msg []byte, request bool) ([]byte, error) {
	kind, body := framePlain, msg
	if kr.sealing() {
		aead := kr.aeads[0]
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(msg)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("nonce: %w", err)
		}
		kind, body = frameSealed, aead.Seal(nonce, nonce, msg, []byte(label))
	}
	if len(body) > MaxMessage {
		return nil, fmt.Errorf("message of %d bytes over the %d limit", len(body), MaxMessage)
	}
	if request {
		kind |= frameRequest
	}
	f := make([]byte, 6, 6+len(body))
	f[0], f[1] = channelMagic, kind
	binary.BigEndian.PutUint32(f[2:], uint32(len(body)))
	return append(f, body...), nil
}

var (
	errPlainFrame  = errors.New("message in the clear while gossip_key is set")
	errSealedFrame = errors.New("encrypted message but this node has no gossip_key")
	errNoKeyOpens  = errors.New("message not encrypted with any key of gossip_key")
)

// readFrame reads one frame from r and returns its message, and whether
// it is a request.
func (kr *keyring) readFrame(r io.Reader, label string) (msg []byte, request bool, err error) {
	var head [6]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, false, fmt.Errorf("frame header: %w", err)
	}
	if head[0] != channelMagic {
		return nil, false, fmt.Errorf("not a frame (first byte %#x)", head[0])
	}
	kind, n := head[1]&^frameRequest, binary.BigEndian.Uint32(head[2:])
	request = head[1]&frameRequest != 0
	switch {
	case n > MaxMessage:
		return nil, false, fmt.Errorf("message of %d bytes over the %d limit", n, MaxMessage)
	case kind != framePlain && kind != frameSealed:
		return nil, false, fmt.Errorf("unknown frame kind %d", head[1])
	case kind == framePlain && kr.sealing():
		return nil, false, errPlainFrame
	case kind == frameSealed && !kr.sealing():
		return nil, false, errSealedFrame
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, false, fmt.Errorf("frame body: %w", err)
	}
	if kind == framePlain {
		return body, request, nil
	}
	for _, aead := range kr.aeads {
		if len(body) < aead.NonceSize() {
			break
		}
		if msg, err := aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], []byte(label)); err == nil {
			return msg, request, nil
		}
	}
	return nil, false, errNoKeyOpens
}

// dialer dials from the ring's own address, so that the receiver knows
// the sender by the source address.
func (r *Ring) dialer(timeout time.Duration) *net.Dialer {
	d := &net.Dialer{Timeout: timeout}
	if ip := net.ParseIP(r.cfg.BindAddr); ip != nil && !ip.IsUnspecified() {
		d.LocalAddr = &net.TCPAddr{IP: ip}
	}
	return d
}

// sendFrame sends msg over the channel to the ring's port at ip; a
// request's answer is returned.
func (r *Ring) sendFrame(ip net.IP, msg []byte, request bool) ([]byte, error) {
	kr := r.keys.Load()
	f, err := kr.frame(r.cfg.Label, msg, request)
	if err != nil {
		return nil, err
	}
	if !request {
		return nil, r.sendKept(ip, f)
	}
	conn, err := r.dialer(r.cfg.TCPTimeout).Dial("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(r.cfg.Port)))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(r.cfg.TCPTimeout)); err != nil {
		return nil, err
	}
	if _, err := conn.Write(f); err != nil {
		return nil, err
	}
	answer, _, err := kr.readFrame(bufio.NewReader(conn), r.cfg.Label)
	if err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	return answer, nil
}

// receive reads the frame that conn starts with (br buffers it) and hands
// its message to the handler as sent by from; a request's answer goes
// back on conn (none: the connection is closed without one). After a
// message, the connection is kept from its sender (see kept.go): its next
// frames are read in turn, until it closes it or leaves it idle.
func (r *Ring) receive(conn net.Conn, br *bufio.Reader, from string) {
	defer conn.Close()
	kr := r.keys.Load()
	msg, request, err := kr.readFrame(br, r.cfg.Label)
	if err != nil {
		r.drops.Note(from, "unreadable message", err)
		return
	}
	if !request {
		r.receiveKept(conn, br, from, msg)
		return
	}
	answer := r.cfg.Handler.Answer(from, msg)
	if answer == nil {
		return
	}
	f, err := kr.frame(r.cfg.Label, answer, false)
	if err == nil {
		err = conn.SetWriteDeadline(time.Now().Add(r.cfg.TCPTimeout))
	}
	if err == nil {
		_, err = conn.Write(f)
	}
	if err != nil {
		r.log.Debug("answer", "to", from, "error", err)
	}
}

// receiveKept hands msg, the first message of conn, to the handler, then
// each next one, until conn closes, stays idle for receiverIdle, carries
// something else than a message, or its sender becomes one this ring is
// deaf to (fenced since the connection was opened).
func (r *Ring) receiveKept(conn net.Conn, br *bufio.Reader, from string, msg []byte) {
	if !r.kept.keepFrom(from, conn) {
		return
	}
	defer r.kept.forget(from, conn)
	for {
		r.cfg.Handler.Message(from, msg)
		if err := conn.SetReadDeadline(time.Now().Add(receiverIdle)); err != nil {
			return
		}
		var request bool
		var err error
		msg, request, err = r.keys.Load().readFrame(br, r.cfg.Label)
		var ne net.Error
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &ne) && ne.Timeout():
			return // closed by its sender, by a newer one from it or by Shutdown; or idle
		case err != nil:
			r.drops.Note(from, "unreadable message", err)
			return
		case request:
			r.drops.Note(from, "request on a kept connection", nil)
			return
		case r.deaf(from):
			r.drops.Note(from, "message from a fenced address", nil)
			return
		}
	}
}
