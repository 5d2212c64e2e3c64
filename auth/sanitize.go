package auth

import "cxone-auth/internal/textclean"

// The rules that keep hostile text away from the terminal live in internal/textclean (a leaf
// that the screens use too); auth re-exports them for its callers.

// maxSanitized bounds a server string shown to a person.
const maxSanitized = textclean.MaxSanitized

// Sanitize makes a string safe for a terminal (textclean.Sanitize): escape sequences, control
// and invisible format characters removed, white space folded, cut to 300 characters.
func Sanitize(s string) string { return textclean.Sanitize(s) }

// CleanInput prepares pasted or typed text for a credential field (textclean.CleanInput).
func CleanInput(s string) string { return textclean.CleanInput(s) }

// hasUnsafe reports whether s is not valid UTF-8 or holds an unsafe rune or any other format
// character: such a string cannot be a URL the client should contact.
func hasUnsafe(s string) bool { return textclean.HasUnsafe(s) }
