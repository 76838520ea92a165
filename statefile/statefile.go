// Package statefile keeps what operators change at run time on one node,
// so that it survives the agent's restart: the disabled programs
// (supvisors.disable) and the numprocs of homogeneous programs
// (supvisors.update_numprocs). The file is [supvisors] state_file, JSON,
// written atomically.
package statefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// State is what the file holds. The zero value is a node where nothing
// was changed.
type State struct {
	// Disabled lists the disabled programs, sorted.
	Disabled []string `json:"disabled"`
	// Numprocs maps a program to the numprocs an operator set.
	Numprocs map[string]int `json:"numprocs"`
}

// Load reads the file at path. A missing file is the zero State. A file
// that cannot be read or decoded is an error naming the path (the caller
// reports it and goes on with the zero State: never a crash).
func Load(path string) (State, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return State{}, nil
	case err != nil:
		return State{}, fmt.Errorf("state file %s: %w", path, err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return State{}, fmt.Errorf("state file %s is damaged, ignored: %w", path, err)
	}
	for program, n := range s.Numprocs {
		if n < 1 {
			return State{}, fmt.Errorf("state file %s is damaged, ignored: numprocs of %s is %d", path, program, n)
		}
	}
	slices.Sort(s.Disabled)
	s.Disabled = slices.Compact(s.Disabled)
	return s, nil
}

// Save writes s to path atomically: a temporary file in the same
// directory, synced, renamed over path, then the directory synced, so that
// a crash leaves the old file or the new one, never a torn one.
func Save(path string, s State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Store is a node's State and its file: every change is written before it
// is applied. Safe for concurrent use.
type Store struct {
	path  string
	mu    sync.Mutex
	state State
}

// NewStore returns a Store of path holding s (what Load read).
func NewStore(path string, s State) *Store {
	return &Store{path: path, state: s}
}

// Path returns the file's path.
func (st *Store) Path() string { return st.path }

// State returns a copy of the current State.
func (st *Store) State() State {
	st.mu.Lock()
	defer st.mu.Unlock()
	return State{Disabled: slices.Clone(st.state.Disabled), Numprocs: maps.Clone(st.state.Numprocs)}
}

// SetDisabled records program as disabled or enabled, and writes the file.
func (st *Store) SetDisabled(program string, disabled bool) error {
	return st.change(func(s *State) {
		s.Disabled = slices.DeleteFunc(s.Disabled, func(p string) bool { return p == program })
		if disabled {
			s.Disabled = append(s.Disabled, program)
			slices.Sort(s.Disabled)
		}
	})
}

// SetNumprocs records the numprocs of program, and writes the file.
func (st *Store) SetNumprocs(program string, numprocs int) error {
	return st.change(func(s *State) {
		if s.Numprocs == nil {
			s.Numprocs = map[string]int{}
		}
		s.Numprocs[program] = numprocs
	})
}

// change applies f to a copy of the state, writes it, and keeps it once
// written: a change that cannot be written is not made.
func (st *Store) change(f func(*State)) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	next := State{Disabled: slices.Clone(st.state.Disabled), Numprocs: maps.Clone(st.state.Numprocs)}
	f(&next)
	if err := Save(st.path, next); err != nil {
		return err
	}
	st.state = next
	return nil
}
