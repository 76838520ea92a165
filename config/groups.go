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
