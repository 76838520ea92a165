package config

import (
	"errors"
	"testing"
)

// The tests below are the regressions of bugs the fuzz targets found.

// TestRulesErrorLines checks the line an error names in a rules file whose
// lines end in a lone "\r" (XML reads it as a line end), or whose text
// holds a newline written as a character reference.
func TestRulesErrorLines(t *testing.T) {
	for text, line := range map[string]int{
		"<root>\r<application name=\"a\">\r<start_sequence>x</start_sequence></application></root>": 3,
		"<root>\r\r  junk</root>":   3,
		"&#xA;0":                    1,
		"<root>&#xA;&#xA; x</root>": 1,
	} {
		r, err := ParseRules("rules.xml", []byte(text), testAddresses)
		wantRulesError(t, r, err, "rules.xml", line, "")
	}
}

// TestParseBoundsNumprocs checks a program with an absurd numprocs is
// refused at once, naming the key, instead of being expanded.
func TestParseBoundsNumprocs(t *testing.T) {
	_, err := Parse("/etc/main.conf", []byte("[supervisord]\n[program:x]\ncommand=/bin/true\nnumprocs=35555555\nprocess_name=%(process_num)d\n"), testOptions())
	var cerr *Error
	if !errors.As(err, &cerr) || cerr.Key != "numprocs" || cerr.Line != 4 {
		t.Fatalf("err = %v, want an error at numprocs, line 4", err)
	}
}
