// Package textclean is the one set of rules that keeps hostile text away from the terminal and
// out of credential fields: Sanitize for text shown, CleanInput for text typed or pasted, Mask
// for an identifier shown in part. It
// is a leaf (the standard library only), so that both the CXone client (auth, which
// re-exports it for its callers) and the screen engine (ui) use the same rules without ui
// depending on the client.
package textclean

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxValueLen is the longest credential value accepted (auth.MaxValueLen): in bytes for
// validation, in runes for CleanInput.
const MaxValueLen = 4096

// One set of rules keeps hostile text away from the terminal. Text from a server, a file, the
// environment or keyring metadata goes through Sanitize before it is shown; text typed or
// pasted into a field goes through CleanInput before it is kept. Both are built on scrub
// (escape sequences removed with their bodies, invalid UTF-8 replaced) and unsafeRune (the
// characters that never reach a terminal).

// MaxSanitized bounds a server string shown to a person.
const MaxSanitized = 300

// Sanitize makes a string safe for a terminal: escape sequences (7-bit ESC forms and their
// 8-bit C1 forms: CSI, OSC, DCS, SOS, PM, APC, with their bodies) are removed, as are C0 and
// C1 control characters, DEL, bidirectional embeddings, overrides, isolates and marks, and
// every other invisible format character (Unicode category Cf: soft hyphens, zero-width
// spaces and joiners, word joiners, byte-order marks, interlinear annotation marks, tag
// characters), which would let "admin" and "ad\u200bmin" look alike; invalid UTF-8 is
// replaced by U+FFFD; runs of white space (line breaks and line or paragraph
// separators included) fold to one space; the result is cut to 300 characters with an
// ellipsis.
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), MaxSanitized*4))
	n := 0
	space := false
	for r := range scrub(s) {
		if unicode.IsSpace(r) {
			space = n > 0
			continue
		}
		if Invisible(r) {
			continue
		}
		if space {
			if n+1 >= MaxSanitized {
				b.WriteString("…")
				return b.String()
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= MaxSanitized-1 {
			b.WriteString("…")
			return b.String()
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// CleanInput prepares pasted or typed text for a credential field: escape sequences, control
// characters (line breaks and tabs included), bidirectional controls, line and paragraph
// separators and every other invisible format character (Unicode category Cf: zero-width
// spaces, byte-order marks, soft hyphens) that copying from mail or web pages drags along are
// removed, as is invalid UTF-8; surrounding spaces are trimmed; the result is cut to
// MaxValueLen runes. Spaces inside the value are kept, so that Validate can point them out.
func CleanInput(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), MaxValueLen*4))
	for r := range scrub(s) {
		if Invisible(r) || r == utf8.RuneError {
			continue
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if utf8.RuneCountInString(out) > MaxValueLen {
		out = strings.TrimSpace(string([]rune(out)[:MaxValueLen]))
	}
	return out
}

// Invisible reports the runes that never reach a terminal or a pasted value: unsafeRune's,
// and every other format character (category Cf: zero-width spaces and joiners, soft hyphens,
// tag characters).
func Invisible(r rune) bool { return unsafeRune(r) || unicode.Is(unicode.Cf, r) }

// unsafeRune reports the characters that never reach a terminal: C0 controls, DEL, C1
// controls (U+0080–U+009F), the bidirectional controls (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators.
func unsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' ||
		unicode.Is(unicode.Bidi_Control, r)
}

// HasUnsafe reports whether s is not valid UTF-8 or holds an unsafe rune or any other format
// character: such a string cannot be a URL the client should contact.
func HasUnsafe(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.ContainsFunc(s, Invisible)
}

// scrub yields the runes of s with every escape sequence removed, body included, and each
// byte of invalid UTF-8 replaced by U+FFFD. Control characters outside sequences are yielded:
// the callers decide whether they fold to a space or vanish.
func scrub(s string) iter.Seq[rune] {
	return func(yield func(rune) bool) {
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch r {
			case 0x1b: // ESC
				i = skipEscape(s, i+1)
				continue
			case 0x9b: // 8-bit CSI
				i = skipCSI(s, i+size)
				continue
			case 0x90, 0x98, 0x9d, 0x9e, 0x9f: // 8-bit DCS, SOS, OSC, PM, APC: strings up to ST
				i = skipString(s, i+size)
				continue
			}
			i += size
			if !yield(r) {
				return
			}
		}
	}
}

// skipEscape returns the index after the escape sequence whose ESC was at i-1.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_': // OSC, DCS, SOS, PM, APC
		return skipString(s, i+1)
	case c < 0x20 || c >= 0x7f:
		// A lone ESC before a control or a non-ASCII character: drop the ESC only, so that a
		// following sequence (ESC ESC [ ..., or an 8-bit introducer) is recognised on its own.
		return i
	}
	// Other sequences: intermediates (0x20–0x2F), then one final byte (0x30–0x7E).
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI returns the index after a control sequence's parameters, intermediates and final
// byte, which start at i. A malformed sequence ends before the offending byte, which the
// caller then handles as ordinary input (it may be the start of another sequence).
func skipCSI(s string, i int) int {
	for i < len(s) {
		switch c := s[i]; {
		case c >= 0x40 && c <= 0x7e: // final byte
			return i + 1
		case c >= 0x20 && c <= 0x3f: // parameter or intermediate byte
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after a control string (OSC, DCS, SOS, PM, APC) whose body
// starts at i: up to and including BEL, ESC \ or the 8-bit ST (U+009C). An unterminated string
// runs to the end of s, and all of it is dropped.
func skipString(s string, i int) int {
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

// Mask shows the first 4 and last 4 characters of an identifier with "…"
// between them; values of 12 characters or fewer are shown as "…" plus their last 2 at most,
// so a short value is never revealed whole.
func Mask(s string) string {
	r := []rune(s)
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 4:
		return "…"
	case len(r) <= 12:
		return "…" + string(r[len(r)-2:])
	}
	return string(r[:4]) + "…" + string(r[len(r)-4:])
}
