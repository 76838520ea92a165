package stats

import (
	"fmt"
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
// The parent of every process of the host is read once per reading, not
// once per supervised process.
func readProcs(procs []Process) map[procKey]procReading {
	pids, err := process.Pids()
	if err != nil {
		return nil
	}
	children := make(map[int32][]int32, len(pids))
	for _, pid := range pids {
		p := process.Process{Pid: pid}
		if ppid, err := p.Ppid(); err == nil {
			children[ppid] = append(children[ppid], pid)
		}
	}
	out := make(map[procKey]procReading, len(procs))
	for _, sp := range procs {
		pr := procReading{Namespec: sp.Namespec, PID: sp.PID}
		alive := false
		for todo := []int32{int32(sp.PID)}; len(todo) > 0; {
			pid := todo[len(todo)-1]
			todo = append(todo[:len(todo)-1], children[pid]...)
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
