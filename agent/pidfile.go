package agent

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/logfile"
)

// writePidfile records the agent's pid as supervisord does at start-up
// (open(pidfile, 'w'): a stale file is overwritten, a new one gets 0666
// less the umask), except that a symbolic link there is refused rather than
// followed, and a new file is created with O_EXCL (logfile.OpenNoFollow). It
// reports whether the pidfile was written, hence is the agent's to remove at
// exit; a failure is logged and the agent runs on without one, as
// supervisord does.
func writePidfile(path string, logger hclog.Logger) bool {
	if path == "" {
		return false
	}
	if err := writePid(path); err != nil {
		logger.Error("could not write pidfile "+path, "error", err)
		return false
	}
	return true
}

func writePid(path string) error {
	f, _, err := logfile.OpenNoFollow(path, os.O_WRONLY|os.O_TRUNC, 0o666)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func removePidfile(path string, logger hclog.Logger) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		logger.Warn("remove pidfile", "error", err)
	}
}
