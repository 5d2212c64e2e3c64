package auth

import "strings"

// validTokenAnswer checks a token answer before anything of it is cached, printed or sent:
// the access token must be an RFC 6750 b64token (1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
// "+" / "/" ) *"="), which is all a Bearer header can carry, and token_type must be Bearer
// (RFC 6749 section 5.1, compared case-insensitively). A server that answers with anything
// else (an escape sequence that sets the clipboard, a line break that adds a variable to an
// env file) gets a protocol error, and the message quotes nothing of the token.
func validTokenAnswer(tok *tokenResponse) string {
	if !isB64Token(tok.AccessToken) {
		return "the token answer's access_token is not a Bearer token (RFC 6750 allows only letters, digits, -._~+/ and trailing =); it was not used"
	}
	if !strings.EqualFold(tok.TokenType, "Bearer") {
		if tok.TokenType == "" {
			return "the token answer has no token_type; a Bearer token is required, it was not used"
		}
		return "the token answer's token_type is " + tokenTypeQuote(tok.TokenType) + ", not Bearer; it was not used"
	}
	return ""
}

// isB64Token reports whether s is an RFC 6750 b64token.
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// tokenTypeQuote quotes a short server string for a message, sanitised and cut to 40 characters.
func tokenTypeQuote(s string) string {
	s = Sanitize(s)
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return `"` + s + `"`
}
