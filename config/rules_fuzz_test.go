package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/enums"
)

// FuzzParseRules checks that ParseRules never panics, that it returns
// either rules or an *Error on a line of the file (never both, never a
// partial result), that what it accepts is well formed (values in range,
// required only with a start sequence, explicit addresses from
// address_list and unique, Program finding each program and pattern), and
// that it means what encoding/xml's reading of the same file means once
// models are resolved and defaults applied (rulesOracle).
func FuzzParseRules(f *testing.F) {
	for _, text := range []string{fullRules, modelRules, requiredRules} {
		f.Add([]byte(text))
	}
	for _, c := range rulesErrorCases {
		f.Add([]byte(c.text))
	}
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<root>
  <model name="worker">
    <addresses>#</addresses>
    <start_sequence>2</start_sequence>
    <required>true</required>
    <expected_loading>10</expected_loading>
  </model>
  <application name="crash">
    <start_sequence>1</start_sequence>
    <stop_sequence>2</stop_sequence>
    <starting_failure_strategy>STOP</starting_failure_strategy>
    <running_failure_strategy>RESTART_APPLICATION</running_failure_strategy>
    <program name="segv"><reference>worker</reference><loading>5</loading></program>
    <pattern name="crash_"><addresses>10.0.0.1,10.0.0.2</addresses><wait_exit>true</wait_exit></pattern>
  </application>
  <application name="base"><program name="web"><addresses>*</addresses></program></application>
</root>
`))
	f.Add([]byte(`<root><model name="a"><reference>b</reference></model><model name="b"><reference>a</reference></model></root>`))
	f.Add([]byte(`<!DOCTYPE root [<!ENTITY x "&x;&x;">]><root>&x;</root>`))
	f.Add([]byte("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<root><application name=\"caf\xe9\"><program name=\"p\"><addresses>#,10.0.0.3</addresses></program></application></root>"))
	f.Add([]byte(`<root><application name=" a&#x9;"><pattern name="x"><stop_sequence><![CDATA[ 7 ]]><!-- c --></stop_sequence></pattern><pattern name="xy"/><program name="xy"/></application></root>`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRules("rules.xml", data, testAddresses)
		if err != nil {
			cerr, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if r != nil || cerr.File != "rules.xml" || cerr.Line < 0 || cerr.Line > lineCount(data) || cerr.Err == nil {
				t.Fatalf("bad error %#v with rules %v", cerr, r)
			}
			return
		}
		if r == nil || r.File != "rules.xml" || r.Hash != sha256.Sum256(data) {
			t.Fatalf("rules %+v", r)
		}
		for name, a := range r.Applications {
			if a.Name != name || a.Line < 1 || a.Line > lineCount(data) || !sequenceOK(a.StartSequence) || !sequenceOK(a.StopSequence) ||
				a.StartingFailure < enums.FailAbort || a.StartingFailure > enums.FailContinue || !runningOK(a.RunningFailure) {
				t.Fatalf("application %+v", *a)
			}
			for pname, p := range a.Programs {
				if p.Name != pname {
					t.Fatalf("program %q under %q", p.Name, pname)
				}
				checkProgramRules(t, p, data)
				if got := r.Program(name, pname); !reflect.DeepEqual(got, *p) {
					t.Fatalf("Program(%q, %q) = %+v, want %+v", name, pname, got, *p)
				}
			}
			for _, p := range a.Patterns {
				checkProgramRules(t, p, data)
				// No other pattern is a longer substring of its name.
				if _, shadowed := a.Programs[p.Name]; !shadowed {
					if got := r.Program(name, p.Name); !reflect.DeepEqual(got, *p) {
						t.Fatalf("Program(%q, %q) = %+v, want the pattern %+v", name, p.Name, got, *p)
					}
				}
			}
		}
		want, err := rulesOracle(data)
		if err != nil {
			t.Fatalf("ParseRules accepted what encoding/xml refuses: %v", err)
		}
		if got := withoutLines(r.Applications); !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseRules and encoding/xml differ:\n got %s\nwant %s", dumpApps(got), dumpApps(want))
		}
	})
}

func sequenceOK(n int) bool { return n >= 0 && n <= maxSequence }
func runningOK(s enums.RunningFailureStrategy) bool {
	return s >= enums.RunContinue && s <= enums.RunRestartApplication
}

// lineCount is the number of the last line of data, a line ending in
// "\n", "\r\n" or "\r" as XML says.
func lineCount(data []byte) int {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r"))
}

func checkProgramRules(t *testing.T, p *ProgramRules, data []byte) {
	t.Helper()
	if strings.TrimSpace(p.Name) == "" || p.Line < 1 || p.Line > lineCount(data) || !sequenceOK(p.StartSequence) || !sequenceOK(p.StopSequence) ||
		p.Loading < 0 || p.Loading > maxLoading || !runningOK(p.RunningFailure) || (p.Required && p.StartSequence == 0) {
		t.Fatalf("program %+v", *p)
	}
	for i, a := range p.Addresses {
		if !slices.Contains(testAddresses, a) || slices.Contains(p.Addresses[:i], a) {
			t.Fatalf("program %+v: address %q", *p, a)
		}
	}
}

// The oracle reads a rules file that ParseRules accepted with
// encoding/xml's Unmarshal (another reader of the same XML: entities,
// CDATA, comments inside values, encodings), then resolves models and
// applies the defaults as the spec says, on its own.

type oracleRoot struct {
	Models []oracleSpec `xml:"model"`
	Apps   []struct {
		Name     string       `xml:"name,attr"`
		StartSeq *string      `xml:"start_sequence"`
		StopSeq  *string      `xml:"stop_sequence"`
		Starting *string      `xml:"starting_failure_strategy"`
		Running  *string      `xml:"running_failure_strategy"`
		Programs []oracleSpec `xml:"program"`
		Patterns []oracleSpec `xml:"pattern"`
	} `xml:"application"`
}

// oracleSpec is a model, program or pattern; nil is "not set".
type oracleSpec struct {
	Name            string  `xml:"name,attr"`
	Addresses       *string `xml:"addresses"`
	StartSeq        *string `xml:"start_sequence"`
	StopSeq         *string `xml:"stop_sequence"`
	Required        *string `xml:"required"`
	WaitExit        *string `xml:"wait_exit"`
	Loading         *string `xml:"loading"`
	ExpectedLoading *string `xml:"expected_loading"`
	Running         *string `xml:"running_failure_strategy"`
	Reference       *string `xml:"reference"`
}

// merged is s over the model it references, recursively.
func (s oracleSpec) merged(models map[string]oracleSpec) oracleSpec {
	if s.Reference == nil {
		return s
	}
	base := models[strings.TrimSpace(*s.Reference)].merged(models)
	for _, f := range []struct{ own, model **string }{
		{&s.Addresses, &base.Addresses}, {&s.StartSeq, &base.StartSeq}, {&s.StopSeq, &base.StopSeq},
		{&s.Required, &base.Required}, {&s.WaitExit, &base.WaitExit}, {&s.Running, &base.Running},
	} {
		if *f.own == nil {
			*f.own = *f.model
		}
	}
	if s.Loading == nil && s.ExpectedLoading == nil {
		s.Loading, s.ExpectedLoading = base.Loading, base.ExpectedLoading
	}
	return s
}

func rulesOracle(data []byte) (map[string]*ApplicationRules, error) {
	var root oracleRoot
	dec := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	dec.CharsetReader = charsetReader
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	models := map[string]oracleSpec{}
	for _, m := range root.Models {
		models[strings.TrimSpace(m.Name)] = m
	}
	apps := map[string]*ApplicationRules{}
	for _, a := range root.Apps {
		app := &ApplicationRules{Name: strings.TrimSpace(a.Name), StartingFailure: enums.FailAbort, RunningFailure: enums.RunContinue,
			StartSequence: oracleInt(a.StartSeq), StopSequence: oracleInt(a.StopSeq), Programs: map[string]*ProgramRules{}}
		if a.Starting != nil {
			app.StartingFailure, _ = enums.ParseStartingFailure(strings.TrimSpace(*a.Starting))
		}
		if a.Running != nil {
			app.RunningFailure, _ = enums.ParseRunningFailure(strings.TrimSpace(*a.Running))
		}
		for _, s := range a.Programs {
			p := oracleProgram(s.merged(models), app.RunningFailure)
			app.Programs[p.Name] = p
		}
		for _, s := range a.Patterns {
			app.Patterns = append(app.Patterns, oracleProgram(s.merged(models), app.RunningFailure))
		}
		apps[app.Name] = app
	}
	return apps, nil
}

func oracleProgram(s oracleSpec, appRunning enums.RunningFailureStrategy) *ProgramRules {
	p := &ProgramRules{Name: strings.TrimSpace(s.Name), StartSequence: oracleInt(s.StartSeq), StopSequence: oracleInt(s.StopSeq),
		Required: oracleBool(s.Required), WaitExit: oracleBool(s.WaitExit), RunningFailure: appRunning}
	if s.Loading != nil {
		p.Loading = oracleInt(s.Loading)
	} else if s.ExpectedLoading != nil {
		p.Loading = oracleInt(s.ExpectedLoading)
	}
	if s.Running != nil {
		p.RunningFailure, _ = enums.ParseRunningFailure(strings.TrimSpace(*s.Running))
	}
	p.Required = p.Required && p.StartSequence > 0
	if s.Addresses != nil {
		for _, item := range strings.Split(*s.Addresses, ",") {
			switch item = strings.TrimSpace(item); {
			case item == "*":
				p.Addresses, p.Hashed = nil, false
				return p
			case item == "#":
				p.Hashed = true
			case item != "" && !slices.Contains(p.Addresses, item):
				p.Addresses = append(p.Addresses, item)
			}
		}
	}
	return p
}

// oracleInt reads a number the parser accepted; 0 when not set.
func oracleInt(s *string) int {
	if s == nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(*s))
	return n
}

func oracleBool(s *string) bool {
	if s == nil {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(*s)) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// withoutLines copies apps with every Line zeroed (the oracle has none).
func withoutLines(apps map[string]*ApplicationRules) map[string]*ApplicationRules {
	out := make(map[string]*ApplicationRules, len(apps))
	for name, a := range apps {
		c := *a
		c.Line = 0
		c.Programs = make(map[string]*ProgramRules, len(a.Programs))
		for n, p := range a.Programs {
			pc := *p
			pc.Line = 0
			c.Programs[n] = &pc
		}
		c.Patterns = nil
		for _, p := range a.Patterns {
			pc := *p
			pc.Line = 0
			c.Patterns = append(c.Patterns, &pc)
		}
		out[name] = &c
	}
	return out
}

func dumpApps(apps map[string]*ApplicationRules) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(apps)) {
		a := *apps[name]
		programs, patterns := a.Programs, a.Patterns
		a.Programs, a.Patterns = nil, nil
		fmt.Fprintf(&b, "\n  %+v", a)
		for _, pname := range slices.Sorted(maps.Keys(programs)) {
			fmt.Fprintf(&b, "\n    program %+v", *programs[pname])
		}
		for _, p := range patterns {
			fmt.Fprintf(&b, "\n    pattern %+v", *p)
		}
	}
	return b.String()
}
