package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"cxone-auth/auth/cxonetest"
)

// completionsOf runs a shell's completion request and returns the words offered.
func completionsOf(t *testing.T, e *cliEnv, args ...string) (words []string, raw string) {
	t.Helper()
	code, out, stderr := e.run(append([]string{cobra.ShellCompRequestCmd}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d: %s", args, code, stderr)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.HasPrefix(l, ":") {
			words = append(words, strings.SplitN(l, "\t", 2)[0])
		}
	}
	return words, out
}

// TestCompletionUsesTheDefaultConfigFolder: with CXONE_CONFIG_DIR unset, `check --profile
// <TAB>` lists the profiles of the folder every command uses ($XDG_CONFIG_HOME/cxone-auth,
// else ~/.config/cxone-auth), not nothing. A name planted in config.json with escape
// sequences (anyone who can write the file) is not offered to the shell.
func TestCompletionUsesTheDefaultConfigFolder(t *testing.T) {
	for _, layout := range []string{"XDG_CONFIG_HOME", "HOME"} {
		t.Run(layout, func(t *testing.T) {
			e := newCLIEnv(t, cxonetest.Config{})
			delete(e.vars, "CXONE_CONFIG_DIR")
			want := filepath.Join(e.dir, ".config", "cxone-auth")
			if layout == "XDG_CONFIG_HOME" {
				e.vars["XDG_CONFIG_HOME"] = filepath.Join(e.dir, "xdg")
				want = filepath.Join(e.dir, "xdg", "cxone-auth")
			}
			p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
			for _, n := range []string{"prod", "staging"} {
				if code, _, stderr := e.run("setup", "--env-file", p, "--profile", n); code != 0 {
					t.Fatalf("setup %s: %s", n, stderr)
				}
			}
			cfgPath := filepath.Join(want, "config.json")
			if _, err := os.Stat(cfgPath); err != nil {
				t.Fatalf("setup did not write the default folder: %v", err)
			}
			delete(e.vars, "CXONE_KEYRING_PASSPHRASE") // a completion never opens the keyring
			for _, args := range [][]string{{"check", "--profile", ""}, {"use", ""}, {"remove", ""}} {
				got, _ := completionsOf(t, e, args...)
				if strings.Join(got, ",") != "prod,staging" {
					t.Errorf("%v: completions %v, want prod and staging from %s", args, got, want)
				}
			}

			if got, _ := completionsOf(t, e, "use", "prod", ""); len(got) != 0 {
				t.Errorf("use prod <TAB>: %v, want nothing (use takes one name)", got)
			}
			// The attack: a profile name that is an escape sequence.
			habitsPlantName(t, cfgPath, "\x1b]0;owned\x07\x1b[2Jprod", "prod")
			habitsPlantName(t, cfgPath, "Upper Case", "prod")
			got, raw := completionsOf(t, e, "check", "--profile", "")
			if strings.Contains(raw, "\x1b") || strings.Contains(raw, "\x07") || strings.Contains(raw, "Upper") {
				t.Errorf("the planted names reached the shell: %q", raw)
			}
			if strings.Join(got, ",") != "prod,staging" {
				t.Errorf("completions %v next to planted names, want prod and staging", got)
			}
		})
	}
}

// habitsPlantName adds a profile entry called name (a copy of from's) to config.json, as
// anyone who can write the file could.
func habitsPlantName(t *testing.T, cfgPath, name, from string) {
	t.Helper()
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	profiles := cfg["profiles"].(map[string]any)
	profiles[name] = profiles[from]
	if b, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
