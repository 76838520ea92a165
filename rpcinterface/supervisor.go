package rpcinterface

import (
	"net/http"
	"os"
	"strings"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/config"
	"github.com/supvisors/supvisors-go/enums"
	"github.com/supvisors/supvisors-go/fault"
	"github.com/supvisors/supvisors-go/logfile"
	"github.com/supvisors/supvisors-go/process"
	"github.com/supvisors/supvisors-go/xmlrpc"
)

// APIVersion is the Supervisor XML-RPC API version supervisorctl requires.
const APIVersion = "3.0"

// SupervisorVersion is the Supervisor release whose behaviour the agent
// reproduces; getSupervisorVersion reports it so that tools comparing
// versions treat the agent as that release.
const SupervisorVersion = "4.2.5"

// Control is what the supervisor namespace needs from the agent that owns it.
// Implementations must be safe for concurrent use.
type Control interface {
	// Identification is the [supervisord] identifier.
	Identification() string
	// MainLog is the agent's own log file, nil when logging to a file is off.
	MainLog() *logfile.File
	// ReadConfig re-reads the configuration file for reloadConfig.
	ReadConfig() (*config.Config, error)
	// Shutdown and Restart ask the agent to stop all processes and exit or
	// restart; they return at once (the reply goes out before the stop).
	Shutdown()
	Restart()
}

// SupervisorService is the `supervisor` XML-RPC namespace: every method of
// Supervisor 4.2.5 with its reply shapes and faults. Safe for concurrent use.
type SupervisorService struct {
	sup     *process.Supervisor
	control Control
}

// NewSupervisorService returns the supervisor namespace over sup.
func NewSupervisorService(sup *process.Supervisor, control Control) *SupervisorService {
	return &SupervisorService{sup: sup, control: control}
}

// supervisorAliases are the backward-compatible names supervisord still
// answers to.
var supervisorAliases = map[string]string{
	"supervisor.getVersion":      "supervisor.getAPIVersion",
	"supervisor.readMainLog":     "supervisor.readLog",
	"supervisor.readProcessLog":  "supervisor.readProcessStdoutLog",
	"supervisor.tailProcessLog":  "supervisor.tailProcessStdoutLog",
	"supervisor.clearProcessLog": "supervisor.clearProcessLogs",
}

// RegisterSupervisor registers svc as the `supervisor` namespace of h, with
// its aliases.
func RegisterSupervisor(h *xmlrpc.Handler, svc *SupervisorService) error {
	if err := h.RegisterService("supervisor", svc, xmlrpc.LowerCamel, supervisorHelp); err != nil {
		return err
	}
	for alias, target := range supervisorAliases {
		if err := h.RegisterAlias(alias, target); err != nil {
			return err
		}
	}
	return nil
}

// checkState is supervisord's _update: every method faults with
// SHUTDOWN_STATE once the supervisor is restarting or shutting down.
func (s *SupervisorService) checkState() error {
	if s.sup.State() < enums.SupervisorRunning {
		return fault.New(fault.ShutdownState, "")
	}
	return nil
}

// NameArgs is the single namespec parameter.
type NameArgs struct {
	Name string
}

// GetAPIVersion returns "3.0" (also answered as getVersion).
func (s *SupervisorService) GetAPIVersion(_ *http.Request, _ *xmlrpc.NoArgs, reply *string) error {
	if err := s.checkState(); err != nil {
		return err
	}
	*reply = APIVersion
	return nil
}

// GetSupervisorVersion returns the Supervisor release the agent reproduces.
func (s *SupervisorService) GetSupervisorVersion(_ *http.Request, _ *xmlrpc.NoArgs, reply *string) error {
	if err := s.checkState(); err != nil {
		return err
	}
	*reply = SupervisorVersion
	return nil
}

// GetIdentification returns the [supervisord] identifier.
func (s *SupervisorService) GetIdentification(_ *http.Request, _ *xmlrpc.NoArgs, reply *string) error {
	if err := s.checkState(); err != nil {
		return err
	}
	*reply = s.control.Identification()
	return nil
}

// GetState returns the supervisor's own state.
func (s *SupervisorService) GetState(_ *http.Request, _ *xmlrpc.NoArgs, reply *api.SupervisorStateInfo) error {
	if err := s.checkState(); err != nil {
		return err
	}
	st := s.sup.State()
	*reply = api.SupervisorStateInfo{State: st, StateName: st.String()}
	return nil
}

// GetPID returns the agent's process id.
func (s *SupervisorService) GetPID(_ *http.Request, _ *xmlrpc.NoArgs, reply *int) error {
	if err := s.checkState(); err != nil {
		return err
	}
	*reply = os.Getpid()
	return nil
}

// Shutdown stops every process and makes the agent exit.
func (s *SupervisorService) Shutdown(_ *http.Request, _ *xmlrpc.NoArgs, reply *bool) error {
	if err := s.checkState(); err != nil {
		return err
	}
	s.control.Shutdown()
	*reply = true
	return nil
}

// Restart stops every process, re-reads the configuration and starts again.
func (s *SupervisorService) Restart(_ *http.Request, _ *xmlrpc.NoArgs, reply *bool) error {
	if err := s.checkState(); err != nil {
		return err
	}
	s.control.Restart()
	*reply = true
	return nil
}

// lookup is supervisord's _getGroupAndProcess: "g:p", "p" (group p, process
// p), "g:*" or "g:" (the whole group, with a nil process).
func (s *SupervisorService) lookup(namespec string) (*process.Group, *process.Process, error) {
	groupName, processName, whole := splitNamespec(namespec)
	g := s.sup.Group(groupName)
	if g == nil {
		return nil, nil, fault.New(fault.BadName, namespec)
	}
	if whole {
		return g, nil, nil
	}
	p := g.Process(processName)
	if p == nil {
		return nil, nil, fault.New(fault.BadName, namespec)
	}
	return g, p, nil
}

// lookupProcess is lookup for methods that need one process: a group name
// is BAD_NAME.
func (s *SupervisorService) lookupProcess(namespec string) (*process.Process, error) {
	_, p, err := s.lookup(namespec)
	if err == nil && p == nil {
		err = fault.New(fault.BadName, namespec)
	}
	return p, err
}

// splitNamespec is Supervisor's split_namespec; whole reports "g:*" or "g:".
func splitNamespec(namespec string) (group, name string, whole bool) {
	group, name, found := strings.Cut(namespec, ":")
	if !found {
		return namespec, namespec, false
	}
	if name == "" || name == "*" {
		return group, "", true
	}
	return group, name, false
}
