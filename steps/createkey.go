package steps

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// CreateKey explains how to create an access key and makes sure the secret was copied: CXone
// shows it only once.
type CreateKey struct {
	sess      *ui.Session
	confirmed bool
	nudge     bool // enter was pressed before confirming
}

// NewCreateKey returns the access key creation step.
func NewCreateKey() *CreateKey { return &CreateKey{} }

// ID implements ui.Step.
func (c *CreateKey) ID() string { return IDCreateKey }

// Title implements ui.Step.
func (c *CreateKey) Title() string { return "Create an access key" }

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
	case key.Matches(k, keys.Back):
		return c, ui.Back
	}
	return c, nil
}

func (c *CreateKey) render() body {
	var b body
	if c.sess == nil {
		return b
	}
	st, tw := c.sess.Styles, textWidth(c.sess)
	b.add(ui.Paragraph(st, tw, "The API calls run as the CXone user who owns the access key, with that user's role and permissions. Sign in to CXone as a user of the business unit the calls are for (NICE recommends a dedicated API user), then:"))
	b.gap()
	b.add("  " + st.Code.Render("My Profile → Access Keys → Add access key"))
	b.gap()
	b.add(ui.Wrap(st.Muted.Render(`This needs the "My Access Key" permission. An administrator can create a key for another user under Admin → Employees → the user → Access Keys.`), tw))
	b.gap()
	b.add(ui.WarningBox(st, min(tw, 72), "⚠  THE SECRET IS SHOWN ONLY ONCE",
		"Copy both the Access Key ID and the Access Key Secret before you close the dialog. A lost secret cannot be shown again: you would have to create a new key."))
	b.gap()
	b.focus()
	box := "[ ]"
	style := st.Text
	if c.confirmed {
		box, style = "[x]", st.OK
	}
	b.add(style.Render(box+" I have copied the Access Key ID and the Access Key Secret") + st.Muted.Render("  (space)"))
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
