package steps

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// Bounds of the save step's commands. The store bounds each keyring call (30 s by default);
// these only keep the wizard from waiting forever on an adapter that does not.
const (
	backendsTimeout = 10 * time.Second
	saveTimeout     = 45 * time.Second
)

type backendsMsg struct {
	list []Backend
	err  error
}

type savedMsg struct {
	run int
	err error
}

// Phases of the save step.
const (
	saveLoading = iota
	saveChoose
	savePass
	saveSaving
	saveFailed
)

// Failure actions of the save step.
const (
	saveActRetry = iota
	saveActPass
	saveActChoose
)

// Save picks the keyring backend, asks for the encrypted-file passphrase when needed, and
// stores the profile. It is the first step that writes anything.
type Save struct {
	sess  *ui.Session
	src   BackendSource
	saver Saver
	cfg   Config

	phase    int
	loading  bool
	backends []Backend
	loadErr  error
	menu     ui.Menu

	pass1, pass2 ui.Field
	pfocus       int
	passphrase   string

	spin    spinner.Model
	run     int
	err     error
	actions ui.Menu
	acts    []int
}

// NewSave returns the save step.
func NewSave(src BackendSource, saver Saver, cfg Config) *Save {
	return &Save{
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		src:   src,
		saver: saver,
		cfg:   cfg,
		pass1: ui.NewField("Keyring passphrase", "", true),
		pass2: ui.NewField("Repeat the passphrase", "", true),
	}
}

// ID implements ui.Step.
func (s *Save) ID() string { return IDSave }

// Title implements ui.Step.
func (s *Save) Title() string { return "Save" }

// Enter implements ui.Step.
func (s *Save) Enter(sess *ui.Session) tea.Cmd {
	s.sess = sess
	s.Restyle(sess.Styles)
	switch {
	case s.phase == saveLoading && !s.loading:
		s.loading = true
		return loadBackends(s.src)
	case s.phase == saveSaving:
		return s.tick()
	case s.phase == savePass:
		return s.focusPass(s.pfocus)
	}
	return nil
}

func (s *Save) tick() tea.Cmd {
	if s.sess.Accessible {
		return nil
	}
	return s.spin.Tick
}

func loadBackends(src BackendSource) tea.Cmd {
	return func() tea.Msg {
		if src == nil {
			return backendsMsg{err: errors.New("no keyring backends are configured")}
		}
		ch := make(chan []Backend, 1)
		go func() { ch <- src.Backends() }()
		select {
		case list := <-ch:
			return backendsMsg{list: list}
		case <-time.After(backendsTimeout):
			return backendsMsg{err: errors.New("listing the keyring backends took too long")}
		}
	}
}

// Restyle implements ui.Restyler.
func (s *Save) Restyle(st *ui.Styles) {
	s.pass1.SetStyles(st)
	s.pass2.SetStyles(st)
	s.spin.Style = st.Spinner
}

// CapturingText implements ui.TextCapturer.
func (s *Save) CapturingText() bool { return s.phase == savePass }

// FocusLine implements ui.Focuser.
func (s *Save) FocusLine() int { return s.render().focusLine }

func (s *Save) selected() (Backend, bool) {
	i := s.menu.Selected()
	if i < 0 || i >= len(s.backends) {
		return Backend{}, false
	}
	return s.backends[i], s.backends[i].Available
}

func (s *Save) focusPass(i int) tea.Cmd {
	s.pfocus = i
	s.pass1.Blur()
	s.pass2.Blur()
	if i == 0 {
		return s.pass1.Focus()
	}
	return s.pass2.Focus()
}

// Update implements ui.Step.
func (s *Save) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if s.sess == nil {
		return s, nil
	}
	switch msg := msg.(type) {
	case backendsMsg:
		s.loading = false
		s.phase = saveChoose
		s.backends, s.loadErr = msg.list, msg.err
		s.menu = ui.Menu{Focused: true, Cursor: -1}
		for i, b := range s.backends {
			label := b.Label
			if label == "" {
				label = b.Name
			}
			note := b.Note
			if b.Default && b.Available {
				note = joinNote("detected default", note)
			}
			s.menu.Items = append(s.menu.Items, ui.MenuItem{Label: label, Note: note, Disabled: !b.Available})
			if b.Default && b.Available && s.menu.Cursor < 0 {
				s.menu.Cursor = i
			}
		}
		if s.menu.Cursor < 0 {
			s.menu.Cursor = 0
			for i, b := range s.backends {
				if b.Available {
					s.menu.Cursor = i
					break
				}
			}
		}
		return s, nil
	case savedMsg:
		if msg.run != s.run {
			return s, nil
		}
		if msg.err == nil {
			b, _ := s.selected()
			s.sess.Draft.Saved = true
			s.sess.Draft.Backend = b.Name
			s.sess.Draft.BackendLabel = b.Label
			s.passphrase = ""
			s.pass1.SetValue("")
			s.pass2.SetValue("")
			return s, ui.Next
		}
		s.phase, s.err = saveFailed, msg.err
		b, _ := s.selected()
		s.acts = []int{saveActRetry}
		if b.NeedsPassphrase && !s.cfg.PassphraseFromEnv {
			s.acts = append(s.acts, saveActPass)
		}
		s.acts = append(s.acts, saveActChoose)
		s.actions = ui.Menu{Focused: true, Plain: true}
		for _, a := range s.acts {
			s.actions.Items = append(s.actions.Items, ui.MenuItem{Label: [...]string{"Retry", "Enter the passphrase again", "Choose another backend"}[a]})
		}
		return s, nil
	case spinner.TickMsg:
		if s.phase != saveSaving {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case tea.KeyPressMsg:
		return s.key(msg)
	case tea.PasteMsg:
		if s.phase == savePass {
			return s.updatePass(msg)
		}
	}
	return s, nil
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + " · " + b
}

func (s *Save) key(k tea.KeyPressMsg) (ui.Step, tea.Cmd) {
	keys := s.sess.Keys
	switch s.phase {
	case saveLoading, saveSaving:
		return s, nil
	case saveChoose:
		switch {
		case key.Matches(k, keys.Back):
			return s, ui.Back
		case key.Matches(k, keys.Next):
			b, ok := s.selected()
			if !ok {
				return s, nil
			}
			if b.NeedsPassphrase && !s.cfg.PassphraseFromEnv {
				s.phase = savePass
				s.pass1.SetValue("")
				s.pass2.SetValue("")
				s.pass1.Error, s.pass2.Error = "", ""
				return s, s.focusPass(0)
			}
			s.passphrase = ""
			return s, s.save()
		}
		s.menu, _ = s.menu.Update(k, keys)
		return s, nil
	case savePass:
		b, _ := s.selected()
		switch {
		case k.String() == "shift+tab" && s.pfocus == 1:
			return s, s.focusPass(0)
		case key.Matches(k, keys.Back):
			s.phase = saveChoose
			s.pass1.Blur()
			s.pass2.Blur()
			return s, nil
		case key.Matches(k, keys.NextField) && !b.Exists:
			return s, s.focusPass(1 - s.pfocus)
		case key.Matches(k, keys.Next):
			s.pass1.Error, s.pass2.Error = "", ""
			if s.pass1.Value() == "" {
				s.pass1.Error = "a passphrase is required"
				return s, s.focusPass(0)
			}
			if !b.Exists && s.pfocus == 0 {
				return s, s.focusPass(1)
			}
			if !b.Exists && s.pass1.Value() != s.pass2.Value() {
				s.pass2.Error = "the two passphrases differ"
				s.pass2.SetValue("")
				return s, s.focusPass(1)
			}
			s.passphrase = s.pass1.Value()
			s.pass1.Hide()
			s.pass2.Hide()
			return s, s.save()
		}
		return s.updatePass(k)
	case saveFailed:
		switch {
		case key.Matches(k, keys.Back):
			s.phase = saveChoose
			return s, nil
		case key.Matches(k, keys.Retry):
			return s, s.save()
		case key.Matches(k, keys.Next):
			switch s.acts[s.actions.Selected()] {
			case saveActRetry:
				return s, s.save()
			case saveActPass:
				s.phase = savePass
				s.pass1.SetValue("")
				s.pass2.SetValue("")
				return s, s.focusPass(0)
			default:
				s.phase = saveChoose
				return s, nil
			}
		}
		s.actions, _ = s.actions.Update(k, keys)
	}
	return s, nil
}

func (s *Save) updatePass(msg tea.Msg) (ui.Step, tea.Cmd) {
	var cmd tea.Cmd
	if s.pfocus == 0 {
		s.pass1, cmd, _ = s.pass1.Update(msg, s.sess.Keys)
	} else {
		s.pass2, cmd, _ = s.pass2.Update(msg, s.sess.Keys)
	}
	return s, cmd
}

func (s *Save) save() tea.Cmd {
	b, ok := s.selected()
	if !ok {
		return nil
	}
	s.run++
	s.phase, s.err = saveSaving, nil
	d := s.sess.Draft
	req := SaveRequest{
		Profile: d.Profile, Issuer: d.Issuer, Creds: d.Creds, Result: d.Result,
		Backend: b.Name, Passphrase: s.passphrase,
	}
	run, saver, ctx := s.run, s.saver, s.sess.Ctx
	do := func() tea.Msg {
		if saver == nil {
			return savedMsg{run: run, err: errors.New("saving is not available")}
		}
		ctx, cancel := context.WithTimeout(ctx, saveTimeout)
		defer cancel()
		return savedMsg{run: run, err: saver.Save(ctx, req)}
	}
	return tea.Batch(s.tick(), do)
}

func (s *Save) render() body {
	var b body
	if s.sess == nil {
		return b
	}
	st, tw, fw := s.sess.Styles, textWidth(s.sess), fieldWidth(s.sess)
	d := s.sess.Draft
	b.add(ui.Wrap(st.Text.Render("Store profile ")+st.Value.Render(d.Profile)+st.Text.Render(" in a keyring. The secrets go to the keyring; the config file keeps only non-secret details."), tw))
	b.gap()
	switch s.phase {
	case saveLoading:
		b.add(st.Muted.Render("Looking for keyrings…"))
		return b
	}
	if s.loadErr != nil {
		b.add(ui.Wrap(st.Error.Render("✗ "+errorText(s.loadErr)), tw))
		return b
	}
	if len(s.backends) == 0 {
		b.add(ui.Wrap(st.Error.Render("✗ No keyring backend is available on this machine."), tw))
		return b
	}
	b.add(st.Label.Render("Keyring"))
	if s.phase == saveChoose {
		b.focus()
	}
	menu := s.menu
	menu.Focused = s.phase == saveChoose
	b.add(menu.View(st, s.sess.BodyWidth()))
	sel, _ := s.selected()
	// On a narrow screen the notes are cut: the highlighted keyring's note is shown whole
	// below the list (where the file keyring keeps its files, why a backend is unusual).
	if s.phase == saveChoose && !menu.Fits(s.sess.BodyWidth()) && sel.Note != "" {
		b.gap()
		b.add(ui.Wrap(st.Muted.Render(sel.Label+": "+sel.Note), tw))
	}
	switch s.phase {
	case savePass:
		b.gap()
		if sel.Exists {
			b.add(ui.Wrap(st.Muted.Render("Enter the passphrase of the existing encrypted keyring."), tw))
		} else {
			b.add(ui.Wrap(st.Muted.Render("Choose a passphrase for the new encrypted keyring. You will need it to read the credentials (or set CXONE_KEYRING_PASSPHRASE)."), tw))
		}
		b.gap()
		if s.pfocus == 0 {
			b.focus()
		}
		b.add(s.pass1.View(st, fw))
		if !sel.Exists {
			b.gap()
			if s.pfocus == 1 {
				b.focus()
			}
			b.add(s.pass2.View(st, fw))
		}
	case saveSaving:
		b.gap()
		b.focus()
		icon := "…"
		if !s.sess.Accessible {
			icon = s.spin.View()
		}
		b.add(icon + " " + st.Text.Render("Saving to "+sel.Label+"…"))
	case saveFailed:
		b.gap()
		b.add(ui.ErrorBox(st, min(tw, 80), "✗ Could not save", errorText(s.err)))
		b.focus()
		b.add(s.actions.View(st, s.sess.BodyWidth()))
	}
	return b
}

// View implements ui.Step.
func (s *Save) View() string { return s.render().String() }

// KeyBinds implements ui.Step.
func (s *Save) KeyBinds() []key.Binding {
	if s.sess == nil {
		return nil
	}
	k := s.sess.Keys
	switch s.phase {
	case saveLoading, saveSaving:
		return nil
	case savePass:
		return []key.Binding{k.Next, k.Reveal, back("esc", "choose another keyring")}
	case saveFailed:
		return []key.Binding{k.UpDown, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")), k.Retry}
	}
	return []key.Binding{k.UpDown, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")), k.Back}
}
