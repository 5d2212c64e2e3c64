package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// Bounds of the keyring reads behind the reuse offer. The store bounds its own calls too;
// these keep the wizard responsive if an adapter does not.
const (
	profilesTimeout = 15 * time.Second
	reuseTimeout    = 35 * time.Second
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
	sess   *ui.Session
	src    ProfileSource
	cfg    Config
	id     ui.Field
	secret ui.Field
	focus  int // 0 Client ID, 1 Client Secret

	entered  bool
	profiles []ExistingProfile
	loadErr  string

	picking  bool
	picker   ui.Menu
	asking   bool // passphrase of the picked profile's file keyring
	pass     ui.Field
	fetching bool
	reuseErr string
	note     string
}

// NewClient returns the client credentials step; src may be nil (no reuse offer).
func NewClient(src ProfileSource, cfg Config) *Client {
	return &Client{
		src:    src,
		cfg:    cfg,
		id:     ui.NewField("Client ID", "e.g. 485a1b2c-3d4e-5f60-7182-93a4b5c6d7e8", false),
		secret: ui.NewField("Client Secret", "from the same email", true),
		pass:   ui.NewField("Keyring passphrase", "", true),
	}
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
		if c.src != nil {
			cmds = append(cmds, loadProfiles(s.Ctx, c.src))
		}
	}
	cmds = append(cmds, c.setFocus(c.focus))
	return tea.Batch(cmds...)
}

func loadProfiles(ctx context.Context, src ProfileSource) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, profilesTimeout)
		defer cancel()
		list, err := src.Profiles(ctx)
		return profilesMsg{list: list, err: err}
	}
}

// Restyle implements ui.Restyler.
func (c *Client) Restyle(st *ui.Styles) {
	for _, f := range []*ui.Field{&c.id, &c.secret, &c.pass} {
		f.SetStyles(st)
	}
}

// CapturingText implements ui.TextCapturer.
func (c *Client) CapturingText() bool { return !c.picking || c.asking }

// FocusLine implements ui.Focuser.
func (c *Client) FocusLine() int { return c.render().focusLine }

func (c *Client) setFocus(f int) tea.Cmd {
	c.focus = f
	c.id.Blur()
	c.secret.Blur()
	if c.picking {
		return nil
	}
	if f == 0 {
		return c.id.Focus()
	}
	return c.secret.Focus()
}

func (c *Client) sync() {
	d := c.sess.Draft
	d.Creds.ClientID = strings.TrimSpace(c.id.Value())
	d.Creds.ClientSecret = strings.TrimSpace(c.secret.Value())
}

func (c *Client) lint() {
	c.id.Warning = lintClientID(c.id.Value())
	c.secret.Warning = lintClientSecret(c.secret.Value())
}

func (c *Client) validate() bool {
	c.id.Error, c.secret.Error = "", ""
	if strings.TrimSpace(c.id.Value()) == "" {
		c.id.Error = "the Client ID is required"
	} else {
		c.id.Error = spaceErr(strings.TrimSpace(c.id.Value()))
	}
	if strings.TrimSpace(c.secret.Value()) == "" {
		c.secret.Error = "the Client Secret is required"
	} else {
		c.secret.Error = spaceErr(strings.TrimSpace(c.secret.Value()))
	}
	return c.id.Error == "" && c.secret.Error == ""
}

func (c *Client) leave(cmd tea.Cmd) (ui.Step, tea.Cmd) {
	c.secret.Hide()
	c.sync()
	return c, cmd
}

// Update implements ui.Step.
func (c *Client) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if c.sess == nil {
		return c, nil
	}
	switch msg := msg.(type) {
	case profilesMsg:
		c.profiles = msg.list
		if msg.err != nil {
			c.loadErr = "Could not list existing profiles: " + errorText(msg.err)
		}
		c.picker = ui.Menu{Focused: true}
		for _, p := range c.profiles {
			note := p.Issuer
			if p.ClientID != "" {
				note += " · " + masked(p.ClientID)
			}
			c.picker.Items = append(c.picker.Items, ui.MenuItem{Label: p.Name, Note: note})
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
		c.note = fmt.Sprintf("Copied the client credentials of profile %q.", msg.name)
		for _, p := range c.profiles {
			if p.Name == msg.name && p.Issuer != "" && c.sess.Draft.Issuer != "" && p.Issuer != c.sess.Draft.Issuer {
				c.note += fmt.Sprintf(" Its issuer is %s, this profile's %s; an application works in the environment it was registered for.", p.Issuer, c.sess.Draft.Issuer)
			}
		}
		c.lint()
		c.sync()
		return c, c.setFocus(1)
	case tea.KeyPressMsg:
		if c.picking {
			return c.updatePicker(msg)
		}
		return c.updateKeys(msg)
	case tea.PasteMsg:
		if c.picking {
			if c.asking {
				var cmd tea.Cmd
				c.pass, cmd, _ = c.pass.Update(msg, c.sess.Keys)
				return c, cmd
			}
			return c, nil
		}
	}
	return c.updateField(msg)
}

func (c *Client) updateKeys(k tea.KeyPressMsg) (ui.Step, tea.Cmd) {
	keys := c.sess.Keys
	switch {
	case key.Matches(k, keys.Reuse) && len(c.profiles) > 0:
		c.picking, c.asking, c.reuseErr = true, false, ""
		c.setFocus(c.focus)
		return c, nil
	case key.Matches(k, keys.Next):
		if c.focus == 0 {
			return c, c.setFocus(1)
		}
		c.lint()
		if !c.validate() {
			if c.id.Error != "" {
				return c, c.setFocus(0)
			}
			return c, nil
		}
		return c.leave(ui.Next)
	case key.Matches(k, keys.NextField):
		return c, c.setFocus(1 - c.focus)
	case k.String() == "shift+tab" && c.focus == 1:
		return c, c.setFocus(0)
	case key.Matches(k, keys.Back):
		return c.leave(ui.Back)
	}
	return c.updateField(k)
}

func (c *Client) updateField(msg tea.Msg) (ui.Step, tea.Cmd) {
	var (
		cmd     tea.Cmd
		changed bool
	)
	if c.focus == 0 {
		c.id, cmd, changed = c.id.Update(msg, c.sess.Keys)
	} else {
		c.secret, cmd, changed = c.secret.Update(msg, c.sess.Keys)
	}
	if changed {
		c.sess.Touched = true
		c.id.Error, c.secret.Error = "", ""
		c.note = ""
		c.lint()
		c.sync()
	}
	return c, cmd
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
		var cmd tea.Cmd
		c.pass, cmd, _ = c.pass.Update(k, keys)
		c.pass.Error = ""
		return c, cmd
	}
	switch {
	case key.Matches(k, keys.Back), key.Matches(k, keys.Reuse):
		c.picking = false
		return c, c.setFocus(c.focus)
	case key.Matches(k, keys.Next):
		p := c.profiles[c.picker.Selected()]
		if p.NeedsPassphrase && !c.cfg.PassphraseFromEnv {
			c.asking = true
			c.pass.Label = "Passphrase of the keyring that holds " + p.Name
			return c, c.pass.Focus()
		}
		return c, c.fetch(p.Name, "")
	}
	c.picker, _ = c.picker.Update(k, keys)
	c.reuseErr = ""
	return c, nil
}

func (c *Client) fetch(name, pass string) tea.Cmd {
	c.fetching, c.reuseErr = true, ""
	src, ctx := c.src, c.sess.Ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, reuseTimeout)
		defer cancel()
		id, secret, err := src.ClientCredentials(ctx, name, pass)
		return reusedMsg{name: name, id: id, secret: secret, err: err}
	}
}

func (c *Client) render() body {
	var b body
	if c.sess == nil {
		return b
	}
	st, tw, fw := c.sess.Styles, textWidth(c.sess), fieldWidth(c.sess)
	if c.picking {
		b.add(ui.Paragraph(st, tw, "One registered application serves many access keys. Reuse the client credentials of:"))
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
	b.add(ui.Paragraph(st, tw, "Enter the Client ID and Client Secret of the registered application, from the approval email (they come in a password-protected archive)."))
	b.gap()
	if c.focus == 0 {
		b.focus()
	}
	b.add(c.id.View(st, fw))
	b.gap()
	if c.focus == 1 {
		b.focus()
	}
	b.add(c.secret.View(st, fw))
	if c.note != "" {
		b.gap()
		b.add(ui.Wrap(st.OK.Render("✓ ")+st.Text.Render(c.note), tw))
	}
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
			return []key.Binding{k.Next, back("esc", "back to the list"), k.Reveal}
		}
		return []key.Binding{k.UpDown, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "reuse")), back("esc", "type them instead")}
	}
	b := []key.Binding{k.Next, k.NextField, k.Back}
	if c.focus == 1 {
		b = append(b, k.Reveal)
	}
	if len(c.profiles) > 0 {
		b = append(b, k.Reuse)
	}
	return b
}
