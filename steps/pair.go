package steps

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// pair is an identifier and its secret as the client and access key steps ask for them: two
// fields in a focus ring that splits a paste of both values (or refuses one of more), their
// blocking checks and inline warnings from auth's rules, and the hiding of a revealed secret
// when the step is left. Each step embeds one and says where the values go in the draft.
type pair struct {
	group      ui.Group
	id, secret ui.Field
	note       string // a line under the fields (what a paste did, where values came from)

	idName, secretName string
	lintID, lintSecret func(string) string
	store              func(id, secret string) // writes the values into the draft
}

// setup builds the two fields; p must already be where it stays (the group keeps pointers).
func (p *pair) setup(idName, idHint, secretName, secretHint string, lintID, lintSecret func(string) string, store func(id, secret string)) {
	p.idName, p.secretName, p.lintID, p.lintSecret, p.store = idName, secretName, lintID, lintSecret, store
	p.id = ui.NewField(idName, idHint, false)
	p.secret = ui.NewField(secretName, secretHint, true)
	p.id.Single, p.secret.Single = true, true
	p.group.Add(&p.id)
	p.group.Add(&p.secret)
	p.group.Pair(0, 1)
}

// keep starts both fields from stored values, kept by Enter, replaced by typing: the ID shown
// masked (its first and last 4 characters), the secret only described (storedSecretText).
func (p *pair) keep(id, secret string) {
	p.id.Keep(id)
	p.secret.Keep(secret)
	p.secret.Describe = storedSecretText
	p.lint()
}

// storedSecretMinEnds is the shortest stored secret whose last characters are shown.
const storedSecretMinEnds = 12

// storedSecretText describes a stored secret without showing it: that one is stored, its
// length, and for a secret of storedSecretMinEnds characters or more its last 2 ("stored · 56
// characters · ends …A="), enough to tell two keys apart and never enough to guess one. An
// identifier keeps its first and last 4 (auth.Mask); a secret never shows more than 2
// (docs/profiles-screen.md).
func storedSecretText(s string) string {
	r := []rune(s)
	t := fmt.Sprintf("stored · %d characters", len(r))
	if len(r) >= storedSecretMinEnds {
		t += " · ends …" + auth.Sanitize(string(r[len(r)-2:]))
	}
	return t
}

func (p *pair) lint() {
	p.id.Warning = p.lintID(p.id.Value())
	p.secret.Warning = p.lintSecret(p.secret.Value())
}

// valid checks field i (0 the ID, 1 the secret); the other is checked when the step is left.
func (p *pair) valid(i int) bool {
	if i == 0 {
		p.id.Error = idError(p.idName, p.id.Value())
		return p.id.Error == ""
	}
	p.secret.Error = idError(p.secretName, p.secret.Value())
	return p.secret.Error == ""
}

func (p *pair) sync() { p.store(strings.TrimSpace(p.id.Value()), strings.TrimSpace(p.secret.Value())) }

// restyle applies the session's styles to both fields.
func (p *pair) restyle(st *ui.Styles) {
	p.id.SetStyles(st)
	p.secret.SetStyles(st)
}

// update handles a message for the two fields. nav is ui.Next or ui.Back when the step is to
// be left (the values are then in the draft and a revealed secret is hidden again).
func (p *pair) update(msg tea.Msg, sess *ui.Session) (cmd, nav tea.Cmd) {
	cmd, ev := p.group.Update(msg, sess.Keys, p.valid)
	switch ev {
	case ui.GroupSubmit:
		p.lint()
		if !p.valid(0) {
			return p.group.Focus(0), nil
		}
		if !p.valid(1) {
			return nil, nil
		}
		return nil, p.leave(ui.Next)
	case ui.GroupBack:
		return nil, p.leave(ui.Back)
	case ui.GroupChanged, ui.GroupPaired:
		sess.Touched = true
		p.id.Error, p.secret.Error = "", ""
		p.note = ""
		if ev == ui.GroupPaired {
			p.note = pairedNote
		}
		p.lint()
		p.sync()
	case ui.GroupRefused:
		p.id.Error = refusedNote
	}
	return cmd, nil
}

func (p *pair) leave(nav tea.Cmd) tea.Cmd {
	p.group.HideAll()
	p.sync()
	return nav
}

// fields adds the two fields (and the note) to a step's body, marking the focused one.
func (p *pair) fields(b *body, st *ui.Styles, fieldWidth, textWidth int) {
	if p.group.Index() == 0 {
		b.focus()
	}
	b.add(p.id.View(st, fieldWidth))
	b.gap()
	if p.group.Index() == 1 {
		b.focus()
	}
	b.add(p.secret.View(st, fieldWidth))
	if p.note != "" {
		b.gap()
		b.add(ui.Wrap(st.OK.Render("✓ ")+st.Text.Render(p.note), textWidth))
	}
}
