// Package config reads a supervisord configuration file the way Supervisor
// 4.2.5 does (Python ConfigParser syntax, [include], %(name)s expansions,
// every section's keys, defaults and validation) plus the [supvisors]
// section, then the Supvisors rules file it names (an XML file, see
// ParseRules), and returns a Config. It also resolves which entry of
// address_list the local node is.
//
// Nothing here starts goroutines or keeps state between calls; the only I/O
// is reading the configuration files, globbing includes, checking that
// directories named by paths exist and looking up user names, as Supervisor
// does while it parses.
package config
