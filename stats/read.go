package stats

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"
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

// The boot time does not change while the node runs: without the cache,
// gopsutil reads /proc/stat again for every process's times.
func init() { process.EnableBootTimeCache(true) }

// readProcs sums CPU time and resident memory over each process's tree.
// The tree is walked down through the kernel's lists of children, so that
// a reading costs what the supervised trees hold, not what the host runs
// (many agents on one host would each read every process of it); a kernel
// without those lists (CONFIG_PROC_CHILDREN) has the parent of every
// process of the host read instead, once per reading.
func readProcs(procs []Process) map[procKey]procReading {
	childrenOf := kernelChildren
	if !haveChildLists() {
		childrenOf = scanChildren()
	}
	out := make(map[procKey]procReading, len(procs))
	for _, sp := range procs {
		pr := procReading{Namespec: sp.Namespec, PID: sp.PID}
		alive := false
		for todo := []int32{int32(sp.PID)}; len(todo) > 0; {
			pid := todo[len(todo)-1]
			todo = append(todo[:len(todo)-1], childrenOf(pid)...)
			p := process.Process{Pid: pid}
			if t, err := p.Times(); err == nil {
				pr.CPUSeconds += t.User + t.System
				alive = alive || pid == int32(sp.PID)
			}
			if m, err := p.MemoryInfo(); err == nil {
				pr.RSS += m.RSS
			}
		}
		if alive {
			out[procKey{sp.Namespec, sp.PID}] = pr
		}
	}
	return out
}

// haveChildLists tells whether the kernel lists each task's children.
var haveChildLists = sync.OnceValue(func() bool {
	_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d/children", os.Getpid()))
	return err == nil
})

// kernelChildren returns the children of pid, which any of its threads may
// have forked (/proc/PID/task/TID/children).
func kernelChildren(pid int32) []int32 {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var children []int32
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if child, err := strconv.ParseInt(f, 10, 32); err == nil {
				children = append(children, int32(child))
			}
		}
	}
	return children
}

// scanChildren reads the parent of every process of the host and returns
// the children of a pid from that.
func scanChildren() func(int32) []int32 {
	pids, err := process.Pids()
	if err != nil {
		return func(int32) []int32 { return nil }
	}
	children := make(map[int32][]int32, len(pids))
	for _, pid := range pids {
		p := process.Process{Pid: pid}
		if ppid, err := p.Ppid(); err == nil {
			children[ppid] = append(children[ppid], pid)
		}
	}
	return func(pid int32) []int32 { return children[pid] }
}
