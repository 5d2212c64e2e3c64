package steps

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cxone-auth/ui"
)

// screenSizes are the windows the screens are drawn in: from 20x5 (the smallest the wizard
// supports) to 200 columns.
func screenSizes() [][2]int {
	var out [][2]int
	for _, w := range []int{20, 21, 24, 30, 33, 40, 47, 59, 60, 79, 80, 81, 99, 120, 160, 199, 200} {
		for _, h := range []int{5, 6, 8, 10, 15, 24, 50} {
			out = append(out, [2]int{w, h})
		}
	}
	return out
}

// drawEverySize draws the current screen at every size: it must not panic, nor draw a line
// wider or a frame taller than the window.
func drawEverySize(t *testing.T, h *harness, name string) {
	t.Helper()
	for _, sz := range screenSizes() {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s at %dx%d: panic %v", name, sz[0], sz[1], r)
				}
			}()
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			v := h.view()
			lines := strings.Split(v, "\n")
			if len(lines) > sz[1] {
				t.Errorf("%s at %dx%d: %d lines", name, sz[0], sz[1], len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%s at %dx%d: line %q is %d wide", name, sz[0], sz[1], l, w)
					return
				}
			}
		}()
	}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
}

// TestProfilesScreenEverySize: every part of the profiles screen, and the save step, from
// 20x5 to 200 columns.
func TestProfilesScreenEverySize(t *testing.T) {
	deps, _, _, m := homeDeps()
	m.files["prod.env"], m.files["staging.env"], m.files["lab.env"] = true, true, true
	h := newHomeHarness(t, deps, homeCfg, 80, 24)
	drawEverySize(t, h, "list")
	h.keys("/")
	h.typeText("st")
	drawEverySize(t, h, "filter")
	h.keys("esc")
	for _, r := range []string{"lab", "prod", "staging"} {
		h.keys("k", "k", "k")
		for range map[string]int{"lab": 0, "prod": 1, "staging": 2}[r] {
			h.keys("j")
		}
		h.keys("enter")
		drawEverySize(t, h, "details of "+r)
		h.keys("esc")
	}
	h.keys("x")
	drawEverySize(t, h, "export")
	h.keys("enter", "enter")
	if !strings.Contains(h.view(), "Replace it?") {
		t.Fatalf("no replace question:\n%s", h.view())
	}
	drawEverySize(t, h, "export replace")
	h.keys("n", "esc", "delete")
	drawEverySize(t, h, "remove")
	h.keys("n")

	// A new profile's save step, whose name replaces a stored one.
	deps.Profiles = &fakeProfiles{list: []ExistingProfile{{Name: "default", Backend: "file"}}}
	w := newHarness(t, deps, Config{Profile: "default"}, 80, 24)
	w.toCheck(testClientSecret, testKeySecret)
	drawEverySize(t, w, "check")
	w.keys("enter")
	w.want(IDSave)
	drawEverySize(t, w, "save")
	w.keys("enter")
	drawEverySize(t, w, "save passphrase")
	w.typeText(testPassphrase)
	w.keys("enter")
	w.typeText(testPassphrase)
	w.keys("enter")
	w.want(IDDone)
	drawEverySize(t, w, "done")
	if t.Failed() {
		fmt.Println(w.view())
	}
}

// TestWrapPairsKeepsWholeValues: at every width from 20 to 200 columns, a URL in the details
// (or the record) is wrapped, never cut: its lines put back together give it whole, and no
// line is wider than the window.
func TestWrapPairsKeepsWholeValues(t *testing.T) {
	st := ui.NewStyles(true, true)
	const url = "https://api-na1.niceincontact.com/incontactapi/services/v33.0/very-long-path"
	pairs := [][2]string{{"Issuer", "https://cxone.niceincontact.com"}, {"API endpoint", url}, {"Keyring", "file"}}
	for w := 20; w <= 200; w++ {
		out := ansi.Strip(wrapPairs(st, w, pairs...))
		var api strings.Builder
		in := false
		for _, l := range strings.Split(out, "\n") {
			if n := ansi.StringWidth(l); n > w {
				t.Fatalf("width %d: line %q is %d wide", w, l, n)
			}
			switch {
			case strings.HasPrefix(l, "API endpoint"):
				in = true
				l = strings.TrimPrefix(l, "API endpoint")
			case strings.HasPrefix(l, "Keyring"):
				in = false
			case !strings.HasPrefix(l, " "):
				in = false
			}
			if in {
				api.WriteString(strings.TrimSpace(l))
			}
		}
		if api.String() != url {
			t.Fatalf("width %d: the URL came back as %q:\n%s", w, api.String(), out)
		}
		if strings.Contains(out, "…") {
			t.Fatalf("width %d: a value was cut:\n%s", w, out)
		}
	}
}
