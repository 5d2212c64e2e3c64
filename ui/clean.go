package ui

import (
	"cxone-auth/auth"
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Clean prepares pasted or typed text for a credential field: escape sequences and control
// characters (newlines, tabs, NUL, DEL, C1) are removed, as are invisible format characters
// such as zero-width spaces and byte-order marks that copying from mail or web pages drags
// along; surrounding spaces are trimmed; the result is cut to auth.MaxValueLen runes.
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
	if r := []rune(out); len(r) > auth.MaxValueLen {
		out = strings.TrimSpace(string(r[:auth.MaxValueLen]))
	}
	return out
}
