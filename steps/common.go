package steps

import (
	"strings"

	"charm.land/lipgloss/v2"

	"cxone-auth/ui"
)

// Step IDs, for ui.GoTo.
const (
	IDWelcome   = "welcome"
	IDRegister  = "register"
	IDClient    = "client"
	IDCreateKey = "createkey"
	IDAccessKey = "accesskey"
	IDCheck     = "check"
	IDSave      = "save"
	IDDone      = "done"
)

// Links shown in the help texts (cxone-protocol.md section 6).
const (
	registrationURL = "https://developer.niceincontact.com/Documentation/ApplicationRegistration"
)

// body builds a step's view and remembers where the focused element starts, so the engine
// can keep it on screen when the window is short.
type body struct {
	parts     []string
	lines     int
	focusLine int
}

func (b *body) add(parts ...string) {
	for _, p := range parts {
		b.parts = append(b.parts, p)
		b.lines += lipgloss.Height(p)
	}
}

// gap adds an empty line.
func (b *body) gap() { b.add("") }

// focus marks the next part as the focused one.
func (b *body) focus() { b.focusLine = b.lines }

func (b body) String() string { return strings.Join(b.parts, "\n") }

// bullet renders "• text" with a hanging indent.
func bullet(st *ui.Styles, width int, text string) string {
	return hanging(st, width, "• ", text)
}

func hanging(st *ui.Styles, width int, lead, text string) string {
	indent := strings.Repeat(" ", lipgloss.Width(lead))
	wrapped := ui.Wrap(st.Text.Render(text), max(1, width-lipgloss.Width(lead)))
	lines := strings.Split(wrapped, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = lead + lines[i]
		} else {
			lines[i] = indent + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// fieldWidth caps input fields so a very wide terminal does not draw a 200-cell line.
func fieldWidth(sess *ui.Session) int { return min(sess.BodyWidth(), 72) }

// textWidth caps paragraphs to a readable measure.
func textWidth(sess *ui.Session) int { return min(sess.BodyWidth(), 88) }

// indent shifts every line of s right by n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = pad + lines[i]
	}
	return strings.Join(lines, "\n")
}
