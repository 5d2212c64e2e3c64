package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Wrap word-wraps s (which may hold styles) to width cells. Hyphens do not break lines:
// GUIDs, URLs and flags stay whole unless they are longer than a line.
func Wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	s = strings.ReplaceAll(s, "-", nbHyphen)
	return strings.ReplaceAll(ansi.Wrap(s, width, ""), nbHyphen, "-")
}

// nbHyphen stands in for "-" while wrapping (ansi.Wrap always breaks after a hyphen).
const nbHyphen = "\u2011"

// Paragraph wraps plain text in the text style.
func Paragraph(st *Styles, width int, text string) string {
	return Wrap(st.Text.Render(text), width)
}

// WarningBox draws the prominent box used for things people must not miss. The title is
// bold; lines are wrapped to fit width.
func WarningBox(st *Styles, width int, title string, lines ...string) string {
	inner := max(1, width-4) // border and padding
	body := []string{st.Warn.Bold(true).Render(title)}
	for _, l := range lines {
		body = append(body, Wrap(st.Text.Render(l), inner))
	}
	return st.WarnBox.Width(max(1, width)).Render(strings.Join(body, "\n"))
}

// ErrorBox draws an error with its explanation.
func ErrorBox(st *Styles, width int, title string, lines ...string) string {
	inner := max(1, width-4)
	body := []string{st.Error.Bold(true).Render(title)}
	for _, l := range lines {
		body = append(body, Wrap(st.Text.Render(l), inner))
	}
	return st.ErrorBox.Width(max(1, width)).Render(strings.Join(body, "\n"))
}

// Link renders url as a clickable OSC 8 hyperlink (terminals without support show the text).
func Link(st *Styles, url string) string {
	return st.Link.Hyperlink(url).Render(url)
}

// OpenedMsg reports the outcome of OpenLink.
type OpenedMsg struct {
	URL string
	Err error
}

// OpenLink returns a command that opens url with opener, bounded to 10 s; nil when there is
// no opener (no browser on this machine), so callers can show the link instead.
func OpenLink(ctx context.Context, opener func(string) error, url string) tea.Cmd {
	if opener == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- opener(url) }()
		select {
		case err := <-done:
			return OpenedMsg{URL: url, Err: err}
		case <-ctx.Done():
			return OpenedMsg{URL: url, Err: fmt.Errorf("open browser: %w", ctx.Err())}
		}
	}
}

// MenuItem is one choice of a Menu.
type MenuItem struct {
	Label    string
	Note     string // shown muted after the label
	Disabled bool   // shown dimmed; the cursor skips it
}

// Menu is a vertical single choice list.
type Menu struct {
	Items  []MenuItem
	Cursor int
	// Focused draws the cursor; an unfocused menu still shows the chosen item.
	Focused bool
	// Plain drops the radio marks: a list of actions rather than a choice of one value.
	Plain bool
}

// Selected returns the index under the cursor.
func (m Menu) Selected() int { return m.Cursor }

// Select puts the cursor on item i when it is enabled.
func (m *Menu) Select(i int) {
	if i >= 0 && i < len(m.Items) && !m.Items[i].Disabled {
		m.Cursor = i
	}
}

// Update moves the cursor with up/down; moved reports a change.
func (m *Menu) Update(msg tea.Msg, keys KeyMap) (_ tea.Cmd, moved bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(m.Items) == 0 {
		return nil, false
	}
	step := 0
	switch {
	case key.Matches(k, keys.Up):
		step = -1
	case key.Matches(k, keys.Down):
		step = 1
	default:
		return nil, false
	}
	for i := m.Cursor + step; i >= 0 && i < len(m.Items); i += step {
		if !m.Items[i].Disabled {
			m.Cursor = i
			return nil, true
		}
	}
	return nil, false
}

// Focus implements Control.
func (m *Menu) Focus() tea.Cmd { m.Focused = true; return nil }

// Blur implements Control.
func (m *Menu) Blur() { m.Focused = false }

// TakesText implements Control: a menu leaves printable keys to the engine (? for help).
func (m *Menu) TakesText() bool { return false }

// Hide implements Control; a menu shows no secret.
func (m *Menu) Hide() {}

// Fits reports whether View shows every label and note whole in width cells; when it does
// not, notes are cut with "…" and a step may show the highlighted item's note in full.
func (m Menu) Fits(width int) bool {
	labelW := 0
	for _, it := range m.Items {
		labelW = max(labelW, lipgloss.Width(it.Label))
	}
	for _, it := range m.Items {
		note := it.Note
		if it.Disabled {
			note = "unavailable: " + it.Note
		}
		if 4+labelW+2+lipgloss.Width(note) > width {
			return false
		}
	}
	return true
}

// View renders the menu in width cells, notes aligned in a column.
func (m Menu) View(st *Styles, width int) string {
	labelW := 0
	for _, it := range m.Items {
		labelW = max(labelW, lipgloss.Width(it.Label))
	}
	lines := make([]string, 0, len(m.Items))
	for i, it := range m.Items {
		mark, style := "○ ", st.Text
		switch {
		case it.Disabled:
			mark, style = "  ", st.Disabled
		case i == m.Cursor && m.Focused:
			mark, style = "● ", st.Selected
		case i == m.Cursor:
			mark = "● "
		}
		if m.Plain {
			mark = ""
		}
		pointer := "  "
		if i == m.Cursor && m.Focused {
			pointer = st.Selected.Render("> ")
		}
		line := pointer + style.Render(mark+it.Label)
		note := it.Note
		if it.Disabled {
			note = "unavailable"
			if it.Note != "" {
				note += ": " + it.Note
			}
		}
		if note != "" {
			line += strings.Repeat(" ", labelW-lipgloss.Width(it.Label)+2) + st.Muted.Render(note)
		}
		lines = append(lines, ansi.Truncate(line, max(1, width), "…"))
	}
	return strings.Join(lines, "\n")
}

// ItemState is where a checklist line stands.
type ItemState int

// Checklist line states.
const (
	ItemPending ItemState = iota
	ItemRunning
	ItemDone
	ItemWarning
	ItemSkipped
	ItemFailed
)

// ChecklistItem is one line of a Checklist.
type ChecklistItem struct {
	Label  string
	Detail string
	State  ItemState
}

// Checklist is a live list of stages, each with a spinner while it runs.
type Checklist struct {
	Items []ChecklistItem
	// Static draws "…" instead of a spinner (accessible mode: no animation).
	Static  bool
	spinner spinner.Model
}

// NewChecklist returns a checklist of pending items.
func NewChecklist(st *Styles, labels ...string) Checklist {
	c := Checklist{spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Spinner))}
	for _, l := range labels {
		c.Items = append(c.Items, ChecklistItem{Label: l})
	}
	return c
}

// Reset puts every item back to pending.
func (c *Checklist) Reset() {
	for i := range c.Items {
		c.Items[i].State, c.Items[i].Detail = ItemPending, ""
	}
}

// Set changes one item.
func (c *Checklist) Set(i int, s ItemState, detail string) {
	if i >= 0 && i < len(c.Items) {
		c.Items[i].State, c.Items[i].Detail = s, detail
	}
}

// Running reports whether any item is running.
func (c Checklist) Running() bool {
	for _, it := range c.Items {
		if it.State == ItemRunning {
			return true
		}
	}
	return false
}

// Tick starts the spinner (nil when static).
func (c Checklist) Tick() tea.Cmd {
	if c.Static {
		return nil
	}
	return c.spinner.Tick
}

// Update advances the spinner.
func (c Checklist) Update(msg tea.Msg) (Checklist, tea.Cmd) {
	if _, ok := msg.(spinner.TickMsg); !ok || c.Static {
		return c, nil
	}
	var cmd tea.Cmd
	c.spinner, cmd = c.spinner.Update(msg)
	return c, cmd
}

// SetStyles restyles the spinner.
func (c *Checklist) SetStyles(st *Styles) { c.spinner.Style = st.Spinner }

// View renders the list in width cells.
func (c Checklist) View(st *Styles, width int) string {
	lines := make([]string, 0, len(c.Items))
	for _, it := range c.Items {
		var icon string
		label := st.Text.Render(it.Label)
		switch it.State {
		case ItemPending:
			icon, label = st.Muted.Render("·"), st.Muted.Render(it.Label)
		case ItemRunning:
			icon = st.Spinner.Render("…")
			if !c.Static {
				icon = c.spinner.View()
			}
		case ItemDone:
			icon = st.OK.Render("✓")
		case ItemWarning:
			icon = st.Warn.Render("!")
		case ItemSkipped:
			icon, label = st.Muted.Render("–"), st.Muted.Render(it.Label)
		case ItemFailed:
			icon = st.Error.Render("✗")
		}
		line := icon + " " + label
		if it.Detail != "" {
			line += st.Muted.Render(" — " + it.Detail)
		}
		lines = append(lines, Wrap(line, max(1, width)))
	}
	return strings.Join(lines, "\n")
}
