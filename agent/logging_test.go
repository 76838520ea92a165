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
