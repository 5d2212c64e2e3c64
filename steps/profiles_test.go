package steps

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

func homeDeps() (Deps, *fakeVerifier, *fakeSaver, *fakeManager) {
	deps, v, s := testDeps()
	m := newFakeManager()
	deps.Manager = m
	deps.Backends = fakeBackends{list: []Backend{fileBackend(true)}}
	return deps, v, s, m
}

// flat is s with its line breaks and runs of spaces made one space, to find wrapped text.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// homeCfg is the command line of a run whose keyring was unlocked before the screen opened.
var homeCfg = Config{PassphraseKnown: true}

func TestProfilesScreenChecksEveryProfileOnOpening(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 10}} {
		deps, _, _, m := homeDeps()
		h := newHomeHarness(t, deps, homeCfg, sz[0], sz[1])
		h.want(IDProfiles)
		if got := len(m.Checks()); got != 3 {
			t.Fatalf("%v: %d checks on opening, want 3", sz, got)
		}
		v := h.view()
		for _, want := range []string{"lab", "prod", "staging", "valid · just now", "rejected", "error"} {
			if !strings.Contains(v, want) {
				t.Errorf("%v: the screen lacks %q:\n%s", sz, want, v)
			}
		}
		if sz[0] == 80 {
			for _, want := range []string{"prod (default)", "rejected · just now", "error · just now", "acme_corp", "Acme (4601234)", "USER"} {
				if !strings.Contains(v, want) {
					t.Errorf("80x24: the screen lacks %q:\n%s", want, v)
				}
			}
		}
		// The screen opens on the default profile.
		if !strings.Contains(v, "> prod") {
			t.Errorf("%v: the cursor is not on the default profile:\n%s", sz, v)
		}
	}
}

// TestProfilesRowsWhileChecking: every row shows its own spinner until its check comes back.
func TestProfilesRowsWhileChecking(t *testing.T) {
	deps, _, _, _ := homeDeps()
	p := NewProfiles(deps, homeCfg)
	sess := &ui.Session{Width: 80, Height: 24, Styles: ui.NewStyles(true, true), Keys: ui.DefaultKeyMap(), Ctx: context.Background(), Draft: &ui.Draft{}}
	p.Enter(sess)
	list, _ := deps.Manager.List(context.Background())
	_, cmd := p.Update(listedMsg{list: list})
	if cmd == nil || strings.Count(p.View(), "checking…") != 3 {
		t.Fatalf("after the list: %v\n%s", cmd != nil, p.View())
	}
	p.Update(checksMsg{run: p.row("prod").run, results: []ProfileCheck{{Name: "prod", Status: "valid", CheckedAt: time.Now()}}})
	if v := p.View(); strings.Count(v, "checking…") != 2 || !strings.Contains(v, "valid · just now") {
		t.Errorf("after one result:\n%s", v)
	}
	// A late result of an older check is not shown over a newer one.
	p.Update(checksMsg{run: p.row("lab").run - 100, results: []ProfileCheck{{Name: "lab", Status: "valid"}}})
	if !p.row("lab").checking {
		t.Errorf("a stale result ended lab's check")
	}
}

func TestProfilesTableFitsTheWidth(t *testing.T) {
	deps, _, _, _ := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	p := h.m.Current().(*Profiles)
	for _, tc := range []struct {
		width       int
		want, avoid []string
	}{
		{120, []string{"USER", "api.user@acme.com", "BUSINESS UNIT", "(invalid_grant)", "prod (default)"}, nil},
		{78, []string{"USER", "api.user@…", "BUSINESS UNIT", "TENANT", "prod (default)", "rejected · just now"}, []string{"(invalid_grant)"}},
		{58, []string{"TENANT", "rejected · just now"}, []string{"USER", "BUSINESS UNIT"}},
		{38, []string{"prod*", "staging", "rejected · just now"}, []string{"TENANT"}},
	} {
		head, lines, _ := p.table(tc.width)
		text := ansi.Strip(head + "\n" + strings.Join(lines, "\n"))
		for _, l := range strings.Split(text, "\n") {
			if w := ansi.StringWidth(l); w > tc.width {
				t.Errorf("width %d: line %q is %d wide", tc.width, l, w)
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("width %d: lacks %q:\n%s", tc.width, w, text)
			}
		}
		for _, w := range tc.avoid {
			if strings.Contains(text, w) {
				t.Errorf("width %d: has %q:\n%s", tc.width, w, text)
			}
		}
	}
}

func TestProfilesKeys(t *testing.T) {
	deps, _, _, m := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	h.keys("down") // staging
	h.keys("d")
	p := h.m.Current().(*Profiles)
	if len(m.defaults) != 1 || m.defaults[0] != "staging" || !strings.Contains(h.view(), `Profile "staging" is now the default.`) || !p.row("staging").Default || p.row("prod").Default {
		t.Fatalf("d: defaults %v\n%s", m.defaults, h.view())
	}
	h.keys("delete")
	if !strings.Contains(h.view(), `Remove profile "staging" and its stored credentials? y/N`) {
		t.Fatalf("delete asks nothing:\n%s", h.view())
	}
	h.keys("enter") // the default is no
	if len(m.removed) != 0 || !strings.Contains(h.view(), "Nothing removed.") {
		t.Fatalf("enter removed %v", m.removed)
	}
	h.keys("delete", "y")
	if len(m.removed) != 1 || m.removed[0] != "staging" || strings.Contains(h.view(), "staging ") {
		t.Fatalf("delete, y: removed %v\n%s", m.removed, h.view())
	}
	h.keys("c")
	if n := len(m.Checks()); n != 4 {
		t.Errorf("c: %d checks, want 4", n)
	}
	h.keys("q")
	if h.m.State() != ui.StateDone {
		t.Errorf("q: state %v, want done", h.m.State())
	}
}

func TestProfilesExport(t *testing.T) {
	deps, _, _, m := homeDeps()
	m.files["prod.sh"] = true
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	h.keys("x")
	if v := h.view(); !strings.Contains(v, "Export profile prod") || !strings.Contains(v, "prod.env") {
		t.Fatalf("x:\n%s", v)
	}
	h.keys("down") // shell: the default path follows
	if !strings.Contains(h.view(), "prod.sh") {
		t.Fatalf("the path did not follow the format:\n%s", h.view())
	}
	h.keys("enter", "enter")
	if v := h.view(); !strings.Contains(v, "prod.sh exists. Replace it? y/N") || len(m.exports) != 0 {
		t.Fatalf("an existing file was not confirmed first (exports %v):\n%s", m.exports, v)
	}
	h.keys("n")
	if len(m.exports) != 0 || !strings.Contains(h.view(), "not replaced") {
		t.Fatalf("n replaced the file: %v\n%s", m.exports, h.view())
	}
	h.keys("enter") // the path field still has focus
	h.keys("y")
	if len(m.exports) != 1 || !m.exports[0].Force || m.exports[0].Format != "shell" || m.exports[0].Path != "prod.sh" {
		t.Fatalf("exports %+v", m.exports)
	}
	if v := h.view(); !strings.Contains(v, `Wrote profile "prod" to /work/prod.sh (mode 0600).`) {
		t.Errorf("no word of the export:\n%s", v)
	}
	h.keys("x", "tab")
	for range len("prod.env") {
		h.keys("backspace")
	}
	h.typeText("out.json")
	h.keys("enter")
	if last := m.exports[len(m.exports)-1]; last.Path != "out.json" || last.Force {
		t.Errorf("export to a new file: %+v", last)
	}
}

// TestProfilesDetailsOfRejected: the details of a profile whose key was rejected say which
// value is wrong, and e goes straight to it with the stored values kept; unchanged, they are
// not sent to CXone again.
func TestProfilesDetailsOfRejected(t *testing.T) {
	deps, v, s, _ := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	h.keys("down", "enter")
	view := h.view()
	for _, want := range []string{"Profile staging", "CXone rejected the access key", "Press e to enter the access key again, or r to replace it", "Access Key ID  ZO4E…A===", "Keyring        file"} {
		if !strings.Contains(view, want) {
			t.Errorf("details lack %q:\n%s", want, view)
		}
	}
	h.keys("e")
	h.want(IDAccessKey)
	if view := h.view(); !strings.Contains(view, "(stored · enter keeps · typing replaces)") || strings.Contains(view, testKeySecret) {
		t.Fatalf("access key step of the fix:\n%s", view)
	}
	h.keys("enter", "enter")
	h.want(IDCheck)
	if v.Calls() != 0 || !strings.Contains(h.view(), "refused already") {
		t.Fatalf("the refused values were sent again: %d calls\n%s", v.Calls(), h.view())
	}
	h.keys("enter") // fix the access key
	h.want(IDAccessKey)
	h.keys("x", "backspace") // the secret field has focus: typing replaces the stored value
	h.paste(testKeySecret + "X")
	h.keys("enter")
	h.want(IDCheck)
	if v.Calls() != 1 {
		t.Fatalf("changed values: %d calls, want 1", v.Calls())
	}
	h.keys("enter")
	h.want(IDDone)
	if r := s.Requests(); len(r) != 1 || r[0].Backend != "file" || r[0].Profile != "staging" {
		t.Fatalf("save requests %+v", r)
	}
	h.keys("enter")
	h.want(IDProfiles)
	if !strings.Contains(h.view(), `Updated profile "staging".`) {
		t.Errorf("back on the profiles screen:\n%s", h.view())
	}
}

// TestEditFlowKeepsEveryValue: enter through every step of an edit; nothing is retyped, the
// values are checked once, saved to the profile's own keyring without a menu, "Updated".
func TestEditFlowKeepsEveryValue(t *testing.T) {
	deps, v, s, m := homeDeps()
	sec := m.secrets["prod"]
	h := newFlowHarness(t, deps, homeCfg, EditFlow(deps, homeCfg, sec, "", nil), 80, 24)
	h.want(IDWelcome)
	if !strings.Contains(h.view(), "Editing profile prod") || !strings.Contains(h.view(), "> ● Commercial") {
		t.Fatalf("edit welcome:\n%s", h.view())
	}
	h.keys("enter")
	h.want(IDClient)
	if view := h.view(); !strings.Contains(view, "485a…d7e8") || strings.Contains(view, testClientSecret) || !strings.Contains(view, "enter keeps") {
		t.Fatalf("client step of an edit:\n%s", view)
	}
	h.keys("enter", "enter")
	h.want(IDAccessKey)
	h.keys("enter", "enter")
	h.want(IDCheck)
	h.keys("enter")
	h.want(IDDone)
	if v.Calls() != 1 || v.seen[0] != sec.Creds {
		t.Fatalf("verifier calls %d, want 1 with the stored values", v.Calls())
	}
	r := s.Requests()
	if len(r) != 1 || r[0].Backend != "file" || r[0].Creds != sec.Creds || r[0].Profile != "prod" || r[0].Passphrase != "" {
		t.Fatalf("save requests: %d", len(r))
	}
	if view := h.view(); !strings.Contains(view, `Updated profile "prod".`) || strings.Contains(view, "Deactivate") {
		t.Errorf("done:\n%s", view)
	}
}

func TestRotateFlow(t *testing.T) {
	deps, v, s, m := homeDeps()
	sec := m.secrets["prod"]
	h := newFlowHarness(t, deps, homeCfg, RotateFlow(deps, homeCfg, sec), 80, 24)
	h.want(IDCreateKey)
	if view := h.view(); !strings.Contains(view, "THE SECRET IS SHOWN ONLY ONCE") || !strings.Contains(view, "New access key for profile prod") {
		t.Fatalf("rotation's first step:\n%s", view)
	}
	h.keys("space", "enter")
	h.want(IDAccessKey)
	if view := h.view(); !strings.Contains(view, "Replacing Access Key ID ZO4E…====") || strings.Contains(view, "stored ·") {
		t.Fatalf("rotation's access key step:\n%s", view)
	}
	newID, newSecret := testNewKeyID, testNewKeySecret
	h.paste(newID + " " + newSecret) // the pair at once is split
	h.keys("enter")
	h.want(IDCheck)
	want := sec.Creds
	want.AccessKeyID, want.AccessKeySecret = newID, newSecret
	if v.Calls() != 1 || v.seen[0] != want {
		t.Fatalf("the new key was not checked with the stored client credentials")
	}
	h.keys("enter")
	h.want(IDDone)
	if r := s.Requests(); len(r) != 1 || r[0].Creds != want || r[0].Backend != "file" {
		t.Fatalf("save requests: %d", len(r))
	}
	view := flat(h.view())
	for _, w := range []string{`Updated profile "prod".`, "Deactivate the old Access Key ID " + testKeyID, "My Profile → Access Keys"} {
		if !strings.Contains(view, w) {
			t.Errorf("done lacks %q:\n%s", w, view)
		}
	}
	if strings.Contains(view, newSecret) {
		t.Errorf("the new secret is on screen")
	}
}

// TestRotateWithRejectedClientCanStop: a rotation has no client step to go back to; the check
// offers to stop instead of an action that leads nowhere.
func TestRotateWithRejectedClientCanStop(t *testing.T) {
	deps, v, s, m := homeDeps()
	v.errFor = func(int, auth.Credentials) error {
		return &auth.RejectedError{Kind: auth.KindInvalidClient, Status: 400, Code: "invalid_client"}
	}
	h := newFlowHarness(t, deps, homeCfg, RotateFlow(deps, homeCfg, m.secrets["prod"]), 80, 24)
	h.keys("space", "enter")
	h.paste(testKeyID + " " + testKeySecret)
	h.keys("enter")
	h.want(IDCheck)
	view := h.view()
	if strings.Contains(view, "Fix the Client ID") || strings.Contains(view, "Change the environment") || !strings.Contains(view, "Stop here: nothing is saved") {
		t.Fatalf("failure actions of a rotation:\n%s", view)
	}
	h.keys("enter")
	if h.m.State() != ui.StateAborted || len(s.Requests()) != 0 {
		t.Errorf("state %v, %d saves", h.m.State(), len(s.Requests()))
	}
}

// TestProfilesRotateComesBack: r on the screen runs the rotation in the same program and comes
// back with the old key to deactivate.
func TestProfilesRotateComesBack(t *testing.T) {
	deps, _, s, _ := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	h.keys("r")
	h.want(IDCreateKey)
	if !strings.Contains(h.view(), "Step 1 of 5") {
		t.Errorf("rotation header:\n%s", h.view())
	}
	h.keys("space", "enter")
	h.paste(testNewKeyID)
	h.keys("tab")
	h.paste(testNewKeySecret)
	h.keys("enter", "enter", "enter")
	h.want(IDProfiles)
	if r := s.Requests(); len(r) != 1 || r[0].Profile != "prod" {
		t.Fatalf("saves %+v", r)
	}
	if v := flat(h.view()); !strings.Contains(v, `Updated profile "prod".`) || !strings.Contains(v, "Deactivate the old Access Key ID "+testKeyID) {
		t.Errorf("back home:\n%s", v)
	}
	h.keys("q")
	if out, err := outcomeOf(h.m); err != nil || len(out.Records) != 1 || len(out.Records[0].Notes) != 1 {
		t.Errorf("outcome %+v %v", out, err)
	}
}

func TestProfilesNewAndEscBack(t *testing.T) {
	deps, _, s, m := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	h.keys("n")
	h.want(IDWelcome)
	if !strings.Contains(h.view(), "Step 1 of 8") || !strings.Contains(h.view(), "> default") {
		t.Fatalf("n:\n%s", h.view())
	}
	h.keys("shift+tab", "esc")
	h.want(IDProfiles)
	if h.m.State() != ui.StateRunning {
		t.Errorf("state %v", h.m.State())
	}
	// A new profile set up from the screen: back on the screen, the cursor is on it.
	h.keys("n")
	h.toCheck(testClientSecret, testKeySecret)
	h.keys("enter", "enter") // the keyring menu; unlocked: saved without a passphrase
	h.want(IDDone)
	if r := s.Requests(); len(r) != 1 || r[0].Profile != "default" || r[0].Passphrase != "" {
		t.Fatalf("saves %+v", r)
	}
	m.mu.Lock()
	m.list = append(m.list, stored("default", "valid", "", false))
	m.mu.Unlock()
	h.keys("enter")
	h.want(IDProfiles)
	if v := h.view(); !strings.Contains(v, "> default") || !strings.Contains(v, `Saved profile "default".`) {
		t.Errorf("back on the screen:\n%s", v)
	}
}

func TestProfilesLinePrompts(t *testing.T) {
	deps, _, _, m := homeDeps()
	cfg := homeCfg
	cfg.Accessible = true
	in := strings.Join([]string{
		"1", "3", // details of staging
		"6", "1", // make lab the default
		"10", // quit
	}, "\n") + "\n"
	var out strings.Builder
	got, err := RunHome(context.Background(), deps, cfg, strings.NewReader(in), &out)
	if err != nil || got.Saved {
		t.Fatalf("RunHome: %+v %v\n%s", got, err, out.String())
	}
	text := out.String()
	for _, want := range []string{"Checking 3 profiles live", "2. prod (default): valid · just now", "3. staging: rejected (invalid_grant)", "Error: CXone rejected the access key", `Profile "lab" is now the default.`} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if len(m.defaults) != 1 || m.defaults[0] != "lab" {
		t.Errorf("defaults %v", m.defaults)
	}
	for _, s := range secrets() {
		if strings.Contains(text, s) {
			t.Errorf("a secret was printed")
		}
	}
}

// TestGoldenProfiles pins the look of the profiles screen and the edit and rotation flows at
// 80x24 and 40x10. Refresh with
//
//	go test ./steps -run TestGoldenProfiles -update
func TestGoldenProfiles(t *testing.T) {
	sizes := [][2]int{{80, 24}, {40, 10}}
	shot := func(t *testing.T, h *harness, name string) {
		t.Helper()
		for _, sz := range sizes {
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			view := h.view()
			for _, s := range append(secrets(), "TOKEN-MUST-NOT-SHOW") {
				if strings.Contains(view, s) {
					t.Fatalf("%s: a secret is on screen:\n%s", name, view)
				}
			}
			t.Run(fmt.Sprintf("%s-%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				golden.RequireEqual(t, []byte(view))
			})
		}
		h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	}
	deps, _, _, m := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	shot(t, h, "01-list")
	h.keys("down", "enter")
	shot(t, h, "02-details-rejected")
	h.keys("esc", "x")
	shot(t, h, "03-export")
	h.keys("esc", "delete")
	shot(t, h, "04-remove")

	e := newFlowHarness(t, deps, homeCfg, EditFlow(deps, homeCfg, m.secrets["prod"], "", nil), 80, 24)
	e.keys("enter")
	e.want(IDClient)
	shot(t, e, "05-edit-client-kept")

	r := newFlowHarness(t, deps, homeCfg, RotateFlow(deps, homeCfg, m.secrets["prod"]), 80, 24)
	r.keys("space", "enter")
	r.paste(testNewKeyID + " " + testNewKeySecret)
	r.keys("enter", "enter")
	r.want(IDDone)
	shot(t, r, "06-rotate-done")
}

// TestEditFlowLinePrompts: the edit as line prompts; enter alone keeps every stored value, and
// the stored IDs are shown masked, the secrets not at all.
func TestEditFlowLinePrompts(t *testing.T) {
	deps, v, s, m := homeDeps()
	cfg := homeCfg
	cfg.Accessible = true
	sec := m.secrets["prod"]
	in := strings.Repeat("\n", 12)
	var out strings.Builder
	got, err := RunFlow(context.Background(), deps, cfg, EditFlow(deps, cfg, sec, "", nil), strings.NewReader(in), &out)
	if err != nil || !got.Saved {
		t.Fatalf("RunFlow: %+v %v\n%s", got, err, out.String())
	}
	if v.Calls() != 1 || len(s.Requests()) != 1 || s.Requests()[0].Creds != sec.Creds {
		t.Fatalf("calls %d, saves %d", v.Calls(), len(s.Requests()))
	}
	text := out.String()
	for _, want := range []string{"Editing profile prod", "Client ID (enter keeps 485a…d7e8)", "Access Key ID (enter keeps ZO4E…====)", `Updated profile "prod".`} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	for _, secret := range secrets() {
		if strings.Contains(text, secret) {
			t.Errorf("a secret was printed")
		}
	}
}
