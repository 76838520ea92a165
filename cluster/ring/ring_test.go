package ring

import (
	"maps"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/memberlist"

	"github.com/supvisors/supvisors-go/internal/testnet"
)

// TestOnThisHost: the addresses on this host are the loopback ones and
// those of its interfaces; memberlist's TCP pings are not tried to them.
func TestOnThisHost(t *testing.T) {
	names := []string{"127.0.0.1", "127.0.0.2", "192.0.2.1"}
	want := map[string]bool{"127.0.0.1": true, "127.0.0.2": true}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipNet, ok := a.(*net.IPNet); ok && !ipNet.IP.IsLoopback() && ipNet.IP.To4() != nil {
				names = append(names, ipNet.IP.String())
				want[ipNet.IP.String()] = true
				break
			}
		}
	}
	got := newAddresses(names, LookupIP, hclog.NewNullLogger()).onThisHost()
	if !maps.Equal(got, want) {
		t.Errorf("on this host: %v, want %v", got, want)
	}
}

// TestLostLatelyIsNotJoined: a member declared dead is not joined again
// for gossipToTheDead (gossip still tells it, and it refutes), then it is;
// alive again, it is no longer lost.
func TestLostLatelyIsNotJoined(t *testing.T) {
	port := testnet.FreePortOnAll(t, 2)
	r := testRing(t, "127.0.0.1", port, newRecorder(), false, peers("127.0.0.2"))
	d := delegate{r}
	peer := &memberlist.Node{Name: "127.0.0.2"}
	d.NotifyLeave(peer)
	now := time.Now()
	if !r.lostLately(peer.Name, now) {
		t.Error("a member declared dead just now is not lost lately")
	}
	if r.lostLately(peer.Name, now.Add(gossipToTheDead)) {
		t.Errorf("a member declared dead %v ago is still lost lately", gossipToTheDead)
	}
	d.NotifyJoin(peer)
	if r.lostLately(peer.Name, now) {
		t.Error("a member alive again is still lost lately")
	}
}
