package ring

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var (
	keyA = []byte("0123456789abcdef")
	keyB = []byte("abcdefghijklmnopqrstuvwx")
)

func mustKeyring(tb testing.TB, keys ...[]byte) *keyring {
	tb.Helper()
	kr, err := newKeyring(keys)
	if err != nil {
		tb.Fatal(err)
	}
	return kr
}

// TestFrames: a frame reads back as its message with a key that seals it,
// and is refused with a clear error otherwise.
func TestFrames(t *testing.T) {
	msg := []byte("\x05a message")
	tests := []struct {
		name       string
		send, recv *keyring
		label      string
		wantErr    string
	}{
		{"clear", mustKeyring(t), mustKeyring(t), "supvisors", ""},
		{"sealed", mustKeyring(t, keyA), mustKeyring(t, keyA), "supvisors", ""},
		{"sealed with the second key of the receiver (a rotation)", mustKeyring(t, keyB), mustKeyring(t, keyA, keyB), "supvisors", ""},
		{"another key", mustKeyring(t, keyB), mustKeyring(t, keyA), "supvisors", "not encrypted with any key"},
		{"clear to an encrypted ring", mustKeyring(t), mustKeyring(t, keyA), "supvisors", "in the clear while gossip_key is set"},
		{"sealed to a clear ring", mustKeyring(t, keyA), mustKeyring(t), "supvisors", "encrypted message but this node has no gossip_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, request := range []bool{false, true} {
				f, err := tt.send.frame(tt.label, msg, request)
				if err != nil {
					t.Fatal(err)
				}
				if tt.send.sealing() && bytes.Contains(f, msg) {
					t.Error("the sealed frame carries the message in the clear")
				}
				got, isRequest, err := tt.recv.readFrame(bytes.NewReader(f), "supvisors")
				if tt.wantErr == "" && (err != nil || !bytes.Equal(got, msg) || isRequest != request) {
					t.Errorf("read %q (request %v), %v; want %q (request %v)", got, isRequest, err, msg, request)
				}
				if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Errorf("read %q, %v; want an error with %q", got, err, tt.wantErr)
				}
			}
		})
	}
	// The label is authenticated: another cluster's frame is refused.
	f, _ := mustKeyring(t, keyA).frame("other", msg, false)
	if _, _, err := mustKeyring(t, keyA).readFrame(bytes.NewReader(f), "supvisors"); !errors.Is(err, errNoKeyOpens) {
		t.Errorf("another label: %v", err)
	}
}

// TestFrameLimits: a length over MaxMessage is refused before anything is
// allocated for it, and a truncated frame is an error.
func TestFrameLimits(t *testing.T) {
	kr := mustKeyring(t)
	for _, f := range [][]byte{
		{channelMagic, framePlain, 0xff, 0xff, 0xff, 0xff},
		{channelMagic, framePlain, 0x01, 0x00, 0x00, 0x01},
	} {
		if _, _, err := kr.readFrame(bytes.NewReader(f), "supvisors"); err == nil || !strings.Contains(err.Error(), "over the") {
			t.Errorf("% x: %v, want a size error", f, err)
		}
	}
	for _, f := range [][]byte{{}, {channelMagic}, {0x00, 0, 0, 0, 0, 0}, {channelMagic, 9, 0, 0, 0, 0}, {channelMagic, framePlain, 0, 0, 0, 5, 'a'}} {
		if _, _, err := kr.readFrame(bytes.NewReader(f), "supvisors"); err == nil {
			t.Errorf("% x read", f)
		}
	}
	if _, err := kr.frame("supvisors", make([]byte, MaxMessage+1), false); err == nil {
		t.Error("a message over MaxMessage framed")
	}
}

// FuzzReadFrame: whatever arrives on the channel, readFrame returns a
// message or an error, never panics, and never returns more than
// MaxMessage bytes.
func FuzzReadFrame(f *testing.F) {
	for _, kr := range []*keyring{mustKeyring(f), mustKeyring(f, keyA)} {
		frame, _ := kr.frame("supvisors", []byte("\x01hello"), false)
		f.Add(frame)
	}
	f.Add([]byte{channelMagic, frameSealed, 0, 0, 0, 3, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kr := range []*keyring{mustKeyring(t), mustKeyring(t, keyA, keyB)} {
			msg, _, err := kr.readFrame(bytes.NewReader(data), "supvisors")
			if err == nil && len(msg) > MaxMessage {
				t.Fatalf("%d bytes read", len(msg))
			}
		}
	})
}
