package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/steps"
	"cxone-auth/store"
)

// TestCAFileTrustsTheTLSEmulator: the emulator's certificate in CXONE_CA_FILE makes a
// loopback https issuer work; without it the check fails on the certificate; a CXONE_CA_FILE
// inside an --env-file is not a trust setting (a file handed around must not change what is
// trusted); an unreadable CA file is a usage error that quotes nothing of it.
func TestCAFileTrustsTheTLSEmulator(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{TLS: true})
	ca := filepath.Join(e.dir, "emulator.pem")
	if err := os.WriteFile(ca, e.srv.CertificatePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	creds := e.writeEnvFile("good.env", cxonetest.DefaultCredentials)

	code, out, stderr := e.run("check", "--env-file", creds)
	if code == 0 || !strings.Contains(out+stderr, "certificate") || !strings.Contains(out+stderr, "set CXONE_CA_FILE") {
		t.Fatalf("without CXONE_CA_FILE: exit %d, want a certificate failure\n%s%s", code, out, stderr)
	}

	inFile := filepath.Join(e.dir, "with-ca.env")
	body, _ := os.ReadFile(creds)
	os.WriteFile(inFile, append(body, []byte("CXONE_CA_FILE="+ca+"\n")...), 0o600)
	if code, out, stderr := e.run("check", "--env-file", inFile); code == 0 {
		t.Fatalf("CXONE_CA_FILE from an env file was trusted:\n%s%s", out, stderr)
	}

	e.vars["CXONE_CA_FILE"] = ca
	if code, out, stderr := e.run("check", "--env-file", creds); code != 0 {
		t.Fatalf("with CXONE_CA_FILE: exit %d\n%s%s", code, out, stderr)
	}

	junk := filepath.Join(e.dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate\n"), 0o644)
	e.vars["CXONE_CA_FILE"] = junk
	code, out, stderr = e.run("check", "--env-file", creds)
	if code != 2 || !strings.Contains(stderr, "CXONE_CA_FILE") || strings.Contains(out+stderr, "not a certificate") {
		t.Fatalf("junk CA file: exit %d, want 2 naming CXONE_CA_FILE\n%s%s", code, out, stderr)
	}
}

// trustHostileIssuer is a loopback OIDC server that answers the token request with whatever
// token holds: a plain issuer (no tenant), enough for setup, token, export and exec.
type trustHostileIssuer struct {
	URL       string
	token     atomic.Pointer[string]
	expiresIn atomic.Int64 // 60 s unless set
}

func newTrustHostileIssuer(t *testing.T) *trustHostileIssuer {
	t.Helper()
	h := &trustHostileIssuer{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]any{"issuer": h.URL, "token_endpoint": h.URL + "/auth/token"})
		case "/auth/token":
			json.NewEncoder(w).Encode(map[string]any{"access_token": *h.token.Load(), "token_type": "Bearer", "expires_in": h.expiresIn.Load()})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	h.URL = ts.URL
	good := "good.token.value"
	h.token.Store(&good)
	h.expiresIn.Store(60)
	return h
}

// TestHostileTokenReachesNoTerminal is the attack of a hostile issuer: its access token is an
// OSC 52 sequence (it would set the terminal's clipboard) followed by a line break and a
// variable. token, export --with-token and exec must print nothing of it, fail, and cache
// nothing of it.
func TestHostileTokenReachesNoTerminal(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	h := newTrustHostileIssuer(t)
	e.vars["CXONE_ISSUER"] = h.URL
	creds := e.writeEnvFile("creds.env", cxonetest.DefaultCredentials)
	if code, out, stderr := e.run("setup", "--env-file", creds, "--profile", "hostile"); code != 0 {
		t.Fatalf("setup against the benign issuer: exit %d\n%s%s", code, out, stderr)
	}
	hostile := "\x1b]52;c;ZWNobyBwd25lZA==\x07\nCXONE_API_ENDPOINT=https://evil.example"
	h.token.Store(&hostile)
	marks := []string{"\x1b", "52;c", "ZWNobyBwd25lZA", "evil.example"}
	for _, args := range [][]string{
		{"token", "--profile", "hostile"},
		{"token", "--profile", "hostile", "--fresh"},
		{"export", "--profile", "hostile", "--with-token"},
		{"export", "--profile", "hostile", "--with-token", "--format", "json"},
		{"exec", "--profile", "hostile", "--", "sh", "-c", "printenv CXONE_ACCESS_TOKEN"},
	} {
		code, out, stderr := e.run(args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1 (protocol error)\n%s%s", args, code, out, stderr)
		}
		for _, m := range marks {
			if strings.Contains(out+stderr, m) {
				t.Errorf("%v printed %q of the hostile token:\nstdout %q\nstderr %q", args, m, out, stderr)
			}
		}
	}
	s, err := store.Open(store.Options{ConfigDir: e.vars["CXONE_CONFIG_DIR"], FileDir: e.vars["CXONE_KEYRING_DIR"], Backend: "file", Getenv: func(k string) string { return e.vars[k] }})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.Load(context.Background(), "hostile")
	if err != nil {
		t.Fatal(err)
	}
	if tok := sec.Cache.AccessToken; tok != "good.token.value" && tok != "" {
		t.Errorf("the keyring caches %q", tok)
	}
}

// TestTamperedConfigChoosesNoExportValue is the attack of someone who can write config.json:
// they point api_endpoint, tenant_id and business_unit_id elsewhere so that the next
// `export --with-token` or `exec` hands the token to their endpoint. Exports and exec take
// those values from the keyring item only, and leave out what it does not know.
func TestTamperedConfigChoosesNoExportValue(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	tamperConfig(t, e, "prod", func(prof map[string]any) {
		prof["api_endpoint"] = "https://evil.example"
		prof["tenant_id"] = "evil-tenant"
		prof["business_unit_id"] = 666
	})
	evil := []string{"evil.example", "evil-tenant", "666"}
	u := cxonetest.DefaultUser
	want := []string{"CXONE_API_ENDPOINT=" + e.srv.URL, "CXONE_TENANT_ID=" + u.TenantID,
		fmt.Sprintf("CXONE_BUSINESS_UNIT_ID=%d", u.BusinessUnitID), "CXONE_AREA=" + u.Area, "CXONE_CLUSTER=" + u.Cluster}
	runs := [][]string{
		{"export", "--profile", "prod"},
		{"export", "--profile", "prod", "--with-token"},
		{"export", "--profile", "prod", "--with-token", "--fresh"},
		{"exec", "--profile", "prod", "--", "env"},
		{"exec", "--profile", "prod", "--fresh", "--", "env"},
	}
	for _, args := range runs {
		code, out, stderr := e.run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		for _, s := range evil {
			if strings.Contains(out, s) {
				t.Errorf("%v: the value %q planted in config.json was exported", args, s)
			}
		}
		for _, w := range want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%v: lacks %s (from the keyring item)", args, w)
			}
		}
	}
	if code, out, _ := e.run("export", "--profile", "prod", "--format", "json"); code != 0 || !strings.Contains(out, `"CXONE_AREA": "`+u.Area+`"`) || !strings.Contains(out, `"CXONE_CLUSTER": "`+u.Cluster+`"`) {
		t.Errorf("json export lacks CXONE_AREA or CXONE_CLUSTER:\n%s", out)
	}

	// A keyring item that knows nothing of the tenant: the planted values are not a fallback.
	s, err := store.Open(store.Options{ConfigDir: e.vars["CXONE_CONFIG_DIR"], FileDir: e.vars["CXONE_KEYRING_DIR"], Backend: "file", Getenv: func(k string) string { return e.vars[k] }})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.Load(context.Background(), "prod")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateSecret(context.Background(), "prod", sec, func(x *store.Secret) { x.Cache = nil }); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := e.run("export", "--profile", "prod")
	if code != 0 {
		t.Fatalf("export without a cache: exit %d: %s", code, stderr)
	}
	for _, v := range []string{"CXONE_API_ENDPOINT", "CXONE_TENANT_ID", "CXONE_BUSINESS_UNIT_ID", "evil"} {
		if strings.Contains(out, v) {
			t.Errorf("export of an item without a cache has %s:\n%s", v, out)
		}
	}
}

// TestLooseConfigIsReported: a config folder or file that others can write (someone could
// have planted entries in it) is reported in one stderr line by the read-only commands.
func TestLooseConfigIsReported(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	dir := e.vars["CXONE_CONFIG_DIR"]
	cmds := [][]string{{"list"}, {"token", "--profile", "prod"}, {"export", "--profile", "prod"}, {"exec", "--profile", "prod", "--", "true"}}
	for _, args := range cmds {
		if _, _, stderr := e.run(args...); strings.Contains(stderr, "written by others") {
			t.Errorf("%v warns about a private config: %s", args, stderr)
		}
	}
	for _, loosen := range []struct{ path string }{{dir}, {filepath.Join(dir, "config.json")}} {
		fi, _ := os.Stat(loosen.path)
		os.Chmod(loosen.path, fi.Mode().Perm()|0o022)
		for _, args := range cmds {
			code, _, stderr := e.run(args...)
			if code != 0 || strings.Count(stderr, "can be written by others") != 1 || !strings.Contains(stderr, loosen.path) {
				t.Errorf("%v with %s group/other-writable: exit %d, stderr %q", args, loosen.path, code, stderr)
			}
		}
		os.Chmod(loosen.path, fi.Mode().Perm())
	}
}

// trustLoadSecret reads profile name's keyring item the way another process would.
func trustLoadSecret(t *testing.T, e *cliEnv, name string) store.Secret {
	t.Helper()
	s, err := store.Open(store.Options{ConfigDir: e.vars["CXONE_CONFIG_DIR"], FileDir: e.vars["CXONE_KEYRING_DIR"], Backend: "file", Getenv: func(k string) string { return e.vars[k] }})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.Load(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

// TestConcurrentSaveIsNotUndone is the lost update of two processes racing: process A runs
// `setup --env-file` against a slow issuer; while its check runs, process B rotates the
// profile's access key and succeeds. A must then refuse to save ("profile changed
// meanwhile", exit 1) instead of silently putting the old key back.
func TestConcurrentSaveIsNotUndone(t *testing.T) {
	bin := testBinary(t)
	e := newCLIEnv(t, cxonetest.Config{})
	slow := cxonetest.Start(t, cxonetest.Config{Latency: 600 * time.Millisecond})
	creds := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", creds, "--profile", "x"); code != 0 {
		t.Fatal(stderr)
	}
	newID, newSecret := "NEWKEYIDABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLM====", "NEWSECRETQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVWXYZ2====="
	e.srv.AddAccessKey(newID, newSecret, cxonetest.DefaultUser)
	keyFile := filepath.Join(e.dir, "new-key.env")
	os.WriteFile(keyFile, []byte("CXONE_ACCESS_KEY_ID="+newID+"\nCXONE_ACCESS_KEY_SECRET="+newSecret+"\n"), 0o600)

	var aOut, aErr bytes.Buffer
	a := exec.Command(bin, "setup", "--env-file", creds, "--profile", "x", "--issuer", slow.URL)
	a.Env, a.Stdout, a.Stderr = e.environ(), &aOut, &aErr
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	// B starts once A's check is under way (A's first request reached the slow issuer).
	deadline := time.Now().Add(10 * time.Second)
	for len(slow.Requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	b := exec.Command(bin, "setup", "--rotate", "--env-file", keyFile, "--profile", "x")
	b.Env = e.environ()
	if out, err := b.CombinedOutput(); err != nil {
		t.Fatalf("B (rotation): %v\n%s", err, out)
	}
	aCode := 0
	if err := a.Wait(); err != nil {
		aCode = a.ProcessState.ExitCode()
	}
	if len(slow.Requests()) < 2 {
		t.Fatalf("A finished its check before B began (%d requests): the race was not staged", len(slow.Requests()))
	}
	sec := trustLoadSecret(t, e, "x")
	if sec.AccessKeyID != newID || sec.Issuer != e.srv.URL {
		t.Errorf("B's rotation was undone: the profile has access key %s… at %s (A exited %d: %s)", sec.AccessKeyID[:8], sec.Issuer, aCode, aErr.String())
	}
	if aCode != 1 || !strings.Contains(aErr.String(), "changed meanwhile") {
		t.Errorf("A: exit %d, want 1 saying the profile changed meanwhile\n%s", aCode, aErr.String())
	}
	if strings.Count(aErr.String(), `save profile "x"`) > 1 {
		t.Errorf("the error names the profile twice: %s", aErr.String())
	}
}

// TestWizardSaveIsACompareAndSwap: the wizard's save (through the adapter of cli/deps.go)
// refuses when, after its flow started, another process rotated the profile it edits or
// created the profile it was about to create.
func TestWizardSaveIsACompareAndSwap(t *testing.T) {
	bin := testBinary(t)
	e := newCLIEnv(t, cxonetest.Config{})
	creds := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", creds, "--profile", "x"); code != 0 {
		t.Fatal(stderr)
	}
	newID, newSecret := "NEWKEYIDABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLM====", "NEWSECRETQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVWXYZ2====="
	e.srv.AddAccessKey(newID, newSecret, cxonetest.DefaultUser)
	keyFile := filepath.Join(e.dir, "new-key.env")
	os.WriteFile(keyFile, []byte("CXONE_ACCESS_KEY_ID="+newID+"\nCXONE_ACCESS_KEY_SECRET="+newSecret+"\n"), 0o600)

	f := &Factory{IO: testStreams(strings.NewReader(""), io.Discard, io.Discard), Env: EnvFromMap(e.vars)}
	root := newRootCmd(f)
	if err := f.prepare(root, f.flags); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deps := f.wizardDeps()                     // the wizard starts: no profile "y"
	stored, err := deps.Manager.Load(ctx, "x") // an edit of "x" starts from its item
	if err != nil {
		t.Fatal(err)
	}
	other := func(args ...string) {
		c := exec.Command(bin, args...)
		c.Env = e.environ()
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	other("setup", "--rotate", "--env-file", keyFile, "--profile", "x")
	other("setup", "--env-file", creds, "--profile", "y")

	for _, name := range []string{"x", "y"} {
		req := steps.SaveRequest{Profile: name, Issuer: stored.Issuer, Creds: stored.Creds, Backend: store.BackendFile}
		if err := deps.Saver.Save(ctx, req); !errors.Is(err, store.ErrProfileChanged) {
			t.Errorf("wizard save of %q after another process changed it: %v, want ErrProfileChanged", name, err)
		}
	}
	if sec := trustLoadSecret(t, e, "x"); sec.AccessKeyID != newID {
		t.Errorf("the wizard undid the rotation of x")
	}
	// Removed from the profiles screen, then set up again in the same run: no conflict.
	if err := deps.Manager.Remove(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if err := deps.Saver.Save(ctx, steps.SaveRequest{Profile: "x", Issuer: stored.Issuer, Creds: stored.Creds, Backend: store.BackendFile}); err != nil {
		t.Errorf("save of x after this run removed it: %v", err)
	}
	// A profile the flow knows as it is now saves: a second save of a just-saved profile too.
	req := steps.SaveRequest{Profile: "z", Issuer: stored.Issuer, Creds: stored.Creds, Backend: store.BackendFile}
	for i := 0; i < 2; i++ {
		if err := deps.Saver.Save(ctx, req); err != nil {
			t.Fatalf("save %d of a new profile z: %v", i+1, err)
		}
	}
}

// trustUnsignedJWT is an unsigned JWT with exp (claims are read without verification).
func trustUnsignedJWT(sub string, exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(map[string]any{"sub": sub, "exp": exp.Unix()})
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc(payload) + ".c2ln"
}

// TestCachedTokenNeverOutlivesItsExp is the attack of an issuer whose expires_in (an hour)
// outlives the exp of the token it signed (two minutes): the cache must not hand that token
// out again as if it had an hour left, and a token that has already expired is never printed.
func TestCachedTokenNeverOutlivesItsExp(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	h := newTrustHostileIssuer(t)
	h.expiresIn.Store(3600)
	e.vars["CXONE_ISSUER"] = h.URL
	creds := e.writeEnvFile("creds.env", cxonetest.DefaultCredentials)
	if code, out, stderr := e.run("setup", "--env-file", creds, "--profile", "p"); code != 0 {
		t.Fatalf("setup: exit %d\n%s%s", code, out, stderr)
	}
	short := trustUnsignedJWT("first", time.Now().Add(2*time.Minute))
	h.token.Store(&short)
	code, out, stderr := e.run("token", "--profile", "p", "--fresh")
	if code != 0 || strings.TrimSpace(out) != short {
		t.Fatalf("token --fresh: exit %d\n%s%s", code, out, stderr)
	}
	next := trustUnsignedJWT("second", time.Now().Add(time.Hour))
	h.token.Store(&next)
	if code, out, _ := e.run("token", "--profile", "p"); code != 0 || strings.TrimSpace(out) != next {
		t.Errorf("the cached token with two minutes left by its exp was handed out again (exit %d): got %.20q…", code, out)
	}

	expired := trustUnsignedJWT("expired", time.Now().Add(-time.Hour))
	h.token.Store(&expired)
	for _, args := range [][]string{{"token", "--profile", "p", "--fresh"}, {"export", "--profile", "p", "--with-token", "--fresh"}} {
		code, out, stderr := e.run(args...)
		if code != 1 || strings.Contains(out+stderr, expired) {
			t.Errorf("%v with an expired token: exit %d, want 1 and nothing of it printed\n%s%s", args, code, out, stderr)
		}
	}
}

// TestEnvFileChoosesNoProfile is the attack of a colleague's env file that names a profile
// (and a config folder): `setup --env-file theirs.env` must not replace the profile the file
// names, nor write to the folder it names; it sets up the profile the command line chose, and
// says in one line which settings of the file it ignored.
func TestEnvFileChoosesNoProfile(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	mine := e.writeEnvFile("mine.env", cxonetest.DefaultCredentials)
	for _, args := range [][]string{{"setup", "--env-file", mine, "--profile", "prod"}, {"setup", "--env-file", mine, "--profile", "staging"}, {"use", "staging"}} {
		if code, _, stderr := e.run(args...); code != 0 {
			t.Fatal(stderr)
		}
	}
	other := cxonetest.Credentials{ClientID: "11111111-2222-4333-8444-555555555555", ClientSecret: "OTHERSECRET0123456789ABCDEFGHIJKLMN",
		AccessKeyID: "OTHERKEYIDABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJ====", AccessKeySecret: "OTHERKEYSECRETQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTU===="}
	e.srv.AddClient(other.ClientID, other.ClientSecret)
	e.srv.AddAccessKey(other.AccessKeyID, other.AccessKeySecret, cxonetest.DefaultUser)
	theirs := e.writeEnvFile("theirs.env", other)
	elsewhere := filepath.Join(e.dir, "elsewhere")
	f, _ := os.OpenFile(theirs, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("CXONE_PROFILE=prod\nCXONE_CONFIG_DIR=" + elsewhere + "\n")
	f.Close()

	code, _, stderr := e.run("setup", "--env-file", theirs)
	if code != 0 {
		t.Fatalf("setup --env-file theirs.env: exit %d\n%s", code, stderr)
	}
	if sec := trustLoadSecret(t, e, "prod"); sec.ClientID != cxonetest.DefaultCredentials.ClientID {
		t.Errorf("the env file's CXONE_PROFILE=prod replaced profile prod")
	}
	if sec := trustLoadSecret(t, e, "staging"); sec.ClientID != other.ClientID {
		t.Errorf("the profile the user chose (staging, the default) does not hold the file's credentials")
	}
	if _, err := os.Stat(elsewhere); err == nil {
		t.Errorf("the env file's CXONE_CONFIG_DIR was used")
	}
	if strings.Count(stderr, "warning:") != 1 || !strings.Contains(stderr, "CXONE_PROFILE, CXONE_CONFIG_DIR") {
		t.Errorf("want one warning naming CXONE_PROFILE and CXONE_CONFIG_DIR:\n%s", stderr)
	}
}

// TestCheckJSONHasAreaAndCluster: check --json (of a stored profile and of an env file) and
// list --json give the area and the cluster (SPEC 8).
func TestCheckJSONHasAreaAndCluster(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	u := cxonetest.DefaultUser
	for _, args := range [][]string{{"check", "--profile", "prod", "--json"}, {"check", "--env-file", p, "--json"}, {"list", "--json"}} {
		code, out, stderr := e.run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if !strings.Contains(out, `"area":"`+u.Area+`"`) && !strings.Contains(out, `"area": "`+u.Area+`"`) ||
			!strings.Contains(out, `"cluster":"`+u.Cluster+`"`) && !strings.Contains(out, `"cluster": "`+u.Cluster+`"`) {
			t.Errorf("%v lacks area %s or cluster %s:\n%s", args, u.Area, u.Cluster, out)
		}
	}
}
