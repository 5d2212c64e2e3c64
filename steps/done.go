package steps

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/store"
	"cxone-auth/ui"
)

// Done summarises the saved profile and shows what to run next.
type Done struct {
	sess *ui.Session
}

// NewDone returns the last step.
func NewDone() *Done { return &Done{} }

// ID implements ui.Step.
func (d *Done) ID() string { return IDDone }

// Title implements ui.Step.
func (d *Done) Title() string { return "Done" }

// Enter implements ui.Step.
func (d *Done) Enter(s *ui.Session) tea.Cmd {
	d.sess = s
	return nil
}

// Update implements ui.Step. There is no way back: the profile is saved.
func (d *Done) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if d.sess == nil {
		return d, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if key.Matches(k, d.sess.Keys.Next) || k.String() == "q" || k.String() == "esc" {
			return d, ui.Finish
		}
	}
	return d, nil
}

// profileFlag is the flag later commands need, empty for the default profile.
func profileFlag(name string) string {
	if name == "" || name == "default" {
		return ""
	}
	return " --profile " + name
}

// Record is what a finished flow leaves behind: the headline, the profile's details and the
// next commands. The done screen shows it, and the command prints it on the normal screen
// once the wizard's screen is gone, as `gh auth login` leaves "Logged in as".
type Record struct {
	Headline string      // "Saved profile "acme"."
	Pairs    [][2]string // Profile, User, Tenant, Business unit, API endpoint, Keyring
	Notes    []string    // things to do outside this tool (deactivate the old key)
	Next     [][2]string // command, what it does
	// Cyclr is the partner-level guidance for Cyclr's NICE CXone connector (where the Client
	// ID and Secret go in the Cyclr console), printed after the next commands; the secret is
	// never in it (docs/cyclr.md).
	Cyclr []string
}

// RecordOf builds the record of a draft that was saved.
func RecordOf(dr *ui.Draft) Record {
	verb := "Saved"
	if dr.Existing {
		verb = "Updated"
	}
	r := Record{Headline: fmt.Sprintf("%s profile %q.", verb, dr.Profile)}
	r.Pairs = append(r.Pairs, [2]string{"Profile", dr.Profile})
	if dr.Result != nil {
		r.Pairs = append(r.Pairs, resultPairs(store.ViewOfCheck(dr.Profile, dr.Issuer, dr.Creds, dr.Result))...)
	}
	kr := dr.BackendLabel
	if kr == "" {
		kr = dr.Backend
	}
	r.Pairs = append(r.Pairs, [2]string{"Keyring", store.Or(kr)})
	if dr.OldAccessKeyID != "" && dr.OldAccessKeyID != dr.Creds.AccessKeyID {
		r.Notes = append(r.Notes, fmt.Sprintf("Deactivate the old Access Key ID %s in CXone (My Profile → Access Keys): this tool no longer uses it.", dr.OldAccessKeyID))
	}
	flag := profileFlag(dr.Profile)
	r.Next = [][2]string{
		{"cxone-auth check" + flag, "check the credentials again"},
		{"cxone-auth export" + flag + " -o .env", "write them to an env file"},
		{"cxone-auth exec" + flag + " -- CMD", "run a program with them"},
	}
	if (dr.OldAccessKeyID == "" || dr.OldAccessKeyID == dr.Creds.AccessKeyID) && dr.Creds.ClientID != "" {
		r.Cyclr = []string{
			"Cyclr: to install the access key into a Cyclr account,",
			"  cxone-auth cyclr install" + flag + " --account ID",
			"  The partner enters the application once, in Connectors → Application",
			"  Connector Library → Nice CXOne → Setup Required:",
			"    username  " + dr.Creds.ClientID + " (the Client ID)",
			"    password  the Client Secret (not shown; it is in the keyring)",
		}
	}
	return r
}

// Lines renders the record as plain text lines (no styles), for the normal screen and the
// line prompts.
func (r Record) Lines() []string {
	lines := []string{"✓ " + r.Headline}
	w := 0
	for _, p := range r.Pairs {
		w = max(w, len([]rune(p[0])))
	}
	for _, p := range r.Pairs {
		lines = append(lines, "  "+p[0]+strings.Repeat(" ", w-len([]rune(p[0])))+"  "+p[1])
	}
	for _, n := range r.Notes {
		lines = append(lines, "! "+n)
	}
	if len(r.Next) == 0 {
		return lines // an action's record: what was done, nothing more to run
	}
	lines = append(lines, "Next:")
	cw := 0
	for _, c := range r.Next {
		cw = max(cw, len([]rune(c[0])))
	}
	for _, c := range r.Next {
		lines = append(lines, "  "+c[0]+strings.Repeat(" ", cw-len([]rune(c[0])))+"   # "+c[1])
	}
	return append(lines, r.Cyclr...)
}

// View implements ui.Step.
func (d *Done) View() string {
	if d.sess == nil {
		return ""
	}
	st, tw := d.sess.Styles, textWidth(d.sess)
	r := RecordOf(d.sess.Draft)
	var b body
	b.add(st.OK.Render("✓ ") + st.Value.Render(r.Headline))
	// What is left to do (deactivate the old key) comes first, where a short window shows it.
	for _, n := range r.Notes {
		b.add(ui.Wrap(st.Warn.Render("! ")+st.Text.Render(n), tw))
	}
	b.gap()
	b.add(wrapPairs(st, tw, r.Pairs...))
	b.gap()
	b.add(st.Text.Render("Next:"))
	cw := 0
	for _, c := range r.Next {
		cw = max(cw, len(c[0]))
	}
	for _, c := range r.Next {
		if 2+cw+3+len(c[1]) <= tw {
			b.add("  " + st.Code.Render(c[0]) + strings.Repeat(" ", cw-len(c[0])+3) + st.Muted.Render(c[1]))
			continue
		}
		// Too narrow for two columns: the command on its line, what it does under it.
		b.add(ui.Wrap("  "+st.Code.Render(c[0]), tw), ui.Wrap("    "+st.Muted.Render(c[1]), tw))
	}
	if len(r.Cyclr) > 0 {
		b.gap()
		for _, l := range r.Cyclr {
			b.add(ui.Wrap(st.Muted.Render(l), tw))
		}
	}
	return b.String()
}

// KeyBinds implements ui.Step.
func (d *Done) KeyBinds() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter", "q"), key.WithHelp("enter", "finish"))}
}

// Prompt implements ui.Step.
func (d *Done) Prompt(s *ui.Session, p *ui.Prompter) (tea.Msg, error) {
	d.sess = s
	for _, l := range RecordOf(s.Draft).Lines() {
		p.Say("%s", l)
	}
	return ui.FinishMsg{}, nil
}
