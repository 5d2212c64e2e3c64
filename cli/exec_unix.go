//go:build unix

package cli

import (
	"errors"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
)

// notifyForward relays every signal this process receives to ch.
func notifyForward(ch chan<- os.Signal) { signal.Notify(ch) }

// forwardable reports whether exec passes s on to its child: every catchable signal but
// SIGCHLD (about our own child) and SIGURG (the Go runtime's preemption); SIGINT only when
// stdin is not a terminal (a terminal's Ctrl+C reaches the child already).
func forwardable(s os.Signal, stdinTTY bool) bool {
	switch s {
	case syscall.SIGCHLD, syscall.SIGURG:
		return false
	case os.Interrupt:
		return !stdinTTY
	}
	return true
}

// afterForward acts on a signal for exec itself once the child has it: the job-control stops
// (SIGTSTP from Ctrl+Z, SIGTTIN and SIGTTOU for a background job at the terminal), caught and
// so no longer stopping us, stop exec too, so the shell sees the whole job stopped; the
// SIGCONT of `fg` or `bg` continues both.
func afterForward(s os.Signal) {
	switch s {
	case syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU:
		_ = syscall.Kill(syscall.Getpid(), syscall.SIGSTOP)
	}
}

// processGone reports whether no process has this pid.
func processGone(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

// ownedByMe reports whether fi belongs to this process's user.
func ownedByMe(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
