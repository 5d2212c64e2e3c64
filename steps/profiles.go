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

	"cxone-auth/auth"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// The profiles screen is cut in parts (docs/profiles-screen.md): this file holds the screen
// itself (its rows, their checks, the routing of messages and keys; its layout is in
// profiles_view.go); the table, the details panel, the export form and the y/N question are
// sub-models in their own files (profiles_table.go, profiles_details.go, profiles_export.go,
// profiles_confirm.go); the actions are plain functions in profiles_actions.go, called by the
// screen's commands and by the line prompts (profiles_lines.go) alike.

// The profiles screen's modes. A y/N question (remove, replace a file) is asked over the
// list or the export form (Profiles.confirm).
const (
	profList    = iota
	profDetails // the panel of the selected profile
	profExport  // the export form
)

// profilesKeysText lists the screen's keys under the rows, when there is room; a key and
// what it does are never split across two lines.
var profilesKeysText = strings.Join(func() []string {
	items := []string{"↑↓/jk move", "/ filter", "enter details", "n new profile", "e edit", "r new access key", "c check again", "R check all", "d make default", "x export", "del remove", "q quit"}
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
		note string // what was done, a sentence
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

	// The sub-models.
	list    profTable
	panel   profDetailsPanel
	export  *profExportForm
	confirm profConfirm

	// acts are the records of the actions taken on the screen (make default, remove, export),
	// printed on the normal screen when it closes, with those of the flows (records).
	acts []profAction

	spin spinner.Model

	frame    *body // the last layout (render), nil once the state changed
	frameKey frameKey
}

// NewProfiles returns the profiles screen; deps.Manager must be set.
func NewProfiles(deps Deps, cfg Config) *Profiles {
	return &Profiles{deps: deps, cfg: cfg, mgr: deps.Manager, now: time.Now,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot)), export: newProfExportForm()}
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
	p.export.restyle(st)
}

// CapturingText implements ui.TextCapturer: the filter and the export form's path take
// printable keys.
func (p *Profiles) CapturingText() bool {
	if p.confirm.asking() {
		return false
	}
	return (p.mode == profList && p.list.filtering) || (p.mode == profExport && p.export.capturing())
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

func (p *Profiles) selected() *profileRow { return p.list.selected(p.rows) }

func (p *Profiles) row(name string) *profileRow {
	for _, r := range p.rows {
		if r.View.Name == name {
			return r
		}
	}
	return nil
}

// preload reads the list before the program starts. It comes from the config (no keyring, no
// network, a millisecond), and the screen's first frame then shows the rows, with the checks
// started at once, instead of a "Reading the profiles…" frame and the rows one frame later.
func (p *Profiles) preload(ctx context.Context) {
	msg := readList(ctx, p.mgr)
	p.pre = &msg
}

// beginChecks marks rows as checking in a new run and returns the run and their names.
func (p *Profiles) beginChecks(rows []*profileRow) (run int, names []string) {
	if len(rows) == 0 {
		return p.run, nil
	}
	p.run++
	names = make([]string, len(rows))
	for i, r := range rows {
		r.checking, r.run = true, p.run
		names[i] = r.View.Name
	}
	return p.run, names
}

// applyChecks shows the results of run in their rows; a result of an older run is dropped.
func (p *Profiles) applyChecks(run int, results []ProfileCheck) {
	for _, res := range results {
		if r := p.row(res.Name); r != nil && r.run == run {
			r.applyCheck(res)
		}
	}
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
	p.list.clamp(p.rows)
	p.list.to(p.rows, cur)
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
			p.list.cursor = i
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
		return p, p.listed(msg)
	case checksMsg:
		p.applyChecks(msg.run, msg.results)
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
		p.acted(msg)
		return p, p.listCmd()
	case exportedMsg:
		return p, p.exported(msg)
	case ui.FlowEndedMsg:
		return p, p.flowEnded(msg)
	case tea.KeyPressMsg:
		return p, p.key(msg)
	case tea.PasteMsg:
		if p.mode == profExport && !p.confirm.asking() {
			cmd, _, _ := p.export.Update(msg, p.sess.Keys)
			return p, cmd
		}
	}
	return p, nil
}

// listed takes the config's list in; the first time, it starts the checks of the opening.
func (p *Profiles) listed(msg listedMsg) tea.Cmd {
	p.loading, p.loaded, p.stale = false, true, false
	p.loadErr = ""
	if msg.err != nil {
		p.loadErr = "Could not list the profiles: " + errorText(msg.err)
		return nil
	}
	p.applyList(msg.list)
	if !p.checked {
		p.checked = true
		p.cursorToDefault()
		return afterFirstFrame(p.checkAll())
	}
	return nil
}

// acted takes the outcome of an action (make default, remove) in; the list is to be read
// again.
func (p *Profiles) acted(msg actionMsg) {
	p.busy = ""
	p.mode, p.stale = profList, true
	if msg.err != nil {
		p.setNote(errorText(msg.err), true)
		return
	}
	p.setNote("✓ "+msg.note, false)
	p.logAction(Record{Headline: msg.note})
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

// flowOf is the edit or rotation of the profile just read from the keyring.
func (p *Profiles) flowOf(msg secretMsg) Flow {
	if msg.rotate {
		return RotateFlow(p.deps, p.cfg, msg.sec)
	}
	var refused error
	if r := p.row(msg.sec.Name); r != nil {
		refused = r.err
	}
	return EditFlow(p.deps, p.cfg, msg.sec, msg.from, refused)
}

// startFlow starts the edit or rotation of the profile just read from the keyring.
func (p *Profiles) startFlow(msg secretMsg) tea.Cmd {
	fl := p.flowOf(msg)
	return ui.StartFlow(fl.Steps, fl.Draft)
}

// newFlow is the wizard for a new profile, its name pre-filled with one not taken yet.
func (p *Profiles) newFlow() Flow {
	cfg := p.cfg
	cfg.Profile = p.newName()
	return NewProfileFlow(p.deps, cfg)
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
	profRotateKey  = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "new access key"))
	profCheckKey   = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check again"))
	profCheckAll   = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "check all"))
	profDefaultKey = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "make default"))
	profExportKey  = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export"))
	profRemoveKey  = key.NewBinding(key.WithKeys("delete", "backspace"), key.WithHelp("del", "remove"))
	profQuitKey    = key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit"))
)

// key routes a key: to the open question, the export form, the table, then the screen's
// actions.
func (p *Profiles) key(k tea.KeyPressMsg) tea.Cmd {
	keys := p.sess.Keys
	if p.confirm.asking() {
		return p.confirm.Update(k, keys)
	}
	if p.mode == profExport {
		cmd, submit, back := p.export.Update(k, keys)
		switch {
		case back:
			p.mode = profList
		case submit:
			return p.exportCmd(p.export.request())
		}
		return cmd
	}
	if p.mode == profList && p.list.filtering {
		p.list.Update(k, p.rows) // the filter takes every key while it is typed
		return nil
	}
	if p.busy != "" {
		return nil
	}
	switch {
	case key.Matches(k, profQuitKey):
		return ui.Finish
	case key.Matches(k, profNewKey):
		p.setNote("", false)
		return ui.StartFlow(p.newFlow().Steps, nil)
	case key.Matches(k, profCheckAll):
		var rows []*profileRow
		for _, r := range p.rows {
			if !r.checking {
				rows = append(rows, r)
			}
		}
		if cmd := p.checkRows(rows); cmd != nil {
			return tea.Batch(cmd, p.tick())
		}
		return nil
	case p.mode == profDetails && p.panel.Update(k):
		p.mode = profList
		return nil
	case p.mode == profDetails && key.Matches(k, profUpKey):
		p.list.move(p.rows, -1) // the details of the row above
		return nil
	case p.mode == profDetails && key.Matches(k, profDownKey):
		p.list.move(p.rows, 1)
		return nil
	case p.mode == profList && p.list.Update(k, p.rows):
		return nil
	}
	r := p.selected()
	if r == nil {
		return nil
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
		return p.readCmd(r, false, from)
	case key.Matches(k, profRotateKey):
		p.setNote("", false)
		return p.readCmd(r, true, "")
	case key.Matches(k, profCheckKey):
		if r.checking {
			return nil
		}
		return tea.Batch(p.checkRows([]*profileRow{r}), p.tick())
	case key.Matches(k, profDefaultKey):
		return p.defaultCmd(r.View.Name)
	case key.Matches(k, profExportKey):
		p.setNote("", false)
		p.mode = profExport
		return p.export.open(r.View.Name)
	case key.Matches(k, profRemoveKey):
		p.setNote("", false)
		p.mode = profList
		name := r.View.Name
		p.confirm.ask(fmt.Sprintf("Remove profile %q and its stored credentials? y/N", name),
			func() tea.Cmd { return p.removeCmd(name) },
			func() tea.Cmd { p.setNote("Nothing removed.", false); return nil })
	}
	return nil
}

// exported takes the outcome of an export in: an existing file asks before it is replaced, a
// failure goes back to the file field.
func (p *Profiles) exported(msg exportedMsg) tea.Cmd {
	p.busy = ""
	switch {
	case errors.Is(msg.err, fs.ErrExist) && !msg.req.Force:
		p.mode = profExport
		req := msg.req
		p.confirm.ask(replaceQuestion(req.Path),
			func() tea.Cmd { req.Force = true; return p.exportCmd(req) },
			func() tea.Cmd {
				return p.export.failed("not replaced: choose another file, or confirm with y")
			})
		return nil
	case msg.err != nil:
		p.mode = profExport
		return p.export.failed(errorText(msg.err))
	}
	p.mode = profList
	p.setNote("✓ "+exportNote(msg), false)
	p.logAction(exportRecord(msg))
	return nil
}

// exportNote says where an export went.
func exportNote(msg exportedMsg) string {
	note := fmt.Sprintf("Wrote profile %q to %s (mode 0600).", msg.req.Profile, auth.Sanitize(msg.res.Path))
	if msg.res.GitWarning {
		note += " " + exportGitWarning
	}
	return note
}

const exportGitWarning = "It is inside a git work tree and not ignored: add it to .gitignore so the secrets are never committed."

// KeyBinds implements ui.Step.
func (p *Profiles) KeyBinds() []key.Binding {
	if p.sess == nil {
		return nil
	}
	k := p.sess.Keys
	switch {
	case p.confirm.asking():
		return p.confirm.KeyBinds(k)
	case p.mode == profExport:
		return p.export.KeyBinds(k)
	case p.mode == profDetails:
		return []key.Binding{profCloseKey, profEditKey, profRotateKey, profCheckKey, profDefaultKey, profExportKey, profRemoveKey, profQuitKey}
	case p.list.filtering:
		return []key.Binding{binding("enter", "done"), binding("esc", "clear"), binding("↑/↓", "move")}
	}
	if len(p.rows) == 0 {
		return []key.Binding{profNewKey, profQuitKey}
	}
	return []key.Binding{profMoveKey, profFilterKey, profDetailsKey, profNewKey, profEditKey, profRotateKey, profCheckKey, profCheckAll, profDefaultKey, profExportKey, profRemoveKey, profQuitKey}
}
