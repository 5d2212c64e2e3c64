package ui

import (
	"context"
	"cxone-auth/auth"
	"fmt"
	"image/color"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cxone-auth/ui/uitest"
)

var press = uitest.Press

func focusedField(masked bool) *Field {
	f := NewField("Secret", "", masked)
	f.SetStyles(NewStyles(true, true))
	f.Focus()
	return &f
}

func TestFieldPasteAndReveal(t *testing.T) {
	keys := DefaultKeyMap()
	f := focusedField(true)
	var changed bool
	_, changed = f.Update(tea.PasteMsg{Content: "  s3cr\x1b[1met\r\n  "}, keys)
	if got, want := f.Value(), "s3cret"; got != want {
		t.Fatalf("value after paste = %q, want %q", got, want)
	}
	if !changed {
		t.Errorf("changed = false after a paste, want true")
	}
	st := NewStyles(true, true)
	if v := ansi.Strip(f.View(st, 60)); strings.Contains(v, "s3cret") {
		t.Errorf("masked view shows the secret: %q", v)
	}
	f.Update(press("ctrl+r"), keys)
	if v := ansi.Strip(f.View(st, 60)); !strings.Contains(v, "s3cret") {
		t.Errorf("revealed view = %q, want it to show the value", v)
	}
	f.Update(press("ctrl+r"), keys)
	if v := ansi.Strip(f.View(st, 60)); strings.Contains(v, "s3cret") {
		t.Errorf("view after hiding again shows the secret: %q", v)
	}
	// Typing a control character through a key press is ignored.
	before := f.Value()
	_, changed = f.Update(tea.KeyPressMsg{Code: 'x', Text: "\x00"}, keys)
	if f.Value() != before || changed {
		t.Errorf("control key changed the value to %q", f.Value())
	}
}

func TestFieldPasteLimit(t *testing.T) {
	f := focusedField(false)
	f.Update(tea.PasteMsg{Content: strings.Repeat("B", 5000)}, DefaultKeyMap())
	if got := len(f.Value()); got != auth.MaxValueLen {
		t.Errorf("len after 5000-char paste = %d, want %d", got, auth.MaxValueLen)
	}
	f.Update(tea.PasteMsg{Content: "more"}, DefaultKeyMap())
	if got := len(f.Value()); got != auth.MaxValueLen {
		t.Errorf("len after pasting into a full field = %d, want %d", got, auth.MaxValueLen)
	}
}

func TestMenuSkipsDisabled(t *testing.T) {
	m := Menu{Items: []MenuItem{{Label: "a"}, {Label: "b", Disabled: true}, {Label: "c"}}, Focused: true}
	keys := DefaultKeyMap()
	m.Update(press("down"), keys)
	if m.Selected() != 2 {
		t.Errorf("after down: selected %d, want 2", m.Selected())
	}
	_, moved := m.Update(press("down"), keys)
	if moved || m.Selected() != 2 {
		t.Errorf("down at the end: moved=%v selected=%d, want false, 2", moved, m.Selected())
	}
	m.Update(press("up"), keys)
	if m.Selected() != 0 {
		t.Errorf("after up: selected %d, want 0", m.Selected())
	}
	v := ansi.Strip(m.View(NewStyles(true, true), 40))
	if !strings.Contains(v, "unavailable") {
		t.Errorf("menu view %q does not mark the disabled item unavailable", v)
	}
}

func TestChecklistView(t *testing.T) {
	st := NewStyles(true, true)
	c := NewChecklist(st, "one", "two", "three", "four")
	c.Set(0, ItemDone, "ok")
	c.Set(1, ItemWarning, "403")
	c.Set(2, ItemFailed, "")
	c.Set(3, ItemRunning, "")
	c.Static = true
	got := ansi.Strip(c.View(st, 60))
	for _, want := range []string{"✓ one — ok", "! two — 403", "✗ three", "… four"} {
		if !strings.Contains(got, want) {
			t.Errorf("checklist view %q lacks %q", got, want)
		}
	}
	if !c.Running() {
		t.Errorf("Running() = false with a running item")
	}
}

// fakeStep is a minimal step for engine tests.
type fakeStep struct {
	id      string
	entered int
	got     []tea.Msg
	text    bool
	lines   int
	onKey   tea.Cmd
}

func (f *fakeStep) ID() string              { return f.id }
func (f *fakeStep) Title() string           { return "Title " + f.id }
func (f *fakeStep) Enter(*Session) tea.Cmd  { f.entered++; return nil }
func (f *fakeStep) KeyBinds() []key.Binding { return []key.Binding{DefaultKeyMap().Next} }
func (f *fakeStep) CapturingText() bool     { return f.text }
func (f *fakeStep) Update(m tea.Msg) (Step, tea.Cmd) {
	f.got = append(f.got, m)
	if _, ok := m.(tea.KeyPressMsg); ok {
		return f, f.onKey
	}
	return f, nil
}
func (f *fakeStep) Prompt(*Session, *Prompter) (tea.Msg, error) { return NextMsg{}, nil }
func (f *fakeStep) View() string {
	n := max(f.lines, 1)
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("body %s line %d", f.id, i)
	}
	return strings.Join(lines, "\n")
}

func newEngine(n int) (*Model, []*fakeStep) {
	var fs []*fakeStep
	var steps []Step
	for i := range n {
		s := &fakeStep{id: fmt.Sprint("s", i)}
		fs = append(fs, s)
		steps = append(steps, s)
	}
	m := New(context.Background(), &Session{}, steps, Options{})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return m, fs
}

func TestNavigation(t *testing.T) {
	m, fs := newEngine(3)
	steps := []struct {
		msg       tea.Msg
		wantID    string
		wantState State
	}{
		{BackMsg{}, "s0", StateRunning},
		{NextMsg{}, "s1", StateRunning},
		{NextMsg{}, "s2", StateRunning},
		{GoToMsg{ID: "s0"}, "s0", StateRunning},
		{GoToMsg{ID: "s2"}, "s2", StateRunning},
		{BackMsg{}, "s1", StateRunning},
		{NextMsg{}, "s2", StateRunning},
		{NextMsg{}, "s2", StateDone},
	}
	for i, s := range steps {
		m.Update(s.msg)
		if got := m.Current().ID(); got != s.wantID {
			t.Fatalf("after msg %d (%T): current %s, want %s", i, s.msg, got, s.wantID)
		}
		if m.State() != s.wantState {
			t.Fatalf("after msg %d (%T): state %v, want %v", i, s.msg, m.State(), s.wantState)
		}
	}
	if fs[0].entered != 2 {
		t.Errorf("s0 entered %d times, want 2", fs[0].entered)
	}
	// A finished wizard ignores everything.
	m.Update(BackMsg{})
	if m.Current().ID() != "s2" {
		t.Errorf("finished wizard moved to %s", m.Current().ID())
	}
}

func TestUnknownGoTo(t *testing.T) {
	m, _ := newEngine(2)
	m.Update(GoToMsg{ID: "nope"})
	if m.State() != StateFailed || m.Err() == nil {
		t.Errorf("GoTo unknown: state %v err %v, want failed with an error", m.State(), m.Err())
	}
	if m.Session().Ctx.Err() == nil {
		t.Errorf("session context still alive after the wizard ended")
	}
}

func TestCtrlC(t *testing.T) {
	t.Run("untouched quits at once", func(t *testing.T) {
		m, _ := newEngine(2)
		m.Update(press("ctrl+c"))
		if m.State() != StateAborted {
			t.Errorf("state %v, want aborted", m.State())
		}
	})
	t.Run("touched asks", func(t *testing.T) {
		m, fs := newEngine(2)
		m.Session().Touched = true
		m.Update(press("ctrl+c"))
		if !m.Confirming() || m.State() != StateRunning {
			t.Fatalf("confirming=%v state=%v, want true running", m.Confirming(), m.State())
		}
		if v := ansi.Strip(m.View().Content); !strings.Contains(v, "Quit without saving? y/N") {
			t.Errorf("view lacks the question:\n%s", v)
		}
		m.Update(press("n"))
		if m.Confirming() || m.State() != StateRunning {
			t.Fatalf("after n: confirming=%v state=%v, want false running", m.Confirming(), m.State())
		}
		if len(fs[0].got) != 1 { // only the window size reached the step, not the n
			t.Errorf("step got %d messages, want 1: %v", len(fs[0].got), fs[0].got)
		}
		m.Update(press("ctrl+c"))
		m.Update(press("y"))
		if m.State() != StateAborted {
			t.Errorf("after y: state %v, want aborted", m.State())
		}
	})
	t.Run("saved just leaves", func(t *testing.T) {
		m, _ := newEngine(2)
		m.Session().Touched = true
		m.Session().Draft.Saved = true
		m.Update(press("ctrl+c"))
		if m.State() != StateDone {
			t.Errorf("state %v, want done", m.State())
		}
	})
}

func TestHelpKeyOnlyWhenNotTyping(t *testing.T) {
	m, fs := newEngine(1)
	m.Update(press("?"))
	if !m.showAll {
		t.Errorf("? did not open the full help")
	}
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "ctrl+c quit") || !strings.Contains(v, "enter continue") {
		t.Errorf("full help view lacks the keys:\n%s", v)
	}
	m.Update(press("?"))
	fs[0].text = true
	m.Update(press("?"))
	if m.showAll {
		t.Errorf("? opened the help while a field has focus")
	}
	if last := fs[0].got[len(fs[0].got)-1]; fmt.Sprint(last) != "?" {
		t.Errorf("step got %v, want the ? key", last)
	}
}

func TestViewFitsAnySize(t *testing.T) {
	sizes := [][2]int{{0, 0}, {1, 1}, {2, 2}, {5, 3}, {20, 5}, {20, 7}, {40, 10}, {80, 24}, {120, 40}, {200, 60}}
	for _, lines := range []int{1, 30, 200} {
		for _, sz := range sizes {
			m, fs := newEngine(3)
			fs[0].lines = lines
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			m.Update(press("pgdown"))
			m.Update(press("?"))
			if v := m.View().Content; sz[1] > 0 && len(strings.Split(v, "\n")) > sz[1] {
				t.Errorf("%dx%d body %d with full help: too many rows", sz[0], sz[1], lines)
			}
			m.Session().Touched = true
			m.Update(press("ctrl+c"))
			v := m.View().Content
			if sz[0] == 0 || sz[1] == 0 {
				if v != "" {
					t.Errorf("%dx%d: view %q, want empty", sz[0], sz[1], v)
				}
				continue
			}
			rows := strings.Split(v, "\n")
			if len(rows) > sz[1] {
				t.Errorf("%dx%d body %d: %d rows, want at most %d", sz[0], sz[1], lines, len(rows), sz[1])
			}
			for _, r := range rows {
				if w := ansi.StringWidth(r); w > sz[0] {
					t.Errorf("%dx%d body %d: row %q is %d wide", sz[0], sz[1], lines, ansi.Strip(r), w)
				}
			}
		}
	}
}

func TestScrollShowsMore(t *testing.T) {
	m, fs := newEngine(1)
	fs[0].lines = 40
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	v := ansi.Strip(m.View().Content)
	if !strings.Contains(v, "more lines (pgdn)") || strings.Contains(v, "line 39") {
		t.Fatalf("first page lacks the indicator or shows the end:\n%s", v)
	}
	for range 5 {
		m.Update(press("pgdown"))
	}
	v = ansi.Strip(m.View().Content)
	if !strings.Contains(v, "line 39") {
		t.Errorf("after paging down the last line is not visible:\n%s", v)
	}
}

func TestWrapKeepsHyphenatedWords(t *testing.T) {
	got := Wrap("see https://cxone-gov.niceincontact.com now", 20)
	if !strings.Contains(got, "https://cxone-gov.n") || strings.Contains(got, "cxone-\n") {
		t.Errorf("Wrap broke at a hyphen:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if w := ansi.StringWidth(line); w > 20 {
			t.Errorf("line %q is %d wide, want at most 20", line, w)
		}
	}
}

func TestTypeAheadDoesNotSkipSteps(t *testing.T) {
	tests := []struct {
		name string
		cmd  tea.Cmd
	}{
		{"next", Next},
		{"batched next", tea.Batch(Next, nil)},
		{"goto", GoTo("s1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, fs := newEngine(3)
			fs[0].onKey = tt.cmd
			fs[1].onKey = tt.cmd
			// Two enters reach s0 before its first navigation message comes back.
			_, c1 := m.Update(press("enter"))
			_, c2 := m.Update(press("enter"))
			for _, c := range []tea.Cmd{c1, c2} {
				msg := c()
				if b, ok := msg.(tea.BatchMsg); ok {
					for _, bc := range b {
						if bc != nil {
							m.Update(bc())
						}
					}
					continue
				}
				m.Update(msg)
			}
			if got := m.Current().ID(); got != "s1" {
				t.Errorf("after two quick enters on s0: current %s, want s1", got)
			}
		})
	}
}

type restyleStep struct {
	fakeStep
	got *Styles
}

func (r *restyleStep) Restyle(st *Styles) { r.got = st }

func TestBackgroundColorRestyles(t *testing.T) {
	r := &restyleStep{fakeStep: fakeStep{id: "r"}}
	other := &restyleStep{fakeStep: fakeStep{id: "o"}}
	m := New(context.Background(), &Session{}, []Step{r, other}, Options{})
	m.Init()
	m.Update(tea.BackgroundColorMsg{Color: color.White})
	if m.Session().Styles.IsDark {
		t.Errorf("styles still dark after a white background")
	}
	if r.got != m.Session().Styles || other.got != m.Session().Styles {
		t.Errorf("Restyle not called on every step with the new styles")
	}
}

func TestMenuFits(t *testing.T) {
	m := Menu{Items: []MenuItem{
		{Label: "Encrypted file", Note: "passphrase-protected files in /home/someone/.local/share/cxone-auth/keyring"},
		{Label: "pass", Note: "no store", Disabled: true},
	}}
	st := NewStyles(true, false)
	for _, w := range []int{40, 80, 120} {
		fits := m.Fits(w)
		cut := strings.Contains(ansi.Strip(m.View(st, w)), "…")
		if fits == cut {
			t.Errorf("width %d: Fits %v, but the view cut a note: %v", w, fits, cut)
		}
	}
	if !m.Fits(120) || m.Fits(80) {
		t.Errorf("Fits(120) = %v, Fits(80) = %v; want true, false", m.Fits(120), m.Fits(80))
	}
}
