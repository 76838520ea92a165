package eventstream

import (
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
	"github.com/hashicorp/go-hclog"
)

// ZMQ timeouts: a peer has handshakeTimeout to greet, and a subscriber that
// leaves a message unread for zmqWriteTimeout is disconnected.
const (
	handshakeTimeout = 10 * time.Second
	zmqWriteTimeout  = 60 * time.Second
)

// ZMQPublisher is Supvisors' event publication: a ZeroMQ PUB socket (ZMTP
// 3.0, NULL security, as libzmq's SUB speaks it) where each message is
// two frames, the topic and its JSON payload. The ZMTP codec is
// go-zeromq/zmq4's; the fan-out is the Hub's, so that each subscriber has
// its own bounded queue and one that stops reading is dropped without
// holding back the others (zmq4's PUB socket writes to its peers one after
// the other). A subscription is a topic prefix, as in ZeroMQ ("" is all).
type ZMQPublisher struct {
	hub    *Hub
	logger hclog.Logger
	l      net.Listener
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// ListenZMQ binds a PUB socket on address ("host:port") that publishes
// hub's events from now on; Close stops it.
func ListenZMQ(hub *Hub, address string, logger hclog.Logger) (*ZMQPublisher, error) {
	l, err := net.Listen("tcp", address)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	p := &ZMQPublisher{hub: hub, logger: logger, l: l, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address the socket is bound to.
func (p *ZMQPublisher) Addr() net.Addr { return p.l.Addr() }

// Close unbinds the socket, disconnects every subscriber and waits for
// their goroutines.
func (p *ZMQPublisher) Close() error {
	err := p.l.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *ZMQPublisher) accept() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				p.logger.Error("event publication stopped", "error", err)
			}
			return
		}
		p.mu.Lock()
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go p.serve(c)
	}
}

// writeDeadlineConn arms the write deadline before each write.
type writeDeadlineConn struct{ net.Conn }

func (c writeDeadlineConn) Write(b []byte) (int, error) {
	_ = c.SetWriteDeadline(time.Now().Add(zmqWriteTimeout))
	return c.Conn.Write(b)
}

// serve runs one subscriber: the handshake, then a reader of its
// subscriptions and a writer of the events they match.
func (p *ZMQPublisher) serve(c net.Conn) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}()
	_ = c.SetReadDeadline(time.Now().Add(handshakeTimeout))
	zc, err := zmq4.Open(writeDeadlineConn{c}, null.Security(), zmq4.Pub, zmq4.SocketIdentity(""), true, nil)
	if err != nil {
		p.logger.Debug("event subscriber refused", "remote", c.RemoteAddr().String(), "error", err)
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	sub := p.hub.SubscribeLive(nil)
	defer sub.Close()
	var prefixes atomic.Pointer[[]string]
	prefixes.Store(&[]string{})
	go func() {
		// Ends when the connection closes; then the writer must end too.
		defer sub.Close()
		for {
			msg, err := zc.RecvMsg()
			if err != nil {
				return
			}
			if len(msg.Frames) == 1 && len(msg.Frames[0]) > 0 {
				f := msg.Frames[0]
				prefixes.Store(subscribe(*prefixes.Load(), f[0] == 1, string(f[1:])))
			}
		}
	}()
	for e := range sub.C() {
		if !matches(*prefixes.Load(), e.Topic) {
			continue
		}
		if err := zc.SendMsg(zmq4.NewMsgFrom([]byte(e.Topic), e.Data)); err != nil {
			return
		}
	}
	if sub.Lagged() {
		p.logger.Warn("event subscriber dropped: it fell too far behind", "remote", c.RemoteAddr().String())
	}
}

// subscribe adds (on) or removes one subscription to the prefix list, as
// ZeroMQ counts them: a prefix subscribed twice needs two cancels.
func subscribe(list []string, on bool, prefix string) *[]string {
	out := append([]string(nil), list...)
	if on {
		out = append(out, prefix)
	} else {
		for i, p := range out {
			if p == prefix {
				out = append(out[:i], out[i+1:]...)
				break
			}
		}
	}
	return &out
}

func matches(prefixes []string, topic string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(topic, p) {
			return true
		}
	}
	return false
}
