package steps

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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

// View implements ui.Step.
func (d *Done) View() string {
	if d.sess == nil {
		return ""
	}
	st, tw := d.sess.Styles, textWidth(d.sess)
	dr := d.sess.Draft
	var b body
	b.add(st.OK.Render("✓ ") + st.Value.Render(fmt.Sprintf("Saved profile %q.", dr.Profile)))
	b.gap()
	pairs := [][2]string{{"Profile", dr.Profile}}
	if r := dr.Result; r != nil {
		bu := orUnknown(r.BusinessUnit)
		if r.BusinessUnitID != 0 {
			bu = fmt.Sprintf("%s (%d)", orUnknown(r.BusinessUnit), r.BusinessUnitID)
		}
		pairs = append(pairs,
			[2]string{"User", sanitize(orUnknown(r.User))},
			[2]string{"Tenant", sanitize(orUnknown(r.Tenant))},
			[2]string{"Business unit", sanitize(bu)},
			[2]string{"API endpoint", sanitize(orUnknown(r.APIEndpoint))},
		)
	}
	kr := dr.BackendLabel
	if kr == "" {
		kr = dr.Backend
	}
	pairs = append(pairs, [2]string{"Keyring", orUnknown(kr)})
	b.add(ui.KV(st, tw, pairs...))
	b.gap()
	b.add(st.Text.Render("Next:"))
	flag := profileFlag(dr.Profile)
	cmds := [][2]string{
		{"cxone-auth check" + flag, "check the credentials again"},
		{"cxone-auth export" + flag + " -o .env", "write them to an env file"},
	}
	cw := 0
	for _, c := range cmds {
		cw = max(cw, len(c[0]))
	}
	for _, c := range cmds {
		if 2+cw+3+len(c[1]) <= tw {
			b.add("  " + st.Code.Render(c[0]) + strings.Repeat(" ", cw-len(c[0])+3) + st.Muted.Render(c[1]))
			continue
		}
		// Too narrow for two columns: the command on its line, what it does under it.
		b.add(ui.Wrap("  "+st.Code.Render(c[0]), tw), ui.Wrap("    "+st.Muted.Render(c[1]), tw))
	}
	return b.String()
}

// KeyBinds implements ui.Step.
func (d *Done) KeyBinds() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter", "q"), key.WithHelp("enter", "finish"))}
}
