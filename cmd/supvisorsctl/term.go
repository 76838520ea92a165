package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether fd is a terminal.
func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// noEcho turns the echo of terminal fd off and returns what turns it back
// on; nil when fd is not a terminal.
func noEcho(fd int) func() {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return nil
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}

// progressEvery is how often a progress line is redrawn.
const progressEvery = 200 * time.Millisecond

// progress shows "msg... Ns" on stderr while a call that waits runs, when
// stderr is a terminal; the returned function erases it. Nothing is shown
// otherwise.
func (c *ctl) progress(msg string) func() {
	if !c.stderrTTY {
		return func() {}
	}
	return showProgress(c.stderr, msg, progressEvery)
}

// showProgress redraws "\rmsg... Ns" on w every period until the returned
// function is called, which erases the line.
func showProgress(w io.Writer, msg string, period time.Duration) func() {
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			fmt.Fprintf(w, "\r%s... %ds\x1b[K", msg, int(time.Since(start).Seconds()))
			select {
			case <-done:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done); wg.Wait() })
	}
}
