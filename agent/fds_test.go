package agent

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMarkCloseOnExec checks both ways of marking the inherited descriptors
// (close_range, and the /proc walk of older kernels) on a descriptor opened
// without O_CLOEXEC, as a parent leaves one to the agent.
func TestMarkCloseOnExec(t *testing.T) {
	for _, tc := range []struct {
		name string
		mark func() error
	}{
		{"close_range", markInheritedCloseOnExec},
		{"proc walk", func() error { return markListedCloseOnExec("/proc/self/fd") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd, err := unix.Open(os.DevNull, unix.O_RDONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fd)
			if err := tc.mark(); err != nil {
				t.Fatal(err)
			}
			flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
			if err != nil {
				t.Fatal(err)
			}
			if flags&unix.FD_CLOEXEC == 0 {
				t.Errorf("descriptor %d is not close-on-exec", fd)
			}
		})
	}
}
