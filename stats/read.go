package stats

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"
	"golang.org/x/sys/unix"
)

// reading is the raw counters at one instant: rates come from two.
type reading struct {
	Time time.Time
	// CPU holds the total then each core.
	CPU        []cpuTimes
	MemPercent float64
	MemTotal   uint64
	// Net maps each interface to its received then sent bytes.
	Net   map[string][2]uint64
	Procs map[procKey]procReading
}

// cpuTimes is the busy and total CPU seconds of a core (or all).
type cpuTimes struct{ Busy, Total float64 }

// procReading is a supervised process with all its descendants.
type procReading struct {
	Namespec   string
	PID        int
	CPUSeconds float64 // user + system
	RSS        uint64  // bytes
}

func toCPUTimes(t cpu.TimesStat) cpuTimes {
	idle := t.Idle + t.Iowait
	total := t.User + t.System + t.Idle + t.Nice + t.Iowait + t.Irq + t.Softirq + t.Steal
	return cpuTimes{Busy: total - idle, Total: total}
}

// read takes the host's counters and those of the process trees of procs.
func read(procs []Process) (*reading, error) {
	r := &reading{Time: time.Now(), Net: map[string][2]uint64{}}
	all, err := cpu.Times(false)
	if err != nil || len(all) != 1 {
		return nil, fmt.Errorf("cpu times: %v", err)
	}
	cores, err := cpu.Times(true)
	if err != nil {
		return nil, fmt.Errorf("cpu times per core: %w", err)
	}
	r.CPU = append(r.CPU, toCPUTimes(all[0]))
	for _, c := range cores {
		r.CPU = append(r.CPU, toCPUTimes(c))
	}
	vm, err := mem.VirtualMemory()
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	r.MemPercent, r.MemTotal = vm.UsedPercent, vm.Total
	nics, err := net.IOCounters(true)
	if err != nil {
		return nil, fmt.Errorf("network counters: %w", err)
	}
	for _, n := range nics {
		r.Net[n.Name] = [2]uint64{n.BytesRecv, n.BytesSent}
	}
	if len(procs) > 0 {
		r.Procs = readProcs(procs)
	}
	return r, nil
}

// readProcs sums CPU time and resident memory over each process's tree.
// The tree is walked down through the kernel's lists of children, so that
// a reading costs what the supervised trees hold, not what the host runs
// (many agents on one host would each read every process of it); a kernel
// without those lists (CONFIG_PROC_CHILDREN) has the parent of every
// process of the host read instead, once per reading. A process costs one
// read of its stat file and one of its children's list (a process of
// several threads: one per thread), and nothing is kept open between
// readings.
func readProcs(procs []Process) map[procKey]procReading {
	var buf procBuffer
	childrenOf := buf.kernelChildren
	if !haveChildLists() {
		childrenOf = scanChildren()
	}
	out := make(map[procKey]procReading, len(procs))
	for _, sp := range procs {
		pr := procReading{Namespec: sp.Namespec, PID: sp.PID}
		alive := false
		for todo := []int32{int32(sp.PID)}; len(todo) > 0; {
			pid := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			st, err := buf.stat(pid)
			if err != nil {
				continue // gone since its parent listed it
			}
			pr.CPUSeconds += st.cpuSeconds
			pr.RSS += st.rss
			alive = alive || pid == int32(sp.PID)
			todo = append(todo, childrenOf(pid, st.threads)...)
		}
		if alive {
			out[procKey{sp.Namespec, sp.PID}] = pr
		}
	}
	return out
}

// procStat is what a reading takes from /proc/PID/stat.
type procStat struct {
	cpuSeconds float64 // user + system
	rss        uint64  // bytes
	threads    int
	ppid       int32
}

// userHZ is the unit of the times in /proc/PID/stat (the kernel's
// USER_HZ, 100 in the ABI of every Linux architecture).
const userHZ = 100

// procBuffer reads files of /proc with one buffer, in three system calls
// each (os.ReadFile takes five: a reading of 1,000 processes opens 2,000).
// It is not safe for concurrent use.
type procBuffer struct{ b []byte }

// read returns the content of path, valid until the next read.
func (pb *procBuffer) read(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if pb.b == nil {
		pb.b = make([]byte, 4096)
	}
	n := 0
	for {
		if n == len(pb.b) {
			pb.b = append(pb.b, make([]byte, len(pb.b))...)
		}
		m, err := unix.Read(fd, pb.b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if m == 0 {
			return pb.b[:n], nil
		}
		n += m
	}
}

// stat reads /proc/PID/stat.
func (pb *procBuffer) stat(pid int32) (procStat, error) {
	path := "/proc/" + strconv.Itoa(int(pid)) + "/stat"
	b, err := pb.read(path)
	if err != nil {
		return procStat{}, err
	}
	return parseStat(path, b)
}

// parseStat takes the fields of a reading from the content of path, a
// /proc/PID/stat: fields 4 (ppid), 14 and 15 (utime, stime, in ticks), 20
// (num_threads) and 24 (rss, in pages), counted from 1 as proc(5) does.
func parseStat(path string, b []byte) (procStat, error) {
	// Field 2, the command's name, is in parentheses and may hold spaces
	// and parentheses of its own: fields are counted from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("%s: no command name in %q", path, b)
	}
	f := bytes.Fields(b[i+1:]) // f[0] is field 3
	if len(f) < 22 {
		return procStat{}, fmt.Errorf("%s: %d fields, expected 24 or more", path, len(f)+2)
	}
	var err error
	field := func(n int) int64 {
		v, e := strconv.ParseInt(string(f[n-3]), 10, 64)
		if e != nil && err == nil {
			err = fmt.Errorf("%s: field %d: %w", path, n, e)
		}
		return v
	}
	st := procStat{
		ppid:       int32(field(4)),
		cpuSeconds: float64(field(14)+field(15)) / userHZ,
		threads:    int(field(20)),
		rss:        uint64(max(0, field(24))) * uint64(os.Getpagesize()),
	}
	return st, err
}

// haveChildLists tells whether the kernel lists each task's children.
var haveChildLists = sync.OnceValue(func() bool {
	_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d/children", os.Getpid()))
	return err == nil
})

// kernelChildren returns the children of pid, a process of threads
// threads, any of which may have forked them: /proc/PID/task/TID/children
// of its one thread, or of each one listed.
func (pb *procBuffer) kernelChildren(pid int32, threads int) []int32 {
	dir := "/proc/" + strconv.Itoa(int(pid)) + "/task/"
	tids := []string{strconv.Itoa(int(pid))}
	if threads != 1 {
		tasks, err := os.ReadDir(dir)
		if err != nil {
			return nil
		}
		tids = tids[:0]
		for _, t := range tasks {
			tids = append(tids, t.Name())
		}
	}
	var children []int32
	for _, tid := range tids {
		b, err := pb.read(dir + tid + "/children")
		if err != nil {
			continue
		}
		for _, f := range bytes.Fields(b) {
			if child, err := strconv.ParseInt(string(f), 10, 32); err == nil {
				children = append(children, int32(child))
			}
		}
	}
	return children
}

// scanChildren reads the parent of every process of the host and returns
// the children of a pid from that.
func scanChildren() func(pid int32, threads int) []int32 {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return func(int32, int) []int32 { return nil }
	}
	var buf procBuffer
	children := make(map[int32][]int32, len(entries))
	for _, e := range entries {
		pid, err := strconv.ParseInt(e.Name(), 10, 32)
		if err != nil {
			continue // not a process
		}
		if st, err := buf.stat(int32(pid)); err == nil {
			children[st.ppid] = append(children[st.ppid], int32(pid))
		}
	}
	return func(pid int32, _ int) []int32 { return children[pid] }
}
