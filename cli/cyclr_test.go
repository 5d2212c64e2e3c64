package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

// cyclrTestEnv is a cliEnv with a Cyclr emulator whose installs are authenticated by the
// sandbox's CXone emulator, a stored profile "prod" and an env file for cyclr login.
type cyclrTestEnv struct {
	*cliEnv
	cy        *cyclrtest.Server
	loginFile string
}

func newCyclrTestEnv(t *testing.T, schema cyclrtest.Schema) *cyclrTestEnv {
	t.Helper()
	e := newCLIEnv(t, cxonetest.Config{})
	d := cxonetest.DefaultCredentials
	cy := cyclrtest.Start(t, cyclrtest.Config{Schema: schema, Verify: cyclrtest.VerifyWithCXone(e.srv.URL+"/auth/token", d.ClientID, d.ClientSecret)})
	ce := &cyclrTestEnv{cliEnv: e, cy: cy}
	ce.loginFile = ce.cyclrLoginFile("cyclr.env", cyclrtest.DefaultCredentials.ClientSecret)
	if code, _, stderr := e.run("setup", "--env-file", e.writeEnvFile("prod.env", d), "--profile", "prod"); code != 0 {
		t.Fatalf("setup: %s", stderr)
	}
	return ce
}

func (ce *cyclrTestEnv) cyclrLoginFile(name, secret string) string {
	ce.t.Helper()
	p := filepath.Join(ce.dir, name)
	body := "CYCLR_API_DOMAIN=" + ce.cy.URL + "\nCYCLR_CLIENT_ID=" + cyclrtest.DefaultCredentials.ClientID + "\nCYCLR_CLIENT_SECRET=" + secret + "\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		ce.t.Fatal(err)
	}
	return p
}

func (ce *cyclrTestEnv) login() {
	ce.t.Helper()
	if code, _, stderr := ce.run("cyclr", "login", "--env-file", ce.loginFile); code != 0 {
		ce.t.Fatalf("cyclr login: exit %d\n%s", code, stderr)
	}
}

func TestCyclrLoginChecksTheClientBeforeStoring(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	bad := ce.cyclrLoginFile("bad.env", "WRONGSECRETWRONGSECRET")
	code, _, stderr := ce.run("cyclr", "login", "--env-file", bad)
	if code != exitRejected {
		t.Fatalf("login with a wrong secret: exit %d, want 3\n%s", code, stderr)
	}
	if strings.Contains(stderr, "WRONGSECRETWRONGSECRET") {
		t.Error("the rejected secret is in the error")
	}
	if code, _, _ := ce.run("cyclr", "inspect"); code != exitNotFound {
		t.Errorf("inspect after a refused login: exit %d, want 4 (nothing stored)", code)
	}
	ce.login()
	// A second login that fails its check leaves the first one in place.
	if code, _, _ := ce.run("cyclr", "login", "--env-file", bad); code != exitRejected {
		t.Errorf("second login with a wrong secret: exit %d, want 3", code)
	}
	if code, out, stderr := ce.run("cyclr", "inspect"); code != 0 || !strings.Contains(out, "Nice CXOne (connector 7105") {
		t.Errorf("inspect after a refused second login: exit %d\n%s%s", code, out, stderr)
	}
	// The Cyclr item is no profile: list never calls it an orphan.
	if code, out, stderr := ce.run("list", "--json"); code != 0 || strings.Contains(out+stderr, "cyclr") || strings.Contains(out, "orphans") {
		t.Errorf("list shows the Cyclr item: exit %d\n%s%s", code, out, stderr)
	}
	// The values are never flags, and no terminal means no prompt.
	if code, _, _ := ce.run("cyclr", "login"); code != exitUsage {
		t.Errorf("login without a terminal or --env-file: exit %d, want 2", code)
	}
}

// The attack: a profile whose key CXone no longer accepts must not reach Cyclr at all. The
// Cyclr emulator is the sink: it must record no write and no byte of the access key.
func TestCyclrInstallSendsNothingForAProfileThatFailsItsCheck(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	d := cxonetest.DefaultCredentials
	ce.srv.SetKeyInactive(d.AccessKeyID, true)
	code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
	if code != exitRejected {
		t.Fatalf("install of a rejected profile: exit %d, want 3\n%s%s", code, out, stderr)
	}
	if w := ce.cy.Writes(); len(w) != 0 {
		t.Errorf("Cyclr received %d writes for a profile that failed its check", len(w))
	}
	for _, v := range []string{d.AccessKeyID, d.AccessKeySecret} {
		if ce.cy.Saw(v) {
			t.Error("Cyclr received access key bytes for a profile that failed its check")
		}
	}
	if !strings.Contains(stderr, "nothing was sent to Cyclr") {
		t.Errorf("stderr does not say nothing was sent:\n%s", stderr)
	}
}

func TestCyclrInstallThenUpdateNeverDuplicates(t *testing.T) {
	for _, schema := range []cyclrtest.Schema{cyclrtest.SchemaProperties, cyclrtest.SchemaBasic} {
		t.Run(string(schema), func(t *testing.T) {
			ce := newCyclrTestEnv(t, schema)
			ce.login()
			args := []string{"cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID}
			code, out, stderr := ce.run(args...)
			if code != 0 || !strings.Contains(out, "Installed profile \"prod\"") || !strings.Contains(out, "authenticated.") {
				t.Fatalf("install: exit %d\n%s%s", code, out, stderr)
			}
			code, out, stderr = ce.run(args...)
			if code != 0 || !strings.Contains(out, "Updated profile \"prod\"") {
				t.Fatalf("second install: exit %d\n%s%s", code, out, stderr)
			}
			got := ce.cy.Installs()
			if len(got) != 1 {
				t.Fatalf("%d account connectors after two installs, want 1", len(got))
			}
			if got[0].ConnectorID != cyclrtest.CXoneConnectorID || got[0].Name != "CXone prod" {
				t.Errorf("installed %+v: want the connector named exactly Nice CXOne, as \"CXone prod\"", got[0].ConnectorID)
			}
			// The key is in one place only.
			if schema == cyclrtest.SchemaBasic && (len(got[0].Properties) != 0 || got[0].AuthValue == "") {
				t.Error("basic schema: want the key in AuthValue only")
			}
			if schema == cyclrtest.SchemaProperties && (got[0].AuthValue != "" || len(got[0].Properties) != 2) {
				t.Error("properties schema: want the key in the two properties only")
			}
			code, out, _ = ce.run("cyclr", "list", "--live")
			if code != 0 || !strings.Contains(out, "prod") || !strings.Contains(out, "authenticated") {
				t.Errorf("cyclr list --live: exit %d\n%s", code, out)
			}
			cfg, _ := os.ReadFile(filepath.Join(ce.vars["CXONE_CONFIG_DIR"], "config.json"))
			if !strings.Contains(string(cfg), `"account_connector_id": 50001`) {
				t.Errorf("config.json does not record the install:\n%s", cfg)
			}
		})
	}
}

func TestCyclrInstallNotAuthenticatedExits3(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	cy := cyclrtest.Start(t, cyclrtest.Config{}) // no Verify: Cyclr never reports an install authenticated
	ce := &cyclrTestEnv{cliEnv: e, cy: cy}
	ce.loginFile = ce.cyclrLoginFile("cyclr.env", cyclrtest.DefaultCredentials.ClientSecret)
	if code, _, stderr := e.run("setup", "--env-file", e.writeEnvFile("p.env", cxonetest.DefaultCredentials), "--profile", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	ce.login()
	code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
	if code != exitRejected || !strings.Contains(out, "NOT authenticated") {
		t.Errorf("exit %d, want 3\n%s%s", code, out, stderr)
	}
}

func TestCyclrInstallErrorsMapToExitCodes(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	if code, _, _ := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != exitNotFound {
		t.Errorf("install before cyclr login: exit %d, want 4", code)
	}
	ce.login()
	if code, _, _ := ce.run("cyclr", "install", "--profile", "prod"); code != exitUsage {
		t.Errorf("install without --account: exit %d, want 2", code)
	}
	if code, _, _ := ce.run("cyclr", "install", "--profile", "nosuch", "--account", cyclrtest.DefaultAccountID); code != exitNotFound {
		t.Errorf("install of a missing profile: exit %d, want 4", code)
	}
	if code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", "00000000-0000-0000-0000-000000000000"); code != exitNotFound {
		t.Errorf("install into a missing account: exit %d, want 4\n%s", code, stderr)
	}
	ce.cy.SetFault(cyclrtest.EndpointConnectors, cyclrtest.Fault{Kind: cyclrtest.FaultStatus, Status: 401})
	if code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != exitRejected {
		t.Errorf("a 401 from Cyclr: exit %d, want 3\n%s", code, stderr)
	}
	ce.cy.SetFault(cyclrtest.EndpointConnectors, cyclrtest.Fault{Kind: cyclrtest.FaultEscape})
	code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
	if code != exitFailure || strings.ContainsAny(out+stderr, "\x1b\x07\u009b\u202e") {
		t.Errorf("an escape-laden Cyclr error: exit %d, or escapes reached the terminal: %q", code, stderr)
	}
	ce.cy.SetFault(cyclrtest.EndpointConnectors, cyclrtest.Fault{Kind: cyclrtest.FaultHuge})
	if code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != exitFailure || !strings.Contains(stderr, "1 MiB") {
		t.Errorf("a 2 MiB answer: exit %d\n%s", code, stderr)
	}
	if len(ce.cy.Writes()) != 0 {
		t.Error("a failed install wrote to Cyclr")
	}
}

// A hostile (or misconfigured) Cyclr that redirects the install elsewhere must not make the
// product send the access key there: writes never follow redirects.
func TestCyclrInstallNeverFollowsARedirectWithTheKey(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	sink := cxonetest.StartSink(t, cxonetest.SinkConfig{Addr: "127.0.0.2:0"})
	ce.cy.SetFault(cyclrtest.EndpointInstall, cyclrtest.Fault{Kind: cyclrtest.FaultRedirect, Status: 307, Location: sink.URL + "/steal"})
	code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
	if code != exitFailure || !strings.Contains(stderr, "redirect") {
		t.Errorf("exit %d, want 1 naming the redirect\n%s", code, stderr)
	}
	if sink.Touched() {
		t.Error("the redirect target received a request: the access key left for another origin")
	}
}

func TestCyclrInstallDryRunSendsNothingAndHidesSecrets(t *testing.T) {
	for _, schema := range []cyclrtest.Schema{cyclrtest.SchemaProperties, cyclrtest.SchemaBasic} {
		t.Run(string(schema), func(t *testing.T) {
			ce := newCyclrTestEnv(t, schema)
			ce.login()
			d := cxonetest.DefaultCredentials
			code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID, "--dry-run")
			if code != 0 || !strings.Contains(out, "POST ") || !strings.Contains(out, "(hidden") {
				t.Fatalf("dry run: exit %d\n%s%s", code, out, stderr)
			}
			if strings.Contains(out+stderr, d.AccessKeySecret) || strings.Contains(out, "UVFJRDJXRFJ") {
				t.Error("the dry run shows the access key secret")
			}
			if len(ce.cy.Writes()) != 0 || ce.cy.Saw(d.AccessKeySecret) {
				t.Error("the dry run sent something")
			}
		})
	}
}

func TestCyclrInstallRefusesAConnectorItCannotMap(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaOAuth)
	ce.login()
	code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
	if code != exitUsage || !strings.Contains(stderr, "--map") || !strings.Contains(stderr, "OAuth 2.0") {
		t.Errorf("exit %d, want 2 with the schema and --map\n%s%s", code, out, stderr)
	}
	if len(ce.cy.Writes()) != 0 {
		t.Error("an unmappable connector was written to")
	}
}

func TestCyclrRotationPushesTheNewKey(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	if code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != 0 {
		t.Fatal(stderr)
	}
	newID, newSecret := "ROTATEDKEYIDABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGH====", "ROTATEDSECRETQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUV===="
	ce.srv.AddAccessKey(newID, newSecret, cxonetest.DefaultUser)
	p := filepath.Join(ce.dir, "new.env")
	if err := os.WriteFile(p, []byte("CXONE_ACCESS_KEY_ID="+newID+"\nCXONE_ACCESS_KEY_SECRET="+newSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := ce.run("setup", "--rotate", "--env-file", p, "--profile", "prod")
	if code != 0 {
		t.Fatalf("rotate: exit %d\n%s", code, stderr)
	}
	got := ce.cy.Installs()
	if len(got) != 1 || got[0].Properties[0].Value != newID {
		t.Fatalf("the install does not hold the new key: %+v", got)
	}
	push, old := strings.Index(stderr, "updated with the new key"), strings.Index(stderr, "Deactivate the old Access Key ID")
	if push < 0 || old < 0 || push > old {
		t.Errorf("want the push reported before the old key is named:\n%s", stderr)
	}
	// --no-cyclr-push leaves the installs alone.
	if code, _, stderr := ce.run("setup", "--rotate", "--env-file", ce.writeEnvFile("back.env", cxonetest.DefaultCredentials), "--profile", "prod", "--no-cyclr-push"); code != 0 || strings.Contains(stderr, "updated with the new key") {
		t.Errorf("--no-cyclr-push: exit %d\n%s", code, stderr)
	}
	if got := ce.cy.Installs(); got[0].Properties[0].Value != newID {
		t.Error("--no-cyclr-push pushed anyway")
	}
}

// The guided rotation (line prompts) asks, once the new key is saved, whether to push it to
// the profile's Cyclr installs; yes updates them before the record names the old key.
func TestCyclrGuidedRotationOffersThePush(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	if code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != 0 {
		t.Fatal(stderr)
	}
	newID, newSecret := "GUIDEDKEYIDABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHI====", "GUIDEDSECRETQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVW===="
	ce.srv.AddAccessKey(newID, newSecret, cxonetest.DefaultUser)
	// One line per read, as a person types: the prompts' own buffering takes no answer ahead.
	io := testStreams(&cyclrLineReader{lines: []string{"y", newID, newSecret, "y"}}, nil, nil)
	io.SetStdinTTY(true)
	io.SetStdoutTTY(true)
	code, out, stderr := ce.runIn(io, "setup", "--rotate", "--profile", "prod", "--accessible")
	if code != 0 {
		t.Fatalf("guided rotation: exit %d\n%s\n%s", code, out, stderr)
	}
	if got := ce.cy.Installs(); got[0].Properties[0].Value != newID {
		t.Errorf("the install was not updated:\n%s", stderr)
	}
	if !strings.Contains(stderr, "Update the 1 Cyclr install(s)") {
		t.Errorf("no offer:\n%s", stderr)
	}
}

// cyclrLineReader hands out one line per Read.
type cyclrLineReader struct{ lines []string }

func (r *cyclrLineReader) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0]+"\n")
	r.lines = r.lines[1:]
	return n, nil
}

// After the wizard saves a profile (here an edit, with line prompts), it offers to install
// it into a Cyclr account picked from Cyclr's account list.
func TestCyclrWizardOffersAnInstall(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	lines := append(strings.Split(strings.Repeat("\n", cyclrEditEnters-1), "\n"), "y", "1")
	io := testStreams(&cyclrLineReader{lines: lines}, nil, nil)
	io.SetStdinTTY(true)
	io.SetStdoutTTY(true)
	code, out, stderr := ce.runIn(io, "setup", "--profile", "prod", "--accessible")
	if code != 0 {
		t.Fatalf("edit: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "Install profile \"prod\" into a Cyclr account?") || !strings.Contains(stderr, "1. Acme Integration") {
		t.Errorf("no offer or no account list:\n%s", stderr)
	}
	if got := ce.cy.Installs(); len(got) != 1 || got[0].Account != cyclrtest.DefaultAccountID {
		t.Errorf("installs %+v\n%s\n%s", got, out, stderr)
	}
	if !strings.Contains(stderr, "username  "+cxonetest.DefaultCredentials.ClientID) || strings.Contains(out+stderr, cxonetest.DefaultCredentials.ClientSecret) {
		t.Errorf("the record's partner guidance shows the Client ID and never the secret:\n%s", stderr)
	}
}

// cyclrEditEnters is how many answers the line-prompt edit of a stored profile takes when
// every value is kept.
const cyclrEditEnters = 7

// cyclrREADMEEnv prepares the README's Cyclr examples: it starts a Cyclr emulator whose
// installs are authenticated by e's CXone emulator, writes cyclr.env (CYCLR_API_DOMAIN,
// CYCLR_CLIENT_ID, CYCLR_CLIENT_SECRET, CYCLR_ACCOUNT_ID) into dir, and returns the
// variables the examples' shell gets (CYCLR_ACCOUNT_ID). TestREADMEExamples calls it for
// the README's "Using the profile in Cyclr" section.
func cyclrREADMEEnv(t *testing.T, e *cliEnv, dir string) []string {
	t.Helper()
	d := cxonetest.DefaultCredentials
	cy := cyclrtest.Start(t, cyclrtest.Config{Verify: cyclrtest.VerifyWithCXone(e.srv.URL+"/auth/token", d.ClientID, d.ClientSecret)})
	c := cyclrtest.DefaultCredentials
	body := "CYCLR_API_DOMAIN=" + cy.URL + "\nCYCLR_CLIENT_ID=" + c.ClientID + "\nCYCLR_CLIENT_SECRET=" + c.ClientSecret + "\nCYCLR_ACCOUNT_ID=" + cyclrtest.DefaultAccountID + "\n"
	if err := os.WriteFile(filepath.Join(dir, "cyclr.env"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"CYCLR_ACCOUNT_ID=" + cyclrtest.DefaultAccountID}
}

func TestCyclrTokenIsCachedAndRenewedWhenRefused(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	tokens := func() int {
		n := 0
		for _, r := range ce.cy.Requests() {
			if r.Endpoint == cyclrtest.EndpointToken {
				n++
			}
		}
		return n
	}
	if code, _, stderr := ce.run("cyclr", "inspect"); code != 0 || tokens() != 1 {
		t.Fatalf("inspect after login: exit %d, %d token requests (want the cached token)\n%s", code, tokens(), stderr)
	}
	// Cyclr forgets the token: the next command gets a new one once and goes on.
	ce.cy.RevokeTokens()
	if code, _, stderr := ce.run("cyclr", "inspect"); code != 0 || tokens() != 2 {
		t.Fatalf("inspect with a revoked token: exit %d, %d token requests\n%s", code, tokens(), stderr)
	}
	if code, _, _ := ce.run("cyclr", "inspect"); code != 0 || tokens() != 2 {
		t.Errorf("the renewed token was not cached: %d token requests", tokens())
	}
}

func TestCyclrLoginPromptsOnATerminal(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	c := cyclrtest.DefaultCredentials
	io := testStreams(&cyclrLineReader{lines: []string{ce.cy.URL, c.ClientID, c.ClientSecret}}, nil, nil)
	io.SetStdinTTY(true)
	code, out, stderr := ce.runIn(io, "cyclr", "login")
	if code != 0 || !strings.Contains(stderr, "Client Secret: ") {
		t.Fatalf("prompted login: exit %d\n%s%s", code, out, stderr)
	}
	if strings.Contains(out+stderr, c.ClientSecret) {
		t.Error("the prompted secret was echoed")
	}
	// An off-loopback http domain is refused before anything is sent.
	io = testStreams(&cyclrLineReader{lines: []string{"http://api.cyclr.com", c.ClientID, c.ClientSecret}}, nil, nil)
	io.SetStdinTTY(true)
	if code, _, stderr := ce.runIn(io, "cyclr", "login"); code != exitUsage || !strings.Contains(stderr, "https") {
		t.Errorf("http domain: exit %d\n%s", code, stderr)
	}
}

func TestCyclrHangingAPIIsBounded(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	ce.vars["CXONE_TIMEOUT"] = "300ms"
	ce.cy.SetFault(cyclrtest.EndpointAccountConnectors, cyclrtest.Fault{Kind: cyclrtest.FaultHang})
	code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
	if code != exitFailure || !strings.Contains(stderr, "timeout") {
		t.Errorf("a hanging Cyclr: exit %d, want 1 naming the timeout\n%s", code, stderr)
	}
}

// An edit (line prompts) that replaces the access key offers the new key to the profile's
// Cyclr installs, as a rotation does.
func TestCyclrEditThatChangesTheKeyOffersThePush(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	if code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != 0 {
		t.Fatal(stderr)
	}
	newID, newSecret := "EDITEDKEYIDABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHI====", "EDITEDSECRETQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVW===="
	ce.srv.AddAccessKey(newID, newSecret, cxonetest.DefaultUser)
	// Environment, issuer, client choice, Client ID, Client Secret kept; the new key typed;
	// yes to the push; no to another install.
	lines := []string{"", "", "", "", "", newID, newSecret, "y", "n"}
	io := testStreams(&cyclrLineReader{lines: lines}, nil, nil)
	io.SetStdinTTY(true)
	io.SetStdoutTTY(true)
	code, out, stderr := ce.runIn(io, "setup", "--profile", "prod", "--accessible")
	if code != 0 {
		t.Fatalf("edit: exit %d\n%s\n%s", code, out, stderr)
	}
	if got := ce.cy.Installs(); len(got) != 1 || got[0].Properties[0].Value != newID {
		t.Errorf("the install does not hold the edited key:\n%s", stderr)
	}
}

func TestCyclrListMarksRemovedProfiles(t *testing.T) {
	ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
	ce.login()
	if code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := ce.run("remove", "--profile", "prod", "--yes"); code != 0 {
		t.Fatal(stderr)
	}
	if code, out, _ := ce.run("cyclr", "list"); code != 0 || !strings.Contains(out, "prod (removed)") {
		t.Errorf("cyclr list after remove: exit %d\n%s", code, out)
	}
	if code, out, _ := ce.run("cyclr", "list", "--live"); code != 0 || !strings.Contains(out, "profile removed") {
		t.Errorf("cyclr list --live after remove: exit %d\n%s", code, out)
	}
}

// setup --rotate --auto pushes the key it created to the profile's Cyclr installs before it
// deactivates the old one; when Cyclr refuses the update, the old key stays active (the
// install still holds it and must keep working) and the command exits 1 naming what is left.
func TestCyclrRotateAutoPushesBeforeDeactivating(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		t.Run(map[bool]string{false: "pushed", true: "cyclr refuses"}[refuse], func(t *testing.T) {
			ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
			ce.login()
			if code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID); code != 0 {
				t.Fatal(stderr)
			}
			old := cxonetest.DefaultCredentials.AccessKeyID
			if refuse {
				ce.cy.SetFault(cyclrtest.EndpointAccountConnectors, cyclrtest.Fault{Kind: cyclrtest.FaultStatus, Status: 500})
			}
			code, out, stderr := ce.run("setup", "--profile", "prod", "--rotate", "--auto")
			newID := rotateAutoNewKey(t, ce.cliEnv)
			st, _ := ce.srv.AccessKey(old)
			got := ce.cy.Installs()
			if len(got) != 1 {
				t.Fatalf("%d installs, want 1", len(got))
			}
			if !refuse {
				if code != 0 {
					t.Fatalf("rotate --auto: exit %d\n%s\n%s", code, out, stderr)
				}
				if got[0].Properties[0].Value != newID {
					t.Errorf("the Cyclr install does not hold the new key")
				}
				if st.Active {
					t.Errorf("the old key is still active after a full rotation")
				}
				return
			}
			if code != 1 || !strings.Contains(stderr, "Left to do") || !strings.Contains(stderr, "cyclr install --profile prod") {
				t.Errorf("refused push: exit %d, want 1 naming what is left\n%s", code, stderr)
			}
			if !st.Active {
				t.Errorf("the old key was deactivated although the Cyclr install still holds it")
			}
			if got[0].Properties[0].Value != old {
				t.Errorf("the install changed although Cyclr refused the update")
			}
		})
	}
}
