package cli

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// A server that compares Basic halves as sent, and a client secret that form-encoding
// changes: setup finds the raw way once, the profile remembers it (config.json says
// basic_encoding raw), and every later check is one token request with the raw halves.
func TestFidelityProfileRemembersRawBasic(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{BasicMatch: cxonetest.BasicAsSent})
	c := cxonetest.DefaultCredentials
	c.ClientSecret = "ab/cd+ef/GH+ij=="
	e.srv.AddClient(c.ClientID, c.ClientSecret, cxonetest.AuthBasic)
	p := e.writeEnvFile("c.env", c)
	if code, out, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
	}
	if n := len(e.srv.RequestsTo(cxonetest.EndpointToken)); n != 2 {
		t.Errorf("setup sent %d token requests, want 2 (form-encoded, then raw)", n)
	}
	cfg, err := os.ReadFile(filepath.Join(e.vars["CXONE_CONFIG_DIR"], "config.json"))
	if err != nil || !strings.Contains(string(cfg), `"basic_encoding": "raw"`) {
		t.Errorf("config.json does not remember the raw encoding (%v)", err)
	}
	if strings.Contains(string(cfg), c.ClientSecret) {
		t.Errorf("config.json holds the client secret")
	}
	raw := "Basic " + base64.StdEncoding.EncodeToString([]byte(c.ClientID+":"+c.ClientSecret))
	for i := range 2 {
		e.srv.ResetRequests()
		if code, out, stderr := e.run("check", "--profile", "prod"); code != 0 {
			t.Fatalf("check %d: exit %d\n%s\n%s", i+1, code, out, stderr)
		}
		toks := e.srv.RequestsTo(cxonetest.EndpointToken)
		if len(toks) != 1 || toks[0].Header.Get("Authorization") != raw {
			t.Errorf("check %d: %d token requests, want 1 with the raw halves", i+1, len(toks))
		}
	}
}
