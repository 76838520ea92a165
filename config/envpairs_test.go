package config

import (
	"slices"
	"testing"
)

// TestParseEnvironmentMatchesSupervisor compares parseEnvironment with
// supervisor.datatypes.dict_of_key_value_pairs, run once with Debian's
// /usr/bin/python3 on the same inputs.
func TestParseEnvironmentMatchesSupervisor(t *testing.T) {
	cases := []struct {
		in      string
		want    []EnvVar
		wantErr bool
	}{
		{in: "", want: []EnvVar{}},
		{in: "A=1", want: []EnvVar{{"A", "1"}}},
		{in: "A=1,B=2", want: []EnvVar{{"A", "1"}, {"B", "2"}}},
		{in: "A=\"1,2\",B='x y'", want: []EnvVar{{"A", "1,2"}, {"B", "x y"}}},
		{in: "PATH=/usr/bin:/bin,HOME=/root", want: []EnvVar{{"PATH", "/usr/bin:/bin"}, {"HOME", "/root"}}},
		{in: "A=1;B=2", want: []EnvVar{{"A", "1"}, {"B", "2"}}},
		{in: "A=1 B=2", wantErr: true}, // Unexpected end of key/value pairs
		{in: "A=$HOME", want: []EnvVar{{"A", "$"}}},
		{in: "A=x$y", wantErr: true}, // Unexpected end of key/value pairs
		{in: "A=1,A=2,B=3", want: []EnvVar{{"A", "2"}, {"B", "3"}}},
		{in: "A=1,#comment\nB=2", want: []EnvVar{{"A", "1"}, {"B", "2"}}},
		{in: "A=b#c\nd,E=1", want: []EnvVar{{"A", "bd"}, {"E", "1"}}},
		{in: "A==b", want: []EnvVar{{"A", "="}}},
		{in: "A=\"unterminated", wantErr: true}, // No closing quotation
		{in: "A", wantErr: true},                // Unexpected end of key/value pairs
		{in: "A=", wantErr: true},               // Unexpected end of key/value pairs
		{in: "A=1,", want: []EnvVar{{"A", "1"}}},
		{in: "A=1,B", wantErr: true}, // Unexpected end of key/value pairs
		{in: "\"K\"=\"v\"", want: []EnvVar{{"\"K\"", "v"}}},
		{in: "A=a\"b c\"", want: []EnvVar{{"A", "a\"b"}}},
		{in: "A=\u00e9", want: []EnvVar{{"A", "\u00e9"}}},
		{in: "KEY=value with spaces", wantErr: true}, // Unexpected end of key/value pairs
		{in: "A=\"\",B=1", want: []EnvVar{{"A", ""}, {"B", "1"}}},
		{in: "A='\"x\"'", want: []EnvVar{{"A", "x"}}},
		{in: "A=-1.5+(2):3", want: []EnvVar{{"A", "-1.5+(2):3"}}},
		{in: "A=%", want: []EnvVar{{"A", "%"}}},
		{in: "A=1\tB=2\r\nC=3", wantErr: true},   // Unexpected end of key/value pairs
		{in: "A=\"x\" \"y\",B=1", wantErr: true}, // Unexpected end of key/value pairs
	}
	for _, tc := range cases {
		got, err := parseEnvironment(tc.in)
		if tc.wantErr {
			if err == nil {
				t.Errorf("parseEnvironment(%q) = %q, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseEnvironment(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
