package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// readmeExamples returns the command lines of the README's ```sh blocks, in order, with
// backslash-continued lines joined. Those blocks are the examples a reader can paste; other
// blocks (```text) show things that need a terminal or another machine.
func readmeExamples(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	cont := ""
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			in = true
			continue
		case strings.HasPrefix(line, "```"):
			in = false
			continue
		}
		if !in || strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cont += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		out = append(out, cont+line)
		cont = ""
	}
	return out
}

// TestREADMEExamples runs every example of the README's ```sh blocks with the built binary
// against the emulator, in order, as a reader would, and requires each to succeed (the two
// quick-start commands, which build and test the project, are checked by CI itself).
func TestREADMEExamples(t *testing.T) {
	bin := buildBinary(t)
	examples := readmeExamples(t)
	if len(examples) < 20 {
		t.Fatalf("found %d examples in the README, want the three blocks of examples", len(examples))
	}
	e := newCLIEnv(t, cxonetest.Config{})
	dir := t.TempDir()
	e.writeEnvFile("creds.env", cxonetest.DefaultCredentials)
	if err := os.Rename(filepath.Join(e.dir, "creds.env"), filepath.Join(dir, "creds.env")); err != nil {
		t.Fatal(err)
	}
	second := cxonetest.Credentials{ClientID: cxonetest.DefaultCredentials.ClientID, ClientSecret: cxonetest.DefaultCredentials.ClientSecret,
		AccessKeyID: "SECONDKEYSECONDKEYSECONDKEYSECONDKEYSECONDKEYSECONDK====", AccessKeySecret: "SECONDSECRETSECONDSECRETSECONDSECRETSECONDSECRETSECO===="}
	e.srv.AddAccessKey(second.AccessKeyID, second.AccessKeySecret, cxonetest.DefaultUser)
	body := "CXONE_ACCESS_KEY_ID=" + second.AccessKeyID + "\nCXONE_ACCESS_KEY_SECRET=" + second.AccessKeySecret + "\n"
	if err := os.WriteFile(filepath.Join(dir, "new-key.env"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"), "HOME=" + dir, "TERM=dumb", "PAGER=cat", "MANPAGER=cat"}
	env = append(env, cyclrREADMEEnv(t, e, dir)...) // "Using the profile in Cyclr"
	for k, v := range e.vars {
		if k != "PATH" && k != "HOME" {
			env = append(env, k+"="+v)
		}
	}
	skip := regexp.MustCompile(`^(go |git )`)
	for _, ex := range examples {
		if skip.MatchString(ex) {
			continue
		}
		cmd := exec.Command("bash", "-c", "set -o pipefail\n"+ex)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("README example failed (%v):\n  %s\n%s", err, ex, out)
		}
		for _, s := range []string{e.vars["CXONE_KEYRING_PASSPHRASE"]} {
			if strings.Contains(string(out), s) {
				t.Errorf("README example %q printed the keyring passphrase", ex)
			}
		}
	}
}

// TestBashCompletionOfProfiles is `source <(cxone-auth completion bash)` and then
// `cxone-auth check --profile <TAB>` as bash does it.
func TestBashCompletionOfProfiles(t *testing.T) {
	bin := buildBinary(t)
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for _, n := range []string{"prod", "staging"} {
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", n); code != 0 {
			t.Fatal(stderr)
		}
	}
	// cobra's bash completion builds on the bash-completion package, as most distributions have.
	script := `source /usr/share/bash-completion/bash_completion
source <(cxone-auth completion bash)
COMP_LINE="cxone-auth check --profile "; COMP_POINT=${#COMP_LINE}
COMP_WORDS=(cxone-auth check --profile ""); COMP_CWORD=3
__start_cxone-auth cxone-auth "" --profile
printf '%s\n' "${COMPREPLY[@]}"`
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = []string{"PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"), "HOME=" + e.dir, "CXONE_CONFIG_DIR=" + e.vars["CXONE_CONFIG_DIR"]}
	// stderr has compopt's complaint that no completion is running: this is not a real TAB.
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); strings.Join(got, ",") != "prod,staging" {
		t.Errorf("completions %q, want prod and staging", out)
	}
}
