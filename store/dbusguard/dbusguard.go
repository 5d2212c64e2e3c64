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
// A bus that accepts the connection but never answers would hang the keyring library's init
// for ever (it has no timeout), so an address on a Unix socket is first probed with the D-Bus
// greeting, bounded to a second; a bus that does not answer is disabled for this process too.
//
// The change is for this process only: OriginalEnviron returns the environment as the user
// gave it, which is what child processes (exec) get.
//
// Go (1.21 and later) initialises packages in import-path order among those whose imports are
// ready; this package imports only the standard library and its path ("cxone-auth/...") sorts
// before "github.com/...", so its init runs before keyring's. store imports it for that effect,
// and TestGuardRunsBeforeKeyring checks it; store/initorder_test.go (the rule, and the order
// the runtime traced) and cli/initorder_test.go (the same in the product binary) fail when the
// order changes, and say why it can. Its init is the one place of the product that reads
// the process environment outside main.
package dbusguard

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Applied reports what the guard did at start-up: "" (an address was already set and
// answers), "systemd-user-bus", "disabled" (no bus) or "unresponsive" (a bus that did not
// answer the greeting in time).
var Applied string

var original []string

func init() {
	original = os.Environ()
	Applied = apply(os.Getenv, os.Setenv, os.Stat, probe)
}

// OriginalEnviron returns the process environment as it was before the guard changed it.
func OriginalEnviron() []string { return slices.Clone(original) }

func apply(getenv func(string) string, setenv func(string, string) error, stat func(string) (os.FileInfo, error), answers func(addr string) bool) string {
	if addr := getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" {
		if answers(addr) {
			return ""
		}
		if setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:") == nil {
			return "unresponsive"
		}
		return ""
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		sock := filepath.Join(dir, "bus")
		if fi, err := stat(sock); err == nil && fi.Mode()&os.ModeSocket != 0 {
			addr := "unix:path=" + sock
			if !answers(addr) {
				if setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:") == nil {
					return "unresponsive"
				}
				return ""
			}
			if setenv("DBUS_SESSION_BUS_ADDRESS", addr) == nil {
				return "systemd-user-bus"
			}
		}
	}
	if setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:") == nil {
		return "disabled"
	}
	return ""
}

// probeTimeout bounds the greeting of a bus; a local bus answers in well under a millisecond.
const probeTimeout = time.Second

// probe reports whether the bus at addr answers the D-Bus greeting (EXTERNAL authentication)
// in time. Only Unix socket addresses are probed; other transports are left as they are.
func probe(addr string) bool {
	network, where, ok := unixSocket(addr)
	if !ok {
		return true
	}
	conn, err := net.DialTimeout(network, where, probeTimeout)
	if err != nil {
		return false
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(probeTimeout)); err != nil {
		return false
	}
	uid := []byte(strconv.Itoa(os.Getuid()))
	hex := make([]byte, 0, 2*len(uid))
	for _, b := range uid {
		hex = append(hex, "0123456789abcdef"[b>>4], "0123456789abcdef"[b&15])
	}
	if _, err := conn.Write(append([]byte("\x00AUTH EXTERNAL "), append(hex, '\r', '\n')...)); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "OK ")
}

// unixSocket reads the first Unix socket of a D-Bus address list ("unix:path=/run/user/1000/bus",
// "unix:abstract=/tmp/dbus-X,guid=..."); ok is false for other transports.
func unixSocket(addr string) (network, where string, ok bool) {
	first, _, _ := strings.Cut(addr, ";")
	rest, isUnix := strings.CutPrefix(first, "unix:")
	if !isUnix {
		return "", "", false
	}
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "path":
			return "unix", unescape(v), true
		case "abstract":
			return "unix", "@" + unescape(v), true
		}
	}
	return "", "", false
}

// unescape undoes the %XX escapes of a D-Bus address value.
func unescape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			if n, err := strconv.ParseUint(v[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
