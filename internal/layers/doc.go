// Package layers has no code: its tests hold the rules of which project
// package may import which (README's Layout), checked on what the go
// command resolves, so that an import that points the wrong way fails the
// build's tests rather than waiting for a review.
package layers
