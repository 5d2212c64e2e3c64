package steps

import (
	"context"
	"errors"
	"testing"

	"cxone-auth/steps/stepstest"
	"cxone-auth/ui"
)

// e2e is the wizard under teatest with the given fake dependencies.
type e2e struct {
	*stepstest.Driver
	t *testing.T
}

func startE2E(t *testing.T, deps Deps, cfg Config) *e2e {
	t.Helper()
	return &e2e{Driver: stepstest.Start(t, NewModel(deps, cfg).(*ui.Model)), t: t}
}

// enterCreds goes from the welcome screen to the check with the given secrets.
func (e *e2e) enterCreds(clientSecret, keySecret string) {
	e.t.Helper()
	e.Keys("enter", "enter")
	e.WaitStep(IDRegister)
	e.Keys("enter")
	e.WaitStep(IDClient)
	e.Paste(testClientID)
	e.Keys("tab")
	e.Paste(clientSecret)
	e.Keys("enter")
	e.WaitStep(IDCreateKey)
	e.Keys("space", "enter")
	e.WaitStep(IDAccessKey)
	e.Paste(testKeyID)
	e.Keys("tab")
	e.Paste(keySecret)
	e.Keys("enter")
	e.WaitStep(IDCheck)
}

// finishSave picks the default file backend and gives a new passphrase twice.
func (e *e2e) finishSave() {
	e.t.Helper()
	e.WaitText(IDCheck, "The credentials work.")
	e.Keys("enter")
	e.WaitText(IDSave, "Encrypted file")
	e.Keys("enter")
	e.WaitText(IDSave, "Repeat the passphrase")
	e.Type(testPassphrase)
	e.Keys("enter")
	e.Type(testPassphrase)
	e.Keys("enter")
	e.WaitText(IDDone, "Saved profile")
	e.Keys("enter")
}

func assertSaved(t *testing.T, m *ui.Model, s *fakeSaver, wantCreds bool) {
	t.Helper()
	out, err := outcomeOf(m)
	if err != nil || !out.Saved || out.Backend != "file" || out.Result == nil {
		t.Fatalf("outcome %+v, %v; want saved to file with a result", out, err)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("saver called %d times, want 1", len(reqs))
	}
	c := reqs[0].Creds
	if wantCreds && (c.ClientSecret != testClientSecret || c.AccessKeySecret != testKeySecret || c.ClientID != testClientID || c.AccessKeyID != testKeyID) {
		t.Errorf("saved credentials are not the corrected ones: %v", c)
	}
	if reqs[0].Passphrase != testPassphrase {
		t.Errorf("saved with a different passphrase than typed")
	}
}

func TestE2EHappyPath(t *testing.T) {
	deps, v, s := testDeps()
	e := startE2E(t, deps, Config{})
	e.enterCreds(testClientSecret, testKeySecret)
	e.finishSave()
	m := e.Final()
	if m.State() != ui.StateDone {
		t.Fatalf("state %v, want done", m.State())
	}
	assertSaved(t, m, s, true)
	if v.Calls() != 1 {
		t.Errorf("verifier calls %d, want 1", v.Calls())
	}
}

func TestE2EWrongClientSecretFixed(t *testing.T) {
	deps, v, s := testDeps()
	v.errFor = wrongClientSecret
	e := startE2E(t, deps, Config{})
	e.enterCreds(wrongSecret, testKeySecret)
	e.WaitText(IDCheck, "CXone rejected the client credentials")
	e.Keys("enter") // Fix the Client ID / Client Secret
	e.WaitStep(IDClient)
	e.Keys("ctrl+u") // the secret field still has focus
	e.Paste(testClientSecret)
	e.Keys("enter")
	e.WaitStep(IDCreateKey)
	e.Keys("enter") // still confirmed
	e.WaitStep(IDAccessKey)
	e.Keys("enter") // values kept
	e.WaitStep(IDCheck)
	e.finishSave()
	assertSaved(t, e.Final(), s, true)
	if v.Calls() != 2 {
		t.Errorf("verifier calls %d, want 2", v.Calls())
	}
}

func TestE2EWrongAccessKeyFixed(t *testing.T) {
	deps, v, s := testDeps()
	v.errFor = wrongKeySecret
	e := startE2E(t, deps, Config{})
	e.enterCreds(testClientSecret, wrongSecret)
	e.WaitText(IDCheck, "CXone rejected the access key")
	e.Keys("enter") // Fix the Access Key ID / Secret
	e.WaitStep(IDAccessKey)
	e.Keys("ctrl+u")
	e.Paste(testKeySecret)
	e.Keys("enter")
	e.WaitStep(IDCheck)
	e.finishSave()
	assertSaved(t, e.Final(), s, true)
}

func TestE2ENetworkFailureRetried(t *testing.T) {
	deps, v, s := testDeps()
	v.errFor = firstCallNetwork
	e := startE2E(t, deps, Config{})
	e.enterCreds(testClientSecret, testKeySecret)
	e.WaitText(IDCheck, "Could not reach CXone")
	e.Keys("enter") // Retry the check
	e.finishSave()
	assertSaved(t, e.Final(), s, true)
	if v.Calls() != 2 {
		t.Errorf("verifier calls %d, want 2", v.Calls())
	}
}

func TestE2ECtrlCMidway(t *testing.T) {
	deps, v, s := testDeps()
	e := startE2E(t, deps, Config{})
	e.Keys("enter", "enter")
	e.WaitStep(IDRegister)
	e.Keys("enter")
	e.WaitStep(IDClient)
	e.Paste(testClientID)
	e.Keys("ctrl+c")
	e.WaitText(IDClient, "Quit without saving? y/N")
	e.Keys("y")
	m := e.Final()
	if m.State() != ui.StateAborted {
		t.Fatalf("state %v, want aborted", m.State())
	}
	if _, err := outcomeOf(m); !errors.Is(err, ErrCancelled) {
		t.Errorf("outcome error %v, want ErrCancelled", err)
	}
	if len(s.Requests()) != 0 || v.Calls() != 0 {
		t.Errorf("saver %d / verifier %d calls after cancelling, want 0 / 0", len(s.Requests()), v.Calls())
	}
}

// blockingProfiles never answers until released: a locked keyring.
type blockingProfiles struct{ release chan struct{} }

func (b blockingProfiles) Profiles(ctx context.Context) ([]ExistingProfile, error) {
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil, errors.New("locked")
}

func (b blockingProfiles) ClientCredentials(context.Context, string, string) (string, string, error) {
	<-b.release
	return "", "", errors.New("locked")
}

func TestE2EFirstFrameDoesNotWaitForKeyring(t *testing.T) {
	deps, _, _ := testDeps()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	deps.Profiles = blockingProfiles{release: release}
	e := startE2E(t, deps, Config{}) // fails unless the first frame appears
	e.Keys("enter", "enter")
	e.WaitStep(IDRegister)
	e.Keys("enter")
	e.WaitStep(IDClient) // the client step draws while the profiles are still loading
	e.Keys("ctrl+c")
	if m := e.Final(); m.State() != ui.StateAborted {
		t.Errorf("state %v, want aborted", m.State())
	}
}
