//go:build linux

package cli

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has the kernel kill the child when exec dies, even by SIGKILL, which exec
// cannot catch to pass on: a child left running would keep the token (and, with
// --with-secrets, the secrets) in its environment with no parent to answer for it.
func setDeathSignal(c *exec.Cmd) {
	if c.SysProcAttr == nil {
		c.SysProcAttr = &syscall.SysProcAttr{}
	}
	c.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
