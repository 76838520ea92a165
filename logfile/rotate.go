package logfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// rotateLocked rolls the file over like RotatingFileHandler.doRollover: close,
// shift the backups, and start an empty file at path: a new one (O_EXCL),
// or with no backups the same one truncated; never through a symbolic link
// (OpenNoFollow). On error the File is left closed so that the next Write
// reopens it and tries again.
func (f *File) rotateLocked() error {
	if err := f.closeLocked(); err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	if err := shiftBackups(f.path, f.backups, moveBackup); err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	flag := os.O_WRONLY | os.O_APPEND | os.O_EXCL
	if f.backups <= 0 {
		flag = os.O_WRONLY | os.O_APPEND | os.O_TRUNC
	}
	if err := f.openNoFollowLocked(flag); err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	return nil
}

// shiftBackups makes room for a new log at path: path.N-1 -> path.N, ...,
// path.1 -> path.2, then path -> path.1, calling move for each step in that
// order. The last step evicts path.1 even when path is gone, as Supervisor's
// removeAndRename does. With backups <= 0 nothing moves (the caller truncates
// in place). Backups numbered beyond backups are never touched.
func shiftBackups(path string, backups int, move func(from, to string, evict bool) error) error {
	if backups <= 0 {
		return nil
	}
	for i := backups - 1; i >= 1; i-- {
		if err := move(backupName(path, i), backupName(path, i+1), false); err != nil {
			return err
		}
	}
	return move(path, backupName(path, 1), true)
}

// backupName returns the name of the i-th backup of path, "path.i".
func backupName(path string, i int) string {
	return path + "." + strconv.Itoa(i)
}

// moveBackup renames from over to, first removing to when evict is set; a
// missing from or to is not an error (Supervisor tolerates a log deleted
// under its feet).
func moveBackup(from, to string, evict bool) error {
	if evict {
		// unlink, not os.Remove: an (empty) directory in the way must stay.
		if err := syscall.Unlink(to); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return &fs.PathError{Op: "unlink", Path: to, Err: err}
		}
	}
	if err := os.Rename(from, to); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
