//go:build windows

package cli

import (
	"io/fs"
	"os"
	"os/signal"
)

// notifyForward keeps Ctrl+C from ending exec before its child: the console delivers it to
// the child itself, and Windows has no signals to pass on.
func notifyForward(ch chan<- os.Signal) { signal.Notify(ch, os.Interrupt) }

// forwardable is false: a console's Ctrl+C reaches the child without us.
func forwardable(os.Signal, bool) bool { return false }

// afterForward has nothing to do on Windows.
func afterForward(os.Signal) {}

// processGone is false: the token folders of killed execs are left to the temp folder's
// cleaning on Windows (a pid there says too little about whose folder it was).
func processGone(int) bool { return false }

// ownedByMe is false on Windows, where the sweep does nothing.
func ownedByMe(fs.FileInfo) bool { return false }
