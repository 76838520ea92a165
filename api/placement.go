package api

import "github.com/supvisors/supvisors-go/enums"

// LocalProcessInfo is a process as the local supervisor of the node that
// answers sees it, with the extra arguments of its last start
// (supvisors.get_local_process_info, get_all_local_process_info: the keys
// Supvisors 0.2's Java client reads). A plain value, safe for concurrent
// use once filled.
type LocalProcessInfo struct {
	Group       string             `xmlrpc:"group"`
	Name        string             `xmlrpc:"name"`
	State       enums.ProcessState `xmlrpc:"state"`
	Start       int64              `xmlrpc:"start"` // last start, epoch seconds; 0: never started
	Now         int64              `xmlrpc:"now"`   // the node's clock when it answered
	PID         int                `xmlrpc:"pid"`   // 0 when not running
	Description string             `xmlrpc:"description"`
	Expected    bool               `xmlrpc:"expected"` // the last exit status was in exitcodes
	SpawnErr    string             `xmlrpc:"spawnerr"`
	ExtraArgs   string             `xmlrpc:"extra_args"`
}

// Namespec is the process's "group:name" (or "name").
func (p LocalProcessInfo) Namespec() string { return Namespec(p.Group, p.Name) }

// PlannedStart is one start of a dry run (supvisors.test_start_application,
// test_start_process): where the process would start, "" where no address
// can take it. A plain value, safe for concurrent use once filled.
type PlannedStart struct {
	ApplicationName string `xmlrpc:"application_name"`
	ProcessName     string `xmlrpc:"process_name"`
	StartSequence   int    `xmlrpc:"start_sequence"`
	Address         string `xmlrpc:"address"`
	Loading         int    `xmlrpc:"loading"`
}

// Namespec is the process's "application:name" (or "name").
func (p PlannedStart) Namespec() string { return Namespec(p.ApplicationName, p.ProcessName) }
