package cli

import (
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

// TestSecretsNeverLeak runs every command with distinctive secrets and --debug, and scans
// stdout, stderr, the config folder and the raw keyring files: the secrets may appear only in
// the output of export (and the token only in token/export/exec output).
func TestSecretsNeverLeak(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	creds := cxonetest.Credentials{
		ClientID:        "6f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0",
		ClientSecret:    "SECRETCLIENTVALUE0123456789ABCDEF",
		AccessKeyID:     "KEYIDABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNO====",
		AccessKeySecret: "KEYSECRETQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVWXYZ2====",
	}
	e.srv.AddClient(creds.ClientID, creds.ClientSecret)
	e.srv.AddAccessKey(creds.AccessKeyID, creds.AccessKeySecret, cxonetest.DefaultUser)
	envFile := e.writeEnvFile("secret.env", creds)
	e.vars["CXONE_DEBUG"] = "1"
	// A second access key, for the rotation.
	newKeyID, newKeySecret := "ROTATEDKEYIDABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGH====", "ROTATEDSECRETQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUV===="
	e.srv.AddAccessKey(newKeyID, newKeySecret, cxonetest.DefaultUser)
	newKeyFile := filepath.Join(e.dir, "new-key.env")
	if err := os.WriteFile(newKeyFile, []byte("CXONE_ACCESS_KEY_ID="+newKeyID+"\nCXONE_ACCESS_KEY_SECRET="+newKeySecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secrets := []string{creds.ClientSecret, creds.AccessKeySecret, e.vars["CXONE_KEYRING_PASSPHRASE"], newKeySecret}
	// Cyclr: an API client with a distinctive secret, and an emulator that authenticates the
	// installed key with CXone, so install and the rotation's push really send it.
	cyclrSecret := "CYCLRCLIENTSECRETLEAKCHECK0123456789"
	cy := cyclrtest.Start(t, cyclrtest.Config{Verify: cyclrtest.VerifyWithCXone(e.srv.URL+"/auth/token", cxonetest.DefaultCredentials.ClientID, cxonetest.DefaultCredentials.ClientSecret)})
	cy.AddClient("leak-client", cyclrSecret)
	cyclrFile := filepath.Join(e.dir, "cyclr.env")
	if err := os.WriteFile(cyclrFile, []byte("CYCLR_API_DOMAIN="+cy.URL+"\nCYCLR_CLIENT_ID=leak-client\nCYCLR_CLIENT_SECRET="+cyclrSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	account := cyclrtest.DefaultAccountID
	// Full IDs are not secrets, but list/check show them masked only.
	ids := []string{creds.ClientID, creds.AccessKeyID}

	scan := func(what, text string, allowSecrets bool) {
		t.Helper()
		for _, s := range []string{secrets[0], secrets[1], secrets[3]} {
			if !allowSecrets && strings.Contains(text, s) {
				t.Errorf("%s contains a secret", what)
			}
		}
		// The Cyclr client secret and Cyclr's tokens are never printed, not even by export;
		// nor is the base64 AuthValue that would carry an access key.
		for _, s := range append([]string{cyclrSecret, base64.StdEncoding.EncodeToString([]byte(creds.AccessKeyID + ":" + creds.AccessKeySecret))}, cy.Tokens()...) {
			if strings.Contains(text, s) {
				t.Errorf("%s contains a Cyclr secret or token", what)
			}
		}
		if strings.Contains(text, secrets[2]) {
			t.Errorf("%s contains the keyring passphrase", what)
		}
	}
	commands := []struct {
		args         []string
		allowSecrets bool
		allowIDs     bool
	}{
		{[]string{"check", "--env-file", envFile}, false, false},
		{[]string{"check", "--env-file", envFile, "--json"}, false, true}, // IDs in full in JSON (not secrets)
		{[]string{"setup", "--env-file", envFile, "--profile", "leak"}, false, true},
		{[]string{"list"}, false, false},
		{[]string{"list", "--json"}, false, true}, // IDs in full in JSON (not secrets)
		{[]string{"check", "--profile", "leak"}, false, false},
		{[]string{"check", "--all", "--json"}, false, true}, // IDs in full in JSON (not secrets)
		{[]string{"token", "--profile", "leak"}, false, true},
		{[]string{"export", "--profile", "leak"}, true, true},
		{[]string{"export", "--profile", "leak", "--format", "shell", "--with-token"}, true, true},
		{[]string{"export", "--profile", "leak", "-o", filepath.Join(e.dir, "out.env")}, false, true},
		{[]string{"exec", "--profile", "leak", "--", "true"}, false, true},
		{[]string{"cyclr", "login", "--env-file", cyclrFile}, false, false},
		{[]string{"cyclr", "inspect", "--account", account}, false, false},
		{[]string{"cyclr", "install", "--profile", "leak", "--account", account, "--dry-run"}, false, false},
		{[]string{"cyclr", "install", "--profile", "leak", "--account", account}, false, false},
		{[]string{"cyclr", "list", "--live"}, false, false},
		{[]string{"cyclr", "list", "--json"}, false, true},
		{[]string{"setup", "--rotate", "--env-file", newKeyFile, "--profile", "leak"}, false, true},
		{[]string{"token", "--profile", "leak", "--fresh"}, false, true},
		{[]string{"cyclr", "list", "--live", "--json"}, false, true},
		{[]string{"version"}, false, false},
	}
	for _, c := range commands {
		code, out, stderr := e.run(c.args...)
		if code != 0 {
			t.Errorf("%v: exit %d\n%s", c.args, code, stderr)
		}
		if !strings.Contains(stderr, "level=DEBUG") && c.args[0] != "version" && c.args[0] != "list" && strings.Join(c.args, " ") != "cyclr list --json" {
			t.Errorf("%v: --debug printed no debug line", c.args)
		}
		scan(strings.Join(c.args, " ")+" stdout", out, c.allowSecrets)
		scan(strings.Join(c.args, " ")+" stderr", stderr, false)
		if !c.allowIDs {
			for _, id := range ids {
				if strings.Contains(out, id) {
					t.Errorf("%v stdout shows a full ID unmasked", c.args)
				}
			}
		}
	}
	// With a wrong secret, errors and debug output still never show the values.
	bad := creds
	bad.AccessKeySecret = "WRONGSECRETWRONGSECRETWRONGSECRETWRONGSECRETWRONGSE===="
	badFile := e.writeEnvFile("bad.env", bad)
	_, out, stderr := e.run("check", "--env-file", badFile, "--json")
	for _, s := range []string{bad.AccessKeySecret, bad.ClientSecret} {
		if strings.Contains(out+stderr, s) {
			t.Error("a rejected check shows a secret")
		}
	}

	// Files at rest: the config never holds a secret; the keyring files are encrypted.
	for _, dir := range []string{e.vars["CXONE_CONFIG_DIR"], e.vars["CXONE_KEYRING_DIR"]} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scan(p, string(b), false)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
