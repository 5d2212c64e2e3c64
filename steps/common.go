package steps

import (
	"crypto/sha256"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"cxone-auth/auth"
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
	IDProfiles  = "profiles"
)

// RegistrationURL is NICE's guide to registering an application.
const RegistrationURL = "https://developer.niceincontact.com/Documentation/ApplicationRegistration"

// body builds a step's view and remembers where the focused element starts and how many
// lines of instruction open it, so the engine can keep both on screen when the window is
// short.
type body struct {
	parts     []string
	lines     int
	focusLine int
	pinned    int
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

// focusAt marks line n of the next part as the focused line (the selected item of a menu).
func (b *body) focusAt(n int) { b.focusLine = b.lines + n }

// pin marks the lines added so far as the step's instruction: they stay in view while the
// rest scrolls (ui.Pinner).
func (b *body) pin() { b.pinned = b.lines }

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

// compact reports whether the window is too short for the step's explanations: the step then
// shows its instruction and its focused control only.
func compact(sess *ui.Session) bool { return sess.Height > 0 && sess.Height < 16 }

// fitted renders a step's body in full, or in its compact form when the window is short or
// the full body would not fit the rows the engine gives it: the explanations are dropped
// before the instruction and the focused control have to scroll.
func fitted(sess *ui.Session, draw func(compact bool) body) body {
	if sess == nil {
		return draw(false)
	}
	if compact(sess) {
		return draw(true)
	}
	if b := draw(false); sess.Height <= 0 || b.lines <= sess.BodyHeight() {
		return b
	}
	return draw(true)
}

// indent shifts every line of s right by n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = pad + lines[i]
	}
	return strings.Join(lines, "\n")
}

// binding is a help entry for keys that a step handles itself.
func binding(keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
}

// fingerprint identifies the values a check was (or would be) sent with.
func fingerprint(d *ui.Draft) [32]byte {
	return sha256.Sum256([]byte(strings.Join([]string{d.Issuer, d.Creds.ClientID, d.Creds.ClientSecret, d.Creds.AccessKeyID, d.Creds.AccessKeySecret}, "\x00")))
}

// masked is how an identifier appears outside its own field. Values that arrive masked
// already (ExistingProfile.ClientID) are shown as they are.
func masked(s string) string {
	if strings.Contains(s, "…") {
		return auth.Sanitize(s)
	}
	return auth.Mask(s)
}

// errorText is the message of err, safe for the terminal.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return auth.Sanitize(err.Error())
}

// idError is the blocking check of an identifier or secret field (empty, spaces inside,
// control characters, too long), from auth's rules.
func idError(name, v string) string {
	if err := auth.ValidateValue(name, strings.TrimSpace(v)); err != nil {
		return err.Error()
	}
	return ""
}

// Texts shared by the screen and the line prompts of the steps.
const (
	pairedNote  = "Pasted two values: the first went into the ID field, the second into the secret field."
	refusedNote = "That paste held several values; nothing was entered. Paste the ID alone."
)

// whatNow asks which of a failure's actions to take, with "Quit without saving" last; quit
// reports that last choice.
func whatNow(p *ui.Prompter, labels []string) (i int, quit bool, err error) {
	i, err = p.Choose("What now?", append(labels[:len(labels):len(labels)], "Quit without saving"), 0)
	return i, err == nil && i == len(labels), err
}
