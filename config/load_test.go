package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/go-hclog"
)

// testOptions are LoadOptions that do not depend on the machine running
// the tests.
func testOptions(environ ...string) LoadOptions {
	return LoadOptions{Environ: append([]string{"HOME=/root"}, environ...), Hostname: "node1"}
}

// loadFiles writes files (relative names) under a new temporary directory
// and loads its main.conf.
func loadFiles(t testing.TB, files map[string]string, opts LoadOptions) (*Config, string, error) {
	t.Helper()
	dir := t.TempDir()
	for name, contents := range files {
		writeFile(t, filepath.Join(dir, name), contents)
	}
	cfg, err := Load(filepath.Join(dir, "main.conf"), opts)
	return cfg, dir, err
}

// mustLoad is loadFiles for configurations that must load.
func mustLoad(t testing.TB, files map[string]string, opts LoadOptions) (*Config, string) {
	t.Helper()
	cfg, dir, err := loadFiles(t, files, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return cfg, dir
}

// loadMain loads a configuration made of main.conf only.
func loadMain(t testing.TB, text string) (*Config, string, error) {
	t.Helper()
	return loadFiles(t, map[string]string{"main.conf": text}, testOptions())
}

// wantConfigError checks that err is an *Error at main.conf:line whose
// message contains want.
func wantConfigError(t testing.TB, err error, dir string, line int, want string) {
	t.Helper()
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("err = %v, want an *Error", err)
	}
	if cerr.File != filepath.Join(dir, "main.conf") || cerr.Line != line || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %q (at %s:%d), want main.conf:%d and %q", err, cerr.File, cerr.Line, line, want)
	}
}

func process(t testing.TB, cfg *Config, group, name string) *Process {
	t.Helper()
	for _, g := range cfg.Groups {
		for _, p := range g.Processes {
			if g.Name == group && p.Name == name {
				return p
			}
		}
	}
	t.Fatalf("no process %s:%s", group, name)
	return nil
}

// TestDefaults compares every default with Supervisor's, as read by
// supervisor.options.ServerOptions.read_config from the same file.
func TestDefaults(t *testing.T) {
	cfg, dir, err := loadMain(t, "[supervisord]\n[program:p]\ncommand=/bin/true\n")
	if err != nil {
		t.Fatal(err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	wantSupervisord := Supervisord{
		Logfile: filepath.Join(cwd, "supervisord.log"), LogfileMaxBytes: 50 << 20, LogfileBackups: 10,
		Loglevel: "info", Pidfile: filepath.Join(cwd, "supervisord.pid"), Identifier: "supervisor",
		Childlogdir: "/tmp", Minfds: 1024, Minprocs: 200, Umask: 0o22,
	}
	if !reflect.DeepEqual(cfg.Supervisord, wantSupervisord) {
		t.Errorf("supervisord = %+v\nwant %+v", cfg.Supervisord, wantSupervisord)
	}
	logs := ProcessLog{Logfile: AutoLogfile, MaxBytes: 50 << 20, Backups: 10}
	wantProcess := &Process{
		Name: "p", Group: "p", Program: "p", Command: "/bin/true", Priority: 999,
		Autostart: true, Autorestart: AutorestartUnexpected, Startsecs: 1, Startretries: 3,
		Stopsignal: syscall.SIGTERM, Stopwaitsecs: 10, Exitcodes: []int{0}, UID: -1, GID: -1,
		Stdout: logs, Stderr: logs,
	}
	wantGroups := []*Group{{Name: "p", Priority: 999, Homogeneous: true, Processes: []*Process{wantProcess}}}
	if !reflect.DeepEqual(cfg.Groups, wantGroups) {
		t.Errorf("process = %+v\nwant %+v", cfg.Groups[0].Processes[0], wantProcess)
	}
	if cfg.InetHTTPServer != nil || cfg.UnixHTTPServer != nil || len(cfg.Warnings) != 0 {
		t.Errorf("servers %v %v, warnings %q: want none", cfg.InetHTTPServer, cfg.UnixHTTPServer, cfg.Warnings)
	}
	wantSupvisors := Supvisors{AddressList: []string{"node1"}, StateFile: dir + "/supvisors.state", InternalPort: 65001, EventPort: 65002,
		SynchroTimeout: 15, StartingStrategy: "CONFIG", ConciliationStrategy: "USER", HostName: "node1", StatsPeriods: []int{10}, StatsHisto: 200}
	if !reflect.DeepEqual(cfg.Supvisors, wantSupvisors) {
		t.Errorf("supvisors = %+v\nwant %+v", cfg.Supvisors, wantSupvisors)
	}
}

// TestDebianStockConfig loads Debian's /etc/supervisor/supervisord.conf
// exactly as shipped.
func TestDebianStockConfig(t *testing.T) {
	const stock = "/etc/supervisor/supervisord.conf"
	if _, err := os.Stat(stock); err != nil {
		t.Skip("no Debian supervisor package here")
	}
	cfg, err := Load(stock, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	sd := cfg.Supervisord
	if sd.Logfile != "/var/log/supervisor/supervisord.log" || sd.Pidfile != "/var/run/supervisord.pid" || sd.Childlogdir != "/var/log/supervisor" {
		t.Errorf("supervisord = %+v", sd)
	}
	if u := cfg.UnixHTTPServer; u == nil || u.File != "/var/run/supervisor.sock" || u.Chmod != 0o700 {
		t.Errorf("unix_http_server = %+v", u)
	}
	if cfg.InetHTTPServer != nil || cfg.Supvisors.Present {
		t.Errorf("inet %+v, supvisors %+v: want none", cfg.InetHTTPServer, cfg.Supvisors)
	}
}

// TestRepositoryConfigs loads the example configurations of configs/.
func TestRepositoryConfigs(t *testing.T) {
	single, err := Load("../configs/single/supervisord.conf", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range single.Groups {
		for _, p := range g.Processes {
			names = append(names, g.Name+":"+p.Name)
		}
	}
	if want := []string{"clock:clock", "once:once", "worker:worker_00", "worker:worker_01", "worker:worker_02"}; !slices.Equal(names, want) {
		t.Errorf("single: processes %q, want %q", names, want)
	}

	// The demo writes under ../../run/<address>, which scripts/demo.sh
	// creates: reproduce that layout in a temporary directory.
	demo, err := os.ReadFile("../configs/demo/supervisord.conf")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := os.ReadFile("../configs/demo/rules.xml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, dir := mustLoad(t, map[string]string{"configs/demo/main.conf": string(demo), "configs/demo/rules.xml": string(rules),
		"run/127.0.0.2/.keep": "", "main.conf": "[include]\nfiles=configs/demo/main.conf\n"},
		testOptions("SUPVISORS_ADDRESS=127.0.0.2"))
	if cfg.InetHTTPServer.Port != "127.0.0.2:60000" || cfg.Supervisord.Identifier != "127.0.0.2" ||
		cfg.Supervisord.Childlogdir != dir+"/configs/demo/../../run/127.0.0.2" {
		t.Errorf("demo: inet %+v, supervisord %+v", cfg.InetHTTPServer, cfg.Supervisord)
	}
	if want := []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}; !slices.Equal(cfg.Supvisors.AddressList, want) {
		t.Errorf("demo: address_list %q, want %q", cfg.Supvisors.AddressList, want)
	}
	if len(cfg.Groups) != 3 || cfg.Groups[0].Name != "backend" || len(cfg.Groups[0].Processes) != 2 {
		t.Errorf("demo: groups %+v", cfg.Groups)
	}
	if cfg.Rules == nil || len(cfg.Rules.Applications) != 3 || cfg.Rules.Application("web").StartSequence != 2 {
		t.Errorf("demo: rules %+v", cfg.Rules)
	}
}

// TestIncludes checks read_config's [include] rules (verified with
// Supervisor on the same layout): globs relative to the main file, sorted,
// merged into the sections already read, %(here)s the directory of the
// file holding the value, [include] in an included file ignored.
func TestIncludes(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{
		"main.conf": `
[supervisord]
[include]
files = conf.d/*.conf  missing/*.conf
	other/x.ini
[program:p]
command = %(here)s/p
priority = 1
`,
		"conf.d/a.conf":         "[program:p]\npriority = 5\nstderr_logfile = %(here)s/err.log\n[program:q]\ncommand = %(here)s/q\npriority=1\n[include]\nfiles = sub/*.conf\n",
		"conf.d/b.conf":         "[program:q]\npriority = 2\n",
		"conf.d/sub/never.conf": "[program:never]\ncommand = x\n",
		"conf.d/.hidden.conf":   "[program:hidden]\ncommand = x\n",
		"other/x.ini":           "[program:r]\ncommand = r\n",
	}, testOptions())
	p := process(t, cfg, "p", "p")
	if p.Command != dir+"/p" || p.Priority != 5 || p.Stderr.Logfile != dir+"/conf.d/err.log" {
		t.Errorf("p = %q priority %d stderr %q", p.Command, p.Priority, p.Stderr.Logfile)
	}
	q := process(t, cfg, "q", "q")
	if q.Command != dir+"/conf.d/q" || q.Priority != 2 {
		t.Errorf("q = %q priority %d; want b.conf's priority to win", q.Command, q.Priority)
	}
	process(t, cfg, "r", "r")
	for _, g := range cfg.Groups {
		if g.Name == "never" || g.Name == "hidden" {
			t.Errorf("group %s should not be read", g.Name)
		}
	}
	wantWarnings := []string{
		dir + "/conf.d/a.conf:7: [include] in an included file is ignored, as Supervisor does: only the main file's [include] is read",
		dir + "/main.conf:4: No file matches via include \"" + dir + "/missing/*.conf\"",
	}
	if !slices.Equal(cfg.Warnings, wantWarnings) {
		t.Errorf("warnings = %q\nwant %q", cfg.Warnings, wantWarnings)
	}
}

func TestIncludeErrors(t *testing.T) {
	_, dir, err := loadFiles(t, map[string]string{
		"main.conf":     "[supervisord]\n[include]\nfiles = conf.d/*.conf\n",
		"conf.d/a.conf": "[program:a]\ncommand = a\n\nstartsecs = abc\n",
	}, testOptions())
	want := dir + `/conf.d/a.conf:4: [program:a] startsecs: invalid integer "abc"`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}

	_, dir, err = loadMain(t, "[supervisord]\n\n[include]\nfile = x\n")
	wantConfigError(t, err, dir, 4, "[include] file: unknown key")
	_, dir, err = loadMain(t, "[supervisord]\n\n[include]\n")
	wantConfigError(t, err, dir, 3, ".ini file has [include] section, but no files setting")

	_, dir, err = loadFiles(t, map[string]string{
		"main.conf":     "[supervisord]\n[include]\nfiles = conf.d/*.conf\n",
		"conf.d/a.conf": "[program:a]\ncommand = a\n;\nbad line\n",
	}, testOptions())
	var cerr *Error
	if !errors.As(err, &cerr) || cerr.File != dir+"/conf.d/a.conf" || cerr.Line != 4 {
		t.Errorf("err = %v, want a parsing error at conf.d/a.conf:4", err)
	}
}

func TestIncludeOfUnreadableMatchWarns(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{
		"main.conf":          "[supervisord]\n[include]\nfiles = conf.d/*\n",
		"conf.d/dir.d/x":     "",
		"conf.d/ok.conf":     "[program:ok]\ncommand = x\n",
		"conf.d/z.notes.txt": "[program:z]\ncommand = z\n",
	}, testOptions())
	if len(cfg.Groups) != 2 {
		t.Errorf("groups = %d, want ok and z", len(cfg.Groups))
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], dir+"/conf.d/dir.d") {
		t.Errorf("warnings = %q, want one about the directory conf.d/dir.d", cfg.Warnings)
	}
}

func TestMainFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir+"/absent.conf", testOptions())
	var cerr *Error
	if !errors.As(err, &cerr) || !strings.Contains(err.Error(), "could not find config file") {
		t.Errorf("err = %v, want could not find config file", err)
	}
	_, dir, err = loadMain(t, "[program:x]\ncommand=x\n")
	if !errors.As(err, &cerr) || cerr.File != dir+"/main.conf" || !strings.Contains(err.Error(), "does not include supervisord section") {
		t.Errorf("err = %v, want no supervisord section", err)
	}
}

// TestErrorLocations checks that each kind of error names the file, the
// line, the section and the key.
func TestErrorLocations(t *testing.T) {
	cases := []struct {
		name string
		text string
		line int
		want string
	}{
		{"unknown section", "[supervisord]\n\n[programs:x]\n", 3, "[programs:x]: unknown section"},
		{"section names are case-sensitive", "[supervisord]\n[Program:x]\ncommand=x\n", 2, "[Program:x]: unknown section"},
		{"unknown key", "[supervisord]\n[program:x]\ncommand=x\ncomand=y\n", 4, "[program:x] comand: unknown key"},
		{"unknown key in supervisord", "[supervisord]\nlogfiles=x\n", 2, "[supervisord] logfiles: unknown key"},
		{"bad integer", "[supervisord]\n[program:foo]\ncommand=x\nstartsecs=abc\n", 4, `[program:foo] startsecs: invalid integer "abc"`},
		{"multi-line value names its first line", "[supervisord]\n[program:x]\ncommand=x\nexitcodes=0,\n  1,\n  x\n", 4, "[program:x] exitcodes: not a valid list of exit codes"},
		{"unknown expansion", "[supervisord]\n[program:x]\ncommand=%(nope)s\n", 3, `[program:x] command: format string "%(nope)s" contains name "nope" which cannot be expanded`},
		{"bad format", "[supervisord]\n[program:x]\ncommand=100%\n", 3, "[program:x] command: format string \"100%\" is badly formatted: incomplete format"},
		{"missing command names the header", "[supervisord]\n\n[program:x]\nnumprocs=1\n", 3, "[program:x] command: program section program:x does not specify a command"},
		{"no section header", "command=x\n[supervisord]\n", 1, "file contains no section headers"},
		{"no delimiter", "[supervisord]\nnodaemon\n", 2, "parsing error"},
		{"bad supervisord value", "[supervisord]\nloglevel=loud\n", 2, `[supervisord] loglevel: bad logging level name "loud"`},
		{"missing directory", "[supervisord]\ndirectory=/nonexistent/x\n", 2, "[supervisord] directory: /nonexistent/x is not an existing directory"},
		{"logfile directory missing", "[supervisord]\nlogfile=/nonexistent/x/y.log\n", 2, "does not exist"},
		{"unknown supervisord user", "[supervisord]\nuser=no-such-user-xyz\n", 2, "[supervisord] user: invalid user name no-such-user-xyz"},
		{"host_node_name not in [supervisord]", "[supervisord]\nidentifier=%(host_node_name)s\n", 2, "cannot be expanded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, dir, err := loadMain(t, tc.text)
			wantConfigError(t, err, dir, tc.line, tc.want)
		})
	}
}

func TestErrorMessageFormat(t *testing.T) {
	cases := []struct {
		err  *Error
		want string
	}{
		{&Error{File: "/etc/x.conf", Line: 12, Section: "program:foo", Key: "startsecs", Err: errors.New(`invalid integer "abc"`)},
			`/etc/x.conf:12: [program:foo] startsecs: invalid integer "abc"`},
		{&Error{File: "/etc/x.conf", Err: errNoSupervisord}, "/etc/x.conf: .ini file does not include supervisord section"},
		{&Error{File: "/etc/x.conf", Line: 3, Section: "x", Err: errors.New("unknown section")}, "/etc/x.conf:3: [x]: unknown section"},
		{&Error{Env: "SUPVISORS_EVENT_PORT", Section: "supvisors", Key: "event_port", Err: errors.New("bad")},
			"environment variable SUPVISORS_EVENT_PORT: [supvisors] event_port: bad"},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(tc.err, tc.err.Err) {
			t.Errorf("%v does not unwrap to its reason", tc.err)
		}
	}
}

// TestIgnoredSections checks that the sections a stock file may hold and
// this agent does not use load, and that those defining processes warn.
func TestIgnoredSections(t *testing.T) {
	var logs bytes.Buffer
	opts := testOptions()
	opts.Logger = hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Debug})
	cfg, dir := mustLoad(t, map[string]string{"main.conf": `
[supervisord]
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl = unix:///tmp/x.sock
anything = goes
[ctlplugin:x]
supervisor.ctl_factory = x:y
[fcgi-program:f]
command = x
socket = tcp://localhost:9002
`}, opts)
	if len(cfg.Groups) != 0 {
		t.Errorf("groups = %+v, want none", cfg.Groups)
	}
	want := []string{
		dir + "/main.conf:10: [fcgi-program:f] is not supported by this agent: its processes will not run",
	}
	if !slices.Equal(cfg.Warnings, want) {
		t.Errorf("warnings = %q\nwant %q", cfg.Warnings, want)
	}
	for _, section := range []string{"rpcinterface:supervisor", "supervisorctl", "ctlplugin:x", "fcgi-program:f"} {
		if !strings.Contains(logs.String(), "section="+section) {
			t.Errorf("no debug line for [%s] in:\n%s", section, logs.String())
		}
	}
}

// TestDefaultSection checks ConfigParser's [DEFAULT]: its options are the
// fallback of every section, and not unknown keys anywhere.
func TestDefaultSection(t *testing.T) {
	cfg, _, err := loadMain(t, "[DEFAULT]\nautorestart = true\nstartsecs = 7\nfoo = bar\n[supervisord]\n[program:a]\ncommand=a\n[program:b]\ncommand=b\nstartsecs=2\n")
	if err != nil {
		t.Fatal(err)
	}
	a, b := process(t, cfg, "a", "a"), process(t, cfg, "b", "b")
	if a.Autorestart != AutorestartTrue || a.Startsecs != 7 || b.Startsecs != 2 {
		t.Errorf("a = %v/%d, b startsecs %d; want DEFAULT's values where the section has none", a.Autorestart, a.Startsecs, b.Startsecs)
	}
}

func TestNeverPanicsOnOddInput(t *testing.T) {
	for _, text := range []string{"", "\x00", "[", "[]", "[supervisord", "\xef\xbb\xbf[supervisord]\n", "[supervisord]\n[program:]\ncommand=x\n",
		"[supervisord]\n[program:x]\ncommand=%(", "[supervisord]\nenvironment=A=\"x\n", "[supervisord]\n[group:g]\n",
		"[supervisord]\n[program:x y]\ncommand=x\n", "[supervisord]\n[program:x]\ncommand=x\nprocess_name=%(ENV_HOME)s\n"} {
		_, _, err := loadMain(t, text)
		var cerr *Error
		if err != nil && !errors.As(err, &cerr) {
			t.Errorf("%q: err %T %v is not an *Error", text, err, err)
		}
	}
}

// TestZeroLoadOptions checks the defaults: the process's environment and
// host name.
func TestZeroLoadOptions(t *testing.T) {
	t.Setenv("SUPVISORS_STATS_HISTO", "20")
	t.Setenv("CONFIG_TEST_VALUE", "from-env")
	dir := t.TempDir()
	writeFile(t, dir+"/main.conf", "[supervisord]\nidentifier=%(ENV_CONFIG_TEST_VALUE)s\n")
	cfg, err := Load(dir+"/main.conf", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if cfg.Supvisors.StatsHisto != 20 || cfg.Supervisord.Identifier != "from-env" || !slices.Equal(cfg.Supvisors.AddressList, []string{host}) {
		t.Errorf("supvisors %+v identifier %q: want the process environment and host name", cfg.Supvisors, cfg.Supervisord.Identifier)
	}
}

// TestEventListenerPool checks an [eventlistener:x] section: a pool with
// Supervisor's defaults (priority -1, buffer_size 10) and its events, and
// the errors Supervisor raises for its keys.
func TestEventListenerPool(t *testing.T) {
	cfg, _, err := loadMain(t, "[supervisord]\n[eventlistener:ev]\ncommand=x\nevents=process_state, TICK_5,PROCESS_STATE\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Groups) != 1 {
		t.Fatalf("groups = %+v, want the pool", cfg.Groups)
	}
	g := cfg.Groups[0]
	if g.Name != "ev" || g.Priority != -1 || g.Listener == nil || g.Listener.BufferSize != 10 ||
		!slices.Equal(g.Listener.Events, []string{"PROCESS_STATE", "TICK_5"}) || len(g.Processes) != 2 || g.Processes[0].Name != "ev_0" {
		t.Errorf("pool = %+v, listener %+v", g, g.Listener)
	}
	for _, tc := range []struct{ body, want string }{
		{"command=x\n", `[eventlistener:ev] section requires an "events" line`},
		{"command=x\nevents=NOPE\n", "Unknown event type NOPE in [eventlistener:ev] events"},
		{"command=x\nevents=TICK_5\nbuffer_size=0\n", "[eventlistener:ev] section sets invalid buffer_size (0)"},
		{"command=x\nevents=TICK_5\nredirect_stderr=true\n", "[eventlistener:ev] section sets redirect_stderr=true but this is not allowed"},
		{"command=x\nevents=TICK_5\nresult_handler=a.b:c\n", "a.b:c cannot be resolved within [eventlistener:ev]"},
	} {
		_, _, err := loadMain(t, "[supervisord]\n[eventlistener:ev]\n"+tc.body)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.body, err, tc.want)
		}
	}
}
