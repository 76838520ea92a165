package process

import (
	"maps"
	"reflect"

	"github.com/supvisors/supvisors-go/config"
)

// sameGroup is ProcessGroupConfig.__eq__: same name, priority and processes
// (in order), and for a pool the same pool settings.
func sameGroup(a, b *config.Group) bool {
	if a.Name != b.Name || a.Priority != b.Priority || len(a.Processes) != len(b.Processes) || !reflect.DeepEqual(a.Listener, b.Listener) {
		return false
	}
	for i := range a.Processes {
		if !sameProcess(a.Processes[i], b.Processes[i]) {
			return false
		}
	}
	return true
}

// sameProcess is ProcessConfig.__eq__: every setting Supervisor compares,
// the environment as a mapping, and a log file that is AUTO on either side
// (the active one has its name resolved) counting as equal.
func sameProcess(a, b *config.Process) bool {
	x, y := comparedSettings(a), comparedSettings(b)
	if x.Stdout.Logfile == config.AutoLogfile || y.Stdout.Logfile == config.AutoLogfile {
		x.Stdout.Logfile, y.Stdout.Logfile = "", ""
	}
	if x.Stderr.Logfile == config.AutoLogfile || y.Stderr.Logfile == config.AutoLogfile {
		x.Stderr.Logfile, y.Stderr.Logfile = "", ""
	}
	return reflect.DeepEqual(x, y) && maps.Equal(envMap(a.Environment), envMap(b.Environment))
}

// comparedSettings copies p without what ProcessConfig.__eq__ leaves out
// (its group, program and numbering, the user as written rather than its
// uid) and without the environment, compared apart.
func comparedSettings(p *config.Process) config.Process {
	c := *p
	c.Group, c.Program, c.ProcessNum, c.Index, c.User, c.GID = "", "", 0, 0, "", 0
	c.Environment = nil
	return c
}

func envMap(env []config.EnvVar) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		m[kv.Key] = kv.Value
	}
	return m
}
