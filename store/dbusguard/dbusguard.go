// Package dbusguard keeps the keyring library from launching a stray D-Bus daemon.
//
// github.com/99designs/keyring connects to the D-Bus session bus in its package init. When
// DBUS_SESSION_BUS_ADDRESS is unset, the D-Bus client falls back to running `dbus-launch`,
// which starts a session daemon that outlives this process. A command-line tool must not leave
// processes behind, so before keyring's init runs this package points the variable at the
// systemd user bus when one exists ($XDG_RUNTIME_DIR/bus, which is how desktop sessions expose
// it) and otherwise disables D-Bus ("disabled:"), so that the Secret Service and KWallet
// backends are simply reported as unavailable.
//
// The change is for this process only: OriginalEnviron returns the environment as the user
// gave it, which is what child processes (exec) get.
//
// Go (1.21 and later) initialises packages in import-path order among those whose imports are
// ready; this package imports only the standard library and its path ("cxone-auth/...") sorts
// before "github.com/...", so its init runs before keyring's. store imports it for that effect,
// and TestGuardRunsBeforeKeyring checks it. Its init is the one place of the product that reads
// the process environment outside main.
package dbusguard

import (
	"os"
	"path/filepath"
	"slices"
)

// Applied reports what the guard did at start-up: "" (an address was already set),
// "systemd-user-bus" or "disabled".
var Applied string

var original []string

func init() {
	original = os.Environ()
	Applied = apply(os.Getenv, os.Setenv, os.Stat)
}

// OriginalEnviron returns the process environment as it was before the guard changed it.
func OriginalEnviron() []string { return slices.Clone(original) }

func apply(getenv func(string) string, setenv func(string, string) error, stat func(string) (os.FileInfo, error)) string {
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return ""
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		sock := filepath.Join(dir, "bus")
		if fi, err := stat(sock); err == nil && fi.Mode()&os.ModeSocket != 0 {
			if setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+sock) == nil {
				return "systemd-user-bus"
			}
		}
	}
	if setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:") == nil {
		return "disabled"
	}
	return ""
}
