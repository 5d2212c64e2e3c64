//go:build linux

package store

import (
	"context"
	"time"

	"github.com/99designs/keyring"
	"github.com/godbus/dbus"
	"golang.org/x/sys/unix"
)

// probeTimeout bounds each availability probe; probes must stay cheap.
const probeTimeout = 2 * time.Second

// busNameAvailable reports whether a D-Bus name has an owner or can be activated on the
// session bus. It is one or two small bus calls, bounded by probeTimeout.
func busNameAvailable(name string) bool {
	return boundedProbe(func() bool {
		conn, err := dbus.SessionBus()
		if err != nil {
			return false
		}
		var has bool
		if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has); err == nil && has {
			return true
		}
		var names []string
		if err := conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&names); err != nil {
			return false
		}
		for _, n := range names {
			if n == name {
				return true
			}
		}
		return false
	})
}

// keyctlUsable checks that the kernel keyring syscalls work (containers often forbid them).
func keyctlUsable() error {
	_, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, false)
	return err
}

// keyctlPerm gives the possessor and the user every right on our kernel keys.
var keyctlPerm = keyring.GetPermissions(keyring.KEYCTL_PERM_ALL, keyring.KEYCTL_PERM_ALL, 0, 0)

// boundedProbe runs fn with the probe timeout.
func boundedProbe(fn func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	ch := make(chan bool, 1)
	go func() { ch <- fn() }()
	select {
	case ok := <-ch:
		return ok
	case <-ctx.Done():
		return false
	}
}
