package rpc

import (
	"net/http"
	"slices"
	"strings"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/fault"
)

// ConfigInfo is one entry of getAllConfigInfo. Fields typed any carry
// Supervisor's "none"/"auto" strings where Python has None/Automatic.
type ConfigInfo struct {
	Autostart             bool   `xmlrpc:"autostart"`
	Directory             any    `xmlrpc:"directory"`
	UID                   any    `xmlrpc:"uid"`
	Command               string `xmlrpc:"command"`
	Exitcodes             []int  `xmlrpc:"exitcodes"`
	Group                 string `xmlrpc:"group"`
	GroupPrio             int    `xmlrpc:"group_prio"`
	Inuse                 bool   `xmlrpc:"inuse"`
	Killasgroup           bool   `xmlrpc:"killasgroup"`
	Name                  string `xmlrpc:"name"`
	ProcessPrio           int    `xmlrpc:"process_prio"`
	RedirectStderr        bool   `xmlrpc:"redirect_stderr"`
	Startretries          int    `xmlrpc:"startretries"`
	Startsecs             int    `xmlrpc:"startsecs"`
	StdoutCaptureMaxbytes int64  `xmlrpc:"stdout_capture_maxbytes"`
	StdoutEventsEnabled   bool   `xmlrpc:"stdout_events_enabled"`
	StdoutLogfile         string `xmlrpc:"stdout_logfile"`
	StdoutLogfileBackups  int    `xmlrpc:"stdout_logfile_backups"`
	StdoutLogfileMaxbytes int64  `xmlrpc:"stdout_logfile_maxbytes"`
	StdoutSyslog          bool   `xmlrpc:"stdout_syslog"`
	Stopsignal            int    `xmlrpc:"stopsignal"`
	Stopwaitsecs          int    `xmlrpc:"stopwaitsecs"`
	StderrCaptureMaxbytes int64  `xmlrpc:"stderr_capture_maxbytes"`
	StderrEventsEnabled   bool   `xmlrpc:"stderr_events_enabled"`
	StderrLogfile         string `xmlrpc:"stderr_logfile"`
	StderrLogfileBackups  int    `xmlrpc:"stderr_logfile_backups"`
	StderrLogfileMaxbytes int64  `xmlrpc:"stderr_logfile_maxbytes"`
	StderrSyslog          bool   `xmlrpc:"stderr_syslog"`
	Serverurl             any    `xmlrpc:"serverurl"`
}

// GroupArgs is the single group name parameter.
type GroupArgs struct {
	Name string
}

// GetAllConfigInfo describes every process of the configuration last read
// (what `supervisorctl avail` shows), sorted by process name.
func (s *SupervisorService) GetAllConfigInfo(_ *http.Request, _ *NoArgs, reply *[]ConfigInfo) error {
	if err := s.checkState(); err != nil {
		return err
	}
	out := []ConfigInfo{}
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
	slices.SortStableFunc(out, func(a, b ConfigInfo) int { return strings.Compare(a.Name, b.Name) })
	*reply = out
	return nil
}

func configInfo(g *config.Group, p *config.Process) ConfigInfo {
	return ConfigInfo{
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

func noneOr(s string) any {
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
func (s *SupervisorService) ReloadConfig(_ *http.Request, _ *NoArgs, reply *[][][]string) error {
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
