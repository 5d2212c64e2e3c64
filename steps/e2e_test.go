package steps

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"cxone-auth/ui"
)

// observed wraps the wizard so the test can see which step is current and what the screen
// says after every message, without racing the program's goroutine.
type observed struct {
	*ui.Model
	mu    sync.Mutex
	step  string
	view  string
	state ui.State
}

func (o *observed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := o.Model.Update(msg)
	o.mu.Lock()
	if s := o.Model.Current(); s != nil {
		o.step = s.ID()
	}
	o.view = ansi.Strip(o.Model.View().Content)
	o.state = o.Model.State()
	o.mu.Unlock()
	return o, cmd
}

func (o *observed) snapshot() (string, string, ui.State) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.step, o.view, o.state
}

type e2e struct {
	t  *testing.T
	tm *teatest.TestModel
	o  *observed
}

func startE2E(t *testing.T, deps Deps, cfg Config) *e2e {
	t.Helper()
	o := &observed{Model: NewModel(deps, cfg).(*ui.Model)}
	tm := teatest.NewTestModel(t, o,
		teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions( // one call: a second would replace the first
			tea.WithColorProfile(colorprofile.Ascii),
			tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		),
	)
	e := &e2e{t: t, tm: tm, o: o}
	// The first frame reaches the terminal.
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Step 1 of 8"))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	return e
}

// waitFor polls the observed screen until cond holds.
func (e *e2e) waitFor(what string, cond func(step, view string, st ui.State) bool) {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		step, view, st := e.o.snapshot()
		if cond(step, view, st) {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("waiting for %s: step %s, state %v, screen:\n%s", what, step, st, view)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *e2e) waitStep(id string) {
	e.t.Helper()
	e.waitFor("step "+id, func(step, _ string, _ ui.State) bool { return step == id })
}

func (e *e2e) waitText(id, text string) {
	e.t.Helper()
	e.waitFor(id+" showing "+text, func(step, view string, _ ui.State) bool {
		return step == id && strings.Contains(view, text)
	})
}

func (e *e2e) keys(keys ...string) {
	for _, k := range keys {
		e.tm.Send(press(k))
	}
}

func (e *e2e) paste(s string) { e.tm.Send(tea.PasteMsg{Content: s}) }

func (e *e2e) final() *ui.Model {
	e.t.Helper()
	return e.tm.FinalModel(e.t, teatest.WithFinalTimeout(5*time.Second)).(*observed).Model
}

// enterCreds goes from the welcome screen to the check with the given secrets.
func (e *e2e) enterCreds(clientSecret, keySecret string) {
	e.t.Helper()
	e.keys("enter", "enter")
	e.waitStep(IDRegister)
	e.keys("enter")
	e.waitStep(IDClient)
	e.paste(testClientID)
	e.keys("tab")
	e.paste(clientSecret)
	e.keys("enter")
	e.waitStep(IDCreateKey)
	e.keys("space", "enter")
	e.waitStep(IDAccessKey)
	e.paste(testKeyID)
	e.keys("tab")
	e.paste(keySecret)
	e.keys("enter")
	e.waitStep(IDCheck)
}

// finishSave picks the default file backend and gives a new passphrase twice.
func (e *e2e) finishSave() {
	e.t.Helper()
	e.waitText(IDCheck, "The credentials work.")
	e.keys("enter")
	e.waitText(IDSave, "Encrypted file")
	e.keys("enter")
	e.waitText(IDSave, "Repeat the passphrase")
	e.tm.Type(testPassphrase)
	e.keys("enter")
	e.tm.Type(testPassphrase)
	e.keys("enter")
	e.waitText(IDDone, "Saved profile")
	e.keys("enter")
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
	m := e.final()
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
	e.waitText(IDCheck, "CXone rejected the client credentials")
	e.keys("enter") // Fix the Client ID / Client Secret
	e.waitStep(IDClient)
	e.keys("ctrl+u") // the secret field still has focus
	e.paste(testClientSecret)
	e.keys("enter")
	e.waitStep(IDCreateKey)
	e.keys("enter") // still confirmed
	e.waitStep(IDAccessKey)
	e.keys("enter") // values kept
	e.waitStep(IDCheck)
	e.finishSave()
	assertSaved(t, e.final(), s, true)
	if v.Calls() != 2 {
		t.Errorf("verifier calls %d, want 2", v.Calls())
	}
}

func TestE2EWrongAccessKeyFixed(t *testing.T) {
	deps, v, s := testDeps()
	v.errFor = wrongKeySecret
	e := startE2E(t, deps, Config{})
	e.enterCreds(testClientSecret, wrongSecret)
	e.waitText(IDCheck, "CXone rejected the access key")
	e.keys("enter") // Fix the Access Key ID / Secret
	e.waitStep(IDAccessKey)
	e.keys("ctrl+u")
	e.paste(testKeySecret)
	e.keys("enter")
	e.waitStep(IDCheck)
	e.finishSave()
	assertSaved(t, e.final(), s, true)
}

func TestE2ENetworkFailureRetried(t *testing.T) {
	deps, v, s := testDeps()
	v.errFor = firstCallNetwork
	e := startE2E(t, deps, Config{})
	e.enterCreds(testClientSecret, testKeySecret)
	e.waitText(IDCheck, "Could not reach CXone")
	e.keys("enter") // Retry the check
	e.finishSave()
	assertSaved(t, e.final(), s, true)
	if v.Calls() != 2 {
		t.Errorf("verifier calls %d, want 2", v.Calls())
	}
}

func TestE2ECtrlCMidway(t *testing.T) {
	deps, v, s := testDeps()
	e := startE2E(t, deps, Config{})
	e.keys("enter", "enter")
	e.waitStep(IDRegister)
	e.keys("enter")
	e.waitStep(IDClient)
	e.paste(testClientID)
	e.keys("ctrl+c")
	e.waitText(IDClient, "Quit without saving? y/N")
	e.keys("y")
	m := e.final()
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
	e.keys("enter", "enter")
	e.waitStep(IDRegister)
	e.keys("enter")
	e.waitStep(IDClient) // the client step draws while the profiles are still loading
	e.keys("ctrl+c")
	if m := e.final(); m.State() != ui.StateAborted {
		t.Errorf("state %v, want aborted", m.State())
	}
}
