package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supvisors/supvisors-go/config"
)

// TestLoggerWritesTheMainLog checks both formats land in the [supervisord]
// logfile and on stderr, and that the file rotates at logfile_maxbytes.
func TestLoggerWritesTheMainLog(t *testing.T) {
	for _, jsonFormat := range []bool{false, true} {
		dir := t.TempDir()
		stderr, err := os.Create(filepath.Join(dir, "stderr"))
		if err != nil {
			t.Fatal(err)
		}
		sd := config.Supervisord{Logfile: filepath.Join(dir, "main.log"), LogfileMaxBytes: 300, LogfileBackups: 2, Loglevel: "info"}
		logger, mainLog, err := newLogger(sd, Options{Stderr: stderr, LogJSON: jsonFormat})
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			logger.Info("spawned: 'x' with pid 42")
		}
		logger.Debug("not at info level")
		mainLog.Close()
		stderr.Close()
		// The last write may have rotated the file away, leaving it empty.
		for _, path := range []string{sd.Logfile + ".1", sd.Logfile + ".2", filepath.Join(dir, "stderr")} {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("json=%v: %v", jsonFormat, err)
			}
			text := string(data)
			if !strings.Contains(text, "spawned: 'x' with pid 42") || strings.Contains(text, "not at info level") {
				t.Errorf("json=%v: %s holds:\n%s", jsonFormat, path, text)
			}
			if jsonFormat {
				line, _, _ := strings.Cut(text, "\n")
				var entry map[string]any
				if err := json.Unmarshal([]byte(line), &entry); err != nil || entry["@message"] == nil {
					t.Errorf("%s: not a JSON log line: %q (%v)", path, line, err)
				}
			}
		}
		if _, err := os.Stat(sd.Logfile + ".3"); err == nil {
			t.Errorf("json=%v: more backups than logfile_backups", jsonFormat)
		}
	}
}

// TestConfigLinesInTheMainLog checks what loading the configuration says
// (an included file at info level, ignored sections at debug level) lands
// in the main log at its level, though the log file is known only once the
// configuration is loaded; and that a re-read (reloadConfig, SIGHUP) says
// it again.
func TestConfigLinesInTheMainLog(t *testing.T) {
	for _, c := range []struct {
		level        string
		wantIgnored  bool
		wantIncluded bool
	}{
		{"debug", true, true},
		{"info", false, true},
		{"warn", false, false},
	} {
		t.Run(c.level, func(t *testing.T) {
			dir := t.TempDir()
			extra := filepath.Join(dir, "extra.conf")
			if err := os.WriteFile(extra, []byte("[supervisorctl]\nserverurl=unix:///tmp/x.sock\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "supervisord.conf")
			text := "[supervisord]\nlogfile=%(here)s/main.log\nsilent=true\nloglevel=" + c.level + "\n" +
				"[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n" +
				"[include]\nfiles=extra.conf\n"
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			a, err := Create(Options{ConfigPath: path, Environ: []string{}})
			if err != nil {
				t.Fatal(err)
			}
			defer a.mainLog.Close()
			if _, err := a.ReadConfig(); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, "main.log"))
			if err != nil {
				t.Fatal(err)
			}
			log := string(data)
			included := `supvisors.config: Included extra file "` + extra + `" during parsing`
			for line, want := range map[string]bool{
				included: c.wantIncluded,
				"supvisors.config: section not used by this agent, ignored: section=rpcinterface:supervisor": c.wantIgnored,
				"supvisors.config: section not used by this agent, ignored: section=supervisorctl":           c.wantIgnored,
			} {
				if n := strings.Count(log, line); want && n != 2 || !want && n != 0 {
					t.Errorf("%q is %d times in the main log, want it %v (once at start-up, once re-read):\n%s", line, n, want, log)
				}
			}
		})
	}
}

// TestMainLogFailureOnStderr plants a link where the main log is opened
// again at its rotation: the log refuses it, and stderr says so once, even
// with [supervisord] silent set, since the log cannot tell itself.
func TestMainLogFailureOnStderr(t *testing.T) {
	dir := t.TempDir()
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	sd := config.Supervisord{Logfile: filepath.Join(dir, "main.log"), LogfileMaxBytes: 300, Loglevel: "info", Silent: true}
	logger, mainLog, err := newLogger(sd, Options{Stderr: stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer mainLog.Close()
	logger.Info("before")
	if err := os.Rename(sd.Logfile, sd.Logfile+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "victim"), sd.Logfile); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		logger.Info("spawned: 'x' with pid 42")
	}
	data, err := os.ReadFile(stderr.Name())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "cannot write the main log"); n != 1 || !strings.Contains(string(data), "refusing to follow a symbolic link") {
		t.Errorf("stderr told the failure %d times; want once, with its cause:\n%s", n, data)
	}
}
