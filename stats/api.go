package stats

import "github.com/supvisors/supvisors-go/api"

// Reply is h as supvisors.get_host_statistics sends it, for the node of
// address: also the payload of the hstats event topic.
func (h Host) Reply(address string) api.HostStatistics {
	out := api.HostStatistics{AddressName: address, Period: h.Period, CPU: orEmpty(h.CPU), Mem: h.Mem,
		IO: make(map[string][]float64, len(h.IO)), History: h.History.reply()}
	for name, io := range h.IO {
		out.IO[name] = []float64{io[0], io[1]}
	}
	return out
}

// Reply is p as an entry of supvisors.get_process_statistics sends it, for
// the node of address: also the payload of the pstats event topic.
func (p ProcessStats) Reply(address string) api.ProcessStatistics {
	return api.ProcessStatistics{Namespec: p.Namespec, AddressName: address, PID: p.PID, Period: p.Period,
		CPU: p.CPU, Mem: p.Mem, History: p.History.reply()}
}

// Latest keeps the latest sample of h only.
func (h History) Latest() History {
	if n := len(h.Time); n > 1 {
		return History{Time: h.Time[n-1:], CPU: h.CPU[n-1:], Mem: h.Mem[n-1:]}
	}
	return h
}

func (h History) reply() api.StatsHistory {
	return api.StatsHistory{Time: orEmpty(h.Time), CPU: orEmpty(h.CPU), Mem: orEmpty(h.Mem)}
}

// orEmpty keeps an empty array on the wire where Go has a nil slice.
func orEmpty(xs []float64) []float64 {
	if xs == nil {
		return []float64{}
	}
	return xs
}
