package store

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The D-Bus guard must run before the keyring library's init, which connects to the session
// bus (and, with no address set, would launch a dbus-daemon that outlives us). Go runs the
// init of a package after those of its imports and, among the packages that are ready, in
// import-path order (Go 1.21 and later). Nothing imports the guard ahead of keyring, so the
// order rests on the paths: the guard becomes ready as soon as the standard library it imports
// is initialised, keyring only after its own imports (godbus, golang.org/x/...), and when both
// are ready the smaller path goes first. "cxone-auth/store/dbusguard" sorts before
// "github.com/99designs/keyring", which settles it whatever keyring imports. A module path
// that sorts after keyring may still work (then it depends on which of keyring's imports is
// initialised last: with the same imports, "github.com/zzz/app/guard" ran first and
// "zzz.example/app/guard" after keyring, in a trial). These tests make a wrong order a
// failure: the runtime's own trace of the order (here, and for the product binary in
// cli/initorder_test.go), and the simple rule that settles it.
// TestInitOrderGuardBeforeKeyring reads the runtime's own trace of the package inits of this
// test binary (GODEBUG=inittrace=1) and requires the guard's before keyring's.
func TestInitOrderGuardBeforeKeyring(t *testing.T) {
	if os.Getenv("CXONE_INITORDER_CHILD") == "1" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestInitOrderGuardBeforeKeyring$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "CXONE_INITORDER_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=disabled:")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	guard, lib := initIndex(string(out), modulePath(t)+"/store/dbusguard"), initIndex(string(out), "github.com/99designs/keyring")
	if guard < 0 || lib < 0 {
		t.Fatalf("inittrace lacks the guard (%d) or keyring (%d):\n%s", guard, lib, out)
	}
	if guard > lib {
		t.Errorf("keyring's init ran before the D-Bus guard's: the guard must set DBUS_SESSION_BUS_ADDRESS first (see store/dbusguard)")
	}
}

// TestModulePathSortsBeforeKeyring keeps the rule that settles the order whatever keyring
// imports, so that a wrong order never depends on a dependency update.
func TestModulePathSortsBeforeKeyring(t *testing.T) {
	if guard := modulePath(t) + "/store/dbusguard"; guard >= "github.com/99designs/keyring" {
		t.Errorf("the import path %q sorts after github.com/99designs/keyring: whether Go runs the D-Bus guard's init "+
			"before keyring's (which may launch a dbus-daemon) now depends on keyring's own imports; keep a module path "+
			"that sorts first, or make the guard's order independent of paths (see this file's comment)", guard)
	}
}

// initIndex is the line of "init PKG @" in an inittrace, -1 when absent.
func initIndex(trace, pkg string) int {
	re := regexp.MustCompile(`^init ` + regexp.QuoteMeta(pkg) + ` @`)
	for i, line := range strings.Split(trace, "\n") {
		if re.MatchString(line) {
			return i
		}
	}
	return -1
}

func modulePath(t *testing.T) string {
	b, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}
