// The attack: a hostile (or compromised) Cyclr answers GET /v1.0/connectors with a NICE CXone
// connector whose parameter TargetNames carry 8-bit C1 controls (U+009B is CSI) and a
// bidirectional override. norm() drops them, so the schema still maps, and `cyclr install
// --dry-run` prints the body with writeJSON: encoding/json escapes C0 but writes C1 and
// U+202E as they came, so they reach the terminal (SPEC 5/9/10: every server string is
// stripped of C1 controls and bidi overrides before it reaches the terminal).
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
	"testing"

	"cxone-auth/auth/cyclrtest"
)

func TestReviewCyclrDryRunStripsServerControls(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	const evil = "\u202e\u009b2J\u009d0;title\u009c"
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		if r.Method == http.MethodGet && r.URL.Path == "/v1.0/connectors" {
			var list []map[string]any
			if json.Unmarshal(out, &list) == nil {
				for _, c := range list {
					for _, p := range c["Parameters"].([]any) {
						pm := p.(map[string]any)
						pm["TargetName"] = pm["TargetName"].(string) + evil
					}
				}
				out, _ = json.Marshal(list)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		w.Write(out)
	}))
	t.Cleanup(hostile.Close)
	p := filepath.Join(ce.dir, "hostile.env")
	body := "CYCLR_API_DOMAIN=" + hostile.URL + "\nCYCLR_CLIENT_ID=" + cyclrtest.DefaultCredentials.ClientID + "\nCYCLR_CLIENT_SECRET=" + cyclrtest.DefaultCredentials.ClientSecret + "\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := ce.run("cyclr", "login", "--env-file", p); code != 0 {
		t.Fatalf("login: %s", stderr)
	}
	for _, args := range [][]string{
		{"cyclr", "inspect"},
		{"cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID, "--dry-run"},
	} {
		code, out, stderr := ce.run(args...)
		if strings.ContainsAny(out+stderr, "\u202e\u009b\u009d\u009c") {
			t.Errorf("%s (exit %d): a C1 control or bidi override from Cyclr reached the terminal:\n%q", strings.Join(args, " "), code, out+stderr)
		}
	}
}
