package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/internal/textclean"
)

// Field is a labelled single-line input. A masked field echoes bullets until the reveal key
// toggles it. Pastes and typed text are cleaned (textclean.CleanInput) before they reach the input,
// and the value never grows beyond textclean.MaxValueLen runes.
//
// A field can hold a stored value (Keep): it shows only that value's masked form, Enter keeps
// it, and the first key typed replaces it (editing a profile never asks to retype what is
// right).
type Field struct {
	Label string
	// Warning is shown under the field (inline validation: it warns, it does not block).
	Warning string
	// Error is shown under the field when the value cannot be used at all.
	Error string

	// Single marks a credential value, which never holds white space: a paste of several
	// values (spaces or line breaks inside) is refused rather than glued together.
	Single bool

	// Describe says how a stored value (Keep) is shown; nil: its masked form (textclean.Mask).
	// A secret's field sets it, so as to show no more than its last 2 characters.
	Describe func(stored string) string

	input    textinput.Model
	masked   bool
	revealed bool
	kept     string // the stored value, while nothing was typed
}

// NewField returns a blurred field.
func NewField(label, placeholder string, masked bool) Field {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = placeholder
	in.CharLimit = textclean.MaxValueLen
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
func (f *Field) Masked() bool { return f.masked }

// Revealed reports whether a masked field currently shows its value.
func (f *Field) Revealed() bool { return f.revealed }

// ToggleReveal shows or hides a masked value (a stored value is never revealed).
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

// Value returns the value: what was typed, else the stored value.
func (f *Field) Value() string {
	if v := f.input.Value(); v != "" || f.kept == "" {
		return v
	}
	return f.kept
}

// Typed returns only what was typed or pasted ("" while a stored value is kept).
func (f *Field) Typed() string { return f.input.Value() }

// SetValue replaces the value, cleaned; it drops a stored value.
func (f *Field) SetValue(s string) {
	f.kept = ""
	f.input.SetValue(textclean.CleanInput(s))
	f.input.CursorEnd()
}

// Keep makes s the stored value: shown masked, kept by Enter, replaced by typing.
func (f *Field) Keep(s string) {
	f.input.SetValue("")
	f.kept = s
}

// Keeping reports whether the field holds its stored value (nothing typed).
func (f *Field) Keeping() bool { return f.kept != "" && f.input.Value() == "" }

// Focus gives the field the keyboard.
func (f *Field) Focus() tea.Cmd { return f.input.Focus() }

// Blur takes the keyboard away.
func (f *Field) Blur() { f.input.Blur() }

// Focused reports whether the field has the keyboard.
func (f *Field) Focused() bool { return f.input.Focused() }

// TakesText implements Control: printable keys belong to the field.
func (f *Field) TakesText() bool { return true }

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

// Update handles a message when the field is focused; changed reports whether the value
// changed, so steps can clear stale results and mark the session touched.
func (f *Field) Update(msg tea.Msg, keys KeyMap) (cmd tea.Cmd, changed bool) {
	if !f.input.Focused() {
		return nil, false
	}
	before := f.Value()
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if f.Single && len(Values(msg.Content)) > 1 {
			f.Error = "that paste held several values (spaces or line breaks inside); nothing was entered"
			return nil, false
		}
		msg.Content = textclean.CleanInput(msg.Content)
		if msg.Content == "" {
			return nil, false
		}
		f.kept = ""
		f.input, cmd = f.input.Update(msg)
	case tea.KeyPressMsg:
		if key.Matches(msg, keys.Reveal) {
			if !f.Keeping() {
				f.ToggleReveal()
			}
			return nil, false
		}
		if key.Matches(msg, f.input.KeyMap.Paste) {
			// ctrl+v reads the OS clipboard; its text comes back as a message we clean.
			return func() tea.Msg {
				if m, ok := textinput.Paste().(tea.PasteMsg); ok {
					return m
				}
				return nil
			}, false
		}
		if msg.Text != "" {
			msg.Text = textclean.CleanInput(msg.Text)
			if msg.Text == "" && msg.Code != ' ' {
				return nil, false
			}
			if msg.Code == ' ' {
				msg.Text = " "
			}
			f.kept = "" // typing replaces a stored value
		} else if f.Keeping() && (msg.Code == tea.KeyBackspace || msg.Code == tea.KeyDelete) {
			f.kept = "" // deleting starts from empty
			return nil, true
		}
		f.input, cmd = f.input.Update(msg)
	default:
		f.input, cmd = f.input.Update(msg)
	}
	return cmd, f.Value() != before
}

// keptText is how the stored value is shown (Describe).
func (f *Field) keptText() string {
	if f.Describe != nil {
		return textclean.Sanitize(f.Describe(f.kept))
	}
	return textclean.Mask(f.kept)
}

// View renders the label, the input and any warning, in width cells.
func (f *Field) View(st *Styles, width int) string {
	label := st.Label.Render(f.Label)
	if f.input.Focused() {
		label = st.FocusedLabel.Render(f.Label)
	}
	switch {
	case f.Keeping():
		label += " " + st.Muted.Render("(stored · enter keeps · typing replaces)")
	case f.masked && f.input.Focused():
		hint := "hidden · ctrl+r shows"
		if f.revealed {
			hint = "shown · ctrl+r hides"
		}
		label += " " + st.Muted.Render("("+hint+")")
	}
	f.SetWidth(width)
	input := f.input.View()
	if f.Keeping() {
		prompt := st.BlurPrompt.Render(f.input.Prompt)
		if f.input.Focused() {
			prompt = st.Prompt.Render(f.input.Prompt)
		}
		input = prompt + st.Muted.Render(f.keptText())
	}
	lines := []string{label, input}
	if f.Error != "" {
		lines = append(lines, Wrap(st.Error.Render("✗ "+f.Error), width))
	} else if f.Warning != "" {
		lines = append(lines, Wrap(st.Warn.Render("! "+f.Warning), width))
	}
	return strings.Join(lines, "\n")
}
