package store

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/99designs/keyring"
)

// Keyring backend names, as --keyring-backend and CXONE_KEYRING_BACKEND take them.
const (
	BackendAuto          = "auto"
	BackendKeychain      = "keychain"
	BackendWinCred       = "wincred"
	BackendSecretService = "secret-service"
	BackendKWallet       = "kwallet"
	BackendPass          = "pass"
	BackendKeyctl        = "keyctl"
	BackendFile          = "file"
)

// serviceName names the keyring service; keyPrefix+NAME is a profile's item key.
const (
	serviceName = "cxone-auth"
	keyPrefix   = "profile:"
)

// autoOrder is the order `auto` tries: the OS keyrings first, the encrypted file last. keyctl is never chosen automatically:
// the kernel keyring does not survive a reboot.
var autoOrder = []string{BackendKeychain, BackendWinCred, BackendSecretService, BackendKWallet, BackendPass, BackendFile}

var allBackends = []string{BackendAuto, BackendKeychain, BackendWinCred, BackendSecretService, BackendKWallet, BackendPass, BackendKeyctl, BackendFile}

// ValidBackend reports whether name is a backend name --keyring-backend accepts.
func ValidBackend(name string) error {
	for _, b := range allBackends {
		if name == b {
			return nil
		}
	}
	return fmt.Errorf("unknown keyring backend %q: want one of %s", name, strings.Join(allBackends, ", "))
}

var profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidProfileName reports whether name is a valid profile name: 1 to 64 characters a-z, 0-9,
// '.', '_' or '-', starting with a letter or digit. The message never quotes the name, since a
// mistyped paste could be a secret.
func ValidProfileName(name string) error {
	if profileNameRE.MatchString(name) {
		return nil
	}
	if name == "" {
		return fmt.Errorf("profile name is empty: use 1 to 64 characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
	}
	return fmt.Errorf("invalid profile name: use 1 to 64 characters a-z, 0-9, '.', '_' or '-', starting with a lowercase letter or digit")
}

// BackendInfo describes one keyring backend of this operating system for a chooser.
type BackendInfo struct {
	Name      string // backend name, as --keyring-backend takes it
	Label     string // short human name
	Note      string // one line: why it is (not) available, or what to know about it
	Available bool   // the runtime probe found it usable
	Default   bool   // the one `auto` would choose
}

// osBackends lists the backends keyring supports on this OS, in the order a chooser shows them,
// whether or not this build contains them (a darwin build without cgo has no Keychain: it is
// listed as unavailable, with how to get a build that has it).
func osBackends() []string {
	var out []string
	for _, b := range []string{BackendKeychain, BackendWinCred, BackendSecretService, BackendKWallet, BackendPass, BackendKeyctl, BackendFile} {
		if osHas(b, runtime.GOOS) {
			out = append(out, b)
		}
	}
	return out
}

// osHas reports whether backend b exists on goos at all (in some build of the keyring library).
func osHas(b, goos string) bool { return builtFor(b, goos, true) }

// builtFor reports whether a binary for goos, built with cgo or without, contains backend b:
// the build constraints of github.com/99designs/keyring v1.2.2's files. The Keychain is
// keychain.go, `//go:build darwin && cgo` (it calls the Security framework through
// github.com/99designs/go-keychain), so a darwin binary built with CGO_ENABLED=0 has none.
// TestBuiltForMatchesTheLibrary holds this table to the library for the build under test.
func builtFor(b, goos string, cgo bool) bool {
	switch b {
	case BackendKeychain:
		return goos == "darwin" && cgo
	case BackendWinCred:
		return goos == "windows"
	case BackendSecretService, BackendKWallet, BackendKeyctl:
		return goos == "linux"
	case BackendPass:
		return goos != "windows"
	case BackendFile:
		return true
	}
	return false
}

// compiledIn reports whether this binary has backend b (whether or not it answers). The
// library drops the D-Bus backends at start-up when the session bus is not reachable, so those
// are decided by GOOS here and by the probe for availability.
func compiledIn(b string) bool { return builtFor(b, runtime.GOOS, cgoEnabled) }

// CompiledBackends lists the backends this binary contains, in the order a chooser shows them
// (`cxone-auth version` prints them).
func CompiledBackends() []string {
	var out []string
	for _, b := range osBackends() {
		if compiledIn(b) {
			out = append(out, b)
		}
	}
	return out
}

// notBuiltIn is why this binary has no backend b, and how to get one that has it.
func notBuiltIn(b, goos string, cgo bool) (hint string, err error) {
	if osHas(b, goos) && !builtFor(b, goos, cgo) {
		// Only the Keychain depends on cgo.
		return "use a release build (its macOS binaries are built with cgo), or build on a Mac with " +
				"CGO_ENABLED=1 and the Xcode command line tools (docs/platforms.md); or use --keyring-backend file",
			fmt.Errorf("this build has no %s: it was built without cgo", backendLabels[b])
	}
	return "choose a backend of this system with --keyring-backend (`cxone-auth version` lists them)",
		fmt.Errorf("not available on %s", goos)
}

func libHas(b string) bool {
	for _, t := range keyring.AvailableBackends() {
		if string(t) == b {
			return true
		}
	}
	return false
}

// probe reports whether backend b is usable here, and a one-line note. It never opens a
// keyring item, never asks for a passphrase and never starts a desktop prompt. getenv is the
// environment pass's store and the default file folder are read from.
func probe(b, fileDir string, getenv func(string) string) (bool, string) {
	if !compiledIn(b) {
		return false, "not in this build (built without cgo): a release build has it"
	}
	switch b {
	case BackendKeychain:
		return true, "macOS Keychain (login keychain)"
	case BackendWinCred:
		return true, "Windows Credential Manager"
	case BackendSecretService:
		if !libHas(b) {
			return false, "no D-Bus session bus"
		}
		if !busNameAvailable("org.freedesktop.secrets") {
			return false, "no Secret Service on the session bus"
		}
		return true, "collection 'login'"
	case BackendKWallet:
		if !libHas(b) {
			return false, "no D-Bus session bus"
		}
		if !busNameAvailable("org.kde.kwalletd5") {
			return false, "KWallet is not running"
		}
		return true, "wallet 'kdewallet', folder 'cxone-auth'"
	case BackendPass:
		if _, err := exec.LookPath("pass"); err != nil {
			return false, "the pass program is not installed"
		}
		dir := passDir(getenv)
		if dir == "" {
			return false, "no password store: neither PASSWORD_STORE_DIR nor HOME is set"
		}
		if !passStoreExists(dir) {
			return false, fmt.Sprintf("no password store in %s (run `pass init GPG-ID`)", dir)
		}
		return true, "password store " + dir
	case BackendKeyctl:
		if err := keyctlUsable(); err != nil {
			return false, "kernel keyring not usable: " + err.Error()
		}
		return true, "not persistent: lost at reboot; never chosen automatically"
	case BackendFile:
		if fileDir == "" {
			fileDir = DefaultFileDir(getenv)
		}
		if fileDir == "" {
			return true, "passphrase-protected files (set --keyring-dir: no home folder is known)"
		}
		return true, "passphrase-protected files in " + fileDir
	}
	return false, "unknown backend"
}

// backendLabels are the short human names of the backends.
var backendLabels = map[string]string{
	BackendKeychain:      "macOS Keychain",
	BackendWinCred:       "Windows Credential Manager",
	BackendSecretService: "Secret Service (GNOME Keyring, KeePassXC)",
	BackendKWallet:       "KWallet",
	BackendPass:          "pass (GPG password store)",
	BackendKeyctl:        "Linux kernel keyring",
	BackendFile:          "Encrypted file",
}

// Backends lists every keyring backend of this OS with its availability; the one `auto` would
// choose is marked Default. It is cheap: it asks for no passphrase and opens no item. getenv
// (nil = an empty environment) supplies PASSWORD_STORE_DIR, HOME and the XDG folders.
func Backends(fileDir string, getenv func(string) string) []BackendInfo {
	labels := backendLabels
	var out []BackendInfo
	def := ""
	avail := map[string]bool{}
	notes := map[string]string{}
	for _, b := range osBackends() {
		avail[b], notes[b] = probe(b, fileDir, getenv)
	}
	for _, b := range autoOrder {
		if avail[b] {
			def = b
			break
		}
	}
	for _, b := range osBackends() {
		out = append(out, BackendInfo{Name: b, Label: labels[b], Note: notes[b], Available: avail[b], Default: b == def})
	}
	return out
}

// autoBackend is the backend `auto` resolves to on this machine right now.
func autoBackend(getenv func(string) string) string {
	return autoPick(runtime.GOOS, cgoEnabled, func(b string) bool {
		ok, _ := probe(b, "", getenv)
		return ok
	})
}

// autoPick is the choice of `auto` for a binary for goos built with or without cgo: the first
// backend of autoOrder that the binary contains and that usable accepts, else the file.
func autoPick(goos string, cgo bool, usable func(string) bool) string {
	for _, b := range autoOrder {
		if builtFor(b, goos, cgo) && usable(b) {
			return b
		}
	}
	return BackendFile
}

// passStoreExists reports whether dir is an initialised password store (has .gpg-id).
func passStoreExists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".gpg-id"))
	return err == nil
}

// keyctlScope is the kernel keyring holding the named "cxone-auth" keyring. "user" is shared
// by every session of the user until reboot. Tests switch to "process".
var keyctlScope = "user"

// libConfig is the keyring library configuration of one OS backend (the encrypted-file
// backend is handled in filekeyring.go without the library's code).
func libConfig(b string, getenv func(string) string) keyring.Config {
	cfg := keyring.Config{
		AllowedBackends: []keyring.BackendType{keyring.BackendType(b)},
		ServiceName:     serviceName,
		// The login keychain; items trusted for this binary so every read does not prompt,
		// never synchronised to iCloud, readable only while the Mac is unlocked.
		KeychainTrustApplication:       true,
		KeychainSynchronizable:         false,
		KeychainAccessibleWhenUnlocked: true,
		// Headless gnome-keyring has only `login`; a new collection needs a desktop prompt.
		LibSecretCollectionName: "login",
		// The library uses ServiceName as the wallet name for KWallet; the default wallet is
		// the one people have unlocked, so use it with our own folder.
		KWalletAppID:  serviceName,
		KWalletFolder: serviceName,
		// pass: the user's store (PASSWORD_STORE_DIR or ~/.password-store), items under
		// cxone-auth/, so `pass ls` shows them grouped.
		PassDir:    passDir(getenv),
		PassPrefix: serviceName,
		// wincred: targets read "cxone-auth:profile:NAME" in Credential Manager.
		WinCredPrefix: serviceName,
		KeyCtlScope:   keyctlScope,
	}
	if keyctlScope != "session" {
		// Readable and writable by the user, not only by a "possessor": the default leaves
		// keys unreadable from sessions that do not link the user keyring. (The library
		// applies custom permissions by creating in the session keyring and moving the key,
		// which would orphan a keyring whose parent is the session keyring itself.)
		cfg.KeyCtlPerm = keyctlPerm
	}
	if b == BackendKWallet {
		cfg.ServiceName = "kdewallet"
	}
	return cfg
}
