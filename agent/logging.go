package agent

import (
	"fmt"
	"io"
	"strings"
	"sync"
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
		writers = append(writers, &mainLogWriter{file: mainLog, stderr: opts.Stderr})
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

// mainLogWriter writes the main log and says on stderr, once until it
// works again, why it cannot (a rotation refused because a symbolic link
// took the log's place): the log cannot tell itself. It is safe for
// concurrent use.
type mainLogWriter struct {
	file   *logfile.File
	stderr io.Writer

	mu      sync.Mutex
	failing bool // a failure was told and no write has succeeded since
}

func (w *mainLogWriter) Write(p []byte) (int, error) {
	n, err := w.file.Write(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil && !w.failing {
		fmt.Fprintf(w.stderr, "supvisors: cannot write the main log: %v\n", err)
	}
	w.failing = err != nil
	return n, err
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

// recorder keeps what a logger is told until the real logger exists: the
// configuration names the log file, so loading it logs before there is
// anywhere to write. Not safe for concurrent use.
type recorder struct {
	entries []recordedEntry
}

type recordedEntry struct {
	level hclog.Level
	msg   string
	args  []any
}

func newRecorder() *recorder { return &recorder{} }

// logger returns a logger whose every line, at any level, r keeps.
func (r *recorder) logger() hclog.Logger {
	l := hclog.NewInterceptLogger(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Off})
	l.RegisterSink(r)
	return l
}

// Accept implements hclog.SinkAdapter.
func (r *recorder) Accept(_ string, level hclog.Level, msg string, args ...any) {
	r.entries = append(r.entries, recordedEntry{level, msg, args})
}

// replay writes what r kept to logger, which applies its own level.
func (r *recorder) replay(logger hclog.Logger) {
	for _, e := range r.entries {
		logger.Log(e.level, e.msg, e.args...)
	}
}
