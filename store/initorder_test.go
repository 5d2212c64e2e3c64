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
// order rests on the path: "cxone-auth/store/dbusguard" sorts before
// "github.com/99designs/keyring". A module path that sorts after it (a rename to
// "github.com/nice/cxone-auth", say) would silently run keyring first. These two tests make
// that a failure: one reads the order the runtime really used, the other names the cause.

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

// TestModulePathSortsBeforeKeyring names the cause of a wrong order before it shows.
func TestModulePathSortsBeforeKeyring(t *testing.T) {
	if guard := modulePath(t) + "/store/dbusguard"; guard >= "github.com/99designs/keyring" {
		t.Errorf("the import path %q sorts after github.com/99designs/keyring, so Go would run keyring's init first "+
			"and it could launch a dbus-daemon: import the guard from a package keyring's init waits for, or keep a module path that sorts first", guard)
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
