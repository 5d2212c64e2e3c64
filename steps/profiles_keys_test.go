package steps

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// TestProfilesVimKeysMove: j and k move like the arrows.
func TestProfilesVimKeysMove(t *testing.T) {
	deps, _, _, _ := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	h.keys("k")
	if v := h.view(); !strings.Contains(v, "> lab") {
		t.Fatalf("k did not move up:\n%s", v)
	}
	h.keys("k") // the top stays the top
	h.keys("j", "j")
	if v := h.view(); !strings.Contains(v, "> staging") {
		t.Fatalf("j did not move down:\n%s", v)
	}
	h.keys("j")
	if v := h.view(); !strings.Contains(v, "> staging") {
		t.Fatalf("j moved past the end:\n%s", v)
	}
	h.keys("up")
	if v := h.view(); !strings.Contains(v, "> prod") {
		t.Fatalf("up:\n%s", v)
	}
}

// TestProfilesFilter: / filters the rows by name, tenant or user while it is typed; the
// screen's letters are text meanwhile (q does not quit); enter keeps the filter and the keys
// act on the rows it shows; esc clears it.
func TestProfilesFilter(t *testing.T) {
	deps, _, _, m := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	h.keys("/")
	h.typeText("STAG")
	v := h.view()
	if !strings.Contains(v, "Filter: STAG") || !strings.Contains(v, "> staging") || strings.Contains(v, "prod (default)") || strings.Contains(v, " lab ") {
		t.Fatalf("filter by name:\n%s", v)
	}
	h.typeText("q")
	if h.m.State() != ui.StateRunning {
		t.Fatalf("q while filtering quit the screen")
	}
	if v := h.view(); !strings.Contains(v, `No profile matches "STAGq".`) {
		t.Fatalf("a filter that matches nothing:\n%s", v)
	}
	h.keys("d") // a letter of the filter, not "make default"
	if len(m.defaults) != 0 {
		t.Fatalf("d while filtering made %v the default", m.defaults)
	}
	h.keys("backspace", "backspace", "enter")
	h.keys("d")
	if len(m.defaults) != 1 || m.defaults[0] != "staging" {
		t.Fatalf("d on the filtered row: defaults %v\n%s", m.defaults, h.view())
	}
	h.keys("esc")
	if v := h.view(); strings.Contains(v, "Filter:") || !strings.Contains(v, "prod ") || !strings.Contains(v, "lab ") {
		t.Fatalf("esc did not clear the filter:\n%s", v)
	}
	// By user: lab has none, so it is hidden; esc while typing clears too.
	h.keys("/")
	h.typeText("api.user@")
	if v := h.view(); strings.Contains(v, " lab ") || !strings.Contains(v, "prod") || !strings.Contains(v, "staging") {
		t.Fatalf("filter by user:\n%s", v)
	}
	h.keys("esc")
	if v := h.view(); strings.Contains(v, "Filter:") || !strings.Contains(v, "lab ") {
		t.Fatalf("esc while typing did not clear the filter:\n%s", v)
	}
	// By tenant.
	h.keys("/")
	h.typeText("acme_c")
	if v := h.view(); strings.Contains(v, " lab ") || !strings.Contains(v, "staging") {
		t.Fatalf("filter by tenant:\n%s", v)
	}
}

// TestProfilesCheckAllAndRotateKeys: R checks every profile again, r replaces the selected
// profile's access key (k moves now).
func TestProfilesCheckAllAndRotateKeys(t *testing.T) {
	deps, _, _, m := homeDeps()
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	if n := len(m.Checks()); n != 3 {
		t.Fatalf("%d checks on opening", n)
	}
	h.keys("R")
	if n := len(m.Checks()); n != 6 {
		t.Fatalf("R: %d checks, want 6", n)
	}
	h.keys("c")
	if got := m.Checks(); len(got) != 7 || got[6] != "prod" {
		t.Fatalf("c: checks %v", got)
	}
	h.keys("r")
	h.want(IDCreateKey)
	if v := h.view(); !strings.Contains(v, "New access key for profile prod") {
		t.Fatalf("r:\n%s", v)
	}
}

// TestProfilesActionsLeaveRecords: what was done on the screen (make default, export, a
// rotation, remove) is in the outcome's records, in the order it was done, for the command
// line to print on the normal screen when the screen closes; a question answered no leaves
// nothing.
func TestProfilesActionsLeaveRecords(t *testing.T) {
	deps, _, _, m := homeDeps()
	m.files["prod.sh"] = true
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	p := h.m.Current().(*Profiles)
	h.keys("j", "d") // staging is the default
	h.keys("k", "x", "enter", "enter")
	h.keys("r") // prod's new access key
	h.want(IDCreateKey)
	h.keys("space", "enter")
	h.paste(testNewKeyID + " " + testNewKeySecret)
	h.keys("enter", "enter", "enter")
	h.want(IDProfiles)
	h.keys("k", "delete", "n") // not removed: no record
	h.keys("delete", "y")      // lab removed
	h.keys("q")
	out, err := p.outcome(h.m.State(), h.m.Err(), h.m.Session())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.Records {
		got = append(got, r.Headline)
	}
	want := []string{
		`Profile "staging" is now the default.`,
		`Wrote profile "prod" to /work/prod.env (mode 0600).`,
		`Updated profile "prod".`,
		`Removed profile "lab" and its stored credentials.`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if l := out.Records[0].Lines(); len(l) != 1 || l[0] != "✓ "+want[0] {
		t.Errorf("an action's record prints %q", l)
	}
	if l := strings.Join(out.Records[2].Lines(), "\n"); !strings.Contains(l, "Deactivate the old Access Key ID") || !strings.Contains(l, "Next:") {
		t.Errorf("the rotation's record:\n%s", l)
	}
	for _, r := range out.Records {
		for _, l := range r.Lines() {
			for _, s := range secrets() {
				if strings.Contains(l, s) {
					t.Errorf("a record holds a secret")
				}
			}
		}
	}
}

// TestProfilesDetailsShowTheErrorSanitised: the details of a failed check show the error
// itself, as well as the advice, at every size; an error whose text carries terminal control
// sequences (a hostile server's message, a hostile URL) reaches the screen without them.
func TestProfilesDetailsShowTheErrorSanitised(t *testing.T) {
	for _, sz := range [][2]int{{120, 40}, {80, 24}, {40, 10}} {
		deps, _, _, m := homeDeps()
		m.results["lab"] = ProfileCheck{Name: "lab", Status: "error", Err: &auth.NetworkError{
			URL: "http://127.0.0.1:9/\x1b]52;c;cHduZWQ=\x07", Err: errors.New("connection refused\x1b[2J\x1b]0;pwned\x07")}}
		h := newHomeHarness(t, deps, homeCfg, sz[0], sz[1])
		h.keys("k", "enter") // lab
		raw := h.m.View().Content
		for _, bad := range []string{"\x1b[2J", "\x1b]52", "\x1b]0;", "\x07"} {
			if strings.Contains(raw, bad) {
				t.Errorf("%v: the details carry %q from the error", sz, bad)
			}
		}
		v := flat(h.view())
		if !strings.Contains(v, "Error:") || !strings.Contains(v, "connection refused") {
			t.Errorf("%v: the details lack the error itself:\n%s", sz, h.view())
		}
		if a := auth.AdviceFor(auth.KindOf(m.results["lab"].Err)); !strings.Contains(v, a.Title) {
			t.Errorf("%v: the details lack the advice %q:\n%s", sz, a.Title, h.view())
		}
	}
}

// TestProfilesDetailsOfRejectedFixKeys: on a profile whose client credentials were rejected
// the details say so and e goes straight to the client step; on a rejected access key r goes
// straight to a new key.
func TestProfilesDetailsOfRejectedFixKeys(t *testing.T) {
	deps, _, _, m := homeDeps()
	m.results["lab"] = ProfileCheck{Name: "lab", Status: "rejected", Err: &auth.RejectedError{Kind: auth.KindInvalidClient, Status: 400, Code: "invalid_client"}}
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	h.keys("k", "enter")
	if v := flat(h.view()); !strings.Contains(v, "Press e to enter the Client ID and Client Secret again.") {
		t.Fatalf("details of a rejected client:\n%s", h.view())
	}
	h.keys("e")
	h.want(IDClient)
	if d := h.draft(); d.Profile != "lab" || d.Creds.ClientSecret != testClientSecret {
		t.Fatalf("the fix does not start from the stored values: %q", d.Profile)
	}
	h.keys("esc")
	h.want(IDProfiles)

	h.keys("j", "j", "enter") // staging: its access key was rejected
	if v := flat(h.view()); !strings.Contains(v, "or r to replace it with a new one") {
		t.Fatalf("details of a rejected key:\n%s", h.view())
	}
	h.keys("r")
	h.want(IDCreateKey)
	if v := h.view(); !strings.Contains(v, "New access key for profile staging") {
		t.Fatalf("r from the details:\n%s", v)
	}
}

// TestProfilesStatusUnreachable: the status vocabulary's "unreachable" is shown as a
// warning with its own word, not as an unknown status.
func TestProfilesStatusUnreachable(t *testing.T) {
	deps, _, _, m := homeDeps()
	m.results["lab"] = ProfileCheck{Name: "lab", Status: "unreachable", Err: m.results["lab"].Err}
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	if v := h.view(); !strings.Contains(v, "! unreachable · just now") || strings.Contains(v, "? unreachable") {
		t.Fatalf("unreachable:\n%s", v)
	}
}

// TestProfilesLinePromptsCheckAll: the line prompts offer what R does on screen.
func TestProfilesLinePromptsCheckAll(t *testing.T) {
	deps, _, _, m := homeDeps()
	cfg := homeCfg
	cfg.Accessible = true
	var out strings.Builder
	if _, err := RunHome(context.Background(), deps, cfg, strings.NewReader("5\n10\n"), &out); err != nil {
		t.Fatalf("RunHome: %v\n%s", err, out.String())
	}
	if n := len(m.Checks()); n != 6 || !strings.Contains(out.String(), "5. Check every profile again") {
		t.Fatalf("%d checks, want 6 (3 on opening, 3 again):\n%s", n, out.String())
	}
}
