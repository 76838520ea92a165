package config

import (
	"crypto/sha256"
	"slices"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/strategy"
)

// FuzzParseRules checks that ParseRules never panics, that it returns
// either rules or an *Error (never both, never a partial result), and that
// what it accepts is well formed: values in range, required only with a
// start sequence, explicit addresses from address_list and unique.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte(fullRules))
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
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRules("rules.xml", data, testAddresses)
		if err != nil {
			cerr, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if r != nil || cerr.File != "rules.xml" || cerr.Line < 0 || cerr.Err == nil {
				t.Fatalf("bad error %#v with rules %v", cerr, r)
			}
			return
		}
		if r == nil || r.File != "rules.xml" || r.Hash != sha256.Sum256(data) {
			t.Fatalf("rules %+v", r)
		}
		for name, a := range r.Applications {
			if a.Name != name || a.Line < 1 || !sequenceOK(a.StartSequence) || !sequenceOK(a.StopSequence) ||
				a.StartingFailure < strategy.FailAbort || a.StartingFailure > strategy.FailContinue || !runningOK(a.RunningFailure) {
				t.Fatalf("application %+v", *a)
			}
			for pname, p := range a.Programs {
				if p.Name != pname {
					t.Fatalf("program %q under %q", p.Name, pname)
				}
				checkProgramRules(t, p)
			}
			for _, p := range a.Patterns {
				checkProgramRules(t, p)
			}
		}
	})
}

func sequenceOK(n int) bool { return n >= 0 && n <= maxSequence }
func runningOK(s strategy.RunningFailure) bool {
	return s >= strategy.RunContinue && s <= strategy.RunRestartApplication
}

func checkProgramRules(t *testing.T, p *ProgramRules) {
	t.Helper()
	if strings.TrimSpace(p.Name) == "" || p.Line < 1 || !sequenceOK(p.StartSequence) || !sequenceOK(p.StopSequence) ||
		p.Loading < 0 || p.Loading > maxLoading || !runningOK(p.RunningFailure) || (p.Required && p.StartSequence == 0) {
		t.Fatalf("program %+v", *p)
	}
	for i, a := range p.Addresses {
		if !slices.Contains(testAddresses, a) || slices.Contains(p.Addresses[:i], a) {
			t.Fatalf("program %+v: address %q", *p, a)
		}
	}
}
