package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// cliEnv is a sandbox for running the command line in-process: its own config and keyring
// folders, the encrypted-file backend with a passphrase from the environment, and an emulator.
type cliEnv struct {
	t    testing.TB
	srv  *cxonetest.Server
	dir  string
	vars map[string]string
}

func newCLIEnv(t testing.TB, cfg cxonetest.Config) *cliEnv {
	t.Helper()
	dir := t.TempDir()
	e := &cliEnv{t: t, srv: cxonetest.Start(t, cfg), dir: dir}
	e.vars = map[string]string{
		"PATH":                     os.Getenv("PATH"),
		"HOME":                     dir,
		"CXONE_ISSUER":             e.srv.URL,
		"CXONE_CONFIG_DIR":         filepath.Join(dir, "config"),
		"CXONE_KEYRING_DIR":        filepath.Join(dir, "keyring"),
		"CXONE_KEYRING_BACKEND":    "file",
		"CXONE_KEYRING_PASSPHRASE": "correct horse battery staple",
		"CXONE_TIMEOUT":            "5s",
	}
	return e
}

// run executes one command line and returns the exit code, stdout and stderr.
func (e *cliEnv) run(args ...string) (int, string, string) {
	e.t.Helper()
	return e.runIn(testStreams(strings.NewReader(""), nil, nil), args...)
}

// runIn is run with the given streams (their Out and ErrOut are replaced by buffers).
func (e *cliEnv) runIn(io *IOStreams, args ...string) (int, string, string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	io.Out, io.ErrOut = &out, &errb
	code := Main(context.Background(), args, io, EnvFromMap(e.vars))
	return code, out.String(), errb.String()
}

// writeEnvFile writes credentials as an env file and returns its path.
func (e *cliEnv) writeEnvFile(name string, c cxonetest.Credentials) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	body := "CXONE_CLIENT_ID=" + c.ClientID + "\nCXONE_CLIENT_SECRET=" + c.ClientSecret +
		"\nCXONE_ACCESS_KEY_ID=" + c.AccessKeyID + "\nCXONE_ACCESS_KEY_SECRET=" + c.AccessKeySecret + "\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

type checkJSON struct {
	Profiles []struct {
		Profile        string   `json:"profile"`
		Status         string   `json:"status"`
		ClientID       string   `json:"client_id"`
		AccessKeyID    string   `json:"access_key_id"`
		User           string   `json:"user"`
		Tenant         string   `json:"tenant"`
		BusinessUnitID int64    `json:"business_unit_id"`
		APIEndpoint    string   `json:"api_endpoint"`
		AuthMethod     string   `json:"auth_method"`
		Warnings       []string `json:"warnings"`
		Error          *struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"profiles"`
}

func parseCheck(t *testing.T, out string) checkJSON {
	t.Helper()
	var c checkJSON
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("check --json output is not JSON: %v\n%s", err, out)
	}
	return c
}

func TestCheckEnvFile(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	good := e.writeEnvFile("good.env", cxonetest.DefaultCredentials)
	bad := cxonetest.DefaultCredentials
	bad.AccessKeySecret = "WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWR===="
	badPath := e.writeEnvFile("bad.env", bad)
	badClient := cxonetest.DefaultCredentials
	badClient.ClientSecret = "0000000000000000000000000000000000"
	badClientPath := e.writeEnvFile("badclient.env", badClient)

	code, out, stderr := e.run("check", "--env-file", good)
	if code != 0 {
		t.Fatalf("check good: exit %d, want 0\nstdout:%s\nstderr:%s", code, out, stderr)
	}
	for _, want := range []string{"credentials are valid", cxonetest.DefaultUser.Name, cxonetest.DefaultUser.Tenant, "API endpoint"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = e.run("check", "--env-file", good, "--json")
	if code != 0 {
		t.Fatalf("check --json: exit %d", code)
	}
	c := parseCheck(t, out)
	if len(c.Profiles) != 1 || c.Profiles[0].Status != "valid" || c.Profiles[0].Error != nil {
		t.Fatalf("got %+v, want one valid profile", c)
	}
	p := c.Profiles[0]
	if p.BusinessUnitID != cxonetest.DefaultUser.BusinessUnitID || p.APIEndpoint != e.srv.URL || p.AuthMethod != "client_secret_basic" {
		t.Errorf("got bu %d api %q method %q", p.BusinessUnitID, p.APIEndpoint, p.AuthMethod)
	}
	// JSON gives the IDs in full for scripts; the text report masks them.
	if p.ClientID != cxonetest.DefaultCredentials.ClientID || p.AccessKeyID != cxonetest.DefaultCredentials.AccessKeyID {
		t.Errorf("client_id %q, access_key_id %q: want them in full", p.ClientID, p.AccessKeyID)
	}

	for _, tc := range []struct {
		path, kind string
	}{{badPath, "invalid_grant"}, {badClientPath, "invalid_client"}} {
		code, out, _ = e.run("check", "--env-file", tc.path, "--json")
		if code != 3 {
			t.Errorf("%s: exit %d, want 3", tc.kind, code)
		}
		c = parseCheck(t, out)
		if c.Profiles[0].Status != "rejected" || c.Profiles[0].Error == nil || c.Profiles[0].Error.Kind != tc.kind {
			t.Errorf("%s: got %+v", tc.kind, c.Profiles[0])
		}
		code, out, _ = e.run("check", "--env-file", tc.path)
		if code != 3 || !strings.Contains(out, "What to do") {
			t.Errorf("%s: human report exit %d, lacks advice:\n%s", tc.kind, code, out)
		}
	}
}

func TestCheckEnvFileBadInput(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	write := func(name, body string) string {
		p := filepath.Join(e.dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c := cxonetest.DefaultCredentials
	full := "CXONE_CLIENT_ID=" + c.ClientID + "\nCXONE_CLIENT_SECRET=" + c.ClientSecret + "\nCXONE_ACCESS_KEY_ID=" + c.AccessKeyID + "\nCXONE_ACCESS_KEY_SECRET=" + c.AccessKeySecret + "\n"
	tests := []struct {
		name, body string
		args       []string
		want       int
		msg        string
	}{
		{"missing variables", "CXONE_CLIENT_ID=" + c.ClientID + "\n", nil, 2, "CXONE_CLIENT_SECRET"},
		{"empty value", strings.Replace(full, "CXONE_CLIENT_SECRET="+c.ClientSecret, "CXONE_CLIENT_SECRET=   ", 1), nil, 2, "CXONE_CLIENT_SECRET"},
		{"duplicate key", full + "CXONE_CLIENT_ID=again\n", nil, 2, "CXONE_CLIENT_ID"},
		{"crlf and bom are fine", "\ufeff" + strings.ReplaceAll(full, "\n", "\r\n"), nil, 0, "valid"},
		{"quotes are fine", strings.Replace(full, "CXONE_CLIENT_ID="+c.ClientID, `CXONE_CLIENT_ID="`+c.ClientID+`"`, 1), nil, 0, "valid"},
		{"http issuer off loopback", full, []string{"--issuer", "http://cxone.example.com"}, 2, "https"},
		{"issuer not a URL", full, []string{"--issuer", "not a url"}, 2, "not a URL"},
		{"bad timeout", full, []string{"--timeout", "soon"}, 2, "timeout"},
		{"bad profile", full, []string{"--profile", "Bad Name"}, 2, "profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(strings.ReplaceAll(tt.name, " ", "_")+".env", tt.body)
			code, out, stderr := e.run(append([]string{"check", "--env-file", p}, tt.args...)...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\nstdout:%s\nstderr:%s", code, tt.want, out, stderr)
			}
			if !strings.Contains(out+stderr, tt.msg) {
				t.Errorf("output lacks %q:\nstdout:%s\nstderr:%s", tt.msg, out, stderr)
			}
		})
	}
	code, _, stderr := e.run("check", "--env-file", filepath.Join(e.dir, "nope.env"))
	if code != 2 || !strings.Contains(stderr, "nope.env") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
}

func TestCheckFaultsExitOne(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault cxonetest.Fault
		ep    cxonetest.Endpoint
		kind  string
	}{
		{"server error", cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503}, cxonetest.EndpointToken, "server"},
		{"html page", cxonetest.Fault{Kind: cxonetest.FaultHTML, Status: 502}, cxonetest.EndpointDiscovery, "server"},
		{"truncated", cxonetest.Fault{Kind: cxonetest.FaultTruncated}, cxonetest.EndpointToken, "protocol"},
		{"reset", cxonetest.Fault{Kind: cxonetest.FaultReset}, cxonetest.EndpointDiscovery, "network"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCLIEnv(t, cxonetest.Config{})
			e.srv.SetFault(tc.ep, tc.fault)
			p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
			code, out, _ := e.run("check", "--env-file", p, "--json")
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, out)
			}
			// One vocabulary: a network failure is "unreachable", any other failure "error".
			status := "error"
			if tc.kind == "network" {
				status = "unreachable"
			}
			if got := parseCheck(t, out).Profiles[0]; got.Status != status || got.Error == nil || got.Error.Kind != tc.kind {
				t.Errorf("got %+v, want %s of kind %s", got, status, tc.kind)
			}
		})
	}
}

// TestProfileRoundTrip is setup → list → check → export → token → exec → remove. It runs on
// the encrypted-file backend; .ci/backends.sh runs it again on the real Secret Service and pass
// in a throwaway session by setting CXONE_TEST_BACKEND.
func TestProfileRoundTrip(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	backend := "file"
	if b := os.Getenv("CXONE_TEST_BACKEND"); b != "" {
		backend = b
		e.vars["CXONE_KEYRING_BACKEND"] = b
		// The store reads the password store folder from the app's environment only.
		for _, k := range []string{"PASSWORD_STORE_DIR", "HOME"} {
			e.vars[k] = os.Getenv(k)
		}
	}
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, out, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
	}

	code, out, _ := e.run("list", "--json")
	if code != 0 || !strings.Contains(out, `"profile": "prod"`) || !strings.Contains(out, `"backend": "`+backend+`"`) ||
		strings.Contains(out, cxonetest.DefaultCredentials.ClientSecret) {
		t.Fatalf("list: exit %d, want profile prod on %s\n%s", code, backend, out)
	}
	t.Logf("round trip on the %s backend", backend)

	e.srv.ResetRequests()
	code, out, _ = e.run("check", "--profile", "prod", "--json")
	if code != 0 || parseCheck(t, out).Profiles[0].Status != "valid" {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	if n := len(e.srv.Requests()); n != 2 {
		t.Errorf("a check of a stored profile made %d requests, want 2 (token and proof)", n)
	}

	// env export parses back with bash.
	envOut := filepath.Join(e.dir, "out.env")
	if code, _, stderr := e.run("export", "--profile", "prod", "-o", envOut); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if fi, err := os.Stat(envOut); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v mode %v, want 0600", err, fi.Mode())
	}
	if code, _, stderr := e.run("export", "--profile", "prod", "-o", envOut); code == 0 || !strings.Contains(stderr, "--force") {
		t.Errorf("export over an existing file: exit %d, stderr %q; want a refusal naming --force", code, stderr)
	}
	got, err := exec.Command("bash", "-c", `set -a; . "$1"; printf '%s\n' "$CXONE_CLIENT_SECRET" "$CXONE_ACCESS_KEY_SECRET"`, "_", envOut).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := cxonetest.DefaultCredentials.ClientSecret + "\n" + cxonetest.DefaultCredentials.AccessKeySecret + "\n"; string(got) != want {
		t.Errorf("sourced env file gave %q, want %q", got, want)
	}

	code, out, _ = e.run("export", "--profile", "prod", "--format", "json", "--with-token")
	var m map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &m) != nil || m["CXONE_ACCESS_TOKEN"] == "" || m["CXONE_ACCESS_KEY_ID"] != cxonetest.DefaultCredentials.AccessKeyID {
		t.Errorf("export json --with-token: exit %d\n%s", code, out)
	}

	code, out, _ = e.run("token", "--profile", "prod")
	if code != 0 || strings.Count(out, ".") != 2 || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("token: exit %d, output %q; want one JWT line", code, out)
	}

	code, _, _ = e.run("exec", "--profile", "prod", "--", "sh", "-c", `test -n "$CXONE_ACCESS_TOKEN" && test "$CXONE_CLIENT_ID" = "$1" && exit 7`, "_", cxonetest.DefaultCredentials.ClientID)
	if code != 7 {
		t.Errorf("exec: exit %d, want the child's 7", code)
	}
	if code, _, _ = e.run("exec", "--profile", "prod", "--", "no-such-command-cxone"); code != 127 {
		t.Errorf("exec of a missing command: exit %d, want 127", code)
	}

	if code, _, _ = e.run("remove", "--profile", "prod"); code != 2 {
		t.Errorf("remove without a terminal or --yes: exit %d, want 2", code)
	}
	if code, _, stderr := e.run("remove", "--profile", "prod", "--yes"); code != 0 {
		t.Fatalf("remove: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{{"check", "--profile", "prod"}, {"token", "--profile", "prod"}, {"export", "--profile", "prod"}, {"remove", "--profile", "prod", "--yes"}} {
		if code, _, _ := e.run(args...); code != 4 {
			t.Errorf("%v after remove: exit %d, want 4", args, code)
		}
	}
}

func TestCheckAll(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	if code, _, _ := e.run("check", "--all"); code != 4 {
		t.Errorf("check --all with no profiles: exit %d, want 4", code)
	}
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for _, name := range []string{"a", "b", "c"} {
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", name); code != 0 {
			t.Fatalf("setup %s: exit %d: %s", name, code, stderr)
		}
	}
	code, out, _ := e.run("check", "--all", "--json")
	if c := parseCheck(t, out); code != 0 || len(c.Profiles) != 3 {
		t.Fatalf("check --all: exit %d, %d profiles", code, len(c.Profiles))
	}
	// Revoke the key: every profile is rejected.
	e.srv.SetKeyInactive(cxonetest.DefaultCredentials.AccessKeyID, true)
	if code, out, _ = e.run("check", "--all", "--json"); code != 3 {
		t.Errorf("check --all, key revoked: exit %d, want 3\n%s", code, out)
	}
}

func TestNoTerminal(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	code, _, stderr := e.run("setup")
	if code != 2 || !strings.Contains(stderr, "--from-env") || !strings.Contains(stderr, "--env-file") {
		t.Errorf("setup without a terminal: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = e.run()
	if code != 2 || !strings.Contains(stderr, "Usage") {
		t.Errorf("no arguments without a terminal: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ = e.run("check", "--no-such-flag"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
}
