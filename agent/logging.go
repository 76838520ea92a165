package agent

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/logfile"
)

// shutdownGrace is how long closing servers waits for requests in flight
// (tail -f streams never end on their own).
const shutdownGrace = time.Second

// newLogger returns the agent's root logger, writing to the [supervisord]
// logfile (rotated like Supervisor's) and to stderr unless silent.
func newLogger(sd config.Supervisord, opts Options) (hclog.Logger, *logfile.File, error) {
	var writers []io.Writer
	if !sd.Silent {
		writers = append(writers, opts.Stderr)
	}
	var mainLog *logfile.File
	if sd.Logfile != "" {
		mainLog = logfile.New(sd.Logfile, sd.LogfileMaxBytes, sd.LogfileBackups)
		if err := mainLog.Open(); err != nil {
			return nil, nil, fmt.Errorf("open logfile: %w", err)
		}
		writers = append(writers, mainLog)
	}
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "supvisors",
		Level:      logLevel(sd.Loglevel),
		Output:     io.MultiWriter(writers...),
		JSONFormat: opts.LogJSON,
		TimeFormat: "2006-01-02 15:04:05.000",
	})
	return logger, mainLog, nil
}

// logLevel maps Supervisor's level names onto hclog's.
func logLevel(name string) hclog.Level {
	switch strings.ToLower(name) {
	case "critical", "error":
		return hclog.Error
	case "warn":
		return hclog.Warn
	case "debug":
		return hclog.Debug
	case "trace", "blather":
		return hclog.Trace
	}
	return hclog.Info
}
