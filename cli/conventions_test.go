package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/store"
)

func TestMain(m *testing.M) {
	// fang lays help out for the terminal's width; pin it to the narrowest we promise.
	os.Setenv("__FANG_TEST_WIDTH", "80")
	code := m.Run()
	removeTestBinary() // built by the tests that run real processes
	os.Exit(code)
}

func TestUsageErrorsExitTwoWithAHint(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"chek"}, []string{`unknown command "chek"`, "Did you mean 'check'?"}},
		{[]string{"exprot"}, []string{"Did you mean 'export'?"}},
		{[]string{"frobnicate"}, []string{`unknown command "frobnicate"`, "cxone-auth --help"}},
		{[]string{"list", "extra"}, []string{`unexpected argument "extra"`, "cxone-auth list --help"}},
		{[]string{"check", "--bogus"}, []string{"unknown flag: --bogus", "cxone-auth check --help"}},
		{[]string{"export", "--format", "xml"}, []string{`--format "xml"`, "cxone-auth export --help"}},
		{[]string{"use"}, []string{"one profile name", "cxone-auth use --help"}},
		{[]string{"use", "Bad Name"}, []string{"invalid profile name"}},
		{[]string{"check", "--from-env", "--env-file", "x"}, []string{"give one of them", "cxone-auth check --help"}},
		{[]string{"--profile", "NO SPACES", "list"}, []string{"invalid profile name", "cxone-auth list --help"}},
		{[]string{"exec"}, []string{"exec needs a command"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, stderr := e.run(tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\nstdout: %s\nstderr: %s", code, out, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Count(stderr, "cxone-auth: ") != 1 {
				t.Errorf("the error is not printed exactly once:\n%s", stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	code, out, _ := e.run("--version")
	if code != 0 || !strings.HasPrefix(out, "cxone-auth version ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	code, out, _ = e.run("version")
	if code != 0 || !strings.Contains(out, "commit ") || !strings.Contains(out, "built ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	// The backends this binary contains (a darwin build without cgo has no Keychain).
	if want := "keyring backends " + strings.Join(store.CompiledBackends(), ", ") + "\n"; !strings.Contains(out, want) || !strings.Contains(want, "file") {
		t.Errorf("version: %q does not list the compiled-in backends %q", out, want)
	}
}

// TestHelpFitsEightyColumns renders every command's help at 80 columns: no line is wider, and
// each command (but cobra's own help) shows an example.
func TestHelpFitsEightyColumns(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	f := &Factory{IO: testStreams(strings.NewReader(""), io.Discard, io.Discard), Env: EnvFromMap(e.vars)}
	root := newRootCmd(f)
	root.InitDefaultCompletionCmd()
	var walk func(*cobra.Command)
	var paths [][]string
	walk = func(c *cobra.Command) {
		if c.Name() == "help" {
			return
		}
		paths = append(paths, strings.Fields(c.CommandPath())[1:])
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if len(paths) < 12 {
		t.Fatalf("walked %d commands, want every command", len(paths))
	}
	for _, p := range paths {
		code, out, stderr := e.run(append(p, "--help")...)
		if code != 0 {
			t.Errorf("%v --help: exit %d: %s", p, code, stderr)
			continue
		}
		for _, line := range strings.Split(out, "\n") {
			if w := ansi.StringWidth(strings.TrimRight(line, " ")); w > 80 {
				t.Errorf("%v --help: a line is %d columns: %q", p, w, line)
			}
		}
		if !strings.Contains(out, "EXAMPLES") {
			t.Errorf("%v --help has no example", p)
		}
	}
}

func TestManPage(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	code, out, stderr := e.run("man")
	if code != 0 || !strings.Contains(out, ".TH") || !strings.Contains(out, "CXONE") || !strings.Contains(out, "check") {
		t.Fatalf("man: exit %d, stderr %q, output starts %q", code, stderr, out[:min(len(out), 200)])
	}
}

// TestCompletion asks as a shell does, through cobra's __complete protocol: profile names come
// from config.json, even when the keyring cannot be opened.
func TestCompletion(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for _, n := range []string{"prod", "staging"} {
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", n); code != 0 {
			t.Fatalf("setup %s: %s", n, stderr)
		}
	}
	// No passphrase: a completion that opened the keyring would fail.
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")
	complete := func(args ...string) []string {
		t.Helper()
		code, out, stderr := e.run(append([]string{cobra.ShellCompRequestCmd}, args...)...)
		if code != 0 {
			t.Fatalf("__complete %v: exit %d: %s", args, code, stderr)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				got = append(got, strings.SplitN(l, "\t", 2)[0])
			}
		}
		return got
	}
	check := func(got []string, want ...string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("completions %v, want %v", got, want)
		}
	}
	check(complete("check", "--profile", ""), "prod", "staging")
	check(complete("--profile", "st"), "staging")
	check(complete("use", ""), "prod", "staging")
	check(complete("export", "--format", ""), "env", "shell", "json")
	check(complete("--keyring-backend", "f"), "file")
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if code, out, _ := e.run("completion", shell); code != 0 || !strings.Contains(out, "cxone-auth") {
			t.Errorf("completion %s: exit %d", shell, code)
		}
	}
}

func TestUseMakesTheDefault(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for _, n := range []string{"first", "prod"} {
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", n); code != 0 {
			t.Fatalf("setup %s: %s", n, stderr)
		}
	}
	_, out, _ := e.run("list")
	if !strings.Contains(out, "first (default)") || strings.Contains(out, "*") {
		t.Errorf("list before use:\n%s", out)
	}
	if code, _, stderr := e.run("use", "prod"); code != 0 || !strings.Contains(stderr, `"prod" is now the default`) {
		t.Fatalf("use prod: exit %d: %s", code, stderr)
	}
	_, out, _ = e.run("list")
	if !strings.Contains(out, "prod (default)") || strings.Contains(out, "first (default)") {
		t.Errorf("list after use:\n%s", out)
	}
	// Commands without --profile now work on prod.
	e.srv.ResetRequests()
	code, out, _ := e.run("check", "--json")
	if code != 0 || parseCheck(t, out).Profiles[0].Profile != "prod" {
		t.Errorf("check after use: exit %d\n%s", code, out)
	}
	if code, _, _ := e.run("use", "nope"); code != 4 {
		t.Errorf("use of a missing profile: exit %d, want 4", code)
	}
}

// TestRemoveAsks answers remove's y/N prompt as a person on a terminal would.
func TestRemoveAsks(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "gone"); code != 0 {
		t.Fatal(stderr)
	}
	for _, answer := range []string{"n\n", "\n", "nope\n", ""} {
		io := testStreams(strings.NewReader(answer), nil, nil)
		io.SetStdinTTY(true)
		code, _, stderr := e.runIn(io, "remove", "--profile", "gone")
		if code != 130 || !strings.Contains(stderr, "[y/N]") || !strings.Contains(stderr, "nothing removed") {
			t.Errorf("answer %q: exit %d, want 130 and nothing removed\n%s", answer, code, stderr)
		}
	}
	if _, out, _ := e.run("list"); !strings.Contains(out, "gone") {
		t.Fatal("a refused remove removed the profile")
	}
	io := testStreams(strings.NewReader("y\n"), nil, nil)
	io.SetStdinTTY(true)
	if code, _, stderr := e.runIn(io, "remove", "--profile", "gone"); code != 0 || !strings.Contains(stderr, `Removed profile "gone"`) {
		t.Fatalf("answer y: exit %d\n%s", code, stderr)
	}
}

func TestEnvFileFromStdin(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	c := cxonetest.DefaultCredentials
	body := "CXONE_CLIENT_ID=" + c.ClientID + "\nCXONE_CLIENT_SECRET=" + c.ClientSecret +
		"\nCXONE_ACCESS_KEY_ID=" + c.AccessKeyID + "\nCXONE_ACCESS_KEY_SECRET=" + c.AccessKeySecret + "\n"
	code, out, stderr := e.runIn(testStreams(strings.NewReader(body), nil, nil), "check", "--env-file", "-", "--json")
	if code != 0 || parseCheck(t, out).Profiles[0].Status != "valid" {
		t.Fatalf("check --env-file -: exit %d\n%s\n%s", code, out, stderr)
	}
	code, _, stderr = e.runIn(testStreams(strings.NewReader(body), nil, nil), "setup", "--env-file", "-", "--profile", "piped")
	if code != 0 || !strings.Contains(stderr, `Saved profile "piped"`) {
		t.Fatalf("setup --env-file -: exit %d\n%s", code, stderr)
	}
	code, _, stderr = e.runIn(testStreams(strings.NewReader("CXONE_CLIENT_ID=x\n"), nil, nil), "check", "--env-file", "-")
	if code != 2 || !strings.Contains(stderr, "stdin: missing or empty") {
		t.Errorf("incomplete stdin: exit %d\n%s", code, stderr)
	}
}

// TestCheckIssuerOnStoredProfile: --issuer does not silently lose to the stored issuer.
func TestCheckIssuerOnStoredProfile(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := e.run("check", "--profile", "prod", "--issuer", "https://cxone-gov.niceincontact.com")
	if code != 0 || !strings.Contains(stderr, "stored issuer "+e.srv.URL) || !strings.Contains(stderr, "setup --profile prod") {
		t.Errorf("exit %d, want a warning naming the stored issuer and how to change it\n%s", code, stderr)
	}
}

func TestCheckAllOneLineAProfile(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for _, n := range []string{"a", "b", "c"} {
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", n); code != 0 {
			t.Fatal(stderr)
		}
	}
	code, out, _ := e.run("check", "--all")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("check --all: exit %d, %d lines, want 3\n%s", code, len(lines), out)
	}
	for i, n := range []string{"a", "b", "c"} {
		if f := strings.Fields(lines[i]); len(f) < 4 || f[0] != "✓" || f[1] != n || f[2] != cxonetest.DefaultUser.Tenant {
			t.Errorf("line %d: %q", i, lines[i])
		}
	}
	e.srv.SetKeyInactive(cxonetest.DefaultCredentials.AccessKeyID, true)
	code, out, _ = e.run("check", "--all")
	if code != 3 || strings.Count(out, "✗") != 3 || strings.Count(out, "access key rejected") != 3 || !strings.Contains(out, "0 of 3 valid") ||
		strings.Count(out, cxonetest.DefaultUser.Tenant) != 3 {
		t.Errorf("check --all, key revoked: exit %d, want 3 rejected lines naming the tenant\n%s", code, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("a line is %d columns: %q", w, l)
		}
	}
}

// TestOptionsParsing checks what a command line parses to, without running anything.
func TestOptionsParsing(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	f := &Factory{IO: testStreams(strings.NewReader(""), io.Discard, io.Discard), Env: EnvFromMap(e.vars)}
	var got *ExportOptions
	cmd := newExportCmd(f, func(_ context.Context, o *ExportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--format", "json", "-o", "x.json", "--force", "--with-token", "--fresh"})
	cmd.SetOut(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Format != "json" || got.Output != "x.json" || !got.Force || !got.WithToken || !got.Fresh {
		t.Errorf("export options: %+v", got)
	}
	var ex *ExecOptions
	cmd = newExecCmd(f, func(_ context.Context, o *ExecOptions) error { ex = o; return nil })
	cmd.SetArgs([]string{"--token-only", "--", "env", "--token-only"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if ex == nil || !ex.TokenOnly || strings.Join(ex.Args, " ") != "env --token-only" {
		t.Errorf("exec options: %+v", ex)
	}
}

// TestErrorsArePrintedOnce: one line per failure, and for scripts no styling.
func TestErrorsArePrintedOnce(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	code, out, stderr := e.run("token", "--profile", "missing")
	if code != 4 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, `cxone-auth: no profile "missing"`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if bytes.ContainsRune([]byte(stderr), 0x1b) {
		t.Error("an error on a pipe carries escape sequences")
	}
}

// TestListShowsOrphans: a keyring item whose config entry is gone (a setup killed between its
// two writes) is shown by list, with what to do about it, without asking for a passphrase.
func TestListShowsOrphans(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for _, n := range []string{"kept", "lost"} {
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", n); code != 0 {
			t.Fatal(stderr)
		}
	}
	cfgPath := e.vars["CXONE_CONFIG_DIR"] + "/config.json"
	var cfg map[string]any
	b, err := os.ReadFile(cfgPath)
	if err != nil || json.Unmarshal(b, &cfg) != nil {
		t.Fatal(err)
	}
	delete(cfg["profiles"].(map[string]any), "lost")
	b, _ = json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")
	code, out, stderr := e.run("list")
	if code != 0 || !strings.Contains(stderr, `Keyring item "lost" has no profile`) || strings.Contains(out, "lost") {
		t.Fatalf("list: exit %d\nstdout:%s\nstderr:%s", code, out, stderr)
	}
	_, out, _ = e.run("list", "--json")
	if !strings.Contains(out, `"orphans": [`) || !strings.Contains(out, `"lost"`) {
		t.Errorf("list --json lacks the orphan:\n%s", out)
	}
	e.vars["CXONE_KEYRING_PASSPHRASE"] = "correct horse battery staple"
	if code, _, stderr := e.run("remove", "--profile", "lost", "--yes"); code != 0 {
		t.Fatalf("remove of the orphan: exit %d: %s", code, stderr)
	}
	if _, _, stderr := e.run("list"); strings.Contains(stderr, "has no profile") {
		t.Errorf("the orphan is still listed after remove:\n%s", stderr)
	}
}
