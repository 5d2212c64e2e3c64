package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"cxone-auth/auth/cxonetest"
)

// payload holds the escape sequences and controls a tampered config or a hostile server could
// try to put on the terminal: a title change, a hyperlink, colours, 8-bit CSI and OSC, a bidi
// override, a bell and a carriage return.
const payload = "x\x1b]0;pwned\x07\x1b[31m\u009b2J\u009d8;;http://evil\u009c\u202egnp.exe\r\x08y"

// rawControl reports a byte or rune no output of ours may carry: C0 but newline and tab, DEL,
// C1, and bidirectional overrides.
func rawControl(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return r, true
		}
	}
	return 0, false
}

// TestTamperedConfigReachesNoTerminal writes escape payloads into every string of a profile's
// config entry, as anyone able to edit config.json could: list and check show clean text, and
// their JSON stays valid.
func TestTamperedConfigReachesNoTerminal(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	tamperConfig(t, e, "prod", func(prof map[string]any) {
		for _, k := range []string{"client_id", "access_key_id", "user", "tenant_id", "tenant", "business_unit", "area",
			"api_endpoint", "token_endpoint", "auth_method", "last_check_status", "last_error_kind"} {
			prof[k] = payload + k
		}
	})
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"check", "--profile", "prod"}, {"check", "--all"}, {"check", "--all", "--json"}} {
		code, out, stderr := e.run(args...)
		for what, s := range map[string]string{"stdout": out, "stderr": stderr} {
			if r, bad := rawControl(s); bad {
				t.Errorf("%v %s carries %U:\n%q", args, what, r, s)
			}
			if !utf8.ValidString(s) {
				t.Errorf("%v %s is not valid UTF-8", args, what)
			}
		}
		if strings.HasSuffix(args[len(args)-1], "json") && !json.Valid([]byte(out)) {
			t.Errorf("%v: invalid JSON (exit %d):\n%s", args, code, out)
		}
	}
}

// TestHostileRepositoryRunsNothing exports into a git repository whose configuration names a
// core.fsmonitor program and hooks: nothing of it may run (it would see the environment, the
// keyring passphrase included), and the not-ignored warning still shows.
func TestHostileRepositoryRunsNothing(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the test needs git to build the hostile repository")
	}
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p); code != 0 {
		t.Fatal(stderr)
	}
	repo := t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	evil := filepath.Join(repo, "evil.sh")
	if err := os.WriteFile(evil, []byte("#!/bin/sh\nenv > "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = []string{"HOME=" + repo, "GIT_CONFIG_NOSYSTEM=1", "PATH=" + os.Getenv("PATH")}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	git("init", "-q")
	git("config", "core.fsmonitor", evil)
	git("config", "core.hooksPath", repo)
	for _, h := range []string{"post-checkout", "pre-commit", "post-index-change"} {
		if err := os.Symlink(evil, filepath.Join(repo, h)); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := e.run("export", "-o", filepath.Join(repo, "creds.env"))
	if code != 0 || !strings.Contains(stderr, "not ignored") {
		t.Fatalf("export into the repository: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		b, _ := os.ReadFile(marker)
		t.Fatalf("the repository's program ran (it saw the passphrase: %v)", strings.Contains(string(b), "CXONE_KEYRING_PASSPHRASE"))
	}
	// The same repository with the file ignored: no warning, still nothing run.
	if err := os.WriteFile(filepath.Join(repo, ".gitignore"), []byte("*.env\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = e.run("export", "-o", filepath.Join(repo, "more.env"))
	if code != 0 || strings.Contains(stderr, "not ignored") {
		t.Errorf("ignored file: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the repository's program ran")
	}
}

// TestTamperedConfigEndpointsSendNothing is the attack of someone who can edit config.json
// (no passphrase needed) pointing a profile's token and API endpoints at a server of theirs:
// the endpoints used come from the keyring item, so the sink must stay untouched by every
// command that talks to CXone.
func TestTamperedConfigEndpointsSendNothing(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	sink := cxonetest.StartSink(t, cxonetest.SinkConfig{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	tamperConfig(t, e, "prod", func(prof map[string]any) {
		prof["token_endpoint"] = sink.URL + "/auth/token"
		prof["api_endpoint"] = sink.URL
		prof["issuer"] = sink.URL
	})
	for _, args := range [][]string{
		{"check", "--profile", "prod"}, {"check", "--all"}, {"token", "--profile", "prod", "--fresh"},
		{"export", "--profile", "prod", "--with-token", "--fresh"}, {"exec", "--profile", "prod", "--fresh", "--", "true"},
	} {
		if code, _, stderr := e.run(args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
	if sink.Touched() {
		t.Fatalf("the endpoints planted in config.json received %d connections", sink.Conns())
	}
}

// tamperConfig edits profile name's entry in config.json as anyone who can write the file
// could, without the product's lock or checks.
func tamperConfig(t *testing.T, e *cliEnv, name string, edit func(prof map[string]any)) {
	t.Helper()
	cfgPath := filepath.Join(e.vars["CXONE_CONFIG_DIR"], "config.json")
	var cfg map[string]any
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	edit(cfg["profiles"].(map[string]any)[name].(map[string]any))
	if b, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
