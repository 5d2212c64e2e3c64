package steps

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// The register step's words, shared by its screen and its prompt.
const (
	registerIntro  = "Programs call the CXone APIs through a registered application. Skip this step if you already have its Client ID and Client Secret."
	registerGuide  = "Sign in to the CXone developer portal and follow the registration guide:"
	registerChoose = "Register a new application with these choices:"
	registerType   = "type: back-end application (server to server, access keys); the type cannot be changed later"
	registerAuth   = "token endpoint client authentication: client_secret_basic"
	registerRest   = "tenants, environment, scopes and primary business unit as your program needs"
	registerWait   = "Wait for approval (typically 2–3 business days). The Client ID and Client Secret arrive by email in a password-protected archive."
	registerLater  = "Not yet: stop here and run `cxone-auth setup` again when the email arrives"
)

// Register explains how to register a back-end application in the CXone developer portal.
type Register struct {
	sess    *ui.Session
	open    func(string) error
	menu    ui.Menu
	actions []int
	note    string // outcome of opening the link
}

const (
	regContinue = iota
	regOpen
	regLater
)

// NewRegister returns the registration step; open may be nil (no browser).
func NewRegister(open func(string) error) *Register {
	r := &Register{open: open}
	r.actions = append(r.actions, regContinue)
	r.menu.Items = append(r.menu.Items, ui.MenuItem{Label: "I already have my Client ID and Client Secret"})
	if open != nil {
		r.actions = append(r.actions, regOpen)
		r.menu.Items = append(r.menu.Items, ui.MenuItem{Label: "Open the registration guide in a browser"})
	}
	r.actions = append(r.actions, regLater)
	r.menu.Items = append(r.menu.Items, ui.MenuItem{Label: registerLater})
	r.menu.Focused = true
	r.menu.Plain = true
	return r
}

// ID implements ui.Step.
func (r *Register) ID() string { return IDRegister }

// Title implements ui.Step.
func (r *Register) Title() string { return "Register an application" }

// Enter implements ui.Step.
func (r *Register) Enter(s *ui.Session) tea.Cmd {
	r.sess = s
	return nil
}

// FocusLine implements ui.Focuser: the choices.
func (r *Register) FocusLine() int { return r.render().focusLine }

// PinnedLines implements ui.Pinner: the guide and its link.
func (r *Register) PinnedLines() int { return r.render().pinned }

// Update implements ui.Step.
func (r *Register) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if r.sess == nil {
		return r, nil
	}
	keys := r.sess.Keys
	switch msg := msg.(type) {
	case ui.OpenedMsg:
		if msg.Err != nil {
			r.note = "Could not open a browser: " + errorText(msg.Err) + ". Open the link above by hand."
		} else {
			r.note = "Opened the guide in your browser."
		}
		return r, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keys.Open):
			return r, r.openCmd()
		case key.Matches(msg, keys.Back, keys.PrevField):
			return r, ui.Back
		case key.Matches(msg, keys.Next):
			switch r.actions[r.menu.Selected()] {
			case regContinue:
				return r, ui.Next
			case regOpen:
				return r, r.openCmd()
			case regLater:
				r.sess.Draft.Later = true
				return r, ui.Finish
			}
		}
		r.menu.Update(msg, keys)
	}
	return r, nil
}

func (r *Register) openCmd() tea.Cmd {
	if r.open == nil {
		r.note = "No browser here: open the link above on another machine."
		return nil
	}
	r.note = "Opening the browser…"
	return ui.OpenLink(r.sess.Ctx, r.open, RegistrationURL)
}

func (r *Register) render() body { return fitted(r.sess, r.draw) }

func (r *Register) draw(compact bool) body {
	var b body
	if r.sess == nil {
		return b
	}
	st, tw := r.sess.Styles, textWidth(r.sess)
	if compact {
		b.add(hanging(st, tw, "", registerGuide))
		b.add(ui.Link(st, RegistrationURL))
		b.pin()
	} else {
		b.add(ui.Paragraph(st, tw, registerIntro))
		b.gap()
		b.add(hanging(st, tw, "1. ", registerGuide))
		b.add("   " + ui.Link(st, RegistrationURL))
		b.add(hanging(st, tw, "2. ", registerChoose))
		b.add(indent(bullet(st, tw-3, registerType), 3))
		b.add(indent(bullet(st, tw-3, registerAuth), 3))
		b.add(indent(bullet(st, tw-3, registerRest), 3))
		b.add(hanging(st, tw, "3. ", registerWait))
	}
	b.gap()
	b.focusAt(r.menu.Selected())
	b.add(r.menu.View(st, r.sess.BodyWidth()))
	if r.note != "" {
		b.add(ui.Wrap(st.Muted.Render(r.note), tw))
	}
	return b
}

// View implements ui.Step.
func (r *Register) View() string { return r.render().String() }

// KeyBinds implements ui.Step.
func (r *Register) KeyBinds() []key.Binding {
	if r.sess == nil {
		return nil
	}
	k := r.sess.Keys
	b := []key.Binding{k.UpDown, k.Next, k.Back}
	if r.open != nil {
		b = append(b, k.Open)
	}
	return b
}

// Prompt implements ui.Step.
func (r *Register) Prompt(s *ui.Session, p *ui.Prompter) (tea.Msg, error) {
	r.sess = s
	p.Say("%s", registerIntro)
	p.Say("1. %s %s", registerGuide, RegistrationURL)
	p.Say("2. %s %s; %s; %s.", registerChoose, registerType, registerAuth, registerRest)
	p.Say("3. %s", registerWait)
	ok, err := p.YesNo("Do you already have the Client ID and Client Secret?", true)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.Draft.Later = true
		return ui.FinishMsg{}, nil
	}
	return ui.NextMsg{}, nil
}
