package rpcinterface

import (
	"net/http"
	"os"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/logfile"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// ReadArgs are readLog's parameters.
type ReadArgs struct {
	Offset int
	Length int
}

// ReadProcessArgs are readProcess*Log's and tailProcess*Log's parameters.
type ReadProcessArgs struct {
	Name   string
	Offset int
	Length int
}

// ReadLog reads the agent's main log (also answered as readMainLog).
func (s *SupervisorService) ReadLog(_ *http.Request, args *ReadArgs, reply *string) error {
	if err := s.checkState(); err != nil {
		return err
	}
	return readLog(mainLogPath(s.control.MainLog()), args.Offset, args.Length, reply)
}

// readLog is readLog's and readProcess*Log's common part: NO_FILE when the
// log does not exist, else Supervisor's readFile.
func readLog(path string, offset, length int, reply *string) error {
	if !exists(path) {
		return fault.New(fault.NoFile, noneIfEmpty(path))
	}
	data, err := logfile.Read(path, int64(offset), int64(length))
	if err != nil {
		return err
	}
	*reply = data
	return nil
}

// ClearLog empties the agent's main log.
func (s *SupervisorService) ClearLog(_ *http.Request, _ *xmlrpc.NoArgs, reply *bool) error {
	if err := s.checkState(); err != nil {
		return err
	}
	log := s.control.MainLog()
	if log == nil || !exists(log.Path()) {
		return fault.New(fault.NoFile, "")
	}
	if err := log.Clear(); err != nil {
		return fault.New(fault.Failed, "")
	}
	*reply = true
	return nil
}

// ReadProcessStdoutLog reads a process's stdout log (also readProcessLog).
func (s *SupervisorService) ReadProcessStdoutLog(_ *http.Request, args *ReadProcessArgs, reply *string) error {
	return s.readProcessLog(args, "stdout", reply)
}

// ReadProcessStderrLog reads a process's stderr log.
func (s *SupervisorService) ReadProcessStderrLog(_ *http.Request, args *ReadProcessArgs, reply *string) error {
	return s.readProcessLog(args, "stderr", reply)
}

func (s *SupervisorService) readProcessLog(args *ReadProcessArgs, channel string, reply *string) error {
	path, err := s.processLogPath(args.Name, channel)
	if err != nil {
		return err
	}
	return readLog(path, args.Offset, args.Length, reply)
}

// TailProcessStdoutLog tails a process's stdout log (also tailProcessLog):
// [bytes, offset, overflow].
func (s *SupervisorService) TailProcessStdoutLog(_ *http.Request, args *ReadProcessArgs, reply *[]any) error {
	return s.tailProcessLog(args, "stdout", reply)
}

// TailProcessStderrLog tails a process's stderr log.
func (s *SupervisorService) TailProcessStderrLog(_ *http.Request, args *ReadProcessArgs, reply *[]any) error {
	return s.tailProcessLog(args, "stderr", reply)
}

func (s *SupervisorService) tailProcessLog(args *ReadProcessArgs, channel string, reply *[]any) error {
	path, err := s.processLogPath(args.Name, channel)
	if err != nil {
		return err
	}
	if !exists(path) {
		*reply = []any{"", 0, false}
		return nil
	}
	data, offset, overflow := logfile.Tail(path, int64(args.Offset), int64(args.Length))
	*reply = []any{data, offset, overflow}
	return nil
}

// processLogPath checks the state and the namespec and returns the path of a
// process's log for channel ("" when it has none).
func (s *SupervisorService) processLogPath(namespec, channel string) (string, error) {
	if err := s.checkState(); err != nil {
		return "", err
	}
	p, err := s.lookupProcess(namespec)
	if err != nil {
		return "", err
	}
	info := p.Info()
	if channel == "stderr" {
		return info.StderrLogfile, nil
	}
	return info.StdoutLogfile, nil
}

// ClearProcessLogs empties a process's stdout and stderr logs (also
// clearProcessLog).
func (s *SupervisorService) ClearProcessLogs(_ *http.Request, args *NameArgs, reply *bool) error {
	if err := s.checkState(); err != nil {
		return err
	}
	p, err := s.lookupProcess(args.Name)
	if err != nil {
		return err
	}
	if err := p.ClearLogs(); err != nil {
		return fault.New(fault.Failed, args.Name)
	}
	*reply = true
	return nil
}

// ClearAllProcessLogs empties the logs of every process, in priority order.
func (s *SupervisorService) ClearAllProcessLogs(_ *http.Request, _ *xmlrpc.NoArgs, reply *[]api.StatusResult) error {
	if err := s.checkState(); err != nil {
		return err
	}
	results := []api.StatusResult{}
	for _, p := range s.byPriority() {
		var err error
		if p.ClearLogs() != nil {
			err = fault.New(fault.Failed, p.Namespec())
		}
		results = append(results, statusResult(p, err))
	}
	*reply = results
	return nil
}

func mainLogPath(log *logfile.File) string {
	if log == nil {
		return ""
	}
	return log.Path()
}

func exists(path string) bool {
	if path == "" {
		return false
	}
	_, err := os.Stat(path)
	return err == nil
}

// noneIfEmpty renders a missing path the way Supervisor's fault detail shows
// Python's None.
func noneIfEmpty(path string) string {
	if path == "" {
		return "None"
	}
	return path
}
