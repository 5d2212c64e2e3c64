package steps

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/store"
	"cxone-auth/ui"
)

// Bounds of the save step's commands. The store bounds each keyring call (30 s by default);
// these only keep the wizard from waiting forever on an adapter that does not.
const (
	backendsTimeout = 10 * time.Second
	saveTimeout     = 45 * time.Second
)

// The save step's words, shared by its screen and its prompt.
var (
	saveIntro = "The secrets go to the keyring; the config file keeps only non-secret details."
	passNew   = fmt.Sprintf("Choose a passphrase of at least %d characters for the new encrypted keyring. You will need it to read the credentials (or set CXONE_KEYRING_PASSPHRASE).", store.MinPassphraseLen)
	passExist = "Enter the passphrase of the existing encrypted keyring."
	// The same, for short windows.
	passNewShort   = fmt.Sprintf("New keyring: choose a passphrase of at least %d characters.", store.MinPassphraseLen)
	passExistShort = "The passphrase of the existing keyring:"
	passTooFew     = fmt.Sprintf("use at least %d characters", store.MinPassphraseLen)
	passWeak       = "not only spaces or one character repeated: use several unrelated words, or a random string from a password manager"
	passDiffer     = "the two passphrases differ"
	passMissing    = "a passphrase is required"
)

type backendsMsg struct {
	list []Backend
	err  error
	// replacing is the stored profile of the draft's name when a new profile's flow would
	// replace it (nil otherwise).
	replacing *ExistingProfile
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
	saveActLeave
)

var saveActLabels = [...]string{"Retry", "Enter the passphrase again", "Choose another keyring", "Leave without saving (run the command again)"}

// Save picks the keyring backend, asks for the encrypted-file passphrase when needed, and
// stores the profile. It is the first step that writes anything. A backend given with
// --keyring-backend is not offered as a choice: it is shown as given; so is the keyring that
// holds a profile being edited (or its key replaced), which is saved back there.
type Save struct {
	sess  *ui.Session
	src   BackendSource
	saver Saver
	cfg   Config
	// profiles lists the stored profiles, to warn before a new profile replaces one (nil: no
	// warning; an edit says "Update" anyway).
	profiles  ProfileSource
	replacing *ExistingProfile

	phase    int
	loading  bool
	backends []Backend
	loadErr  error
	menu     ui.Menu

	group        ui.Group
	pass1, pass2 ui.Field
	passphrase   string

	spin    spinner.Model
	run     int
	err     error
	actions ui.Menu
	acts    []int
}

// NewSave returns the save step.
func NewSave(src BackendSource, saver Saver, cfg Config) *Save {
	s := &Save{
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		src:   src,
		saver: saver,
		cfg:   cfg,
		pass1: ui.NewField("Keyring passphrase", "", true),
		pass2: ui.NewField("Repeat the passphrase", "", true),
	}
	s.group.Add(&s.pass1)
	s.group.AddIf(&s.pass2, func() bool { b, _ := s.selected(); return !b.Exists })
	return s
}

// warnReplacing makes the step warn when the profile it saves replaces a stored one that the
// flow did not start from (a new profile's wizard given a name that is taken).
func (s *Save) warnReplacing(src ProfileSource) *Save {
	s.profiles = src
	return s
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
		return loadBackends(sess.Ctx, s.src, s.profiles, sess.Draft)
	case s.phase == saveSaving:
		return s.tick()
	case s.phase == savePass:
		return s.group.Refocus()
	}
	return nil
}

func (s *Save) tick() tea.Cmd {
	if s.sess.Accessible {
		return nil
	}
	return s.spin.Tick
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

// PinnedLines implements ui.Pinner: which profile is stored.
func (s *Save) PinnedLines() int { return s.render().pinned }

func (s *Save) selected() (Backend, bool) {
	i := s.menu.Selected()
	if i < 0 || i >= len(s.backends) {
		return Backend{}, false
	}
	return s.backends[i], s.backends[i].Available
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
		s.replacing = msg.replacing
		var ok bool
		flag, why := s.fixed()
		if s.menu, ok = backendMenu(s.backends, flag, why); !ok && s.loadErr == nil && len(s.backends) > 0 {
			s.loadErr = errors.New("no keyring backend is available on this machine")
		}
		if s.flagged() {
			return s, s.chosen() // the flag made the only choice
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
		s.acts = s.failureActions(msg.err)
		s.actions = ui.Menu{Focused: true, Plain: true}
		for _, a := range s.acts {
			s.actions.Items = append(s.actions.Items, ui.MenuItem{Label: saveActLabels[a]})
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

// failureActions are what a failed save offers: never the same wrong passphrase again, and
// nothing but leaving when another cxone-auth changed the profile meanwhile (the save is a
// compare and swap against what this run started from, so every retry would be refused too).
func (s *Save) failureActions(err error) []int {
	if errors.Is(err, store.ErrProfileChanged) {
		return []int{saveActLeave}
	}
	b, _ := s.selected()
	askPass := b.NeedsPassphrase && !s.cfg.PassphraseKnown
	var acts []int
	if askPass && (errors.Is(err, store.ErrWrongPassphrase) || errors.Is(err, store.ErrPassphraseTooShort)) {
		acts = []int{saveActPass}
	} else {
		acts = []int{saveActRetry}
		if askPass {
			acts = append(acts, saveActPass)
		}
	}
	if !s.flagged() {
		acts = append(acts, saveActChoose)
	}
	return acts
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + " · " + b
}

// chosen acts on the selected backend: ask for its passphrase, or save.
func (s *Save) chosen() tea.Cmd {
	b, ok := s.selected()
	if !ok {
		return nil
	}
	if b.NeedsPassphrase && !s.cfg.PassphraseKnown {
		s.phase = savePass
		s.pass1.SetValue("")
		s.pass2.SetValue("")
		s.pass1.Error, s.pass2.Error = "", ""
		return s.group.Focus(0)
	}
	s.passphrase = ""
	return s.save()
}

// passError is the passphrase rule for the chosen keyring ("" when the passphrase will do).
func passError(exists bool, p1, p2 string) (field int, msg string) {
	switch {
	case p1 == "":
		return 0, passMissing
	case exists:
		return 0, ""
	case utf8.RuneCountInString(p1) < store.MinPassphraseLen:
		return 0, passTooFew
	case errors.Is(store.CheckNewPassphrase(p1), store.ErrWeakPassphrase):
		return 0, passWeak
	case p1 != p2:
		return 1, passDiffer
	}
	return 0, ""
}

func (s *Save) key(k tea.KeyPressMsg) (ui.Step, tea.Cmd) {
	keys := s.sess.Keys
	switch s.phase {
	case saveLoading, saveSaving:
		return s, nil
	case saveChoose:
		switch {
		case key.Matches(k, keys.Back, keys.PrevField):
			return s, ui.Back
		case key.Matches(k, keys.Next):
			return s, s.chosen()
		}
		s.menu.Update(k, keys)
		return s, nil
	case savePass:
		return s.updatePass(k)
	case saveFailed:
		switch {
		case key.Matches(k, keys.Back):
			if s.flagged() {
				return s, ui.Back
			}
			s.phase = saveChoose
			return s, nil
		case key.Matches(k, keys.Retry) && s.acts[0] == saveActRetry:
			return s, s.save()
		case key.Matches(k, keys.Next):
			switch s.acts[s.actions.Selected()] {
			case saveActRetry:
				return s, s.save()
			case saveActPass:
				return s, s.chosen()
			case saveActLeave:
				return s, ui.Abort
			default:
				s.phase = saveChoose
				return s, nil
			}
		}
		s.actions.Update(k, keys)
	}
	return s, nil
}

func (s *Save) updatePass(msg tea.Msg) (ui.Step, tea.Cmd) {
	b, _ := s.selected()
	cmd, ev := s.group.Update(msg, s.sess.Keys, func(i int) bool {
		if i == 0 && !b.Exists {
			if f, m := passError(false, s.pass1.Value(), s.pass1.Value()); m != "" && f == 0 {
				s.pass1.Error = m
				return false
			}
		}
		return true
	})
	switch ev {
	case ui.GroupBack:
		s.pass1.Blur()
		s.pass2.Blur()
		if s.flagged() {
			return s, ui.Back
		}
		s.phase = saveChoose
		return s, nil
	case ui.GroupSubmit:
		s.pass1.Error, s.pass2.Error = "", ""
		field, m := passError(b.Exists, s.pass1.Value(), s.pass2.Value())
		if m != "" {
			if field == 1 {
				s.pass2.Error = m
				s.pass2.SetValue("")
			} else {
				s.pass1.Error = m
			}
			return s, s.group.Focus(field)
		}
		s.passphrase = s.pass1.Value()
		s.group.HideAll()
		return s, s.save()
	case ui.GroupChanged:
		s.pass1.Error, s.pass2.Error = "", ""
	}
	return s, cmd
}

func (s *Save) request(b Backend) SaveRequest {
	d := s.sess.Draft
	return SaveRequest{Profile: d.Profile, Issuer: d.Issuer, Creds: d.Creds, Result: d.Result, Backend: b.Name, Passphrase: s.passphrase}
}

func saveBounded(ctx context.Context, saver Saver, req SaveRequest) error {
	if saver == nil {
		return errors.New("saving is not available")
	}
	ctx, cancel := context.WithTimeout(ctx, saveTimeout)
	defer cancel()
	return saver.Save(ctx, req)
}

func (s *Save) save() tea.Cmd {
	b, ok := s.selected()
	if !ok {
		return nil
	}
	s.run++
	s.phase, s.err = saveSaving, nil
	req := s.request(b)
	run, saver, ctx := s.run, s.saver, s.sess.Ctx
	do := func() tea.Msg { return savedMsg{run: run, err: saveBounded(ctx, saver, req)} }
	return tea.Batch(s.tick(), do)
}

func (s *Save) render() body { return fitted(s.sess, s.draw) }

func (s *Save) draw(compact bool) body {
	var b body
	if s.sess == nil {
		return b
	}
	st, tw, fw := s.sess.Styles, textWidth(s.sess), fieldWidth(s.sess)
	d := s.sess.Draft
	head := st.Text.Render("Store profile ") + st.Value.Render(d.Profile) + st.Text.Render(" in a keyring.")
	if d.Existing {
		head = st.Text.Render("Update profile ") + st.Value.Render(d.Profile) + st.Text.Render(" in its keyring.")
	}
	if !compact {
		head += st.Text.Render(" " + saveIntro)
	}
	b.add(ui.Wrap(head, tw))
	if s.replacing != nil && !d.Existing {
		b.add(ui.Wrap(st.Warn.Render("! "+replaceText(s.replacing)), tw))
	}
	b.pin()
	if !compact {
		b.gap()
	}
	if s.phase == saveLoading {
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
	sel, _ := s.selected()
	if s.flagged() {
		label := sel.Label
		if label == "" {
			label = sel.Name
		}
		_, why := s.fixed()
		b.add(wrapPairs(st, tw, [2]string{"Keyring", label + " (" + why + ")"}))
	} else if !(compact && s.phase == savePass) {
		b.add(st.Label.Render("Keyring"))
		if s.phase == saveChoose {
			b.focusAt(s.menu.Selected())
		}
		menu := s.menu
		menu.Focused = s.phase == saveChoose
		b.add(menu.View(st, s.sess.BodyWidth()))
		// On a narrow screen the notes are cut: the highlighted keyring's note is shown whole
		// below the list (where the file keyring keeps its files, why a backend is unusual).
		if s.phase == saveChoose && !menu.Fits(s.sess.BodyWidth()) && sel.Note != "" {
			b.gap()
			b.add(ui.Wrap(st.Muted.Render(sel.Label+": "+sel.Note), tw))
		}
	}
	switch s.phase {
	case savePass:
		if !compact || s.flagged() {
			b.gap()
		}
		intro := passNew
		switch {
		case sel.Exists && compact:
			intro = passExistShort
		case sel.Exists:
			intro = passExist
		case compact:
			intro = passNewShort
		}
		b.add(ui.Wrap(st.Muted.Render(intro), tw))
		if !compact {
			b.gap()
		}
		if s.group.Index() == 0 {
			b.focus()
		}
		b.add(s.pass1.View(st, fw))
		if !sel.Exists {
			b.gap()
			if s.group.Index() == 1 {
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
		b.focusAt(s.actions.Selected())
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
		back := "choose another keyring"
		if s.flagged() {
			back = "back"
		}
		return []key.Binding{k.Next, k.Reveal, binding("esc", back)}
	case saveFailed:
		b := []key.Binding{k.UpDown, binding("enter", "choose")}
		if s.acts[0] == saveActRetry {
			b = append(b, k.Retry)
		}
		return b
	}
	return []key.Binding{k.UpDown, binding("enter", "save"), k.Back}
}

// Prompt implements ui.Step: the keyring, its passphrase, and the save.
func (s *Save) Prompt(sess *ui.Session, p *ui.Prompter) (tea.Msg, error) {
	s.sess = sess
	d := sess.Draft
	list, err := listBackends(s.src)
	if err != nil {
		return nil, err
	}
	s.backends = list
	flag, why := s.fixed()
	menu, ok := backendMenu(list, flag, why)
	if !ok {
		return nil, errors.New("no keyring backend is available on this machine")
	}
	s.menu = menu
	p.Say("Store profile %s in a keyring. %s", d.Profile, saveIntro)
	if !d.Existing {
		if s.replacing = findReplaced(sess.Ctx, s.profiles, d.Profile); s.replacing != nil {
			p.Say("Warning: %s", replaceText(s.replacing))
		}
	}
	if s.flagged() {
		b, _ := s.selected()
		p.Say("Keyring: %s (%s).", b.Label, why)
	}
	for {
		if !s.flagged() {
			var avail []int
			var opts []string
			def := 0
			for i, it := range s.menu.Items {
				if it.Disabled {
					p.Say("Not available: %s (%s)", it.Label, list[i].Note)
					continue
				}
				if i == s.menu.Selected() {
					def = len(avail)
				}
				avail = append(avail, i)
				opts = append(opts, it.Label+", "+it.Note)
			}
			i, err := p.Choose("Store it in which keyring?", opts, def)
			if err != nil {
				return nil, err
			}
			s.menu.Select(avail[i])
		}
		b, _ := s.selected()
		s.passphrase = ""
		if b.NeedsPassphrase && !s.cfg.PassphraseKnown {
			if s.passphrase, err = promptPassphrase(p, b.Exists); err != nil {
				return nil, err
			}
		}
		p.Say("Saving…")
		err := saveBounded(sess.Ctx, s.saver, s.request(b))
		if err == nil {
			d.Backend, d.BackendLabel, d.Saved = b.Name, b.Label, true
			return ui.NextMsg{}, nil
		}
		p.Say("Error: could not save: %s", errorText(err))
		acts := s.failureActions(err)
		if len(acts) == 1 && acts[0] == saveActLeave { // as on the screen: nothing else to choose
			p.Say("%s.", saveActLabels[saveActLeave])
			return ui.AbortMsg{}, nil
		}
		labels := make([]string, len(acts))
		for i, a := range acts {
			labels[i] = saveActLabels[a]
		}
		if _, quit, err := whatNow(p, labels); err != nil || quit {
			return ui.AbortMsg{}, err
		}
	}
}

// promptPassphrase asks for the encrypted keyring's passphrase as line prompts, with the
// screen's rules.
func promptPassphrase(p *ui.Prompter, exists bool) (string, error) {
	intro := passNew
	if exists {
		intro = passExist
	}
	p.Say("%s", intro)
	for {
		p1, err := p.Secret("Keyring passphrase", false)
		if err != nil {
			return "", err
		}
		p2 := p1
		if !exists && p1 != "" && store.CheckNewPassphrase(p1) == nil {
			if p2, err = p.Secret("Repeat the passphrase", false); err != nil {
				return "", err
			}
		}
		if _, m := passError(exists, p1, p2); m != "" {
			p.Say("Error: %s.", m)
			continue
		}
		return p1, nil
	}
}
