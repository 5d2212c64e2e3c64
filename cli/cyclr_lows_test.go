package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

// L2: with a cached Cyclr token, a 403 on the install is a refusal of the request itself, not
// a stale token: the write (the access key in its body) goes to Cyclr once, never again after
// a token refresh. A 401 still gets one refresh and one more try.
func TestCyclrWriteIsNotResentAfterA403(t *testing.T) {
	for _, tt := range []struct {
		status, writes int
	}{{403, 1}, {401, 2}} {
		ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
		ce.login() // caches a token
		ce.cy.SetFault(cyclrtest.EndpointInstall, cyclrtest.Fault{Kind: cyclrtest.FaultStatus, Status: tt.status, Times: 1})
		before := len(ce.cy.Writes())
		code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
		posts := 0
		for _, r := range ce.cy.Writes()[before:] {
			if r.Method == http.MethodPost {
				posts++
			}
		}
		if posts != tt.writes {
			t.Errorf("HTTP %d on the install: sent %d times, want %d (exit %d)\n%s", tt.status, posts, tt.writes, code, stderr)
		}
	}
}

// L1: config.json names the account connector a rotation updates. A tampered record (or a
// Cyclr whose account connector under that ID is now another connector) must not get the new
// key: the push checks that the account connector is one of the NICE CXone connector, and
// sends no write otherwise.
func TestCyclrRotationPushesOnlyToACXoneAccountConnector(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	var foreign atomic.Bool
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, _ := http.NewRequest(r.Method, ce.cy.URL+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, "upstream", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if foreign.Load() && r.Method == http.MethodGet && r.URL.Path == "/v1.0/account/connectors" {
			var list []map[string]any
			if json.Unmarshal(out, &list) == nil {
				for _, ac := range list {
					ac["Connector"] = map[string]any{"Id": 999, "Name": "Some Other Connector"}
				}
				out, _ = json.Marshal(list)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		w.Write(out)
	}))
	t.Cleanup(gw.Close)
	p := filepath.Join(ce.dir, "gw.env")
	body := "CYCLR_API_DOMAIN=" + gw.URL + "\nCYCLR_CLIENT_ID=" + cyclrtest.DefaultCredentials.ClientID + "\nCYCLR_CLIENT_SECRET=" + cyclrtest.DefaultCredentials.ClientSecret + "\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := ce.run("cyclr", "login", "--env-file", p); code != 0 {
		t.Fatalf("login: %s", stderr)
	}
	if code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != 0 {
		t.Fatalf("install: exit %d\n%s%s", code, out, stderr)
	}
	foreign.Store(true)
	before := len(ce.cy.Writes())
	code, _, stderr := ce.run("setup", "--profile", "prod", "--rotate", "--auto")
	if n := len(ce.cy.Writes()) - before; n != 0 {
		t.Errorf("the new key was written %d time(s) into an account connector of another connector (exit %d)\n%s", n, code, stderr)
	}
	if code == 0 || !strings.Contains(stderr, "is not a "+cyclrtest.ConnectorName+" connector") {
		t.Errorf("exit %d; stderr does not name the mismatch:\n%s", code, stderr)
	}
	if st, _ := ce.srv.AccessKey(cxonetest.DefaultCredentials.AccessKeyID); !st.Active {
		t.Errorf("the old key was deactivated although the install was not updated")
	}
}

// L5: the profiles screen (and an edit) offers the stored key to Cyclr installs that hold an
// older one. If the stored key has been deactivated in CXone since, a "yes" must not replace
// the key in Cyclr with a dead one: the key is checked live first, and nothing is written.
func TestCyclrRepushChecksTheStoredKeyLive(t *testing.T) {
	for _, dead := range []bool{true, false} {
		ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
		ce.login()
		if code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != 0 {
			t.Fatalf("install: exit %d\n%s%s", code, out, stderr)
		}
		// The install now looks stale: config.json says it holds another key.
		p := filepath.Join(ce.vars["CXONE_CONFIG_DIR"], "config.json")
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var cfg map[string]any
		if err := json.Unmarshal(raw, &cfg); err != nil {
			t.Fatal(err)
		}
		cfg["cyclr"].(map[string]any)["installs"].([]any)[0].(map[string]any)["access_key_id"] = "OLDKEYOLDKEYOLDKEY"
		raw, _ = json.Marshal(cfg)
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if dead {
			ce.srv.SetKeyInactive(cxonetest.DefaultCredentials.AccessKeyID, true)
		}
		f, errOut := newTTYFactory(t, ce.cliEnv, "y\n")
		before := len(ce.cy.Writes())
		f.offerCyclrRepush(t.Context(), nil, "")
		writes := len(ce.cy.Writes()) - before
		if dead && writes != 0 {
			t.Errorf("a deactivated stored key was written to Cyclr %d time(s)\n%s", writes, errOut)
		}
		if dead && !strings.Contains(errOut.String(), "failed its live check") {
			t.Errorf("the skip is not said:\n%s", errOut)
		}
		if !dead && writes == 0 {
			t.Errorf("a working stored key was not offered and pushed\n%s", errOut)
		}
	}
}
