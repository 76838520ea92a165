package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Keys each known section accepts: exactly those Supervisor 4.2.5 reads,
// and the server sections' max_connections, certfile, keyfile and cafile
// (ours).
var (
	supervisordKeys = []string{
		"logfile", "logfile_maxbytes", "logfile_backups", "loglevel", "pidfile",
		"umask", "nodaemon", "silent", "minfds", "minprocs", "nocleanup",
		"childlogdir", "user", "directory", "strip_ansi", "environment", "identifier",
	}
	programKeys = []string{
		"command", "process_name", "numprocs", "numprocs_start", "priority",
		"autostart", "autorestart", "startsecs", "startretries", "exitcodes",
		"stopsignal", "stopwaitsecs", "stopasgroup", "killasgroup", "user",
		"redirect_stderr", "environment", "directory", "umask", "serverurl",
		"stdout_logfile", "stdout_logfile_maxbytes", "stdout_logfile_backups",
		"stdout_capture_maxbytes", "stdout_events_enabled", "stdout_syslog",
		"stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups",
		"stderr_capture_maxbytes", "stderr_events_enabled", "stderr_syslog",
	}
	groupKeys = []string{"programs", "priority"}
	// listenerKeys are what an [eventlistener:x] section has beside
	// programKeys.
	listenerKeys = []string{"buffer_size", "events", "result_handler"}
	// supvisorsIgnoredKeys are Supvisors 0.1 options this agent accepts
	// and has no use for (it logs through the supervisord log).
	supvisorsIgnoredKeys = []string{"logfile", "logfile_maxbytes", "logfile_backups", "loglevel"}
	// rpcinterfaceFactoryKey is the one key every [rpcinterface:x] has.
	rpcinterfaceFactoryKey = "supervisor.rpcinterface_factory"
)

// sectionKind says how a section is treated.
type sectionKind int

const (
	sectionUnknown          sectionKind = iota
	sectionRead                         // read and its keys checked
	sectionIgnored                      // accepted, not used
	sectionIgnoredProcesses             // accepted, not used, and its processes will not run
)

// classifySection returns how a section is treated and, for read ones,
// the keys it accepts.
func classifySection(name string) (sectionKind, []string) {
	switch name {
	case "supervisord":
		return sectionRead, supervisordKeys
	case "include":
		return sectionRead, []string{"files"}
	case "inet_http_server":
		return sectionRead, []string{"port", "username", "password", "max_connections", "certfile", "keyfile", "cafile"}
	case "unix_http_server":
		return sectionRead, []string{"file", "chmod", "chown", "username", "password", "max_connections"}
	case "supvisors":
		return sectionRead, append(supvisorsKeyNames(), supvisorsIgnoredKeys...)
	case "rpcinterface:supvisors":
		return sectionRead, append(append(supvisorsKeyNames(), supvisorsIgnoredKeys...), rpcinterfaceFactoryKey)
	case "supervisorctl":
		return sectionIgnored, nil
	}
	prefix, _, found := strings.Cut(name, ":")
	if !found {
		return sectionUnknown, nil
	}
	switch prefix {
	case "program":
		return sectionRead, programKeys
	case "group":
		return sectionRead, groupKeys
	case "eventlistener":
		return sectionRead, append(slices.Clone(programKeys), listenerKeys...)
	case "rpcinterface", "ctlplugin":
		return sectionIgnored, nil
	case "fcgi-program":
		return sectionIgnoredProcesses, nil
	}
	return sectionUnknown, nil
}

// checkSections rejects unknown sections and unknown keys of the sections
// read, and reports the ones accepted but unused.
func (l *loader) checkSections() error {
	if _, a := l.doc.section("supvisors"); a {
		if s, b := l.doc.section("rpcinterface:supvisors"); b {
			return &Error{File: s.file, Line: s.line, Section: s.name,
				Err: errors.New("the file has both [supvisors] and [rpcinterface:supvisors]: keep one")}
		}
	}
	for _, name := range l.doc.order {
		s := l.doc.sections[name]
		kind, keys := classifySection(name)
		switch kind {
		case sectionUnknown:
			return &Error{File: s.file, Line: s.line, Section: name, Err: errors.New("unknown section")}
		case sectionIgnored:
			l.log.Debug("section not used by this agent, ignored", "section", name, "file", s.file, "line", s.line)
		case sectionIgnoredProcesses:
			l.log.Debug("section not supported by this agent, ignored", "section", name, "file", s.file, "line", s.line)
			l.warn("%s:%d: [%s] is not supported by this agent: its processes will not run", s.file, s.line, name)
		case sectionRead:
			if err := checkKeys(s, keys); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkKeys rejects the first key of s (DEFAULT's aside) not in keys.
func checkKeys(s *iniSection, keys []string) error {
	for _, key := range s.keys {
		if !slices.Contains(keys, key) {
			v := s.values[key]
			return &Error{File: v.file, Line: v.line, Section: s.name, Key: key, Err: errors.New("unknown key")}
		}
	}
	return nil
}

// where prefixes a warning with the place of key in sec (of the section
// header when the key is absent).
func where(sec *iniSection, key string) string {
	if v, ok := sec.lookup(key); ok {
		return fmt.Sprintf("%s:%d: ", v.file, v.line)
	}
	return fmt.Sprintf("%s:%d: ", sec.file, sec.line)
}
