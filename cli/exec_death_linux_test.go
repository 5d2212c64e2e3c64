//go:build linux

package cli

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestExecChildDiesWithExec is the attack of a SIGKILLed exec (the OOM killer, a supervisor's
// hard stop) leaving its child running with the token in its environment and no parent: the
// child must die with it.
func TestExecChildDiesWithExec(t *testing.T) {
	sb := newStatelessSandbox(t)
	cmd, pid, _ := execSignalChild(t, sb)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitFor(t, 5*time.Second, "end of the child after exec was killed", func() bool { return !processRunning(pid) })
}

// processRunning reports whether pid is a live process (a zombie, dead but not yet reaped by
// whoever inherited it, is not).
func processRunning(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses: "PID (COMM) S ...".
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
