package config

import (
	"reflect"
	"slices"
	"testing"
)

// TestSupervisordEnvironmentExpandsTwice reproduces Supervisor's double
// expansion of [supervisord] environment= (checked with read_config).
func TestSupervisordEnvironmentExpandsTwice(t *testing.T) {
	cases := []struct {
		value   string
		want    []EnvVar
		wantErr string
	}{
		{value: `A="50%%%%",B=%(ENV_HOME)s`, want: []EnvVar{{"A", "50%"}, {"B", "/root"}}},
		{value: `A=%%(host_node_name)s`, want: []EnvVar{{"A", "node1"}}},
		{value: `A="50%%"`, wantErr: "unsupported format character '\"'"},
		{value: `A=%(host_node_name)s`, wantErr: `contains name "host_node_name"`},
	}
	for _, tc := range cases {
		cfg, dir, err := loadMain(t, "[supervisord]\nenvironment="+tc.value+"\n")
		if tc.wantErr != "" {
			wantConfigError(t, err, dir, 2, tc.wantErr)
			continue
		}
		if err != nil || !slices.Equal(cfg.Supervisord.Environment, tc.want) {
			t.Errorf("environment=%s: %q, %v; want %q", tc.value, cfg.Supervisord.Environment, err, tc.want)
		}
	}
}

func TestChildlogdirDefaultsToTMPDIR(t *testing.T) {
	tmp := t.TempDir()
	cfg, _ := mustLoad(t, map[string]string{"main.conf": "[supervisord]\n"}, testOptions("TMPDIR="+tmp))
	if cfg.Supervisord.Childlogdir != tmp {
		t.Errorf("childlogdir = %q, want $TMPDIR %q", cfg.Supervisord.Childlogdir, tmp)
	}
}

func TestSupervisordSection(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{"main.conf": `
[supervisord]
logfile = %(here)s/logs/main.log
logfile_maxbytes = 1KB
logfile_backups = 3
loglevel = DEBUG
pidfile = %(here)s/run/x.pid
identifier = id-%(ENV_SITE)s
childlogdir = %(here)s/logs
minfds = 4096
minprocs = 10
umask = 077
nodaemon = true
silent = yes
nocleanup = on
strip_ansi = 1
user = root
directory = ~/
environment = A="1,2",B=%(ENV_SITE)s
`, "logs/.keep": "", "run/.keep": ""}, testOptions("SITE=lab", "HOME=/"))
	want := Supervisord{
		Logfile: dir + "/logs/main.log", LogfileMaxBytes: 1024, LogfileBackups: 3, Loglevel: "debug",
		Pidfile: dir + "/run/x.pid", Identifier: "id-lab",
		Environment: []EnvVar{{"A", "1,2"}, {"B", "lab"}}, Childlogdir: dir + "/logs",
		Minfds: 4096, Minprocs: 10, Nodaemon: true, Nocleanup: true, StripANSI: true, Silent: true,
		Umask: 0o77, User: "root", Directory: "/",
	}
	if !reflect.DeepEqual(cfg.Supervisord, want) {
		t.Errorf("supervisord = %+v\nwant %+v", cfg.Supervisord, want)
	}
}

func TestSupervisordLogfileSpecialNames(t *testing.T) {
	for value, want := range map[string]string{"NONE": "", "off": "", "syslog": "syslog"} {
		cfg, _, err := loadMain(t, "[supervisord]\nlogfile="+value+"\n")
		if err != nil || cfg.Supervisord.Logfile != want {
			t.Errorf("logfile=%s: %q, %v; want %q", value, cfg.Supervisord.Logfile, err, want)
		}
	}
}
