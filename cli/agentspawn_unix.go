//go:build unix

package cli

import (
	"os/exec"
	"syscall"
)

// detach starts the agent in a session of its own: no controlling terminal, no signal from
// the terminal that started it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
