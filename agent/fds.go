package agent

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// markInheritedCloseOnExec marks every descriptor from 3 up close-on-exec,
// so that none the agent inherited (a file or socket its parent left open)
// reaches a child. supervisord closes descriptors 3 and up in each child;
// marking them once, before anything is spawned, does the same, since every
// descriptor the agent opens itself is close-on-exec already. It uses
// close_range(2), or walks /proc/self/fd on kernels older than 5.11.
func markInheritedCloseOnExec() error {
	err := unix.CloseRange(3, math.MaxUint, unix.CLOSE_RANGE_CLOEXEC)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("mark inherited descriptors close-on-exec: %w", err)
	}
	return markListedCloseOnExec("/proc/self/fd")
}

// markListedCloseOnExec marks close-on-exec every descriptor from 3 up that
// dir (a /proc/PID/fd of this process) lists.
func markListedCloseOnExec(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("mark inherited descriptors close-on-exec: %w", err)
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if errors.Is(err, unix.EBADF) {
			continue // the listing's own descriptor, closed since
		}
		if err == nil && flags&unix.FD_CLOEXEC == 0 {
			_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags|unix.FD_CLOEXEC)
		}
		if err != nil {
			return fmt.Errorf("mark descriptor %d close-on-exec: %w", fd, err)
		}
	}
	return nil
}
