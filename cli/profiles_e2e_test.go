package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/steps"
	"cxone-auth/steps/stepstest"
	"cxone-auth/steps/wizardtest"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// The profiles screen, the edit and the rotation end to end with their real dependencies: the
// store on the encrypted-file keyring in a temporary folder, live checks against emulators.

const homePassphrase = "typed before the screen"

// A second access key of the emulator's user, for staging and for rotations.
var (
	stagingKey = cxonetest.Credentials{AccessKeyID: "STAGINGKEYSTAGINGKEYSTAGINGKEYSTAGINGKEYSTAGINGKEYS====", AccessKeySecret: "STAGINGSECRETSTAGINGSECRETSTAGINGSECRETSTAGINGSECRE===="}
	rotatedKey = cxonetest.Credentials{AccessKeyID: "ROTATEDKEYROTATEDKEYROTATEDKEYROTATEDKEYROTATEDKEYRO====", AccessKeySecret: "ROTATEDSECRETROTATEDSECRETROTATEDSECRETROTATEDSECRE===="}
)

// threeProfiles stores prod (valid, the default), staging (its key deactivated since: rejected)
// and lab (its issuer, a second emulator, closed since: unreachable).
func threeProfiles(t *testing.T) *cliEnv {
	t.Helper()
	e := newCLIEnv(t, cxonetest.Config{})
	e.vars["CXONE_KEYRING_PASSPHRASE"] = homePassphrase
	good := e.writeEnvFile("good.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", good, "--profile", "prod"); code != 0 {
		t.Fatalf("setup prod: %d %s", code, stderr)
	}
	st := cxonetest.DefaultCredentials
	st.AccessKeyID, st.AccessKeySecret = stagingKey.AccessKeyID, stagingKey.AccessKeySecret
	e.srv.AddAccessKey(st.AccessKeyID, st.AccessKeySecret, cxonetest.DefaultUser)
	if code, _, stderr := e.run("setup", "--env-file", e.writeEnvFile("staging.env", st), "--profile", "staging"); code != 0 {
		t.Fatalf("setup staging: %d %s", code, stderr)
	}
	e.srv.SetKeyInactive(st.AccessKeyID, true)
	lab := cxonetest.New(cxonetest.Config{})
	if code, _, stderr := e.run("setup", "--env-file", good, "--profile", "lab", "--issuer", lab.URL); code != 0 {
		t.Fatalf("setup lab: %d %s", code, stderr)
	}
	lab.Close()
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")
	return e
}

// newTTYFactory is the factory of `cxone-auth` on a terminal whose keyboard types input at the
// command line's prompts (the keyring passphrase before the screen opens).
func newTTYFactory(t *testing.T, e *cliEnv, input string, args ...string) (*Factory, *bytes.Buffer) {
	t.Helper()
	var errOut bytes.Buffer
	io := testStreams(strings.NewReader(input), &bytes.Buffer{}, &errOut)
	io.SetStdinTTY(true)
	io.SetStdoutTTY(true)
	f := &Factory{IO: io, Env: EnvFromMap(e.vars)}
	root := newRootCmd(f)
	if err := root.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	if err := f.prepare(root, f.flags); err != nil {
		t.Fatal(err)
	}
	return f, &errOut
}

// startHome opens the profiles screen as `cxone-auth` does: the keyring unlocked first.
func startHome(t *testing.T, e *cliEnv) (*stepstest.Driver, *Factory) {
	t.Helper()
	f, _ := newTTYFactory(t, e, homePassphrase+"\n")
	if err := f.unlockKeyring(context.Background()); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	m := wizardtest.NewHomeModel(f.wizardDeps(), f.stepsConfig()).(*ui.Model)
	d := stepstest.StartAt(t, m, 80, 24, "Profiles")
	d.Timeout = 15 * time.Second
	return d, f
}

type listJSON struct {
	Profiles []struct {
		Profile         string `json:"profile"`
		Default         bool   `json:"default"`
		AccessKeyID     string `json:"access_key_id"`
		LastCheckStatus string `json:"last_check_status"`
		LastErrorKind   string `json:"last_error_kind"`
	} `json:"profiles"`
}

func listProfiles(t *testing.T, e *cliEnv) listJSON {
	t.Helper()
	code, out, stderr := e.run("list", "--json")
	var l listJSON
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil {
		t.Fatalf("list: %d %s %s", code, out, stderr)
	}
	return l
}

func TestProfilesScreenEndToEnd(t *testing.T) {
	e := threeProfiles(t)
	d, _ := startHome(t, e)
	d.WaitFor("three statuses", func(step, view string, _ ui.State) bool {
		return step == steps.IDProfiles && strings.Contains(view, "✓ valid") && strings.Contains(view, "✗ rejected") &&
			strings.Contains(view, "! unreachable") && !strings.Contains(view, "checking")
	})
	if v := d.Screen(); !strings.Contains(v, "> prod*") || !strings.Contains(v, cxonetest.DefaultUser.Tenant) {
		t.Errorf("screen:\n%s", v)
	}
	// The results are in the config, as check --all records them.
	status := map[string]string{}
	for _, p := range listProfiles(t, e).Profiles {
		status[p.Profile] = p.LastCheckStatus + "/" + p.LastErrorKind
	}
	if status["prod"] != "valid/" || status["staging"] != "rejected/invalid_grant" || status["lab"] != "unreachable/network" {
		t.Errorf("recorded statuses %v", status)
	}

	// The details of the rejected profile say which value is wrong.
	d.Keys("down", "enter")
	d.WaitText(steps.IDProfiles, "CXone rejected the access key")
	d.Keys("esc")

	// Make staging the default.
	d.Keys("d")
	d.WaitText(steps.IDProfiles, `Profile "staging" is now the default.`)
	for _, p := range listProfiles(t, e).Profiles {
		if p.Default != (p.Profile == "staging") {
			t.Errorf("after d: %s default=%v", p.Profile, p.Default)
		}
	}

	// Export staging to a file; a second export asks before replacing it.
	out := filepath.Join(e.dir, "staging-export.env")
	for i, confirm := range []bool{false, true} {
		d.Keys("x", "tab", "ctrl+u")
		d.Type(out)
		d.Keys("enter")
		if confirm {
			d.WaitText(steps.IDProfiles, "Replace it? y/N")
			d.Keys("y")
		}
		d.WaitText(steps.IDProfiles, "Wrote profile")
		b, err := os.ReadFile(out)
		if fi, _ := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(string(b), "CXONE_ACCESS_KEY_ID="+stagingKey.AccessKeyID+"\n") {
			t.Fatalf("export %d: %v, the file lacks staging's key or is not 0600", i, err)
		}
		if i == 0 {
			if err := os.WriteFile(out, []byte("changed"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Remove lab, confirmed.
	d.Keys("up", "up")
	d.Keys("delete")
	d.WaitText(steps.IDProfiles, `Remove profile "lab" and its stored credentials? y/N`)
	d.Keys("y")
	d.WaitText(steps.IDProfiles, `Removed profile "lab"`)
	d.Keys("q")
	if m := d.Final(); m.State() != ui.StateDone {
		t.Errorf("state %v", m.State())
	}
	for _, p := range listProfiles(t, e).Profiles {
		if p.Profile == "lab" {
			t.Errorf("lab is still listed")
		}
	}
}

// TestProfilesScreenRotates: r replaces prod's access key with a new one, checked live with the
// stored client credentials, in one write; the record names the old key.
func TestProfilesScreenRotates(t *testing.T) {
	e := threeProfiles(t)
	e.srv.AddAccessKey(rotatedKey.AccessKeyID, rotatedKey.AccessKeySecret, cxonetest.DefaultUser)
	d, _ := startHome(t, e)
	d.WaitFor("checks", func(_, view string, _ ui.State) bool { return !strings.Contains(view, "checking") })
	d.Keys("r")
	d.WaitText(steps.IDCreateKey, "SHOWN ONLY ONCE")
	d.Keys("space", "enter")
	d.WaitText(steps.IDAccessKey, "Replacing Access Key ID")
	d.Paste(rotatedKey.AccessKeyID)
	d.Keys("tab")
	d.Paste(rotatedKey.AccessKeySecret)
	d.Keys("enter")
	d.WaitText(steps.IDCheck, "The credentials work.")
	d.Keys("enter")
	d.WaitText(steps.IDDone, `Updated profile "prod".`)
	if v := d.Screen(); !strings.Contains(strings.Join(strings.Fields(v), " "), "Deactivate the old Access Key ID "+cxonetest.DefaultCredentials.AccessKeyID) {
		t.Errorf("done:\n%s", v)
	}
	d.Keys("enter")
	d.WaitText(steps.IDProfiles, "Deactivate the old Access Key ID")
	d.Keys("q")
	m := d.Final()
	if f := m.Session().Finished; len(f) != 1 || f[0].OldAccessKeyID != cxonetest.DefaultCredentials.AccessKeyID {
		t.Fatalf("finished %v", f)
	}
	e.vars["CXONE_KEYRING_PASSPHRASE"] = homePassphrase
	code, out, _ := e.run("export", "--profile", "prod")
	if code != 0 || !strings.Contains(out, "CXONE_ACCESS_KEY_ID="+rotatedKey.AccessKeyID+"\n") || !strings.Contains(out, "CXONE_CLIENT_SECRET="+cxonetest.DefaultCredentials.ClientSecret+"\n") {
		t.Errorf("export after the rotation: %d; the stored key is not the new one", code)
	}
}

// TestEditKeepingEveryValue: `setup` on an existing profile, enter through every step: nothing
// retyped, one check, saved back without a keyring menu, "Updated".
func TestEditKeepingEveryValue(t *testing.T) {
	e := threeProfiles(t)
	f, _ := newTTYFactory(t, e, homePassphrase+"\n", "--profile", "prod")
	ctx := context.Background()
	if err := f.unlockKeyring(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := f.storedSecret(ctx, "prod")
	if err != nil {
		t.Fatal(err)
	}
	deps, cfg := f.wizardDeps(), f.stepsConfig()
	d := stepstest.StartAt(t, wizardtest.NewFlowModel(deps, cfg, steps.EditFlow(deps, cfg, p, "", nil)).(*ui.Model), 80, 24, "Step 1 of 6")
	d.Timeout = 15 * time.Second
	e.srv.ResetRequests()
	d.Keys("enter", "enter") // the environment (custom: the emulator), its issuer URL
	d.WaitText(steps.IDClient, "enter keeps")
	d.Keys("enter", "enter")
	d.WaitText(steps.IDAccessKey, "enter keeps")
	d.Keys("enter", "enter")
	d.WaitText(steps.IDCheck, "The credentials work.")
	d.Keys("enter")
	d.WaitText(steps.IDDone, `Updated profile "prod".`)
	d.Keys("enter")
	if m := d.Final(); m.State() != ui.StateDone {
		t.Fatalf("state %v", m.State())
	}
	if n := len(e.srv.RequestsTo(cxonetest.EndpointToken)); n != 1 {
		t.Errorf("token requests %d, want 1", n)
	}
	for _, l := range listProfiles(t, e).Profiles {
		if l.Profile == "prod" && l.LastCheckStatus != "valid" {
			t.Errorf("prod after the edit: %+v", l)
		}
	}
}

func TestRotateUnattended(t *testing.T) {
	e := threeProfiles(t)
	e.vars["CXONE_KEYRING_PASSPHRASE"] = homePassphrase
	e.srv.AddAccessKey(rotatedKey.AccessKeyID, rotatedKey.AccessKeySecret, cxonetest.DefaultUser)
	write := func(name, body string) string {
		p := filepath.Join(e.dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Only the access key is read: no client credentials in the file.
	bad := write("bad.env", "CXONE_ACCESS_KEY_ID="+rotatedKey.AccessKeyID+"\nCXONE_ACCESS_KEY_SECRET=WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWR====\n")
	code, _, stderr := e.run("setup", "--rotate", "--profile", "prod", "--env-file", bad)
	if code != 3 || !strings.Contains(stderr, "nothing was stored") {
		t.Fatalf("a rejected new key: exit %d\n%s", code, stderr)
	}
	if _, out, _ := e.run("export", "--profile", "prod"); !strings.Contains(out, "CXONE_ACCESS_KEY_ID="+cxonetest.DefaultCredentials.AccessKeyID+"\n") {
		t.Fatalf("a failed rotation changed the stored key")
	}
	good := write("new.env", "CXONE_ACCESS_KEY_ID="+rotatedKey.AccessKeyID+"\nCXONE_ACCESS_KEY_SECRET="+rotatedKey.AccessKeySecret+"\n")
	code, _, stderr = e.run("setup", "--rotate", "--profile", "prod", "--env-file", good)
	if code != 0 || !strings.Contains(stderr, `Updated profile "prod".`) || !strings.Contains(stderr, "Deactivate the old Access Key ID "+cxonetest.DefaultCredentials.AccessKeyID) {
		t.Fatalf("rotation: exit %d\n%s", code, stderr)
	}
	for _, s := range []string{rotatedKey.AccessKeySecret, cxonetest.DefaultCredentials.ClientSecret} {
		if strings.Contains(stderr, s) {
			t.Errorf("a secret is in the record")
		}
	}
	if _, out, _ := e.run("export", "--profile", "prod"); !strings.Contains(out, "CXONE_ACCESS_KEY_ID="+rotatedKey.AccessKeyID+"\n") {
		t.Fatalf("the rotation did not store the new key")
	}
	// The endpoint cache came from the fresh check: a check goes straight to token and proof.
	e.srv.ResetRequests()
	if code, _, _ := e.run("check", "--profile", "prod"); code != 0 || len(e.srv.Requests()) != 2 {
		t.Errorf("check after the rotation: exit %d, %d requests, want 0 and 2", code, len(e.srv.Requests()))
	}
	// --from-env reads the new key from the environment, and nothing else.
	e.vars["CXONE_ACCESS_KEY_ID"], e.vars["CXONE_ACCESS_KEY_SECRET"] = stagingKey.AccessKeyID, stagingKey.AccessKeySecret
	e.srv.SetKeyInactive(stagingKey.AccessKeyID, false)
	code, _, stderr = e.run("setup", "--rotate", "--profile", "prod", "--from-env")
	if code != 0 || !strings.Contains(stderr, "Deactivate the old Access Key ID "+rotatedKey.AccessKeyID) {
		t.Fatalf("--rotate --from-env: exit %d\n%s", code, stderr)
	}
	delete(e.vars, "CXONE_ACCESS_KEY_ID")
	delete(e.vars, "CXONE_ACCESS_KEY_SECRET")
	if code, _, _ := e.run("setup", "--rotate", "--profile", "nope", "--env-file", good); code != 4 {
		t.Errorf("--rotate of a missing profile: exit %d, want 4", code)
	}
	io := testStreams(strings.NewReader(""), nil, nil)
	io.SetStdinTTY(true)
	io.SetStdoutTTY(true)
	if code, _, _ := e.runIn(io, "setup", "--rotate", "--profile", "nope"); code != 4 {
		t.Errorf("--rotate of a missing profile on a terminal: exit %d, want 4", code)
	}
}

// TestUnlockAsksAgainAfterAWrongPassphrase is the attack of a wrong passphrase retried (or
// asked over and over): a wrong one is asked again, at most three times in all, and what
// was refused is never tried again.
func TestUnlockAsksAgainAfterAWrongPassphrase(t *testing.T) {
	e := threeProfiles(t)
	f, errOut := newTTYFactory(t, e, "not it\n"+homePassphrase+"\n")
	if err := f.unlockKeyring(context.Background()); err != nil {
		t.Fatalf("unlock after one wrong passphrase: %v", err)
	}
	if n := strings.Count(errOut.String(), "Passphrase for the keyring"); n != 2 || !strings.Contains(errOut.String(), "Wrong passphrase — 2 tries left") {
		t.Errorf("prompts %d:\n%s", n, errOut.String())
	}
	if !f.passphraseKnown() {
		t.Errorf("the proven passphrase is not kept for the run")
	}
	f, errOut = newTTYFactory(t, e, "one\ntwo\nthree\n"+homePassphrase+"\n")
	err := f.unlockKeyring(context.Background())
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("three wrong passphrases: %v", err)
	}
	if n := strings.Count(errOut.String(), "Passphrase for the keyring"); n != 3 {
		t.Errorf("prompts %d, want 3", n)
	}
	if f.passphraseKnown() {
		t.Errorf("a refused passphrase was kept")
	}
}

// TestSaveAfterUnlockDoesNotAsk: once the keyring was unlocked before the screen, the save
// step offers the file keyring without a passphrase and the saver uses the proven one.
func TestSaveAfterUnlockDoesNotAsk(t *testing.T) {
	e := threeProfiles(t)
	f, _ := newTTYFactory(t, e, homePassphrase+"\n")
	if err := f.unlockKeyring(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, b := range (backendSource{f}).Backends() {
		if b.Name == store.BackendFile && b.NeedsPassphrase {
			t.Errorf("the file keyring still needs a passphrase after the unlock")
		}
	}
	p, _ := f.storedSecret(context.Background(), "prod")
	err := saver{f}.Save(context.Background(), steps.SaveRequest{Profile: "copy", Issuer: p.Issuer, Creds: p.Creds, Backend: store.BackendFile})
	if err != nil {
		t.Fatalf("save with the unlocked keyring: %v", err)
	}
	if !f.stepsConfig().PassphraseKnown {
		t.Errorf("the wizard would ask for the passphrase again")
	}
}

// TestScreenHoldsLogLines is the attack of --debug lines (the stores' own included) and
// warnings written to the terminal while a screen owns it: they are held back and printed
// once the screen is gone.
func TestScreenHoldsLogLines(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	f, errOut := newTTYFactory(t, e, "", "--debug")
	s, err := f.Store() // opened before the screen, as the profiles screen's store is
	if err != nil {
		t.Fatal(err)
	}
	var during string
	err = f.runScreen(context.Background(), func(context.Context, steps.Deps, steps.Config, io.Reader, io.Writer) (steps.Outcome, error) {
		before := errOut.Len()
		_ = s.Backend() // the store logs which backend it uses
		f.Settings.Logger.Debug("a line of the screen's own")
		fmt.Fprintln(f.IO.ErrOut, "a warning")
		during = errOut.String()[before:]
		return steps.Outcome{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if during != "" {
		t.Errorf("written to the terminal while the screen owned it: %q", during)
	}
	for _, want := range []string{"keyring backend", "a line of the screen's own", "a warning"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("after the screen, stderr lacks %q:\n%s", want, errOut.String())
		}
	}
}
