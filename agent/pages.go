package agent

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

// releaseWhenOperating releases the binary's pages again once the cluster
// first is in OPERATION: the start-up of the cluster (joining the ring, the
// first exchanges of state, the initial deployment) is then over, and what
// only it used goes too. It returns then, or when ctx ends.
func (g *generation) releaseWhenOperating(ctx context.Context) {
	for {
		// Taken before the reading: a change made meanwhile wakes the
		// next one.
		changed := g.cluster.Changed()
		var operating bool
		g.cluster.Read(func(v *view.View) { operating = v.State() == enums.SupvisorsOperation })
		if operating {
			if err := releaseBinaryPages(); err != nil {
				g.logger.Debug("binary's pages not released", "error", err)
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// releaseBinaryPages unmaps from this process the pages of its own binary's
// code and read-only data (the mappings of /proc/self/exe that are not
// writable), so that what only starting an agent used stops counting in
// its resident memory. A Go binary is mapped from its file and the kernel
// maps 64 KiB around every page touched, so that the command line, the
// configuration, the initialisation of every dependency and the first
// generation leave about 15 MB of the 27 MB binary mapped, of which an idle
// agent touches about 11 MB again in a cluster (9 MB alone). The pages stay
// in the page cache (shared by every agent of the host): those still in use
// are mapped again at their next use, by a minor fault, without reading
// the disk.
//
// MADV_DONTNEED on a private file mapping drops only the process's mappings
// of the file's pages; it would also drop the private copies of pages
// written to, which is why the writable mappings (the binary's data) are
// left alone: code and read-only data are never written to.
func releaseBinaryPages() error {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return err
	}
	maps, err := os.Open("/proc/self/maps")
	if err != nil {
		return err
	}
	defer maps.Close()
	// A line: start-end perms offset dev inode path, where the path of a
	// binary replaced on disk since it started ends in " (deleted)", as
	// the link /proc/self/exe does.
	scanner := bufio.NewScanner(maps)
	for scanner.Scan() {
		fields := strings.SplitN(scanner.Text(), " ", 6)
		if len(fields) < 6 || strings.TrimLeft(fields[5], " ") != exe || strings.Contains(fields[1], "w") {
			continue
		}
		lo, hi, _ := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			return fmt.Errorf("/proc/self/maps: bad range %q", fields[0])
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("madvise %s: %w", fields[0], errno)
		}
	}
	return scanner.Err()
}
