package process

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
)

// withAutoLogs returns a copy of cfg whose AUTO log files are replaced by
// new empty files in dir, as supervisord does when it adds a group
// (create_autochildlogs). A redirected stderr never gets a file.
func withAutoLogs(cfg *config.Group, dir, identifier string) (*config.Group, error) {
	out := *cfg
	out.Processes = make([]*config.Process, len(cfg.Processes))
	for i, pc := range cfg.Processes {
		c := *pc
		if c.RedirectStderr {
			c.Stderr.Logfile = ""
		}
		for _, ch := range []struct {
			log  *config.ProcessLog
			name string
		}{{&c.Stdout, "stdout"}, {&c.Stderr, "stderr"}} {
			if ch.log.Logfile != config.AutoLogfile {
				continue
			}
			path, err := autoLogName(dir, c.Name, identifier, ch.name)
			if err != nil {
				return nil, fmt.Errorf("group %s: %w", cfg.Name, err)
			}
			ch.log.Logfile = path
		}
		out.Processes[i] = &c
	}
	return &out, nil
}

// autoLogName is get_autochildlog_name: it creates an empty file
// <name>-<channel>---<identifier>-<random>.log in dir (the system temporary
// directory when dir is "") and returns its path.
func autoLogName(dir, name, identifier, channel string) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, fmt.Sprintf("%s-%s---%s-*.log", name, channel, identifier))
	if err != nil {
		return "", fmt.Errorf("create AUTO log for %s %s: %w", name, channel, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("create AUTO log for %s %s: %w", name, channel, err)
	}
	return f.Name(), nil
}

// ClearAutoChildLogs removes the AUTO log files an earlier run with the same
// identifier left in dir (the system temporary directory when dir is ""),
// backups included, as supervisord's clear_autochildlogdir does at start-up
// unless nocleanup is set. Call it before the first group is added. Problems
// are logged as warnings. It is safe for concurrent use.
func ClearAutoChildLogs(dir, identifier string, logger hclog.Logger) {
	if dir == "" {
		dir = os.TempDir()
	}
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	pattern := regexp.MustCompile(`^.+?---` + regexp.QuoteMeta(identifier) + `-\S+\.log\.?\d{0,4}`)
	entries, err := os.ReadDir(dir)
	if err != nil {
		logger.Warn("Could not clear childlog dir")
		return
	}
	for _, e := range entries {
		if !pattern.MatchString(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if err := os.Remove(path); err != nil {
			logger.Warn(fmt.Sprintf("Failed to clean up %s", pyRepr(path)))
		}
	}
}
