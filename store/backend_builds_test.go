package store

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/keyring"
)

// TestBuiltForMatchesTheLibrary holds the table of builtFor to the keyring library as compiled
// into this test binary: a backend counts as present exactly when the library registered an
// implementation for it. (The D-Bus backends register only when the session bus answers, so
// they are left to the probe.) .ci/run runs it with cgo on and off.
func TestBuiltForMatchesTheLibrary(t *testing.T) {
	for _, b := range []string{BackendKeychain, BackendWinCred, BackendPass, BackendKeyctl, BackendFile} {
		if got, lib := builtFor(b, runtime.GOOS, cgoEnabled), libHas(b); got != lib {
			t.Errorf("builtFor(%s, %s, cgo=%v) = %v, but the keyring library has it: %v", b, runtime.GOOS, cgoEnabled, got, lib)
		}
	}
	if got := CompiledBackends(); !slices.Contains(got, BackendFile) || slices.Contains(got, BackendAuto) {
		t.Errorf("CompiledBackends() = %v, want file and not auto", got)
	}
}

// TestBackendsPerBuild is the decision of each release target (and of a darwin build without
// cgo, which `go install` on a Mac without Xcode makes): what it contains and what `auto`
// picks when every backend it contains answers, when none but pass does, and when none does.
func TestBackendsPerBuild(t *testing.T) {
	all := func(string) bool { return true }
	onlyPass := func(b string) bool { return b == BackendPass }
	none := func(string) bool { return false }
	for _, c := range []struct {
		goos       string
		cgo        bool
		contains   []string
		lacks      []string
		auto       string // every backend answers
		autoPass   string // only pass answers
		keychainOK bool
	}{
		{"darwin", true, []string{BackendKeychain, BackendPass, BackendFile}, []string{BackendWinCred, BackendSecretService, BackendKeyctl}, BackendKeychain, BackendPass, true},
		{"darwin", false, []string{BackendPass, BackendFile}, []string{BackendKeychain, BackendWinCred, BackendSecretService}, BackendPass, BackendPass, false},
		{"windows", false, []string{BackendWinCred, BackendFile}, []string{BackendKeychain, BackendPass, BackendSecretService, BackendKeyctl}, BackendWinCred, BackendFile, false},
		{"windows", true, []string{BackendWinCred, BackendFile}, []string{BackendKeychain, BackendPass}, BackendWinCred, BackendFile, false},
		{"linux", false, []string{BackendSecretService, BackendKWallet, BackendPass, BackendKeyctl, BackendFile}, []string{BackendKeychain, BackendWinCred}, BackendSecretService, BackendPass, false},
		{"linux", true, []string{BackendSecretService, BackendKWallet, BackendPass, BackendKeyctl, BackendFile}, []string{BackendKeychain, BackendWinCred}, BackendSecretService, BackendPass, false},
	} {
		name := c.goos + "/cgo=" + map[bool]string{true: "1", false: "0"}[c.cgo]
		for _, b := range c.contains {
			if !builtFor(b, c.goos, c.cgo) {
				t.Errorf("%s: lacks %s", name, b)
			}
		}
		for _, b := range c.lacks {
			if builtFor(b, c.goos, c.cgo) {
				t.Errorf("%s: contains %s", name, b)
			}
		}
		if got := autoPick(c.goos, c.cgo, all); got != c.auto {
			t.Errorf("%s: auto with every backend answering = %s, want %s", name, got, c.auto)
		}
		if got := autoPick(c.goos, c.cgo, onlyPass); got != c.autoPass {
			t.Errorf("%s: auto with only pass answering = %s, want %s", name, got, c.autoPass)
		}
		if got := autoPick(c.goos, c.cgo, none); got != BackendFile {
			t.Errorf("%s: auto with nothing answering = %s, want file", name, got)
		}
		if got := autoPick(c.goos, c.cgo, func(b string) bool { return b == BackendKeyctl }); got != BackendFile {
			t.Errorf("%s: auto chose %s: keyctl is never automatic", name, got)
		}
		if builtFor(BackendKeychain, c.goos, c.cgo) != c.keychainOK {
			t.Errorf("%s: keychain compiled in = %v, want %v", name, !c.keychainOK, c.keychainOK)
		}
	}
}

// TestKeychainMissingSaysHowToGetIt: asking a cgo-less darwin build for the Keychain names the
// cause and the way to a build that has it; on another OS it says the OS has none.
func TestKeychainMissingSaysHowToGetIt(t *testing.T) {
	hint, err := notBuiltIn(BackendKeychain, "darwin", false)
	if !strings.Contains(err.Error(), "without cgo") || !strings.Contains(hint, "release build") || !strings.Contains(hint, "CGO_ENABLED=1") {
		t.Errorf("darwin without cgo: %v / %s: want the cause and how to get a build with the Keychain", err, hint)
	}
	hint, err = notBuiltIn(BackendKeychain, "linux", false)
	if !strings.Contains(err.Error(), "not available on linux") || strings.Contains(hint, "cgo") {
		t.Errorf("linux: %v / %s", err, hint)
	}
	if runtime.GOOS == "darwin" && cgoEnabled {
		return // this build has the Keychain: nothing to refuse
	}
	// Through the Store, as --keyring-backend keychain would.
	cfgDir, _ := dirs(t)
	s, err := Open(Options{ConfigDir: cfgDir, Backend: BackendKeychain, Getenv: envOf(map[string]string{"HOME": t.TempDir()})})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Load(context.Background(), "default")
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Backend != BackendKeychain {
		t.Fatalf("Load with the keychain on %s (cgo=%v) = %v, want a KeyringError of the keychain", runtime.GOOS, cgoEnabled, err)
	}
	if _, want := notBuiltIn(BackendKeychain, runtime.GOOS, cgoEnabled); !strings.Contains(err.Error(), want.Error()) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if slices.Contains(keyring.AvailableBackends(), keyring.KeychainBackend) {
		t.Errorf("the library has a keychain here, yet the Store refused it")
	}
}
