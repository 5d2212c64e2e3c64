package steps

import (
	"fmt"
	"strings"

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
	sess    *ui.Session
	group   ui.Group
	id      ui.Field
	secret  ui.Field
	note    string
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
	a := &AccessKey{
		id:     ui.NewField("Access Key ID", "about 56 characters ending in =", false),
		secret: ui.NewField("Access Key Secret", "shown once when the key was created", true),
	}
	a.id.Single, a.secret.Single = true, true
	a.group.Add(&a.id)
	a.group.Add(&a.secret)
	a.group.Pair(0, 1)
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
			a.id.Keep(d.Creds.AccessKeyID)
			a.secret.Keep(d.Creds.AccessKeySecret)
			a.lint()
		}
	}
	return a.group.Refocus()
}

func (a *AccessKey) lint() {
	a.id.Warning = auth.LintAccessKeyID(a.id.Value())
	a.secret.Warning = auth.LintAccessKeySecret(a.secret.Value())
}

// oldKey is the Access Key ID a rotation replaces, masked ("" outside a rotation).
func (a *AccessKey) oldKey() string {
	if !a.rotate || a.sess == nil {
		return ""
	}
	return masked(a.sess.Draft.OldAccessKeyID)
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

// PinnedLines implements ui.Pinner: in a rotation, the key being replaced.
func (a *AccessKey) PinnedLines() int { return a.render().pinned }

func (a *AccessKey) sync() {
	a.sess.Draft.Creds.AccessKeyID = strings.TrimSpace(a.id.Value())
	a.sess.Draft.Creds.AccessKeySecret = strings.TrimSpace(a.secret.Value())
}

func (a *AccessKey) valid(i int) bool {
	if i == 0 {
		a.id.Error = idError("Access Key ID", a.id.Value())
		return a.id.Error == ""
	}
	a.secret.Error = idError("Access Key Secret", a.secret.Value())
	return a.secret.Error == ""
}

func (a *AccessKey) leave(cmd tea.Cmd) (ui.Step, tea.Cmd) {
	a.group.HideAll()
	a.sync()
	return a, cmd
}

// Update implements ui.Step.
func (a *AccessKey) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if a.sess == nil {
		return a, nil
	}
	cmd, ev := a.group.Update(msg, a.sess.Keys, a.valid)
	switch ev {
	case ui.GroupSubmit:
		if !a.valid(0) {
			return a, a.group.Focus(0)
		}
		if !a.valid(1) {
			return a, nil
		}
		return a.leave(ui.Next)
	case ui.GroupBack:
		return a.leave(ui.Back)
	case ui.GroupChanged, ui.GroupPaired:
		a.sess.Touched = true
		a.id.Error, a.secret.Error = "", ""
		a.note = ""
		if ev == ui.GroupPaired {
			a.note = pairedNote
		}
		a.lint()
		a.sync()
	case ui.GroupRefused:
		a.id.Error = refusedNote
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
	if a.group.Index() == 0 {
		b.focus()
	}
	b.add(a.id.View(st, fw))
	b.gap()
	if a.group.Index() == 1 {
		b.focus()
	}
	b.add(a.secret.View(st, fw))
	if a.note != "" {
		b.gap()
		b.add(ui.Wrap(st.OK.Render("✓ ")+st.Text.Render(a.note), tw))
	}
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
