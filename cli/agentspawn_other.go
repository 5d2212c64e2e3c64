//go:build !unix

package cli

import "os/exec"

// detach has nothing to do where the agent is not built.
func detach(*exec.Cmd) {}
