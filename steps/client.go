package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// Bounds of the keyring reads behind the reuse offer. The store bounds its own calls too;
// these keep the wizard responsive if an adapter does not.
const (
	profilesTimeout = 15 * time.Second
	reuseTimeout    = 35 * time.Second
)

// The client step's words, shared by its screen and its prompt.
const (
	clientIntro = "Enter the Client ID and Client Secret of the registered application, from the approval email (they come in a password-protected archive)."
	reuseIntro  = "One registered application serves many access keys. Reuse the client credentials of:"
	// clientKeepIntro replaces clientIntro while stored values are kept.
	clientKeepIntro = "The Client ID and Client Secret stored in this profile are kept: press enter to keep each, or type (or paste) a new one."
)

type profilesMsg struct {
	list []ExistingProfile
	err  error
}

type reusedMsg struct {
	name, id, secret string
	err              error
}

// Client asks for the application's Client ID and Client Secret, and offers to reuse those
// of another profile (one application serves many access keys).
type Client struct {
	pair
	sess *ui.Session
	src  ProfileSource
	cfg  Config

	entered  bool
	profiles []ExistingProfile
	loadErr  string

	picking  bool
	picker   ui.Menu
	asking   bool // passphrase of the picked profile's file keyring
	pass     ui.Field
	fetching bool
	reuseErr string
}

// NewClient returns the client credentials step; src may be nil (no reuse offer).
func NewClient(src ProfileSource, cfg Config) *Client {
	c := &Client{src: src, cfg: cfg, pass: ui.NewField("Keyring passphrase", "", true)}
	c.setup("Client ID", "e.g. 485a1b2c-3d4e-5f60-7182-93a4b5c6d7e8", "Client Secret", "from the same email",
		auth.LintClientID, auth.LintClientSecret, func(id, secret string) {
			c.sess.Draft.Creds.ClientID, c.sess.Draft.Creds.ClientSecret = id, secret
		})
	return c
}

// ID implements ui.Step.
func (c *Client) ID() string { return IDClient }

// Title implements ui.Step.
func (c *Client) Title() string { return "Client credentials" }

// Enter implements ui.Step.
func (c *Client) Enter(s *ui.Session) tea.Cmd {
	c.sess = s
	c.Restyle(s.Styles)
	var cmds []tea.Cmd
	if !c.entered {
		c.entered = true
		if d := s.Draft; d.Existing && d.Creds.ClientID != "" && c.id.Value() == "" {
			// Editing a stored profile: its values are kept unless something is typed.
			c.keep(d.Creds.ClientID, d.Creds.ClientSecret)
		}
		if c.src != nil {
			cmds = append(cmds, loadProfiles(s.Ctx, c.src))
		}
	}
	if !c.picking {
		cmds = append(cmds, c.group.Refocus())
	}
	return tea.Batch(cmds...)
}

func listProfiles(ctx context.Context, src ProfileSource) ([]ExistingProfile, error) {
	ctx, cancel := context.WithTimeout(ctx, profilesTimeout)
	defer cancel()
	return src.Profiles(ctx)
}

func loadProfiles(ctx context.Context, src ProfileSource) tea.Cmd {
	return func() tea.Msg {
		list, err := listProfiles(ctx, src)
		return profilesMsg{list: list, err: err}
	}
}

// Restyle implements ui.Restyler.
func (c *Client) Restyle(st *ui.Styles) {
	c.restyle(st)
	c.pass.SetStyles(st)
}

// CapturingText implements ui.TextCapturer.
func (c *Client) CapturingText() bool { return !c.picking || c.asking }

// FocusLine implements ui.Focuser.
func (c *Client) FocusLine() int { return c.render().focusLine }

// PinnedLines implements ui.Pinner.
func (c *Client) PinnedLines() int { return c.render().pinned }

// Update implements ui.Step.
func (c *Client) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if c.sess == nil {
		return c, nil
	}
	switch msg := msg.(type) {
	case profilesMsg:
		c.profiles = nil
		for _, p := range msg.list {
			if d := c.sess.Draft; d.Existing && p.Name == d.Profile {
				continue // the profile being edited has these credentials already
			}
			c.profiles = append(c.profiles, p)
		}
		if msg.err != nil {
			c.loadErr = "Could not list existing profiles: " + errorText(msg.err)
		}
		c.picker = ui.Menu{Focused: true}
		for _, p := range c.profiles {
			c.picker.Items = append(c.picker.Items, ui.MenuItem{Label: p.Name, Note: reuseNote(p)})
		}
		return c, nil
	case reusedMsg:
		c.fetching = false
		if msg.err != nil {
			c.reuseErr = "Could not read profile " + msg.name + ": " + errorText(msg.err)
			c.pass.SetValue("")
			return c, nil
		}
		c.picking, c.asking, c.reuseErr = false, false, ""
		c.pass.SetValue("")
		c.id.SetValue(msg.id)
		c.secret.SetValue(msg.secret)
		c.sess.Touched = true
		c.note = reusedText(c.profiles, msg.name, c.sess.Draft.Issuer)
		c.lint()
		c.sync()
		return c, c.group.Focus(1)
	case tea.KeyPressMsg:
		if c.picking {
			return c.updatePicker(msg)
		}
		if key.Matches(msg, c.sess.Keys.Reuse) && len(c.profiles) > 0 {
			c.picking, c.asking, c.reuseErr = true, false, ""
			c.group.BlurAll()
			return c, nil
		}
	case tea.PasteMsg:
		if c.picking {
			if c.asking {
				cmd, _ := c.pass.Update(msg, c.sess.Keys)
				return c, cmd
			}
			return c, nil // a paste into a menu goes nowhere
		}
	}
	if c.picking {
		return c, nil
	}
	cmd, nav := c.update(msg, c.sess)
	if nav != nil {
		return c, nav
	}
	return c, cmd
}

// reuseNote describes a profile in the reuse list: its issuer and masked Client ID.
func reuseNote(p ExistingProfile) string {
	note := p.Issuer
	if p.ClientID != "" {
		note += " · " + masked(p.ClientID)
	}
	return note
}

// reusedText says whose client credentials were copied, and warns when that profile's issuer
// differs (an application works in the environment it was registered for).
func reusedText(profiles []ExistingProfile, name, issuer string) string {
	s := fmt.Sprintf("Copied the client credentials of profile %q.", name)
	for _, p := range profiles {
		if p.Name == name && p.Issuer != "" && issuer != "" && p.Issuer != issuer {
			s += fmt.Sprintf(" Its issuer is %s, this profile's %s; an application works in the environment it was registered for.", p.Issuer, issuer)
		}
	}
	return s
}

func (c *Client) updatePicker(k tea.KeyPressMsg) (ui.Step, tea.Cmd) {
	keys := c.sess.Keys
	if c.fetching {
		return c, nil
	}
	if c.asking {
		switch {
		case key.Matches(k, keys.Back):
			c.asking = false
			c.pass.SetValue("")
			c.pass.Blur()
			return c, nil
		case key.Matches(k, keys.Next):
			if c.pass.Value() == "" {
				c.pass.Error = "enter the passphrase of that profile's keyring"
				return c, nil
			}
			return c, c.fetch(c.profiles[c.picker.Selected()].Name, c.pass.Value())
		}
		cmd, _ := c.pass.Update(k, keys)
		c.pass.Error = ""
		return c, cmd
	}
	switch {
	case key.Matches(k, keys.Back, keys.PrevField, keys.Reuse):
		c.picking = false
		return c, c.group.Refocus()
	case key.Matches(k, keys.Next):
		p := c.profiles[c.picker.Selected()]
		if p.NeedsPassphrase && !c.cfg.PassphraseKnown {
			c.asking = true
			c.pass.Label = "Passphrase of the keyring that holds " + p.Name
			return c, c.pass.Focus()
		}
		return c, c.fetch(p.Name, "")
	}
	c.picker.Update(k, keys)
	c.reuseErr = ""
	return c, nil
}

func (c *Client) fetch(name, pass string) tea.Cmd {
	c.fetching, c.reuseErr = true, ""
	src, ctx := c.src, c.sess.Ctx
	return func() tea.Msg {
		id, secret, err := fetchClient(ctx, src, name, pass)
		return reusedMsg{name: name, id: id, secret: secret, err: err}
	}
}

func fetchClient(ctx context.Context, src ProfileSource, name, pass string) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, reuseTimeout)
	defer cancel()
	return src.ClientCredentials(ctx, name, pass)
}

func (c *Client) render() body { return fitted(c.sess, c.draw) }

func (c *Client) draw(compact bool) body {
	var b body
	if c.sess == nil {
		return b
	}
	st, tw, fw := c.sess.Styles, textWidth(c.sess), fieldWidth(c.sess)
	if c.picking {
		b.add(ui.Paragraph(st, tw, reuseIntro))
		b.gap()
		b.focus()
		b.add(c.picker.View(st, c.sess.BodyWidth()))
		if c.asking {
			b.gap()
			b.focus()
			b.add(c.pass.View(st, fw))
		}
		if c.fetching {
			b.gap()
			b.add(st.Muted.Render("Reading the profile from the keyring…"))
		}
		if c.reuseErr != "" {
			b.gap()
			b.add(ui.Wrap(st.Error.Render("✗ "+c.reuseErr), tw))
		}
		return b
	}
	if !compact {
		intro := clientIntro
		if c.id.Keeping() || c.secret.Keeping() {
			intro = clientKeepIntro
		}
		b.add(ui.Paragraph(st, tw, intro))
		b.gap()
	}
	c.fields(&b, st, fw, tw)
	if len(c.profiles) > 0 {
		b.gap()
		names := make([]string, 0, len(c.profiles))
		for _, p := range c.profiles {
			names = append(names, p.Name)
		}
		b.add(ui.Wrap(st.Muted.Render(fmt.Sprintf("Profiles with client credentials: %s. Press ctrl+o to reuse one.", strings.Join(names, ", "))), tw))
	}
	if c.loadErr != "" {
		b.gap()
		b.add(ui.Wrap(st.Muted.Render(c.loadErr), tw))
	}
	return b
}

// View implements ui.Step.
func (c *Client) View() string { return c.render().String() }

// KeyBinds implements ui.Step.
func (c *Client) KeyBinds() []key.Binding {
	if c.sess == nil {
		return nil
	}
	k := c.sess.Keys
	if c.picking {
		if c.asking {
			return []key.Binding{k.Next, binding("esc", "back to the list"), k.Reveal}
		}
		return []key.Binding{k.UpDown, binding("enter", "reuse"), binding("esc", "type them instead")}
	}
	b := []key.Binding{k.Next, k.NextField, k.Back}
	if c.group.Index() == 1 {
		b = append(b, k.Reveal)
	}
	if len(c.profiles) > 0 {
		b = append(b, k.Reuse)
	}
	return b
}

// Prompt implements ui.Step: the reuse offer, then the two values.
func (c *Client) Prompt(s *ui.Session, p *ui.Prompter) (tea.Msg, error) {
	c.sess = s
	d := s.Draft
	if c.src != nil {
		list, err := listProfiles(s.Ctx, c.src)
		if err != nil {
			p.Say("Could not list existing profiles: %s", errorText(err))
		}
		if len(list) > 0 {
			opts := []string{"Enter the client credentials"}
			for _, pr := range list {
				opts = append(opts, "Reuse those of profile "+pr.Name+" ("+reuseNote(pr)+")")
			}
			i, err := p.Choose(strings.TrimSuffix(reuseIntro, " Reuse the client credentials of:"), opts, 0)
			if err != nil {
				return nil, err
			}
			if i > 0 {
				pr := list[i-1]
				pass := ""
				if pr.NeedsPassphrase && !c.cfg.PassphraseKnown {
					if pass, err = p.Secret("Passphrase of the keyring that holds "+pr.Name, false); err != nil {
						return nil, err
					}
				}
				id, secret, err := fetchClient(s.Ctx, c.src, pr.Name, pass)
				if err == nil {
					d.Creds.ClientID, d.Creds.ClientSecret = auth.CleanInput(id), auth.CleanInput(secret)
					p.Say("%s", reusedText(list, pr.Name, d.Issuer))
					return ui.NextMsg{}, nil
				}
				p.Say("Could not read profile %s: %s. Enter the values instead.", pr.Name, errorText(err))
			}
		}
	}
	p.Say("%s", clientIntro)
	id, secret, err := promptPair(p, "Client ID", "Client Secret", d.Creds.ClientID, d.Creds.ClientSecret, auth.LintClientID, auth.LintClientSecret)
	if err != nil {
		return nil, err
	}
	d.Creds.ClientID, d.Creds.ClientSecret = id, secret
	return ui.NextMsg{}, nil
}

// promptPair asks for an identifier and its secret as line prompts, with the screen's rules:
// both required, no spaces inside, unusual shapes warned about; a paste of both values into
// the ID prompt is split, a paste of more is refused, and neither is ever printed back.
func promptPair(p *ui.Prompter, idName, secretName, curID, curSecret string, lintID, lintSecret func(string) string) (string, string, error) {
	var id, secret string
	for id == "" {
		q := idName
		if curID != "" {
			// The current value is shown masked, as on screen; enter keeps it.
			q += " (enter keeps " + masked(curID) + ")"
		}
		a, err := p.Ask(q, "")
		if err != nil {
			return "", "", err
		}
		if a == "" {
			a = curID
		}
		switch vals := ui.Values(a); {
		case len(vals) == 2:
			id, secret = vals[0], vals[1]
			p.Say("%s", pairedNote)
		case len(vals) > 2:
			p.Say("%s", refusedNote)
			continue
		default:
			if msg := idError(idName, a); msg != "" {
				p.Say("Error: %s.", msg)
				continue
			}
			id = a
		}
		p.Echo(id)
		if warn := lintID(id); warn != "" {
			p.Say("Warning: %s.", warn)
		}
	}
	for secret == "" {
		q := secretName
		if curSecret != "" {
			q += " (" + storedSecretText(curSecret) + ")" // never more than its last 2 characters
		}
		a, err := p.Secret(q, curSecret != "")
		if err != nil {
			return "", "", err
		}
		if a == "" {
			a = curSecret
		}
		if msg := idError(secretName, a); msg != "" {
			p.Say("Error: %s.", msg)
			continue
		}
		secret = a
		if warn := lintSecret(secret); warn != "" {
			p.Say("Warning: %s.", warn)
		}
	}
	return id, secret, nil
}
