package client

import "context"

// Disable is supvisors.disable: stops the processes of a program
// everywhere and keeps them from starting (DISABLED) until Enable.
// BAD_NAME.
func (s Supvisors) Disable(ctx context.Context, program string, wait bool) (bool, error) {
	return s.boolean(ctx, "disable", program, wait)
}

// Enable is supvisors.enable: lets a disabled program start again (it
// starts nothing). BAD_NAME.
func (s Supvisors) Enable(ctx context.Context, program string, wait bool) (bool, error) {
	return s.boolean(ctx, "enable", program, wait)
}

// UpdateNumprocs is supvisors.update_numprocs: gives a homogeneous
// program numprocs processes on every node that has it. BAD_NAME,
// BAD_ARGUMENTS.
func (s Supvisors) UpdateNumprocs(ctx context.Context, program string, numprocs int, wait bool) (bool, error) {
	return s.boolean(ctx, "update_numprocs", program, numprocs, wait)
}

// RollingRestart is supvisors.rolling_restart: restarts the running
// processes of an application one at a time. BAD_NAME, NOT_RUNNING,
// ABNORMAL_TERMINATION naming the process where it stopped.
func (s Supvisors) RollingRestart(ctx context.Context, application string, wait bool) (bool, error) {
	return s.boolean(ctx, "rolling_restart", application, wait)
}
