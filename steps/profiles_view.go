package steps

import (
	"fmt"
	"strings"
	"time"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// The profiles screen's layout: the current part (table, details, export form) with the note
// of the last action, laid out once a state.

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
		p.panel.View(&b, p.sess, p.selected(), compact, p.statusText)
	case profExport:
		q := ""
		if p.confirm.asking() {
			q = p.confirm.question
		}
		p.export.View(&b, p.sess, q)
	default:
		head, lines, starred, focus := p.tableFocus(p.sess.BodyWidth())
		if f := p.list.filterLine(st, p.sess.BodyWidth()); f != "" {
			b.add(f)
		}
		b.add(head)
		b.pin()
		for i, l := range lines {
			if i == focus {
				b.focus()
			}
			b.add(l)
		}
		if len(lines) == 0 {
			b.add(ui.Wrap(st.Muted.Render(fmt.Sprintf("  No profile matches %q.", auth.Sanitize(p.list.query))), tw))
		}
		if starred {
			b.add(st.Muted.Render("  * default profile"))
		}
		if !compact && !p.confirm.asking() {
			// The help line is cut at 80 columns; the screen's own keys are worth a line.
			b.gap()
			b.add(strings.ReplaceAll(ui.Wrap(st.Muted.Render(profilesKeysText), tw), "\u00a0", " "))
		}
		if p.confirm.asking() {
			b.gap()
			b.focus()
			b.add(p.confirm.View(st, tw))
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

// View implements ui.Step.
func (p *Profiles) View() string { return p.render().String() }
