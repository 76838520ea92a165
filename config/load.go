package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// LoadOptions are the outside facts a configuration depends on. The zero
// value uses the process's own. Load only reads it, so one value may be
// shared by concurrent loads.
type LoadOptions struct {
	// Environ is the environment as KEY=value lines: %(ENV_X)s, $HOME
	// for "~", $TMPDIR for the default childlogdir, and the SUPVISORS_<KEY>
	// overrides of the [supvisors] section. nil means os.Environ(); an
	// empty non-nil slice means an empty environment.
	Environ []string
	// Hostname is %(host_node_name)s and the default address_list; ""
	// means os.Hostname().
	Hostname string
	// Logger receives debug lines (ignored sections and keys) and info
	// lines (included files); nil discards them.
	Logger hclog.Logger
	// Numprocs replaces the numprocs of the homogeneous programs it names
	// (supvisors.update_numprocs, kept in the state file); the others
	// keep theirs.
	Numprocs map[string]int
}

// Load reads the configuration file at path and the files it includes.
// Every error is an *Error naming the file, line, section and key at fault.
// Warnings (Supervisor's parse warnings) are in Config.Warnings. Safe for
// concurrent use.
func Load(path string, opts LoadOptions) (*Config, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{File: path, Err: fmt.Errorf("could not find config file %s", path)}
	case err != nil:
		return nil, &Error{File: path, Err: fmt.Errorf("could not read config file %s: %w", path, err)}
	}
	return Parse(path, data, opts)
}

// Parse is Load with the main file's contents given; path still locates
// %(here)s and the files it includes, which are read from disk. It never
// panics, whatever data holds. Safe for concurrent use.
func Parse(path string, data []byte, opts LoadOptions) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	l := newLoader(abs, opts)
	if err := l.readAll(data); err != nil {
		return nil, err
	}
	return l.build()
}

// errNoSupervisord is Supervisor's complaint about a file without [supervisord].
var errNoSupervisord = errors.New(".ini file does not include supervisord section")

// loader carries what parsing one configuration needs.
type loader struct {
	file     string // absolute path of the main file
	log      hclog.Logger
	hostname string
	osEnv    map[string]string
	// env holds the ENV_X expansions: the environment, then the
	// [supervisord] environment= once it is read.
	env      expansions
	paths    paths
	doc      *iniDoc
	warnings []string
	// programSection is the [program:x] each process comes from.
	programSection map[*Process]*iniSection
	// numprocs is LoadOptions.Numprocs.
	numprocs map[string]int
	// hereEverywhere is true when the main file has an [include]
	// section: Supervisor then substitutes %(here)s in every value
	// before anything else, so even keys that otherwise lack it have it.
	hereEverywhere bool
}

func newLoader(file string, opts LoadOptions) *loader {
	environ := opts.Environ
	if environ == nil {
		environ = os.Environ()
	}
	osEnv := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			osEnv[k] = v
		}
	}
	env := expansions{}
	for k, v := range osEnv {
		env["ENV_"+k] = v
	}
	hostname := opts.Hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	log := opts.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &loader{
		file:     file,
		log:      log,
		hostname: hostname,
		osEnv:    osEnv,
		env:      env,
		paths:    paths{home: osEnv["HOME"]},
		doc:      newIniDoc(),
		numprocs: opts.Numprocs,

		programSection: map[*Process]*iniSection{},
	}
}

// warn records a warning once (Supervisor repeats some per process).
func (l *loader) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(l.warnings, w) {
		l.warnings = append(l.warnings, w)
	}
}

// readAll reads the main file, then the files its [include] names, in the
// way of Supervisor's read_config: only the main file's [include] counts,
// each pattern is relative to the main file's directory, matches are read
// in sorted order and merge into the sections already read.
func (l *loader) readAll(data []byte) error {
	if _, err := l.doc.read(l.file, data); err != nil {
		return err
	}
	inc, ok := l.doc.section("include")
	if !ok {
		return nil
	}
	l.hereEverywhere = true
	_, keys := classifySection(inc.name)
	if err := checkKeys(inc, keys); err != nil {
		return err
	}
	files, ok := inc.lookup("files")
	if !ok {
		return &Error{File: inc.file, Line: inc.line, Section: inc.name,
			Err: errors.New(".ini file has [include] section, but no files setting")}
	}
	r := l.reader(inc, l.env.with(expansions{"host_node_name": l.hostname}), true)
	text := r.expand("files", files, files.raw)
	if r.err != nil {
		return r.err
	}
	base := filepath.Dir(l.file)
	at := where(inc, "files") // before an included file redefines it
	for _, pattern := range pyFields(text) {
		pattern = pyJoin(base, pattern)
		matches := pyGlob(pattern)
		if len(matches) == 0 {
			l.warn("%sNo file matches via include \"%s\"", at, pattern)
			continue
		}
		sort.Strings(matches)
		for _, name := range matches {
			if err := l.readInclude(at, name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *loader) readInclude(at, name string) error {
	data, err := os.ReadFile(name)
	if err != nil {
		// ConfigParser.read skips files it cannot open.
		l.warn("%sCould not read included file \"%s\": %v", at, name, err)
		return nil
	}
	l.log.Info(fmt.Sprintf("Included extra file \"%s\" during parsing", name))
	headers, err := l.doc.read(name, data)
	if err != nil {
		return err
	}
	for _, h := range headers {
		if h.name == "include" {
			l.warn("%s:%d: [include] in an included file is ignored, as Supervisor does: only the main file's [include] is read", name, h.line)
		}
	}
	return nil
}

// build checks the sections and keys, then reads each section in
// Supervisor's order.
func (l *loader) build() (*Config, error) {
	if err := l.checkSections(); err != nil {
		return nil, err
	}
	cfg := &Config{File: l.file}
	sd, ok := l.doc.section("supervisord")
	if !ok {
		return nil, &Error{File: l.file, Err: errNoSupervisord}
	}
	var err error
	if cfg.Supervisord, err = l.supervisord(sd); err != nil {
		return nil, err
	}
	if cfg.Groups, err = l.groups(); err != nil {
		return nil, err
	}
	if cfg.InetHTTPServer, err = l.inetHTTPServer(); err != nil {
		return nil, err
	}
	if cfg.UnixHTTPServer, err = l.unixHTTPServer(); err != nil {
		return nil, err
	}
	if cfg.Supvisors, err = l.supvisors(); err != nil {
		return nil, err
	}
	if file := cfg.Supvisors.RulesFile; file != "" {
		// The error already names the rules file and line.
		if cfg.Rules, err = LoadRules(file, cfg.Supvisors.AddressList); err != nil {
			return nil, err
		}
	}
	cfg.Rules.disableAutorestart(cfg.Groups)
	cfg.Warnings = l.warnings
	return cfg, nil
}
