package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/viper"

	"github.com/supvisors/supvisors-go/enums"
)

// The strategy names the [supvisors] section accepts, in wire-code order
// (DESIGN.md).
var (
	startingStrategies     = enums.StartingNames()
	conciliationStrategies = []string{"SENICIDE", "INFANTICIDE", "USER", "STOP", "RESTART", "RUNNING_FAILURE"}
)

// supvisorsOption is one key of the [supvisors] section: its default and
// how its text is checked and stored.
type supvisorsOption struct {
	key   string
	def   func(l *loader) string
	store func(l *loader, s *Supvisors, text string) error
}

func constant(s string) func(*loader) string { return func(*loader) string { return s } }

var supvisorsOptions = []supvisorsOption{
	{"address_list", func(l *loader) string { return l.hostname }, storeAddressList},
	{"rules_file", constant(""), storeRulesFile},
	{"state_file", func(l *loader) string { return filepath.Join(filepath.Dir(l.file), "supvisors.state") }, storeStateFile},
	{"auto_fence", constant("false"), func(_ *loader, s *Supvisors, t string) (err error) {
		s.AutoFence, err = parseBool(t)
		return err
	}},
	{"internal_port", constant("65001"), func(_ *loader, s *Supvisors, t string) (err error) {
		s.InternalPort, err = boundedInteger(t, 1, 65535)
		return err
	}},
	{"event_port", constant("65002"), func(_ *loader, s *Supvisors, t string) (err error) {
		s.EventPort, err = boundedInteger(t, 1, 65535)
		return err
	}},
	{"synchro_timeout", constant("15"), func(_ *loader, s *Supvisors, t string) (err error) {
		s.SynchroTimeout, err = boundedInteger(t, 1, 1000)
		return err
	}},
	{"starting_strategy", constant("CONFIG"), func(_ *loader, s *Supvisors, t string) (err error) {
		s.StartingStrategy, err = oneOf(t, startingStrategies)
		return err
	}},
	{"conciliation_strategy", constant("USER"), func(_ *loader, s *Supvisors, t string) (err error) {
		s.ConciliationStrategy, err = oneOf(t, conciliationStrategies)
		return err
	}},
	{"gossip_key", constant(""), storeGossipKey},
	{"host_name", func(l *loader) string { return l.hostname }, storeHostName},
	{"stats_periods", constant("10"), storeStatsPeriods},
	{"stats_histo", constant("200"), func(_ *loader, s *Supvisors, t string) (err error) {
		s.StatsHisto, err = boundedInteger(t, 10, 1500)
		return err
	}},
	{"stats_irix_mode", constant("false"), func(_ *loader, s *Supvisors, t string) (err error) {
		s.StatsIrixMode, err = parseBool(t)
		return err
	}},
	// Gossip timings: "" keeps the ring's defaults (README: failure detection).
	{"probe_interval", constant(""), storeDuration(func(s *Supvisors) *time.Duration { return &s.ProbeInterval })},
	{"probe_timeout", constant(""), storeDuration(func(s *Supvisors) *time.Duration { return &s.ProbeTimeout })},
	{"gossip_interval", constant(""), storeDuration(func(s *Supvisors) *time.Duration { return &s.GossipInterval })},
	{"push_pull_interval", constant(""), storeDuration(func(s *Supvisors) *time.Duration { return &s.PushPullInterval })},
	{"quorum", constant(""), storeQuorum},
	{"suspicion_mult", constant(""), func(_ *loader, s *Supvisors, t string) (err error) {
		if t == "" {
			return nil
		}
		s.SuspicionMult, err = boundedInteger(t, 1, 20)
		return err
	}},
}

// maxHostName is the longest host_name: Linux's HOST_NAME_MAX, and what
// the node meta (512 bytes in all) has room for.
const maxHostName = 64

// storeHostName stores the name of the machine the agent runs on.
func storeHostName(_ *loader, s *Supvisors, text string) error {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > maxHostName || strings.ContainsAny(text, " \t") {
		return fmt.Errorf("invalid host name %q: expected 1 to %d characters, no blank", text, maxHostName)
	}
	s.HostName = text
	return nil
}

// storeDuration stores a Go duration ("200ms", "1.5s") between 1 ms and one
// hour into the field field returns; "" leaves it zero.
func storeDuration(field func(*Supvisors) *time.Duration) func(*loader, *Supvisors, string) error {
	return func(_ *loader, s *Supvisors, text string) error {
		if text == "" {
			return nil
		}
		d, err := time.ParseDuration(text)
		if err != nil {
			return fmt.Errorf("invalid duration %q: expected e.g. 200ms or 1s", text)
		}
		if d < time.Millisecond || d > time.Hour {
			return fmt.Errorf("invalid duration %s: expected in [1ms;1h]", d)
		}
		*field(s) = d
		return nil
	}
}

func supvisorsKeyNames() []string {
	keys := make([]string, len(supvisorsOptions))
	for i, o := range supvisorsOptions {
		keys[i] = o.key
	}
	return keys
}

// supvisorsEnv is the environment variable that overrides key.
func supvisorsEnv(key string) string { return "SUPVISORS_" + strings.ToUpper(key) }

// supvisors reads the [supvisors] (or [rpcinterface:supvisors]) section.
// viper layers the sources: the defaults, the section's values (expanded
// with %(here)s, %(host_node_name)s and ENV_X), then the non-empty
// SUPVISORS_<KEY> variables of the injected environment.
func (l *loader) supvisors() (Supvisors, error) {
	sec, present := l.doc.section("supvisors")
	if !present {
		sec, present = l.doc.section("rpcinterface:supvisors")
	}
	v := viper.New()
	for _, o := range supvisorsOptions {
		v.SetDefault(o.key, o.def(l))
	}
	var r *reader
	if present {
		r = l.reader(sec, l.env.with(expansions{"host_node_name": l.hostname}), true)
		values := map[string]any{}
		for _, o := range supvisorsOptions {
			if text, _, ok := r.get(o.key); ok {
				values[o.key] = text
			}
		}
		if r.err != nil {
			return Supvisors{}, r.err
		}
		if err := v.MergeConfigMap(values); err != nil {
			return Supvisors{}, &Error{File: sec.file, Line: sec.line, Section: sec.name, Err: err}
		}
		for _, key := range supvisorsIgnoredKeys {
			if val, ok := sec.values[key]; ok {
				l.log.Debug("Supvisors 0.1 option not used by this agent, ignored", "section", sec.name, "key", key, "file", val.file, "line", val.line)
			}
		}
	}
	fromEnv := map[string]bool{}
	for _, o := range supvisorsOptions {
		if val := l.osEnv[supvisorsEnv(o.key)]; val != "" {
			v.Set(o.key, val)
			fromEnv[o.key] = true
		}
	}

	out := Supvisors{Present: present}
	for _, o := range supvisorsOptions {
		if err := o.store(l, &out, v.GetString(o.key)); err != nil {
			return Supvisors{}, l.supvisorsError(r, o.key, fromEnv[o.key], err)
		}
	}
	if out.InternalPort == out.EventPort {
		return Supvisors{}, l.supvisorsError(r, "event_port", fromEnv["event_port"],
			fmt.Errorf("event_port and internal_port are both %d", out.EventPort))
	}
	return out, nil
}

// supvisorsError locates err at the environment variable, the section's
// line or the section header, wherever the value came from.
func (l *loader) supvisorsError(r *reader, key string, fromEnv bool, err error) error {
	switch {
	case fromEnv:
		section := "supvisors"
		if r != nil {
			section = r.sec.name
		}
		return &Error{Env: supvisorsEnv(key), Section: section, Key: key, Err: err}
	case r == nil:
		return &Error{File: l.file, Section: "supvisors", Key: key, Err: fmt.Errorf("default value: %w", err)}
	}
	v, _ := r.sec.lookup(key)
	r.fail(key, v, err)
	return r.err
}

// storeQuorum reads quorum: "" (off), "majority" (more than half of
// address_list), or a number of addresses. address_list is read first.
func storeQuorum(_ *loader, s *Supvisors, text string) (err error) {
	switch {
	case text == "":
	case strings.EqualFold(text, "majority"):
		s.Quorum = len(s.AddressList)/2 + 1
	default:
		s.Quorum, err = boundedInteger(text, 1, len(s.AddressList))
		if err != nil {
			err = fmt.Errorf("%w, or majority", err)
		}
	}
	return err
}

func storeAddressList(_ *loader, s *Supvisors, text string) error {
	for _, a := range listOfStrings(text) {
		if a == "" {
			continue
		}
		if slices.Contains(s.AddressList, a) {
			return fmt.Errorf("address %s is listed twice", a)
		}
		s.AddressList = append(s.AddressList, a)
	}
	if len(s.AddressList) == 0 {
		return errors.New("address_list is empty")
	}
	return nil
}

// storeRulesFile keeps the rules file as written, "~" expanded; its
// directory must exist (Supvisors 0.1's existing_dirpath).
func storeRulesFile(l *loader, s *Supvisors, text string) error {
	if text == "" {
		return nil
	}
	p, err := l.paths.existingDirpath(text)
	s.RulesFile = p
	return err
}

// storeStateFile keeps the state file (supvisors.disable, update_numprocs)
// as written, "~" expanded; its directory must exist, as the file is
// written there.
func storeStateFile(l *loader, s *Supvisors, text string) error {
	if text == "" {
		return errors.New("state_file is empty")
	}
	p, err := l.paths.existingDirpath(text)
	s.StateFile = p
	return err
}

// storeGossipKey reads a comma list of base64 keys: the first encrypts,
// every one decrypts (a rotation installs the new key second, then first,
// then drops the old one).
func storeGossipKey(_ *loader, s *Supvisors, text string) error {
	var keys [][]byte
	for i, item := range listOfStrings(text) {
		key, err := base64.StdEncoding.DecodeString(item)
		if err != nil {
			return fmt.Errorf("gossip_key %d is not valid base64: %w", i+1, err)
		}
		if n := len(key); n != 16 && n != 24 && n != 32 {
			return fmt.Errorf("gossip_key %d decodes to %d bytes, expected 16, 24 or 32", i+1, n)
		}
		keys = append(keys, key)
	}
	s.GossipKeys = keys
	return nil
}

// storeStatsPeriods reads 1 to 3 distinct periods, each a whole number of
// seconds in [1;3600], and sorts them. Supvisors 0.1 wanted multiples of 5
// from 5 on because its collector ticked every 5 s; this one samples each
// period on its own clock, so any second is fine.
func storeStatsPeriods(_ *loader, s *Supvisors, text string) error {
	items := listOfStrings(text)
	if len(items) < 1 || len(items) > 3 {
		return fmt.Errorf("stats_periods has %d values, expected 1 to 3", len(items))
	}
	for _, item := range items {
		p, err := boundedInteger(item, 1, 3600)
		if err != nil {
			return err
		}
		if slices.Contains(s.StatsPeriods, p) {
			return fmt.Errorf("period %d is listed twice", p)
		}
		s.StatsPeriods = append(s.StatsPeriods, p)
	}
	slices.Sort(s.StatsPeriods)
	return nil
}

func boundedInteger(text string, lo, hi int) (int, error) {
	n, err := parseInteger(text)
	if err != nil {
		return 0, err
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("invalid value %d: expected in [%d;%d]", n, lo, hi)
	}
	return n, nil
}

// oneOf returns the name among names that text spells, in any case.
func oneOf(text string, names []string) (string, error) {
	for _, n := range names {
		if strings.EqualFold(text, n) {
			return n, nil
		}
	}
	return "", fmt.Errorf("invalid value %q: expected one of %s", text, strings.Join(names, ", "))
}
