package ui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// MaxValueLen is the longest value a field keeps, in runes. Real values are far shorter
// (56 for access keys); the bound only stops a runaway paste.
const MaxValueLen = 4096

// Clean prepares pasted or typed text for a credential field: escape sequences and control
// characters (newlines, tabs, NUL, DEL, C1) are removed, as are invisible format characters
// such as zero-width spaces and byte-order marks that copying from mail or web pages drags
// along; surrounding spaces are trimmed; the result is cut to MaxValueLen runes.
func Clean(s string) string {
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar {
			continue
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if r := []rune(out); len(r) > MaxValueLen {
		out = strings.TrimSpace(string(r[:MaxValueLen]))
	}
	return out
}
