package store

import (
	"path/filepath"
	"runtime"
)

// The store never reads the process environment itself: every variable comes through the
// getenv function its caller hands in (Options.Getenv), so the command line's view of the
// environment (an --env-file, a test's map) is the only one, and a test can never pick up the
// passphrase or folders of the machine it runs on. dbusguard is the one exception, because it
// must run before the keyring library's package init.

// emptyEnv is the environment of a caller that gave none.
func emptyEnv(string) string { return "" }

// orEmpty returns getenv, or the empty environment when it is nil.
func orEmpty(getenv func(string) string) func(string) string {
	if getenv == nil {
		return emptyEnv
	}
	return getenv
}

// homeDir is the person's home folder from the environment: USERPROFILE on Windows, HOME
// elsewhere. "" when it is unset or not an absolute path (a relative home would put the
// keyring wherever the command happens to run).
func homeDir(getenv func(string) string) string {
	name := "HOME"
	if runtime.GOOS == "windows" {
		name = "USERPROFILE"
	}
	if h := orEmpty(getenv)(name); h != "" && filepath.IsAbs(h) {
		return h
	}
	return ""
}

// xdgDir is $env when it is an absolute path (the XDG rule: relative values are ignored),
// else home/fallback; "" when neither is known.
func xdgDir(getenv func(string) string, env, fallback string) string {
	if d := orEmpty(getenv)(env); d != "" && filepath.IsAbs(d) {
		return d
	}
	if home := homeDir(getenv); home != "" {
		return filepath.Join(home, fallback)
	}
	return ""
}

// DefaultConfigDir is $XDG_CONFIG_HOME/cxone-auth, else ~/.config/cxone-auth, read through
// getenv (nil = an empty environment). On every OS the XDG layout is used (as gh does), so
// documentation and scripts have one path to name. It is "" when neither variable nor a home
// folder is known; Open then asks for an explicit folder.
func DefaultConfigDir(getenv func(string) string) string {
	d := xdgDir(getenv, "XDG_CONFIG_HOME", ".config")
	if d == "" {
		return ""
	}
	return filepath.Join(d, serviceName)
}

// DefaultFileDir is the encrypted-file keyring's folder: $XDG_DATA_HOME/cxone-auth/keyring,
// else ~/.local/share/cxone-auth/keyring, read through getenv (nil = an empty environment).
// It is "" when neither variable nor a home folder is known.
func DefaultFileDir(getenv func(string) string) string {
	d := xdgDir(getenv, "XDG_DATA_HOME", filepath.Join(".local", "share"))
	if d == "" {
		return ""
	}
	return filepath.Join(d, serviceName, "keyring")
}

// passDir is the password store pass uses: $PASSWORD_STORE_DIR, else ~/.password-store; ""
// when neither is known.
func passDir(getenv func(string) string) string {
	if d := orEmpty(getenv)("PASSWORD_STORE_DIR"); d != "" {
		return d
	}
	if home := homeDir(getenv); home != "" {
		return filepath.Join(home, ".password-store")
	}
	return ""
}
