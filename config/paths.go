package config

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// paths resolves file names as Python's os.path does for Supervisor:
// "~" from $HOME of the injected environment, relative names against the
// working directory.
type paths struct {
	home string // $HOME, "" when unset
}

// expandUser is os.path.expanduser: a leading ~ or ~user becomes a home
// directory; anything unresolvable is left as written.
func (p paths) expandUser(s string) string {
	if !strings.HasPrefix(s, "~") {
		return s
	}
	name, rest, _ := strings.Cut(s[1:], "/")
	var home string
	if name == "" {
		home = p.home
		if home == "" {
			u, err := user.Current()
			if err != nil {
				return s
			}
			home = u.HomeDir
		}
	} else {
		u, err := user.Lookup(name)
		if err != nil {
			return s
		}
		home = u.HomeDir
	}
	if len(s) == len(name)+1 {
		return home
	}
	return strings.TrimSuffix(home, "/") + "/" + rest
}

// existingDirectory is Supervisor's existing_directory.
func (p paths) existingDirectory(s string) (string, error) {
	expanded := p.expandUser(s)
	if isDir(expanded) {
		return expanded, nil
	}
	return "", fmt.Errorf("%s is not an existing directory", s)
}

// existingDirpath is Supervisor's existing_dirpath: the directory part, if
// any, must exist.
func (p paths) existingDirpath(s string) (string, error) {
	expanded := p.expandUser(s)
	dir := filepath.Dir(expanded)
	if !strings.Contains(expanded, "/") || isDir(dir) {
		return expanded, nil
	}
	return "", fmt.Errorf("the directory named as part of the path %s does not exist", s)
}

// normalize is Supervisor's normalize_path: absolute and clean.
func (p paths) normalize(s string) (string, error) {
	abs, err := filepath.Abs(p.expandUser(s))
	if err != nil {
		return "", fmt.Errorf("normalize %s: %w", s, err)
	}
	return abs, nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// tempDir is Python's tempfile.gettempdir() for the injected environment:
// the first of $TMPDIR, $TEMP, $TMP that is a directory, else /tmp.
func tempDir(env map[string]string) string {
	for _, name := range []string{"TMPDIR", "TEMP", "TMP"} {
		if dir := env[name]; dir != "" && isDir(dir) {
			if abs, err := filepath.Abs(dir); err == nil {
				return abs
			}
		}
	}
	return "/tmp"
}
