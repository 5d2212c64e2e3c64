//go:build !linux

package cli

// harden has nothing to do where the OS offers no per-process switch against core dumps.
func harden() error { return nil }
