package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// statelessSandbox is a home of its own for the built binary: HOME, every XDG folder and
// TMPDIR inside one folder, so a snapshot of that folder sees every file a run leaves.
type statelessSandbox struct {
	t    *testing.T
	bin  string
	root string
	env  map[string]string
	srv  *cxonetest.Server
}

func newStatelessSandbox(t *testing.T) *statelessSandbox {
	t.Helper()
	return newStatelessSandboxWith(t, cxonetest.Config{})
}

func newStatelessSandboxWith(t *testing.T, cfg cxonetest.Config) *statelessSandbox {
	t.Helper()
	root := t.TempDir()
	sb := &statelessSandbox{t: t, bin: testBinary(t), root: root, srv: cxonetest.Start(t, cfg)}
	sb.env = map[string]string{
		"PATH":                     os.Getenv("PATH"),
		"DBUS_SESSION_BUS_ADDRESS": "disabled:",
		"CXONE_ISSUER":             sb.srv.URL,
		"CXONE_KEYRING_BACKEND":    "file",
		"CXONE_TIMEOUT":            "5s",
	}
	for _, name := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "TMPDIR"} {
		dir := filepath.Join(root, strings.ToLower(name))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		sb.env[name] = dir
	}
	return sb
}

func (sb *statelessSandbox) run(stdin string, extra map[string]string, args ...string) (int, string, string) {
	sb.t.Helper()
	cmd := exec.Command(sb.bin, args...)
	for k, v := range sb.env {
		if _, over := extra[k]; !over {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	for k, v := range extra {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		sb.t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// snapshot lists every file and folder under the sandbox with its mode, size and time.
func (sb *statelessSandbox) snapshot() []string {
	sb.t.Helper()
	var out []string
	err := filepath.WalkDir(sb.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sb.root, p)
		out = append(out, fmt.Sprintf("%s %v %d %d", rel, fi.Mode(), fi.Size(), fi.ModTime().UnixNano()))
		return nil
	})
	if err != nil {
		sb.t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func credentialVars(c cxonetest.Credentials) map[string]string {
	return map[string]string{"CXONE_CLIENT_ID": c.ClientID, "CXONE_CLIENT_SECRET": c.ClientSecret,
		"CXONE_ACCESS_KEY_ID": c.AccessKeyID, "CXONE_ACCESS_KEY_SECRET": c.AccessKeySecret}
}

// TestStatelessLeavesNothing is the CI runner that must keep no trace of the credentials it
// was handed: token, exec and export with --from-env or --env-file get a live token and
// leave no file anywhere under HOME, the XDG folders or the temp folder, and never read the
// keyring (a stored profile's keyring sits there, and no passphrase is given: a read would
// fail, a write would show in the snapshot).
func TestStatelessLeavesNothing(t *testing.T) {
	sb := newStatelessSandbox(t)
	creds := cxonetest.DefaultCredentials
	envFile := filepath.Join(sb.root, "ci.env")
	var body strings.Builder
	for _, k := range credentialNames {
		body.WriteString(k + "=" + credentialVars(creds)[k] + "\n")
	}
	if err := os.WriteFile(envFile, []byte(body.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// A stored profile, so that a command that read or updated the store would have one.
	if code, _, stderr := sb.run("", map[string]string{"CXONE_KEYRING_PASSPHRASE": "correct horse battery staple"}, "setup", "--env-file", envFile); code != 0 {
		t.Fatalf("setup: exit %d: %s", code, stderr)
	}
	before := sb.snapshot()
	fromEnv := credentialVars(creds)
	for _, c := range []struct {
		stdin string
		extra map[string]string
		args  []string
		check func(out string) bool
	}{
		{"", fromEnv, []string{"token", "--from-env"}, func(out string) bool { return strings.Count(out, ".") == 2 }},
		{"", nil, []string{"token", "--env-file", envFile}, func(out string) bool { return strings.Count(out, ".") == 2 }},
		{body.String(), nil, []string{"token", "--env-file", "-"}, func(out string) bool { return strings.Count(out, ".") == 2 }},
		{"", nil, []string{"export", "--env-file", envFile, "--format", "json", "--with-token"}, func(out string) bool {
			return strings.Contains(out, `"CXONE_ACCESS_TOKEN"`) && strings.Contains(out, `"CXONE_API_ENDPOINT": "`+sb.srv.URL)
		}},
		{"", fromEnv, []string{"export", "--from-env"}, func(out string) bool {
			return strings.Contains(out, "CXONE_CLIENT_ID="+creds.ClientID) && !strings.Contains(out, "CXONE_ACCESS_TOKEN")
		}},
		{"", fromEnv, []string{"exec", "--from-env", "--", "sh", "-c", `test -n "$CXONE_ACCESS_TOKEN" && test -z "$CXONE_CLIENT_SECRET" && echo ran`}, func(out string) bool { return out == "ran\n" }},
		{"", nil, []string{"exec", "--env-file", envFile, "--with-secrets", "--", "sh", "-c", `test "$CXONE_ACCESS_KEY_SECRET" = "$1" && echo ran`, "_", creds.AccessKeySecret}, func(out string) bool { return out == "ran\n" }},
	} {
		sb.srv.ResetRequests()
		code, out, stderr := sb.run(c.stdin, c.extra, c.args...)
		if code != 0 || !c.check(out) {
			t.Errorf("%v: exit %d, output as expected %v\nstderr: %s", c.args, code, c.check(out), stderr)
		}
		if n := len(sb.srv.RequestsTo(cxonetest.EndpointToken)); n != 1 {
			t.Errorf("%v: %d token requests, want 1 (a live token, no cache)", c.args, n)
		}
		if strings.Contains(stderr, "stored profile") {
			t.Errorf("%v: the notice about a stored profile: %s", c.args, stderr)
		}
		if after := sb.snapshot(); !slicesEqual(before, after) {
			t.Errorf("%v changed the sandbox:\nbefore %v\nafter  %v", c.args, before, after)
		}
	}
	// Rejected credentials from the environment: exit 3, and still nothing left behind.
	bad := creds
	bad.AccessKeySecret = "WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWR===="
	if code, _, _ := sb.run("", credentialVars(bad), "token", "--from-env"); code != 3 {
		t.Errorf("token --from-env with a wrong secret: exit %d, want 3", code)
	}
	if after := sb.snapshot(); !slicesEqual(before, after) {
		t.Errorf("a rejected token --from-env changed the sandbox")
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

// TestStoredProfileNoticeWhenEnvHasCredentials: with the four credentials in the environment
// and neither --from-env nor --profile, token, exec and export use the stored profile and say
// so in one line on stderr; --profile or --from-env silence it.
func TestStoredProfileNoticeWhenEnvHasCredentials(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p); code != 0 {
		t.Fatal(stderr)
	}
	for k, v := range credentialVars(cxonetest.DefaultCredentials) {
		e.vars[k] = v
	}
	const notice = "--from-env would use them"
	for _, args := range [][]string{{"token"}, {"export"}, {"exec", "--", "true"}} {
		code, _, stderr := e.run(args...)
		if code != 0 || strings.Count(stderr, notice) != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `"default"`) {
			t.Errorf("%v: exit %d, want one notice line naming the profile, got %q", args, code, stderr)
		}
		withProfile := append([]string{"--profile", "default"}, args...)
		if _, _, stderr := e.run(withProfile...); strings.Contains(stderr, notice) {
			t.Errorf("%v: notice despite --profile", withProfile)
		}
	}
	if _, _, stderr := e.run("token", "--from-env"); strings.Contains(stderr, notice) {
		t.Errorf("token --from-env printed the notice")
	}
	delete(e.vars, "CXONE_ACCESS_KEY_SECRET")
	if _, _, stderr := e.run("token"); strings.Contains(stderr, notice) {
		t.Errorf("notice with only three of the four variables set")
	}
	if code, _, stderr := e.run("token", "--from-env"); code != 2 || !strings.Contains(stderr, "CXONE_ACCESS_KEY_SECRET") {
		t.Errorf("token --from-env with a variable missing: exit %d, %q", code, stderr)
	}
	if code, _, _ := e.run("token", "--from-env", "--env-file", p); code != 2 {
		t.Errorf("--from-env with --env-file: exit %d, want 2", code)
	}
}
