package cli

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/steps"
	"cxone-auth/steps/stepstest"
	"cxone-auth/steps/wizardtest"
	"cxone-auth/ui"
)

// The wizard end to end with its real dependencies: the live check against the emulator over
// loopback HTTP and the encrypted-file keyring in a temporary folder. The passphrase is typed
// twice on the save step, as a person would.

const wizardPassphrase = "typed in the wizard"

// startWizard runs the wizard as `cxone-auth setup` would, without CXONE_KEYRING_PASSPHRASE.
func startWizard(t *testing.T, e *cliEnv) *stepstest.Driver {
	t.Helper()
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")
	f := &Factory{IO: testStreams(strings.NewReader(""), io.Discard, io.Discard), Env: EnvFromMap(e.vars)}
	root := newRootCmd(f)
	if err := f.prepare(root, f.flags); err != nil {
		t.Fatal(err)
	}
	m := wizardtest.NewModel(f.wizardDeps(), steps.Config{Profile: f.ProfileName(), Issuer: f.Settings.Issuer}).(*ui.Model)
	d := stepstest.Start(t, m)
	d.Timeout = 10 * time.Second
	return d
}

// typeCreds goes from the welcome screen to the check with the given secrets.
func typeCreds(d *stepstest.Driver, c cxonetest.Credentials) {
	d.Keys("enter", "enter", "enter") // environment (custom: the emulator), issuer URL, profile name
	d.WaitStep(steps.IDRegister)
	d.Keys("enter")
	d.WaitStep(steps.IDClient)
	d.Paste(c.ClientID)
	d.Keys("tab")
	d.Paste(c.ClientSecret)
	d.Keys("enter")
	d.WaitStep(steps.IDCreateKey)
	d.Keys("space", "enter")
	d.WaitStep(steps.IDAccessKey)
	d.Paste(c.AccessKeyID)
	d.Keys("tab")
	d.Paste(c.AccessKeySecret)
	d.Keys("enter")
	d.WaitStep(steps.IDCheck)
}

// saveToFile accepts the checked credentials and saves them with a new passphrase.
func saveToFile(d *stepstest.Driver) {
	d.WaitText(steps.IDCheck, "The credentials work.")
	d.Keys("enter")
	d.WaitText(steps.IDSave, "Encrypted file")
	d.Keys("enter")
	d.WaitText(steps.IDSave, "Repeat the passphrase")
	d.Type(wizardPassphrase)
	d.Keys("enter")
	d.Type(wizardPassphrase)
	d.Keys("enter")
	d.WaitText(steps.IDDone, "Saved profile")
	d.Keys("enter")
}

// assertStored checks the saved profile with the command line, as the Done step suggests.
func assertStored(t *testing.T, e *cliEnv, d *stepstest.Driver) {
	t.Helper()
	if m := d.Final(); m.State() != ui.StateDone {
		t.Fatalf("wizard state %v, want done", m.State())
	}
	e.vars["CXONE_KEYRING_PASSPHRASE"] = wizardPassphrase
	code, out, stderr := e.run("check", "--json")
	c := parseCheck(t, out)
	if code != 0 || len(c.Profiles) != 1 || c.Profiles[0].Status != "valid" || c.Profiles[0].Tenant != cxonetest.DefaultUser.Tenant {
		t.Fatalf("check after the wizard: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = e.run("export")
	if code != 0 || !strings.Contains(out, "CXONE_CLIENT_SECRET="+cxonetest.DefaultCredentials.ClientSecret+"\n") ||
		!strings.Contains(out, "CXONE_ACCESS_KEY_SECRET="+cxonetest.DefaultCredentials.AccessKeySecret+"\n") {
		t.Errorf("export after the wizard: exit %d; the stored secrets are not the corrected ones", code)
	}
}

func TestWizardHappyPath(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	d := startWizard(t, e)
	typeCreds(d, cxonetest.DefaultCredentials)
	saveToFile(d)
	assertStored(t, e, d)
	if n := len(e.srv.RequestsTo(cxonetest.EndpointToken)); n != 2 { // the wizard's and check's
		t.Errorf("token requests %d, want 2", n)
	}
}

func TestWizardWrongClientSecretFixed(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	d := startWizard(t, e)
	bad := cxonetest.DefaultCredentials
	bad.ClientSecret = "WRONG0000SECRET"
	typeCreds(d, bad)
	d.WaitText(steps.IDCheck, "CXone rejected the client credentials")
	if strings.Contains(d.Screen(), bad.ClientSecret) {
		t.Error("the check screen shows the client secret")
	}
	d.Keys("enter") // fix the client credentials
	d.WaitStep(steps.IDClient)
	d.Keys("ctrl+u") // the secret field has focus and still holds the wrong value
	d.Paste(cxonetest.DefaultCredentials.ClientSecret)
	d.Keys("enter")
	d.WaitStep(steps.IDCreateKey)
	d.Keys("enter") // confirmed before
	d.WaitStep(steps.IDAccessKey)
	d.Keys("enter") // the access key was kept
	d.WaitStep(steps.IDCheck)
	saveToFile(d)
	assertStored(t, e, d)
}

func TestWizardWrongAccessKeyFixed(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	d := startWizard(t, e)
	bad := cxonetest.DefaultCredentials
	bad.AccessKeySecret = "WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONGWR===="
	typeCreds(d, bad)
	d.WaitText(steps.IDCheck, "CXone rejected the access key")
	d.Keys("enter") // fix the access key
	d.WaitStep(steps.IDAccessKey)
	d.Keys("ctrl+u")
	d.Paste(cxonetest.DefaultCredentials.AccessKeySecret)
	d.Keys("enter")
	d.WaitStep(steps.IDCheck)
	saveToFile(d)
	assertStored(t, e, d)
}

func TestWizardNetworkFailureRetried(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	// A reset after the request was written is not re-sent by the client: the check fails
	// once, and the person's retry goes through.
	e.srv.SetFault(cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultReset, Times: 1})
	d := startWizard(t, e)
	typeCreds(d, cxonetest.DefaultCredentials)
	d.WaitText(steps.IDCheck, "Could not reach CXone")
	d.Keys("enter") // retry
	saveToFile(d)
	assertStored(t, e, d)
}

func TestWizardCtrlCWritesNothing(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	d := startWizard(t, e)
	typeCreds(d, cxonetest.DefaultCredentials)
	d.WaitText(steps.IDCheck, "The credentials work.")
	d.Keys("ctrl+c")
	d.WaitText(steps.IDCheck, "Quit without saving?")
	d.Keys("y")
	if m := d.Final(); m.State() != ui.StateAborted {
		t.Fatalf("wizard state %v, want aborted", m.State())
	}
	for _, dir := range []string{e.vars["CXONE_CONFIG_DIR"], e.vars["CXONE_KEYRING_DIR"]} {
		if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
			t.Errorf("%s holds %d entries after cancelling, want none", dir, len(entries))
		}
	}
}
