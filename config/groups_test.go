package config

import (
	"slices"
	"testing"
)

func TestGroups(t *testing.T) {
	cfg, dir := mustLoad(t, map[string]string{"main.conf": `
[supervisord]
[group:web]
programs = nginx, app
priority = 10
[program:app]
command = app
process_name = app_%(process_num)d
numprocs = 2
priority = 2
[program:nginx]
command = nginx %(group_name)s
priority = 1
[program:db]
command = db
priority = 10
[program:cron]
command = cron
[group:empty]
[group:both]
programs = cron,fcgi
[fcgi-program:fcgi]
command = x
socket = tcp://localhost:1
`}, testOptions())
	type groupView struct {
		name        string
		priority    int
		homogeneous bool
		processes   []string
	}
	var got []groupView
	for _, g := range cfg.Groups {
		v := groupView{g.Name, g.Priority, g.Homogeneous, nil}
		for _, p := range g.Processes {
			v.processes = append(v.processes, p.Group+":"+p.Name+"/"+p.Program)
		}
		got = append(got, v)
	}
	want := []groupView{
		{"db", 10, true, []string{"db:db/db"}},
		{"web", 10, false, []string{"web:nginx/nginx", "web:app_0/app", "web:app_1/app"}},
		{"both", 999, false, []string{"both:cron/cron"}},
		{"empty", 999, false, nil},
	}
	if !slices.EqualFunc(got, want, func(a, b groupView) bool {
		return a.name == b.name && a.priority == b.priority && a.homogeneous == b.homogeneous && slices.Equal(a.processes, b.processes)
	}) {
		t.Errorf("groups =\n%+v\nwant\n%+v", got, want)
	}
	if p := process(t, cfg, "web", "nginx"); p.Command != "nginx web" {
		t.Errorf("%%(group_name)s in a [group:g] = %q, want the group's name", p.Command)
	}
	wantWarnings := []string{
		dir + "/main.conf:22: [fcgi-program:fcgi] is not supported by this agent: its processes will not run",
		dir + "/main.conf:21: [group:both] names fcgi-program fcgi, which this agent does not run",
	}
	if !slices.Equal(cfg.Warnings, wantWarnings) {
		t.Errorf("warnings = %q\nwant %q", cfg.Warnings, wantWarnings)
	}
}

func TestGroupErrors(t *testing.T) {
	cases := []struct {
		name, text string
		line       int
		want       string
	}{
		{"unknown program", "[supervisord]\n[group:g]\nprograms=a,b\n[program:a]\ncommand=a\n", 3,
			"[group:g] programs: [group:g] names unknown program or fcgi-program b"},
		{"ambiguous program", "[supervisord]\n[group:g]\nprograms=a\n[program:a]\ncommand=a\n[fcgi-program:a]\ncommand=a\n", 3, "is ambiguous"},
		{"duplicate process in a group", "[supervisord]\n[group:g]\nprograms=a,b\n[program:a]\ncommand=a\nprocess_name=x\n[program:b]\ncommand=b\nprocess_name=x\n", 9,
			"[program:b] process_name: process name x is used twice in group g (programs a and b)"},
		{"program listed twice", "[supervisord]\n[group:g]\nprograms=a,a\n[program:a]\ncommand=a\n", 4, "process name a is used twice in group g"},
		{"group and standalone program share a name", "[supervisord]\n[group:x]\nprograms=a\n[program:a]\ncommand=a\n[program:x]\ncommand=x\n", 6,
			"group x is defined twice"},
		{"bad priority", "[supervisord]\n[group:g]\npriority=high\n", 3, `[group:g] priority: invalid integer "high"`},
		{"group name", "[supervisord]\n[group:a/b]\n", 2, "invalid name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, dir, err := loadMain(t, tc.text)
			wantConfigError(t, err, dir, tc.line, tc.want)
		})
	}
}
