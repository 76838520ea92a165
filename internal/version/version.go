// Package version holds the release the binaries report (--version). make
// build and make deb set it at link time from the repository's VERSION file,
// which is also the Debian package's version.
package version

// Version is the release; "devel" in a build that did not go through the
// Makefile (go build, go test).
var Version = "devel"
