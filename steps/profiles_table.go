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

// profTable is the profiles screen's list: which row the cursor is on, and the filter. The
// rows themselves belong to the screen (the checks update them while the table is not even
// shown).
type profTable struct {
	cursor    int    // index into the screen's rows
	query     string // the filter: rows whose name, tenant or user contain it (any case)
	filtering bool   // the filter is being typed
}

// profFilterMax bounds the filter's length.
const profFilterMax = 64

var (
	profUpKey     = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
	profDownKey   = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
	profMoveKey   = key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "move"))
	profFilterKey = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter"))
	// While the filter is typed, j and k are letters: the arrows move.
	profArrowUp   = key.NewBinding(key.WithKeys("up"))
	profArrowDown = key.NewBinding(key.WithKeys("down"))
)

// matches reports whether r passes the filter.
func (t *profTable) matches(r *profileRow) bool {
	if t.query == "" {
		return true
	}
	q := strings.ToLower(t.query)
	for _, s := range []string{r.View.Name, r.View.Tenant, r.View.TenantText(), r.View.User} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// visible is the rows that pass the filter, in order.
func (t *profTable) visible(rows []*profileRow) []*profileRow {
	if t.query == "" {
		return rows
	}
	var out []*profileRow
	for _, r := range rows {
		if t.matches(r) {
			out = append(out, r)
		}
	}
	return out
}

// selected is the row under the cursor, nil when there is none (or the filter hides it).
func (t *profTable) selected(rows []*profileRow) *profileRow {
	if t.cursor < 0 || t.cursor >= len(rows) || !t.matches(rows[t.cursor]) {
		return nil
	}
	return rows[t.cursor]
}

// clamp keeps the cursor on a row after the rows or the filter changed: on a row the filter
// shows, the first one when it hides the cursor's.
func (t *profTable) clamp(rows []*profileRow) {
	t.cursor = min(t.cursor, max(0, len(rows)-1))
	if len(rows) == 0 || t.matches(rows[t.cursor]) {
		return
	}
	for i, r := range rows {
		if t.matches(r) {
			t.cursor = i
			return
		}
	}
}

// to puts the cursor on the row of profile name, if there is one.
func (t *profTable) to(rows []*profileRow, name string) {
	for i, r := range rows {
		if r.View.Name == name {
			t.cursor = i
		}
	}
	t.clamp(rows)
}

// move goes delta rows up or down among those the filter shows.
func (t *profTable) move(rows []*profileRow, delta int) {
	vis := make([]int, 0, len(rows))
	at := -1
	for i, r := range rows {
		if t.matches(r) {
			if i == t.cursor {
				at = len(vis)
			}
			vis = append(vis, i)
		}
	}
	if len(vis) == 0 {
		return
	}
	if at < 0 {
		t.cursor = vis[0]
		return
	}
	t.cursor = vis[min(max(0, at+delta), len(vis)-1)]
}

// Update handles the keys of the list: moving, and the filter. handled reports whether k was
// the table's; while the filter is typed, every key is.
func (t *profTable) Update(k tea.KeyPressMsg, rows []*profileRow) (handled bool) {
	if t.filtering {
		switch {
		case k.String() == "esc":
			t.query, t.filtering = "", false
		case k.String() == "enter":
			t.filtering = false
		case key.Matches(k, profArrowUp):
			t.move(rows, -1)
		case key.Matches(k, profArrowDown):
			t.move(rows, 1)
		case k.String() == "backspace":
			if r := []rune(t.query); len(r) > 0 {
				t.query = string(r[:len(r)-1])
			}
		case k.String() == "ctrl+u":
			t.query = ""
		case k.Text != "":
			text := auth.CleanInput(k.Text)
			if k.Code == tea.KeySpace {
				text = " "
			}
			if len([]rune(t.query+text)) <= profFilterMax {
				t.query += text
			}
		}
		t.clamp(rows)
		return true
	}
	switch {
	case key.Matches(k, profUpKey):
		t.move(rows, -1)
	case key.Matches(k, profDownKey):
		t.move(rows, 1)
	case key.Matches(k, profFilterKey):
		t.filtering = true
	case k.String() == "esc" && t.query != "":
		t.query = ""
		t.clamp(rows)
	default:
		return false
	}
	return true
}

// filterLine is the filter as the list shows it above the rows ("" when there is none).
func (t *profTable) filterLine(st *ui.Styles, width int) string {
	if !t.filtering && t.query == "" {
		return ""
	}
	line := st.Label.Render("Filter: ") + st.Input.Render(auth.Sanitize(t.query))
	if t.filtering {
		line += st.Prompt.Render("▏") + st.Muted.Render("  enter done · esc clears")
	} else {
		line += st.Muted.Render("  esc clears")
	}
	return ansi.Truncate(line, width, "…")
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
	case store.StatusMissing:
		return st.Error.Render("✗"), "missing from the keyring · " + age
	case store.StatusError:
		return st.Warn.Render("!"), "error" + kind + " · " + age
	case store.StatusUnreachable:
		return st.Warn.Render("!"), "unreachable" + kind + " · " + age
	case "":
		return st.Muted.Render("·"), "never checked"
	}
	return st.Warn.Render("?"), auth.Sanitize(r.Status) + " · " + age
}

// tableFocus lays the rows out in width cells (profTable.View).
// Only the rows the filter shows are laid out; focus is the index of the cursor's row among
// them (-1: none).
func (p *Profiles) tableFocus(width int) (head string, rows []string, starred bool, focus int) {
	vis := p.list.visible(p.rows)
	sel := p.selected()
	focus = -1
	for i, r := range vis {
		if r == sel {
			focus = i
		}
	}
	cursor := focus
	if p.mode == profDetails {
		cursor = -1
	}
	head, rows, starred = p.list.View(p.sess.Styles, vis, cursor, width, p.statusText)
	return head, rows, starred, focus
}
