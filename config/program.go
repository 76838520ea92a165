package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// sectionName returns the part after "kind:" of a section name, checked
// like Supervisor's process_or_group_name.
func sectionName(sec *iniSection) (string, error) {
	_, name, _ := strings.Cut(sec.name, ":")
	name, err := processOrGroupName(name)
	if err == nil && name == "" {
		err = errors.New("empty name")
	}
	if err != nil {
		return "", &Error{File: sec.file, Line: sec.line, Section: sec.name, Err: err}
	}
	return name, nil
}

// userIDs is a resolved user= option.
type userIDs struct {
	name     string
	uid, gid int
}

func parseUser(s string) (userIDs, error) {
	uid, gid, err := lookupUser(s)
	return userIDs{name: s, uid: uid, gid: gid}, err
}

func parseUmask(s string) (*os.FileMode, error) {
	m, err := parseOctal(s)
	return &m, err
}

// program is what a [program:x] section says once for all its processes.
type program struct {
	sec *iniSection
	// common are the expansions of every key: %(program_name)s,
	// %(group_name)s, %(host_node_name)s and the environment.
	common                  expansions
	tmpl                    Process
	numprocs, numprocsStart int
	// environment and processName are expanded per process.
	environment, processName rawOption
}

// rawOption is an option's unexpanded text and where it is (nil: default).
type rawOption struct {
	text  string
	value *iniValue
}

// processes expands a [program:x] section into its processes the way
// Supervisor's processes_from_section does, and orders them as it does.
func (l *loader) processes(sec *iniSection, groupName string) ([]*Process, error) {
	prog, err := l.readProgram(sec, groupName)
	if err != nil {
		return nil, err
	}
	var procs []*Process
	for i := 0; i < prog.numprocs; i++ {
		p, err := l.expandProcess(prog, prog.numprocsStart+i)
		if err != nil {
			return nil, err
		}
		procs = append(procs, p)
		l.programSection[p] = sec
	}
	// Supvisors numbers the processes of a program in Supervisor's
	// order (by name, as they share one priority), not by process_num.
	sortProcesses(procs)
	for i, p := range procs {
		p.Index = i
	}
	return procs, nil
}

// readProgram reads the options Supervisor reads once per program, in its
// order, with %(program_name)s, %(group_name)s, %(host_node_name)s,
// %(here)s and the environment, and checks them together.
func (l *loader) readProgram(sec *iniSection, groupName string) (*program, error) {
	programName, err := sectionName(sec)
	if err != nil {
		return nil, err
	}
	prog := &program{sec: sec, common: l.env.with(expansions{"program_name": programName, "host_node_name": l.hostname, "group_name": groupName})}
	r := l.reader(sec, prog.common, true)
	t := &prog.tmpl
	t.Group, t.Program = groupName, programName
	t.Priority = option(r, "priority", "999", parseInteger)
	t.Autostart = option(r, "autostart", "true", parseBool)
	t.Autorestart = option(r, "autorestart", "unexpected", parseAutorestart)
	t.Startsecs = option(r, "startsecs", "1", parseInteger)
	t.Startretries = option(r, "startretries", "3", parseInteger)
	t.Stopsignal = option(r, "stopsignal", "TERM", ParseSignal)
	t.Stopwaitsecs = option(r, "stopwaitsecs", "10", parseInteger)
	t.Stopasgroup = option(r, "stopasgroup", "false", parseBool)
	t.Killasgroup = option(r, "killasgroup", strconv.FormatBool(t.Stopasgroup), parseBool)
	t.Exitcodes = option(r, "exitcodes", "0", parseExitcodes)
	t.RedirectStderr = option(r, "redirect_stderr", "false", parseBool)
	prog.numprocs = option(r, "numprocs", "1", parseNumprocs)
	prog.numprocsStart = option(r, "numprocs_start", "0", parseInteger)
	prog.environment.text, prog.environment.value = r.getRaw("environment", "")
	t.Stdout.CaptureMaxBytes = option(r, "stdout_capture_maxbytes", "0", parseByteSize)
	t.Stdout.EventsEnabled = option(r, "stdout_events_enabled", "false", parseBool)
	t.Stderr.CaptureMaxBytes = option(r, "stderr_capture_maxbytes", "0", parseByteSize)
	t.Stderr.EventsEnabled = option(r, "stderr_events_enabled", "false", parseBool)
	if t.Serverurl = optional(r, "serverurl", text); strings.ToUpper(pyStrip(t.Serverurl)) == "AUTO" {
		t.Serverurl = ""
	}
	user := optional(r, "user", parseUser)
	t.User, t.UID, t.GID = user.name, user.uid, user.gid
	if user.name == "" {
		t.UID, t.GID = -1, -1
	}
	t.Umask = optional(r, "umask", parseUmask)
	name := &prog.processName
	name.text, name.value = r.getRaw("process_name", "%(program_name)s")
	if r.err == nil {
		if _, err := processOrGroupName(name.text); err != nil {
			r.fail("process_name", name.value, err)
		}
	}
	t.Homogeneous = strings.Contains(name.text, "%(process_num)")
	if n, ok := l.numprocs[programName]; ok && t.Homogeneous && n >= 1 {
		prog.numprocs = n
	}
	if r.err == nil && prog.numprocs > 1 && !t.Homogeneous {
		key, v := "process_name", name.value
		if v == nil { // the default name: point at numprocs
			key = "numprocs"
			v, _ = sec.lookup(key)
		}
		r.fail(key, v, errors.New("%(process_num) must be present within process_name when numprocs > 1"))
	}
	if r.err == nil && t.Stopasgroup && !t.Killasgroup {
		v, _ := sec.lookup("killasgroup")
		r.fail("killasgroup", v, errors.New("cannot set stopasgroup=true and killasgroup=false"))
	}
	if r.err != nil {
		return nil, r.err
	}
	return prog, nil
}

// expandProcess makes the process numbered num: the options that may also
// use %(process_num)d, %(numprocs)d and, after environment=, the ENV_X of
// the program's own environment.
func (l *loader) expandProcess(prog *program, num int) (*Process, error) {
	sec := prog.sec
	p := prog.tmpl
	p.ProcessNum = num
	p.Exitcodes = slices.Clone(prog.tmpl.Exitcodes)
	if prog.tmpl.Umask != nil {
		umask := *prog.tmpl.Umask
		p.Umask = &umask
	}
	names := prog.common.with(expansions{"process_num": num, "numprocs": prog.numprocs})
	r := l.reader(sec, names, true)
	if env := prog.environment; env.value != nil {
		text := r.expand("environment", env.value, env.text)
		if r.err != nil {
			return nil, r.err
		}
		vars, err := parseEnvironment(text)
		if err != nil {
			r.fail("environment", env.value, err)
			return nil, r.err
		}
		p.Environment = vars
		for _, kv := range vars {
			names["ENV_"+kv.Key] = kv.Value
		}
	}
	p.Directory = optional(r, "directory", text)
	p.Stdout = l.processLog(r, "stdout", p.Stdout)
	p.Stderr = l.processLog(r, "stderr", p.Stderr)
	if p.RedirectStderr {
		if p.Stderr.Logfile != "" && p.Stderr.Logfile != AutoLogfile {
			l.warn("%sFor [%s], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored",
				where(sec, "stderr_logfile"), sec.name)
		}
		p.Stderr.Logfile = ""
	}
	command, _, ok := r.get("command")
	if r.err == nil && !ok {
		r.fail("command", nil, fmt.Errorf("program section %s does not specify a command", sec.name))
	}
	p.Command = command
	p.Name = r.expand("process_name", prog.processName.value, prog.processName.text)
	if r.err == nil {
		if _, err := processOrGroupName(p.Name); err != nil || p.Name == "" {
			r.fail("process_name", prog.processName.value, fmt.Errorf("process name %q expanded from %q: invalid", p.Name, prog.processName.text))
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return &p, nil
}

// processLog reads the <channel>_logfile options of one process. The
// logfile name is expanded twice, as Supervisor does.
func (l *loader) processLog(r *reader, channel string, pl ProcessLog) ProcessLog {
	key := channel + "_logfile"
	kind := logfileAuto
	name, v, ok := r.get(key)
	if ok {
		name = r.expand(key, v, name)
		if kind = classifyLogfile(name); kind == logfilePath {
			p, err := l.paths.existingDirpath(name)
			if err != nil {
				r.fail(key, v, err)
			}
			name = p
		}
	}
	pl.Backups = option(r, key+"_backups", "10", parseInteger)
	pl.MaxBytes = option(r, key+"_maxbytes", "50MB", parseByteSize)
	pl.Syslog = option(r, channel+"_syslog", "false", parseBool)
	switch kind {
	case logfilePath:
		pl.Logfile = name
	case logfileAuto:
		pl.Logfile = AutoLogfile
		if pl.MaxBytes == 0 && r.err == nil {
			l.warn("%sFor [%s], AUTO logging used for %s without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally",
				where(r.sec, key), r.sec.name, key)
		}
	case logfileSyslog:
		l.warn("%sFor [%s], %s=syslog but this is deprecated and will be removed.  Use %s_syslog=true to enable syslog instead.",
			where(r.sec, key), r.sec.name, key, channel)
		pl.Logfile, pl.Syslog = "", true
	case logfileNone:
		pl.Logfile = ""
	}
	return pl
}

// maxNumprocs bounds numprocs: far above what a host supervises, far below
// what a hostile or mistyped file would make the agent build (35 million
// processes took 50 GB).
const maxNumprocs = 10000

// parseNumprocs reads numprocs, at most maxNumprocs.
func parseNumprocs(s string) (int, error) {
	n, err := parseInteger(s)
	if err == nil && n > maxNumprocs {
		err = fmt.Errorf("%d processes: numprocs is at most %d", n, maxNumprocs)
	}
	return n, err
}
