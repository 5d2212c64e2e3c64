package steps

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"cxone-auth/auth"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// TestRejectedValuesAreNotSentAgain is the attack of credentials that CXone refused being
// sent again and again unchanged (account lockouts, noise in CXone's logs).
func TestRejectedValuesAreNotSentAgain(t *testing.T) {
	deps, v, _ := testDeps()
	v.errFor = wrongKeySecret
	h := newHarness(t, deps, Config{}, 80, 24)
	h.toCheck(testClientSecret, wrongSecret)
	if v.Calls() != 1 || !strings.Contains(h.view(), "rejected the access key") {
		t.Fatalf("calls %d, view:\n%s", v.Calls(), h.view())
	}
	h.keys("enter") // fix the access key
	h.want(IDAccessKey)
	h.keys("enter") // unchanged
	h.want(IDCheck)
	if v.Calls() != 1 || !strings.Contains(h.view(), "refused already") {
		t.Fatalf("unchanged rejected values: calls %d, view:\n%s", v.Calls(), h.view())
	}
	h.keys("r") // no retry for a rejection
	if v.Calls() != 1 {
		t.Fatalf("r re-sent rejected values: calls %d", v.Calls())
	}
	h.keys("enter")
	h.want(IDAccessKey)
	h.keys("ctrl+u")
	h.paste(testKeySecret)
	h.keys("enter")
	h.want(IDCheck)
	if v.Calls() != 2 || !strings.Contains(h.view(), "The credentials work.") {
		t.Errorf("changed values: calls %d, view:\n%s", v.Calls(), h.view())
	}
}

func TestRejectedValuesAreNotSentAgainLineByLine(t *testing.T) {
	deps, v, _ := testDeps()
	v.errFor = wrongKeySecret
	in := strings.Join([]string{
		"", "", "", testClientID, testClientSecret, "y", testKeyID, wrongSecret,
		"1",    // fix the access key
		"", "", // keep both values
		"1",                   // fix again
		"", testKeySecret, "", // new secret; save to the default keyring
		testPassphrase, testPassphrase,
	}, "\n") + "\n"
	var out strings.Builder
	got, err := Run(context.Background(), deps, Config{Accessible: true}, strings.NewReader(in), &out)
	if err != nil || !got.Saved {
		t.Fatalf("Run: %+v %v\n%s", got, err, out.String())
	}
	if v.Calls() != 2 || !strings.Contains(out.String(), "refused already") {
		t.Errorf("verifier calls %d, want 2 (the unchanged values were not sent again)\n%s", v.Calls(), out.String())
	}
}

func TestNotYetEndsNormally(t *testing.T) {
	deps, _, s := testDeps()
	var out strings.Builder
	got, err := Run(context.Background(), deps, Config{Accessible: true}, strings.NewReader("\n\nn\n"), &out)
	if err != nil || !got.Later || got.Saved || len(s.Requests()) != 0 {
		t.Errorf("outcome %+v, %v", got, err)
	}
}

// TestBackendFromFlag: a keyring named by --keyring-backend is not offered as a choice and is
// never called "detected".
func TestBackendFromFlag(t *testing.T) {
	deps, _, s := testDeps()
	deps.Backends = fakeBackends{list: []Backend{
		{Name: "secret-service", Label: "Secret Service", Available: true, Default: true},
		fileBackend(false),
	}}
	h := newHarness(t, deps, Config{Backend: "file"}, 80, 24)
	h.toCheck(testClientSecret, testKeySecret)
	h.keys("enter")
	h.want(IDSave)
	v := h.view()
	if !strings.Contains(v, "Encrypted file (from --keyring-backend)") || strings.Contains(v, "detected") || strings.Contains(v, "Secret Service") {
		t.Fatalf("save step with --keyring-backend file:\n%s", v)
	}
	h.typeText(testPassphrase)
	h.keys("enter")
	h.typeText(testPassphrase)
	h.keys("enter")
	h.want(IDDone)
	if r := s.Requests(); len(r) != 1 || r[0].Backend != "file" {
		t.Errorf("saved %+v", r)
	}
	// An OS keyring named by the flag needs nothing more: the save happens on entering.
	deps, _, s = testDeps()
	deps.Backends = fakeBackends{list: []Backend{{Name: "secret-service", Label: "Secret Service", Available: true}, fileBackend(false)}}
	h = newHarness(t, deps, Config{Backend: "secret-service"}, 80, 24)
	h.toCheck(testClientSecret, testKeySecret)
	h.keys("enter")
	h.want(IDDone)
	if r := s.Requests(); len(r) != 1 || r[0].Backend != "secret-service" {
		t.Errorf("saved %+v", r)
	}
}

// TestWrongPassphraseAsksAgain: after a wrong passphrase the default action is to type it
// again, never to retry the same one.
func TestWrongPassphraseAsksAgain(t *testing.T) {
	deps, _, s := testDeps()
	deps.Backends = fakeBackends{list: []Backend{fileBackend(true)}}
	s.errs = []error{wrongPass}
	h := newHarness(t, deps, Config{}, 80, 24)
	h.toCheck(testClientSecret, testKeySecret)
	h.keys("enter", "enter")
	h.typeText("not the passphrase")
	h.keys("enter")
	if !strings.Contains(h.view(), "Could not save") || strings.Contains(h.view(), "Retry") {
		t.Fatalf("after a wrong passphrase:\n%s", h.view())
	}
	h.keys("enter") // the first action: enter it again
	if strings.Contains(h.view(), "> •") {
		t.Fatalf("the wrong passphrase is still in the field:\n%s", h.view())
	}
	h.typeText(testPassphrase)
	h.keys("enter")
	h.want(IDDone)
	if r := s.Requests(); len(r) != 2 || r[1].Passphrase != testPassphrase {
		t.Errorf("requests %d", len(r))
	}
}

var wrongPass = &wrapErr{msg: "keyring file: unlock: wrong passphrase", err: errWrongPassphrase()}

type wrapErr struct {
	msg string
	err error
}

func (w *wrapErr) Error() string { return w.msg }
func (w *wrapErr) Unwrap() error { return w.err }

func TestDoneRecordSaysUpdatedAndOldKey(t *testing.T) {
	d := &ui.Draft{Profile: "prod", Issuer: auth.IssuerCommercial, Existing: true, OldAccessKeyID: "OLDKEYOLDKEYOLDKEY====", Backend: "file", BackendLabel: "Encrypted file",
		Creds:  auth.Credentials{AccessKeyID: testKeyID},
		Result: &auth.Result{User: "api.user@acme.com", Tenant: "acme_corp", BusinessUnitID: 42, APIEndpoint: "https://api-na1.niceincontact.com"}}
	text := strings.Join(RecordOf(d).Lines(), "\n")
	for _, want := range []string{`Updated profile "prod".`, "Business unit  42", "Deactivate the old Access Key ID OLDKEYOLDKEYOLDKEY====", "cxone-auth check --profile prod"} {
		if !strings.Contains(text, want) {
			t.Errorf("record lacks %q:\n%s", want, text)
		}
	}
}

func errWrongPassphrase() error { return store.ErrWrongPassphrase }

// TestChangedMeanwhileOffersNoRetry: when another cxone-auth changed the profile while the
// wizard ran, the save is refused (a compare and swap), and the step offers only leaving:
// a Retry would send the same refused save again.
func TestChangedMeanwhileOffersNoRetry(t *testing.T) {
	deps, _, s := testDeps()
	deps.Backends = fakeBackends{list: []Backend{{Name: "secret-service", Label: "Secret Service", Available: true}, fileBackend(false)}}
	s.errs = []error{fmt.Errorf("save profile %q: %w", "acme", store.ErrProfileChanged)}
	h := newHarness(t, deps, Config{Backend: "secret-service"}, 80, 24)
	h.toCheck(testClientSecret, testKeySecret)
	h.keys("enter")
	if v := h.view(); !strings.Contains(v, "Could not save") || strings.Contains(v, "Retry") || !strings.Contains(v, "Leave without saving") {
		t.Fatalf("after a refused compare and swap:\n%s", v)
	}
	h.keys("r", "enter")
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d save requests, want 1: the refused save was sent again", n)
	}
}

// TestWeakPassphraseRefusedInTheField: a new keyring's passphrase of twelve spaces or one
// character repeated is refused in the field, before anything is saved, on screen and as
// line prompts (the store refuses it too; the wizard must not let it reach the save).
func TestWeakPassphraseRefusedInTheField(t *testing.T) {
	for _, weak := range []string{"            ", "aaaaaaaaaaaaaaaa"} {
		if _, msg := passError(false, weak, weak); msg != passWeak {
			t.Errorf("passError(%q) = %q, want the weak-passphrase message", weak, msg)
		}
	}
	if _, msg := passError(false, "correct horse battery", "correct horse battery"); msg != "" {
		t.Errorf("a good passphrase refused: %q", msg)
	}
	deps, _, s := testDeps()
	deps.Backends = fakeBackends{list: []Backend{fileBackend(false)}}
	h := newHarness(t, deps, Config{}, 80, 24)
	h.toCheck(testClientSecret, testKeySecret)
	h.keys("enter", "enter")
	h.typeText("bbbbbbbbbbbbbb")
	h.keys("enter")
	h.typeText("bbbbbbbbbbbbbb")
	h.keys("enter")
	if !strings.Contains(h.view(), "one character repeated") {
		t.Fatalf("a repeated-character passphrase was not refused in the field:\n%s", h.view())
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d saves with a weak passphrase, want 0", n)
	}
}

// The line prompt says what the screen says after a refused compare and swap: leave, and run
// the command again; it asks nothing more and sends the save once.
func TestChangedMeanwhileLinePromptSaysLeave(t *testing.T) {
	deps, _, s := testDeps()
	s.errs = []error{fmt.Errorf("save profile %q: %w", "acme", store.ErrProfileChanged)}
	step := NewSave(deps.Backends, deps.Saver, Config{PassphraseKnown: true})
	sess := &ui.Session{Ctx: context.Background(), Draft: &ui.Draft{Profile: "acme", Issuer: testIssuer}}
	var out strings.Builder
	msg, err := step.Prompt(sess, ui.NewPrompter(context.Background(), strings.NewReader("\n\n\n"), &out))
	if err != nil || msg != (ui.AbortMsg{}) {
		t.Fatalf("prompt: %v %v\n%s", msg, err, out.String())
	}
	if !strings.Contains(out.String(), saveActLabels[saveActLeave]) || strings.Contains(out.String(), "Retry") {
		t.Errorf("the line prompt does not say what the screen says:\n%s", out.String())
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d saves, want 1", n)
	}
}
