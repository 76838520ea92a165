package agent

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/supvisors/supvisors-go/cluster/view"
	"github.com/supvisors/supvisors-go/enums"
)

// releaseWhenSettled releases the binary's pages again once the cluster
// has settled in OPERATION, and sets the garbage collector's GOGC
// (gcPercent, if set) and returns the free heap: the start-up of the
// cluster (joining the ring, the first exchanges of state, the initial
// deployment) is then over, and what only it used goes too. It returns
// then, or when ctx ends.
func (g *generation) releaseWhenSettled(ctx context.Context) {
	turn, ok := g.settled(ctx)
	if !ok {
		return
	}
	// The agents of a host take turns: a release costs about 30 ms of CPU
	// on a 2-core virtual machine (and TLB shootdowns, through its
	// hypervisor, on the other core); 100 agents there that released
	// within 8 s of their first OPERATION, while the ring still flapped,
	// declared 2,500-3,700 more deaths and mostly lost their master, in 6
	// runs of 8; once it had settled, but spread over 10 s, in 3 runs of
	// 12; taking turns, in none of 4.
	select {
	case <-ctx.Done():
		return
	case <-time.After(time.Duration(turn) * releaseTurn):
	}
	if g.gcPercent > 0 {
		debug.SetGCPercent(g.gcPercent)
		debug.FreeOSMemory()
	}
	if err := releaseBinaryPages(); err != nil {
		g.logger.Debug("binary's pages not released", "error", err)
	}
}

// settled returns once the cluster has been in OPERATION with the same
// RUNNING addresses for releaseCalm (or is in OPERATION releaseLatest after
// it first was, in a ring that keeps changing), with this agent's turn among those of its
// host (view.View.HostTurn); false if ctx ends first. Agents that share a
// host reach OPERATION together while the ring still flaps; what they do
// then delays their probes, so what can wait waits for the ring to hold
// still.
func (g *generation) settled(ctx context.Context) (turn int, ok bool) {
	var operatingSince time.Time
	for {
		// Taken before the reading: a change made meanwhile wakes the
		// next one.
		changed := g.cluster.Changed()
		var operating bool
		var since time.Time
		g.cluster.Read(func(v *view.View) {
			operating = v.State() == enums.SupvisorsOperation
			since = v.RunningChanged()
		})
		var wake <-chan time.Time
		if operating {
			if operatingSince.IsZero() {
				operatingSince = time.Now()
			}
			calmLeft, latestLeft := releaseCalm-time.Since(since), releaseLatest-time.Since(operatingSince)
			if calmLeft <= 0 || latestLeft <= 0 {
				g.cluster.Read(func(v *view.View) { turn = v.HostTurn() })
				return turn, true
			}
			// Not at every change of the view (every process event):
			// once the calm could be long enough.
			changed, wake = nil, time.After(min(calmLeft, latestLeft))
		}
		select {
		case <-ctx.Done():
			return 0, false
		case <-changed:
		case <-wake:
		}
	}
}

// releaseCalm is how long the cluster holds still before an agent releases
// what starting used, releaseLatest how long after the first OPERATION it
// waits for that at most, and releaseTurn the time between the releases of the agents of
// a host (releaseWhenSettled).
const (
	releaseCalm   = 5 * time.Second
	releaseLatest = time.Minute
	releaseTurn   = time.Second
)

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
// MADV_DONTNEED on a private file mapping drops the process's own copies
// of the pages written to as well, and the file's content comes back: so
// the writable mappings (the binary's data) are left alone, and so is any
// read-only mapping with pages of its own (Anonymous in smaps: a
// position-independent build's relocated read-only data, written before
// it was made read-only).
func releaseBinaryPages() error {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return err
	}
	smaps, err := os.Open("/proc/self/smaps")
	if err != nil {
		return err
	}
	defer smaps.Close()
	var ranges [][2]uint64
	// A mapping is its line (start-end perms offset dev inode path, where
	// the path of a binary replaced on disk since it started ends in
	// " (deleted)", as the link /proc/self/exe does), then "Key: value"
	// lines; candidate: the last of ranges is the mapping being read.
	var candidate bool
	scanner := bufio.NewScanner(smaps)
	for scanner.Scan() {
		line := scanner.Text()
		fields := strings.SplitN(line, " ", 6)
		lo, hi, isMapping := strings.Cut(fields[0], "-")
		if isMapping && len(fields) >= 5 {
			candidate = false
			if len(fields) < 6 || strings.TrimLeft(fields[5], " ") != exe || strings.Contains(fields[1], "w") {
				continue
			}
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 != nil || err2 != nil || end <= start {
				return fmt.Errorf("/proc/self/smaps: bad range %q", fields[0])
			}
			ranges, candidate = append(ranges, [2]uint64{start, end}), true
			continue
		}
		if rest, ok := strings.CutPrefix(line, "Anonymous:"); ok && candidate && strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")) != "0" {
			ranges, candidate = ranges[:len(ranges)-1], false
		}
	}
	if err := scanner.Err(); err != nil {
		return err
	}
	for _, r := range ranges {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(r[0]), uintptr(r[1]-r[0]), syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("madvise %x-%x: %w", r[0], r[1], errno)
		}
	}
	return nil
}
