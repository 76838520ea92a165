package config

import (
	"crypto/sha256"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/supvisors/supvisors-go/enums"
)

var testAddresses = []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}

// fullRules uses every element, in an order other than the XSD's.
const fullRules = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- a comment -->
<root xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="rules.xsd">
  <application name="web">
    <program name="server">
      <wait_exit> no </wait_exit>
      <running_failure_strategy>restart_process</running_failure_strategy>
      <loading>25</loading>
      <required>TRUE</required>
      <stop_sequence>3</stop_sequence>
      <start_sequence>2</start_sequence>
      <addresses> 10.0.0.2 , 10.0.0.1,10.0.0.2 </addresses>
    </program>
    <running_failure_strategy>STOP_APPLICATION</running_failure_strategy>
    <starting_failure_strategy>CONTINUE</starting_failure_strategy>
    <stop_sequence>4</stop_sequence>
    <start_sequence>127</start_sequence>
    <pattern name="worker_">
      <addresses>#</addresses>
      <expected_loading>0</expected_loading>
      <wait_exit>1</wait_exit>
    </pattern>
    <program name="empty"/>
  </application>
  <application name="db"><![CDATA[  ]]></application>
</root>
<!-- trailing comment -->
`

func mustParseRules(t testing.TB, text string) *Rules {
	t.Helper()
	r, err := ParseRules("rules.xml", []byte(text), testAddresses)
	if err != nil {
		t.Fatalf("ParseRules: %v", err)
	}
	return r
}

func TestParseRulesFull(t *testing.T) {
	r := mustParseRules(t, fullRules)
	if r.File != "rules.xml" || r.Hash != sha256.Sum256([]byte(fullRules)) {
		t.Errorf("File %q, Hash %x", r.File, r.Hash)
	}
	want := map[string]*ApplicationRules{
		"web": {
			Name: "web", Line: 4, StartSequence: 127, StopSequence: 4,
			StartingFailure: enums.FailContinue, RunningFailure: enums.RunStopApplication,
			Programs: map[string]*ProgramRules{
				"server": {Name: "server", Line: 5, Addresses: []string{"10.0.0.2", "10.0.0.1"}, StartSequence: 2, StopSequence: 3,
					Required: true, Loading: 25, RunningFailure: enums.RunRestartProcess},
				"empty": {Name: "empty", Line: 23, RunningFailure: enums.RunStopApplication},
			},
			Patterns: []*ProgramRules{
				{Name: "worker_", Line: 18, Hashed: true, WaitExit: true, Loading: 0, RunningFailure: enums.RunStopApplication},
			},
		},
		"db": {Name: "db", Line: 25, StartingFailure: enums.FailAbort, RunningFailure: enums.RunContinue, Programs: map[string]*ProgramRules{}},
	}
	if !reflect.DeepEqual(r.Applications, want) {
		for name, a := range r.Applications {
			t.Logf("%s: %+v", name, *a)
			for _, p := range a.Programs {
				t.Logf("  program %+v", *p)
			}
			for _, p := range a.Patterns {
				t.Logf("  pattern %+v", *p)
			}
		}
		t.Error("applications differ from the expected ones")
	}
}

func TestRulesDefaults(t *testing.T) {
	defaultApp := ApplicationRules{Name: "g", StartingFailure: enums.FailAbort, RunningFailure: enums.RunContinue}
	defaultProg := ProgramRules{Name: "p", RunningFailure: enums.RunContinue}
	empty := mustParseRules(t, "<root/>")
	for name, r := range map[string]*Rules{"nil": nil, "empty file": empty, "other application": mustParseRules(t, `<root><application name="x"/></root>`)} {
		t.Run(name, func(t *testing.T) {
			if got := r.Application("g"); !reflect.DeepEqual(got, defaultApp) {
				t.Errorf("Application = %+v, want %+v", got, defaultApp)
			}
			if got := r.Program("g", "p"); !reflect.DeepEqual(got, defaultProg) {
				t.Errorf("Program = %+v, want %+v", got, defaultProg)
			}
		})
	}
	if len(empty.Applications) != 0 || empty.Hash == ([32]byte{}) {
		t.Errorf("empty rules: %+v", empty)
	}
	// A program the application does not name gets the application's
	// running failure strategy.
	r := mustParseRules(t, `<root><application name="g"><running_failure_strategy>RESTART_APPLICATION</running_failure_strategy></application></root>`)
	want := ProgramRules{Name: "p", RunningFailure: enums.RunRestartApplication}
	if got := r.Program("g", "p"); !reflect.DeepEqual(got, want) {
		t.Errorf("Program = %+v, want %+v", got, want)
	}
}

func TestRulesProgramLookup(t *testing.T) {
	r := mustParseRules(t, `<root>
<application name="a">
  <running_failure_strategy>STOP_APPLICATION</running_failure_strategy>
  <pattern name="work"><loading>2</loading></pattern>
  <pattern name="worker_"><loading>3</loading></pattern>
  <pattern name="er_1"><loading>4</loading></pattern>
  <pattern name="ker_1"><loading>5</loading></pattern>
  <program name="worker_1"><loading>6</loading></program>
</application>
<application name="b">
  <pattern name="x"><loading>7</loading></pattern>
</application>
</root>`)
	tests := []struct {
		group, name string
		wantName    string
		wantLine    int
		wantLoading int
	}{
		{"a", "worker_1", "worker_1", 8, 6},  // exact program beats every pattern
		{"a", "worker_2", "worker_", 5, 3},   // longest pattern
		{"a", "worker_10", "worker_", 5, 3},  // longest, not the exact program
		{"a", "xworker_12", "worker_", 5, 3}, // substring anywhere
		{"a", "xer_1", "er_1", 6, 4},         // the only match
		{"a", "walker_1", "ker_1", 7, 5},     // "ker_1" (5) beats "er_1" (4)
		{"a", "work", "work", 4, 2},          // the whole name
		{"a", "wor", "wor", 0, 0},            // no pattern: defaults
		{"b", "worker_1", "worker_1", 0, 0},  // patterns are scoped to their application
		{"b", "box", "x", 11, 7},             // b's own pattern
		{"c", "x", "x", 0, 0},                // unknown application
		{"a:worker_1", "x", "x", 0, 0},       // group names are exact
		{"a", "a:worker_1", "worker_", 5, 3}, // the name is matched as given
	}
	for _, tt := range tests {
		got := r.Program(tt.group, tt.name)
		if got.Name != tt.wantName || got.Line != tt.wantLine || got.Loading != tt.wantLoading {
			t.Errorf("Program(%q, %q) = %s line %d loading %d, want %s line %d loading %d",
				tt.group, tt.name, got.Name, got.Line, got.Loading, tt.wantName, tt.wantLine, tt.wantLoading)
		}
	}
	if got := r.Program("a", "zzz").RunningFailure; got != enums.RunStopApplication {
		t.Errorf("default running failure %v, want the application's", got)
	}
	// Ties: the first pattern in file order.
	tie := mustParseRules(t, `<root><application name="a"><pattern name="ab"><loading>1</loading></pattern><pattern name="bc"><loading>2</loading></pattern></application></root>`)
	if got := tie.Program("a", "abc"); got.Name != "ab" {
		t.Errorf("tie won by %q, want the first pattern", got.Name)
	}
}

// modelRules references models from programs, patterns and models.
const modelRules = `<root>
<application name="a">
  <running_failure_strategy>RESTART_APPLICATION</running_failure_strategy>
  <program name="plain"><reference>base</reference></program>
  <program name="override">
    <start_sequence>9</start_sequence>
    <reference>base</reference>
    <addresses>*</addresses>
    <loading>0</loading>
  </program>
  <pattern name="pat"><reference>derived</reference><wait_exit>false</wait_exit></pattern>
  <program name="nothing"><reference>empty</reference></program>
</application>
<model name="base">
  <addresses>10.0.0.3,#</addresses>
  <start_sequence>5</start_sequence>
  <stop_sequence>6</stop_sequence>
  <required>yes</required>
  <wait_exit>true</wait_exit>
  <expected_loading>50</expected_loading>
  <running_failure_strategy>CONTINUE</running_failure_strategy>
</model>
<model name="derived">
  <stop_sequence>7</stop_sequence>
  <reference>base</reference>
</model>
<model name="empty"/>
<model name="unused"><reference>derived</reference></model>
</root>`

func TestRulesModels(t *testing.T) {
	r := mustParseRules(t, modelRules)
	want := map[string]ProgramRules{
		"plain": {Name: "plain", Line: 4, Addresses: []string{"10.0.0.3"}, Hashed: true, StartSequence: 5, StopSequence: 6,
			Required: true, WaitExit: true, Loading: 50, RunningFailure: enums.RunContinue},
		"override": {Name: "override", Line: 5, StartSequence: 9, StopSequence: 6,
			Required: true, WaitExit: true, Loading: 0, RunningFailure: enums.RunContinue},
		"pat": {Name: "pat", Line: 11, Addresses: []string{"10.0.0.3"}, Hashed: true, StartSequence: 5, StopSequence: 7,
			Required: true, WaitExit: false, Loading: 50, RunningFailure: enums.RunContinue},
		"nothing": {Name: "nothing", Line: 12, RunningFailure: enums.RunRestartApplication},
	}
	for name, w := range want {
		if got := r.Program("a", name); !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %+v\nwant %+v", name, got, w)
		}
	}
}

func TestRulesAddresses(t *testing.T) {
	tests := []struct {
		text   string
		want   []string
		hashed bool
	}{
		{"*", nil, false},
		{"", nil, false},
		{" , ,", nil, false},
		{"10.0.0.1,*", nil, false},
		{"#", nil, true},
		{"*,#", nil, false}, // '*' wins, as in Supvisors 0.1
		{"#,10.0.0.3,10.0.0.1", []string{"10.0.0.3", "10.0.0.1"}, true},
		{"10.0.0.3", []string{"10.0.0.3"}, false},
		{"10.0.0.3,,10.0.0.1,10.0.0.3", []string{"10.0.0.3", "10.0.0.1"}, false},
		{"\n\t10.0.0.2\n", []string{"10.0.0.2"}, false},
	}
	for _, tt := range tests {
		r := mustParseRules(t, `<root><application name="a"><program name="p"><addresses>`+tt.text+`</addresses></program></application></root>`)
		got := r.Program("a", "p")
		if !reflect.DeepEqual(got.Addresses, tt.want) || got.Hashed != tt.hashed {
			t.Errorf("<addresses>%s</addresses>: %q hashed %v, want %q hashed %v", tt.text, got.Addresses, got.Hashed, tt.want, tt.hashed)
		}
	}
}

// TestRulesValues checks each value element's accepted spellings.
func TestRulesValues(t *testing.T) {
	prog := func(elem, text string) string {
		return `<root><application name="a"><program name="p"><start_sequence>1</start_sequence><` + elem + `>` + text + `</` + elem + `></program></application></root>`
	}
	app := func(elem, text string) string {
		return `<root><application name="a"><` + elem + `>` + text + `</` + elem + `></application></root>`
	}
	tests := []struct {
		text  string
		check func(r *Rules) bool
	}{
		{prog("required", "true"), func(r *Rules) bool { return r.Program("a", "p").Required }},
		{prog("required", " Yes "), func(r *Rules) bool { return r.Program("a", "p").Required }},
		{prog("required", "1"), func(r *Rules) bool { return r.Program("a", "p").Required }},
		{prog("required", "FALSE"), func(r *Rules) bool { return !r.Program("a", "p").Required }},
		{prog("required", "no"), func(r *Rules) bool { return !r.Program("a", "p").Required }},
		{prog("required", "0"), func(r *Rules) bool { return !r.Program("a", "p").Required }},
		{prog("wait_exit", "yes"), func(r *Rules) bool { return r.Program("a", "p").WaitExit }},
		{prog("loading", "100"), func(r *Rules) bool { return r.Program("a", "p").Loading == 100 }},
		{prog("loading", "0"), func(r *Rules) bool { return r.Program("a", "p").Loading == 0 }},
		{prog("expected_loading", "\n 42\n"), func(r *Rules) bool { return r.Program("a", "p").Loading == 42 }},
		{prog("stop_sequence", "127"), func(r *Rules) bool { return r.Program("a", "p").StopSequence == 127 }},
		{prog("stop_sequence", "0"), func(r *Rules) bool { return r.Program("a", "p").StopSequence == 0 }},
		{prog("running_failure_strategy", "CONTINUE"), func(r *Rules) bool { return r.Program("a", "p").RunningFailure == enums.RunContinue }},
		{prog("running_failure_strategy", "RESTART_PROCESS"), func(r *Rules) bool {
			return r.Program("a", "p").RunningFailure == enums.RunRestartProcess
		}},
		{prog("running_failure_strategy", "STOP_APPLICATION"), func(r *Rules) bool {
			return r.Program("a", "p").RunningFailure == enums.RunStopApplication
		}},
		{prog("running_failure_strategy", " RESTART_APPLICATION "), func(r *Rules) bool {
			return r.Program("a", "p").RunningFailure == enums.RunRestartApplication
		}},
		{app("starting_failure_strategy", "ABORT"), func(r *Rules) bool { return r.Application("a").StartingFailure == enums.FailAbort }},
		{app("starting_failure_strategy", "STOP"), func(r *Rules) bool { return r.Application("a").StartingFailure == enums.FailStop }},
		{app("starting_failure_strategy", "continue"), func(r *Rules) bool { return r.Application("a").StartingFailure == enums.FailContinue }},
		{app("start_sequence", "+3"), func(r *Rules) bool { return r.Application("a").StartSequence == 3 }},
		{app("stop_sequence", " 0 "), func(r *Rules) bool { return r.Application("a").StopSequence == 0 }},
		{app("stop_sequence", "<!-- c -->1<!-- d -->2"), func(r *Rules) bool { return r.Application("a").StopSequence == 12 }},
		{app("stop_sequence", "&#x35;"), func(r *Rules) bool { return r.Application("a").StopSequence == 5 }},
	}
	for _, tt := range tests {
		if r := mustParseRules(t, tt.text); !tt.check(r) {
			t.Errorf("%s: wrong value: %+v %+v", tt.text, r.Application("a"), r.Program("a", "p"))
		}
	}
}

// TestRulesEncodings checks the encodings a declaration may name, and a
// byte order mark.
func TestRulesEncodings(t *testing.T) {
	tests := map[string]string{
		"bom":     "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<root><application name=\"caf\xc3\xa9\"/></root>",
		"utf-8":   "<?xml version=\"1.0\" encoding=\"utf-8\"?><root><application name=\"caf\xc3\xa9\"/></root>",
		"latin-1": "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<root><application name=\"caf\xe9\"/></root>",
		"utf8":    "<?xml version=\"1.0\" encoding=\"UTF8\"?><root><application name=\"caf&#233;\"/></root>",
		"ascii":   "<?xml version=\"1.0\" encoding=\"US-ASCII\"?><root><application name=\"caf&#xe9;\"/></root>",
	}
	for name, text := range tests {
		r := mustParseRules(t, text)
		if a := r.Application("caf\u00e9"); a.Line == 0 {
			t.Errorf("%s: applications %v", name, r.Applications)
		}
	}
}

// requiredRules sets required with and without a start sequence, directly
// and through models.
const requiredRules = `<root>
<model name="m"><required>true</required><start_sequence>0</start_sequence></model>
<model name="started"><required>true</required><start_sequence>1</start_sequence></model>
<application name="a">
  <program name="unset"><required>true</required></program>
  <program name="zero"><start_sequence>0</start_sequence><required>true</required></program>
  <program name="one"><required>true</required><start_sequence>1</start_sequence></program>
  <program name="model"><reference>m</reference></program>
  <program name="override0"><reference>started</reference><start_sequence>0</start_sequence></program>
  <program name="override1"><reference>m</reference><start_sequence>2</start_sequence></program>
  <pattern name="pat"><required>true</required></pattern>
</application>
</root>`

func TestRulesRequiredForcedFalse(t *testing.T) {
	r := mustParseRules(t, requiredRules)
	for name, want := range map[string]bool{"unset": false, "zero": false, "one": true, "model": false, "override0": false, "override1": true, "pat": false} {
		if got := r.Program("a", name).Required; got != want {
			t.Errorf("%s: required %v, want %v", name, got, want)
		}
	}
}

// rulesErrorApp opens an application, for the error cases.
const rulesErrorApp = `<root>
<application name="web">
`

// rulesErrorCases are rules files with an error at line, whose message
// contains want.
var rulesErrorCases = []struct {
	name, text string
	line       int
	want       string
}{
	{"empty file", "", 0, "no <root> element"},
	{"only a declaration", `<?xml version="1.0"?>` + "\n", 0, "no <root> element"},
	{"wrong root", "\n<rules/>", 2, "<rules>: the root element must be <root>"},
	{"second root", "<root/>\n<root/>", 2, "unexpected element <root> after </root>"},
	{"text before root", "\n\n  junk <root/>", 3, `unexpected text "junk" outside <root>`},
	{"text after root", "<root/>\n junk", 2, `unexpected text "junk" outside <root>`},
	{"root attribute", "\n<root name=\"x\"/>", 2, `<root>: unexpected attribute "name"`},
	{"text in root", "<root>\n\n  hello\n</root>", 3, `<root>: unexpected text "hello"`},
	{"unknown root element", "<root>\n<program name=\"p\"/></root>", 2, "<root>: unknown element <program>: expected <model> or <application>"},
	{"malformed", "<root>\n<application name=\"a\">\n</root>", 3, "malformed XML: element <application> closed by </root>"},
	{"unclosed", "<root>\n<application name=\"a\">\n", 3, "malformed XML: unexpected EOF"},
	{"bad attribute syntax", "<root>\n<application name=a/>\n</root>", 2, "malformed XML"},
	{"undefined entity", "<root>\n<application name=\"a\"><start_sequence>&x;</start_sequence></application></root>", 2, "malformed XML: invalid character entity &x;"},
	{"doctype", "<?xml version=\"1.0\"?>\n<!DOCTYPE root [<!ENTITY x \"1\">]>\n<root/>", 2, "<!DOCTYPE> is not allowed"},
	{"doctype on lines", "<!DOCTYPE\nroot SYSTEM \"file:///etc/passwd\">\n<root/>", 1, "<!DOCTYPE> is not allowed"},
	{"doctype entity use", "<!DOCTYPE root [<!ENTITY x \"1\">]><root>&x;</root>", 1, "<!DOCTYPE> is not allowed"},
	{"unsupported encoding", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<root/>", 1, `malformed XML: xml: opening charset "UTF-16": unsupported encoding: expected UTF-8, US-ASCII or ISO-8859-1`},
	{"invalid UTF-8", "<root>\n<application name=\"\xff\"/></root>", 2, "malformed XML: invalid UTF-8"},

	{"application missing name", rulesErrorApp[:7] + "\n<application/>", 3, "<application>: missing name attribute"},
	{"application empty name", rulesErrorApp[:7] + "<application name=\"  \"/>", 2, `<application name="">: empty name`},
	{"application other attribute", rulesErrorApp[:7] + "<application name=\"a\" pattern=\"x\"/>", 2, `<application>: unexpected attribute "pattern": only name is allowed`},
	{"application namespaced attribute", rulesErrorApp[:7] + "<application xmlns:n=\"u\" name=\"a\"/>", 2, `unexpected attribute "xmlns:n"`},
	{"application name twice", rulesErrorApp[:7] + "<application name=\"a\" name=\"b\"/>", 2, "<application>: name attribute given twice"},
	{"duplicate application", rulesErrorApp + "</application>\n\n<application name=\"web\"/></root>", 5, `<application name="web">: duplicate application "web", first defined at line 2`},
	{"application unknown element", rulesErrorApp + "  <programs/>", 3, `<application name="web">: unknown element <programs>`},
	{"application text", rulesErrorApp + "  <start_sequence>1</start_sequence> oops\n</application></root>", 3, `<application name="web">: unexpected text "oops"`},
	{"application start_sequence", rulesErrorApp + "\n<start_sequence>x</start_sequence>", 4, `<application name="web"> <start_sequence>: invalid value "x": expected an integer in [0;127]`},
	{"application start_sequence negative", rulesErrorApp + "<start_sequence>-1</start_sequence>", 3, `invalid value "-1": expected an integer in [0;127]`},
	{"application start_sequence too big", rulesErrorApp + "<start_sequence>128</start_sequence>", 3, `invalid value "128": expected an integer in [0;127]`},
	{"application stop_sequence empty", rulesErrorApp + "<stop_sequence/>", 3, `<application name="web"> <stop_sequence>: invalid value "": expected an integer in [0;127]`},
	{"application stop_sequence float", rulesErrorApp + "<stop_sequence>1.0</stop_sequence>", 3, `invalid value "1.0"`},
	{"application starting_failure_strategy", rulesErrorApp + "<starting_failure_strategy>RESTART</starting_failure_strategy>", 3,
		`<application name="web"> <starting_failure_strategy>: invalid value "RESTART": expected one of ABORT, STOP, CONTINUE`},
	{"application running_failure_strategy", rulesErrorApp + "<running_failure_strategy>ABORT</running_failure_strategy>", 3,
		`<application name="web"> <running_failure_strategy>: invalid value "ABORT": expected one of CONTINUE, RESTART_PROCESS, STOP_APPLICATION, RESTART_APPLICATION`},
	{"application element twice", rulesErrorApp + "<start_sequence>1</start_sequence>\n<start_sequence>1</start_sequence>", 4,
		`<application name="web"> <start_sequence>: set twice, first at line 3`},
	{"value attribute", rulesErrorApp + "<start_sequence\n unit=\"s\">1</start_sequence>", 3, `<application name="web"> <start_sequence>: unexpected attribute "unit"`},
	{"nested value", rulesErrorApp + "<start_sequence>\n<x>1</x></start_sequence>", 4, `<application name="web"> <start_sequence>: unexpected element <x> inside a value`},

	{"program missing name", rulesErrorApp + "<program/>", 3, "<program>: missing name attribute"},
	{"pattern empty name", rulesErrorApp + "<pattern name=\"\"/>", 3, `<pattern name="">: empty name`},
	{"program other attribute", rulesErrorApp + "<program name=\"p\" numprocs=\"2\"/>", 3, `<program>: unexpected attribute "numprocs": only name is allowed`},
	{"duplicate program", rulesErrorApp + "<program name=\"p\"/>\n<program name=\"p\"/>", 4, `<application name="web"> <program name="p">: duplicate program "p", first defined at line 3`},
	{"duplicate pattern", rulesErrorApp + "<pattern name=\"p\"/>\n<program name=\"p\"/>\n<pattern name=\"p\"/>", 5, `duplicate pattern "p", first defined at line 3`},
	{"program unknown element", rulesErrorApp + "<program name=\"p\">\n<autostart>true</autostart>", 4, `<application name="web"> <program name="p">: unknown element <autostart>`},
	{"program text", rulesErrorApp + "<program name=\"p\">\n\n x <required>true</required></program>", 5, `<application name="web"> <program name="p">: unexpected text "x"`},
	{"program start_sequence", rulesErrorApp + "<program name=\"p\"><start_sequence>128</start_sequence>", 3, `<application name="web"> <program name="p"> <start_sequence>: invalid value "128"`},
	{"program stop_sequence", rulesErrorApp + "<program name=\"p\"><stop_sequence>z</stop_sequence>", 3, `<program name="p"> <stop_sequence>: invalid value "z"`},
	{"program required", rulesErrorApp + "<program name=\"p\">\n<required>maybe</required>", 4, `<application name="web"> <program name="p"> <required>: invalid value "maybe": expected true or false`},
	{"program required on", rulesErrorApp + "<program name=\"p\"><required>on</required>", 3, `invalid value "on": expected true or false`},
	{"program wait_exit", rulesErrorApp + "<program name=\"p\"><wait_exit>2</wait_exit>", 3, `<wait_exit>: invalid value "2": expected true or false`},
	{"program loading", rulesErrorApp + "<program name=\"p\"><loading>101</loading>", 3, `<program name="p"> <loading>: invalid value "101": expected an integer in [0;100]`},
	{"program expected_loading", rulesErrorApp + "<pattern name=\"p\"><expected_loading>-1</expected_loading>", 3, `<pattern name="p"> <expected_loading>: invalid value "-1": expected an integer in [0;100]`},
	{"program loading twice", rulesErrorApp + "<program name=\"p\"><loading>1</loading>\n<expected_loading>2</expected_loading>", 4, `<expected_loading>: set twice, first at line 3`},
	{"program running_failure_strategy", rulesErrorApp + "<program name=\"p\"><running_failure_strategy>STOP</running_failure_strategy>", 3, `<running_failure_strategy>: invalid value "STOP"`},
	{"program starting_failure_strategy", rulesErrorApp + "<program name=\"p\"><starting_failure_strategy>STOP</starting_failure_strategy>", 3, `<program name="p">: unknown element <starting_failure_strategy>`},
	{"unknown address", rulesErrorApp + "<program name=\"p\">\n<addresses>10.0.0.1, 10.0.0.9</addresses>", 4, `<program name="p"> <addresses>: unknown address "10.0.0.9": not in address_list`},
	{"nested address", rulesErrorApp + "<program name=\"p\"><addresses><address>10.0.0.1</address></addresses>", 3, `<addresses>: unexpected element <address> inside a value`},
	{"empty reference", rulesErrorApp + "<program name=\"p\"><reference> </reference>", 3, `<program name="p"> <reference>: empty model name`},
	{"two references", rulesErrorApp + "<program name=\"p\"><reference>m</reference><reference>m</reference>", 3, `<reference>: set twice`},
	{"missing model", rulesErrorApp + "<program name=\"p\">\n<start_sequence>1</start_sequence>\n  <reference>nope</reference></program></application>\n<model name=\"m\"/></root>", 5,
		`<application name="web"> <program name="p"> <reference>: unknown model "nope"`},
	{"missing model in a model", "<root>\n<model name=\"m\">\n<reference>nope</reference></model></root>", 3, `<model name="m"> <reference>: unknown model "nope"`},
	{"self reference", "<root>\n<model name=\"m\"><reference>m</reference></model></root>", 2, `<model name="m"> <reference>: reference cycle through models "m" -> "m"`},
	{"reference cycle", "<root>\n<model name=\"a\"><reference>b</reference></model>\n<model name=\"b\">\n<reference>a</reference></model></root>", 4,
		`<model name="b"> <reference>: reference cycle through models "a" -> "b" -> "a"`},
	{"reference cycle from a program", "<root><application name=\"x\"><program name=\"p\"><reference>a</reference></program></application>\n<model name=\"a\"><reference>b</reference></model>\n<model name=\"b\"><reference>a</reference></model></root>", 3,
		`reference cycle through models "a" -> "b" -> "a"`},
	{"model missing name", "<root>\n<model/></root>", 2, "<model>: missing name attribute"},
	{"duplicate model", "<root>\n<model name=\"m\"/>\n<model name=\"m\"/></root>", 3, `<model name="m">: duplicate model "m", first defined at line 2`},
	{"model unknown element", "<root><model name=\"m\">\n<program name=\"p\"/></model></root>", 2, `<model name="m">: unknown element <program>`},
	{"model bad value", "<root><model name=\"m\">\n<loading>x</loading></model></root>", 2, `<model name="m"> <loading>: invalid value "x"`},
	{"model unknown address", "<root><model name=\"m\">\n<addresses>h</addresses></model></root>", 2, `<model name="m"> <addresses>: unknown address "h"`},
}

func TestRulesErrors(t *testing.T) {
	for _, tt := range rulesErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRules("rules.xml", []byte(tt.text), testAddresses)
			wantRulesError(t, r, err, "rules.xml", tt.line, tt.want)
		})
	}
}

// wantRulesError checks that err is an *Error at file:line whose message
// contains want, and that no Rules came with it.
func wantRulesError(t *testing.T, r *Rules, err error, file string, line int, want string) {
	t.Helper()
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("err = %v (rules %+v), want an *Error", err, r)
	}
	if r != nil {
		t.Errorf("rules %+v returned with the error", r)
	}
	if cerr.File != file || cerr.Line != line || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %q (at %s:%d), want %s:%d and %q", err, cerr.File, cerr.Line, file, line, want)
	}
}

func TestRulesErrorMessage(t *testing.T) {
	_, err := ParseRules("rules.xml", []byte("<root>\n<application name=\"web\">\n<start_sequence>x</start_sequence></application></root>"), nil)
	const want = `rules.xml:3: <application name="web"> <start_sequence>: invalid value "x": expected an integer in [0;127]`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// TestRulesLimits checks the defences against hostile input: size, depth,
// long reference chains.
func TestRulesLimits(t *testing.T) {
	big := make([]byte, maxRulesSize+1)
	r, err := ParseRules("rules.xml", big, nil)
	wantRulesError(t, r, err, "rules.xml", 0, "larger than the 16 MiB limit")

	// The grammar rejects deep nesting at its first unexpected element...
	deep := "<root>\n" + strings.Repeat("<application name=\"a\">", 40)
	r, err = ParseRules("rules.xml", []byte(deep), nil)
	wantRulesError(t, r, err, "rules.xml", 2, `<application name="a">: unknown element <application>`)

	// ... and the token reader by itself stops at maxRulesDepth.
	doc := strings.Repeat("<a>\n", maxRulesDepth+5)
	x := &xmlTokens{dec: xml.NewDecoder(strings.NewReader(doc)), file: "rules.xml"}
	for {
		_, _, err := x.next()
		if err != nil {
			var cerr *Error
			if !errors.As(err, &cerr) || cerr.Line != maxRulesDepth+1 || !strings.Contains(err.Error(), "nested deeper than 32 levels") {
				t.Fatalf("depth error %v", err)
			}
			break
		}
	}

	// A program following maxReferenceChain models is fine, one more is
	// not.
	chain := func(n int) []byte {
		var b strings.Builder
		b.WriteString("<root>\n<application name=\"a\"><program name=\"p\"><reference>m0</reference></program></application>\n")
		for i := 0; i < n-1; i++ {
			b.WriteString("<model name=\"m" + strconv.Itoa(i) + "\"><reference>m" + strconv.Itoa(i+1) + "</reference></model>\n")
		}
		b.WriteString("<model name=\"m" + strconv.Itoa(n-1) + "\"><loading>9</loading></model></root>")
		return []byte(b.String())
	}
	r, err = ParseRules("rules.xml", chain(maxReferenceChain+1), nil)
	wantRulesError(t, r, err, "rules.xml", 3+maxReferenceChain-1, "more than 32 models referenced in a chain")
	if r, err := ParseRules("rules.xml", chain(maxReferenceChain), nil); err != nil || r.Program("a", "p").Loading != 9 {
		t.Errorf("a chain of %d models: %v", maxReferenceChain, err)
	}
}

func TestLoadRules(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.xml")
	writeFile(t, path, fullRules)
	r, err := LoadRules(path, testAddresses)
	if err != nil {
		t.Fatal(err)
	}
	if r.File != path || r.Hash != sha256.Sum256([]byte(fullRules)) || r.Application("web").StartSequence != 127 {
		t.Errorf("LoadRules: %+v", r)
	}

	r, err = LoadRules(filepath.Join(dir, "missing.xml"), nil)
	wantRulesError(t, r, err, filepath.Join(dir, "missing.xml"), 0, "could not find rules file")
	r, err = LoadRules(dir, nil)
	wantRulesError(t, r, err, dir, 0, "not a regular file")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = LoadRules(fifo, nil)
	wantRulesError(t, r, err, fifo, 0, "not a regular file")

	bad := filepath.Join(dir, "bad.xml")
	writeFile(t, bad, "<root>\n<model/>\n</root>")
	r, err = LoadRules(bad, nil)
	wantRulesError(t, r, err, bad, 2, "<model>: missing name attribute")

	huge := filepath.Join(dir, "huge.xml")
	if err := os.WriteFile(huge, make([]byte, maxRulesSize+10), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = LoadRules(huge, nil)
	wantRulesError(t, r, err, huge, 0, "larger than the 16 MiB limit")
}

func TestLoadWithRulesFile(t *testing.T) {
	const rules = "<root>\n<application name=\"web\">\n<program name=\"p\"><addresses>node1,b</addresses><loading>7</loading></program>\n</application>\n</root>\n"
	t.Run("here", func(t *testing.T) {
		cfg, dir := mustLoad(t, map[string]string{
			"main.conf": "[supervisord]\n[supvisors]\naddress_list = node1, b\nrules_file = %(here)s/rules.xml\n",
			"rules.xml": rules,
		}, testOptions())
		if cfg.Rules == nil || cfg.Rules.File != filepath.Join(dir, "rules.xml") || cfg.Rules.Hash != sha256.Sum256([]byte(rules)) {
			t.Fatalf("Rules = %+v", cfg.Rules)
		}
		if p := cfg.Rules.Program("web", "p"); p.Loading != 7 || !reflect.DeepEqual(p.Addresses, []string{"node1", "b"}) {
			t.Errorf("Program = %+v", p)
		}
	})
	t.Run("relative", func(t *testing.T) {
		// As stored by the [supvisors] section: relative to the working
		// directory.
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "main.conf"), "[supervisord]\n[supvisors]\naddress_list = node1, b\nrules_file = rules.xml\n")
		writeFile(t, filepath.Join(dir, "rules.xml"), rules)
		t.Chdir(dir)
		cfg, err := Load("main.conf", testOptions())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Rules == nil || cfg.Rules.File != "rules.xml" || cfg.Rules.Program("web", "p").Loading != 7 {
			t.Fatalf("Rules = %+v", cfg.Rules)
		}
	})
	t.Run("from the environment", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "rules.xml"), rules)
		cfg, _ := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n[supvisors]\naddress_list = node1, b\n"},
			testOptions("SUPVISORS_RULES_FILE="+filepath.Join(dir, "rules.xml")))
		if cfg.Rules == nil || cfg.Rules.Program("web", "p").Loading != 7 {
			t.Fatalf("Rules = %+v", cfg.Rules)
		}
	})
	t.Run("none", func(t *testing.T) {
		cfg, _ := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n[supvisors]\naddress_list = node1\n"}, testOptions())
		if cfg.Rules != nil {
			t.Errorf("Rules = %+v, want nil", cfg.Rules)
		}
		if got := cfg.Rules.Program("web", "p"); got.Loading != 0 {
			t.Errorf("Program on nil rules: %+v", got)
		}
	})
	t.Run("address not in address_list", func(t *testing.T) {
		_, dir, err := loadFiles(t, map[string]string{
			"main.conf": "[supervisord]\n[supvisors]\naddress_list = node1\nrules_file = %(here)s/rules.xml\n",
			"rules.xml": rules,
		}, testOptions())
		wantRulesError(t, nil, err, filepath.Join(dir, "rules.xml"), 3, `unknown address "b": not in address_list`)
	})
	t.Run("missing", func(t *testing.T) {
		_, dir, err := loadFiles(t, map[string]string{
			"main.conf": "[supervisord]\n[supvisors]\nrules_file = %(here)s/rules.xml\n",
		}, testOptions())
		wantRulesError(t, nil, err, filepath.Join(dir, "rules.xml"), 0, "could not find rules file")
	})
}
