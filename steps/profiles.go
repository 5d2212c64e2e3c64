package steps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"cxone-auth/auth"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// profilesTimeoutAction bounds the screen's keyring and file actions (make default, remove,
// export, reading a profile for an edit); the store bounds each keyring call as well.
const profilesTimeoutAction = 45 * time.Second

// The profiles screen's modes.
const (
	profList    = iota
	profDetails // the panel of the selected profile
	profExport  // the export form
	profReplace // the export file exists: replace it?
	profRemove  // remove the selected profile?
)

// profilesKeysText lists the screen's keys under the rows, when there is room; a key and
// what it does are never split across two lines.
var profilesKeysText = strings.Join(func() []string {
	items := []string{"enter details", "n new profile", "e edit", "k new access key", "c check again", "d make default", "x export", "del remove", "q quit"}
	for i, it := range items {
		items[i] = strings.ReplaceAll(it, " ", "\u00a0")
	}
	return items
}(), " · ")

// Messages of the profiles screen's commands. They implement ui.HomeMsg: the engine delivers
// them to the screen even while a flow it started runs.
type (
	listedMsg struct {
		list []StoredProfile
		err  error
	}
	// checksMsg carries the results of one run of checks that came in since the last such
	// message: when many come at once, the screen takes them in one update and one frame.
	checksMsg struct {
		run     int
		results []ProfileCheck
		next    tea.Cmd // waits for the run's next results; nil once they all came
	}
	secretMsg struct {
		rotate bool
		from   string // the edit's first step
		sec    StoredSecret
		err    error
	}
	actionMsg struct {
		note string
		err  error
	}
	exportedMsg struct {
		req ExportRequest
		res ExportResult
		err error
	}
)

func (listedMsg) HomeMsg()   {}
func (checksMsg) HomeMsg()   {}
func (secretMsg) HomeMsg()   {}
func (actionMsg) HomeMsg()   {}
func (exportedMsg) HomeMsg() {}

// profileRow is a stored profile as the screen shows it: what the config says, and what this
// run's live check found.
type profileRow struct {
	StoredProfile
	checking bool
	run      int      // the check whose result the row waits for
	err      error    // this run's failed check, for the advice
	warnings []string // this run's successful check's warnings
}

// failed reports whether the row's last check in this run failed.
func (r *profileRow) failed() bool { return r.err != nil }

// Profiles is the profiles screen, the home of `cxone-auth` on a terminal: one row a stored
// profile (name, default mark, tenant, business unit, user, status with its age), every
// profile checked live on opening with a spinner per row and the results recorded in the
// config as `check --all` records them. From it a person opens a profile's details (with the
// advice when its check failed), starts the wizard for a new profile, edits a profile, replaces
// its access key, checks it again, makes it the default, exports it to a file or removes it.
// The wizard's flows run inside the same program and come back here when they end.
type Profiles struct {
	sess *ui.Session
	deps Deps
	cfg  Config
	mgr  ProfileManager
	now  func() time.Time // the clock of the ages; tests pin it

	rows    []*profileRow
	cursor  int
	want    string // the profile the cursor goes to once the list is read again
	loading bool
	loaded  bool
	pre     *listedMsg // the list read before the program started (preload)
	loadErr string
	checked bool // the checks of the opening were started
	stale   bool // the list changed (a flow or an action ended); read it again
	run     int  // the last check started

	mode    int
	note    string // outcome of the last action
	noteBad bool
	busy    string // an action under way ("Reading profile prod…")

	spin spinner.Model

	frame    *body // the last layout (render), nil once the state changed
	frameKey frameKey

	exName   string
	exGroup  ui.Group
	exFormat ui.Menu
	exPath   ui.Field
	exReq    ExportRequest // the export waiting for the replace confirmation
}

// NewProfiles returns the profiles screen; deps.Manager must be set.
func NewProfiles(deps Deps, cfg Config) *Profiles {
	p := &Profiles{deps: deps, cfg: cfg, mgr: deps.Manager, now: time.Now,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	p.exFormat = ui.Menu{}
	for _, f := range store.Formats {
		p.exFormat.Items = append(p.exFormat.Items, ui.MenuItem{Label: f.Name, Note: f.Note})
	}
	p.exPath = ui.NewField("File", "path of the file to write", false)
	p.exGroup.Add(&p.exFormat)
	p.exGroup.Add(&p.exPath)
	return p
}

// ID implements ui.Step.
func (p *Profiles) ID() string { return IDProfiles }

// Title implements ui.Step.
func (p *Profiles) Title() string { return "Profiles" }

// Enter implements ui.Step: the first time it lists the profiles (the checks start once they
// are listed); coming back from a flow it resumes the spinners of checks still running.
func (p *Profiles) Enter(s *ui.Session) tea.Cmd {
	p.sess, p.frame = s, nil
	p.Restyle(s.Styles)
	if p.pre != nil {
		msg := *p.pre
		p.pre = nil
		_, cmd := p.Update(msg)
		return cmd
	}
	if !p.loaded && !p.loading {
		p.loading = true
		return p.listCmd()
	}
	if p.anyChecking() {
		return p.tick()
	}
	return nil
}

// Restyle implements ui.Restyler.
func (p *Profiles) Restyle(st *ui.Styles) {
	p.frame = nil
	p.spin.Style = st.Spinner
	p.exPath.SetStyles(st)
}

// CapturingText implements ui.TextCapturer: the export form's path takes printable keys.
func (p *Profiles) CapturingText() bool {
	return p.mode == profExport && p.exGroup.Current() == &p.exPath
}

func (p *Profiles) tick() tea.Cmd {
	if p.sess == nil || p.sess.Accessible {
		return nil
	}
	return p.spin.Tick
}

func (p *Profiles) anyChecking() bool {
	for _, r := range p.rows {
		if r.checking {
			return true
		}
	}
	return false
}

func (p *Profiles) selected() *profileRow {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return nil
	}
	return p.rows[p.cursor]
}

func (p *Profiles) row(name string) *profileRow {
	for _, r := range p.rows {
		if r.View.Name == name {
			return r
		}
	}
	return nil
}

// bounded runs fn with the action bound.
func bounded[T any](ctx context.Context, fn func(context.Context) T) T {
	ctx, cancel := context.WithTimeout(ctx, profilesTimeoutAction)
	defer cancel()
	return fn(ctx)
}

func (p *Profiles) listCmd() tea.Cmd {
	mgr, ctx := p.mgr, p.sess.Ctx
	return func() tea.Msg { return readList(ctx, mgr) }
}

func readList(ctx context.Context, mgr ProfileManager) listedMsg {
	if mgr == nil {
		return listedMsg{err: errors.New("the profiles cannot be listed here")}
	}
	return bounded(ctx, func(ctx context.Context) listedMsg {
		list, err := mgr.List(ctx)
		return listedMsg{list: list, err: err}
	})
}

// preload reads the list before the program starts. It comes from the config (no keyring, no
// network, a millisecond), and the screen's first frame then shows the rows, with the checks
// started at once, instead of a "Reading the profiles…" frame and the rows one frame later.
func (p *Profiles) preload(ctx context.Context) {
	msg := readList(ctx, p.mgr)
	p.pre = &msg
}

// checkRows checks rows live, all at once, in one run of the manager's CheckEach (which
// records the results). The results come back as checksMsg, each with whatever came in since
// the last: with many profiles, results arriving together cost one update and one frame, not
// one each.
func (p *Profiles) checkRows(rows []*profileRow) tea.Cmd {
	if len(rows) == 0 {
		return nil
	}
	p.run++
	run, mgr, ctx := p.run, p.mgr, p.sess.Ctx
	names := make([]string, len(rows))
	for i, r := range rows {
		r.checking, r.run = true, run
		names[i] = r.View.Name
	}
	results := make(chan ProfileCheck, len(names))
	next := nextChecks(run, results)
	return func() tea.Msg {
		go func() {
			defer close(results)
			ctx, cancel := context.WithTimeout(ctx, checkTimeout)
			defer cancel()
			mgr.CheckEach(ctx, names, func(res ProfileCheck) { results <- res })
		}()
		return next()
	}
}

// nextChecks waits for the next results of run: the first one and any others already there.
func nextChecks(run int, results <-chan ProfileCheck) tea.Cmd {
	return func() tea.Msg {
		res, ok := <-results
		if !ok {
			return nil
		}
		msg := checksMsg{run: run, results: []ProfileCheck{res}}
		for {
			select {
			case res, ok := <-results:
				if !ok {
					return msg
				}
				msg.results = append(msg.results, res)
			default:
				msg.next = nextChecks(run, results)
				return msg
			}
		}
	}
}

// firstFrameWait is one frame of Bubble Tea's renderer, which draws at most 60 frames a
// second on its own ticker. The checks of the opening start that much after the screen: their
// keyring decryptions take every core at once, and started with it they held the first frame
// back by a sixth (8 ms over 20 profiles). The rows show "checking…" meanwhile.
const firstFrameWait = time.Second / 60

// afterFirstFrame runs cmd once the first frame has been drawn.
func afterFirstFrame(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return tea.Tick(firstFrameWait, func(time.Time) tea.Msg { return tea.BatchMsg{cmd} })
}

// checkAll checks every profile at once.
func (p *Profiles) checkAll() tea.Cmd {
	cmd := p.checkRows(p.rows)
	if cmd == nil {
		return nil
	}
	return tea.Batch(cmd, p.tick())
}

// applyList replaces the rows with the config's list, keeping what this run learnt of the
// profiles that are still there, and the cursor on the same profile.
func (p *Profiles) applyList(list []StoredProfile) {
	cur := ""
	if r := p.selected(); r != nil {
		cur = r.View.Name
	}
	old := map[string]*profileRow{}
	for _, r := range p.rows {
		old[r.View.Name] = r
	}
	p.rows = p.rows[:0]
	for _, sp := range list {
		r := &profileRow{StoredProfile: sp}
		if o, ok := old[sp.View.Name]; ok {
			r.checking, r.run, r.err, r.warnings = o.checking, o.run, o.err, o.warnings
		}
		p.rows = append(p.rows, r)
	}
	if p.want != "" {
		cur, p.want = p.want, ""
	}
	p.cursor = min(p.cursor, max(0, len(p.rows)-1))
	for i, r := range p.rows {
		if r.View.Name == cur {
			p.cursor = i
		}
	}
}

// applyCheck shows a finished check in its row. A failed check keeps the stored view (tenant,
// business unit and user are the last ones known).
func (r *profileRow) applyCheck(res ProfileCheck) {
	r.checking = false
	r.Status, r.LastCheckAt, r.ErrorKind = res.Status, res.CheckedAt, ""
	r.err, r.warnings = res.Err, res.Warnings
	if res.Err != nil {
		r.ErrorKind = string(auth.KindOf(res.Err))
		if res.Status == "" {
			r.Status = store.StatusError
		}
		return
	}
	if res.Status == store.StatusValid && res.View.Name != "" {
		r.View = res.View
	}
}

func (p *Profiles) setNote(s string, bad bool) { p.note, p.noteBad = s, bad }

// cursorToDefault puts the cursor on the default profile, where the screen opens.
func (p *Profiles) cursorToDefault() {
	for i, r := range p.rows {
		if r.Default {
			p.cursor = i
		}
	}
}

// Update implements ui.Step.
func (p *Profiles) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	p.frame = nil
	if p.sess == nil {
		return p, nil
	}
	switch msg := msg.(type) {
	case listedMsg:
		p.loading, p.loaded, p.stale = false, true, false
		p.loadErr = ""
		if msg.err != nil {
			p.loadErr = "Could not list the profiles: " + errorText(msg.err)
			return p, nil
		}
		p.applyList(msg.list)
		if !p.checked {
			p.checked = true
			p.cursorToDefault()
			return p, afterFirstFrame(p.checkAll())
		}
		return p, nil
	case checksMsg:
		for _, res := range msg.results {
			if r := p.row(res.Name); r != nil && r.run == msg.run {
				r.applyCheck(res)
			}
		}
		return p, msg.next
	case spinner.TickMsg:
		if !p.anyChecking() {
			return p, nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return p, cmd
	case secretMsg:
		p.busy = ""
		if msg.err != nil {
			p.setNote("Could not read profile "+msg.sec.Name+": "+errorText(msg.err), true)
			return p, nil
		}
		return p, p.startFlow(msg)
	case actionMsg:
		p.busy = ""
		p.mode, p.stale = profList, true
		if msg.err != nil {
			p.setNote(errorText(msg.err), true)
		} else {
			p.setNote(msg.note, false)
		}
		return p, p.listCmd()
	case exportedMsg:
		return p.exported(msg)
	case ui.FlowEndedMsg:
		return p, p.flowEnded(msg)
	case tea.KeyPressMsg:
		return p.key(msg)
	case tea.PasteMsg:
		if p.mode == profExport {
			cmd, _ := p.exGroup.Update(msg, p.sess.Keys, nil)
			return p, cmd
		}
	}
	return p, nil
}

// flowEnded takes the screen back after a flow: what it saved is said, its row forgets the
// failure (and any check still running on the old values), and the list is read again.
func (p *Profiles) flowEnded(msg ui.FlowEndedMsg) tea.Cmd {
	p.mode, p.stale = profList, true
	d := msg.Draft
	if d == nil || !d.Saved {
		p.setNote("", false)
		return p.listCmd()
	}
	r := RecordOf(d)
	note := "✓ " + r.Headline
	for _, n := range r.Notes {
		note += " " + n
	}
	p.setNote(note, false)
	if row := p.row(d.Profile); row != nil {
		p.run++
		row.checking, row.run, row.err, row.warnings = false, p.run, nil, nil
	}
	p.want = d.Profile // a new profile is not a row yet
	return p.listCmd()
}

// startFlow starts the edit or rotation of the profile just read from the keyring.
func (p *Profiles) startFlow(msg secretMsg) tea.Cmd {
	var fl Flow
	if msg.rotate {
		fl = RotateFlow(p.deps, p.cfg, msg.sec)
	} else {
		var refused error
		if r := p.row(msg.sec.Name); r != nil {
			refused = r.err
		}
		fl = EditFlow(p.deps, p.cfg, msg.sec, msg.from, refused)
	}
	return ui.StartFlow(fl.Steps, fl.Draft)
}

// readCmd reads the selected profile from the keyring for an edit (from: its first step) or a
// rotation. The keyring was unlocked before the screen opened: nothing is asked here.
func (p *Profiles) readCmd(r *profileRow, rotate bool, from string) tea.Cmd {
	name, mgr, ctx := r.View.Name, p.mgr, p.sess.Ctx
	p.busy = "Reading profile " + name + " from the keyring…"
	return func() tea.Msg {
		return bounded(ctx, func(ctx context.Context) secretMsg {
			sec, err := mgr.Load(ctx, name)
			if sec.Name == "" {
				sec.Name = name
			}
			return secretMsg{rotate: rotate, from: from, sec: sec, err: err}
		})
	}
}

// fixFrom is the step an edit starts on to fix what the row's failed check points at.
func fixFrom(r *profileRow) string {
	if r == nil || !r.failed() {
		return ""
	}
	switch auth.AdviceFor(auth.KindOf(r.err)).Target {
	case auth.TargetClient:
		return IDClient
	case auth.TargetAccessKey:
		return IDAccessKey
	}
	return ""
}

// newName is a profile name that is not taken yet, to pre-fill the new profile's wizard.
func (p *Profiles) newName() string {
	for i := 1; ; i++ {
		name := "default"
		if i > 1 {
			name = fmt.Sprintf("profile-%d", i)
		}
		if p.row(name) == nil {
			return name
		}
	}
}

// Bindings of the profiles screen.
var (
	profDetailsKey = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details"))
	profNewKey     = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new"))
	profEditKey    = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit"))
	profRotateKey  = key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "new access key"))
	profCheckKey   = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check again"))
	profDefaultKey = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "make default"))
	profExportKey  = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export"))
	profRemoveKey  = key.NewBinding(key.WithKeys("delete", "backspace"), key.WithHelp("del", "remove"))
	profQuitKey    = key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit"))
	profCloseKey   = key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "back"))
	// The arrows only: k is the new access key here, not the wizard's vim-style up.
	profUpKey   = key.NewBinding(key.WithKeys("up"))
	profDownKey = key.NewBinding(key.WithKeys("down"))
)

func (p *Profiles) key(k tea.KeyPressMsg) (ui.Step, tea.Cmd) {
	keys := p.sess.Keys
	switch p.mode {
	case profExport:
		return p.exportKey(k)
	case profReplace:
		if key.Matches(k, keys.Yes) {
			req := p.exReq
			req.Force = true
			return p, p.exportCmd(req)
		}
		p.mode = profExport
		p.exPath.Error = "not replaced: choose another file, or confirm with y"
		return p, p.exGroup.Refocus()
	case profRemove:
		r := p.selected()
		p.mode = profList
		if key.Matches(k, keys.Yes) && r != nil {
			return p, p.removeCmd(r.View.Name)
		}
		p.setNote("Nothing removed.", false)
		return p, nil
	}
	if p.busy != "" {
		return p, nil
	}
	r := p.selected()
	switch {
	case key.Matches(k, profQuitKey):
		return p, ui.Finish
	case key.Matches(k, profUpKey):
		p.cursor = max(0, p.cursor-1)
		return p, nil
	case key.Matches(k, profDownKey):
		p.cursor = min(max(0, len(p.rows)-1), p.cursor+1)
		return p, nil
	case key.Matches(k, profNewKey):
		cfg := p.cfg
		cfg.Profile = p.newName()
		p.setNote("", false)
		return p, ui.StartFlow(NewProfileFlow(p.deps, cfg).Steps, nil)
	case p.mode == profDetails && key.Matches(k, profCloseKey):
		p.mode = profList
		return p, nil
	}
	if r == nil {
		return p, nil
	}
	switch {
	case key.Matches(k, profDetailsKey):
		p.mode = profDetails
	case key.Matches(k, profEditKey):
		from := ""
		if p.mode == profDetails {
			from = fixFrom(r) // from the advice: straight to the value that is wrong
		}
		p.setNote("", false)
		return p, p.readCmd(r, false, from)
	case key.Matches(k, profRotateKey):
		p.setNote("", false)
		return p, p.readCmd(r, true, "")
	case key.Matches(k, profCheckKey):
		if r.checking {
			return p, nil
		}
		return p, tea.Batch(p.checkRows([]*profileRow{r}), p.tick())
	case key.Matches(k, profDefaultKey):
		return p, p.defaultCmd(r.View.Name)
	case key.Matches(k, profExportKey):
		p.openExport(r.View.Name)
		return p, p.exGroup.Focus(0)
	case key.Matches(k, profRemoveKey):
		p.setNote("", false)
		p.mode = profRemove
	}
	return p, nil
}

func (p *Profiles) defaultCmd(name string) tea.Cmd {
	mgr, ctx := p.mgr, p.sess.Ctx
	p.busy = "Making " + name + " the default…"
	return func() tea.Msg {
		return bounded(ctx, func(ctx context.Context) actionMsg {
			if err := mgr.SetDefault(ctx, name); err != nil {
				return actionMsg{err: err}
			}
			return actionMsg{note: fmt.Sprintf("✓ Profile %q is now the default.", name)}
		})
	}
}

func (p *Profiles) removeCmd(name string) tea.Cmd {
	mgr, ctx := p.mgr, p.sess.Ctx
	p.busy = "Removing " + name + "…"
	return func() tea.Msg {
		return bounded(ctx, func(ctx context.Context) actionMsg {
			if err := mgr.Remove(ctx, name); err != nil {
				return actionMsg{err: err}
			}
			return actionMsg{note: fmt.Sprintf("✓ Removed profile %q and its stored credentials.", name)}
		})
	}
}

// exportPath is the default file of an export: the profile's name with the format's
// extension, in the current folder (never a project's .env by surprise).
func exportPath(name string, format int) string { return name + store.Formats[format].Ext }

func (p *Profiles) openExport(name string) {
	p.setNote("", false)
	p.mode, p.exName = profExport, name
	p.exFormat.Select(0)
	p.exPath.SetValue(exportPath(name, 0))
	p.exPath.Error, p.exPath.Warning = "", ""
}

func (p *Profiles) exportKey(k tea.KeyPressMsg) (ui.Step, tea.Cmd) {
	before := p.exFormat.Selected()
	cmd, ev := p.exGroup.Update(k, p.sess.Keys, func(i int) bool {
		if p.exGroup.Current() == &p.exPath && strings.TrimSpace(p.exPath.Value()) == "" {
			p.exPath.Error = "enter the path of the file to write"
			return false
		}
		return true
	})
	if after := p.exFormat.Selected(); after != before && p.exPath.Value() == exportPath(p.exName, before) {
		// The default path follows the format until the person types another.
		p.exPath.SetValue(exportPath(p.exName, after))
	}
	switch ev {
	case ui.GroupBack:
		p.mode = profList
		p.exGroup.BlurAll()
		return p, nil
	case ui.GroupSubmit:
		req := ExportRequest{Profile: p.exName, Format: store.Formats[p.exFormat.Selected()].Name, Path: strings.TrimSpace(p.exPath.Value())}
		return p, p.exportCmd(req)
	case ui.GroupChanged:
		p.exPath.Error = ""
	}
	return p, cmd
}

func (p *Profiles) exportCmd(req ExportRequest) tea.Cmd {
	mgr, ctx := p.mgr, p.sess.Ctx
	p.busy = "Writing " + req.Path + "…"
	p.exGroup.BlurAll()
	return func() tea.Msg {
		return bounded(ctx, func(ctx context.Context) exportedMsg {
			res, err := mgr.Export(ctx, req)
			return exportedMsg{req: req, res: res, err: err}
		})
	}
}

func (p *Profiles) exported(msg exportedMsg) (ui.Step, tea.Cmd) {
	p.busy = ""
	switch {
	case errors.Is(msg.err, fs.ErrExist) && !msg.req.Force:
		p.mode, p.exReq = profReplace, msg.req
		return p, nil
	case msg.err != nil:
		p.mode = profExport
		p.exPath.Error = errorText(msg.err)
		return p, p.exGroup.Focus(1)
	}
	p.mode = profList
	note := fmt.Sprintf("✓ Wrote profile %q to %s (mode 0600).", msg.req.Profile, auth.Sanitize(msg.res.Path))
	if msg.res.GitWarning {
		note += " It is inside a git work tree and not ignored: add it to .gitignore so the secrets are never committed."
	}
	p.setNote(note, false)
	return p, nil
}

// statusText is a row's status: an icon and words, long ("rejected (invalid_grant) · 5m
// ago") or short ("rejected · 5m ago").
func (p *Profiles) statusText(r *profileRow, long bool) (icon, text string) {
	st := p.sess.Styles
	if r.checking {
		icon = st.Spinner.Render("…")
		if !p.sess.Accessible {
			icon = p.spin.View()
		}
		return icon, "checking…"
	}
	age := store.Age(r.LastCheckAt, p.now())
	kind := ""
	if long && r.ErrorKind != "" {
		kind = " (" + auth.Sanitize(r.ErrorKind) + ")"
	}
	switch r.Status {
	case store.StatusValid:
		return st.OK.Render("✓"), "valid · " + age
	case store.StatusRejected:
		return st.Error.Render("✗"), "rejected" + kind + " · " + age
	case store.StatusMissing:
		return st.Error.Render("✗"), "missing from the keyring · " + age
	case store.StatusUnreachable:
		return st.Warn.Render("!"), "unreachable" + kind + " · " + age
	case store.StatusError:
		return st.Warn.Render("!"), "error" + kind + " · " + age
	case "":
		return st.Muted.Render("·"), "never checked"
	}
	return st.Warn.Render("?"), auth.Sanitize(r.Status) + " · " + age
}

func dashIf(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// table lays the rows out in width cells: a header and one line a row. Columns are dropped
// from the right (user, business unit, tenant) and the status shortened until the rows fit;
// the name and the status always show.
func (p *Profiles) table(width int) (head string, rows []string, starred bool) {
	st := p.sess.Styles
	type column struct {
		title string
		cells []string
		star  bool // the default profile is marked "*", explained under the rows
	}
	name := func(star bool) column {
		c := column{title: "PROFILE", star: star}
		for _, r := range p.rows {
			n := r.View.Name
			switch {
			case r.Default && star:
				n += "*"
			case r.Default:
				n += " (default)"
			}
			c.cells = append(c.cells, n)
		}
		return c
	}
	col := func(title string, f func(v store.View) string) column {
		c := column{title: title}
		for _, r := range p.rows {
			c.cells = append(c.cells, dashIf(f(r.View)))
		}
		return c
	}
	tenant := col("TENANT", store.View.TenantText)
	bu := col("BUSINESS UNIT", store.View.BusinessUnitText)
	user := col("USER", func(v store.View) string { return v.User })
	statusWidth := func(long bool) int {
		w := len("STATUS")
		for _, r := range p.rows {
			_, t := p.statusText(r, long)
			w = max(w, 2+lipgloss.Width(t))
		}
		return w
	}
	colWidth := func(c column) int {
		w := lipgloss.Width(c.title)
		for _, s := range c.cells {
			w = max(w, lipgloss.Width(s))
		}
		return w
	}
	type candidate struct {
		cols []column
		long bool
		flex int // how many columns, from the right, may be cut down to minFlex cells
	}
	// In order of preference: every column, the default marked "(default)" then "*", the
	// user's column cut down first, then the business unit's and the tenant's; then the user,
	// the business unit, the tenant dropped.
	const minFlex = 10
	all := func(star bool) []column { return []column{name(star), tenant, bu, user} }
	cands := []candidate{
		{all(false), true, 1},
		{all(false), false, 1},
		{all(true), false, 1},
		{all(true), false, 3},
		{[]column{name(false), tenant, bu}, false, 0},
		{[]column{name(true), tenant, bu}, false, 0},
		{[]column{name(false), tenant}, false, 1},
		{[]column{name(true), tenant}, false, 1},
		{[]column{name(false)}, true, 0},
		{[]column{name(false)}, false, 0},
		{[]column{name(true)}, false, 0},
	}
	pick := cands[len(cands)-1]
	var widths []int
	for _, c := range cands {
		ws := make([]int, len(c.cols))
		used := 2 + statusWidth(c.long)
		for i, cl := range c.cols {
			ws[i] = colWidth(cl)
			used += ws[i] + 2
		}
		for i := len(ws) - 1; i >= max(1, len(ws)-c.flex) && used > width; i-- {
			cut := min(used-width, max(0, ws[i]-minFlex))
			ws[i] -= cut
			used -= cut
		}
		if used <= width {
			pick, widths = c, ws
			break
		}
	}
	if widths == nil {
		widths = []int{colWidth(pick.cols[0])}
		if w := 2 + widths[0] + 2 + statusWidth(pick.long); w > width {
			widths[0] = max(4, widths[0]-(w-width)) // a very long name is cut, the status is not
		}
	}
	cell := func(s string, w int) string {
		s = ansi.Truncate(s, w, "…")
		return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
	}
	var hb strings.Builder
	hb.WriteString("  ")
	for i, c := range pick.cols {
		hb.WriteString(cell(c.title, widths[i]) + "  ")
	}
	hb.WriteString("STATUS")
	lines := make([]string, 0, len(p.rows))
	for ri, r := range p.rows {
		sel := ri == p.cursor && p.mode != profDetails
		var b strings.Builder
		for i, c := range pick.cols {
			b.WriteString(cell(c.cells[ri], widths[i]) + "  ")
		}
		icon, text := p.statusText(r, pick.long)
		pointer, style := "  ", st.Text
		if sel {
			pointer, style = st.Selected.Render("> "), st.Selected
		}
		lines = append(lines, ansi.Truncate(pointer+style.Render(b.String())+icon+" "+style.Render(text), width, "…"))
	}
	starred = pick.cols[0].star
	return st.Muted.Render(ansi.Truncate(hb.String(), width, "…")), lines, starred
}

// FocusLine implements ui.Focuser.
func (p *Profiles) FocusLine() int { return p.render().focusLine }

// PinnedLines implements ui.Pinner: the column header stays while the rows scroll.
func (p *Profiles) PinnedLines() int { return p.render().pinned }

// render lays the screen out once for each state: the engine asks for the view, the focus
// line and the pinned lines after every message, and with 100 rows each layout took over a
// millisecond, three times a message while the results came in.
func (p *Profiles) render() body {
	key := frameKey{}
	if p.sess != nil {
		key = frameKey{p.sess.Width, p.sess.Height, p.sess.Styles, p.now().Truncate(time.Second)}
	}
	if p.frame != nil && p.frameKey == key {
		return *p.frame
	}
	b := fitted(p.sess, p.draw)
	p.frame, p.frameKey = &b, key
	return b
}

// frameKey is what a layout depends on besides the screen's own state, which only changes in
// Enter, Restyle and Update (they drop the layout).
type frameKey struct {
	w, h   int
	styles *ui.Styles
	now    time.Time // the ages in the rows
}

func (p *Profiles) draw(compact bool) body {
	var b body
	if p.sess == nil {
		return b
	}
	st, tw := p.sess.Styles, textWidth(p.sess)
	switch {
	case !p.loaded:
		b.add(st.Muted.Render("Reading the profiles…"))
		return b
	case p.loadErr != "":
		b.add(ui.Wrap(st.Error.Render("✗ "+p.loadErr), tw))
		return b
	case len(p.rows) == 0:
		b.add(ui.Wrap(st.Text.Render("No profiles are stored. Press n to set one up."), tw))
		p.addNote(&b)
		return b
	}
	switch p.mode {
	case profDetails:
		p.details(&b, compact)
	case profExport, profReplace:
		p.exportForm(&b)
	default:
		head, lines, starred := p.table(p.sess.BodyWidth())
		b.add(head)
		b.pin()
		for i, l := range lines {
			if i == p.cursor {
				b.focus()
			}
			b.add(l)
		}
		if starred {
			b.add(st.Muted.Render("  * default profile"))
		}
		if !compact && p.mode == profList {
			// The help line is cut at 80 columns; the screen's own keys are worth a line.
			b.gap()
			b.add(strings.ReplaceAll(ui.Wrap(st.Muted.Render(profilesKeysText), tw), "\u00a0", " "))
		}
		if p.mode == profRemove {
			if r := p.selected(); r != nil {
				b.gap()
				b.focus()
				b.add(ui.Wrap(st.Confirm.Render(fmt.Sprintf("Remove profile %q and its stored credentials? y/N", r.View.Name)), tw))
			}
		}
	}
	p.addNote(&b)
	return b
}

func (p *Profiles) addNote(b *body) {
	st, tw := p.sess.Styles, textWidth(p.sess)
	switch {
	case p.busy != "":
		b.gap()
		b.add(ui.Wrap(st.Muted.Render(p.busy), tw))
	case p.note != "":
		b.gap()
		style := st.Text
		if p.noteBad {
			style = st.Error
		}
		b.add(ui.Wrap(style.Render(p.note), tw))
	}
}

// detailPairs is what the details panel lists of a profile.
func (p *Profiles) detailPairs(r *profileRow) [][2]string {
	v := r.View
	_, status := p.statusText(r, true)
	return [][2]string{
		{"Issuer", store.Or(v.Issuer)},
		{"Client ID", store.Or(v.ClientID)},
		{"Access Key ID", store.Or(v.AccessKeyID)},
		{"User", store.Or(v.User)},
		{"Tenant", store.Or(v.TenantText())},
		{"Business unit", store.Or(v.BusinessUnitText())},
		{"API endpoint", store.Or(v.APIEndpoint)},
		{"Keyring", store.Or(auth.Sanitize(r.Backend))},
		{"Last check", status},
	}
}

// fixText says which keys fix what a failed check points at.
func fixText(target auth.Target) string {
	switch target {
	case auth.TargetClient:
		return "Press e to enter the Client ID and Client Secret again."
	case auth.TargetAccessKey:
		return "Press e to enter the access key again, or k to replace it with a new one."
	case auth.TargetIssuer:
		return "Press e to change the environment or the issuer."
	case auth.TargetNone:
		return "Press c to check again."
	case auth.TargetProfile:
		return "Press del to remove the entry, or n to set the profile up again."
	}
	return ""
}

// details adds the panel of the selected profile. Unless compact, the advice of a failed
// check is a box with the cause, the fix and the error itself; the error goes first when
// the box would not fit the window.
func (p *Profiles) details(b *body, compact bool) {
	if !compact {
		full := *b
		full.parts = append([]string(nil), b.parts...)
		p.detailsIn(&full, false, true)
		if full.lines <= p.sess.BodyHeight() {
			*b = full
			return
		}
	}
	p.detailsIn(b, compact, false)
}

func (p *Profiles) detailsIn(b *body, compact, rawErr bool) {
	r := p.selected()
	if r == nil {
		return
	}
	st, tw := p.sess.Styles, textWidth(p.sess)
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
		if compact {
			b.add(ui.Wrap(st.Error.Render("✗ "+a.Title), tw))
		} else {
			lines := []string{a.Cause}
			if a.Fix != "" {
				lines = append(lines, a.Fix)
			}
			if rawErr {
				lines = append(lines, "", st.Muted.Render(errorText(r.err)))
			}
			b.add(ui.ErrorBox(st, min(tw, 80), "✗ "+a.Title, lines...))
		}
		if f := fixText(a.Target); f != "" {
			b.add(ui.Wrap(st.Text.Render(f), tw))
		}
		b.gap()
	}
	b.add(ui.KV(st, tw, p.detailPairs(r)...))
	for _, w := range r.warnings {
		b.add(ui.Wrap(st.Warn.Render("! "+auth.Sanitize(w)), tw))
	}
}

func (p *Profiles) exportForm(b *body) {
	st, tw, fw := p.sess.Styles, textWidth(p.sess), fieldWidth(p.sess)
	b.add(ui.Wrap(st.Text.Render("Export profile ")+st.Value.Render(p.exName)+st.Text.Render(" to a file readable only by you."), tw))
	b.pin()
	b.gap()
	b.add(label(st, "Format", p.exFormat.Focused))
	if p.exGroup.Current() == &p.exFormat {
		b.focusAt(p.exFormat.Selected())
	}
	b.add(p.exFormat.View(st, p.sess.BodyWidth()))
	b.gap()
	if p.exGroup.Current() == &p.exPath {
		b.focus()
	}
	b.add(p.exPath.View(st, fw))
	if p.mode == profReplace {
		b.gap()
		b.focus()
		b.add(ui.Wrap(st.Confirm.Render(auth.Sanitize(p.exReq.Path)+" exists. Replace it? y/N"), tw))
	}
}

// View implements ui.Step.
func (p *Profiles) View() string { return p.render().String() }

// KeyBinds implements ui.Step.
func (p *Profiles) KeyBinds() []key.Binding {
	if p.sess == nil {
		return nil
	}
	k := p.sess.Keys
	switch p.mode {
	case profExport:
		if p.exGroup.Current() == &p.exFormat {
			return []key.Binding{k.UpDown, k.Next, binding("esc", "cancel")}
		}
		return []key.Binding{binding("enter", "write"), k.PrevField, binding("esc", "cancel")}
	case profReplace, profRemove:
		return []key.Binding{k.Yes, k.No}
	case profDetails:
		return []key.Binding{profCloseKey, profEditKey, profRotateKey, profCheckKey, profDefaultKey, profExportKey, profRemoveKey, profQuitKey}
	}
	if len(p.rows) == 0 {
		return []key.Binding{profNewKey, profQuitKey}
	}
	return []key.Binding{k.UpDown, profDetailsKey, profNewKey, profEditKey, profRotateKey, profCheckKey, profDefaultKey, profExportKey, profRemoveKey, profQuitKey}
}

// Prompt implements ui.Step: the same screen as line prompts. It lists the profiles with
// their live check, then offers the same actions as a numbered menu; the inline ones (details,
// check, default, export, remove) are done here, a flow (new, edit, new access key) is
// returned to run.
func (p *Profiles) Prompt(s *ui.Session, pr *ui.Prompter) (tea.Msg, error) {
	p.sess, p.frame = s, nil
	if !p.loaded || p.stale {
		p.mode = profList
		if err := p.promptList(pr, !p.checked); err != nil {
			return nil, err
		}
	}
	for {
		p.sayRows(pr)
		if p.note != "" {
			pr.Say("%s", p.note)
			p.note = ""
		}
		type action struct {
			label string
			do    func() (tea.Msg, error)
		}
		acts := []action{}
		if len(p.rows) > 0 {
			acts = append(acts,
				action{"Show the details of a profile", func() (tea.Msg, error) { return p.promptEach(pr, "details", p.sayDetails) }},
				action{"Edit a profile", func() (tea.Msg, error) { return p.promptRead(pr, false) }},
				action{"Replace the access key of a profile", func() (tea.Msg, error) { return p.promptRead(pr, true) }},
				action{"Check a profile again", func() (tea.Msg, error) {
					return p.promptEach(pr, "check", func(_ *ui.Prompter, r *profileRow) error {
						p.checkNow([]*profileRow{r})
						return nil
					})
				}},
				action{"Make a profile the default", func() (tea.Msg, error) {
					return p.promptEach(pr, "make the default", func(_ *ui.Prompter, r *profileRow) error {
						return p.promptAction(pr, p.defaultCmd(r.View.Name))
					})
				}},
				action{"Export a profile to a file", func() (tea.Msg, error) { return p.promptEach(pr, "export", p.promptExport) }},
				action{"Remove a profile", func() (tea.Msg, error) {
					return p.promptEach(pr, "remove", func(pr *ui.Prompter, r *profileRow) error {
						ok, err := pr.YesNo(fmt.Sprintf("Remove profile %q and its stored credentials?", r.View.Name), false)
						if err != nil || !ok {
							if err == nil {
								pr.Say("Nothing removed.")
							}
							return err
						}
						return p.promptAction(pr, p.removeCmd(r.View.Name))
					})
				}},
			)
		}
		acts = append(acts,
			action{"Set up a new profile", func() (tea.Msg, error) {
				cfg := p.cfg
				cfg.Profile = p.newName()
				return ui.StartFlowMsg{Steps: NewProfileFlow(p.deps, cfg).Steps}, nil
			}},
			action{"Quit", func() (tea.Msg, error) { return ui.FinishMsg{}, nil }},
		)
		labels := make([]string, len(acts))
		for i, a := range acts {
			labels[i] = a.label
		}
		i, err := pr.Choose("What now?", labels, len(acts)-1)
		if err != nil {
			return nil, err
		}
		msg, err := acts[i].do()
		if err != nil || msg != nil {
			return msg, err
		}
	}
}

// promptList reads the profiles and, with check, checks every one of them live at once.
func (p *Profiles) promptList(pr *ui.Prompter, check bool) error {
	msg := p.listCmd()().(listedMsg)
	p.loaded, p.stale = true, false
	if msg.err != nil {
		return fmt.Errorf("list the profiles: %w", msg.err)
	}
	p.applyList(msg.list)
	if check && len(p.rows) > 0 {
		p.checked = true
		if len(p.rows) == 1 {
			pr.Say("Checking the profile live…")
		} else {
			pr.Say("Checking %d profiles live…", len(p.rows))
		}
		p.checkNow(p.rows)
	}
	return nil
}

// checkNow checks rows at once and waits for all of them (line prompts).
func (p *Profiles) checkNow(rows []*profileRow) {
	for cmd := p.checkRows(rows); cmd != nil; {
		msg, _ := cmd().(checksMsg)
		p.Update(msg)
		cmd = msg.next
	}
}

func (p *Profiles) sayRows(pr *ui.Prompter) {
	if len(p.rows) == 0 {
		pr.Say("No profiles are stored.")
		return
	}
	pr.Say("Profiles:")
	for i, r := range p.rows {
		_, status := p.statusText(r, true)
		name := r.View.Name
		if r.Default {
			name += " (default)"
		}
		v := r.View
		pr.Say("  %d. %s: %s. Tenant %s; business unit %s; user %s.", i+1, name, status,
			store.Or(v.TenantText()), store.Or(v.BusinessUnitText()), store.Or(v.User))
	}
}

// promptEach asks which profile (when there are several) and does fn with it.
func (p *Profiles) promptEach(pr *ui.Prompter, what string, fn func(*ui.Prompter, *profileRow) error) (tea.Msg, error) {
	r, err := p.promptPick(pr, what)
	if err != nil {
		return nil, err
	}
	return nil, fn(pr, r)
}

func (p *Profiles) promptPick(pr *ui.Prompter, what string) (*profileRow, error) {
	if len(p.rows) == 1 {
		return p.rows[0], nil
	}
	names := make([]string, len(p.rows))
	for i, r := range p.rows {
		names[i] = r.View.Name
	}
	i, err := pr.Choose("Which profile to "+what+"?", names, p.cursor)
	if err != nil {
		return nil, err
	}
	p.cursor = i
	return p.rows[i], nil
}

func (p *Profiles) sayDetails(pr *ui.Prompter, r *profileRow) error {
	pr.Say("Profile %s:", r.View.Name)
	for _, kv := range p.detailPairs(r) {
		pr.Say("  %s: %s", kv[0], kv[1])
	}
	for _, w := range r.warnings {
		pr.Say("Warning: %s", auth.Sanitize(w))
	}
	if r.failed() {
		a := auth.AdviceFor(auth.KindOf(r.err))
		pr.Say("Error: %s. %s %s", a.Title, a.Cause, a.Fix)
		pr.Say("Details: %s", errorText(r.err))
	}
	return nil
}

// promptAction runs an action command and takes its outcome in.
func (p *Profiles) promptAction(pr *ui.Prompter, cmd tea.Cmd) error {
	p.Update(cmd())
	if msg := p.listCmd()().(listedMsg); msg.err == nil {
		p.applyList(msg.list)
	}
	return nil
}

// promptRead reads a profile from the keyring and returns the edit or rotation to run. A
// failed profile's edit starts at the value its check points at.
func (p *Profiles) promptRead(pr *ui.Prompter, rotate bool) (tea.Msg, error) {
	what := "edit"
	if rotate {
		what = "give a new access key"
	}
	r, err := p.promptPick(pr, what)
	if err != nil {
		return nil, err
	}
	msg := p.readCmd(r, rotate, fixFrom(r))().(secretMsg)
	p.busy = ""
	if msg.err != nil {
		pr.Say("Could not read profile %s: %s", r.View.Name, errorText(msg.err))
		return nil, nil
	}
	return p.startFlow(msg)(), nil
}

func (p *Profiles) promptExport(pr *ui.Prompter, r *profileRow) error {
	opts := make([]string, len(store.Formats))
	for i, f := range store.Formats {
		opts[i] = f.Name + " (" + f.Note + ")"
	}
	f, err := pr.Choose("Format:", opts, 0)
	if err != nil {
		return err
	}
	path, err := pr.Text("File", exportPath(r.View.Name, f), func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("enter the path of the file to write")
		}
		return nil
	})
	if err != nil {
		return err
	}
	req := ExportRequest{Profile: r.View.Name, Format: store.Formats[f].Name, Path: path}
	msg := p.exportCmd(req)().(exportedMsg)
	if errors.Is(msg.err, fs.ErrExist) {
		ok, err := pr.YesNo(path+" exists. Replace it?", false)
		if err != nil || !ok {
			if err == nil {
				pr.Say("Not replaced.")
			}
			p.busy = ""
			return err
		}
		req.Force = true
		msg = p.exportCmd(req)().(exportedMsg)
	}
	p.exported(msg)
	if msg.err != nil {
		pr.Say("Error: %s", errorText(msg.err))
		p.mode = profList
	}
	return nil
}
