//go:build !linux

package cli

import "os/exec"

// setDeathSignal: only Linux can have the kernel end a child with its parent.
func setDeathSignal(*exec.Cmd) {}
