// The attack (an unattended cron job running `setup --rotate --auto`): the install was made
// with --map (the connector's description names no access-key field, so the user said where
// the key goes). The record in config.json kept the Method but not the mapping, and the
// rotation's push called PlanInstall with no maps, so it failed every time with a usage
// error. Each run then created a new CXone key, stored it, failed the push and left the
// previous key active: run N times, N+1 active keys, and the "Left to do" hint (cyclr install
// without --map) failed the same way.
//
// Adjusted from the review's test: it installed into cyclrtest.SchemaOAuth with --map
// AuthValue=basic, which the emulator never reports as authenticated (an OAuth connector takes
// no Basic key), so no fix could pass it. Here the connector is an HTTP Basic one whose
// description a gateway rewrites so that it names no Basic authentication: --map
// AuthValue=basic is needed, and the key really works once it is in place.
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

	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

// reviewfixMappedEnv is a Cyclr emulator (HTTP Basic) behind a gateway whose connector list
// hides that the authentication is Basic, logged in through the gateway.
func reviewfixMappedEnv(t *testing.T) *cyclrTestEnv {
	t.Helper()
	ce := newCyclrTestEnv(t, cyclrtest.SchemaBasic)
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
		if r.Method == http.MethodGet && r.URL.Path == "/v1.0/connectors" {
			var list []map[string]any
			if json.Unmarshal(out, &list) == nil {
				for _, c := range list {
					c["AuthType"] = "Custom"
					if as, ok := c["Authentication"].([]any); ok {
						for _, a := range as {
							am := a.(map[string]any)
							am["AuthType"], am["AuthName"], am["Id"] = "Custom", "Key", ""
						}
					}
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
	if code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code == 0 {
		t.Fatalf("install without --map passed: the gateway did not hide the schema\n%s%s", out, stderr)
	}
	code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID, "--map", "AuthValue=basic")
	if code != 0 {
		t.Fatalf("install --map AuthValue=basic: exit %d\n%s%s", code, out, stderr)
	}
	return ce
}

func reviewfixActiveKeys(ce *cyclrTestEnv) int {
	active := 0
	for _, id := range ce.srv.AccessKeyIDs(cxonetest.DefaultUser.ID) {
		if st, _ := ce.srv.AccessKey(id); st.Active {
			active++
		}
	}
	return active
}

func TestReviewRotateAutoPushesAMappedInstall(t *testing.T) {
	ce := reviewfixMappedEnv(t)
	if ins, _ := ce.cliEnv.srvStoreInstalls(t); ins == 0 {
		t.Fatalf("the mapped install was not recorded: the attack needs it")
	}
	for run := 1; run <= 2; run++ {
		code, _, stderr := ce.run("setup", "--profile", "prod", "--rotate", "--auto")
		if active := reviewfixActiveKeys(ce); code != 0 || active != 1 {
			t.Errorf("rotate --auto run %d: exit %d, %d active keys for the user (want exit 0 and 1 active key)\n%s", run, code, active, stderr)
		}
	}
}

// An install whose push cannot be planned (here its recorded mapping was lost from
// config.json) stops the automatic rotation before a key is created: nothing is left behind,
// and the refusal says so. The hint of a failed push names the recorded --map.
func TestRotateAutoRefusesBeforeCreatingWhenAPushCannotBePlanned(t *testing.T) {
	ce := reviewfixMappedEnv(t)
	p := filepath.Join(ce.vars["CXONE_CONFIG_DIR"], "config.json")
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	ins := cfg["cyclr"].(map[string]any)["installs"].([]any)[0].(map[string]any)
	if m, _ := ins["map"].(map[string]any); m["AuthValue"] != "basic" {
		t.Errorf("config.json does not record the install's --map: %v", ins)
	}
	delete(ins, "map")
	raw, _ = json.Marshal(cfg)
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	ce.srv.ResetRequests()
	code, _, stderr := ce.run("setup", "--profile", "prod", "--rotate", "--auto")
	if code == 0 {
		t.Fatalf("rotate --auto with an install it cannot update: exit 0\n%s", stderr)
	}
	for _, r := range ce.srv.RequestsTo(cxonetest.EndpointAccessKeys) {
		if r.Method == http.MethodPost {
			t.Errorf("a key was created although the push could not be planned")
		}
	}
	if active := reviewfixActiveKeys(ce); active != 1 {
		t.Errorf("%d active keys after the refusal, want 1", active)
	}
	if !strings.Contains(stderr, "Nothing was changed") {
		t.Errorf("the refusal does not say nothing was changed:\n%s", stderr)
	}
}

// srvStoreInstalls counts the recorded Cyclr installs.
func (e *cliEnv) srvStoreInstalls(t *testing.T) (int, error) {
	code, out, _ := e.run("cyclr", "list", "--json")
	if code != 0 {
		return 0, nil
	}
	return strings.Count(out, `"account_connector_id"`), nil
}
