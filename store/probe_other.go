//go:build !linux

package store

import "errors"

// busNameAvailable is false where there is no D-Bus backend.
func busNameAvailable(string) bool { return false }

// keyctlUsable reports that the kernel keyring exists only on Linux.
func keyctlUsable() error { return errors.New("only on Linux") }

// keyctlPerm is unused where there is no kernel keyring.
var keyctlPerm uint32
