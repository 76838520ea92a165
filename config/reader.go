package config

import "path/filepath"

// reader reads the options of one section with one set of expansions. Its
// error is sticky: after the first failure, reads return zero values and
// err keeps that first failure, which is the one Supervisor, reading the
// options in the same order, would report.
type reader struct {
	l     *loader
	sec   *iniSection
	names expansions
	// here says whether %(here)s is among the names for this section.
	here bool
	err  error
}

func (l *loader) reader(sec *iniSection, names expansions, here bool) *reader {
	return &reader{l: l, sec: sec, names: names, here: here}
}

// get returns the option's expanded value; ok is false when the section
// (and DEFAULT) lacks it or an earlier read failed.
func (r *reader) get(key string) (s string, v *iniValue, ok bool) {
	if r.err != nil {
		return "", nil, false
	}
	v, ok = r.sec.lookup(key)
	if !ok {
		return "", nil, false
	}
	s = r.expand(key, v, v.raw)
	return s, v, r.err == nil
}

// getRaw returns the option's value unexpanded, for the keys Supervisor
// expands later itself.
func (r *reader) getRaw(key, def string) (string, *iniValue) {
	v, ok := r.sec.lookup(key)
	if !ok {
		return def, nil
	}
	return v.raw, v
}

// expand expands text, which belongs to option v (nil for a default), with
// the reader's names.
func (r *reader) expand(key string, v *iniValue, text string) string {
	if r.err != nil {
		return ""
	}
	names := r.names
	if r.here || r.l.hereEverywhere {
		here := filepath.Dir(r.sec.file) // for a default value
		if v != nil {
			here = v.here
		}
		names = names.with(expansions{"here": here})
	}
	out, err := expand(text, names)
	if err != nil {
		r.fail(key, v, err)
	}
	return out
}

// fail records err at option v (nil: the section header) unless an
// earlier error is recorded.
func (r *reader) fail(key string, v *iniValue, err error) {
	if r.err != nil {
		return
	}
	if v == nil {
		r.err = &Error{File: r.sec.file, Line: r.sec.line, Section: r.sec.name, Key: key, Err: err}
		return
	}
	r.err = &Error{File: v.file, Line: v.line, Section: r.sec.name, Key: key, Err: err}
}

// option reads an option through conv; absent, conv reads def, as
// Supervisor passes its defaults through the same converters.
func option[T any](r *reader, key, def string, conv func(string) (T, error)) T {
	var zero T
	s, v, ok := r.get(key)
	if r.err != nil {
		return zero
	}
	if !ok {
		s = def
	}
	out, err := conv(s)
	if err != nil {
		r.fail(key, v, err)
		return zero
	}
	return out
}

// optional reads an option that has no default; absent, it is T's zero.
func optional[T any](r *reader, key string, conv func(string) (T, error)) T {
	var zero T
	s, v, ok := r.get(key)
	if !ok {
		return zero
	}
	out, err := conv(s)
	if err != nil {
		r.fail(key, v, err)
		return zero
	}
	return out
}

func text(s string) (string, error) { return s, nil }
