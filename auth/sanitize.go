package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSanitized bounds a server string shown to a person.
const maxSanitized = 300

// Sanitize makes a string that came from a server safe for a terminal: escape sequences (CSI,
// OSC, DCS and the rest) and control characters are removed, invalid UTF-8 is replaced, runs of
// white space fold to one space, and the result is cut to 300 characters with an ellipsis.
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), maxSanitized*4))
	n := 0
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x1b { // ESC: skip the whole sequence
			i = skipEscape(s, i+1)
			continue
		}
		if r == 0x9b || r == 0x9d || r == 0x90 { // C1 CSI, OSC, DCS
			i = skipEscapeBody(s, i+size, r)
			continue
		}
		i += size
		if r == utf8.RuneError && size == 1 {
			r = '\uFFFD'
		}
		if unicode.IsSpace(r) {
			space = n > 0
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			continue
		}
		if space {
			if n+1 >= maxSanitized {
				b.WriteString("…")
				return b.String()
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= maxSanitized-1 {
			b.WriteString("…")
			return b.String()
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// skipEscape returns the index after the escape sequence whose ESC was at i-1.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipEscapeBody(s, i+1, 0x9b)
	case ']', 'P', '_', '^', 'X':
		return skipEscapeBody(s, i+1, 0x9d)
	}
	// Two-character sequence (ESC + one byte, possibly with intermediates 0x20-0x2F).
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// skipEscapeBody skips a CSI (kind 0x9b) or a string sequence (OSC/DCS/...: up to BEL or ST).
func skipEscapeBody(s string, i int, kind rune) int {
	if kind == 0x9b {
		for i < len(s) {
			c := s[i]
			i++
			if c >= 0x40 && c <= 0x7e {
				return i
			}
			if c < 0x20 || c > 0x7e { // malformed: stop here, the byte is dropped
				return i
			}
		}
		return i
	}
	for i < len(s) {
		if s[i] == 0x07 {
			return i + 1
		}
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
			return i + 2
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x9c {
			return i + size
		}
		i += size
	}
	return i
}
