package steps

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// AccessKey asks for the Access Key ID and the Access Key Secret.
type AccessKey struct {
	sess   *ui.Session
	id     ui.Field
	secret ui.Field
	focus  int
}

// NewAccessKey returns the access key entry step.
func NewAccessKey() *AccessKey {
	return &AccessKey{
		id:     ui.NewField("Access Key ID", "about 56 characters ending in =", false),
		secret: ui.NewField("Access Key Secret", "shown once when the key was created", true),
	}
}

// ID implements ui.Step.
func (a *AccessKey) ID() string { return IDAccessKey }

// Title implements ui.Step.
func (a *AccessKey) Title() string { return "Access key" }

// Enter implements ui.Step.
func (a *AccessKey) Enter(s *ui.Session) tea.Cmd {
	a.sess = s
	a.Restyle(s.Styles)
	return a.setFocus(a.focus)
}

// Restyle implements ui.Restyler.
func (a *AccessKey) Restyle(st *ui.Styles) {
	a.id.SetStyles(st)
	a.secret.SetStyles(st)
}

// CapturingText implements ui.TextCapturer.
func (a *AccessKey) CapturingText() bool { return true }

// FocusLine implements ui.Focuser.
func (a *AccessKey) FocusLine() int { return a.render().focusLine }

func (a *AccessKey) setFocus(f int) tea.Cmd {
	a.focus = f
	a.id.Blur()
	a.secret.Blur()
	if f == 0 {
		return a.id.Focus()
	}
	return a.secret.Focus()
}

func (a *AccessKey) sync() {
	a.sess.Draft.Creds.AccessKeyID = strings.TrimSpace(a.id.Value())
	a.sess.Draft.Creds.AccessKeySecret = strings.TrimSpace(a.secret.Value())
}

func (a *AccessKey) validate() bool {
	a.id.Error, a.secret.Error = "", ""
	if v := strings.TrimSpace(a.id.Value()); v == "" {
		a.id.Error = "the Access Key ID is required"
	} else {
		a.id.Error = spaceErr(v)
	}
	if v := strings.TrimSpace(a.secret.Value()); v == "" {
		a.secret.Error = "the Access Key Secret is required"
	} else {
		a.secret.Error = spaceErr(v)
	}
	return a.id.Error == "" && a.secret.Error == ""
}

func (a *AccessKey) leave(cmd tea.Cmd) (ui.Step, tea.Cmd) {
	a.secret.Hide()
	a.sync()
	return a, cmd
}

// Update implements ui.Step.
func (a *AccessKey) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if a.sess == nil {
		return a, nil
	}
	keys := a.sess.Keys
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, keys.Next):
			if a.focus == 0 {
				return a, a.setFocus(1)
			}
			if !a.validate() {
				if a.id.Error != "" {
					return a, a.setFocus(0)
				}
				return a, nil
			}
			return a.leave(ui.Next)
		case key.Matches(k, keys.NextField):
			return a, a.setFocus(1 - a.focus)
		case k.String() == "shift+tab" && a.focus == 1:
			return a, a.setFocus(0)
		case key.Matches(k, keys.Back):
			return a.leave(ui.Back)
		}
	}
	var (
		cmd     tea.Cmd
		changed bool
	)
	if a.focus == 0 {
		a.id, cmd, changed = a.id.Update(msg, keys)
	} else {
		a.secret, cmd, changed = a.secret.Update(msg, keys)
	}
	if changed {
		a.sess.Touched = true
		a.id.Error, a.secret.Error = "", ""
		a.id.Warning = lintAccessKey(a.id.Value())
		a.secret.Warning = lintAccessKey(a.secret.Value())
		a.sync()
	}
	return a, cmd
}

func (a *AccessKey) render() body {
	var b body
	if a.sess == nil {
		return b
	}
	st, tw, fw := a.sess.Styles, textWidth(a.sess), fieldWidth(a.sess)
	b.add(ui.Paragraph(st, tw, "Paste the two values of the access key you just created. Both are normally 56 characters of A–Z and 2–7 ending in '='."))
	b.gap()
	if a.focus == 0 {
		b.focus()
	}
	b.add(a.id.View(st, fw))
	b.gap()
	if a.focus == 1 {
		b.focus()
	}
	b.add(a.secret.View(st, fw))
	return b
}

// View implements ui.Step.
func (a *AccessKey) View() string { return a.render().String() }

// KeyBinds implements ui.Step.
func (a *AccessKey) KeyBinds() []key.Binding {
	if a.sess == nil {
		return nil
	}
	k := a.sess.Keys
	b := []key.Binding{k.Next, k.NextField, k.Back}
	if a.focus == 1 {
		b = append(b, k.Reveal)
	}
	return b
}
