package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// groups builds the process groups like Supervisor's
// process_groups_from_parser: each [group:g] with the processes of the
// programs it names, then a group per [program:x] that no [group:g] names.
// Group names and the process names within a group must be unique.
func (l *loader) groups() ([]*Group, error) {
	var groups []*Group
	groupSection := map[*Group]*iniSection{}
	grouped := map[string]bool{} // program sections a [group:g] names
	for _, name := range l.doc.order {
		if strings.HasPrefix(name, "group:") {
			sec := l.doc.sections[name]
			g, err := l.heterogeneousGroup(sec, grouped)
			if err != nil {
				return nil, err
			}
			groups, groupSection[g] = append(groups, g), sec
		}
	}
	for _, name := range l.doc.order {
		if strings.HasPrefix(name, "program:") && !grouped[name] {
			sec := l.doc.sections[name]
			g, err := l.homogeneousGroup(sec)
			if err != nil {
				return nil, err
			}
			groups, groupSection[g] = append(groups, g), sec
		}
	}
	for _, name := range l.doc.order {
		if strings.HasPrefix(name, "eventlistener:") {
			sec := l.doc.sections[name]
			g, err := l.listenerPool(sec)
			if err != nil {
				return nil, err
			}
			groups, groupSection[g] = append(groups, g), sec
		}
	}
	if err := l.checkUnique(groups, groupSection); err != nil {
		return nil, err
	}
	for _, g := range groups {
		sortProcesses(g.Processes)
	}
	slices.SortStableFunc(groups, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), strings.Compare(a.Name, b.Name))
	})
	return groups, nil
}

func (l *loader) heterogeneousGroup(sec *iniSection, grouped map[string]bool) (*Group, error) {
	name, err := sectionName(sec)
	if err != nil {
		return nil, err
	}
	r := l.reader(sec, l.env, true)
	programsText, programsValue, _ := r.get("programs")
	g := &Group{Name: name, Priority: option(r, "priority", "999", parseInteger)}
	if r.err != nil {
		return nil, r.err
	}
	for _, program := range listOfStrings(programsText) {
		psec, isProgram := l.doc.section("program:" + program)
		_, isFcgi := l.doc.section("fcgi-program:" + program)
		switch {
		case !isProgram && !isFcgi:
			r.fail("programs", programsValue, fmt.Errorf("[%s] names unknown program or fcgi-program %s", sec.name, program))
			return nil, r.err
		case isProgram && isFcgi:
			r.fail("programs", programsValue, fmt.Errorf("[%s] name %s is ambiguous (exists as program and fcgi-program)", sec.name, program))
			return nil, r.err
		case isFcgi:
			l.warn("%s[%s] names fcgi-program %s, which this agent does not run", where(sec, "programs"), sec.name, program)
			continue
		}
		grouped[psec.name] = true
		procs, err := l.processes(psec, name)
		if err != nil {
			return nil, err
		}
		g.Processes = append(g.Processes, procs...)
	}
	return g, nil
}

func (l *loader) homogeneousGroup(sec *iniSection) (*Group, error) {
	name, err := sectionName(sec)
	if err != nil {
		return nil, err
	}
	r := l.reader(sec, l.env, true)
	priority := option(r, "priority", "999", parseInteger)
	if r.err != nil {
		return nil, r.err
	}
	procs, err := l.processes(sec, name)
	if err != nil {
		return nil, err
	}
	return &Group{Name: name, Priority: priority, Homogeneous: true, Processes: procs}, nil
}

// defaultResultHandler is the one result_handler this agent has: the
// listener's OK accepts the event, FAIL rejects it.
const defaultResultHandler = "supervisor.dispatchers:default_handler"

// listenerPool reads an [eventlistener:x] section as Supervisor's
// process_groups_from_parser does: priority -1 by default (pools start
// first and stop last), buffer_size at least 1, events required and known,
// no redirect_stderr (stderr would mix into the protocol).
func (l *loader) listenerPool(sec *iniSection) (*Group, error) {
	name, err := sectionName(sec)
	if err != nil {
		return nil, err
	}
	r := l.reader(sec, l.env, true)
	priority := option(r, "priority", "-1", parseInteger)
	pool := &ListenerPool{BufferSize: option(r, "buffer_size", "10", parseInteger)}
	handler, handlerValue, _ := r.get("result_handler")
	eventsText, eventsValue, _ := r.get("events")
	redirect := option(r, "redirect_stderr", "false", parseBool)
	if r.err != nil {
		return nil, r.err
	}
	if pool.BufferSize < 1 {
		v, _ := sec.lookup("buffer_size")
		r.fail("buffer_size", v, fmt.Errorf("[%s] section sets invalid buffer_size (%d)", sec.name, pool.BufferSize))
		return nil, r.err
	}
	if handler != "" && handler != defaultResultHandler {
		r.fail("result_handler", handlerValue, fmt.Errorf("%s cannot be resolved within [%s]: this agent has only %s", handler, sec.name, defaultResultHandler))
		return nil, r.err
	}
	for _, e := range listOfStrings(eventsText) {
		e = strings.ToUpper(e)
		if !slices.Contains(EventTypes, e) {
			r.fail("events", eventsValue, fmt.Errorf("Unknown event type %s in [%s] events", e, sec.name))
			return nil, r.err
		}
		if !slices.Contains(pool.Events, e) {
			pool.Events = append(pool.Events, e)
		}
	}
	if len(pool.Events) == 0 {
		r.fail("events", eventsValue, fmt.Errorf("[%s] section requires an \"events\" line", sec.name))
		return nil, r.err
	}
	if redirect {
		v, _ := sec.lookup("redirect_stderr")
		r.fail("redirect_stderr", v, fmt.Errorf("[%s] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol", sec.name))
		return nil, r.err
	}
	procs, err := l.processes(sec, name)
	if err != nil {
		return nil, err
	}
	return &Group{Name: name, Priority: priority, Homogeneous: true, Processes: procs, Listener: pool}, nil
}

// checkUnique rejects a group name used twice and a process name used
// twice in one group (Supervisor would silently keep only one of them).
func (l *loader) checkUnique(groups []*Group, groupSection map[*Group]*iniSection) error {
	groupAt := map[string]*Group{}
	for _, g := range groups {
		if _, dup := groupAt[g.Name]; dup {
			sec := groupSection[g]
			return &Error{File: sec.file, Line: sec.line, Section: sec.name,
				Err: fmt.Errorf("group %s is defined twice (by a [group:%s] and a [program:%s] that no group names)", g.Name, g.Name, g.Name)}
		}
		groupAt[g.Name] = g
		seen := map[string]*Process{}
		for _, p := range g.Processes {
			if first, dup := seen[p.Name]; dup {
				sec := l.programSection[p]
				v, ok := sec.lookup("process_name")
				file, line := sec.file, sec.line
				if ok {
					file, line = v.file, v.line
				}
				return &Error{File: file, Line: line, Section: sec.name, Key: "process_name",
					Err: fmt.Errorf("process name %s is used twice in group %s (programs %s and %s)", p.Name, g.Name, first.Program, p.Program)}
			}
			seen[p.Name] = p
		}
	}
	return nil
}

// sortProcesses orders processes by priority then name, as Supervisor
// orders its process configs.
func sortProcesses(procs []*Process) {
	slices.SortStableFunc(procs, func(a, b *Process) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), strings.Compare(a.Name, b.Name))
	})
}
