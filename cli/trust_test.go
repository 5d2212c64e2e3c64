package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"cxone-auth/auth/cxonetest"
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
	if code == 0 || !strings.Contains(out+stderr, "certificate") {
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
	URL   string
	token atomic.Pointer[string]
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
			json.NewEncoder(w).Encode(map[string]any{"access_token": *h.token.Load(), "token_type": "Bearer", "expires_in": 60})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	h.URL = ts.URL
	good := "good.token.value"
	h.token.Store(&good)
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
