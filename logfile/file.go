// Package logfile writes, rotates, reads and follows log files the way
// Supervisor 4.2.5 does (supervisor/loggers.py, options.py readFile/tailFile,
// http.py tail_f_producer): the agent's main log and the stdout/stderr logs
// of its children.
package logfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// File is an append-only log file with Supervisor's size-based rotation
// (loggers.py RotatingFileHandler): each Write lands whole, then, when the
// file has reached maxBytes > 0, it rolls over (path.N-1 -> path.N ...
// path -> path.1, or truncation in place when backups is 0).
//
// Only regular files rotate or get removed by Clear: a log pointed at
// /dev/null, /dev/stdout or a pipe is written and never renamed or unlinked.
//
// A File opens its path as Supervisor does, through a symbolic link, until it
// creates a file there itself: a first open that finds none, a rotation, a
// Clear. From then on it opens path with OpenNoFollow only: a link planted
// there (say by a child, in a shared log directory) is refused, never
// followed, and a file it creates anew gets the mode of the file it
// replaces (an AUTO log stays 0600), whatever the umask.
//
// The size that triggers rotation is counted in memory from the size seen
// when the file was opened, so only writes through this File count; give all
// writers of one path the same *File.
//
// File is safe for concurrent use.
type File struct {
	path     string
	maxBytes int64
	backups  int

	mu        sync.Mutex
	fd        *os.File
	size      int64         // bytes in the open file, counted since open
	rotatable bool          // the open file is a regular file
	strict    bool          // this File created the file at path: never follow a link there again
	perm      fs.FileMode   // the mode of the last regular file opened at path; 0: none yet
	changed   chan struct{} // closed and cleared at the next change; nil while nobody waits
}

// New returns a File for path that rotates at maxBytes (0 or less: never)
// keeping backups old files (0 or less: truncate in place). It does no I/O:
// the OS file is opened by Open or by the first Write. New is safe for
// concurrent use.
func New(path string, maxBytes int64, backups int) *File {
	return &File{path: path, maxBytes: maxBytes, backups: backups}
}

// Path returns the file's path. Path is safe for concurrent use.
func (f *File) Path() string { return f.path }

// Open creates the file if needed and opens it for appending, as Supervisor
// does when it spawns a process; the parent directory must exist. Open on an
// open File does nothing. Open is safe for concurrent use.
func (f *File) Open() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fd != nil {
		return nil
	}
	return f.openLocked()
}

// Write appends p in one write and then rotates the file if it has reached
// maxBytes. A closed File is reopened first. Write is safe for concurrent
// use; concurrent Writes never interleave within one p.
func (f *File) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fd == nil {
		if err := f.openLocked(); err != nil {
			return 0, err
		}
	}
	n, err := f.fd.Write(p)
	f.size += int64(n)
	if n > 0 {
		f.notifyLocked()
	}
	if err != nil {
		return n, fmt.Errorf("write log: %w", err)
	}
	if f.rotatable && f.maxBytes > 0 && f.size >= f.maxBytes {
		if err := f.rotateLocked(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Clear empties the log the way Supervisor's clearLog and clearProcessLogs
// do (FileHandler.remove then reopen): the file is closed, unlinked (a
// missing file is fine) and created again empty with its mode, so it exists
// afterwards even if it did not before. Something other than a regular file
// (a device such as /dev/null) is only reopened. Backups are left alone. On
// error the File stays closed and the next Write tries to reopen it. Clear
// is safe for concurrent use.
func (f *File) Clear() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.closeLocked(); err != nil {
		return err
	}
	st, err := os.Stat(f.path)
	if err == nil && !st.Mode().IsRegular() {
		err = f.openLocked()
	} else {
		if err == nil && f.perm == 0 {
			f.perm = st.Mode().Perm()
		}
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("clear log: %w", err)
		}
		err = f.openNoFollowLocked(os.O_WRONLY | os.O_APPEND | os.O_EXCL)
	}
	if err != nil {
		return err
	}
	f.notifyLocked()
	return nil
}

// Reopen closes the file and opens path again for appending, picking up a
// file moved away by an external rotation (Supervisor's SIGUSR2). It wakes
// Changed waiters so that followers switch to the new file at once. Reopen is
// safe for concurrent use.
func (f *File) Reopen() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.closeLocked(); err != nil {
		return err
	}
	if err := f.openLocked(); err != nil {
		return err
	}
	f.notifyLocked()
	return nil
}

// Close closes the OS file; a later Write or Open reopens it. Close is safe
// for concurrent use.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closeLocked()
}

// Changed returns a channel that is closed at the next Write, Clear,
// rotation or Reopen. Call it again after it fires for the change after
// that. Changed is safe for concurrent use.
func (f *File) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.changed == nil {
		f.changed = make(chan struct{})
	}
	return f.changed
}

// notifyLocked wakes Changed waiters; it costs nothing when there are none.
func (f *File) notifyLocked() {
	if f.changed != nil {
		close(f.changed)
		f.changed = nil
	}
}

// openLocked opens path for appending. Until this File has created a file
// there, that is Python's open(path, 'ab') of an existing file, through a
// symbolic link as Supervisor does (a log pointed at /dev/stdout); a missing
// file, and every path once this File has created one, go through
// openNoFollowLocked.
func (f *File) openLocked() error {
	if !f.strict {
		fd, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND, 0)
		if err == nil {
			return f.useLocked(fd, false)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("open log: %w", err)
		}
	}
	return f.openNoFollowLocked(os.O_WRONLY | os.O_APPEND)
}

// openNoFollowLocked opens path with OpenNoFollow and flag, and never
// follows a link there again. A file it creates gets the mode of the one it
// replaces, else Python's 0666 less the umask.
func (f *File) openNoFollowLocked(flag int) error {
	f.strict = true
	perm := f.perm
	if perm == 0 {
		perm = 0o666
	}
	fd, created, err := OpenNoFollow(f.path, flag, perm)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	return f.useLocked(fd, created)
}

// useLocked makes fd the open file and learns its size, kind and mode; a
// file just created gets f.perm exactly (the umask may have narrowed it).
func (f *File) useLocked(fd *os.File, created bool) error {
	st, err := fd.Stat()
	var mode fs.FileMode
	if err == nil {
		mode = st.Mode().Perm()
		if created && f.perm != 0 && mode != f.perm {
			err = fd.Chmod(f.perm)
			mode = f.perm
		}
	}
	if err != nil {
		_ = fd.Close()
		return fmt.Errorf("open log: %w", err)
	}
	f.fd = fd
	f.size = st.Size()
	f.rotatable = st.Mode().IsRegular()
	if f.rotatable {
		f.perm = mode
	}
	return nil
}

func (f *File) closeLocked() error {
	if f.fd == nil {
		return nil
	}
	err := f.fd.Close()
	f.fd = nil
	if err != nil {
		return fmt.Errorf("close log: %w", err)
	}
	return nil
}
