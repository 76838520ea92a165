package xmlrpc

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/internal/testxmlrpc"
)

func TestAssign(t *testing.T) {
	type target struct {
		Name string `xmlrpc:"name"`
		N    int
	}
	when := time.Unix(1700000000, 0).UTC()
	cases := []struct {
		name string
		v    value
		into any // pointer to a zero value of the target type
		want any
	}{
		{"int into int", num(5), new(int), 5},
		{"int into int8", num(-128), new(int8), int8(-128)},
		{"int into uint16", num(65535), new(uint16), uint16(65535)},
		{"int into int64", num(1 << 40), new(int64), int64(1 << 40)},
		{"int into float", num(3), new(float64), 3.0},
		{"double into float", dbl(0.5), new(float64), 0.5},
		{"bool", boolean(true), new(bool), true},
		{"string", str("x"), new(string), "x"},
		{"string into bytes", str("x"), new([]byte), []byte("x")},
		{"base64 into bytes", value{kind: kindBase64, str: "\x00\x01"}, new([]byte), []byte{0, 1}},
		{"dateTime into time", value{kind: kindDateTime, num: when.Unix()}, new(time.Time), when},
		{"int into time", num(when.Unix()), new(time.Time), when},
		{"array into slice", arr(str("a"), str("b")), new([]string), []string{"a", "b"}},
		{"array into array", arr(num(1), num(2)), new([2]int), [2]int{1, 2}},
		{"struct into map", strct(named("a", num(1)), named("b", num(2)), named("a", num(3))), new(map[string]int), map[string]int{"a": 3, "b": 2}},
		{"struct into struct", strct(named("name", str("n")), named("N", num(2)), named("other", boolean(true))), new(target), target{Name: "n", N: 2}},
		{"into pointer", num(4), new(*int), ptr(4)},
		{"nil into pointer", value{kind: kindNil}, new(*int), (*int)(nil)},
		{"nil into any", value{kind: kindNil}, new(any), nil},
		{"struct into any", strct(named("a", arr(num(1), dbl(1.5), boolean(false), value{kind: kindBase64, str: "b"}))), new(any),
			map[string]any{"a": []any{1, 1.5, false, []byte("b")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := reflect.ValueOf(c.into).Elem()
			if err := assign(dst, &c.v); err != nil {
				t.Fatal(err)
			}
			if got := dst.Interface(); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestAssignMismatches(t *testing.T) {
	cases := []struct {
		name string
		v    value
		into any
		msg  string
	}{
		{"string into int", str("5"), new(int), "want int, got string"},
		{"bool into int", boolean(true), new(int), "want int, got boolean"},
		{"int into bool", num(1), new(bool), "want boolean, got int"},
		{"int into string", num(1), new(string), "want string, got int"},
		{"nil into string", value{kind: kindNil}, new(string), "want string, got nil"},
		{"double into int", dbl(1), new(int), "want int, got double"},
		{"overflow int32", num(1 << 40), new(int32), "out of range"},
		{"negative into uint", num(-1), new(uint), "out of range"},
		{"string into time", str("x"), new(time.Time), "want dateTime.iso8601, got string"},
		{"struct into slice", strct(), new([]string), "want array, got struct"},
		{"array into map", arr(), new(map[string]any), "want struct, got array"},
		{"short array", arr(num(1)), new([2]int), "want array, got array"},
		{"bad element", arr(num(1), str("x")), new([]int), "element 2: want int, got string"},
		{"bad member", strct(named("k", str("x"))), new(map[string]int), `member "k": want int, got string`},
		{"into error", str("x"), new(error), "cannot decode into error"},
		{"into channel", str("x"), new(chan int), "cannot decode into chan int"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := assign(reflect.ValueOf(c.into).Elem(), &c.v)
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("got %v, want an error with %q", err, c.msg)
			}
		})
	}
}

func TestArgsSpecBuild(t *testing.T) {
	spec, err := newArgsSpec(reflect.TypeFor[testxmlrpc.GreetArgs]())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		params []value
		want   testxmlrpc.GreetArgs
		fault  string
	}{
		{"defaults", []value{str("x")}, testxmlrpc.GreetArgs{Name: "x", Loud: true, Times: 2}, ""},
		{"one optional given", []value{str("x"), boolean(false)}, testxmlrpc.GreetArgs{Name: "x", Times: 2}, ""},
		{"all given", []value{str("x"), boolean(false), num(1), str("t")}, testxmlrpc.GreetArgs{Name: "x", Times: 1, Tail: "t"}, ""},
		{"too few", nil, testxmlrpc.GreetArgs{}, "INCORRECT_PARAMETERS"},
		{"too many", []value{str("x"), boolean(false), num(1), str("t"), str("u")}, testxmlrpc.GreetArgs{}, "INCORRECT_PARAMETERS"},
		{"wrong type", []value{str("x"), str("yes")}, testxmlrpc.GreetArgs{}, "INCORRECT_PARAMETERS: param 2 (loud): want boolean, got string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := spec.build(c.params)
			if c.fault != "" {
				testxmlrpc.WantFault(t, err, fault.IncorrectParameters, c.fault)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := *got.Interface().(*testxmlrpc.GreetArgs); g != c.want {
				t.Errorf("got %+v, want %+v", g, c.want)
			}
		})
	}
}

func TestArgsSpecRefuses(t *testing.T) {
	type requiredAfterOptional struct {
		A string `xmlrpc:"a,optional"`
		B string
	}
	type defaultNotOptional struct {
		A bool `default:"true"`
	}
	type badDefault struct {
		A int `xmlrpc:"a,optional" default:"many"`
	}
	type unsupportedDefault struct {
		A []string `xmlrpc:"a,optional" default:"x"`
	}
	type channel struct{ C chan int }
	type errorField struct{ E error }
	type intMap struct{ M map[int]string }
	for _, typ := range []reflect.Type{
		reflect.TypeFor[string](),
		reflect.TypeFor[requiredAfterOptional](),
		reflect.TypeFor[defaultNotOptional](),
		reflect.TypeFor[badDefault](),
		reflect.TypeFor[unsupportedDefault](),
		reflect.TypeFor[channel](),
		reflect.TypeFor[errorField](),
		reflect.TypeFor[intMap](),
	} {
		if _, err := newArgsSpec(typ); err == nil {
			t.Errorf("%s accepted", typ)
		}
	}
}

func TestNaming(t *testing.T) {
	cases := []struct{ goName, camel, snake string }{
		{"GetProcessInfo", "getProcessInfo", "get_process_info"},
		{"GetAPIVersion", "getAPIVersion", "get_api_version"},
		{"GetPID", "getPID", "get_pid"},
		{"PIDOf", "pidOf", "pid_of"},
		{"ID", "id", "id"},
		{"Shutdown", "shutdown", "shutdown"},
		{"GetMasterIdentifier", "getMasterIdentifier", "get_master_identifier"},
		{"StartProcess2", "startProcess2", "start_process2"},
		{"Get2FACode", "get2FACode", "get2_fa_code"},
	}
	for _, c := range cases {
		if got := LowerCamel.wireName(c.goName); got != c.camel {
			t.Errorf("LowerCamel(%s) = %s, want %s", c.goName, got, c.camel)
		}
		if got := SnakeCase.wireName(c.goName); got != c.snake {
			t.Errorf("SnakeCase(%s) = %s, want %s", c.goName, got, c.snake)
		}
	}
}
