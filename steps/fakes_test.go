package steps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cxone-auth/auth"
	"cxone-auth/steps/stepstest"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// Values used throughout the tests. The secrets must never show up on screen or in golden
// files; the tests search for them.
const (
	testClientID     = "485a1b2c-3d4e-5f60-7182-93a4b5c6d7e8"
	testClientSecret = "C0FFEE1234567890ABCDEF1234567890"
	testKeyID        = "ZO4EXAMPLEKEYIDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA===="
	testKeySecret    = "SECRETSECRETSECRETSECRETSECRETSECRETSECRETSECRETSECR===="
	wrongSecret      = "WRONGWRONGWRONGWRONG1234567890AB"
	testPassphrase   = "correct horse battery"
	// The key a rotation replaces the stored one with.
	testNewKeyID     = "NEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWK===="
	testNewKeySecret = "NEWSECRETNEWSECRETNEWSECRETNEWSECRETNEWSECRETNEWSEC===="
)

func secrets() []string {
	return []string{testClientSecret, testKeySecret, wrongSecret, testPassphrase, testNewKeySecret}
}

// fakeVerifier reports every stage and fails the token stage with what errFor returns.
type fakeVerifier struct {
	mu     sync.Mutex
	calls  int
	seen   []auth.Credentials
	errFor func(call int, c auth.Credentials) error
}

func (f *fakeVerifier) Verify(ctx context.Context, issuer string, c auth.Credentials, progress func(auth.StageEvent)) (*auth.Result, error) {
	f.mu.Lock()
	call := f.calls
	f.calls++
	f.seen = append(f.seen, c)
	f.mu.Unlock()
	var err error
	if f.errFor != nil {
		err = f.errFor(call, c)
	}
	for _, st := range auth.Stages {
		progress(auth.StageEvent{Stage: st, State: auth.StateRunning})
		if err != nil && st == auth.StageToken {
			progress(auth.StageEvent{Stage: st, State: auth.StateFailed, Detail: "HTTP 400"})
			return nil, err
		}
		progress(auth.StageEvent{Stage: st, State: auth.StateDone})
	}
	return &auth.Result{
		Issuer: issuer, User: "api.user@acme.com", Tenant: "acme_corp", TenantID: "11eb-0001",
		BusinessUnitID: 4601234, BusinessUnit: "Acme", APIEndpoint: "https://api-na1.niceincontact.com",
		AuthMethod: auth.AuthBasic, AccessToken: "TOKEN-MUST-NOT-SHOW",
	}, nil
}

func (f *fakeVerifier) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// wrongClientSecret rejects the client credentials while the secret is wrongSecret.
func wrongClientSecret(_ int, c auth.Credentials) error {
	if c.ClientSecret == wrongSecret {
		return &auth.RejectedError{Kind: auth.KindInvalidClient, Status: 400, Code: "invalid_client", Description: "bad client"}
	}
	return nil
}

// wrongKeySecret rejects the access key while its secret is wrongSecret.
func wrongKeySecret(_ int, c auth.Credentials) error {
	if c.AccessKeySecret == wrongSecret {
		return &auth.RejectedError{Kind: auth.KindInvalidGrant, Status: 400, Code: "invalid_grant"}
	}
	return nil
}

// firstCallNetwork fails the first call with a network error.
func firstCallNetwork(call int, _ auth.Credentials) error {
	if call == 0 {
		return &auth.NetworkError{URL: "https://cxone.niceincontact.com/.well-known/openid-configuration", Err: errors.New("connection refused")}
	}
	return nil
}

type fakeSaver struct {
	mu   sync.Mutex
	reqs []SaveRequest
	errs []error // per call
}

func (f *fakeSaver) Save(ctx context.Context, req SaveRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := len(f.reqs)
	f.reqs = append(f.reqs, req)
	if i < len(f.errs) {
		return f.errs[i]
	}
	return nil
}

func (f *fakeSaver) Requests() []SaveRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SaveRequest(nil), f.reqs...)
}

type fakeProfiles struct {
	list []ExistingProfile
	pass string // passphrase ClientCredentials expects for NeedsPassphrase profiles
}

func (f *fakeProfiles) Profiles(context.Context) ([]ExistingProfile, error) { return f.list, nil }

func (f *fakeProfiles) ClientCredentials(_ context.Context, name, pass string) (string, string, error) {
	for _, p := range f.list {
		if p.Name != name {
			continue
		}
		if p.NeedsPassphrase && pass != f.pass {
			return "", "", errors.New("wrong passphrase for the keyring in /tmp/keyring")
		}
		return testClientID, testClientSecret, nil
	}
	return "", "", fmt.Errorf("no profile %q", name)
}

type fakeBackends struct{ list []Backend }

func (f fakeBackends) Backends() []Backend { return f.list }

func fileBackend(exists bool) Backend {
	return Backend{Name: "file", Label: "Encrypted file", Note: "~/.local/share/cxone-auth/keyring", Available: true, Default: true, NeedsPassphrase: true, Exists: exists}
}

func testDeps() (Deps, *fakeVerifier, *fakeSaver) {
	v, s := &fakeVerifier{}, &fakeSaver{}
	return Deps{
		Verifier: v,
		Saver:    s,
		Profiles: &fakeProfiles{},
		Backends: fakeBackends{list: []Backend{
			{Name: "secret-service", Label: "Secret Service", Note: "no D-Bus session"},
			fileBackend(false),
		}},
	}, v, s
}

// press builds the key message a terminal would send.
func press(s string) tea.KeyPressMsg { return stepstest.Press(s) }

// harness drives the whole wizard synchronously: every command runs at once and its
// messages are fed back, except spinner ticks (they would loop forever) and tea.Quit.
type harness struct {
	t *testing.T
	m *ui.Model
}

func newHarness(t *testing.T, deps Deps, cfg Config, w, h int) *harness {
	t.Helper()
	cfg.NoColor = true
	hs := &harness{t: t, m: newModel(context.Background(), deps, cfg)}
	hs.run(hs.m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	for _, msg := range execCmd(h.t, cmd) {
		h.send(msg)
	}
}

func (h *harness) send(msgs ...tea.Msg) {
	h.t.Helper()
	for _, msg := range msgs {
		_, cmd := h.m.Update(msg)
		h.run(cmd)
	}
}

func (h *harness) keys(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(press(k))
	}
}

func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (h *harness) paste(s string) { h.send(tea.PasteMsg{Content: s}) }

func (h *harness) step() string { return h.m.Current().ID() }

func (h *harness) view() string { return ansi.Strip(h.m.View().Content) }

func (h *harness) draft() *ui.Draft { return h.m.Session().Draft }

func (h *harness) want(id string) {
	h.t.Helper()
	if got := h.step(); got != id {
		h.t.Fatalf("current step %s, want %s\n%s", got, id, h.view())
	}
}

// execCmd runs cmd (bounded, so a hang fails the test) and returns its messages, batches
// expanded.
func execCmd(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("command did not return within 5s")
	}
	switch msg := msg.(type) {
	case nil, spinner.TickMsg, tea.QuitMsg:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, execCmd(t, c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// toCheck walks from the welcome screen to the check with the given values.
func (h *harness) toCheck(clientSecret, keySecret string) {
	h.t.Helper()
	h.want(IDWelcome)
	h.keys("enter", "enter") // environment, profile name
	h.want(IDRegister)
	h.keys("enter")
	h.want(IDClient)
	h.paste(testClientID)
	h.keys("enter")
	h.paste(clientSecret)
	h.keys("enter")
	h.want(IDCreateKey)
	h.keys("space", "enter")
	h.want(IDAccessKey)
	h.paste(testKeyID)
	h.keys("enter")
	h.paste(keySecret)
	h.keys("enter")
	h.want(IDCheck)
}

func ansiStrip(s string) string { return ansi.Strip(s) }

// fakeManager is the profiles screen's store and CLI: profiles in memory, checks answered from
// a table.
type fakeManager struct {
	mu       sync.Mutex
	list     []StoredProfile
	results  map[string]ProfileCheck
	secrets  map[string]StoredSecret
	files    map[string]bool // paths that exist
	checks   []string
	removed  []string
	exports  []ExportRequest
	defaults []string
}

func (f *fakeManager) List(context.Context) ([]StoredProfile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]StoredProfile(nil), f.list...), nil
}

func (f *fakeManager) CheckEach(_ context.Context, names []string, fn func(ProfileCheck)) {
	for _, name := range names {
		fn(f.check(name))
	}
}

func (f *fakeManager) check(name string) ProfileCheck {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks = append(f.checks, name)
	res, ok := f.results[name]
	if !ok {
		res = ProfileCheck{Name: name, Status: "valid"}
	}
	res.CheckedAt = time.Now()
	for i := range f.list {
		if f.list[i].View.Name == name {
			if res.Err == nil {
				res.View = f.list[i].View
			}
			f.list[i].Status, f.list[i].LastCheckAt = res.Status, res.CheckedAt
			if res.Err != nil {
				f.list[i].ErrorKind = string(auth.KindOf(res.Err))
			}
		}
	}
	return res
}

func (f *fakeManager) Checks() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.checks...)
}

func (f *fakeManager) Load(_ context.Context, name string) (StoredSecret, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.secrets[name]
	if !ok {
		return StoredSecret{}, fmt.Errorf("no profile %q", name)
	}
	return s, nil
}

func (f *fakeManager) SetDefault(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.defaults = append(f.defaults, name)
	for i := range f.list {
		f.list[i].Default = f.list[i].View.Name == name
	}
	return nil
}

func (f *fakeManager) Remove(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, name)
	var keep []StoredProfile
	for _, p := range f.list {
		if p.View.Name != name {
			keep = append(keep, p)
		}
	}
	f.list = keep
	return nil
}

func (f *fakeManager) Export(_ context.Context, req ExportRequest) (ExportResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files[req.Path] && !req.Force {
		return ExportResult{}, fmt.Errorf("%s: %w", req.Path, fs.ErrExist)
	}
	f.exports = append(f.exports, req)
	return ExportResult{Path: "/work/" + req.Path}, nil
}

// Profiles of the screen's tests: prod works, staging's access key is rejected, lab's issuer
// cannot be reached.
const testIssuer = "https://cxone.niceincontact.com"

func stored(name, status, kind string, def bool) StoredProfile {
	v := store.View{Name: name, Issuer: testIssuer, ClientID: "485a…d7e8", AccessKeyID: "ZO4E…A===",
		User: "api.user@acme.com", Tenant: "acme_corp", BusinessUnitID: 4601234, BusinessUnit: "Acme",
		APIEndpoint: "https://api-na1.niceincontact.com"}
	if name == "lab" {
		v.Issuer, v.User, v.Tenant, v.BusinessUnitID, v.BusinessUnit, v.APIEndpoint = "http://127.0.0.1:9", "", "", 0, "", ""
	}
	return StoredProfile{View: v, Default: def, Backend: "file", Status: status, ErrorKind: kind,
		LastCheckAt: time.Now().Add(-3 * time.Hour)}
}

func newFakeManager() *fakeManager {
	secret := func(name, issuer string) StoredSecret {
		return StoredSecret{Name: name, Issuer: issuer, Backend: "file",
			Creds: auth.Credentials{ClientID: testClientID, ClientSecret: testClientSecret, AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}}
	}
	return &fakeManager{
		list: []StoredProfile{stored("lab", "", "", false), stored("prod", "valid", "", true), stored("staging", "valid", "", false)},
		results: map[string]ProfileCheck{
			"staging": {Name: "staging", Status: "rejected", Err: &auth.RejectedError{Kind: auth.KindInvalidGrant, Status: 400, Code: "invalid_grant"}},
			"lab":     {Name: "lab", Status: "error", Err: &auth.NetworkError{URL: "http://127.0.0.1:9/.well-known/openid-configuration", Err: errors.New("connection refused")}},
		},
		secrets: map[string]StoredSecret{
			"prod": secret("prod", testIssuer), "staging": secret("staging", testIssuer), "lab": secret("lab", "http://127.0.0.1:9"),
		},
		files: map[string]bool{},
	}
}

// newHomeHarness drives the profiles screen synchronously, as newHarness drives the wizard.
func newHomeHarness(t *testing.T, deps Deps, cfg Config, w, h int) *harness {
	t.Helper()
	cfg.NoColor = true
	hs := &harness{t: t, m: newHomeModel(context.Background(), deps, cfg)}
	hs.run(hs.m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// newFlowHarness drives one flow synchronously.
func newFlowHarness(t *testing.T, deps Deps, cfg Config, fl Flow, w, h int) *harness {
	t.Helper()
	cfg.NoColor = true
	hs := &harness{t: t, m: FlowModel(context.Background(), deps, cfg, fl)}
	hs.run(hs.m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}
