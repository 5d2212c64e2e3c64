package steps

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// profConfirm is a y/N question of the profiles screen (remove a profile, replace a file):
// y does yes, any other key (enter included: the default is no) does no.
type profConfirm struct {
	question string
	yes, no  func() tea.Cmd
}

// asking reports whether a question is open.
func (c *profConfirm) asking() bool { return c.question != "" }

// ask opens a question.
func (c *profConfirm) ask(question string, yes, no func() tea.Cmd) {
	c.question, c.yes, c.no = question, yes, no
}

// Update answers the open question with k and closes it.
func (c *profConfirm) Update(k tea.KeyPressMsg, keys ui.KeyMap) tea.Cmd {
	yes, no := c.yes, c.no
	*c = profConfirm{}
	if key.Matches(k, keys.Yes) {
		return yes()
	}
	return no()
}

// View is the question, wrapped to width.
func (c *profConfirm) View(st *ui.Styles, width int) string {
	return ui.Wrap(st.Confirm.Render(c.question), width)
}

// KeyBinds is the question's help line.
func (c *profConfirm) KeyBinds(k ui.KeyMap) []key.Binding { return []key.Binding{k.Yes, k.No} }
