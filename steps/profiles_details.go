package steps

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// profDetailsPanel is the panel of one profile: what is stored of it, its last check, and
// when this run's check failed, the advice (which value is wrong, the keys that fix it) and the
// error itself. The actions it offers are the screen's; the panel only closes itself.
type profDetailsPanel struct{}

var profCloseKey = key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "back"))

// Update reports whether k closes the panel.
func (profDetailsPanel) Update(k tea.KeyPressMsg) (closed bool) { return key.Matches(k, profCloseKey) }

// detailPairs is what the details panel lists of a profile.
func detailPairs(r *profileRow, status profStatus) [][2]string {
	v := r.View
	_, last := status(r, true)
	return [][2]string{
		{"Issuer", store.Or(v.Issuer)},
		{"Client ID", store.Or(v.ClientID)},
		{"Access Key ID", store.Or(v.AccessKeyID)},
		{"User", store.Or(v.User)},
		{"Tenant", store.Or(v.TenantText())},
		{"Business unit", store.Or(v.BusinessUnitText())},
		{"API endpoint", store.Or(v.APIEndpoint)},
		{"Keyring", store.Or(auth.Sanitize(r.Backend))},
		{"Last check", last},
	}
}

// fixText says which keys fix what a failed check points at.
func fixText(target auth.Target) string {
	return fixWords(target, false)
}

// fixWords is fixText for the screen (its keys) or for the line prompts (their menu's items),
// so both say the same way to fix it.
func fixWords(target auth.Target, lines bool) string {
	if lines {
		switch target {
		case auth.TargetClient:
			return `Choose "Edit a profile" to enter the Client ID and Client Secret again.`
		case auth.TargetAccessKey:
			return `Choose "Edit a profile" to enter the access key again, or "Replace the access key of a profile" to replace it with a new one.`
		case auth.TargetIssuer:
			return `Choose "Edit a profile" to change the environment or the issuer.`
		case auth.TargetNone:
			return `Choose "Check a profile again".`
		case auth.TargetProfile:
			return `Choose "Remove a profile" to remove the entry, or "Set up a new profile" to set it up again.`
		}
		return ""
	}
	switch target {
	case auth.TargetClient:
		return "Press e to enter the Client ID and Client Secret again."
	case auth.TargetAccessKey:
		return "Press e to enter the access key again, or r to replace it with a new one."
	case auth.TargetIssuer:
		return "Press e to change the environment or the issuer."
	case auth.TargetNone:
		return "Press c to check again."
	case auth.TargetProfile:
		return "Press del to remove the entry, or n to set the profile up again."
	}
	return ""
}

// How much of a failed check's advice the panel shows: all of it in a box, the title and the
// error in a box, or plain lines.
const (
	profAdviceFull  = iota
	profAdviceCause // the cause and the error; the fix is the keys under the box
	profAdviceShort
	profAdviceCompact
)

// View adds the panel of r to b. The advice of a failed check is a box with what is wrong
// (which value), why, what to do and the error itself, sanitised; when that does not fit the
// window, the box keeps what is wrong, why (when that fits) and the error, and a short
// window gets them as lines.
// The error is always shown: the advice names the cause, the error is what happened.
func (d profDetailsPanel) View(b *body, sess *ui.Session, r *profileRow, compact bool, status profStatus) {
	if !compact {
		for _, level := range []int{profAdviceFull, profAdviceCause, profAdviceShort} {
			try := *b
			try.parts = append([]string(nil), b.parts...)
			d.view(&try, sess, r, level, status)
			if try.lines <= sess.BodyHeight() {
				*b = try
				return
			}
		}
	}
	d.view(b, sess, r, profAdviceCompact, status)
}

func (profDetailsPanel) view(b *body, sess *ui.Session, r *profileRow, level int, status profStatus) {
	if r == nil {
		return
	}
	st, tw := sess.Styles, textWidth(sess)
	head := st.Text.Render("Profile ") + st.Value.Render(r.View.Name)
	if r.Default {
		head += st.Muted.Render(" (default)")
	}
	b.add(ui.Wrap(head, tw))
	b.pin()
	b.focus()
	if r.failed() {
		// What is wrong and how to fix it come first: that is why a failed profile is opened.
		a := auth.AdviceFor(auth.KindOf(r.err))
		raw := "Error: " + errorText(r.err)
		switch level {
		case profAdviceFull:
			lines := []string{a.Cause}
			if a.Fix != "" {
				lines = append(lines, a.Fix)
			}
			lines = append(lines, "", st.Muted.Render(raw))
			b.add(ui.ErrorBox(st, min(tw, 80), "✗ "+a.Title, lines...))
		case profAdviceCause:
			b.add(ui.ErrorBox(st, min(tw, 80), "✗ "+a.Title, a.Cause, "", st.Muted.Render(raw)))
		case profAdviceShort:
			b.add(ui.ErrorBox(st, min(tw, 80), "✗ "+a.Title, st.Muted.Render(raw)))
		default:
			b.add(ui.Wrap(st.Error.Render("✗ "+a.Title), tw))
			b.add(ui.Wrap(st.Muted.Render(raw), tw))
		}
		if f := fixText(a.Target); f != "" {
			b.add(ui.Wrap(st.Text.Render(f), tw))
		}
		b.gap()
	}
	b.add(wrapPairs(st, tw, detailPairs(r, status)...))
	for _, w := range r.warnings {
		b.add(ui.Wrap(st.Warn.Render("! "+auth.Sanitize(w)), tw))
	}
}

// sayDetails is the panel as line prompts.
func sayDetails(pr *ui.Prompter, r *profileRow, status profStatus) {
	pr.Say("Profile %s:", r.View.Name)
	for _, kv := range detailPairs(r, status) {
		pr.Say("  %s: %s", kv[0], kv[1])
	}
	for _, w := range r.warnings {
		pr.Say("Warning: %s", auth.Sanitize(w))
	}
	if r.failed() {
		a := auth.AdviceFor(auth.KindOf(r.err))
		pr.Say("Error: %s. %s %s", a.Title, a.Cause, a.Fix)
		pr.Say("Details: %s", errorText(r.err))
		if f := fixWords(a.Target, true); f != "" {
			pr.Say("%s", f)
		}
	}
}
