package logfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrSymlink is what the opens of OpenNoFollow (and a File's re-creations)
// wrap when a symbolic link is where the file should be: it is refused,
// never followed, and nothing is written through it.
var ErrSymlink = errors.New("refusing to follow a symbolic link")

// errNotPlain refuses an existing file that is not a regular file of one
// link: a FIFO would block the writer or hand the output to whoever reads
// it, a hard link would make the write land in another file.
var errNotPlain = errors.New("refusing a file that is not a regular file of one link")

// OpenNoFollow opens path for writing the way a daemon running as root must
// when others may write the directory (a child log in /tmp, a pidfile):
//   - a symbolic link at path is refused with an error wrapping ErrSymlink;
//   - a missing file is created with O_EXCL and perm (less the umask, as
//     open(2)), so that nothing planted meanwhile is opened instead, and
//     created is true;
//   - an existing file is opened, without following a link, only when flag
//     lacks os.O_EXCL and it is a regular file of one link; os.O_TRUNC then
//     truncates it once that is checked.
//
// flag is os.O_WRONLY or os.O_RDWR with os.O_APPEND, os.O_TRUNC or
// os.O_EXCL; os.O_CREATE is implied. The descriptor is close-on-exec.
func OpenNoFollow(path string, flag int, perm fs.FileMode) (file *os.File, created bool, err error) {
	exclusive, truncate := flag&os.O_EXCL != 0, flag&os.O_TRUNC != 0
	flag = flag&^(os.O_EXCL|os.O_TRUNC|os.O_CREATE) | unix.O_NOFOLLOW
	for attempt := 0; ; attempt++ {
		file, err = os.OpenFile(path, flag|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			return file, true, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		}
		if exclusive {
			return nil, false, refusal(path, err)
		}
		// O_NONBLOCK: opening a FIFO must not wait for a reader.
		file, err = os.OpenFile(path, flag|unix.O_NONBLOCK, 0)
		if errors.Is(err, fs.ErrNotExist) && attempt == 0 {
			continue // removed since: create it after all
		}
		if err != nil {
			return nil, false, refusal(path, err)
		}
		if err := checkPlain(file, truncate); err != nil {
			_ = file.Close()
			return nil, false, err
		}
		return file, false, nil
	}
}

// refusal explains why path, which exists, could not be opened: a symbolic
// link gets ErrSymlink.
func refusal(path string, err error) error {
	if errors.Is(err, unix.ELOOP) {
		return &fs.PathError{Op: "open", Path: path, Err: ErrSymlink}
	}
	if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
		return &fs.PathError{Op: "open", Path: path, Err: ErrSymlink}
	}
	return err
}

// checkPlain refuses what OpenNoFollow opened unless it is a regular file
// of one link, and truncates it if asked.
func checkPlain(file *os.File, truncate bool) error {
	st, err := file.Stat()
	if err != nil {
		return err
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !st.Mode().IsRegular() || !ok || sys.Nlink != 1 {
		return &fs.PathError{Op: "open", Path: file.Name(), Err: errNotPlain}
	}
	if truncate {
		return file.Truncate(0)
	}
	return nil
}
