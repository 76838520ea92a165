package view

import (
	"github.com/supvisors/supvisors-go/enums"
)

// ApplicationInfo describes an application: a group of processes.
type ApplicationInfo struct {
	Name  string
	State enums.ApplicationState
	// MajorFailure: a required process is stopped (other than by an
	// expected exit) while the application is STARTING or RUNNING.
	MajorFailure bool
	// MinorFailure: an optional process is FATAL or exited unexpectedly
	// while the application is STARTING or RUNNING.
	MinorFailure bool
}

// applicationOf aggregates the processes of one application.
func applicationOf(name string, procs []ProcessInfo, required func(Key) bool) ApplicationInfo {
	app := ApplicationInfo{Name: name, State: applicationState(procs)}
	if app.State != enums.ApplicationStarting && app.State != enums.ApplicationRunning {
		return app
	}
	for _, p := range procs {
		failed := p.State == enums.ProcessFatal || p.State == enums.ProcessExited && !p.ExpectedExit
		if required(p.Key()) {
			app.MajorFailure = app.MajorFailure || failed || p.State == enums.ProcessStopped || p.State == enums.ProcessUnknown
		} else {
			app.MinorFailure = app.MinorFailure || failed
		}
	}
	return app
}

// applicationState is STARTING if a process is STARTING or BACKOFF, else
// STOPPING if one is STOPPING, else RUNNING if one is RUNNING, else
// STOPPED.
func applicationState(procs []ProcessInfo) enums.ApplicationState {
	var t stateTally
	for _, p := range procs {
		t.add(p.State)
	}
	return t.state()
}

// stateTally aggregates the states of an application's processes, one at
// a time (see applicationState).
type stateTally struct{ starting, stopping, running bool }

func (t *stateTally) add(s enums.ProcessState) {
	switch s {
	case enums.ProcessStarting, enums.ProcessBackoff:
		t.starting = true
	case enums.ProcessStopping:
		t.stopping = true
	case enums.ProcessRunning:
		t.running = true
	}
}

func (t stateTally) state() enums.ApplicationState {
	switch {
	case t.starting:
		return enums.ApplicationStarting
	case t.stopping:
		return enums.ApplicationStopping
	case t.running:
		return enums.ApplicationRunning
	}
	return enums.ApplicationStopped
}

// ApplicationState is the state of Application(name) without a
// description of each process, which at 1,000 processes took milliseconds
// of the end of their start; false when no address has a process of it.
func (v *View) ApplicationState(name string) (enums.ApplicationState, bool) {
	keys := v.KeysOf(name)
	if len(keys) == 0 {
		return enums.ApplicationStopped, false
	}
	var t stateTally
	var copies []Copy
	var addresses []string
	for _, k := range keys {
		p := v.describe(k, copies, addresses)
		t.add(p.State)
		copies, addresses = p.Copies, p.Addresses
	}
	return t.state(), true
}

// Application describes the application name; false when no address has
// a process of it.
func (v *View) Application(name string) (ApplicationInfo, bool) {
	procs := v.ProcessesOf(name)
	if len(procs) == 0 {
		return ApplicationInfo{}, false
	}
	return applicationOf(name, procs, v.cfg.Required), true
}

// Applications describes every application, sorted by name.
func (v *View) Applications() []ApplicationInfo { return v.ApplicationsOf(v.Processes()) }

// ApplicationsOf describes the applications of procs, as Processes returns
// them (sorted by group): for a reader of both, which then aggregates
// every process once, not twice.
func (v *View) ApplicationsOf(procs []ProcessInfo) []ApplicationInfo {
	var out []ApplicationInfo
	for start := 0; start < len(procs); {
		end := start + 1
		for end < len(procs) && procs[end].Group == procs[start].Group {
			end++
		}
		out = append(out, applicationOf(procs[start].Group, procs[start:end], v.cfg.Required))
		start = end
	}
	return out
}
