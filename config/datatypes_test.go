package config

import (
	"os"
	"slices"
	"syscall"
	"testing"
)

// The expectations in this file are supervisor.datatypes' results on the
// same inputs, computed once with Debian's /usr/bin/python3; "bad" marks
// the inputs it rejects. Deviations are commented.

func TestParseInteger(t *testing.T) {
	good := map[string]int{"0": 0, "12": 12, " 12 ": 12, "+3": 3, "-3": -3, "1_000": 1000, "012": 12}
	for in, want := range good {
		if got, err := parseInteger(in); err != nil || got != want {
			t.Errorf("parseInteger(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	// Python accepts 99999999999999999999 (unbounded ints); an int64 cannot.
	for _, in := range []string{"1__0", "_1", "1_", "0x10", "1.5", "", "abc", "99999999999999999999"} {
		if got, err := parseInteger(in); err == nil {
			t.Errorf("parseInteger(%q) = %d, want an error", in, got)
		}
	}
}

func TestParseBool(t *testing.T) {
	good := map[string]bool{"true": true, "TRUE": true, "Yes": true, "on": true, "1": true,
		"false": false, "No": false, "OFF": false, "0": false}
	for in, want := range good {
		if got, err := parseBool(in); err != nil || got != want {
			t.Errorf("parseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", " true", "2", "t"} {
		if _, err := parseBool(in); err == nil {
			t.Errorf("parseBool(%q) succeeded, want an error", in)
		}
	}
}

func TestParseByteSize(t *testing.T) {
	good := map[string]int64{"0": 0, "1024": 1024, "1KB": 1024, "1kb": 1024, "50MB": 52428800,
		"1GB": 1073741824, "2gb": 2147483648, " 5 MB": 5242880, "5 mb": 5242880, "-1MB": -1048576, "1_0KB": 10240}
	for in, want := range good {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"KB", "1TB", "1.5MB", "10b"} {
		if got, err := parseByteSize(in); err == nil {
			t.Errorf("parseByteSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestParseOctal(t *testing.T) {
	good := map[string]os.FileMode{"022": 0o22, "0o22": 0o22, "0O777": 0o777, "777": 0o777, "0": 0, "  7 ": 7, "0o_7": 7}
	for in, want := range good {
		if got, err := parseOctal(in); err != nil || got != want {
			t.Errorf("parseOctal(%q) = %o, %v; want %o", in, got, err, want)
		}
	}
	// Python takes -1 and 1000 (0o1000) too; neither is a permission mask.
	for _, in := range []string{"8", "x", "-1", "1000"} {
		if got, err := parseOctal(in); err == nil {
			t.Errorf("parseOctal(%q) = %o, want an error", in, got)
		}
	}
}

func TestParseExitcodes(t *testing.T) {
	good := map[string][]int{"0": {0}, "0,2": {0, 2}, " 1 , 2 ": {1, 2}, "": {}, "255": {255}}
	for in, want := range good {
		if got, err := parseExitcodes(in); err != nil || !slices.Equal(got, want) || got == nil {
			t.Errorf("parseExitcodes(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"256", "-1", "a", "0,,1"} {
		if got, err := parseExitcodes(in); err == nil {
			t.Errorf("parseExitcodes(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseSignal(t *testing.T) {
	good := map[string]syscall.Signal{"TERM": 15, "term": 15, "SIGTERM": 15, "sigkill": 9, " HUP ": 1,
		"9": 9, "15": 15, "0": 0, "34": 34, "64": 64, "SIGRTMIN": 34, "_DFL": 0, "IOT": 6, "CLD": 17}
	for in, want := range good {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"32", "65", "-1", "FOO", "", "SIG"} {
		if got, err := ParseSignal(in); err == nil {
			t.Errorf("ParseSignal(%q) = %d, want an error", in, got)
		}
	}
}

func TestInetAddress(t *testing.T) {
	type hostPort struct {
		host string
		port int
	}
	good := map[string]hostPort{"127.0.0.1:9001": {"127.0.0.1", 9001}, ":9001": {"", 9001}, "*:9001": {"", 9001},
		"9001": {"", 9001}, "Host:80": {"host", 80}, "a:b:9001": {"a:b", 9001}}
	for in, want := range good {
		host, port, err := inetAddress(in)
		if err != nil || (hostPort{host, port}) != want {
			t.Errorf("inetAddress(%q) = %q, %d, %v; want %v", in, host, port, err, want)
		}
	}
	for _, in := range []string{"host:", "host:0", "host:65536", "x"} {
		if _, _, err := inetAddress(in); err == nil {
			t.Errorf("inetAddress(%q) succeeded, want an error", in)
		}
	}
}

func TestParseAutorestart(t *testing.T) {
	good := map[string]Autorestart{"true": AutorestartTrue, "false": AutorestartFalse, "unexpected": AutorestartUnexpected,
		"UNEXPECTED": AutorestartUnexpected, "1": AutorestartTrue, "off": AutorestartFalse}
	for in, want := range good {
		if got, err := parseAutorestart(in); err != nil || got != want {
			t.Errorf("parseAutorestart(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseAutorestart("maybe"); err == nil {
		t.Error("parseAutorestart(maybe) succeeded, want an error")
	}
}

func TestParseLogLevel(t *testing.T) {
	for in, want := range map[string]string{"info": "info", "INFO": "info", "warn": "warn", "critical": "critical",
		"blather": "blather", "trace": "trace", "debug": "debug", "error": "error"} {
		if got, err := parseLogLevel(in); err != nil || got != want {
			t.Errorf("parseLogLevel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"warning", "x"} {
		if _, err := parseLogLevel(in); err == nil {
			t.Errorf("parseLogLevel(%q) succeeded, want an error", in)
		}
	}
}

func TestProcessOrGroupName(t *testing.T) {
	for in, want := range map[string]string{"foo": "foo", " foo ": "foo", "": "", "é": "é"} {
		if got, err := processOrGroupName(in); err != nil || got != want {
			t.Errorf("processOrGroupName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"a b", "a:b", "a/b"} {
		if _, err := processOrGroupName(in); err == nil {
			t.Errorf("processOrGroupName(%q) succeeded, want an error", in)
		}
	}
}

// TestPySpaceMatchesPython checks pySpace against every code point for
// which Python's str.isspace() is true (listed by /usr/bin/python3).
func TestPySpaceMatchesPython(t *testing.T) {
	python := []rune{0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
		0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
		0x2028, 0x2029, 0x202f, 0x205f, 0x3000}
	for r := rune(0); r <= 0x10ffff; r++ {
		if got, want := pySpace(r), slices.Contains(python, r); got != want {
			t.Errorf("pySpace(%#x) = %v, want %v", r, got, want)
		}
	}
}
