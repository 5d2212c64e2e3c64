package steps

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// Environments offered on the welcome step, in menu order.
const (
	envCommercial = iota
	envFedRAMP
	envCustom
)

var envNames = [...]string{"commercial", "fedramp", "custom"}

// Focus positions of the welcome step.
const (
	welcomeEnv = iota
	welcomeIssuer
	welcomeProfile
)

// Welcome says what is needed, picks the environment and names the profile.
type Welcome struct {
	sess    *ui.Session
	env     ui.Menu
	issuer  ui.Field
	profile ui.Field
	focus   int
	entered bool
	cfg     Config
	src     ProfileSource
	// existing names the stored profiles, to warn before one is replaced.
	existing map[string]bool
}

// NewWelcome returns the first step, pre-filled from the command line. src (may be nil) lists
// stored profiles so the step can say when a name is already taken.
func NewWelcome(cfg Config, src ProfileSource) *Welcome {
	w := &Welcome{cfg: cfg, src: src}
	w.env = ui.Menu{Items: []ui.MenuItem{
		{Label: "Commercial", Note: auth.IssuerCommercial},
		{Label: "FedRAMP", Note: auth.IssuerFedRAMP},
		{Label: "Custom issuer", Note: "another CXone issuer, or a local emulator"},
	}}
	w.issuer = ui.NewField("Issuer URL", "https://…", false)
	w.profile = ui.NewField("Profile name", "default", false)
	switch iss, _ := validateIssuer(cfg.Issuer); {
	case cfg.Issuer == "" || iss == auth.IssuerCommercial:
		w.env.Select(envCommercial)
	case iss == auth.IssuerFedRAMP:
		w.env.Select(envFedRAMP)
	default:
		w.env.Select(envCustom)
		w.issuer.SetValue(cfg.Issuer)
	}
	name := cfg.Profile
	if name == "" {
		name = "default"
	}
	w.profile.SetValue(name)
	return w
}

// ID implements ui.Step.
func (w *Welcome) ID() string { return IDWelcome }

// Title implements ui.Step.
func (w *Welcome) Title() string { return "Welcome" }

// Enter implements ui.Step.
func (w *Welcome) Enter(s *ui.Session) tea.Cmd {
	w.sess = s
	w.Restyle(s.Styles)
	var load tea.Cmd
	if !w.entered {
		w.entered = true
		w.sync()
		if w.src != nil {
			load = loadProfiles(s.Ctx, w.src)
		}
	}
	return tea.Batch(load, w.setFocus(w.focus))
}

// Restyle implements ui.Restyler.
func (w *Welcome) Restyle(st *ui.Styles) {
	w.issuer.SetStyles(st)
	w.profile.SetStyles(st)
}

// CapturingText implements ui.TextCapturer.
func (w *Welcome) CapturingText() bool { return w.focus != welcomeEnv }

// FocusLine implements ui.Focuser.
func (w *Welcome) FocusLine() int { return w.render().focusLine }

func (w *Welcome) setFocus(f int) tea.Cmd {
	w.focus = f
	w.env.Focused = f == welcomeEnv
	w.issuer.Blur()
	w.profile.Blur()
	switch f {
	case welcomeIssuer:
		return w.issuer.Focus()
	case welcomeProfile:
		return w.profile.Focus()
	}
	return nil
}

func (w *Welcome) order() []int {
	if w.env.Selected() == envCustom {
		return []int{welcomeEnv, welcomeIssuer, welcomeProfile}
	}
	return []int{welcomeEnv, welcomeProfile}
}

func (w *Welcome) move(delta int) (tea.Cmd, bool) {
	o := w.order()
	for i, f := range o {
		if f == w.focus {
			j := i + delta
			if j < 0 || j >= len(o) {
				return nil, false
			}
			return w.setFocus(o[j]), true
		}
	}
	return w.setFocus(o[0]), true
}

// issuerValue is the issuer the current choice stands for.
func (w *Welcome) issuerValue() (string, error) {
	switch w.env.Selected() {
	case envCommercial:
		return auth.IssuerCommercial, nil
	case envFedRAMP:
		return auth.IssuerFedRAMP, nil
	}
	return validateIssuer(w.issuer.Value())
}

// sync copies the choices into the draft.
func (w *Welcome) sync() {
	d := w.sess.Draft
	d.Environment = envNames[w.env.Selected()]
	if iss, err := w.issuerValue(); err == nil {
		d.Issuer = iss
	} else {
		d.Issuer = ""
	}
	d.Profile = w.profile.Value()
}

func (w *Welcome) validate() bool {
	ok := true
	w.issuer.Error = ""
	if w.env.Selected() == envCustom {
		if _, err := w.issuerValue(); err != nil {
			w.issuer.Error = err.Error()
			ok = false
		}
	}
	w.profile.Error = ""
	if err := validateProfile(w.profile.Value()); err != nil {
		w.profile.Error = err.Error()
		ok = false
	}
	return ok
}

// Update implements ui.Step.
func (w *Welcome) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if w.sess == nil {
		return w, nil
	}
	keys := w.sess.Keys
	if pm, ok := msg.(profilesMsg); ok {
		// A failure to list is not worth a word here; the client step reports it.
		w.existing = map[string]bool{}
		for _, p := range pm.list {
			w.existing[p.Name] = true
		}
		w.lintProfile()
		return w, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, keys.Next):
			if w.focus == welcomeProfile {
				if !w.validate() {
					if w.issuer.Error != "" {
						return w, w.setFocus(welcomeIssuer)
					}
					return w, nil
				}
				w.sync()
				return w, ui.Next
			}
			if w.focus == welcomeIssuer {
				w.issuer.Error = ""
				if _, err := w.issuerValue(); err != nil {
					w.issuer.Error = err.Error()
					return w, nil
				}
			}
			cmd, _ := w.move(1)
			return w, cmd
		case key.Matches(k, keys.NextField):
			cmd, _ := w.move(1)
			return w, cmd
		case k.String() == "shift+tab":
			cmd, _ := w.move(-1)
			return w, cmd
		case key.Matches(k, keys.Back):
			return w, ui.Back // no-op on the first step, kept for symmetry
		}
	}
	var cmd tea.Cmd
	switch w.focus {
	case welcomeEnv:
		var moved bool
		w.env, moved = w.env.Update(msg, keys)
		if moved {
			w.sync()
		}
	case welcomeIssuer:
		var changed bool
		w.issuer, cmd, changed = w.issuer.Update(msg, keys)
		if changed {
			w.sess.Touched = true
			w.issuer.Error = ""
			w.sync()
		}
	case welcomeProfile:
		var changed bool
		w.profile, cmd, changed = w.profile.Update(msg, keys)
		if changed {
			w.sess.Touched = true
			w.profile.Error = ""
			w.lintProfile()
			w.sync()
		}
	}
	return w, cmd
}

// lintProfile warns about a malformed name while typing (enter blocks it) and about a name
// that is taken: saving replaces that profile, which may be what the user wants (re-setup).
func (w *Welcome) lintProfile() {
	name := w.profile.Value()
	switch err := validateProfile(name); {
	case err != nil && name != "":
		w.profile.Warning = err.Error()
	case w.existing[name]:
		w.profile.Warning = fmt.Sprintf("profile %q exists: saving replaces its credentials", name)
	default:
		w.profile.Warning = ""
	}
}

func (w *Welcome) render() body {
	var b body
	if w.sess == nil {
		return b
	}
	st, tw, fw := w.sess.Styles, textWidth(w.sess), fieldWidth(w.sess)
	b.add(ui.Paragraph(st, tw, "This wizard sets up CXone API credentials for your programs and scripts, checks them live and stores them in your keyring. You will need:"))
	b.add(bullet(st, tw, "a back-end application registered in the CXone developer portal (its Client ID and Client Secret); approval typically takes 2–3 business days, so register early"))
	b.add(bullet(st, tw, "to sign in to CXone as the user the API calls run as, to create an access key"))
	b.gap()
	if w.focus == welcomeEnv {
		b.focus()
	}
	b.add(w.label("Environment", w.focus == welcomeEnv))
	b.add(w.env.View(st, fw))
	if w.env.Selected() == envCustom {
		if w.focus == welcomeIssuer {
			b.focus()
		}
		b.add(indent(w.issuer.View(st, fw-4), 4))
	}
	b.gap()
	if w.focus == welcomeProfile {
		b.focus()
	}
	b.add(w.profile.View(st, fw))
	return b
}

func (w *Welcome) label(s string, focused bool) string {
	if focused {
		return w.sess.Styles.FocusedLabel.Render(s)
	}
	return w.sess.Styles.Label.Render(s)
}

// View implements ui.Step.
func (w *Welcome) View() string { return w.render().String() }

// KeyBinds implements ui.Step.
func (w *Welcome) KeyBinds() []key.Binding {
	if w.sess == nil {
		return nil
	}
	k := w.sess.Keys
	switch w.focus {
	case welcomeEnv:
		return []key.Binding{k.UpDown, k.Next, k.NextField}
	}
	return []key.Binding{k.Next, k.NextField, back("shift+tab", "previous field")}
}

func back(keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
}
