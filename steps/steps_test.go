package steps

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

func TestHappyPathSynchronous(t *testing.T) {
	deps, v, s := testDeps()
	h := newHarness(t, deps, Config{Profile: "acme"}, 80, 24)
	h.toCheck(testClientSecret, testKeySecret)
	if !strings.Contains(h.view(), "The credentials work.") {
		t.Fatalf("check view lacks success:\n%s", h.view())
	}
	if got := len(s.Requests()); got != 0 {
		t.Fatalf("saver called %d times before the save step, want 0", got)
	}
	h.keys("enter")
	h.want(IDSave)
	h.keys("enter") // file backend, new keyring: passphrase twice
	h.typeText(testPassphrase)
	h.keys("enter")
	h.typeText(testPassphrase)
	h.keys("enter")
	h.want(IDDone)
	if v.Calls() != 1 {
		t.Errorf("verifier called %d times, want 1", v.Calls())
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("saver called %d times, want 1", len(reqs))
	}
	want := SaveRequest{Profile: "acme", Issuer: auth.IssuerCommercial, Backend: "file", Passphrase: testPassphrase,
		Creds: auth.Credentials{ClientID: testClientID, ClientSecret: testClientSecret, AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}}
	got := reqs[0]
	got.Result = nil
	if got != want {
		t.Errorf("save request = %+v, want %+v", got, want)
	}
	if reqs[0].Result == nil || reqs[0].Result.Tenant != "acme_corp" {
		t.Errorf("save request result = %v, want the check result", reqs[0].Result)
	}
	view := h.view()
	for _, w := range []string{"acme_corp", "Acme (4601234)", "https://api-na1.niceincontact.com", "cxone-auth check --profile acme", "cxone-auth export --profile acme -o .env", "Encrypted file"} {
		if !strings.Contains(view, w) {
			t.Errorf("done view lacks %q:\n%s", w, view)
		}
	}
	h.keys("enter")
	out, err := outcomeOf(h.m)
	if err != nil || !out.Saved || out.Profile != "acme" || out.Backend != "file" {
		t.Errorf("outcome = %+v, %v; want saved acme file", out, err)
	}
}

func TestWelcome(t *testing.T) {
	tests := []struct {
		name, issuer        string
		wantEnv, wantIssuer string
	}{
		{"default", "", "commercial", auth.IssuerCommercial},
		{"fedramp", auth.IssuerFedRAMP + "/", "fedramp", auth.IssuerFedRAMP},
		{"custom", "http://127.0.0.1:8443", "custom", "http://127.0.0.1:8443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deps, _, _ := testDeps()
			h := newHarness(t, deps, Config{Issuer: tt.issuer}, 80, 24)
			d := h.draft()
			if d.Environment != tt.wantEnv || d.Issuer != tt.wantIssuer || d.Profile != "default" {
				t.Errorf("draft = %s %s %s, want %s %s default", d.Environment, d.Issuer, d.Profile, tt.wantEnv, tt.wantIssuer)
			}
		})
	}
}

func TestWelcomeValidation(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("down", "down", "enter") // custom issuer
	h.typeText("http://cxone.example.com")
	h.keys("enter")
	if !strings.Contains(h.view(), "must be https") {
		t.Errorf("plain http issuer accepted:\n%s", h.view())
	}
	for range len("http://cxone.example.com") {
		h.keys("backspace")
	}
	h.typeText("https://cxone.example.com/")
	h.keys("enter") // to profile
	for range len("default") {
		h.keys("backspace")
	}
	h.typeText("Bad Name")
	h.keys("enter")
	h.want(IDWelcome)
	if !strings.Contains(h.view(), "invalid profile name") {
		t.Errorf("bad profile name not flagged:\n%s", h.view())
	}
	for range len("Bad Name") {
		h.keys("backspace")
	}
	h.typeText("prod.eu-1")
	h.keys("enter")
	h.want(IDRegister)
	if d := h.draft(); d.Issuer != "https://cxone.example.com" || d.Profile != "prod.eu-1" || d.Environment != "custom" {
		t.Errorf("draft = %q %q %q", d.Issuer, d.Profile, d.Environment)
	}
}

func TestPasteIsCleaned(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.want(IDClient)
	h.paste("  \x1b[1m" + testClientID + "\x1b[0m\r\n")
	h.keys("tab")
	h.paste("\t" + testClientSecret + "\n\x00")
	if c := h.draft().Creds; c.ClientID != testClientID || c.ClientSecret != testClientSecret {
		t.Errorf("creds after paste = %q / (secret ok: %v)", c.ClientID, c.ClientSecret == testClientSecret)
	}
	h.keys("enter")
	h.want(IDCreateKey)
}

func TestPasteLimit(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.paste(strings.Repeat("A", 5000))
	if got := len(h.draft().Creds.ClientID); got != 4096 {
		t.Errorf("client ID length after a 5000-char paste = %d, want 4096", got)
	}
}

func TestRevealToggle(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter", "tab")
	h.paste(testClientSecret)
	if strings.Contains(h.view(), testClientSecret) {
		t.Fatalf("masked secret visible:\n%s", h.view())
	}
	h.keys("ctrl+r")
	if !strings.Contains(h.view(), testClientSecret) {
		t.Fatalf("revealed secret not visible:\n%s", h.view())
	}
	h.keys("ctrl+r")
	if strings.Contains(h.view(), testClientSecret) {
		t.Fatalf("secret visible after hiding again")
	}
	// Leaving the step hides a revealed secret again.
	h.keys("ctrl+r", "esc", "enter")
	h.want(IDClient)
	if strings.Contains(h.view(), testClientSecret) {
		t.Errorf("secret still revealed after leaving and coming back")
	}
}

func TestBackKeepsValues(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.typeText(testClientID)
	h.keys("shift+tab") // first field: back to the previous step
	h.want(IDRegister)
	h.keys("esc")
	h.want(IDWelcome)
	h.keys("enter") // the profile field still has focus
	h.want(IDRegister)
	h.keys("enter")
	h.want(IDClient)
	if !strings.Contains(h.view(), testClientID) {
		t.Errorf("client ID lost after going back:\n%s", h.view())
	}
	h.keys("tab")
	h.typeText("abc")
	h.keys("shift+tab") // second field: previous field, same step
	h.want(IDClient)
	h.keys("esc")
	h.want(IDRegister)
	h.keys("enter")
	if c := h.draft().Creds; c.ClientID != testClientID || c.ClientSecret != "abc" {
		t.Errorf("draft after back and forth: %q %q", c.ClientID, c.ClientSecret)
	}
}

func TestCtrlCConfirmsOnceTyped(t *testing.T) {
	deps, _, s := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.typeText("x")
	h.keys("ctrl+c")
	if !h.m.Confirming() || !strings.Contains(h.view(), "Quit without saving? y/N") {
		t.Fatalf("no confirmation after typing:\n%s", h.view())
	}
	h.keys("n")
	if h.m.State() != ui.StateRunning || h.draft().Creds.ClientID != "x" {
		t.Fatalf("n did not keep going: state %v, id %q", h.m.State(), h.draft().Creds.ClientID)
	}
	h.keys("ctrl+c", "y")
	if h.m.State() != ui.StateAborted {
		t.Fatalf("state %v, want aborted", h.m.State())
	}
	if _, err := outcomeOf(h.m); !errors.Is(err, ErrCancelled) {
		t.Errorf("outcome error %v, want ErrCancelled", err)
	}
	if len(s.Requests()) != 0 {
		t.Errorf("saver called after cancel")
	}
}

func TestCreateKeyNeedsConfirmation(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.paste(testClientID)
	h.keys("tab")
	h.paste(testClientSecret)
	h.keys("enter")
	h.want(IDCreateKey)
	if !strings.Contains(h.view(), "THE SECRET IS SHOWN ONLY ONCE") {
		t.Errorf("warning missing:\n%s", h.view())
	}
	h.keys("enter")
	h.want(IDCreateKey)
	if !strings.Contains(h.view(), "Tick the box") {
		t.Errorf("no nudge after enter without confirming:\n%s", h.view())
	}
	h.keys("space", "enter")
	h.want(IDAccessKey)
}

func TestInlineWarningsDoNotBlock(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.paste("my-app")
	if !strings.Contains(h.view(), "normally a GUID") {
		t.Errorf("no warning for a non-GUID client ID:\n%s", h.view())
	}
	h.keys("tab")
	h.paste(testClientSecret)
	h.keys("enter", "space", "enter")
	h.want(IDAccessKey)
	h.paste("short")
	if !strings.Contains(h.view(), "are normally") {
		t.Errorf("no warning for an unusual access key ID:\n%s", h.view())
	}
	h.keys("tab")
	h.paste(testKeySecret)
	h.keys("enter")
	h.want(IDCheck)
}

func TestSpacesInsideBlock(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.paste(testClientID)
	h.typeText(" x")
	h.keys("tab")
	h.paste(testClientSecret)
	h.keys("enter")
	h.want(IDClient)
	if !strings.Contains(h.view(), "contains white space") {
		t.Errorf("no error for a value with a space:\n%s", h.view())
	}
}

// TestPastedPairIsSplit is the attack of a secret shown in an unmasked field: the ID and its
// secret pasted at once into the ID field.
func TestPastedPairIsSplit(t *testing.T) {
	deps, _, _ := testDeps()
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.want(IDClient)
	h.paste(testClientID + "\n" + testClientSecret + "\n")
	if strings.Contains(h.view(), testClientSecret) || !strings.Contains(h.view(), "Pasted two values") {
		t.Fatalf("client step after a paste of both values:\n%s", h.view())
	}
	if c := h.draft().Creds; c.ClientID != testClientID || c.ClientSecret != testClientSecret {
		t.Fatalf("the pair was not split: id %q, secret set %v", c.ClientID, c.ClientSecret == testClientSecret)
	}
	h.keys("enter", "space", "enter")
	h.want(IDAccessKey)
	h.paste("Access Key ID: " + testKeyID + " Access Key Secret: " + testKeySecret)
	if v := h.view(); strings.Contains(v, testKeySecret) || !strings.Contains(v, "several values") {
		t.Fatalf("access key step after a labelled paste:\n%s", v)
	}
	if c := h.draft().Creds; c.AccessKeyID != "" || c.AccessKeySecret != "" {
		t.Errorf("a refused paste entered values")
	}
}

// checkStep returns a check step entered with complete credentials.
func checkStep(t *testing.T, v Verifier) (*Check, *ui.Session) {
	t.Helper()
	sess := &ui.Session{Width: 80, Height: 24, Styles: ui.NewStyles(true, true), Keys: ui.DefaultKeyMap(), Ctx: t.Context(),
		Draft: &ui.Draft{Issuer: auth.IssuerCommercial, Creds: auth.Credentials{ClientID: testClientID, ClientSecret: testClientSecret, AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}}}
	c := NewCheck(v)
	drain(t, c, c.Enter(sess))
	return c, sess
}

// drain feeds a step the messages of cmd until it settles, and returns the navigation
// messages it emitted.
func drain(t *testing.T, s ui.Step, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var nav []tea.Msg
	queue := execCmd(t, cmd)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		switch msg.(type) {
		case ui.NextMsg, ui.BackMsg, ui.GoToMsg, ui.FinishMsg, ui.AbortMsg:
			nav = append(nav, msg)
			continue
		}
		_, c := s.Update(msg)
		queue = append(queue, execCmd(t, c)...)
	}
	return nav
}

func TestCheckRoutesErrors(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantGoTo  string // "" means enter retries
		wantTitle string
	}{
		{"invalid_client", &auth.RejectedError{Kind: auth.KindInvalidClient, Status: 401}, IDClient, "rejected the client credentials"},
		{"invalid_grant", &auth.RejectedError{Kind: auth.KindInvalidGrant, Status: 400}, IDAccessKey, "rejected the access key"},
		{"unauthorized", &auth.RejectedError{Kind: auth.KindUnauthorized, Status: 401}, IDAccessKey, "refused the new token"},
		{"network", &auth.NetworkError{URL: "https://x", Err: errors.New("refused")}, "", "Could not reach CXone"},
		{"timeout", &auth.TimeoutError{URL: "https://x", Timeout: "15s"}, "", "did not answer in time"},
		{"server", &auth.ServerError{Status: 503, URL: "https://x"}, "", "server error"},
		{"protocol", &auth.ProtocolError{Msg: "no token_endpoint"}, IDWelcome, "Unexpected answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &fakeVerifier{errFor: func(call int, _ auth.Credentials) error {
				if call == 0 {
					return tt.err
				}
				return nil
			}}
			c, sess := checkStep(t, v)
			view := ansiStrip(c.View())
			if !strings.Contains(view, tt.wantTitle) {
				t.Errorf("view lacks %q:\n%s", tt.wantTitle, view)
			}
			if c.Target() != tt.wantGoTo {
				t.Errorf("Target() = %q, want %q", c.Target(), tt.wantGoTo)
			}
			_, cmd := c.Update(press("enter"))
			nav := drain(t, c, cmd)
			if tt.wantGoTo == "" {
				if len(nav) != 0 || v.Calls() != 2 {
					t.Fatalf("enter: nav %v, verifier calls %d; want a retry (2 calls)", nav, v.Calls())
				}
				if sess.Draft.Result == nil {
					t.Errorf("retry succeeded but the draft has no result")
				}
				return
			}
			if len(nav) != 1 || nav[0] != (ui.GoToMsg{ID: tt.wantGoTo}) {
				t.Errorf("enter emitted %v, want GoTo(%s)", nav, tt.wantGoTo)
			}
			// Retry is offered for network and server errors only: r does not send the same
			// values again.
			_, cmd = c.Update(press("r"))
			drain(t, c, cmd)
			if v.Calls() != 1 {
				t.Errorf("r after %s: verifier calls %d, want 1 (no retry)", tt.name, v.Calls())
			}
			if strings.Contains(ansiStrip(c.View()), "Retry the check") {
				t.Errorf("%s offers a retry:\n%s", tt.name, ansiStrip(c.View()))
			}
		})
	}
}

func TestCheckShowsSanitizedError(t *testing.T) {
	v := &fakeVerifier{errFor: func(int, auth.Credentials) error {
		return &auth.RejectedError{Kind: auth.KindInvalidClient, Description: "bad\x1b[2J\x1b]0;evil\x07 client\r\nnext"}
	}}
	c, _ := checkStep(t, v)
	raw := c.View()
	if strings.Contains(raw, "\x1b[2J") || strings.Contains(raw, "\x1b]0;") || strings.Contains(raw, "\r") {
		t.Errorf("server text reached the view unsanitized: %q", raw)
	}
	if !strings.Contains(ansiStrip(raw), "bad client") {
		t.Errorf("sanitized description missing:\n%s", ansiStrip(raw))
	}
}

func TestCheckDoesNotRerunSameValues(t *testing.T) {
	v := &fakeVerifier{}
	c, sess := checkStep(t, v)
	drain(t, c, c.Enter(sess))
	if v.Calls() != 1 {
		t.Errorf("re-entering with the same values ran %d checks, want 1", v.Calls())
	}
	sess.Draft.Creds.AccessKeySecret = "CHANGED"
	drain(t, c, c.Enter(sess))
	if v.Calls() != 2 {
		t.Errorf("changed values ran %d checks, want 2", v.Calls())
	}
}

func TestSavePassphrase(t *testing.T) {
	tests := []struct {
		name      string
		backend   Backend
		fromEnv   bool
		typeTimes int
		wantPass  string
	}{
		{"new file keyring asks twice", fileBackend(false), false, 2, testPassphrase},
		{"existing file keyring asks once", fileBackend(true), false, 1, testPassphrase},
		{"passphrase from env asks none", fileBackend(false), true, 0, ""},
		{"os keyring asks none", Backend{Name: "secret-service", Label: "Secret Service", Available: true, Default: true}, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deps, _, s := testDeps()
			deps.Backends = fakeBackends{list: []Backend{tt.backend}}
			h := newHarness(t, deps, Config{PassphraseKnown: tt.fromEnv}, 80, 24)
			h.toCheck(testClientSecret, testKeySecret)
			h.keys("enter", "enter")
			for range tt.typeTimes {
				h.want(IDSave)
				if strings.Contains(h.view(), testPassphrase) {
					t.Fatalf("passphrase visible")
				}
				h.typeText(testPassphrase)
				h.keys("enter")
			}
			h.want(IDDone)
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].Passphrase != tt.wantPass || reqs[0].Backend != tt.backend.Name {
				t.Errorf("requests = %d, passphrase ok %v, backend %q", len(reqs), len(reqs) == 1 && reqs[0].Passphrase == tt.wantPass, reqs[0].Backend)
			}
		})
	}
}

func TestSavePassphraseMismatchAndRetry(t *testing.T) {
	deps, _, s := testDeps()
	s.errs = []error{errors.New("keyring: disk full for /tmp/k")}
	h := newHarness(t, deps, Config{}, 80, 24)
	h.toCheck(testClientSecret, testKeySecret)
	h.keys("enter", "enter")
	h.typeText("short")
	h.keys("enter")
	if !strings.Contains(h.view(), "at least 12 characters") || len(s.Requests()) != 0 {
		t.Fatalf("a short passphrase for a new keyring was not refused:\n%s", h.view())
	}
	for range len("short") {
		h.keys("backspace")
	}
	h.typeText("first passphrase")
	h.keys("enter")
	h.typeText("other passphrase")
	h.keys("enter")
	if !strings.Contains(h.view(), "the two passphrases differ") {
		t.Fatalf("mismatch not reported:\n%s", h.view())
	}
	if len(s.Requests()) != 0 {
		t.Fatalf("saved despite mismatching passphrases")
	}
	h.typeText("first passphrase")
	h.keys("enter")
	h.want(IDSave)
	if !strings.Contains(h.view(), "Could not save") || !strings.Contains(h.view(), "disk full") {
		t.Fatalf("save error not shown:\n%s", h.view())
	}
	h.keys("enter") // Retry
	h.want(IDDone)
	if n := len(s.Requests()); n != 2 {
		t.Errorf("save attempts %d, want 2", n)
	}
}

func TestReuseClientCredentials(t *testing.T) {
	deps, _, _ := testDeps()
	deps.Profiles = &fakeProfiles{pass: testPassphrase, list: []ExistingProfile{
		{Name: "prod", Issuer: auth.IssuerCommercial, ClientID: auth.Mask(testClientID), Backend: "file", NeedsPassphrase: true},
	}}
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter", "enter")
	h.want(IDClient)
	if !strings.Contains(h.view(), "ctrl+o to reuse") {
		t.Fatalf("no reuse offer:\n%s", h.view())
	}
	h.keys("ctrl+o", "enter")
	h.typeText("nope")
	h.keys("enter")
	if !strings.Contains(h.view(), "wrong passphrase") {
		t.Fatalf("wrong passphrase not reported:\n%s", h.view())
	}
	h.typeText(testPassphrase)
	h.keys("enter")
	if c := h.draft().Creds; c.ClientID != testClientID || c.ClientSecret != testClientSecret {
		t.Fatalf("reuse did not fill the fields: %q", c.ClientID)
	}
	if v := h.view(); strings.Contains(v, testClientSecret) || !strings.Contains(v, `Copied the client credentials of profile "prod"`) {
		t.Errorf("view after reuse:\n%s", v)
	}
	h.keys("enter")
	h.want(IDCreateKey)
}

func TestRegisterActions(t *testing.T) {
	var opened []string
	deps, _, _ := testDeps()
	deps.OpenURL = func(u string) error { opened = append(opened, u); return nil }
	h := newHarness(t, deps, Config{}, 80, 24)
	h.keys("enter", "enter")
	h.want(IDRegister)
	h.keys("o")
	if len(opened) != 1 || opened[0] != RegistrationURL {
		t.Fatalf("opened %v, want the registration guide", opened)
	}
	if !strings.Contains(h.view(), "Opened the guide") {
		t.Errorf("no confirmation of the opened link:\n%s", h.view())
	}
	h.keys("down", "down", "enter") // "Not yet"
	if out, err := outcomeOf(h.m); h.m.State() != ui.StateDone || err != nil || !out.Later || out.Saved {
		t.Errorf("state %v, outcome %+v, %v after choosing to stop; want done, later, nothing saved", h.m.State(), out, err)
	}
}

func TestEveryStepAnySize(t *testing.T) {
	sizes := [][2]int{{0, 0}, {1, 1}, {3, 2}, {20, 5}, {20, 8}, {40, 12}, {80, 24}, {120, 40}, {200, 60}}
	deps, _, _ := testDeps()
	deps.Verifier = &fakeVerifier{errFor: wrongKeySecret}
	h := newHarness(t, deps, Config{}, 80, 24)
	check := func() {
		t.Helper()
		for _, sz := range sizes {
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			v := h.m.View().Content
			rows := strings.Split(v, "\n")
			if sz[1] > 0 && len(rows) > sz[1] {
				t.Errorf("%s at %dx%d: %d rows", h.step(), sz[0], sz[1], len(rows))
			}
		}
		h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	}
	check() // welcome
	h.keys("down", "down", "enter")
	check() // custom issuer field
	h.keys("shift+tab", "up", "up")
	h.keys("enter", "enter")
	h.want(IDRegister)
	check() // register
	h.keys("enter")
	check() // client
	h.paste(testClientID)
	h.keys("tab")
	h.paste(testClientSecret)
	h.keys("enter")
	check() // createkey
	h.keys("space", "enter")
	check() // accesskey
	h.paste(testKeyID)
	h.keys("tab")
	h.paste(wrongSecret)
	h.keys("enter")
	h.want(IDCheck)
	check() // failed check
	h.keys("enter")
	h.want(IDAccessKey)
	h.keys("ctrl+u")
	h.paste(testKeySecret)
	h.keys("enter")
	check() // passed check
	h.keys("enter")
	check() // save menu
	h.keys("enter")
	check() // passphrase
	h.typeText(testPassphrase)
	h.keys("enter")
	h.typeText(testPassphrase)
	h.keys("enter")
	h.want(IDDone)
	check() // done
}

func TestWelcomeWarnsAboutExistingProfile(t *testing.T) {
	deps, _, _ := testDeps()
	deps.Profiles = &fakeProfiles{list: []ExistingProfile{{Name: "prod"}}}
	h := newHarness(t, deps, Config{Profile: "prod"}, 80, 24)
	if !strings.Contains(h.view(), `profile "prod" exists`) {
		t.Errorf("no warning for an existing profile name:\n%s", h.view())
	}
	h.keys("enter")
	h.typeText("2")
	if strings.Contains(h.view(), "exists") {
		t.Errorf("warning kept for a new name:\n%s", h.view())
	}
	h.keys("enter")
	h.want(IDRegister) // a warning, not a block
}

func TestMasked(t *testing.T) {
	tests := []struct{ in, want string }{
		{testClientID, "485a…d7e8"},
		{"485a…d7e8", "485a…d7e8"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := masked(tt.in); got != tt.want {
			t.Errorf("masked(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAltScreenOnlyWhenNotAccessible(t *testing.T) {
	deps, _, _ := testDeps()
	for _, acc := range []bool{false, true} {
		m := NewModel(deps, Config{Accessible: acc}).(*ui.Model)
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		if got := m.View().AltScreen; got == acc {
			t.Errorf("accessible=%v: AltScreen=%v, want %v", acc, got, !acc)
		}
	}
}

// TestSmallWindowsKeepFocusAndInstruction: at 40x10 and 60x15 every step shows its
// instruction and its focused line, and the selected environment stays in view as the
// cursor moves (it used to scroll away under the label at 60x15).
func TestSmallWindowsKeepFocusAndInstruction(t *testing.T) {
	deps, _, _ := testDeps()
	deps.Verifier = &fakeVerifier{errFor: wrongKeySecret}
	h := newHarness(t, deps, Config{Issuer: "http://127.0.0.1:1234"}, 80, 24)
	sizes := [][2]int{{40, 10}, {60, 15}, {60, 16}, {80, 18}}
	see := func(what string, want ...string) {
		t.Helper()
		for _, sz := range sizes {
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			v := flat(h.view())
			for _, w := range want {
				if !strings.Contains(v, w) {
					t.Errorf("%s at %dx%d: %q not in view:\n%s", what, sz[0], sz[1], w, h.view())
				}
			}
		}
	}
	see("welcome", "> ● Custom issuer", "Issuer URL")
	h.keys("up")
	see("welcome after up", "> ● FedRAMP")
	h.keys("down")
	see("welcome after down", "> ● Custom issuer", "Issuer URL")
	h.keys("tab", "tab")
	see("profile name", "Profile name", "> default")
	h.keys("enter")
	see("register", "registration guide", "> I already have my Client ID")
	h.keys("enter")
	see("client", "Client ID", "Client Secret")
	h.paste(testClientID)
	h.keys("tab")
	h.paste(testClientSecret)
	h.keys("enter")
	see("createkey", "My Profile → Access Keys", "shown only once", "[ ] I have copied")
	h.keys("enter")
	see("createkey nudged", "My Profile → Access Keys", "[ ] I have copied")
	h.keys("space", "enter")
	see("accesskey", "Access Key ID")
	h.paste(testKeyID)
	h.keys("tab")
	h.paste(wrongSecret)
	h.keys("enter")
	see("check failed", "Checking the credentials against", "rejected the access key", "> Fix the Access Key ID / Secret")
	h.keys("down")
	see("check failed, second action", "Checking the credentials against", "> Change the environment or issuer")
	h.keys("up", "enter", "ctrl+u")
	h.paste(testKeySecret)
	h.keys("enter")
	see("check passed", "Checking the credentials against", "The credentials work.")
	h.keys("enter")
	see("save", "Store profile default", "> ● Encrypted file")
	h.keys("enter")
	see("save passphrase", "Store profile default", "Keyring passphrase")
}
