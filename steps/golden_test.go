package steps

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestGoldenViews pins the look of every step at 80x24 (colour stripped). Refresh with
//
//	go test ./steps -run TestGoldenViews -update
func TestGoldenViews(t *testing.T) {
	deps, _, _ := testDeps()
	deps.Verifier = &fakeVerifier{errFor: wrongKeySecret}
	deps.OpenURL = func(string) error { return nil }
	deps.Profiles = &fakeProfiles{list: []ExistingProfile{{Name: "prod", Issuer: "https://cxone.niceincontact.com", ClientID: "485a…d7e8"}}}
	h := newHarness(t, deps, Config{Profile: "acme"}, 80, 24)
	shot := func(name string) {
		t.Helper()
		view := h.view()
		for _, s := range append(secrets(), "TOKEN-MUST-NOT-SHOW") {
			if strings.Contains(view, s) {
				t.Fatalf("%s: a secret is on screen:\n%s", name, view)
			}
		}
		t.Run(name, func(t *testing.T) { golden.RequireEqual(t, []byte(view)) })
	}
	shot("01-welcome")
	h.keys("enter", "enter")
	shot("02-register")
	h.keys("enter")
	h.paste(testClientID)
	h.keys("tab")
	h.paste(testClientSecret)
	shot("03-client")
	h.keys("enter")
	shot("04-createkey")
	h.keys("space", "enter")
	h.paste(testKeyID)
	h.keys("tab")
	h.paste(wrongSecret)
	shot("05-accesskey")
	h.keys("enter")
	h.want(IDCheck)
	shot("06-check-rejected")
	h.keys("enter", "ctrl+u")
	h.paste(testKeySecret)
	h.keys("enter")
	shot("06-check-ok")
	h.keys("enter")
	shot("07-save")
	h.keys("enter")
	h.typeText(testPassphrase)
	shot("07-save-passphrase")
	h.keys("enter")
	h.typeText(testPassphrase)
	h.keys("enter")
	h.want(IDDone)
	shot("08-done")
}

// TestGoldenFilesHoldNoSecrets reads every file under testdata: whatever wrote them, no test
// secret may be in one.
func TestGoldenFilesHoldNoSecrets(t *testing.T) {
	var n int
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for _, s := range append(secrets(), "TOKEN-MUST-NOT-SHOW") {
			if strings.Contains(string(b), s) {
				t.Errorf("%s contains a secret", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 8 {
		t.Errorf("found %d golden files, want at least one per step (8)", n)
	}
}
