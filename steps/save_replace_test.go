package steps

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// TestSaveWarnsBeforeReplacing: a new profile's wizard given the name of a stored profile
// says, in the save step (on screen and as line prompts), that saving replaces it; a free
// name and an edit say nothing of the kind.
func TestSaveWarnsBeforeReplacing(t *testing.T) {
	const warn = `Profile "acme" is already stored (in the file keyring): saving replaces its credentials.`
	for _, tc := range []struct {
		name string
		want bool
	}{{"acme", true}, {"fresh", false}} {
		deps, _, _ := testDeps()
		deps.Profiles = &fakeProfiles{list: []ExistingProfile{{Name: "acme", Issuer: testIssuer, ClientID: "485a…d7e8", Backend: "file"}}}
		h := newHarness(t, deps, Config{Profile: tc.name}, 80, 24)
		h.toCheck(testClientSecret, testKeySecret)
		h.keys("enter")
		h.want(IDSave)
		if got := strings.Contains(flat(h.view()), warn); got != tc.want {
			t.Errorf("%s: warning shown %v, want %v:\n%s", tc.name, got, tc.want, h.view())
		}
		// Short windows keep it: it is pinned with the step's instruction.
		h.send(tea.WindowSizeMsg{Width: 40, Height: 10})
		if got := strings.Contains(flat(h.view()), "saving replaces its credentials"); got != tc.want {
			t.Errorf("%s at 40x10: warning shown %v, want %v:\n%s", tc.name, got, tc.want, h.view())
		}
	}

	// Line prompts.
	deps, _, saver := testDeps()
	deps.Profiles = &fakeProfiles{list: []ExistingProfile{{Name: "acme", Backend: "file"}}}
	s := NewSave(deps.Backends, deps.Saver, Config{PassphraseKnown: true}).warnReplacing(deps.Profiles)
	sess := &ui.Session{Ctx: context.Background(), Draft: &ui.Draft{Profile: "acme", Issuer: testIssuer}}
	var out strings.Builder
	msg, err := s.Prompt(sess, ui.NewPrompter(context.Background(), strings.NewReader("\n"), &out))
	if err != nil || msg != (ui.NextMsg{}) || len(saver.Requests()) != 1 {
		t.Fatalf("prompt: %v %v, %d saves\n%s", msg, err, len(saver.Requests()), out.String())
	}
	if !strings.Contains(out.String(), "Warning: "+warn) {
		t.Errorf("line prompts lack the warning:\n%s", out.String())
	}

	// An edit updates the profile it started from: no warning.
	edit := NewSave(deps.Backends, deps.Saver, Config{PassphraseKnown: true}).warnReplacing(deps.Profiles)
	out.Reset()
	sess.Draft = &ui.Draft{Profile: "acme", Issuer: testIssuer, Existing: true, Backend: "file"}
	if _, err := edit.Prompt(sess, ui.NewPrompter(context.Background(), strings.NewReader("\n"), &out)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "replaces") {
		t.Errorf("an edit warns of replacing itself:\n%s", out.String())
	}
}

// TestSavePreselectsRememberedKeyring: a new profile's keyring defaults to the one config.json
// remembers, over the detected default; when that one is unavailable, the detected default.
func TestSavePreselectsRememberedKeyring(t *testing.T) {
	ss := Backend{Name: "secret-service", Label: "Secret Service", Available: true, Default: true}
	file := fileBackend(true)
	file.Default, file.Remembered = false, true
	for _, tc := range []struct {
		name   string
		list   []Backend
		want   string
		reason string
	}{
		{"remembered", []Backend{ss, file}, "> ● Encrypted file", "used last"},
		{"remembered gone", []Backend{ss, {Name: "file", Label: "Encrypted file", Remembered: true, Note: "unavailable"}}, "> ● Secret Service", "detected default"},
		{"none remembered", []Backend{ss, fileBackend(true)}, "> ● Secret Service", "detected default"},
	} {
		deps, _, saver := testDeps()
		deps.Backends = fakeBackends{list: tc.list}
		h := newHarness(t, deps, Config{Profile: "acme", PassphraseKnown: true}, 80, 24)
		h.toCheck(testClientSecret, testKeySecret)
		h.keys("enter")
		h.want(IDSave)
		v := h.view()
		if !strings.Contains(v, tc.want) || !strings.Contains(v, tc.reason) {
			t.Errorf("%s: want %q (%s) selected:\n%s", tc.name, tc.want, tc.reason, v)
		}
		h.keys("enter")
		if r := saver.Requests(); len(r) != 1 || (tc.name == "remembered") != (r[0].Backend == "file") {
			t.Errorf("%s: saved %+v", tc.name, r)
		}
	}
}
