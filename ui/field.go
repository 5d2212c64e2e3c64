package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Field is a labelled single-line input. A masked field echoes bullets until the reveal key
// toggles it. Pastes are cleaned (Clean) before they reach the input, and the value never
// grows beyond MaxValueLen runes.
type Field struct {
	Label string
	// Warning is shown under the field (inline validation: it warns, it does not block).
	Warning string
	// Error is shown under the field when the value cannot be used at all.
	Error string

	input    textinput.Model
	masked   bool
	revealed bool
}

// NewField returns a blurred field.
func NewField(label, placeholder string, masked bool) Field {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = placeholder
	in.CharLimit = MaxValueLen
	in.EchoCharacter = '•'
	f := Field{Label: label, input: in, masked: masked}
	// Styles until the step applies the session's: they also make the cursor steady.
	f.SetStyles(NewStyles(true, false))
	f.applyEcho()
	return f
}

func (f *Field) applyEcho() {
	if f.masked && !f.revealed {
		f.input.EchoMode = textinput.EchoPassword
	} else {
		f.input.EchoMode = textinput.EchoNormal
	}
}

// Masked reports whether the field hides its value.
func (f Field) Masked() bool { return f.masked }

// Revealed reports whether a masked field currently shows its value.
func (f Field) Revealed() bool { return f.revealed }

// ToggleReveal shows or hides a masked value.
func (f *Field) ToggleReveal() {
	if f.masked {
		f.revealed = !f.revealed
		f.applyEcho()
	}
}

// Hide masks the value again (used when leaving a step, so a revealed secret does not stay
// on screen).
func (f *Field) Hide() {
	f.revealed = false
	f.applyEcho()
}

// Value returns the current value (not cleaned of spaces typed in the middle).
func (f Field) Value() string { return f.input.Value() }

// SetValue replaces the value, cleaned.
func (f *Field) SetValue(s string) {
	f.input.SetValue(Clean(s))
	f.input.CursorEnd()
}

// Focus gives the field the keyboard.
func (f *Field) Focus() tea.Cmd { return f.input.Focus() }

// Blur takes the keyboard away.
func (f *Field) Blur() { f.input.Blur() }

// Focused reports whether the field has the keyboard.
func (f Field) Focused() bool { return f.input.Focused() }

// SetWidth sets the visible width of the whole field, prompt included.
func (f *Field) SetWidth(w int) {
	f.input.SetWidth(max(1, w-len(f.input.Prompt)-1))
}

// SetStyles applies the wizard styles to the input.
func (f *Field) SetStyles(st *Styles) {
	s := textinput.DefaultStyles(st.IsDark)
	s.Focused.Prompt = st.Prompt
	s.Blurred.Prompt = st.BlurPrompt
	s.Focused.Text = st.Input
	s.Blurred.Text = st.Muted
	s.Focused.Placeholder = st.Placeholder
	s.Blurred.Placeholder = st.Placeholder
	s.Cursor.Color = st.Cursor
	// A steady cursor: no blink ticks, so views are stable (tests, screen recordings) and
	// nothing animates for people who asked for no animation.
	s.Cursor.Blink = false
	f.input.SetStyles(s)
}

// Update handles a message when the field is focused. changed reports whether the value
// changed, so steps can clear stale results and mark the session touched.
func (f Field) Update(msg tea.Msg, keys KeyMap) (_ Field, cmd tea.Cmd, changed bool) {
	if !f.input.Focused() {
		return f, nil, false
	}
	before := f.input.Value()
	switch msg := msg.(type) {
	case tea.PasteMsg:
		msg.Content = Clean(msg.Content)
		f.input, cmd = f.input.Update(msg)
	case tea.KeyPressMsg:
		if key.Matches(msg, keys.Reveal) {
			f.ToggleReveal()
			return f, nil, false
		}
		if key.Matches(msg, f.input.KeyMap.Paste) {
			// ctrl+v reads the OS clipboard; its text comes back as a message we clean.
			return f, func() tea.Msg {
				if m, ok := textinput.Paste().(tea.PasteMsg); ok {
					return m
				}
				return nil
			}, false
		}
		if msg.Text != "" {
			msg.Text = stripControls(msg.Text)
			if msg.Text == "" {
				return f, nil, false
			}
		}
		f.input, cmd = f.input.Update(msg)
	default:
		f.input, cmd = f.input.Update(msg)
	}
	return f, cmd, f.input.Value() != before
}

func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// View renders the label, the input and any warning, in width cells.
func (f Field) View(st *Styles, width int) string {
	label := st.Label.Render(f.Label)
	if f.input.Focused() {
		label = st.FocusedLabel.Render(f.Label)
	}
	if f.masked && f.input.Focused() {
		hint := "hidden · ctrl+r shows"
		if f.revealed {
			hint = "shown · ctrl+r hides"
		}
		label += " " + st.Muted.Render("("+hint+")")
	}
	f.SetWidth(width)
	lines := []string{label, f.input.View()}
	if f.Error != "" {
		lines = append(lines, Wrap(st.Error.Render("✗ "+f.Error), width))
	} else if f.Warning != "" {
		lines = append(lines, Wrap(st.Warn.Render("! "+f.Warning), width))
	}
	return strings.Join(lines, "\n")
}
