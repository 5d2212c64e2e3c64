package steps

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"cxone-auth/auth"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// profTable is the profiles screen's list: which row the cursor is on. The rows themselves
// belong to the screen (the checks update them while the table is not even shown).
type profTable struct {
	cursor int // index into the screen's rows
}

// The arrows only: k is the new access key here, not the wizard's vim-style up.
var (
	profUpKey   = key.NewBinding(key.WithKeys("up"))
	profDownKey = key.NewBinding(key.WithKeys("down"))
)

// selected is the row under the cursor, nil when there is none.
func (t *profTable) selected(rows []*profileRow) *profileRow {
	if t.cursor < 0 || t.cursor >= len(rows) {
		return nil
	}
	return rows[t.cursor]
}

// clamp keeps the cursor on a row after the rows changed.
func (t *profTable) clamp(rows []*profileRow) {
	t.cursor = min(t.cursor, max(0, len(rows)-1))
}

// to puts the cursor on the row of profile name, if there is one.
func (t *profTable) to(rows []*profileRow, name string) {
	for i, r := range rows {
		if r.View.Name == name {
			t.cursor = i
		}
	}
}

// Update moves the cursor; handled reports whether k was the table's.
func (t *profTable) Update(k tea.KeyPressMsg, rows []*profileRow) (handled bool) {
	switch {
	case key.Matches(k, profUpKey):
		t.cursor = max(0, t.cursor-1)
	case key.Matches(k, profDownKey):
		t.cursor = min(max(0, len(rows)-1), t.cursor+1)
	default:
		return false
	}
	return true
}

// profStatus renders a row's status: an icon and words.
type profStatus func(r *profileRow, long bool) (icon, text string)

func dashIf(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// View lays rows out in width cells: a header and one line a row, the row at cursor marked
// (cursor -1: none). Columns are dropped from the right (user, business unit, tenant) and the
// status shortened until the rows fit; the name and the status always show. starred reports
// that the default profile is marked "*", to be explained under the rows.
func (t *profTable) View(st *ui.Styles, rows []*profileRow, cursor, width int, status profStatus) (head string, lines []string, starred bool) {
	type column struct {
		title string
		cells []string
		star  bool // the default profile is marked "*", explained under the rows
	}
	name := func(star bool) column {
		c := column{title: "PROFILE", star: star}
		for _, r := range rows {
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
		for _, r := range rows {
			c.cells = append(c.cells, dashIf(f(r.View)))
		}
		return c
	}
	tenant := col("TENANT", store.View.TenantText)
	bu := col("BUSINESS UNIT", store.View.BusinessUnitText)
	user := col("USER", func(v store.View) string { return v.User })
	statusWidth := func(long bool) int {
		w := len("STATUS")
		for _, r := range rows {
			_, t := status(r, long)
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
	lines = make([]string, 0, len(rows))
	for ri, r := range rows {
		var b strings.Builder
		for i, c := range pick.cols {
			b.WriteString(cell(c.cells[ri], widths[i]) + "  ")
		}
		icon, text := status(r, pick.long)
		pointer, style := "  ", st.Text
		if ri == cursor {
			pointer, style = st.Selected.Render("> "), st.Selected
		}
		lines = append(lines, ansi.Truncate(pointer+style.Render(b.String())+icon+" "+style.Render(text), width, "…"))
	}
	starred = pick.cols[0].star
	return st.Muted.Render(ansi.Truncate(hb.String(), width, "…")), lines, starred
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
	case "missing":
		return st.Error.Render("✗"), "missing from the keyring · " + age
	case store.StatusError:
		return st.Warn.Render("!"), "error" + kind + " · " + age
	case "":
		return st.Muted.Render("·"), "never checked"
	}
	return st.Warn.Render("?"), auth.Sanitize(r.Status) + " · " + age
}

// table lays the rows out in width cells (profTable.View).
func (p *Profiles) table(width int) (head string, rows []string, starred bool) {
	cursor := p.list.cursor
	if p.mode == profDetails {
		cursor = -1
	}
	return p.list.View(p.sess.Styles, p.rows, cursor, width, p.statusText)
}
