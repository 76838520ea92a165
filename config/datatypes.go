package config

import (
	"fmt"
	"os"
	"strings"
)

// The converters below are Supervisor's datatypes.py, with its accepted
// spellings and bounds.

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes", "true", "on", "1":
		return true, nil
	case "no", "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("not a valid boolean value: %q", s)
}

func parseInteger(s string) (int, error) {
	n, ok := pyInt(s, 10)
	if !ok {
		return 0, fmt.Errorf("invalid integer %q", s)
	}
	return n, nil
}

// parseByteSize reads a number of bytes with an optional KB, MB or GB suffix
// (any case).
func parseByteSize(s string) (int64, error) {
	lower := strings.ToLower(s)
	multiplier := int64(1)
	for suffix, m := range map[string]int64{"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30} {
		if strings.HasSuffix(lower, suffix) {
			lower, multiplier = strings.TrimSuffix(lower, suffix), m
			break
		}
	}
	n, ok := pyInt(lower, 10)
	if !ok || int64(n) > (1<<62)/multiplier || int64(n) < -(1<<62)/multiplier {
		return 0, fmt.Errorf("invalid byte size %q", s)
	}
	return int64(n) * multiplier, nil
}

// parseOctal reads a permission mask in octal, such as 022 or 0o700.
func parseOctal(s string) (os.FileMode, error) {
	n, ok := pyInt(s, 8)
	if !ok {
		return 0, fmt.Errorf("%s can not be converted to an octal type", s)
	}
	if n < 0 || n > 0o777 {
		return 0, fmt.Errorf("octal value %s is outside 0..0777", s)
	}
	return os.FileMode(n), nil
}

// parseExitcodes reads a comma list of exit codes in 0..255; "" is no code.
func parseExitcodes(s string) ([]int, error) {
	if s == "" {
		return []int{}, nil
	}
	var codes []int
	for _, field := range strings.Split(s, ",") {
		n, ok := pyInt(field, 10)
		if !ok || n < 0 || n > 255 {
			return nil, fmt.Errorf("not a valid list of exit codes: %q", s)
		}
		codes = append(codes, n)
	}
	return codes, nil
}

// listOfStrings splits a comma list and strips its items; "" is no item.
func listOfStrings(s string) []string {
	if s == "" {
		return nil
	}
	items := strings.Split(s, ",")
	for i := range items {
		items[i] = pyStrip(items[i])
	}
	return items
}

// processOrGroupName rejects names that would break namespecs and URLs.
func processOrGroupName(s string) (string, error) {
	name := pyStrip(s)
	if i := strings.IndexAny(name, " :/"); i >= 0 {
		return "", fmt.Errorf("invalid name %q because of character %q", s, name[i])
	}
	return name, nil
}

var logLevels = []string{"critical", "error", "warn", "info", "debug", "trace", "blather"}

func parseLogLevel(s string) (string, error) {
	lower := strings.ToLower(s)
	for _, l := range logLevels {
		if lower == l {
			return l, nil
		}
	}
	return "", fmt.Errorf("bad logging level name %q", s)
}

func parseAutorestart(s string) (Autorestart, error) {
	if strings.ToLower(s) == "unexpected" {
		return AutorestartUnexpected, nil
	}
	b, err := parseBool(s)
	if err != nil {
		return 0, fmt.Errorf("invalid 'autorestart' value %q", strings.ToLower(s))
	}
	if b {
		return AutorestartTrue, nil
	}
	return AutorestartFalse, nil
}

// inetAddress checks a [inet_http_server] port: "host:port", ":port",
// "*:port" or "port", the port in 1..65535. host is lowercased, "" for all
// interfaces.
func inetAddress(s string) (host string, port int, err error) {
	portText := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		host, portText = strings.ToLower(s[:i]), s[i+1:]
		if portText == "" {
			return "", 0, fmt.Errorf("no port number specified in %q", s)
		}
	}
	n, ok := pyInt(portText, 10)
	if !ok || n < 1 || n > 0xffff {
		return "", 0, fmt.Errorf("not a valid port number: %q", portText)
	}
	if host == "*" {
		host = ""
	}
	return host, n, nil
}

// logfileKind is what a *_logfile value names.
type logfileKind int

const (
	logfilePath logfileKind = iota
	logfileNone
	logfileAuto
	logfileSyslog
)

func classifyLogfile(s string) logfileKind {
	switch strings.ToLower(s) {
	case "none", "off":
		return logfileNone
	case "auto":
		return logfileAuto
	case "syslog":
		return logfileSyslog
	}
	return logfilePath
}
