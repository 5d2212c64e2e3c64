package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func newPairGroup() (*Group, *Field, *Field, *Menu) {
	id := NewField("ID", "", false)
	secret := NewField("Secret", "", true)
	id.Single, secret.Single = true, true
	menu := &Menu{Items: []MenuItem{{Label: "a"}, {Label: "b"}}}
	g := &Group{}
	g.Add(menu)
	g.Add(&id)
	g.Add(&secret)
	g.Pair(1, 2)
	g.Focus(0)
	return g, &id, &secret, menu
}

func TestGroupNavigation(t *testing.T) {
	keys := DefaultKeyMap()
	g, id, secret, menu := newPairGroup()
	steps := []struct {
		key       string
		wantIndex int
		wantEvent GroupEvent
	}{
		{"tab", 1, GroupNone},
		{"tab", 2, GroupNone},
		{"tab", 0, GroupNone}, // wraps
		{"enter", 1, GroupNone},
		{"enter", 2, GroupNone},
		{"enter", 2, GroupSubmit},
		{"shift+tab", 1, GroupNone},
		{"shift+tab", 0, GroupNone},
		{"shift+tab", 0, GroupBack},
		{"esc", 0, GroupBack},
	}
	for i, s := range steps {
		_, ev := g.Update(press(s.key), keys, nil)
		if g.Index() != s.wantIndex || ev != s.wantEvent {
			t.Fatalf("step %d (%s): index %d event %v, want %d %v", i, s.key, g.Index(), ev, s.wantIndex, s.wantEvent)
		}
	}
	g.Focus(1)
	if !id.Focused() || secret.Focused() || menu.Focused {
		t.Error("Focus(1) did not focus the ID alone")
	}
	// enter on a control the step refuses stays put.
	if _, ev := g.Update(press("enter"), keys, func(int) bool { return false }); ev != GroupNone || g.Index() != 1 {
		t.Errorf("refused enter: index %d event %v", g.Index(), ev)
	}
}

func TestGroupHidesAControl(t *testing.T) {
	keys := DefaultKeyMap()
	a, b, c := NewField("a", "", false), NewField("b", "", false), NewField("c", "", false)
	show := false
	g := &Group{}
	g.Add(&a)
	g.AddIf(&b, func() bool { return show })
	g.Add(&c)
	g.Focus(0)
	g.Update(press("tab"), keys, nil)
	if g.Index() != 2 {
		t.Errorf("tab skipped to %d, want 2 (b hidden)", g.Index())
	}
	show = true
	g.Update(press("shift+tab"), keys, nil)
	if g.Index() != 1 {
		t.Errorf("shift+tab went to %d, want 1 (b shown)", g.Index())
	}
}

// TestPasteGuard is the attack of a secret shown in clear: the ID field is not masked, and a
// paste of the ID and its secret at once would put the secret there.
func TestPasteGuard(t *testing.T) {
	keys := DefaultKeyMap()
	st := NewStyles(true, true)
	const idv, sec = "ZO4EBONGDHBHNBQK2BVM4NIQJXEYHQ4W====", "SECRETSECRETSECRETSECRETSECRET===="
	for _, sep := range []string{" ", "\t", "\n", "  \r\n"} {
		g, id, secret, _ := newPairGroup()
		g.Focus(1)
		_, ev := g.Update(tea.PasteMsg{Content: idv + sep + sec}, keys, nil)
		if ev != GroupPaired || id.Value() != idv || secret.Value() != sec || g.Index() != 2 {
			t.Errorf("separator %q: event %v, id %q, secret set %v, focus %d", sep, ev, id.Value(), secret.Value() == sec, g.Index())
		}
		if v := ansi.Strip(id.View(st, 80) + secret.View(st, 80)); strings.Contains(v, sec) {
			t.Errorf("separator %q: the secret is on screen:\n%s", sep, v)
		}
	}
	g, id, secret, _ := newPairGroup()
	g.Focus(1)
	_, ev := g.Update(tea.PasteMsg{Content: "Access Key ID: " + idv + " Secret: " + sec}, keys, nil)
	if ev != GroupRefused || id.Value() != "" || secret.Value() != "" {
		t.Errorf("several values: event %v, id %q, secret set %v; want refused and nothing entered", ev, id.Value(), secret.Value() != "")
	}
	// A masked single-value field refuses several values too, instead of gluing them.
	g.Focus(2)
	g.Update(tea.PasteMsg{Content: sec + "\n" + idv}, keys, nil)
	if secret.Value() != "" || secret.Error == "" {
		t.Errorf("secret field took a paste of two values: value set %v, error %q", secret.Value() != "", secret.Error)
	}
}

func TestFieldKeepsAStoredValue(t *testing.T) {
	keys := DefaultKeyMap()
	st := NewStyles(true, true)
	const stored = "QQID2WDRJZIIWMNAN2MSH3HA6DSCB7JPINYF2I6YT6OV26Y7Z6DA===="
	f := NewField("Access Key Secret", "", true)
	f.Keep(stored)
	f.Focus()
	v := ansi.Strip(f.View(st, 80))
	if f.Value() != stored || !f.Keeping() || strings.Contains(v, stored) || !strings.Contains(v, "QQID…====") || !strings.Contains(v, "enter keeps") {
		t.Fatalf("kept field: value kept %v, view:\n%s", f.Value() == stored, v)
	}
	f.Update(press("ctrl+r"), keys) // a stored secret is never revealed
	if v := ansi.Strip(f.View(st, 80)); strings.Contains(v, stored) {
		t.Errorf("reveal showed the stored secret")
	}
	f.Update(press("x"), keys)
	if f.Value() != "x" || f.Keeping() {
		t.Errorf("typing did not replace the stored value: %q", f.Value())
	}
	f.Keep(stored)
	if _, changed := f.Update(press("backspace"), keys); !changed || f.Value() != "" {
		t.Errorf("backspace on a stored value: changed %v value %q, want an empty field", changed, f.Value())
	}
}
