package process

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/fault"
)

// python runs script with Debian's python3 (the one with Supervisor), the
// JSON of input on stdin, and decodes its JSON output into out.
func python(t *testing.T, script string, input, out any) {
	t.Helper()
	const interpreter = "/usr/bin/python3"
	if _, err := os.Stat(interpreter); err != nil {
		t.Skip("no " + interpreter)
	}
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(interpreter, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("python output %q: %v", data, err)
	}
}

var commandLines = []string{
	"", "   ", "sleep 1000", "  a  b\tc\nd\re  ", `a "b c" d`, `a 'b c' d`, `a "" b`, `a '' b`, `''`, `""`,
	`a\ b`, `a\\b`, `"a\"b"`, `"a\\b"`, `"a\nb"`, `'a\nb'`, `'a"b'`, `"a'b"`, `a"b"c'd'e`, `\"`, `\'`,
	`sh -c 'echo "$0 $1"; exec sleep 1000'`, `x "unterminated`, `x 'unterminated`, `trailing\`,
	`"esc at end\`, `é "ü ñ" 日本`, "tab\tsep", `a#b # not a comment`, `a"b c"d e`, `"\$HOME" '\$HOME'`,
	"\"\\\n\"", "a\\\nb", `''""''`, `x '' ''`,
}

func TestSplitCommandMatchesPython(t *testing.T) {
	const script = `
import json, shlex, sys
out = []
for s in json.load(sys.stdin):
    try:
        out.append({"words": shlex.split(s)})
    except ValueError as e:
        out.append({"error": str(e)})
print(json.dumps(out))
`
	var want []struct {
		Words []string `json:"words"`
		Error string   `json:"error"`
	}
	python(t, script, commandLines, &want)
	for i, s := range commandLines {
		words, err := splitCommand(s)
		var got string
		if err != nil {
			got = err.Error()
		}
		if got != want[i].Error {
			t.Errorf("splitCommand(%q) error %q, want %q", s, got, want[i].Error)
			continue
		}
		if err == nil && !reflect.DeepEqual(words, want[i].Words) && len(words)+len(want[i].Words) > 0 {
			t.Errorf("splitCommand(%q) = %q, want %q", s, words, want[i].Words)
		}
	}
}

// FuzzSplitCommand checks that splitting never panics and that words
// quoted back the POSIX way split into the same words.
func FuzzSplitCommand(f *testing.F) {
	for _, s := range commandLines {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := splitCommand(s)
		if err != nil {
			return
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'"'"'`) + "'"
		}
		again, err := splitCommand(strings.Join(quoted, " "))
		if err != nil || !reflect.DeepEqual(again, words) && len(again)+len(words) > 0 {
			t.Fatalf("%q -> %q -> %q (%v)", s, words, again, err)
		}
	})
}

func TestPyReprMatchesPython(t *testing.T) {
	inputs := []string{"", "plain", "it's", `say "hi"`, `both ' and "`, `back\slash`, "tab\tnl\ncr\r",
		"\x00\x1f\x7f", "é日本", "\u00a0nbsp", "\u200bzero width", "\U0001F600", "\u0085", "\ufeff", "/usr/bin/x y"}
	var want []string
	python(t, `import json, sys; print(json.dumps([repr(s) for s in json.load(sys.stdin)]))`, inputs, &want)
	for i, s := range inputs {
		if got := pyRepr(s); got != want[i] {
			t.Errorf("pyRepr(%q) = %s, want %s", s, got, want[i])
		}
	}
}

func TestResolveCommand(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "tool")
	plain := filepath.Join(dir, "plain")
	sub := filepath.Join(dir, "sub")
	for path, mode := range map[string]os.FileMode{exe: 0o755, plain: 0o644} {
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	path := []string{"/nonexistent", dir}
	tests := []struct {
		command  string
		filename string
		argv     []string
		code     fault.Code
		msg      string
	}{
		{"tool -x 'a b'", exe, []string{"tool", "-x", "a b"}, 0, ""},
		{exe + " y", exe, []string{exe, "y"}, 0, ""},
		{"plain", "", nil, fault.NotExecutable, "command at '" + plain + "' is not executable"},
		{"sub", "", nil, fault.NotExecutable, "command at '" + sub + "' is a directory"},
		{"nope", "", nil, fault.NoFile, "can't find command 'nope'"},
		{"./nope", "", nil, fault.NoFile, "can't find command './nope'"},
		{"it's", "", nil, fault.NotExecutable, `can't parse command "it's": No closing quotation`},
		{"", "", nil, fault.NotExecutable, "command is empty"},
	}
	for _, tt := range tests {
		filename, argv, cerr := resolveCommand(tt.command, path)
		if tt.msg != "" {
			if cerr == nil || cerr.code != tt.code || cerr.msg != tt.msg {
				t.Errorf("resolveCommand(%q) error %v, want %s %q", tt.command, cerr, tt.code, tt.msg)
			}
			continue
		}
		if cerr != nil || filename != tt.filename || !reflect.DeepEqual(argv, tt.argv) {
			t.Errorf("resolveCommand(%q) = %q %q %v", tt.command, filename, argv, cerr)
		}
	}
}

func TestSearchPath(t *testing.T) {
	tests := []struct {
		base    []string
		global  []config.EnvVar
		program []config.EnvVar
		want    []string
	}{
		{[]string{"PATH=/a:/b"}, nil, nil, []string{"/a", "/b"}},
		{[]string{"PATH="}, nil, nil, defaultSearchPath},
		{nil, nil, nil, defaultSearchPath},
		{[]string{"PATH=/a"}, []config.EnvVar{{Key: "PATH", Value: "/g"}}, nil, []string{"/g"}},
		{[]string{"PATH=/a"}, []config.EnvVar{{Key: "PATH", Value: "/g"}}, []config.EnvVar{{Key: "PATH", Value: "/p1"}, {Key: "PATH", Value: "/p2:"}}, []string{"/p2", ""}},
	}
	for _, tt := range tests {
		if got := searchPath(tt.base, tt.global, &config.Process{Environment: tt.program}); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("searchPath(%v, %v, %v) = %q, want %q", tt.base, tt.global, tt.program, got, tt.want)
		}
	}
}

// TestChildEnv checks the layers of a child's environment, and that the
// agent's SUPVISORS_* variables never reach it while the configuration's do.
func TestChildEnv(t *testing.T) {
	cfg := &config.Process{Name: "p", Group: "g", Environment: []config.EnvVar{
		{Key: "B", Value: "program"}, {Key: "SUPERVISOR_ENABLED", Value: "0"}, {Key: "SUPVISORS_MINE", Value: "program"}}}
	global := []config.EnvVar{{Key: "B", Value: "global"}, {Key: "C", Value: "global"}, {Key: "SUPVISORS_OURS", Value: "global"}}
	base := []string{"A=agent", "SUPVISORS_GOSSIP_KEY=secret", "B=agent", "SUPVISORS_ADDRESS=10.0.0.1", "SUPVISORS_MINE=agent", "supvisors_lower=agent"}
	got := childEnv(base, "http://localhost:9001", global, cfg)
	want := []string{"A=agent", "B=program", "supvisors_lower=agent", "SUPERVISOR_ENABLED=0", "SUPERVISOR_SERVER_URL=http://localhost:9001",
		"SUPERVISOR_PROCESS_NAME=p", "SUPERVISOR_GROUP_NAME=g", "C=global", "SUPVISORS_OURS=global", "SUPVISORS_MINE=program"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("childEnv = %q, want %q", got, want)
	}
	got = childEnv(nil, "", nil, &config.Process{Name: "p", Group: "g"})
	want = []string{"SUPERVISOR_ENABLED=1", "SUPERVISOR_PROCESS_NAME=p", "SUPERVISOR_GROUP_NAME=g"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("childEnv without server url = %q, want %q", got, want)
	}
}
