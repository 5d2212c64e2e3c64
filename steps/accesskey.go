package steps

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// The access key step's instructions, on screen and as a prompt.
const (
	accessIntro     = "Paste the two values of the access key you just created. Both are normally 56 characters of A–Z and 2–7 ending in '='."
	accessKeepIntro = "The Access Key ID and Access Key Secret stored in this profile are kept: press enter to keep each, or type (or paste) a new one."
	accessOldKey    = "Replacing Access Key ID %s (shown for reference)."
)

// AccessKey asks for the Access Key ID and the Access Key Secret.
type AccessKey struct {
	pair
	sess    *ui.Session
	entered bool
	rotate  bool // a rotation: the fields start empty, the old key is shown for reference
}

// NewRotateAccessKey returns the access key step of a rotation: empty fields for the new key,
// the Access Key ID it replaces shown for reference.
func NewRotateAccessKey() *AccessKey {
	a := NewAccessKey()
	a.rotate = true
	return a
}

// NewAccessKey returns the access key entry step. When the draft holds a stored profile's
// key (an edit), its values are kept unless new ones are typed.
func NewAccessKey() *AccessKey {
	a := &AccessKey{}
	a.setup("Access Key ID", "about 56 characters ending in =", "Access Key Secret", "shown once when the key was created",
		auth.LintAccessKeyID, auth.LintAccessKeySecret, func(id, secret string) {
			a.sess.Draft.Creds.AccessKeyID, a.sess.Draft.Creds.AccessKeySecret = id, secret
		})
	return a
}

// ID implements ui.Step.
func (a *AccessKey) ID() string { return IDAccessKey }

// Title implements ui.Step.
func (a *AccessKey) Title() string { return "Access key" }

// Enter implements ui.Step.
func (a *AccessKey) Enter(s *ui.Session) tea.Cmd {
	a.sess = s
	a.Restyle(s.Styles)
	if !a.entered {
		a.entered = true
		if d := s.Draft; !a.rotate && d.Existing && d.Creds.AccessKeyID != "" && a.id.Value() == "" {
			a.keep(d.Creds.AccessKeyID, d.Creds.AccessKeySecret)
		}
	}
	return a.group.Refocus()
}

// oldKey is the Access Key ID a rotation replaces, masked ("" outside a rotation).
func (a *AccessKey) oldKey() string {
	if !a.rotate || a.sess == nil {
		return ""
	}
	return masked(a.sess.Draft.OldAccessKeyID)
}

// Restyle implements ui.Restyler.
func (a *AccessKey) Restyle(st *ui.Styles) { a.restyle(st) }

// CapturingText implements ui.TextCapturer.
func (a *AccessKey) CapturingText() bool { return true }

// FocusLine implements ui.Focuser.
func (a *AccessKey) FocusLine() int { return a.render().focusLine }

// PinnedLines implements ui.Pinner: in a rotation, the key being replaced.
func (a *AccessKey) PinnedLines() int { return a.render().pinned }

// Update implements ui.Step.
func (a *AccessKey) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if a.sess == nil {
		return a, nil
	}
	cmd, nav := a.update(msg, a.sess)
	if nav != nil {
		return a, nav
	}
	return a, cmd
}

func (a *AccessKey) render() body { return fitted(a.sess, a.draw) }

func (a *AccessKey) draw(compact bool) body {
	var b body
	if a.sess == nil {
		return b
	}
	st, tw, fw := a.sess.Styles, textWidth(a.sess), fieldWidth(a.sess)
	if old := a.oldKey(); old != "" {
		b.add(ui.Wrap(st.Muted.Render(fmt.Sprintf(accessOldKey, old)), tw))
		b.pin()
	}
	if !compact {
		intro := accessIntro
		if a.id.Keeping() || a.secret.Keeping() {
			intro = accessKeepIntro
		}
		b.add(ui.Paragraph(st, tw, intro))
		b.gap()
	}
	a.fields(&b, st, fw, tw)
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
	if a.group.Index() == 1 {
		b = append(b, k.Reveal)
	}
	return b
}

// Prompt implements ui.Step.
func (a *AccessKey) Prompt(s *ui.Session, p *ui.Prompter) (tea.Msg, error) {
	a.sess = s
	d := s.Draft
	if old := a.oldKey(); old != "" {
		p.Say(accessOldKey, old)
	}
	p.Say("%s", accessIntro)
	id, secret, err := promptPair(p, "Access Key ID", "Access Key Secret", d.Creds.AccessKeyID, d.Creds.AccessKeySecret,
		auth.LintAccessKeyID, auth.LintAccessKeySecret)
	if err != nil {
		return nil, err
	}
	d.Creds.AccessKeyID, d.Creds.AccessKeySecret = id, secret
	return ui.NextMsg{}, nil
}
