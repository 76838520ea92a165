package config

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestProgramExpansions reproduces a layout checked with Supervisor's
// read_config: per-process %(process_num)d, %(numprocs)d and the program's
// own environment in later keys, the [supervisord] environment as ENV_X,
// logfile names expanded twice.
func TestProgramExpansions(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{"main.conf": `
[supervisord]
environment=SV="sv %(here)s"

[program:p]
command = /bin/echo %(ENV_SV)s %(ENV_OWN)s %(process_num)02d %(group_name)s %(host_node_name)s %(ENV_USER)s
process_name = %(program_name)s_%(process_num)d
numprocs = 2
numprocs_start = 5
environment = OWN="own%(process_num)d",NUM="%(numprocs)d"
directory = /tmp/%(process_num)d
stdout_logfile = /tmp/a%%%%b_%(process_num)d.log
`}, testOptions("USER=alice"))
	if want := []EnvVar{{"SV", "sv " + dir}}; !slices.Equal(cfg.Supervisord.Environment, want) {
		t.Errorf("supervisord environment = %q, want %q", cfg.Supervisord.Environment, want)
	}
	for i, num := range []int{5, 6} {
		p := cfg.Groups[0].Processes[i]
		n := string(rune('0' + num))
		want := struct {
			name, command, dir, stdout string
			env                        []EnvVar
			num, index                 int
		}{"p_" + n, "/bin/echo sv " + dir + " own" + n + " 0" + n + " p node1 alice", "/tmp/" + n, "/tmp/a%b_" + n + ".log",
			[]EnvVar{{"OWN", "own" + n}, {"NUM", "2"}}, num, i}
		if p.Name != want.name || p.Command != want.command || p.Directory != want.dir || p.Stdout.Logfile != want.stdout ||
			!slices.Equal(p.Environment, want.env) || p.ProcessNum != want.num || p.Index != want.index {
			t.Errorf("process %d = %+v\nwant %+v", i, p, want)
		}
	}
}

func TestProgramOptions(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{"main.conf": `
[supervisord]
[program:all]
command = /bin/cat
process_name = cat
numprocs = 1
priority = -5
autostart = false
autorestart = true
startsecs = 0
startretries = 9
exitcodes = 0,2
stopsignal = usr1
stopwaitsecs = 3
stopasgroup = true
user = 0
directory = /var/tmp
umask = 002
environment = K="v w",L=x
serverurl = http://127.0.0.1:9001
stdout_logfile = %(here)s/out.log
stdout_logfile_maxbytes = 1MB
stdout_logfile_backups = 2
stdout_capture_maxbytes = 1KB
stdout_events_enabled = true
stdout_syslog = true
stderr_logfile = NONE
stderr_logfile_maxbytes = 0
stderr_logfile_backups = 0
stderr_capture_maxbytes = 2KB
stderr_events_enabled = on
stderr_syslog = off
`}, testOptions())
	umask := os.FileMode(0o2)
	want := &Process{
		Name: "cat", Group: "all", Program: "all", Command: "/bin/cat", Directory: "/var/tmp", Umask: &umask,
		Priority: -5, Autorestart: AutorestartTrue, Startretries: 9, Stopsignal: syscall.SIGUSR1, Stopwaitsecs: 3,
		Stopasgroup: true, Killasgroup: true, Exitcodes: []int{0, 2}, User: "0", UID: 0, GID: 0,
		Environment: []EnvVar{{"K", "v w"}, {"L", "x"}}, Serverurl: "http://127.0.0.1:9001",
		Stdout: ProcessLog{Logfile: dir + "/out.log", MaxBytes: 1 << 20, Backups: 2, CaptureMaxBytes: 1024, EventsEnabled: true, Syslog: true},
		Stderr: ProcessLog{CaptureMaxBytes: 2048, EventsEnabled: true},
	}
	if got := cfg.Groups[0].Processes[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("process = %+v\nwant %+v", got, want)
	}
	if cfg.Groups[0].Priority != -5 {
		t.Errorf("group priority = %d, want the program's -5", cfg.Groups[0].Priority)
	}
}

func TestProgramUser(t *testing.T) {
	cfg, _, err := loadMain(t, "[supervisord]\n[program:r]\ncommand=x\nuser=root\n")
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Groups[0].Processes[0]; p.User != "root" || p.UID != 0 || p.GID != 0 {
		t.Errorf("user %q uid %d gid %d, want root 0 0", p.User, p.UID, p.GID)
	}
}

func TestServerurlAuto(t *testing.T) {
	cfg, _, err := loadMain(t, "[supervisord]\n[program:r]\ncommand=x\nserverurl= auto \n")
	if err != nil || cfg.Groups[0].Processes[0].Serverurl != "" {
		t.Errorf("serverurl = %q, %v; want \"\" for AUTO", cfg.Groups[0].Processes[0].Serverurl, err)
	}
}

// TestIndexFollowsSupervisorOrder checks that Index numbers the processes
// of a program in Supervisor's order (by name), as Supvisors does for '#'.
func TestIndexFollowsSupervisorOrder(t *testing.T) {
	cfg, _, err := loadMain(t, "[supervisord]\n[program:w]\ncommand=x\nprocess_name=w_%(process_num)d\nnumprocs=11\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, p := range cfg.Groups[0].Processes {
		if p.Index != i {
			t.Errorf("%s: index %d, want %d", p.Name, p.Index, i)
		}
		got = append(got, p.Name)
	}
	want := []string{"w_0", "w_1", "w_10", "w_2", "w_3", "w_4", "w_5", "w_6", "w_7", "w_8", "w_9"}
	if !slices.Equal(got, want) {
		t.Errorf("processes %q, want %q", got, want)
	}
}

// TestNumprocsOverride checks LoadOptions.Numprocs (update_numprocs):
// it replaces the numprocs of a homogeneous program, %(numprocs)d
// included, and leaves the others alone.
func TestNumprocsOverride(t *testing.T) {
	opts := testOptions()
	opts.Numprocs = map[string]int{"w": 3, "single": 4, "absent": 2}
	cfg, _ := mustLoad(t, map[string]string{"main.conf": `[supervisord]
[program:w]
command=x %(numprocs)d
process_name=w_%(process_num)d
numprocs=2
[program:single]
command=y
`}, opts)
	var got []string
	for _, g := range cfg.Groups {
		for _, p := range g.Processes {
			got = append(got, fmt.Sprintf("%s %s %v", p.Name, p.Command, p.Homogeneous))
		}
	}
	want := []string{"single y false", "w_0 x 3 true", "w_1 x 3 true", "w_2 x 3 true"}
	if !slices.Equal(got, want) {
		t.Errorf("processes %q, want %q", got, want)
	}
}

func TestNumprocsZeroNeedsNoCommand(t *testing.T) {
	cfg, _, err := loadMain(t, "[supervisord]\n[program:x]\nnumprocs=0\n")
	if err != nil || len(cfg.Groups) != 1 || len(cfg.Groups[0].Processes) != 0 {
		t.Errorf("cfg %+v, %v: want one empty group, as Supervisor", cfg, err)
	}
}

func TestProgramValidation(t *testing.T) {
	cases := []struct {
		name, body string
		line       int
		want       string
	}{
		{"numprocs needs process_num", "command=x\nnumprocs=2\n", 4, "[program:x] numprocs: %(process_num) must be present within process_name when numprocs > 1"},
		{"process_name without process_num", "command=x\nnumprocs=2\nprocess_name=x\n", 5, "[program:x] process_name: %(process_num) must"},
		{"stopasgroup without killasgroup", "command=x\nstopasgroup=true\nkillasgroup=false\n", 5, "[program:x] killasgroup: cannot set stopasgroup=true and killasgroup=false"},
		{"exit code above 255", "command=x\nexitcodes=0,256\n", 4, "[program:x] exitcodes: not a valid list of exit codes"},
		{"autorestart", "command=x\nautorestart=sometimes\n", 4, `[program:x] autorestart: invalid 'autorestart' value "sometimes"`},
		{"signal name", "command=x\nstopsignal=FOO\n", 4, `[program:x] stopsignal: value "FOO" is not a valid signal name`},
		{"signal number", "command=x\nstopsignal=99\n", 4, "not a valid signal number"},
		{"boolean", "command=x\nautostart=maybe\n", 4, `[program:x] autostart: not a valid boolean value: "maybe"`},
		{"byte size", "command=x\nstdout_logfile_maxbytes=1TB\n", 4, `invalid byte size "1TB"`},
		{"umask", "command=x\numask=9\n", 4, "[program:x] umask: 9 can not be converted to an octal type"},
		{"unknown user", "command=x\nuser=no-such-user-xyz\n", 4, "[program:x] user: invalid user name no-such-user-xyz"},
		{"unknown uid", "command=x\nuser=987654\n", 4, "invalid user id 987654"},
		{"logfile directory", "command=x\nstdout_logfile=/nonexistent/dir/x.log\n", 4, "the directory named as part of the path /nonexistent/dir/x.log does not exist"},
		{"process name character", "command=x\nprocess_name=a:b\n", 4, "[program:x] process_name: invalid name"},
		{"expanded process name", "command=x\nprocess_name=%(ENV_HOME)s\n", 4, "[program:x] process_name: process name \"/root\""},
		{"environment syntax", "command=x\nenvironment=A=1 B=2\n", 4, "[program:x] environment: unexpected end of key/value pairs"},
		{"process_num not before the loop", "command=x\npriority=%(process_num)d\n", 4, "[program:x] priority: format string"},
		{"unknown name", "command=x\nuser=%(nope)s\n", 4, "cannot be expanded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, dir, err := loadMain(t, "[supervisord]\n[program:x]\n"+tc.body)
			wantConfigError(t, err, dir, tc.line, tc.want)
		})
	}
	_, dir, err := loadMain(t, "[supervisord]\n[program:a b]\ncommand=x\n")
	wantConfigError(t, err, dir, 2, `[program:a b]: invalid name "a b" because of character ' '`)
}

// TestLogfileWarnings checks Supervisor's parse warnings for logfiles.
func TestLogfileWarnings(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{"main.conf": `[supervisord]
[program:a]
command = a
redirect_stderr = true
stderr_logfile = /tmp/e.log
stdout_logfile = syslog
[program:b]
command = b
stdout_logfile_maxbytes = 0
numprocs = 2
process_name = b%(process_num)d
`}, testOptions())
	a := process(t, cfg, "a", "a")
	if a.Stdout.Logfile != "" || !a.Stdout.Syslog || a.Stderr.Logfile != "" || !a.RedirectStderr {
		t.Errorf("a = %+v", a)
	}
	want := []string{
		dir + "/main.conf:6: For [program:a], stdout_logfile=syslog but this is deprecated and will be removed.  Use stdout_syslog=true to enable syslog instead.",
		dir + "/main.conf:5: For [program:a], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored",
		dir + "/main.conf:7: For [program:b], AUTO logging used for stdout_logfile without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally",
	}
	if !slices.Equal(cfg.Warnings, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(cfg.Warnings, "\n"), strings.Join(want, "\n"))
	}
}
