// Package process supervises local child processes with the semantics of
// Supervisor 4.2.5: its process state machine (fsm.go), spawning with its
// checks, environment and error texts (spawn.go, command.go, environ.go),
// reaping (reaper.go), output capture (capture.go), and process groups with
// the operations supervisord's XML-RPC interface performs on them.
//
// The decisions are a pure state machine table-tested without clocks or
// processes; everything else is a thin shell that feeds it events (spawns,
// exits, timers, requests) and carries out what it asks for.
package process
