package cli

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestHardenMakesTheProcessNonDumpable runs harden in a child copy of the test binary (so
// this process stays as it is) and reads the flag back.
func TestHardenMakesTheProcessNonDumpable(t *testing.T) {
	if os.Getenv("CXONE_HARDEN_CHILD") == "1" {
		before, _ := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
		if err := harden(); err != nil {
			os.Stdout.WriteString("error " + err.Error())
			os.Exit(1)
		}
		after, _ := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
		fmt.Printf("before=%d after=%d", before, after)
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHardenMakesTheProcessNonDumpable$")
	cmd.Env = append(os.Environ(), "CXONE_HARDEN_CHILD=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v %s", err, out)
	}
	if !strings.Contains(string(out), "before=1 after=0") {
		t.Errorf("child reported %q, want dumpable before and not after", out)
	}
}
