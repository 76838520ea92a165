package config

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error is an *Error,
// and that what it accepts is well formed: groups and processes sorted,
// process names unique in a group, Index numbering each program's
// processes.
func FuzzParse(f *testing.F) {
	for _, path := range []string{"/etc/supervisor/supervisord.conf", "../configs/single/supervisord.conf", "../configs/demo/supervisord.conf"} {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	for _, tc := range configParserCases {
		f.Add([]byte(tc.text))
	}
	f.Add([]byte("[supervisord]\n[group:g]\nprograms=a,b\npriority=3\n[program:a]\ncommand=a %(process_num)d\nnumprocs=3\nprocess_name=a%(process_num)02d\n[program:b]\ncommand=b\nenvironment=A=\"1,2\",B=x\n[supvisors]\naddress_list=a,b\n"))
	f.Add([]byte("[DEFAULT]\nx=1\n[supervisord]\nenvironment=K=%(here)s\n[include]\nfiles=*.conf\n[inet_http_server]\nport=:9001\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(filepath.Join(dir, "main.conf"), data, testOptions())
		if err != nil {
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			return
		}
		checkWellFormed(t, cfg)
	})
}

func checkWellFormed(t *testing.T, cfg *Config) {
	if !slices.IsSortedFunc(cfg.Groups, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Name, b.Name))
	}) {
		t.Fatalf("groups not sorted")
	}
	for _, g := range cfg.Groups {
		names := map[string]bool{}
		indexes := map[string][]int{}
		for _, p := range g.Processes {
			if names[p.Name] {
				t.Fatalf("process %s twice in group %s", p.Name, g.Name)
			}
			names[p.Name] = true
			indexes[p.Program] = append(indexes[p.Program], p.Index)
		}
		for program, idx := range indexes {
			slices.Sort(idx)
			for i, n := range idx {
				if n != i {
					t.Fatalf("program %s: indexes %v", program, idx)
				}
			}
		}
	}
}
