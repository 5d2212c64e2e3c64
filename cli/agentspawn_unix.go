//go:build unix

package cli

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// detach starts the agent in a session of its own (no controlling terminal, no signal from
// the terminal that started it) and makes sure it inherits no open file but its pipes: a
// descriptor this process got from whoever started it without close-on-exec (a shell's
// `3>file`) would otherwise pass to the agent and live as long as it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
				_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC)
			}
		}
		return
	}
}
