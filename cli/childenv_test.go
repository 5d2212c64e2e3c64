package cli

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

func envLines(out string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

// TestExecChildGetsNoPassphrase is the attack of a tool run for one profile reading the
// passphrase that opens every profile, or a stale CXONE_* value shadowing the profile's.
func TestExecChildGetsNoPassphrase(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "staging"); code != 0 {
		t.Fatal(stderr)
	}
	e.vars["CXONE_CLIENT_SECRET"] = "STALE-FROM-THE-PARENT"
	e.vars["CXONE_SOMETHING_ELSE"] = "stale"
	e.vars["Cxone_Mixed_Case"] = "stale"
	e.vars["UNRELATED"] = "kept"
	// The Cyclr partner's API client, exported for `cyclr login --from-env`.
	e.vars["CYCLR_CLIENT_SECRET"] = "s3cr3t-cyclr-from-the-parent"
	e.vars["CYCLR_CLIENT_ID"] = "cyclr-client-id"
	e.vars["Cyclr_Api_Domain"] = "https://api.cyclr.com"
	code, out, stderr := e.run("exec", "--profile", "staging", "--", "env")
	if code != 0 {
		t.Fatalf("exec env: exit %d: %s", code, stderr)
	}
	child := envLines(out)
	for _, name := range []string{"CXONE_KEYRING_PASSPHRASE", "CXONE_SOMETHING_ELSE", "Cxone_Mixed_Case", "CXONE_CONFIG_DIR", "CXONE_KEYRING_DIR",
		"CYCLR_CLIENT_SECRET", "CYCLR_CLIENT_ID", "Cyclr_Api_Domain"} {
		if _, ok := child[name]; ok {
			t.Errorf("the child got %s", name)
		}
	}
	if strings.Contains(out, e.vars["CXONE_KEYRING_PASSPHRASE"]) {
		t.Error("the passphrase is in the child's environment")
	}
	if strings.Contains(out, "s3cr3t-cyclr-from-the-parent") {
		t.Error("the Cyclr client secret is in the child's environment")
	}
	// The default (changed on purpose, docs/exec-refresh.md): the token, its expiry, the non-secret
	// variables and CXONE_PROFILE; neither secret, and the stale parent value is gone too.
	if child["UNRELATED"] != "kept" || child["CXONE_ACCESS_TOKEN"] == "" || child["CXONE_ACCESS_TOKEN_EXPIRES_AT"] == "" ||
		child["CXONE_CLIENT_ID"] == "" || child["CXONE_PROFILE"] != "staging" {
		t.Errorf("child environment: UNRELATED %q, token set %v, expiry %q, client id set %v, profile %q", child["UNRELATED"],
			child["CXONE_ACCESS_TOKEN"] != "", child["CXONE_ACCESS_TOKEN_EXPIRES_AT"], child["CXONE_CLIENT_ID"] != "", child["CXONE_PROFILE"])
	}
	noSecrets := func(what string, child map[string]string, out string) {
		t.Helper()
		for _, name := range []string{"CXONE_CLIENT_SECRET", "CXONE_ACCESS_KEY_SECRET"} {
			if _, ok := child[name]; ok {
				t.Errorf("%s: the child got %s", what, name)
			}
		}
		if strings.Contains(out, cxonetest.DefaultCredentials.ClientSecret) || strings.Contains(out, cxonetest.DefaultCredentials.AccessKeySecret) ||
			strings.Contains(out, "STALE-FROM-THE-PARENT") {
			t.Errorf("%s: a secret reached the child", what)
		}
	}
	noSecrets("exec", child, out)

	// --token-only, the old name of the default, is still accepted and changes nothing.
	code, out, _ = e.run("exec", "--profile", "staging", "--token-only", "--", "env")
	child = envLines(out)
	if code != 0 || child["CXONE_ACCESS_TOKEN"] == "" || child["CXONE_CLIENT_ID"] == "" {
		t.Fatalf("--token-only: exit %d, token or client id missing", code)
	}
	noSecrets("--token-only", child, out)

	// --with-secrets adds the profile's two secrets (not the parent's stale one).
	code, out, _ = e.run("exec", "--profile", "staging", "--with-secrets", "--", "env")
	child = envLines(out)
	if code != 0 || child["CXONE_CLIENT_SECRET"] != cxonetest.DefaultCredentials.ClientSecret ||
		child["CXONE_ACCESS_KEY_SECRET"] != cxonetest.DefaultCredentials.AccessKeySecret || child["CXONE_ACCESS_TOKEN"] == "" {
		t.Errorf("--with-secrets: exit %d, client secret right %v, access key secret right %v", code,
			child["CXONE_CLIENT_SECRET"] == cxonetest.DefaultCredentials.ClientSecret, child["CXONE_ACCESS_KEY_SECRET"] == cxonetest.DefaultCredentials.AccessKeySecret)
	}
	if code, _, _ := e.run("exec", "--with-secrets", "--token-only", "--", "true"); code != 2 {
		t.Errorf("--with-secrets --token-only: exit %d, want 2", code)
	}
}

// TestExecRealBinaryRestoresDBus runs the built binary: the D-Bus address the product sets for
// itself (so the keyring library never launches a daemon) is not what its child sees.
func TestExecRealBinaryRestoresDBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the D-Bus guard acts on Linux sessions only")
	}
	bin := buildBinary(t)
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	runBin := func(extra map[string]string, args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = nil
		for k, v := range e.vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		for k, v := range extra {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.Output()
		return string(out), err
	}
	if out, err := runBin(nil, "setup", "--env-file", p); err != nil {
		t.Fatalf("setup: %v %s", err, out)
	}
	// No bus at all: the guard disables D-Bus for itself; the child must see no address.
	out, err := runBin(nil, "exec", "--", "env")
	if err != nil {
		t.Fatal(err)
	}
	child := envLines(out)
	if v, ok := child["DBUS_SESSION_BUS_ADDRESS"]; ok {
		t.Errorf("the child got DBUS_SESSION_BUS_ADDRESS=%q, which its parent never had", v)
	}
	if _, ok := child["CXONE_KEYRING_PASSPHRASE"]; ok || strings.Contains(out, e.vars["CXONE_KEYRING_PASSPHRASE"]) {
		t.Error("the passphrase reached the child")
	}
	// A systemd user bus: the guard points itself at it; the child again gets the original.
	run := t.TempDir()
	l, err := net.Listen("unix", filepath.Join(run, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out, err = runBin(map[string]string{"XDG_RUNTIME_DIR": run}, "exec", "--", "env")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := envLines(out)["DBUS_SESSION_BUS_ADDRESS"]; ok {
		t.Errorf("the child got DBUS_SESSION_BUS_ADDRESS=%q, which its parent never had", v)
	}
	// An address the user set is passed on untouched.
	out, err = runBin(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "disabled:"}, "exec", "--", "env")
	if err != nil || envLines(out)["DBUS_SESSION_BUS_ADDRESS"] != "disabled:" {
		t.Errorf("the user's own D-Bus address was not passed on: %v", err)
	}
}

func waitBriefly() { time.Sleep(10 * time.Millisecond) }

// buildBinary is the built cxone-auth (testBinary: built once per test binary run).
func buildBinary(t *testing.T) string { return testBinary(t) }

// TestBrowserOpenerGetsNoSecrets: the child that opens the registration link gets the user's
// environment without any CXONE_* variable.
func TestBrowserOpenerGetsNoSecrets(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the Linux opener")
	}
	dir := t.TempDir()
	dump := filepath.Join(dir, "env.txt")
	script := "#!/bin/sh\nenv > " + dump + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := EnvFromMap(map[string]string{"PATH": dir + ":/usr/bin:/bin", "DISPLAY": ":0",
		"CXONE_KEYRING_PASSPHRASE": "a passphrase that opens everything", "CXONE_CLIENT_SECRET": "s"})
	open := browserOpener(env)
	if open == nil {
		t.Fatal("no opener although xdg-open is on PATH and DISPLAY is set")
	}
	if err := open("https://example.invalid"); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for range 200 { // the opener is started, not waited for
		if b, err := os.ReadFile(dump); err == nil && len(b) > 0 {
			got = b
			break
		}
		waitBriefly()
	}
	if len(got) == 0 {
		t.Fatal("the opener did not run")
	}
	if strings.Contains(string(got), "CXONE_") {
		t.Errorf("the browser opener got CXONE_* variables:\n%s", got)
	}
}
