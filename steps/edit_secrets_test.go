package steps

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cxone-auth/auth"
)

// Stored secrets of the edit-flow tests: one of 56 characters (a real access key secret's
// length) and one of 6. Their characters are chosen so that no 3 in a row occur in the
// wizard's own words.
const (
	editSecretLong  = "5Q7X5Z7Q5Q7X5Z7Q5Q7X5Z7Q5Q7X5Z7Q5Q7X5Z7Q5Q7X5Z7Q5Q7X5ZA="
	editSecretShort = "7Z5X7Q"
)

// leaked reports the first run of 3 characters of secret found in s ("" if none): a frame may
// show at most the last 2 characters of a stored secret.
func leaked(s, secret string) string {
	r := []rune(secret)
	for i := 0; i+3 <= len(r); i++ {
		if g := string(r[i : i+3]); strings.Contains(s, g) {
			return g
		}
	}
	return ""
}

// TestEditFlowShowsNoMoreThanTwoCharactersOfASecret is the attack of issue 16: someone who
// sees the screen (over a shoulder, in a screen recording, in a terminal's scrollback) while a
// stored profile is edited must not learn more than 2 characters of a stored secret. Every
// frame of the edit flow, on screen at several sizes (a reveal tried on the stored secret,
// back and forth between the steps) and as line prompts, is searched for any 3 characters in
// a row of either secret; a 56-character secret may show its last 2, a 6-character one none.
func TestEditFlowShowsNoMoreThanTwoCharactersOfASecret(t *testing.T) {
	if len(editSecretLong) != 56 || len(editSecretShort) != 6 {
		t.Fatal("the test secrets have the wrong lengths")
	}
	for _, tc := range []struct{ client, key string }{
		{editSecretLong, editSecretShort},
		{editSecretShort, editSecretLong},
	} {
		sec := StoredSecret{Name: "prod", Issuer: testIssuer, Backend: "file", Creds: auth.Credentials{
			ClientID: testClientID, ClientSecret: tc.client, AccessKeyID: testKeyID, AccessKeySecret: tc.key}}
		var frames []string
		for _, sz := range [][2]int{{80, 24}, {40, 10}, {200, 50}, {20, 5}} {
			deps, _, saver, _ := homeDeps()
			h := newFlowHarness(t, deps, homeCfg, EditFlow(deps, homeCfg, sec, "", nil), sz[0], sz[1])
			shot := func() {
				frames = append(frames, h.m.View().Content)
				for _, w := range []int{20, 33, 120} { // a resize redraws the same step
					h.send(tea.WindowSizeMsg{Width: w, Height: sz[1]})
					frames = append(frames, h.m.View().Content)
				}
				h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			}
			shot()
			for _, step := range []struct {
				keys []string
			}{
				{[]string{"enter"}},                           // environment → client
				{[]string{"tab"}},                             // the client secret field
				{[]string{"ctrl+r"}},                          // reveal: a stored secret is never revealed
				{[]string{"shift+tab", "shift+tab", "enter"}}, // back to the environment and forth
				{[]string{"enter", "enter"}},                  // keep both client values
				{[]string{"tab", "ctrl+r"}},                   // the access key secret, reveal
				{[]string{"enter"}},                           // keep it: the check
				{[]string{"enter"}},                           // save
			} {
				h.keys(step.keys...)
				shot()
			}
			h.want(IDDone)
			shot()
			if r := saver.Requests(); len(r) != 1 || r[0].Creds != sec.Creds {
				t.Fatalf("%v: the edit did not keep the stored values", sz)
			}
		}
		var out strings.Builder
		deps, _, _, _ := homeDeps()
		cfg := homeCfg
		cfg.Accessible = true
		if _, err := RunFlow(context.Background(), deps, cfg, EditFlow(deps, cfg, sec, "", nil), strings.NewReader(strings.Repeat("\n", 12)), &out); err != nil {
			t.Fatal(err)
		}
		frames = append(frames, out.String())
		all := strings.Join(frames, "\n")
		for _, s := range []string{tc.client, tc.key} {
			for i, f := range frames {
				if g := leaked(f+"\n"+ansi.Strip(f), s); g != "" {
					t.Fatalf("frame %d shows %q of a stored secret of %d characters:\n%s", i, g, len(s), f)
				}
			}
		}
		// What is shown instead: that a value is stored, its length, the last 2 of a long one.
		if !strings.Contains(all, "stored · 56 characters · ends …A=") || !strings.Contains(all, "stored · 6 characters") ||
			strings.Contains(all, "· 6 characters · ends") {
			t.Errorf("the stored secrets are not described as decided:\n%s", out.String())
		}
		if !strings.Contains(out.String(), "stored · 56 characters · ends …A=") || !strings.Contains(out.String(), "stored · 6 characters") {
			t.Errorf("the line prompts do not describe the stored secrets:\n%s", out.String())
		}
		// The identifiers keep their first and last 4 characters.
		if !strings.Contains(all, auth.Mask(testClientID)) || !strings.Contains(all, auth.Mask(testKeyID)) {
			t.Errorf("the stored IDs are not shown masked")
		}
	}
}
