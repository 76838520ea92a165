package process

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/supvisors/supvisors-go/config"
)

// Tokens that open and close a PROCESS_COMMUNICATION capture in a child's
// output.
var (
	beginToken = []byte("<!--XSUPERVISOR:BEGIN-->")
	endToken   = []byte("<!--XSUPERVISOR:END-->")
)

// childSink takes the output of one child of a process, channel by channel
// as Supervisor's dispatchers do: a listener's stdout is its protocol
// channel (PEventListenerDispatcher), every other channel is logged with
// its PROCESS_LOG events and its PROCESS_COMMUNICATION captures
// (POutputDispatcher). It runs on the capture goroutine only.
type childSink struct {
	p     *Process
	spawn uint64
	pid   int
	out   map[string]*outputDispatcher
}

// outputDispatcher is one channel's POutputDispatcher state.
type outputDispatcher struct {
	buf         []byte // output not yet logged (a token may be cut)
	capturing   bool
	captured    []byte
	maxBytes    int64
	eventsOn    bool
	channelName string
}

func newChildSink(p *Process, spawn uint64, pid int) *childSink {
	s := &childSink{p: p, spawn: spawn, pid: pid, out: map[string]*outputDispatcher{}}
	for name, log := range map[string]config.ProcessLog{"stdout": p.cfg.Stdout, "stderr": p.cfg.Stderr} {
		s.out[name] = &outputDispatcher{maxBytes: log.CaptureMaxBytes, eventsOn: log.EventsEnabled, channelName: name}
	}
	return s
}

func (s *childSink) output(channel string, data []byte) {
	if s.p.listener != nil && channel == "stdout" {
		s.p.output(channel, data)
		s.p.sup.bus.read(s.p, s.spawn, data)
		return
	}
	d := s.out[channel]
	d.buf = append(d.buf, data...)
	s.record(d)
}

// record is record_output: without a capture size everything is logged;
// otherwise the output is searched for the token that starts (or ends) a
// capture, keeping back a tail that may be the start of one.
func (s *childSink) record(d *outputDispatcher) {
	for {
		if d.maxBytes == 0 {
			data := d.buf
			d.buf = nil
			s.log(d, data)
			return
		}
		token := beginToken
		if d.capturing {
			token = endToken
		}
		if len(d.buf) <= len(token) {
			return
		}
		data := d.buf
		d.buf = nil
		before, after, found := bytes.Cut(data, token)
		if !found {
			if n := prefixAtEnd(data, token); n > 0 {
				d.buf = append(d.buf, data[len(data)-n:]...)
				data = data[:len(data)-n]
			}
			s.log(d, data)
			return
		}
		s.log(d, before)
		s.toggle(d)
		d.buf = append([]byte(nil), after...)
		if len(after) == 0 {
			return
		}
	}
}

// log is _log: to the log file, or to the capture while capturing (which
// keeps its last bytes as Supervisor's BoundIO does), then PROCESS_LOG_*
// when the channel's events are enabled.
func (s *childSink) log(d *outputDispatcher, data []byte) {
	if len(data) == 0 {
		return
	}
	s.p.logOutput(d.channelName, data, !d.capturing)
	if d.capturing {
		if int64(len(d.captured)+len(data)) > d.maxBytes {
			d.captured = d.captured[min(len(data), len(d.captured)):]
		}
		d.captured = append(d.captured, data...)
	}
	if d.eventsOn {
		s.p.sup.bus.emit("PROCESS_LOG_"+upper(d.channelName), fmt.Sprintf("processname:%s groupname:%s pid:%d channel:%s\n%s",
			s.p.cfg.Name, s.p.cfg.Group, s.pid, d.channelName, pyText(data)))
	}
}

// toggle is toggle_capturemode: the end of a capture notifies
// PROCESS_COMMUNICATION_* with what it holds.
func (s *childSink) toggle(d *outputDispatcher) {
	d.capturing = !d.capturing
	if d.capturing {
		return
	}
	data := d.captured
	d.captured = nil
	s.p.sup.bus.emit("PROCESS_COMMUNICATION_"+upper(d.channelName), fmt.Sprintf("processname:%s groupname:%s pid:%d\n%s",
		s.p.cfg.Name, s.p.cfg.Group, s.pid, pyText(data)))
	s.p.sup.log.Debug(fmt.Sprintf("%s %s emitted a comm event", pyRepr(s.p.cfg.Name), d.channelName))
}

// prefixAtEnd is find_prefix_at_end: the length of the longest proper
// prefix of token that data ends with.
func prefixAtEnd(data, token []byte) int {
	for n := len(token) - 1; n > 0; n-- {
		if bytes.HasSuffix(data, token[:n]) {
			return n
		}
	}
	return 0
}

// pyText is how Supervisor renders output in an event payload or a log
// line: the text, or "Undecodable: b'...'" when it is not UTF-8.
func pyText(data []byte) string {
	if utf8.Valid(data) {
		return string(data)
	}
	return "Undecodable: " + pyBytesRepr(data)
}

func upper(channel string) string {
	if channel == "stdout" {
		return "STDOUT"
	}
	return "STDERR"
}
