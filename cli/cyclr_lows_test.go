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
			http.Error(w, "upstream", 502)
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
