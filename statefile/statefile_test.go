package statefile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadMissingIsEmpty(t *testing.T) {
	s, err := Load(filepath.Join(t.TempDir(), "none.state"))
	if err != nil || s.Disabled != nil || s.Numprocs != nil {
		t.Errorf("Load of a missing file: %+v, %v; want the zero State", s, err)
	}
}

func TestDamagedFileNamesItsPath(t *testing.T) {
	cases := map[string]string{
		"not json":      "{disabled",
		"wrong type":    `{"disabled": "web"}`,
		"zero numprocs": `{"numprocs": {"worker": 0}}`,
		"truncated":     `{"disabled": ["web"], "numpr`,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.state")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), "state file "+path+" is damaged, ignored") {
				t.Errorf("Load(%q) error %v, want one naming the file", text, err)
			}
			if s.Disabled != nil || s.Numprocs != nil {
				t.Errorf("Load(%q) = %+v, want the zero State", text, s)
			}
		})
	}
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "state file "+dir) {
		t.Errorf("Load of a directory: %v, want an error naming it", err)
	}
}

// TestStoreWritesEveryChange checks that a Store's changes are on disk
// at once, in the file only (no temporary left), and read back the same.
func TestStoreWritesEveryChange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "supvisors.state")
	st := NewStore(path, State{})
	steps := []struct {
		change func() error
		want   State
	}{
		{func() error { return st.SetDisabled("web", true) }, State{Disabled: []string{"web"}}},
		{func() error { return st.SetDisabled("api", true) }, State{Disabled: []string{"api", "web"}}},
		{func() error { return st.SetDisabled("api", true) }, State{Disabled: []string{"api", "web"}}},
		{func() error { return st.SetNumprocs("worker", 6) }, State{Disabled: []string{"api", "web"}, Numprocs: map[string]int{"worker": 6}}},
		{func() error { return st.SetDisabled("web", false) }, State{Disabled: []string{"api"}, Numprocs: map[string]int{"worker": 6}}},
		{func() error { return st.SetNumprocs("worker", 2) }, State{Disabled: []string{"api"}, Numprocs: map[string]int{"worker": 2}}},
	}
	for i, step := range steps {
		if err := step.change(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got, err := Load(path)
		if err != nil || !reflect.DeepEqual(got, step.want) || !reflect.DeepEqual(st.State(), step.want) {
			t.Errorf("step %d: file %+v (%v), store %+v; want %+v", i, got, err, st.State(), step.want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want the state file only", len(entries))
	}
}

// TestStoreKeepsStateWhenWriteFails: a change that cannot be written is
// not made.
func TestStoreKeepsStateWhenWriteFails(t *testing.T) {
	st := NewStore(filepath.Join(t.TempDir(), "gone", "x.state"), State{Disabled: []string{"web"}})
	if err := st.SetDisabled("api", true); err == nil || !strings.Contains(err.Error(), "state file ") {
		t.Errorf("SetDisabled into a missing directory: %v, want an error naming the file", err)
	}
	if got := st.State(); !reflect.DeepEqual(got, State{Disabled: []string{"web"}}) {
		t.Errorf("state after a failed write: %+v, want it unchanged", got)
	}
}
