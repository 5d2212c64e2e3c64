package steps

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"cxone-auth/ui"
)

// pairsMinValue is the narrowest value column worth keeping beside the keys; below it each
// value goes under its key.
const pairsMinValue = 12

// wrapPairs renders aligned "key  value" lines in width cells, like ui.KV, but a value that
// does not fit is wrapped instead of cut: a URL or a path cut with "…" can be neither read
// nor copied. Long values break between words, a word longer than the column anywhere; the
// continuation lines hang under the value column. When the window is too narrow for two
// columns, each value goes on the lines under its key.
func wrapPairs(st *ui.Styles, width int, pairs ...[2]string) string {
	width = max(1, width)
	kw := 0
	for _, p := range pairs {
		kw = max(kw, lipgloss.Width(p[0]))
	}
	vw := width - kw - 2
	lines := make([]string, 0, len(pairs))
	for _, p := range pairs {
		if vw < pairsMinValue {
			lines = append(lines, ansi.Truncate(st.Muted.Render(p[0]), width, "…"))
			for _, l := range wrapValue(p[1], max(1, width-2)) {
				lines = append(lines, "  "+st.Value.Render(l))
			}
			continue
		}
		key := st.Muted.Render(p[0] + strings.Repeat(" ", kw-lipgloss.Width(p[0])))
		pad := strings.Repeat(" ", kw+2)
		for i, l := range wrapValue(p[1], vw) {
			if i == 0 {
				lines = append(lines, key+"  "+st.Value.Render(l))
			} else {
				lines = append(lines, pad+st.Value.Render(l))
			}
		}
	}
	return strings.Join(lines, "\n")
}

// wrapValue breaks a plain value into lines of at most width cells.
func wrapValue(v string, width int) []string {
	if lipgloss.Width(v) <= width {
		return []string{v}
	}
	v = strings.ReplaceAll(v, "-", nbHyphenPairs)
	w := ansi.Wrap(v, width, "")
	w = strings.ReplaceAll(w, nbHyphenPairs, "-")
	var out []string
	for _, l := range strings.Split(w, "\n") {
		// ansi.Wrap may leave a line a cell too wide when it keeps a trailing breakpoint.
		for lipgloss.Width(l) > width {
			head := ansi.Truncate(l, width, "")
			out = append(out, head)
			l = l[len(head):]
		}
		out = append(out, strings.TrimRight(l, " "))
	}
	return out
}

// nbHyphenPairs stands in for "-" while wrapping (ansi.Wrap always breaks after a hyphen,
// and a hostname's hyphen is not a place to break it).
const nbHyphenPairs = "\u2011"
