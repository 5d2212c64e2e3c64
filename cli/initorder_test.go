package cli

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestProductInitOrderGuardBeforeKeyring: in the product binary itself (not only in a test
// binary of store), the D-Bus guard's init runs before the keyring library's, which would
// otherwise connect to, or launch, a session bus first. store/initorder_test.go explains why
// the order can change (it rests on import paths); this reads the order the runtime used.
func TestProductInitOrderGuardBeforeKeyring(t *testing.T) {
	cmd := exec.Command(testBinary(t), "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "DBUS_SESSION_BUS_ADDRESS=disabled:")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("version: %v\n%s", err, out)
	}
	guard, lib := -1, -1
	for i, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "init cxone-auth/store/dbusguard @"):
			guard = i
		case strings.HasPrefix(line, "init github.com/99designs/keyring @"):
			lib = i
		}
	}
	if guard < 0 || lib < 0 {
		t.Fatalf("the init trace lacks the guard (%d) or keyring (%d):\n%s", guard, lib, out)
	}
	if guard > lib {
		t.Errorf("the keyring library's init ran before the D-Bus guard's (trace lines %d, %d)", lib, guard)
	}
}
