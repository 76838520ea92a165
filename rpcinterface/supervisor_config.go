package rpcinterface

import (
	"net/http"
	"slices"
	"strings"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// GroupArgs is the single group name parameter.
type GroupArgs struct {
	Name string
}

// GetAllConfigInfo describes every process of the configuration last read
// (what `supervisorctl avail` shows), sorted by process name.
func (s *SupervisorService) GetAllConfigInfo(_ *http.Request, _ *xmlrpc.NoArgs, reply *[]api.ConfigInfo) error {
	if err := s.checkState(); err != nil {
		return err
	}
	out := []api.ConfigInfo{}
	for _, g := range s.sup.Configs() {
		active := s.sup.Group(g.Name)
		for _, p := range g.Processes {
			info := configInfo(g, p)
			info.Inuse = active != nil
			if active != nil {
				// AUTO names are resolved when a group is added; show them.
				if running := active.Process(p.Name); running != nil {
					pi := running.Info()
					info.StdoutLogfile = logfileName(pi.StdoutLogfile)
					info.StderrLogfile = logfileName(pi.StderrLogfile)
				}
			}
			out = append(out, info)
		}
	}
	slices.SortStableFunc(out, func(a, b api.ConfigInfo) int { return strings.Compare(a.Name, b.Name) })
	*reply = out
	return nil
}

func configInfo(g *config.Group, p *config.Process) api.ConfigInfo {
	return api.ConfigInfo{
		Autostart:             p.Autostart,
		Directory:             noneOr(p.Directory),
		UID:                   uidOrNone(p.UID),
		Command:               p.Command,
		Exitcodes:             p.Exitcodes,
		Group:                 g.Name,
		GroupPrio:             g.Priority,
		Killasgroup:           p.Killasgroup,
		Name:                  p.Name,
		ProcessPrio:           p.Priority,
		RedirectStderr:        p.RedirectStderr,
		Startretries:          p.Startretries,
		Startsecs:             p.Startsecs,
		StdoutCaptureMaxbytes: p.Stdout.CaptureMaxBytes,
		StdoutEventsEnabled:   p.Stdout.EventsEnabled,
		StdoutLogfile:         logfileName(p.Stdout.Logfile),
		StdoutLogfileBackups:  p.Stdout.Backups,
		StdoutLogfileMaxbytes: p.Stdout.MaxBytes,
		StdoutSyslog:          p.Stdout.Syslog,
		Stopsignal:            int(p.Stopsignal),
		Stopwaitsecs:          p.Stopwaitsecs,
		StderrCaptureMaxbytes: p.Stderr.CaptureMaxBytes,
		StderrEventsEnabled:   p.Stderr.EventsEnabled,
		StderrLogfile:         logfileName(p.Stderr.Logfile),
		StderrLogfileBackups:  p.Stderr.Backups,
		StderrLogfileMaxbytes: p.Stderr.MaxBytes,
		StderrSyslog:          p.Stderr.Syslog,
		Serverurl:             noneOr(p.Serverurl),
	}
}

func logfileName(path string) string {
	switch path {
	case "":
		return "none"
	case config.AutoLogfile:
		return "auto"
	}
	return path
}

func noneOr(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func uidOrNone(uid int) any {
	if uid < 0 {
		return "none"
	}
	return uid
}

// ReloadConfig re-reads the configuration and reports the groups that were
// added, changed and removed compared with the running ones: [[a, c, r]].
func (s *SupervisorService) ReloadConfig(_ *http.Request, _ *xmlrpc.NoArgs, reply *[][][]string) error {
	if err := s.checkState(); err != nil {
		return err
	}
	cfg, err := s.control.ReadConfig()
	if err != nil {
		return fault.New(fault.CantReread, err.Error())
	}
	added, changed, removed := s.sup.SetConfigs(cfg.Groups)
	*reply = [][][]string{{nonNil(added), nonNil(changed), nonNil(removed)}}
	return nil
}

func nonNil(names []string) []string {
	if names == nil {
		return []string{}
	}
	return names
}

// AddProcessGroup activates a group of the configuration last read.
func (s *SupervisorService) AddProcessGroup(_ *http.Request, args *GroupArgs, reply *bool) error {
	if err := s.checkState(); err != nil {
		return err
	}
	if err := s.sup.AddGroup(args.Name); err != nil {
		return err
	}
	*reply = true
	return nil
}

// RemoveProcessGroup removes a group whose processes are all stopped.
func (s *SupervisorService) RemoveProcessGroup(_ *http.Request, args *GroupArgs, reply *bool) error {
	if err := s.checkState(); err != nil {
		return err
	}
	if err := s.sup.RemoveGroup(args.Name); err != nil {
		return err
	}
	*reply = true
	return nil
}
