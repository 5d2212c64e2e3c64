// The attack: a tampered config.json (another local user's write, a synced dotfile) puts
// terminal escape sequences, 8-bit C1 controls and bidirectional overrides into a recorded
// Cyclr install. SPEC 5/9: strings from the config file are stripped before they reach the
// terminal. `cyclr list` prints the masked Access Key ID without sanitising it (auth.Mask
// keeps the first and last four runes: "\x1b[2J" clears the screen), and `cyclr list --json`
// prints the install's fields raw (encoding/json escapes C0 but not C1 or U+202E).
package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

func reviewUnsafeForTerminal(s string) string {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20, r >= 0x7f && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return string(r)
		}
	}
	return ""
}

func TestReviewCyclrListStripsEscapesFromConfig(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	if code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != 0 {
		t.Fatalf("install: exit %d\n%s%s", code, out, stderr)
	}
	p := filepath.Join(ce.vars["CXONE_CONFIG_DIR"], "config.json")
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	ins := cfg["cyclr"].(map[string]any)["installs"].([]any)[0].(map[string]any)
	ins["access_key_id"] = "\x1b[2J" + cxonetest.EscapeText + "\x1b[5m"
	ins["name"] = "CXone prod" + cxonetest.EscapeText
	ins["account"] = cyclrtest.DefaultAccountID + "\u202e\u009b2J"
	raw, _ = json.Marshal(cfg)
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"cyclr", "list"}, {"cyclr", "list", "--json"}} {
		_, out, stderr := ce.run(args...)
		if c := reviewUnsafeForTerminal(out + stderr); c != "" {
			t.Errorf("%s: %q from config.json reached the terminal:\n%q", strings.Join(args, " "), c, out+stderr)
		}
	}
}
