package httpserver

import (
	"net/http"
	"testing"

	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// twins has two Go methods with one snake_case name.
type twins struct{}

func (twins) GetID(_ *http.Request, _ *xmlrpc.NoArgs, reply *int) error   { return nil }
func (twins) GetId(_ *http.Request, _ *xmlrpc.NoArgs, reply *int) error   { return nil }
func (twins) Missing(_ *http.Request, _ *xmlrpc.NoArgs, reply *int) error { return nil }

type badReply struct{}

func (badReply) Get(_ *http.Request, _ *xmlrpc.NoArgs, reply *chan int) error { return nil }

func TestRegisterRefuses(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	cases := []struct {
		name string
		err  error
	}{
		{"system namespace", s.XMLRPC().RegisterService("system", &testxmlrpc.Service{}, xmlrpc.LowerCamel, nil)},
		{"duplicate namespace", s.XMLRPC().RegisterService("test", &testxmlrpc.Service{}, xmlrpc.LowerCamel, nil)},
		{"dotted namespace", s.XMLRPC().RegisterService("a.b", &testxmlrpc.Service{}, xmlrpc.LowerCamel, nil)},
		{"empty namespace", s.XMLRPC().RegisterService("", &testxmlrpc.Service{}, xmlrpc.LowerCamel, nil)},
		{"underscore namespace", s.XMLRPC().RegisterService("_x", &testxmlrpc.Service{}, xmlrpc.LowerCamel, nil)},
		{"no methods", s.XMLRPC().RegisterService("none", struct{}{}, xmlrpc.LowerCamel, nil)},
		{"name collision", s.XMLRPC().RegisterService("twins", twins{}, xmlrpc.SnakeCase, nil)},
		{"help for a missing method", s.XMLRPC().RegisterService("help", &testxmlrpc.Service{}, xmlrpc.LowerCamel, map[string]string{"help.nothing": "x"})},
		{"bad reply type", s.XMLRPC().RegisterService("bad", badReply{}, xmlrpc.LowerCamel, nil)},
		{"alias of unknown", s.XMLRPC().RegisterAlias("test.x", "test.nothing")},
		{"alias taken", s.XMLRPC().RegisterAlias("test.add", "test.echo")},
		{"alias without namespace", s.XMLRPC().RegisterAlias("x", "test.echo")},
		{"alias with three parts", s.XMLRPC().RegisterAlias("a.b.c", "test.echo")},
		{"private alias", s.XMLRPC().RegisterAlias("test._x", "test.echo")},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}
