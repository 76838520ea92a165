package agent

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/hashicorp/go-hclog"
)

// writePidfile records the agent's pid, as supervisord does at start-up.
func writePidfile(path string) error {
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("write pidfile: %w", err)
	}
	return nil
}

func removePidfile(path string, logger hclog.Logger) {
	if path == "" {
		return
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		logger.Warn("remove pidfile", "error", err)
	}
}
