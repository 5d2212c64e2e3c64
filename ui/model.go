package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// ProductName is shown in the header.
const ProductName = "cxone-auth"

// State is where the wizard as a whole stands.
type State int

// Wizard states.
const (
	StateRunning State = iota
	StateDone          // finished; the profile was saved
	StateAborted       // cancelled by the user
	StateFailed        // ended with an error (Err)
)

// String names the state.
func (s State) String() string {
	switch s {
	case StateRunning:
		return "running"
	case StateDone:
		return "done"
	case StateAborted:
		return "aborted"
	case StateFailed:
		return "failed"
	}
	return fmt.Sprintf("state %d", int(s))
}

// Options tune the engine.
type Options struct {
	// AltScreen draws the wizard on the alternate screen (never in accessible mode).
	AltScreen bool
	// NoColor builds colourless styles.
	NoColor bool
	// Home is the screen shown when no flow runs (the profiles screen); nil for a plain
	// wizard, which ends when its flow ends.
	Home Step
}

// Model is the one state machine of the wizard on screen. It owns the home screen (if any),
// the steps of the flow that runs, the current index, the state and the last error; it handles
// ctrl+c, help, window size, scrolling and the navigation messages, and hands every other
// message to the current step only.
type Model struct {
	home    Step
	steps   []Step
	cur     int
	state   State
	err     error
	sess    *Session
	cancel  context.CancelFunc
	opts    Options
	help    help.Model
	showAll bool

	confirming bool // "Quit without saving? y/N"

	scroll    int
	lastFocus int
}

// New builds the engine. ctx becomes the session's base context and is cancelled when the
// wizard ends. sess may be partly filled (draft defaults, opener); New fills styles and keys
// when they are missing. New does no I/O: the first frame never waits on network or keyring.
func New(ctx context.Context, sess *Session, steps []Step, opts Options) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	if sess == nil {
		sess = &Session{}
	}
	if sess.Draft == nil {
		sess.Draft = &Draft{}
	}
	if sess.Styles == nil {
		// Dark until the terminal answers the background query.
		sess.Styles = NewStyles(true, opts.NoColor)
	}
	if len(sess.Keys.Quit.Keys()) == 0 {
		sess.Keys = DefaultKeyMap()
	}
	cctx, cancel := context.WithCancel(ctx)
	sess.Ctx = cctx
	m := &Model{home: opts.Home, steps: steps, sess: sess, cancel: cancel, opts: opts, lastFocus: -1}
	m.help = help.New()
	m.restyleHelp()
	return m
}

// State reports where the wizard stands.
func (m *Model) State() State { return m.state }

// Err is the error that ended the wizard (StateFailed), or nil.
func (m *Model) Err() error { return m.err }

// Session returns the session (and through it the draft).
func (m *Model) Session() *Session { return m.sess }

// Current returns the current step (the home screen when no flow runs), or nil.
func (m *Model) Current() Step {
	if m.cur < 0 || m.cur >= len(m.steps) {
		return m.home
	}
	return m.steps[m.cur]
}

// inHome reports whether the home screen is showing.
func (m *Model) inHome() bool { return m.home != nil && len(m.steps) == 0 }

// Confirming reports whether the quit confirmation is showing.
func (m *Model) Confirming() bool { return m.confirming }

// Init asks for the background colour and enters the first step.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if s := m.Current(); s != nil {
		cmds = append(cmds, stamp(s.Enter(m.sess), s.ID()))
	}
	return tea.Batch(cmds...)
}

func (m *Model) restyleHelp() {
	st := m.sess.Styles
	h := help.DefaultStyles(st.IsDark)
	h.ShortKey, h.FullKey = st.HelpKey, st.HelpKey
	h.ShortDesc, h.FullDesc = st.HelpDesc, st.HelpDesc
	h.ShortSeparator, h.FullSeparator, h.Ellipsis = st.HelpSep, st.HelpSep, st.HelpSep
	m.help.Styles = h
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.state != StateRunning {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.sess.Width, m.sess.Height = max(msg.Width, 0), max(msg.Height, 0)
		m.help.SetWidth(m.sess.BodyWidth())
		// The focused line must be brought into view again at the new size, even though it
		// did not move within the body.
		m.lastFocus = -1
		cmd := m.toStep(msg)
		return m, cmd
	case tea.BackgroundColorMsg:
		m.sess.Styles = NewStyles(msg.IsDark(), m.opts.NoColor)
		m.restyleHelp()
		for _, s := range append([]Step{m.home}, m.steps...) {
			if r, ok := s.(Restyler); ok {
				r.Restyle(m.sess.Styles)
			}
		}
		return m, m.toStep(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	case NextMsg, BackMsg, GoToMsg, FinishMsg, AbortMsg:
		if m.stale(fromOf(msg)) {
			return m, nil
		}
		if m.inHome() {
			switch msg.(type) {
			case FinishMsg:
				return m.end(StateDone, nil)
			case AbortMsg:
				return m.end(StateAborted, nil)
			}
			return m, nil
		}
		n, _, err := navigate(m.steps, m.cur, msg)
		switch {
		case err != nil:
			return m.end(StateFailed, err)
		case n.End != StateRunning:
			return m.endFlow(n.End)
		case n.Left:
			if m.home != nil {
				return m.endFlow(StateAborted)
			}
			return m, nil
		}
		return m, m.move(n.Index)
	case StartFlowMsg:
		if !m.inHome() || len(msg.Steps) == 0 {
			return m, nil
		}
		d := msg.Draft
		if d == nil {
			d = &Draft{}
		}
		m.steps, m.sess.Draft, m.sess.Touched = msg.Steps, d, false
		return m, m.move(0)
	case HomeMsg:
		if m.home != nil && !m.inHome() {
			next, cmd := m.home.Update(msg)
			if next != nil {
				m.home = next
			}
			return m, stamp(cmd, m.home.ID())
		}
	}
	return m, m.toStep(msg)
}

// fromOf is the step that sent a navigation message.
func fromOf(msg tea.Msg) string {
	switch msg := msg.(type) {
	case NextMsg:
		return msg.From
	case BackMsg:
		return msg.From
	case GoToMsg:
		return msg.From
	}
	return ""
}

// endFlow ends the running flow: the program ends, or the home screen comes back and is told
// how the flow went.
func (m *Model) endFlow(st State) (tea.Model, tea.Cmd) {
	d := m.sess.Draft
	if d != nil && d.Saved {
		m.sess.Finished = append(m.sess.Finished, d)
	}
	if m.home == nil {
		return m.end(st, nil)
	}
	m.steps, m.cur, m.scroll, m.lastFocus, m.showAll = nil, 0, 0, -1, false
	m.sess.Touched = false
	enter := stamp(m.home.Enter(m.sess), m.home.ID())
	next, cmd := m.home.Update(FlowEndedMsg{Draft: d, State: st})
	if next != nil {
		m.home = next
	}
	m.sess.Draft = &Draft{}
	return m, tea.Batch(enter, stamp(cmd, m.home.ID()))
}

func (m *Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	keys := m.sess.Keys
	if m.confirming {
		switch {
		case key.Matches(k, keys.Yes), key.Matches(k, keys.Quit):
			return m.end(StateAborted, nil)
		default:
			// Anything else, including enter (the default is No), keeps going.
			m.confirming = false
			return m, nil
		}
	}
	switch {
	case key.Matches(k, keys.Quit):
		if m.inHome() {
			return m.end(StateDone, nil)
		}
		if m.sess.Draft.Saved {
			// Nothing left to lose: ctrl+c on the last screen just leaves, with the record.
			m.sess.Finished = append(m.sess.Finished, m.sess.Draft)
			return m.end(StateDone, nil)
		}
		if m.sess.Touched {
			m.confirming = true
			return m, nil
		}
		return m.end(StateAborted, nil)
	case key.Matches(k, keys.Redraw):
		// A terminal garbled by another program's output (a wall message, a background job)
		// is drawn again from scratch.
		return m, tea.ClearScreen
	case key.Matches(k, keys.Help) && !m.capturing():
		m.showAll = !m.showAll
		return m, nil
	case key.Matches(k, keys.PageDown):
		m.scroll += m.page()
		return m, nil
	case key.Matches(k, keys.PageUp):
		m.scroll = max(0, m.scroll-m.page())
		return m, nil
	}
	return m, m.toStep(k)
}

func (m *Model) capturing() bool {
	if c, ok := m.Current().(TextCapturer); ok {
		return c.CapturingText()
	}
	return false
}

// toStep hands msg to the current step and keeps its focused line visible.
func (m *Model) toStep(msg tea.Msg) tea.Cmd {
	s := m.Current()
	if s == nil {
		return nil
	}
	next, cmd := s.Update(msg)
	if next != nil {
		if m.inHome() {
			m.home = next
		} else {
			m.steps[m.cur] = next
		}
	}
	m.follow()
	return stamp(cmd, s.ID())
}

// stale reports whether a navigation message comes from a step that is no longer current.
func (m *Model) stale(from string) bool {
	s := m.Current()
	return from != "" && s != nil && s.ID() != from
}

// stamp wraps cmd so that the navigation messages it produces carry the ID of the step that
// returned it (batches included).
func stamp(cmd tea.Cmd, from string) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case NextMsg:
			msg.From = from
			return msg
		case BackMsg:
			msg.From = from
			return msg
		case GoToMsg:
			msg.From = from
			return msg
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(msg))
			for i, c := range msg {
				out[i] = stamp(c, from)
			}
			return out
		default:
			return msg
		}
	}
}

func (m *Model) move(i int) tea.Cmd {
	m.cur = i
	m.scroll = 0
	m.lastFocus = -1
	m.showAll = false
	cmd := m.steps[i].Enter(m.sess)
	m.follow()
	return stamp(cmd, m.steps[i].ID())
}

func (m *Model) end(st State, err error) (tea.Model, tea.Cmd) {
	m.state, m.err = st, err
	m.confirming = false
	m.cancel()
	return m, tea.Quit
}

// follow scrolls the body so that the step's focus line is visible whenever it moves (or
// the window changes size). Pinned lines (the step's instruction) stay at the top and are
// not scrolled; the focus line is kept in view below them.
func (m *Model) follow() {
	f, ok := m.Current().(Focuser)
	if !ok {
		return
	}
	line := f.FocusLine()
	if line == m.lastFocus {
		return
	}
	m.lastFocus = line
	h := m.bodyHeight()
	if h <= 0 {
		return
	}
	pin := m.pinned(h)
	if line < pin {
		m.scroll = 0
		return
	}
	line -= pin
	avail := h - pin
	// The focus line starts a block of up to three lines (label, input, warning); keep the
	// whole block visible when the window allows. The last row may be the "more" indicator.
	end := line + min(2, max(0, avail-2))
	if line < m.scroll {
		m.scroll = line
	} else if end >= m.scroll+avail-1 {
		m.scroll = end - avail + 2
	}
	m.scroll = max(0, m.scroll)
}

// pinned is how many of the step's first body lines stay in view in a body of height lines:
// its instruction, as long as at least the focus line and the "more" indicator still fit
// under it.
func (m *Model) pinned(height int) int {
	p, ok := m.Current().(Pinner)
	if !ok || height < 3 {
		return 0
	}
	return max(0, min(p.PinnedLines(), height-2))
}

// layout describes which parts of the frame fit the window.
type layout struct {
	header, rule, gaps bool
	helpLines          int
	body               int
}

func (m *Model) layout() layout {
	helpLines := 1
	if m.showAll {
		helpLines = lipgloss.Height(m.helpView())
	}
	return m.layoutFor(helpLines)
}

// layoutFor computes the layout for a help area of helpLines lines. (overflow uses it with
// one line: the full help depends on overflow, which must not depend on the full help.)
func (m *Model) layoutFor(helpLines int) layout {
	return layoutOf(m.sess.Height, helpLines)
}

// layoutOf is the frame of a window h rows high: below 3 rows the body alone, below 8 the
// header and the help line, below 12 the rule as well, from 12 also the blank lines around the
// body. Small windows give every row they can to the body.
func layoutOf(h, helpLines int) layout {
	var l layout
	switch {
	case h <= 0:
		return l
	case h < 3:
		l.body = h
		return l
	case h < 8:
		l.header = true
		l.helpLines = 1
	case h < 12:
		l.header, l.rule = true, true
		l.helpLines = 1
	default:
		l.header, l.rule, l.gaps = true, true, true
		l.helpLines = helpLines
	}
	used := l.helpLines
	if l.header {
		used++
	}
	if l.rule {
		used++
	}
	if l.gaps {
		used += 2
	}
	l.body = max(0, h-used)
	return l
}

func (m *Model) bodyHeight() int { return m.layout().body }

// page is how far pgup and pgdn scroll: the lines under the pinned ones, less the indicator.
func (m *Model) page() int {
	h := m.bodyHeight()
	return max(1, h-m.pinned(h)-1)
}

// keyMap adapts the step's bindings to bubbles/help.
type keyMap struct {
	short  []key.Binding
	full   [][]key.Binding
	global []key.Binding
}

func (k keyMap) ShortHelp() []key.Binding  { return k.short }
func (k keyMap) FullHelp() [][]key.Binding { return k.full }

func (m *Model) bindings() keyMap {
	keys := m.sess.Keys
	var step []key.Binding
	if s := m.Current(); s != nil {
		step = s.KeyBinds()
	}
	// The short line keeps quit and help; scrolling is announced by the "more lines (pgdn)"
	// indicator in the body, and listed in the full help.
	global := []key.Binding{keys.Quit}
	if !m.capturing() {
		h := keys.Help
		if m.showAll {
			h.SetHelp("?", "fewer")
		}
		global = append(global, h)
	}
	full := append(append([]key.Binding{}, global...), keys.Redraw)
	if m.overflow() {
		full = append([]key.Binding{keys.PageDown, keys.PageUp}, full...)
	}
	short := append(append([]key.Binding{}, step...), global...)
	return keyMap{short: short, full: [][]key.Binding{step, full}, global: global}
}

func (m *Model) helpView() string {
	b := m.bindings()
	if m.showAll {
		return m.help.FullHelpView(b.full)
	}
	// The global keys (quit, help) always show; the step's keys get what is left and are
	// cut with an ellipsis when the window is narrow.
	global := b.global
	width := m.help.Width()
	m.help.SetWidth(0)
	g := m.help.ShortHelpView(global)
	m.help.SetWidth(width)
	if width > 0 && lipgloss.Width(g) >= width {
		return m.help.ShortHelpView(global)
	}
	sep := m.help.Styles.ShortSeparator.Render(m.help.ShortSeparator)
	rest := width - lipgloss.Width(g) - lipgloss.Width(sep)
	if width > 0 && rest < 8 {
		return g
	}
	m.help.SetWidth(rest)
	s := m.help.ShortHelpView(b.full[0])
	m.help.SetWidth(width)
	if s == "" {
		return g
	}
	return s + sep + g
}

func (m *Model) overflow() bool {
	s := m.Current()
	if s == nil {
		return false
	}
	return lipgloss.Height(s.View()) > m.layoutFor(1).body
}

// View implements tea.Model: header, body and help line, clipped to the window.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	// The alternate screen stays on for the last, empty frame: the renderer then erases it
	// before its close leaves it. A last frame that turned it off made the renderer switch to
	// the normal screen first and erase only there, leaving the wizard's last frame on the
	// alternate screen; after a resize, tmux carried rows of that frame into the normal
	// screen's scrollback when the program left (scripts/tmux-wizard.sh checks it).
	v.AltScreen = m.opts.AltScreen
	v.WindowTitle = ProductName
	return v
}

func (m *Model) render() string {
	w, h := m.sess.Width, m.sess.Height
	if w <= 0 || h <= 0 || m.state != StateRunning {
		return ""
	}
	st := m.sess.Styles
	s := m.Current()
	if s == nil {
		return ""
	}
	l := m.layout()
	pad := strings.Repeat(" ", margin(w))
	inner := w - 2*margin(w)
	var out []string
	if l.header {
		out = append(out, pad+m.header(inner))
	}
	if l.rule {
		out = append(out, pad+st.Rule.Render(strings.Repeat("─", inner)))
	}
	if l.gaps {
		out = append(out, "")
	}
	body := m.bodyLines(l.body)
	for _, line := range body {
		out = append(out, pad+line)
	}
	// Keep the help line at the bottom of the window, where people look for it.
	for i := len(body); i < l.body; i++ {
		out = append(out, "")
	}
	if l.gaps {
		out = append(out, "")
	}
	if l.helpLines > 0 {
		if m.confirming {
			out = append(out, pad+st.Confirm.Render("Quit without saving? y/N"))
		} else {
			m.help.SetWidth(inner)
			out = append(out, strings.Split(m.helpView(), "\n")...)
			for i := len(out) - l.helpLines; i < len(out); i++ {
				if i >= 0 {
					out[i] = pad + out[i]
				}
			}
		}
	} else if m.confirming && len(out) > 0 {
		out[len(out)-1] = st.Confirm.Render("Quit? y/N")
	}
	if len(out) > h {
		out = out[:h]
	}
	for i, line := range out {
		out[i] = ansi.Truncate(line, w, "…")
	}
	return strings.Join(out, "\n")
}

func (m *Model) header(width int) string {
	st := m.sess.Styles
	s := m.Current()
	if m.inHome() {
		return ansi.Truncate(st.App.Render(ProductName)+st.Muted.Render(" › ")+st.Title.Render(s.Title()), width, "…")
	}
	progress := fmt.Sprintf("Step %d of %d", m.cur+1, len(m.steps))
	left := st.App.Render(ProductName) + st.Muted.Render(" › ") + st.Title.Render(s.Title())
	gap := width - lipgloss.Width(left) - lipgloss.Width(progress)
	if gap < 2 {
		// Narrow: the progress matters less than the title.
		short := fmt.Sprintf("%d/%d", m.cur+1, len(m.steps))
		left = st.Title.Render(s.Title())
		gap = width - lipgloss.Width(left) - len(short)
		if gap < 1 {
			return ansi.Truncate(left, width, "…")
		}
		return left + strings.Repeat(" ", gap) + st.Progress.Render(short)
	}
	return left + strings.Repeat(" ", gap) + st.Progress.Render(progress)
}

// bodyLines clips the step's body to height lines: its pinned lines first, then the rest
// from the scroll offset, with an indicator when more is hidden.
func (m *Model) bodyLines(height int) []string {
	if height <= 0 {
		return nil
	}
	lines := strings.Split(m.Current().View(), "\n")
	if len(lines) <= height {
		m.scroll = 0
		return lines
	}
	pin := m.pinned(height)
	head, rest := lines[:pin], lines[pin:]
	avail := height - pin
	if avail == 1 {
		m.scroll = min(max(m.scroll, 0), len(rest)-1)
		return append(append([]string{}, head...), rest[m.scroll])
	}
	m.scroll = min(max(m.scroll, 0), len(rest)-avail+1)
	end := min(m.scroll+avail-1, len(rest))
	vis := append(append([]string{}, head...), rest[m.scroll:end]...)
	var more string
	switch {
	case end < len(rest) && m.scroll > 0:
		more = fmt.Sprintf("↑↓ %d more lines (pgup/pgdn)", len(lines)-(end-m.scroll)-pin)
	case end < len(rest):
		more = fmt.Sprintf("↓ %d more lines (pgdn)", len(rest)-end)
	default:
		more = "↑ more above (pgup)"
	}
	vis = append(vis, m.sess.Styles.Muted.Render(more))
	return vis
}
