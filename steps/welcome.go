package steps

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// Environments offered on the welcome step, in menu order.
const (
	envCommercial = iota
	envFedRAMP
	envCustom
)

var envNames = [...]string{"commercial", "fedramp", "custom"}

// The welcome step's words, shared by its screen and its prompt.
const (
	welcomeIntro   = "This wizard sets up CXone API credentials for your programs and scripts, checks them live and stores them in your keyring. You will need:"
	welcomeNeedApp = "a back-end application registered in the CXone developer portal (its Client ID and Client Secret); approval typically takes 2–3 business days, so register early"
	welcomeNeedKey = "to sign in to CXone as the user the API calls run as, to create an access key"
	editIntro      = "Every field shows what is stored: press enter to keep it, or type a new value."
)

// envLabels are the environment choices with the issuer each stands for.
var envLabels = [...]ui.MenuItem{
	{Label: "Commercial", Note: auth.IssuerCommercial},
	{Label: "FedRAMP", Note: auth.IssuerFedRAMP},
	{Label: "Custom issuer", Note: "another CXone issuer, or a local emulator"},
}

// Welcome says what is needed, picks the environment and names the profile.
type Welcome struct {
	sess    *ui.Session
	group   ui.Group
	env     ui.Menu
	issuer  ui.Field
	profile ui.Field
	entered bool
	cfg     Config
	src     ProfileSource
	// existing names the stored profiles, to warn before one is replaced.
	existing map[string]bool
	// editing names the stored profile being edited: its name is fixed and only the
	// environment is asked here.
	editing string
}

// NewWelcome returns the first step, pre-filled from the command line. src (may be nil) lists
// stored profiles so the step can say when a name is already taken.
func NewWelcome(cfg Config, src ProfileSource) *Welcome {
	w := newWelcome(cfg, src)
	name := cfg.Profile
	if name == "" {
		name = "default"
	}
	w.profile.SetValue(name)
	w.group.Add(&w.profile)
	return w
}

// NewEditWelcome is the first step of the edit of stored profile name: the environment
// pre-selected from issuer (the stored one, unless the command line named another), the
// profile name fixed.
func NewEditWelcome(cfg Config, name, issuer string) *Welcome {
	cfg.Issuer = issuer
	w := newWelcome(cfg, nil)
	w.editing = name
	w.profile.SetValue(name)
	return w
}

func newWelcome(cfg Config, src ProfileSource) *Welcome {
	w := &Welcome{cfg: cfg, src: src}
	w.env = ui.Menu{Items: envLabels[:]}
	w.issuer = ui.NewField("Issuer URL", "https://…", false)
	w.profile = ui.NewField("Profile name", "default", false)
	w.env.Select(envOf(cfg.Issuer))
	if w.env.Selected() == envCustom {
		w.issuer.SetValue(cfg.Issuer)
	}
	w.group.Add(&w.env)
	w.group.AddIf(&w.issuer, func() bool { return w.env.Selected() == envCustom })
	return w
}

// envOf is the environment an issuer belongs to.
func envOf(issuer string) int {
	switch iss, _ := auth.ValidateIssuer(issuer); {
	case issuer == "" || iss == auth.IssuerCommercial:
		return envCommercial
	case iss == auth.IssuerFedRAMP:
		return envFedRAMP
	}
	return envCustom
}

// ID implements ui.Step.
func (w *Welcome) ID() string { return IDWelcome }

// Title implements ui.Step.
func (w *Welcome) Title() string {
	if w.editing != "" {
		return "Edit profile " + w.editing
	}
	return "Welcome"
}

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
	return tea.Batch(load, w.group.Refocus())
}

// Restyle implements ui.Restyler.
func (w *Welcome) Restyle(st *ui.Styles) {
	w.issuer.SetStyles(st)
	w.profile.SetStyles(st)
}

// CapturingText implements ui.TextCapturer.
func (w *Welcome) CapturingText() bool { return w.group.TakesText() }

// FocusLine implements ui.Focuser.
func (w *Welcome) FocusLine() int { return w.render().focusLine }

// PinnedLines implements ui.Pinner.
func (w *Welcome) PinnedLines() int { return w.render().pinned }

// issuerValue is the issuer the current choice stands for.
func (w *Welcome) issuerValue() (string, error) {
	switch w.env.Selected() {
	case envCommercial:
		return auth.IssuerCommercial, nil
	case envFedRAMP:
		return auth.IssuerFedRAMP, nil
	}
	return auth.ValidateIssuer(w.issuer.Value())
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

// valid checks control i (enter on it) and reports whether the step may move past it.
func (w *Welcome) valid(i int) bool {
	switch w.group.Current() {
	case &w.issuer:
		w.issuer.Error = ""
		if _, err := w.issuerValue(); err != nil {
			w.issuer.Error = err.Error()
			return false
		}
	case &w.profile:
		w.profile.Error = ""
		if err := store.ValidProfileName(w.profile.Value()); err != nil {
			w.profile.Error = err.Error()
			return false
		}
	}
	return true
}

// Update implements ui.Step.
func (w *Welcome) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if w.sess == nil {
		return w, nil
	}
	if pm, ok := msg.(profilesMsg); ok {
		// A failure to list is not worth a word here; the client step reports it.
		w.existing = map[string]bool{}
		for _, p := range pm.list {
			w.existing[p.Name] = true
		}
		w.lintProfile()
		return w, nil
	}
	cmd, ev := w.group.Update(msg, w.sess.Keys, w.valid)
	switch ev {
	case ui.GroupSubmit:
		if w.env.Selected() == envCustom {
			if _, err := w.issuerValue(); err != nil {
				w.issuer.Error = err.Error()
				return w, w.group.Focus(1)
			}
		}
		w.sync()
		return w, ui.Next
	case ui.GroupBack:
		return w, ui.Back // on the first step of a flow started from the profiles screen: back there
	case ui.GroupChanged:
		if w.group.Current() != &w.env {
			w.sess.Touched = true
		}
		w.issuer.Error, w.profile.Error = "", ""
		w.lintProfile()
		w.sync()
	}
	return w, cmd
}

// lintProfile warns about a malformed name while typing (enter blocks it) and about a name
// that is taken: saving replaces that profile, which may be what the user wants.
func (w *Welcome) lintProfile() {
	w.profile.Warning = profileWarning(w.profile.Value(), w.existing)
}

func profileWarning(name string, existing map[string]bool) string {
	switch err := store.ValidProfileName(name); {
	case err != nil && name != "":
		return err.Error()
	case existing[name]:
		return fmt.Sprintf("profile %q exists: saving replaces its credentials", name)
	}
	return ""
}

func (w *Welcome) render() body { return fitted(w.sess, w.draw) }

func (w *Welcome) draw(compact bool) body {
	var b body
	if w.sess == nil {
		return b
	}
	st, tw, fw := w.sess.Styles, textWidth(w.sess), fieldWidth(w.sess)
	switch {
	case w.editing != "":
		b.add(ui.Wrap(st.Text.Render("Editing profile ")+st.Value.Render(w.editing)+st.Text.Render("."), tw))
		if !compact {
			b.add(ui.Paragraph(st, tw, editIntro))
			b.gap()
		}
		b.pin()
	case !compact:
		b.add(ui.Paragraph(st, tw, welcomeIntro))
		b.add(bullet(st, tw, welcomeNeedApp))
		b.add(bullet(st, tw, welcomeNeedKey))
		b.gap()
	}
	b.add(label(st, "Environment", w.env.Focused))
	if w.group.Current() == &w.env {
		// The selected environment is what must stay in view (with the issuer field under
		// a custom one), not the label above the list.
		b.focusAt(w.env.Selected())
	}
	b.add(w.env.View(st, fw))
	if w.env.Selected() == envCustom {
		if w.group.Current() == &w.issuer {
			b.focus()
		}
		b.add(indent(w.issuer.View(st, fw-4), 4))
	}
	if w.editing != "" {
		return b
	}
	b.gap()
	if w.group.Current() == &w.profile {
		b.focus()
	}
	b.add(w.profile.View(st, fw))
	return b
}

func label(st *ui.Styles, s string, focused bool) string {
	if focused {
		return st.FocusedLabel.Render(s)
	}
	return st.Label.Render(s)
}

// View implements ui.Step.
func (w *Welcome) View() string { return w.render().String() }

// KeyBinds implements ui.Step.
func (w *Welcome) KeyBinds() []key.Binding {
	if w.sess == nil {
		return nil
	}
	k := w.sess.Keys
	if w.group.Current() == &w.env {
		return []key.Binding{k.UpDown, k.Next, k.NextField}
	}
	return []key.Binding{k.Next, k.NextField, k.PrevField}
}

// Prompt implements ui.Step: the same choices as line prompts.
func (w *Welcome) Prompt(s *ui.Session, p *ui.Prompter) (tea.Msg, error) {
	w.sess = s
	if w.editing != "" {
		p.Say("Editing profile %s. %s", w.editing, editIntro)
	} else {
		p.Say("%s", welcomeIntro)
		p.Say("- %s;", welcomeNeedApp)
		p.Say("- %s.", welcomeNeedKey)
	}
	d := s.Draft
	issuer := d.Issuer
	if issuer == "" {
		issuer = w.cfg.Issuer
	}
	opts := make([]string, len(envLabels))
	for i, it := range envLabels {
		opts[i] = it.Label + " (" + it.Note + ")"
	}
	env, err := p.Choose("Environment:", opts, envOf(issuer))
	if err != nil {
		return nil, err
	}
	w.env.Select(env)
	if env == envCustom {
		def := ""
		if envOf(issuer) == envCustom {
			def = issuer
		}
		v, err := p.Text("Issuer URL", def, func(s string) error { _, err := auth.ValidateIssuer(s); return err })
		if err != nil {
			return nil, err
		}
		w.issuer.SetValue(v)
	}
	if w.editing != "" {
		w.sync()
		return ui.NextMsg{}, nil
	}
	existing := map[string]bool{}
	if w.src != nil {
		if list, err := listProfiles(s.Ctx, w.src); err == nil {
			for _, pr := range list {
				existing[pr.Name] = true
			}
		}
	}
	name, err := p.Text("Profile name", w.profile.Value(), store.ValidProfileName)
	if err != nil {
		return nil, err
	}
	if warn := profileWarning(name, existing); warn != "" {
		p.Say("Note: %s.", warn)
	}
	w.profile.SetValue(name)
	w.sync()
	return ui.NextMsg{}, nil
}
