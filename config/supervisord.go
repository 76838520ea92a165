package config

// supervisord reads [supervisord] in the order of Supervisor's read_config,
// with its defaults, and adds its environment= to the ENV_X expansions of
// the sections read after it.
func (l *loader) supervisord(sec *iniSection) (Supervisord, error) {
	r := l.reader(sec, l.env, true)
	sd := Supervisord{
		Minfds:          option(r, "minfds", "1024", parseInteger),
		Minprocs:        option(r, "minprocs", "200", parseInteger),
		Directory:       optional(r, "directory", l.paths.existingDirectory),
		User:            optional(r, "user", checkUser),
		Umask:           option(r, "umask", "022", parseOctal),
		Logfile:         option(r, "logfile", "supervisord.log", l.supervisordLogfile),
		LogfileMaxBytes: option(r, "logfile_maxbytes", "50MB", parseByteSize),
		LogfileBackups:  option(r, "logfile_backups", "10", parseInteger),
		Loglevel:        option(r, "loglevel", "info", parseLogLevel),
		Pidfile:         option(r, "pidfile", "supervisord.pid", l.normalizedDirpath),
		Identifier:      option(r, "identifier", "supervisor", text),
		Nodaemon:        option(r, "nodaemon", "false", parseBool),
		Silent:          option(r, "silent", "false", parseBool),
		Childlogdir:     option(r, "childlogdir", tempDir(l.osEnv), l.paths.existingDirectory),
		Nocleanup:       option(r, "nocleanup", "false", parseBool),
		StripANSI:       option(r, "strip_ansi", "false", parseBool),
		Environment:     l.supervisordEnvironment(r),
	}
	if r.err != nil {
		return Supervisord{}, r.err
	}
	for _, kv := range sd.Environment {
		l.env["ENV_"+kv.Key] = kv.Value
	}
	return sd, nil
}

// supervisordEnvironment reads environment=, expanded twice as Supervisor
// does: once as every [supervisord] value, then again with
// %(host_node_name)s available.
func (l *loader) supervisordEnvironment(r *reader) []EnvVar {
	s, v, ok := r.get("environment")
	if !ok {
		return nil
	}
	second := l.reader(r.sec, l.env.with(expansions{"host_node_name": l.hostname}), true)
	s = second.expand("environment", v, s)
	if second.err != nil {
		r.err = second.err
		return nil
	}
	env, err := parseEnvironment(s)
	if err != nil {
		r.fail("environment", v, err)
	}
	return env
}

// supervisordLogfile is [supervisord] logfile=: "" for NONE or OFF,
// "syslog" kept, any other path made absolute.
func (l *loader) supervisordLogfile(s string) (string, error) {
	switch classifyLogfile(s) {
	case logfileNone:
		return "", nil
	case logfileSyslog:
		return s, nil
	}
	return l.normalizedDirpath(s)
}

// normalizedDirpath is existing_dirpath then normalize_path, as Supervisor
// treats its own logfile and pidfile.
func (l *loader) normalizedDirpath(s string) (string, error) {
	p, err := l.paths.existingDirpath(s)
	if err != nil {
		return "", err
	}
	return l.paths.normalize(p)
}

// checkUser accepts a user name or id that exists, as Supervisor checks
// [supervisord] user= before using it.
func checkUser(s string) (string, error) {
	_, _, err := lookupUser(s)
	return s, err
}
