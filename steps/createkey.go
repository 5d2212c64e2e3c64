package steps

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// The create-key step's words, shared by its screen and its prompt.
const (
	createIntro   = "The API calls run as the CXone user who owns the access key, with that user's role and permissions. Sign in to CXone as a user of the business unit the calls are for (NICE recommends a dedicated API user), then:"
	createPath    = "My Profile → Access Keys → Add access key"
	createAdmin   = `This needs the "My Access Key" permission. An administrator can create a key for another user under Admin → Employees → the user → Access Keys.`
	onceTitle     = "⚠  THE SECRET IS SHOWN ONLY ONCE"
	onceText      = "Copy both the Access Key ID and the Access Key Secret before you close the dialog. A lost secret cannot be shown again: you would have to create a new key."
	onceShort     = "⚠ The secret is shown only once: copy both values now."
	copiedConfirm = "I have copied the Access Key ID and the Access Key Secret"
	rotateIntro   = "New access key for profile %s: the old one keeps working until you deactivate it in CXone."
)

// CreateKey explains how to create an access key and makes sure the secret was copied: CXone
// shows it only once.
type CreateKey struct {
	sess      *ui.Session
	confirmed bool
	nudge     bool // enter was pressed before confirming
	rotate    bool // the first step of a rotation: a new key replaces the stored one
}

// NewCreateKey returns the access key creation step.
func NewCreateKey() *CreateKey { return &CreateKey{} }

// NewRotateCreateKey returns the access key creation step that opens a rotation.
func NewRotateCreateKey() *CreateKey { return &CreateKey{rotate: true} }

// ID implements ui.Step.
func (c *CreateKey) ID() string { return IDCreateKey }

// Title implements ui.Step.
func (c *CreateKey) Title() string {
	if c.rotate {
		return "Create a new access key"
	}
	return "Create an access key"
}

// Enter implements ui.Step.
func (c *CreateKey) Enter(s *ui.Session) tea.Cmd {
	c.sess = s
	c.nudge = false
	return nil
}

// Confirmed reports whether the user confirmed copying the secret.
func (c *CreateKey) Confirmed() bool { return c.confirmed }

// FocusLine implements ui.Focuser: the confirmation.
func (c *CreateKey) FocusLine() int { return c.render().focusLine }

// PinnedLines implements ui.Pinner: where to create the key, and that its secret is shown
// once, stay above the confirmation however short the window.
func (c *CreateKey) PinnedLines() int { return c.render().pinned }

// Update implements ui.Step.
func (c *CreateKey) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if c.sess == nil {
		return c, nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return c, nil
	}
	keys := c.sess.Keys
	switch {
	case key.Matches(k, keys.Toggle):
		c.confirmed = !c.confirmed
		c.nudge = false
		c.sess.Touched = true
	case key.Matches(k, keys.Next):
		if !c.confirmed {
			c.nudge = true
			return c, nil
		}
		return c, ui.Next
	case key.Matches(k, keys.Back, keys.PrevField):
		return c, ui.Back
	}
	return c, nil
}

func (c *CreateKey) render() body { return fitted(c.sess, c.draw) }

func (c *CreateKey) draw(compact bool) body {
	var b body
	if c.sess == nil {
		return b
	}
	st, tw := c.sess.Styles, textWidth(c.sess)
	if compact {
		// The instruction, the warning in one line and the confirmation: what must stay.
		b.add(ui.Wrap(st.Code.Render(createPath), tw))
		b.add(ui.Wrap(st.Warn.Bold(true).Render(onceShort), tw))
		b.pin()
	} else {
		if c.rotate {
			b.add(ui.Paragraph(st, tw, fmt.Sprintf(rotateIntro, c.sess.Draft.Profile)))
			b.gap()
		}
		b.add(ui.Paragraph(st, tw, createIntro))
		b.gap()
		b.add("  " + st.Code.Render(createPath))
		b.gap()
		if !c.rotate { // a rotation's user has made a key before
			b.add(ui.Wrap(st.Muted.Render(createAdmin), tw))
			b.gap()
		}
		b.add(ui.WarningBox(st, min(tw, 72), onceTitle, onceText))
	}
	b.gap()
	b.focus()
	box := "[ ]"
	style := st.Text
	if c.confirmed {
		box, style = "[x]", st.OK
	}
	b.add(ui.Wrap(style.Render(box+" "+copiedConfirm)+st.Muted.Render("  (space)"), tw))
	if c.nudge {
		b.add(ui.Wrap(st.Warn.Render("Tick the box with space once both values are copied somewhere safe."), tw))
	}
	return b
}

// View implements ui.Step.
func (c *CreateKey) View() string { return c.render().String() }

// KeyBinds implements ui.Step.
func (c *CreateKey) KeyBinds() []key.Binding {
	if c.sess == nil {
		return nil
	}
	k := c.sess.Keys
	return []key.Binding{k.Toggle, k.Next, k.Back}
}

// Prompt implements ui.Step.
func (c *CreateKey) Prompt(s *ui.Session, p *ui.Prompter) (tea.Msg, error) {
	c.sess = s
	if c.rotate {
		p.Say(rotateIntro, s.Draft.Profile)
	}
	p.Say("%s %s.", createIntro, createPath)
	p.Say("%s", createAdmin)
	p.Say("Warning: the secret is shown only once. %s", onceText)
	for {
		ok, err := p.YesNo("Have you copied the Access Key ID and the Access Key Secret?", false)
		if err != nil {
			return nil, err
		}
		if ok {
			c.confirmed = true
			return ui.NextMsg{}, nil
		}
		p.Say("Take your time; answer y once both values are copied somewhere safe.")
	}
}
