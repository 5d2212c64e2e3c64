package cli

import (
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// TestRemoveYesNeedsTheNameGiven is the attack of a variable left in the environment:
// CXONE_PROFILE=prod with `remove --yes` (a script's cleanup meant for another profile) must
// delete nothing. Named on the command line (NAME or --profile), it removes; removing the
// default says which profile is the default now.
func TestRemoveYesNeedsTheNameGiven(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for _, n := range []string{"prod", "qa", "staging"} {
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", n); code != 0 {
			t.Fatalf("setup %s: %s", n, stderr)
		}
	}
	if code, _, stderr := e.run("use", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	e.vars["CXONE_PROFILE"] = "prod"
	code, _, stderr := e.run("remove", "--yes")
	if code != 2 || !strings.Contains(stderr, "remove NAME --yes") {
		t.Errorf("remove --yes with only CXONE_PROFILE: exit %d, want 2 and a hint\n%s", code, stderr)
	}
	if _, out, _ := e.run("list"); !strings.Contains(out, "prod") {
		t.Fatal("remove --yes deleted the profile CXONE_PROFILE named")
	}
	if code, _, _ := e.run("remove", "qa", "--profile", "staging", "--yes"); code != 2 {
		t.Errorf("NAME and a different --profile: exit %d, want 2", code)
	}
	delete(e.vars, "CXONE_PROFILE")

	code, _, stderr = e.run("remove", "prod", "--yes")
	if code != 0 || !strings.Contains(stderr, `Removed profile "prod"`) || !strings.Contains(stderr, `"qa" is the default profile now`) {
		t.Errorf("remove the default by NAME: exit %d\n%s", code, stderr)
	}
	code, _, stderr = e.run("logout", "--profile", "staging", "--yes")
	if code != 0 || strings.Contains(stderr, "default") {
		t.Errorf("logout --profile of a profile that is not the default: exit %d\n%s", code, stderr)
	}
	code, _, stderr = e.run("remove", "qa", "-y")
	if code != 0 || !strings.Contains(stderr, "last profile") {
		t.Errorf("remove the last profile: exit %d\n%s", code, stderr)
	}
	if code, _, _ := e.run("remove", "qa", "--yes"); code != 4 {
		t.Errorf("remove a missing profile: exit %d, want 4", code)
	}
	if code, _, _ := e.run("remove", "Bad Name", "--yes"); code != 2 {
		t.Errorf("remove a bad name: exit %d, want 2", code)
	}
}
