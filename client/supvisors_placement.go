package client

import (
	"context"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/enums"
)

// GetAllLocalProcessInfo is supvisors.get_all_local_process_info: every
// process of the answering node's own supervisor (Supvisors 0.2), with the
// extra arguments of its last start. No state gate.
func (s Supvisors) GetAllLocalProcessInfo(ctx context.Context) ([]api.LocalProcessInfo, error) {
	var reply []api.LocalProcessInfo
	return reply, s.c.Call(ctx, "supvisors.get_all_local_process_info", nil, &reply)
}

// GetLocalProcessInfo is supvisors.get_local_process_info: one process of
// the answering node's own supervisor. BAD_NAME (unknown there, or a whole
// group).
func (s Supvisors) GetLocalProcessInfo(ctx context.Context, namespec string) (api.LocalProcessInfo, error) {
	var reply api.LocalProcessInfo
	return reply, s.c.Call(ctx, "supvisors.get_local_process_info", []any{namespec}, &reply)
}

// TestStartApplication is supvisors.test_start_application: the dry run of
// StartApplication, where each process it would start goes (Address "":
// nowhere), in start order; nothing is started. The faults of
// StartApplication but ABNORMAL_TERMINATION.
func (s Supvisors) TestStartApplication(ctx context.Context, strategy enums.StartingStrategy, application string) ([]api.PlannedStart, error) {
	var reply []api.PlannedStart
	return reply, s.c.Call(ctx, "supvisors.test_start_application", []any{int(strategy), application}, &reply)
}

// TestStartProcess is supvisors.test_start_process: the dry run of
// StartProcess for a process or "group:*". The faults of StartProcess but
// ABNORMAL_TERMINATION.
func (s Supvisors) TestStartProcess(ctx context.Context, strategy enums.StartingStrategy, namespec string) ([]api.PlannedStart, error) {
	var reply []api.PlannedStart
	return reply, s.c.Call(ctx, "supvisors.test_start_process", []any{int(strategy), namespec}, &reply)
}

// StartAnyProcess is supvisors.start_any_process: starts the first stopped
// process whose "application:name" regex matches (anywhere) with strategy
// and extraArgs, and returns that namespec. BAD_STRATEGY, BAD_ARGUMENTS (an
// invalid expression), BAD_NAME (no process matches), FAILED (every one
// that matches runs or is being started), ABNORMAL_TERMINATION.
func (s Supvisors) StartAnyProcess(ctx context.Context, strategy enums.StartingStrategy, regex, extraArgs string, wait bool) (string, error) {
	var reply string
	return reply, s.c.Call(ctx, "supvisors.start_any_process", []any{int(strategy), regex, extraArgs, wait}, &reply)
}
